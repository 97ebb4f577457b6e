// Text-table and JSON renderers of a channel-counter snapshot.
#include <counters_tools/render.hpp>
#include <counters_tools/text.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <ostream>
#include <string>
#include <iterator>
#include <vector>

namespace counters::tools {

namespace {

std::int64_t value_of(const channel_values& c, counter k, bool absolute) {
    return absolute ? c.absolute(k) : c.get(k);
}

const char* const row_labels[row_count] = {"Received",  "Stored",   "Delivered", "Submitted",
                                           "Attempted", "Rejected", "Failed"};

void queue_line(fmt::memory_buffer& buf, const char* label, std::int64_t time, std::int64_t count) {
    const double avg = count == 0 ? 0.0 : static_cast<double>(time) / static_cast<double>(count);
    fmt::format_to(std::back_inserter(buf), "   {:<24}{}/{} = {:.2f}\n", label, time, count, avg);
}

/// Appends the lines of one channel, groups separated by one blank line. Everything goes
/// into one buffer: no per-line allocation (10,000 channels are 5 MB of text).
void append_channel(fmt::memory_buffer& buf, const channel_values& c, const render_options& o) {
    auto out = std::back_inserter(buf);
    const bool a = o.absolute;
    fmt::format_to(out, "{}\n", escape_name(c.name));
    if (o.channels) {
        for (std::size_t r = 0; r < row_count; ++r) {
            const auto first = static_cast<std::size_t>(first_counter(static_cast<row>(r)));
            fmt::format_to(out, "   {:<9}{:>18}{:>11}{:>11}", row_labels[r],
                           value_of(c, static_cast<counter>(first), a),
                           value_of(c, static_cast<counter>(first + 1), a),
                           value_of(c, static_cast<counter>(first + 2), a));
            if (static_cast<row>(r) == row::delivered)
                fmt::format_to(out, " ({} first time)", value_of(c, counter::delivered_first_messages, a));
            buf.push_back('\n');
        }
        buf.push_back('\n');
        queue_line(buf, "Queue time/count", value_of(c, counter::queue_time, a), value_of(c, counter::queue_count, a));
        queue_line(buf, "Queue first time/count", value_of(c, counter::queue_first_time, a),
                   value_of(c, counter::queue_first_count, a));
    }
    if (o.associations) {
        if (o.channels) buf.push_back('\n');
        fmt::format_to(out, "   {:<16}{:>16}\n", "Total In Assocs", value_of(c, counter::in_assocs, a));
        fmt::format_to(out, "   {:<16}{:>16}\n", "Total Out Assocs", value_of(c, counter::out_assocs, a));
    }
}

std::string hex64(std::uint64_t v) { return fmt::format("{:016x}", v); }

} // namespace

void render_text(const snapshot& snap, const render_options& o, std::ostream& out) {
    if (o.headers) {
        out << fmt::format("{:<22} {:<10} {:<10} {}\n", "Channel", "Messages", "Recipients", "Blocks");
        out << fmt::format("{:-<22} {:-<10} {:-<10} {:-<10}\n", "", "", "", "");
    }
    bool first = true;
    fmt::memory_buffer buf;
    for (const channel_values& c : snap.channels) {
        if (!wildcard_match(o.pattern, c.name)) continue;
        if (!first) buf.push_back('\n');
        first = false;
        append_channel(buf, c, o);
    }
    out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (snap.section.overflow > 0) {
        out << fmt::format("\nChannel table full: {} registrations refused (max_channels={})\n",
                           snap.section.overflow, snap.section.max_channels);
    }
}

void render_json(const snapshot& snap, const render_options& o, std::ostream& out) {
    using nlohmann::ordered_json;
    const section_info& s = snap.section;
    ordered_json doc;
    doc["format_version"] = json_format_version;
    doc["section"] = {
        {"name", s.name},
        {"format", fmt::format("{}.{}", s.version_major, s.version_minor)},
        {"created", s.created},
        {"cleared", s.cleared},
        {"clear_count", s.clear_count},
        {"block_size", s.block_size},
        {"max_channels", s.max_channels},
        {"channels", s.channels},
        {"overflow", s.overflow},
        {"instance_id", hex64(s.instance_id)},
    };
    doc["absolute"] = o.absolute;
    ordered_json chans = ordered_json::array();
    for (const channel_values& c : snap.channels) {
        if (!wildcard_match(o.pattern, c.name)) continue;
        ordered_json counts = ordered_json::object(), gauges = ordered_json::object(),
                     mins = ordered_json::object();
        for (std::size_t i = 0; i < counter_count; ++i) {
            const auto k = static_cast<counter>(i);
            const counter_info& inf = info(k);
            (inf.gauge ? gauges : counts)[inf.key] = value_of(c, k, o.absolute);
            mins[inf.key] = c.min(k);
        }
        gauges["current_inbound_associations"] = c.current_in;
        gauges["current_outbound_associations"] = c.current_out;
        chans.push_back({
            {"name", c.name},
            {"counters", std::move(counts)},
            {"gauges", std::move(gauges)},
            {"minimums", std::move(mins)},
            {"times", {{"last_inbound_activity", c.last_in}, {"last_outbound_activity", c.last_out}}},
        });
    }
    doc["channels"] = std::move(chans);
    // Names are validated ASCII, but the snapshot comes from untrusted memory: never throw
    // on bad UTF-8, replace it.
    out << doc.dump(2, ' ', false, ordered_json::error_handler_t::replace) << '\n';
}

} // namespace counters::tools

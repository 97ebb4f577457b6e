// Text-table and JSON renderers of a channel-counter snapshot.
#include <counters_tools/render.hpp>
#include <counters_tools/text.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <ostream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

namespace counters::tools {

namespace {

std::int64_t value_of(const channel_values& c, counter k, bool absolute) {
    return absolute ? c.absolute(k) : c.get(k);
}

// Row and line labels already padded to their columns, so that no string is measured or
// padded per line: "   {:<9}" for the rows, "   {:<24}" for the queue lines and
// "   {:<16}" for the association lines of the original layout.
const std::string_view row_labels[row_count] = {"   Received ", "   Stored   ", "   Delivered",
                                                "   Submitted", "   Attempted", "   Rejected ",
                                                "   Failed   "};

void put(std::string& buf, std::string_view s) { buf.append(s); }

/// Appends @p v right-aligned in @p width columns (a wider number is not cut).
void put_right(std::string& buf, std::int64_t v, std::size_t width) {
    const fmt::format_int digits(v);
    if (digits.size() < width) buf.append(width - digits.size(), ' ');
    buf.append(digits.data(), digits.size());
}

void put_number(std::string& buf, std::int64_t v) {
    const fmt::format_int digits(v);
    buf.append(digits.data(), digits.size());
}

/// "   <label padded to 24>T/C = avg" with two decimals.
void queue_line(std::string& buf, std::string_view label, std::int64_t time, std::int64_t count) {
    const double avg = count == 0 ? 0.0 : static_cast<double>(time) / static_cast<double>(count);
    put(buf, label);
    put_number(buf, time);
    buf.push_back('/');
    put_number(buf, count);
    fmt::format_to(std::back_inserter(buf), " = {:.2f}\n", avg);
}

/// Appends the lines of one channel, groups separated by one blank line. Everything goes
/// into one buffer, without a format string per line: 10,000 channels are 5 MB of text.
void append_channel(std::string& buf, const channel_values& c, const render_options& o) {
    const bool a = o.absolute;
    put(buf, escape_name(c.name));
    buf.push_back('\n');
    if (o.channels) {
        for (std::size_t r = 0; r < row_count; ++r) {
            const auto first = static_cast<std::size_t>(first_counter(static_cast<row>(r)));
            put(buf, row_labels[r]);
            put_right(buf, value_of(c, static_cast<counter>(first), a), 18);
            put_right(buf, value_of(c, static_cast<counter>(first + 1), a), 11);
            put_right(buf, value_of(c, static_cast<counter>(first + 2), a), 11);
            if (static_cast<row>(r) == row::delivered) {
                put(buf, " (");
                put_number(buf, value_of(c, counter::delivered_first_messages, a));
                put(buf, " first time)");
            }
            buf.push_back('\n');
        }
        buf.push_back('\n');
        queue_line(buf, "   Queue time/count        ", value_of(c, counter::queue_time, a),
                   value_of(c, counter::queue_count, a));
        queue_line(buf, "   Queue first time/count  ", value_of(c, counter::queue_first_time, a),
                   value_of(c, counter::queue_first_count, a));
    }
    if (o.associations) {
        if (o.channels) buf.push_back('\n');
        put(buf, "   Total In Assocs ");
        put_right(buf, value_of(c, counter::in_assocs, a), 16);
        put(buf, "\n   Total Out Assocs");
        put_right(buf, value_of(c, counter::out_assocs, a), 16);
        buf.push_back('\n');
    }
}

std::string hex64(std::uint64_t v) { return fmt::format("{:016x}", v); }

} // namespace

std::string render_text(const snapshot& snap, const render_options& o) {
    std::string buf;
    buf.reserve(112 + snap.channels.size() * 560); // a channel's block is ~550 bytes
    if (o.headers) {
        put(buf, "Channel                Messages   Recipients Blocks\n");
        put(buf, "---------------------- ---------- ---------- ----------\n");
    }
    bool first = true;
    for (const channel_values& c : snap.channels) {
        if (!wildcard_match(o.pattern, c.name)) continue;
        if (!first) buf.push_back('\n');
        first = false;
        append_channel(buf, c, o);
    }
    if (snap.section.overflow > 0) {
        fmt::format_to(std::back_inserter(buf), "\nChannel table full: {} registrations refused (max_channels={})\n",
                       snap.section.overflow, snap.section.max_channels);
    }
    return buf;
}

void render_text(const snapshot& snap, const render_options& o, std::ostream& out) {
    const std::string text = render_text(snap, o);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
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

// SPDX-License-Identifier: MIT
// Text-table and JSON renderers of a channel-counter snapshot.
#include <counters_tools/render.hpp>
#include <counters_tools/json.hpp>
#include <counters_tools/text.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace counters::tools {

namespace {

std::int64_t value_of(const channel_values& c, counter k, bool absolute) {
    return absolute ? c.absolute(k) : c.get(k);
}

// The text table, derived from the counter table (counter.hpp): one line per distinct
// text_row label, in the order the labels first appear there. A line's shape follows from
// the columns of its counters: a row (Messages, Recipients, Blocks, maybe first time), a
// queue line (T/C = average) or an association total. Consecutive lines of different shapes
// are separated by one blank line.
enum class shape : std::uint8_t { row, queue, total };

constexpr std::size_t column_count = static_cast<std::size_t>(text_column::total) + 1;
constexpr std::size_t no_counter = counter_count;

struct text_line {
    std::string label; // "   " and the label, padded to its column, so nothing is measured per line
    shape form = shape::row;
    counter_group group = counter_group::channels;
    std::array<std::size_t, column_count> counter_at{}; // per text_column, or no_counter
};

shape shape_of(text_column c) {
    switch (c) {
    case text_column::time:
    case text_column::count: return shape::queue;
    case text_column::total: return shape::total;
    case text_column::none:
    case text_column::messages:
    case text_column::recipients:
    case text_column::blocks:
    case text_column::first_time: break;
    }
    return shape::row;
}

/// Label widths of the original layout: "   {:<9}" for the rows, "   {:<24}" for the queue
/// lines and "   {:<16}" for the association lines.
std::size_t label_width(shape s) {
    switch (s) {
    case shape::row: return 9;
    case shape::queue: return 24;
    case shape::total: return 16;
    }
    return 0;
}

std::vector<text_line> make_layout() {
    std::vector<text_line> lines;
    std::vector<std::string_view> labels;
    for (std::size_t i = 0; i < counter_count; ++i) {
        const counter_info& inf = info(static_cast<counter>(i));
        if (inf.text_row == nullptr || inf.column == text_column::none) continue;
        const std::string_view label = inf.text_row;
        std::size_t l = 0;
        while (l < labels.size() && labels[l] != label) ++l;
        if (l == labels.size()) {
            labels.push_back(label);
            text_line line;
            line.form = shape_of(inf.column);
            line.group = inf.group;
            line.counter_at.fill(no_counter);
            line.label = "   ";
            line.label.append(label);
            const std::size_t width = 3 + label_width(line.form);
            if (line.label.size() < width) line.label.append(width - line.label.size(), ' ');
            lines.push_back(std::move(line));
        }
        lines[l].counter_at[static_cast<std::size_t>(inf.column)] = i;
    }
    return lines;
}

const std::vector<text_line>& layout() {
    static const std::vector<text_line> lines = make_layout();
    return lines;
}

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

/// Appends one line of a channel: "   <label padded>" and its figures.
void append_line(std::string& buf, const text_line& line, const channel_values& c, bool absolute) {
    auto value = [&](text_column col) -> std::int64_t {
        const std::size_t k = line.counter_at[static_cast<std::size_t>(col)];
        return k == no_counter ? 0 : value_of(c, static_cast<counter>(k), absolute);
    };
    auto has = [&](text_column col) { return line.counter_at[static_cast<std::size_t>(col)] != no_counter; };
    put(buf, line.label);
    switch (line.form) {
    case shape::row:
        put_right(buf, value(text_column::messages), 18);
        put_right(buf, value(text_column::recipients), 11);
        put_right(buf, value(text_column::blocks), 11);
        if (has(text_column::first_time)) {
            put(buf, " (");
            put_number(buf, value(text_column::first_time));
            put(buf, " first time)");
        }
        break;
    case shape::queue: {
        // "T/C = avg" with two decimals.
        const std::int64_t time = value(text_column::time), count = value(text_column::count);
        const double avg = count == 0 ? 0.0 : static_cast<double>(time) / static_cast<double>(count);
        put_number(buf, time);
        buf.push_back('/');
        put_number(buf, count);
        fmt::format_to(std::back_inserter(buf), " = {:.2f}", avg);
        break;
    }
    case shape::total: put_right(buf, value(text_column::total), 16); break;
    }
    buf.push_back('\n');
}

/// Appends the lines of one channel, groups separated by one blank line. Everything goes
/// into one buffer, without a format string per line: 10,000 channels are 5 MB of text.
void append_channel(std::string& buf, const channel_values& c, const render_options& o) {
    put(buf, escape_name(c.name));
    buf.push_back('\n');
    const text_line* previous = nullptr;
    for (const text_line& line : layout()) {
        if (!(line.group == counter_group::associations ? o.associations : o.channels)) continue;
        if (previous != nullptr && previous->form != line.form) buf.push_back('\n');
        append_line(buf, line, c, o.absolute);
        previous = &line;
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
    // Names are validated ASCII when the library writes them, but the snapshot comes from
    // untrusted memory: every string is escaped by the one rule (json.hpp), never thrown on.
    out << dump_json(doc, 2) << '\n';
}

} // namespace counters::tools

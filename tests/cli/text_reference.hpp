// SPDX-License-Identifier: MIT
// The text renderer as it was before the direct writer of render.cpp (one std::string
// appended to per field): the reference that render_text() must reproduce byte for byte
// (tests/cli/test_render_equivalence.cpp). Not used by any tool.
#pragma once

#include <counters/snapshot.hpp>
#include <counters_tools/render.hpp>
#include <counters_tools/text.hpp>

#include <fmt/format.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

namespace counters::tools::test {

namespace text_reference_detail {

inline std::int64_t value_of(const channel_values& c, counter k, bool absolute) {
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

inline shape shape_of(text_column c) {
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
inline std::size_t label_width(shape s) {
    switch (s) {
    case shape::row: return 9;
    case shape::queue: return 24;
    case shape::total: return 16;
    }
    return 0;
}

inline std::vector<text_line> make_layout() {
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

inline const std::vector<text_line>& layout() {
    static const std::vector<text_line> lines = make_layout();
    return lines;
}

inline void put(std::string& buf, std::string_view s) { buf.append(s); }

/// Appends @p v right-aligned in @p width columns (a wider number is not cut).
inline void put_right(std::string& buf, std::int64_t v, std::size_t width) {
    const fmt::format_int digits(v);
    if (digits.size() < width) buf.append(width - digits.size(), ' ');
    buf.append(digits.data(), digits.size());
}

inline void put_number(std::string& buf, std::int64_t v) {
    const fmt::format_int digits(v);
    buf.append(digits.data(), digits.size());
}

inline std::size_t digits_of(std::int64_t v) { return fmt::format_int(v).size(); }

/// Label of the line below a line that shows the minimums of its counters, indented two
/// more than the labels so that it reads as belonging to the line above.
constexpr std::string_view minimum_label = "     minimum";

/// The field widths of one table: each number is right-aligned in its field, which follows
/// the padded label (or the previous field). The documented widths put the numbers' right
/// ends at columns 30, 41, 52 (rows) and 35 (association lines); a field grows, for the whole
/// table, to one more than its widest number, so that a space always comes before a number.
struct widths {
    static constexpr std::size_t default_messages = 18, default_recipients = 11, default_blocks = 11,
                                 default_total = 16;
    std::size_t messages = default_messages, recipients = default_recipients, blocks = default_blocks,
                total = default_total;

    static void fit(std::size_t& field, std::int64_t v) {
        const std::size_t need = digits_of(v) + 1;
        if (need > field) field = need;
    }
};

/// What one line shows: the current values (or absolute ones), or the minimums.
enum class figures : std::uint8_t { values, minimums };

inline std::int64_t figure_of(const channel_values& c, counter k, figures f, bool absolute) {
    return f == figures::minimums ? c.min(k) : value_of(c, k, absolute);
}

inline bool shown(const text_line& line, const render_options& o) {
    return line.group == counter_group::associations ? o.associations : o.channels;
}

/// The widths that every shown figure of the channels matching the pattern fits in.
inline widths measure(const snapshot& snap, const render_options& o) {
    widths w;
    for (const channel_values& c : snap.channels) {
        if (!wildcard_match(o.pattern, c.name)) continue;
        for (const text_line& line : layout()) {
            if (!shown(line, o) || line.form == shape::queue) continue;
            for (const figures f : {figures::values, figures::minimums}) {
                if (f == figures::minimums && !o.minimums) continue;
                auto fit = [&](std::size_t& field, text_column col) {
                    const std::size_t k = line.counter_at[static_cast<std::size_t>(col)];
                    if (k != no_counter) widths::fit(field, figure_of(c, static_cast<counter>(k), f, o.absolute));
                };
                if (line.form == shape::total) {
                    fit(w.total, text_column::total);
                } else {
                    fit(w.messages, text_column::messages);
                    fit(w.recipients, text_column::recipients);
                    fit(w.blocks, text_column::blocks);
                }
            }
        }
    }
    return w;
}

/// Appends the two header lines, their column groups widened as the fields are.
inline void append_header(std::string& buf, const widths& w) {
    const std::size_t dm = w.messages - widths::default_messages, dr = w.recipients - widths::default_recipients,
                      db = w.blocks - widths::default_blocks;
    put(buf, "Channel                Messages   ");
    buf.append(dm, ' ');
    put(buf, "Recipients ");
    buf.append(dr, ' ');
    put(buf, "Blocks\n");
    put(buf, "---------------------- ");
    buf.append(10 + dm, '-');
    buf.push_back(' ');
    buf.append(10 + dr, '-');
    buf.push_back(' ');
    buf.append(10 + db, '-');
    buf.push_back('\n');
}

/// Appends one line of a channel: "   <label padded>" and its figures, or with
/// figures::minimums "     minimum" padded alike and the minimums of the same counters.
inline void append_line(std::string& buf, const text_line& line, const channel_values& c, const render_options& o,
                 const widths& w, figures f) {
    auto value = [&](text_column col) -> std::int64_t {
        const std::size_t k = line.counter_at[static_cast<std::size_t>(col)];
        return k == no_counter ? 0 : figure_of(c, static_cast<counter>(k), f, o.absolute);
    };
    auto has = [&](text_column col) { return line.counter_at[static_cast<std::size_t>(col)] != no_counter; };
    if (f == figures::values) {
        put(buf, line.label);
    } else {
        put(buf, minimum_label);
        if (minimum_label.size() < line.label.size()) buf.append(line.label.size() - minimum_label.size(), ' ');
    }
    switch (line.form) {
    case shape::row:
        put_right(buf, value(text_column::messages), w.messages);
        put_right(buf, value(text_column::recipients), w.recipients);
        put_right(buf, value(text_column::blocks), w.blocks);
        if (has(text_column::first_time)) {
            put(buf, " (");
            put_number(buf, value(text_column::first_time));
            put(buf, " first time)");
        }
        break;
    case shape::queue: {
        // "T/C = avg" with two decimals; the minimums as "T/C" (their ratio means nothing).
        const std::int64_t time = value(text_column::time), count = value(text_column::count);
        put_number(buf, time);
        buf.push_back('/');
        put_number(buf, count);
        if (f == figures::values) {
            const double avg = count == 0 ? 0.0 : static_cast<double>(time) / static_cast<double>(count);
            fmt::format_to(std::back_inserter(buf), " = {:.2f}", avg);
        }
        break;
    }
    case shape::total: put_right(buf, value(text_column::total), w.total); break;
    }
    buf.push_back('\n');
}

/// Appends the lines of one channel, groups separated by one blank line. Everything goes
/// into one buffer, without a format string per line: 10,000 channels are 5 MB of text.
inline void append_channel(std::string& buf, const channel_values& c, const render_options& o, const widths& w) {
    put(buf, escape_name(c.name));
    buf.push_back('\n');
    const text_line* previous = nullptr;
    for (const text_line& line : layout()) {
        if (!shown(line, o)) continue;
        if (previous != nullptr && previous->form != line.form) buf.push_back('\n');
        append_line(buf, line, c, o, w, figures::values);
        if (o.minimums) append_line(buf, line, c, o, w, figures::minimums);
        previous = &line;
    }
}

} // namespace text_reference_detail

inline std::string render_text_reference(const snapshot& snap, const render_options& o) {
    using namespace text_reference_detail; // NOLINT(google-build-using-namespace)
    std::string buf;
    // A channel's block is ~550 bytes, twice that with the minimums.
    buf.reserve(112 + snap.channels.size() * (o.minimums ? 1100 : 560));
    const widths w = measure(snap, o);
    if (o.headers) append_header(buf, w);
    bool first = true;
    for (const channel_values& c : snap.channels) {
        if (!wildcard_match(o.pattern, c.name)) continue;
        if (!first) buf.push_back('\n');
        first = false;
        append_channel(buf, c, o, w);
    }
    if (snap.section.overflow > 0) {
        fmt::format_to(std::back_inserter(buf), "\nChannel table full: {} registrations refused (max_channels={})\n",
                       snap.section.overflow, snap.section.max_channels);
    }
    return buf;
}

} // namespace counters::tools::test

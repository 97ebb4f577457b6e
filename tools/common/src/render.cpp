// SPDX-License-Identifier: MIT
// Text-table and JSON renderers of a channel-counter snapshot.
#include <counters_tools/render.hpp>
#include <counters/options.hpp>
#include <counters_tools/text.hpp>

#include "output.hpp"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <ostream>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <sys/mman.h>

namespace counters::tools {

namespace {

using detail::put_decimal;
using detail::raw_writer;
using detail::reserve_output;

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
    static constexpr std::size_t label_capacity = 32;
    std::array<char, label_capacity> padded{}; // the label, for a fixed-size copy when it fits
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
    for (text_line& line : lines)
        std::copy_n(line.label.begin(), std::min(line.label.size(), text_line::label_capacity), line.padded.begin());
    return lines;
}

const std::vector<text_line>& layout() {
    static const std::vector<text_line> lines = make_layout();
    return lines;
}

/// Digits of @p v, its sign included.
std::size_t digits_of(std::int64_t v) noexcept {
    auto u = static_cast<std::uint64_t>(v);
    std::size_t n = 1;
    if (v < 0) {
        u = 0 - u;
        ++n;
    }
    while (u >= 10) {
        u /= 10;
        ++n;
    }
    return n;
}

/// Writes @p v right-aligned in @p width columns; returns the end. A number that does not
/// fit with a space before it (measure() saw it smaller: a section_reader read it again) is
/// written whole after one space, so that it never runs into the field before it.
char* put_right(char* p, std::int64_t v, std::size_t width) noexcept {
    static constexpr char spaces[32] = {' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ',
                                        ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};
    const std::size_t n = digits_of(v);
    if (n >= width) {
        *p++ = ' ';
        return put_decimal(p, v);
    }
    if (width <= sizeof spaces)
        std::memcpy(p, spaces, sizeof spaces); // the digits overwrite the end
    else
        std::memset(p, ' ', width - n);
    put_decimal(p + (width - n), v);
    return p + width;
}

/// Writes T/C with two decimals as fmt's "{:.2f}" writes the double T/C (what the former
/// renderer printed), without formatting a double in the usual case: when T and C are exact
/// doubles (below 2^53) and 100*T/C is not within the double's error of a half (a tie),
/// rounding the exact quotient and rounding the double give the same two decimals.
char* put_average(char* p, std::int64_t time, std::int64_t count) {
    constexpr std::int64_t exact = std::int64_t{1} << 53;
    if (count > 0 && time >= 0 && time < exact && count < exact) {
        const std::int64_t scaled = time * 100; // below 100 * 2^53: no overflow
        auto hundredths = static_cast<std::uint64_t>(scaled / count);
        const std::int64_t off_half = 2 * (scaled % count) - count; // sign: above or below the half
        const std::int64_t distance = off_half < 0 ? -off_half : off_half;
        if (distance > (scaled >> 50)) { // distance * 2^50 > scaled: no double between
            if (off_half > 0) ++hundredths;
            p = put_decimal(p, static_cast<std::int64_t>(hundredths / 100));
            const auto cents = static_cast<unsigned>(hundredths % 100);
            p[0] = '.';
            p[1] = static_cast<char>('0' + cents / 10);
            p[2] = static_cast<char>('0' + cents % 10);
            return p + 3;
        }
    }
    const double avg = count == 0 ? 0.0 : static_cast<double>(time) / static_cast<double>(count);
    return fmt::format_to(p, FMT_COMPILE("{:.2f}"), avg);
}

char* put_text(char* p, std::string_view s) noexcept {
    std::memcpy(p, s.data(), s.size());
    return p + s.size();
}



/// True when escape_name() would return @p s unchanged: printable ASCII but '\'.
bool text_plain(std::string_view s) noexcept {
    for (const char ch : s) {
        const auto u = static_cast<unsigned char>(ch);
        if (u < 0x20 || u >= 0x7f || u == '\\') return false;
    }
    return true;
}

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
};

/// What one line shows: the current values (or absolute ones), or the minimums.
enum class figures : std::uint8_t { values, minimums };

std::int64_t figure_of(const channel_values& c, counter k, figures f, bool absolute) {
    return f == figures::minimums ? c.min(k) : value_of(c, k, absolute);
}

bool shown(const text_line& line, const render_options& o) {
    return line.group == counter_group::associations ? o.associations : o.channels;
}

/// The channels to render, in order: a snapshot's, or a section read slot by slot through a
/// section_reader (nothing copied whole: one channel_values, reused).
class channel_source {
public:
    explicit channel_source(const snapshot& s) noexcept : snap_(&s), info_(&s.section) {}
    explicit channel_source(const section_reader& r) noexcept : reader_(&r), info_(&r.info()) {}
    const section_info& info() const noexcept { return *info_; }
    /// Calls @p f(channel) for each channel whose name matches @p pattern, until it returns
    /// false.
    template <class F>
    void each(const std::string& pattern, F&& f) const {
        const bool all = pattern == "*";
        const auto visit = [&](const channel_values& c) { return (!all && !wildcard_match(pattern, c.name)) || f(c); };
        if (snap_ != nullptr) {
            for (const channel_values& c : snap_->channels)
                if (!visit(c)) return;
            return;
        }
        channel_values c;
        for (std::uint32_t slot = 0, n = reader_->slot_count(); slot < n; ++slot)
            if (reader_->read_channel(slot, c) && !visit(c)) return;
    }

private:
    const snapshot* snap_ = nullptr;
    const section_reader* reader_ = nullptr;
    const section_info* info_;
};

/// The widths that every shown figure of @p chans fits in: a field's widest number is its
/// largest or its smallest (negative) figure, so only those two are kept per field.
widths measure(const channel_source& chans, const render_options& o, std::size_t& matched) {
    enum field : std::uint8_t { messages, recipients, blocks, total, fields };
    struct source {
        std::size_t counter;
        field into;
    };
    std::vector<source> sources;
    for (const text_line& line : layout()) {
        if (!shown(line, o) || line.form == shape::queue) continue;
        const auto add = [&](text_column col, field f) {
            const std::size_t k = line.counter_at[static_cast<std::size_t>(col)];
            if (k != no_counter) sources.push_back({k, f});
        };
        if (line.form == shape::total) {
            add(text_column::total, total);
        } else {
            add(text_column::messages, messages);
            add(text_column::recipients, recipients);
            add(text_column::blocks, blocks);
        }
    }
    std::array<std::int64_t, fields> high{}, low{};
    matched = 0;
    chans.each(o.pattern, [&](const channel_values& c) {
        ++matched;
        for (const source& src : sources) {
            const auto k = static_cast<counter>(src.counter);
            const std::int64_t v = value_of(c, k, o.absolute);
            if (v > high[src.into]) high[src.into] = v;
            if (v < low[src.into]) low[src.into] = v;
            if (o.minimums) {
                const std::int64_t m = c.min(k);
                if (m > high[src.into]) high[src.into] = m;
                if (m < low[src.into]) low[src.into] = m;
            }
        }
        return true;
    });
    const auto fit = [&](std::size_t& width, field f) {
        const std::size_t need = std::max(digits_of(high[f]), digits_of(low[f])) + 1;
        if (need > width) width = need;
    };
    widths w;
    fit(w.messages, messages);
    fit(w.recipients, recipients);
    fit(w.blocks, blocks);
    fit(w.total, total);
    return w;
}

/// Appends the two header lines, their column groups widened as the fields are.
void append_header(std::string& buf, const widths& w) {
    const std::size_t dm = w.messages - widths::default_messages, dr = w.recipients - widths::default_recipients,
                      db = w.blocks - widths::default_blocks;
    buf.append("Channel                Messages   ");
    buf.append(dm, ' ');
    buf.append("Recipients ");
    buf.append(dr, ' ');
    buf.append("Blocks\n");
    buf.append("---------------------- ");
    buf.append(10 + dm, '-');
    buf.push_back(' ');
    buf.append(10 + dr, '-');
    buf.push_back(' ');
    buf.append(10 + db, '-');
    buf.push_back('\n');
}

/// Writes one line of a channel at @p p: "   <label padded>" and its figures, or with
/// figures::minimums "     minimum" padded alike and the minimums of the same counters.
/// Returns the end. At most line_bound() bytes.
char* put_line(char* p, const text_line& line, const channel_values& c, const render_options& o, const widths& w,
               figures f) {
    const auto value = [&](text_column col) -> std::int64_t {
        const std::size_t k = line.counter_at[static_cast<std::size_t>(col)];
        return k == no_counter ? 0 : figure_of(c, static_cast<counter>(k), f, o.absolute);
    };
    if (f == figures::values) {
        if (line.label.size() <= text_line::label_capacity) {
            std::memcpy(p, line.padded.data(), text_line::label_capacity);
            p += line.label.size();
        } else {
            p = put_text(p, line.label);
        }
    } else {
        p = put_text(p, minimum_label);
        if (minimum_label.size() < line.label.size()) {
            std::memset(p, ' ', line.label.size() - minimum_label.size());
            p += line.label.size() - minimum_label.size();
        }
    }
    switch (line.form) {
    case shape::row:
        p = put_right(p, value(text_column::messages), w.messages);
        p = put_right(p, value(text_column::recipients), w.recipients);
        p = put_right(p, value(text_column::blocks), w.blocks);
        if (line.counter_at[static_cast<std::size_t>(text_column::first_time)] != no_counter) {
            p = put_text(p, " (");
            p = put_decimal(p, value(text_column::first_time));
            p = put_text(p, " first time)");
        }
        break;
    case shape::queue: {
        // "T/C = avg" with two decimals; the minimums as "T/C" (their ratio means nothing).
        const std::int64_t time = value(text_column::time), count = value(text_column::count);
        p = put_decimal(p, time);
        *p++ = '/';
        p = put_decimal(p, count);
        if (f == figures::values) {
            p = put_text(p, " = ");
            p = put_average(p, time, count);
        }
        break;
    }
    case shape::total: p = put_right(p, value(text_column::total), w.total); break;
    }
    *p++ = '\n';
    return p;
}

/// The most one line of @p form can take after a label of @p label bytes: each of a row's
/// three numbers takes its field or, wider than it (a value read again after measure(), as
/// a section_reader does, may have grown), a space and at most 20 bytes; its first-time
/// number at most 20 bytes; a queue line is two numbers of at most 20 bytes and an average
/// (|T/C| < 1e19: at most 24 bytes); the newline.
std::size_t line_bound(const widths& w, std::size_t label) {
    constexpr std::size_t number = 20, field = 1 + number;
    const std::size_t row = std::max(w.messages, field) + std::max(w.recipients, field) +
                            std::max(w.blocks, field) + 2 + number + 12;
    const std::size_t queue = number + 1 + number + 3 + 24;
    return label + std::max({row, queue, std::max(w.total, field)}) + 1;
}

/// The longest label of the lines shown, the minimum lines' included.
std::size_t longest_label(const render_options& o) {
    std::size_t n = minimum_label.size();
    for (const text_line& line : layout())
        if (shown(line, o)) n = std::max(n, line.label.size());
    return n;
}

std::string hex64(std::uint64_t v) { return fmt::format("{:016x}", v); }

} // namespace

namespace {

/// The text table into @p buf. With @p out, streamed: whenever the buffer holds
/// stream_chunk bytes it is written to @p out and emptied (a buffer of that size is all
/// the memory the text takes); rendering stops early when @p out fails. The channels are
/// visited twice: once to size the columns, once to write.
void render_text_into(const channel_source& chans, const render_options& o, std::string& buf, std::ostream* out) {
    constexpr std::size_t stream_chunk = std::size_t{128} << 10;
    std::size_t matched = 0;
    const widths w = measure(chans, o, matched);
    // The lines shown, each with whether a blank line comes before it (between groups).
    std::vector<std::pair<const text_line*, bool>> lines;
    const text_line* previous = nullptr;
    for (const text_line& line : layout()) {
        if (!shown(line, o)) continue;
        lines.emplace_back(&line, previous != nullptr && previous->form != line.form);
        previous = &line;
    }
    const std::size_t per_line = line_bound(w, longest_label(o)) * (o.minimums ? 2 : 1) + 1;
    // Per channel at most: its lines, the blank line and newline around the name, and the
    // slack of the fixed-size copies (32 bytes); the name comes on top.
    const std::size_t fixed = 2 + lines.size() * per_line + 64;
    // A channel's block is ~550 bytes, twice that with the minimums.
    const std::size_t whole = 256 + matched * (o.minimums ? 1100 : 560) + fixed + 4 * max_channel_name;
    if (out != nullptr)
        buf.reserve(std::min(whole, stream_chunk + fixed + 4 * max_channel_name + (64 << 10)));
    else
        reserve_output(buf, whole);
    if (o.headers) append_header(buf, w);
    bool first = true;
    std::string escaped;
    raw_writer writer(buf);
    char* p = writer.begin();
    bool failed = false;
    chans.each(o.pattern, [&](const channel_values& c) {
        std::string_view name = c.name;
        if (!text_plain(name)) {
            escaped = escape_name(name);
            name = escaped;
        }
        if (out != nullptr && static_cast<std::size_t>(p - buf.data()) >= stream_chunk) {
            writer.finish(p);
            out->write(buf.data(), static_cast<std::streamsize>(buf.size()));
            buf.clear();
            if (!*out) {
                failed = true;
                return false;
            }
            p = writer.restart();
        }
        p = writer.room(p, fixed + name.size());
        if (!first) *p++ = '\n';
        first = false;
        p = put_text(p, name);
        *p++ = '\n';
        for (const auto& [line, blank] : lines) {
            if (blank) *p++ = '\n';
            p = put_line(p, *line, c, o, w, figures::values);
            if (o.minimums) p = put_line(p, *line, c, o, w, figures::minimums);
        }
        return true;
    });
    if (failed) return;
    writer.finish(p);
    const section_info& s = chans.info();
    if (s.overflow > 0) {
        fmt::format_to(std::back_inserter(buf), "\nChannel table full: {} registrations refused (max_channels={})\n",
                       s.overflow, s.max_channels);
    }
    if (out != nullptr) out->write(buf.data(), static_cast<std::streamsize>(buf.size()));
}

} // namespace

std::string render_text(const snapshot& snap, const render_options& o) {
    std::string buf;
    render_text_into(channel_source(snap), o, buf, nullptr);
    return buf;
}

void render_text(const snapshot& snap, const render_options& o, std::ostream& out) {
    std::string buf;
    render_text_into(channel_source(snap), o, buf, &out);
}

void render_text(const section_reader& reader, const render_options& o, std::ostream& out) {
    std::string buf;
    render_text_into(channel_source(reader), o, buf, &out);
}

namespace {

// The JSON document, written directly into one string (no tree): what dump_json() made of
// the former ordered_json tree, byte for byte (tests/cli: "render_json writes what the
// tree-based writer wrote"). The text between two values of a channel never changes, so it
// is laid out once (json_channel_layout()) as pieces: constant text, then where the next
// value comes from. A channel is then a walk over ~95 pieces with a fixed-size copy and a
// number each.

/// Where a value of a channel's object comes from.
enum class json_source : std::uint8_t { value, minimum, current_in, current_out, last_in, last_out, name, end };

struct json_piece {
    static constexpr std::size_t capacity = 128;
    std::array<char, capacity> text{}; // the constant text before the value, zero-padded
    std::size_t size = 0;
    json_source source = json_source::end;
    std::size_t counter = 0; // for value and minimum
    std::size_t slot = 0;    // where the value is in a channel's gathered figures (json_figures)
};

/// A channel's figures in one array, in the order json_piece::slot counts them: the values
/// shown (current or absolute), the minimums, then the two current association counts and
/// the two activity times.
using json_figures = std::array<std::int64_t, 2 * counter_count + 4>;

std::size_t json_slot(json_source src, std::size_t counter) {
    switch (src) {
    case json_source::value: return counter;
    case json_source::minimum: return counter_count + counter;
    case json_source::current_in: return 2 * counter_count;
    case json_source::current_out: return 2 * counter_count + 1;
    case json_source::last_in: return 2 * counter_count + 2;
    case json_source::last_out: return 2 * counter_count + 3;
    case json_source::name:
    case json_source::end: break;
    }
    return 0;
}

void gather(const channel_values& c, bool absolute, json_figures& f) {
    for (std::size_t i = 0; i < counter_count; ++i) {
        f[i] = absolute ? c.absolute(static_cast<counter>(i)) : c.value[i];
        f[counter_count + i] = c.minimum[i];
    }
    f[2 * counter_count] = c.current_in;
    f[2 * counter_count + 1] = c.current_out;
    f[2 * counter_count + 2] = c.last_in;
    f[2 * counter_count + 3] = c.last_out;
}

struct json_layout {
    std::vector<json_piece> pieces;
    std::size_t text_bytes = 0; // the constant text of one channel
    std::size_t values = 0;     // numbers in one channel
};

/// Appends to a piece's text, starting a new piece (the text following a value) when
/// @p source is not end.
class layout_builder {
public:
    void text(std::string_view t) { pending_.append(t); }
    void value(json_source src, std::size_t counter = 0) {
        flush(src, counter);
    }
    json_layout finish() {
        flush(json_source::end, 0);
        return std::move(layout_);
    }

private:
    void flush(json_source src, std::size_t counter) {
        json_piece p;
        // The layout's constant texts are short (an indented key); a longer one is a bug.
        if (pending_.size() > json_piece::capacity) throw std::logic_error("render_json: a key is too long");
        std::copy(pending_.begin(), pending_.end(), p.text.begin());
        p.size = pending_.size();
        p.source = src;
        p.counter = counter;
        p.slot = json_slot(src, counter);
        layout_.text_bytes += p.size;
        if (src != json_source::end && src != json_source::name) ++layout_.values;
        layout_.pieces.push_back(p);
        pending_.clear();
    }
    std::string pending_;
    json_layout layout_;
};

struct json_member {
    std::string key; // escaped
    json_source source;
    std::size_t counter;
};

/// A member of an ordered object: a key assigned again keeps its place and takes the new
/// value, as ordered_json's operator[] does.
void assign(std::vector<json_member>& members, std::string_view key, json_source src, std::size_t counter = 0) {
    std::string k = escape(key, escape_style::json);
    for (json_member& m : members) {
        if (m.key == k) {
            m.source = src;
            m.counter = counter;
            return;
        }
    }
    members.push_back({std::move(k), src, counter});
}

/// One channel's object at array level 2 (indent 2): dump_json()'s layout of
/// {"name", "counters", "gauges", "minimums", "times"}.
json_layout make_json_channel_layout() {
    std::vector<json_member> counts, gauges, mins;
    for (std::size_t i = 0; i < counter_count; ++i) {
        const counter_info& inf = info(static_cast<counter>(i));
        assign(inf.gauge ? gauges : counts, inf.key, json_source::value, i);
        assign(mins, inf.key, json_source::minimum, i);
    }
    assign(gauges, "current_inbound_associations", json_source::current_in);
    assign(gauges, "current_outbound_associations", json_source::current_out);
    const std::vector<json_member> times{{"last_inbound_activity", json_source::last_in, 0},
                                         {"last_outbound_activity", json_source::last_out, 0}};

    layout_builder b;
    const std::string in3 = "\n      ", in4 = "\n        ";
    b.text("{" + in3 + "\"name\": \"");
    b.value(json_source::name);
    b.text("\"");
    const auto object = [&](std::string_view key, const std::vector<json_member>& members) {
        b.text("," + in3 + "\"");
        b.text(key);
        b.text("\": ");
        if (members.empty()) {
            b.text("{}");
            return;
        }
        b.text("{");
        bool first = true;
        for (const json_member& m : members) {
            if (!first) b.text(",");
            first = false;
            b.text(in4 + "\"" + m.key + "\": ");
            b.value(m.source, m.counter);
        }
        b.text(in3 + "}");
    };
    object("counters", counts);
    object("gauges", gauges);
    object("minimums", mins);
    object("times", times);
    b.text("\n    }");
    json_layout layout = b.finish();
    // What render_json_into() relies on: the name first, then only figures, then the end.
    const auto& pieces = layout.pieces;
    if (pieces.size() < 2 || pieces.front().source != json_source::name || pieces.back().source != json_source::end ||
        std::any_of(pieces.begin() + 1, pieces.end() - 1, [](const json_piece& q) {
            return q.source == json_source::name || q.source == json_source::end;
        }))
        throw std::logic_error("render_json: unexpected channel layout");
    return layout;
}

const json_layout& json_channel_layout() {
    static const json_layout layout = make_json_channel_layout();
    return layout;
}

/// True when @p s needs no escaping in a JSON string: printable ASCII but '"' and '\'.
bool json_plain(std::string_view s) noexcept {
    for (const char ch : s) {
        const auto u = static_cast<unsigned char>(ch);
        if (u < 0x20 || u >= 0x7f || u == '"' || u == '\\') return false;
    }
    return true;
}

/// Copies a piece's text: a fixed 64 bytes when it fits (the buffer has the slack).
char* put_piece(char* p, const json_piece& piece) noexcept {
    if (piece.size <= 64)
        std::memcpy(p, piece.text.data(), 64);
    else
        std::memcpy(p, piece.text.data(), piece.size);
    return p + piece.size;
}

void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    if (json_plain(s))
        out.append(s);
    else
        out += escape(s, escape_style::json);
    out += '"';
}

void append_json_member(std::string& out, std::string_view key, std::int64_t v, bool last = false) {
    out += "    \"";
    out.append(key);
    out += "\": ";
    out.append(fmt::format_int(v).str());
    out += last ? "\n" : ",\n";
}

/// The JSON document into @p buf; with @p out, streamed in chunks as render_text_into().
void render_json_into(const channel_source& chans, const render_options& o, std::string& buf, std::ostream* out) {
    constexpr std::size_t stream_chunk = std::size_t{128} << 10;
    const json_layout& layout = json_channel_layout();
    const section_info& s = chans.info();
    // Room for one channel: the separator, the constant text, every number at its longest
    // (20 bytes), the name escaped at its longest (6 bytes a byte) and the 64-byte slack of
    // put_piece().
    const auto channel_bound = [&](std::size_t name_bytes) {
        return 8 + layout.text_bytes + 20 * layout.values + name_bytes + 64;
    };
    // The whole document is reserved for figures of up to 6 digits on average and names of
    // up to 32 plain bytes: one allocation in the usual case (larger figures make the string
    // grow), kept small enough for malloc to reuse the same block from one call to the next
    // (glibc maps blocks above 32 MiB afresh each time, zero-filled by the kernel).
    const std::size_t whole = 512 + std::size_t{s.channels} * (8 + layout.text_bytes + 6 * layout.values + max_channel_name);
    if (out != nullptr)
        buf.reserve(std::min(whole, stream_chunk + 2 * channel_bound(6 * std::size_t{max_channel_name}) + (64 << 10)));
    else
        reserve_output(buf, whole);
    buf += "{\n  \"format_version\": ";
    buf.append(fmt::format_int(json_format_version).str());
    buf += ",\n  \"section\": {\n    \"name\": ";
    append_json_string(buf, s.name);
    buf += ",\n    \"format\": \"";
    buf.append(fmt::format_int(s.version_major).str());
    buf += '.';
    buf.append(fmt::format_int(s.version_minor).str());
    buf += "\",\n";
    append_json_member(buf, "created", s.created);
    append_json_member(buf, "cleared", s.cleared);
    append_json_member(buf, "clear_count", s.clear_count);
    append_json_member(buf, "block_size", s.block_size);
    append_json_member(buf, "max_channels", s.max_channels);
    append_json_member(buf, "channels", s.channels);
    append_json_member(buf, "overflow", s.overflow);
    buf += "    \"instance_id\": \"";
    buf += hex64(s.instance_id);
    buf += "\"\n  },\n  \"absolute\": ";
    buf += o.absolute ? "true" : "false";
    buf += ",\n  \"channels\": [";
    bool first = true;
    std::string escaped;
    json_figures figures{};
    const json_piece* const name_piece = &layout.pieces.front();
    const json_piece* const numbers = name_piece + 1;
    const json_piece* const end_piece = &layout.pieces.back();
    raw_writer writer(buf);
    char* p = writer.begin();
    bool failed = false;
    chans.each(o.pattern, [&](const channel_values& c) {
        std::string_view name = c.name;
        if (!json_plain(name)) {
            escaped = escape(name, escape_style::json);
            name = escaped;
        }
        if (out != nullptr && static_cast<std::size_t>(p - buf.data()) >= stream_chunk) {
            writer.finish(p);
            out->write(buf.data(), static_cast<std::streamsize>(buf.size()));
            buf.clear();
            if (!*out) {
                failed = true;
                return false;
            }
            p = writer.restart();
        }
        p = writer.room(p, channel_bound(name.size()));
        std::memcpy(p, first ? "\n    " : ",\n    ", first ? 5 : 6);
        p += first ? 5 : 6;
        first = false;
        gather(c, o.absolute, figures);
        p = put_piece(p, *name_piece);
        std::memcpy(p, name.data(), name.size());
        p += name.size();
        for (const json_piece* piece = numbers; piece != end_piece; ++piece) {
            p = put_piece(p, *piece);
            p = put_decimal(p, figures[piece->slot]);
        }
        p = put_piece(p, *end_piece);
        return true;
    });
    if (failed) return;
    writer.finish(p);
    buf += first ? "]\n}\n" : "\n  ]\n}\n";
    if (out != nullptr) out->write(buf.data(), static_cast<std::streamsize>(buf.size()));
}

} // namespace

std::string render_json(const snapshot& snap, const render_options& o) {
    std::string buf;
    render_json_into(channel_source(snap), o, buf, nullptr);
    return buf;
}

void render_json(const snapshot& snap, const render_options& o, std::ostream& out) {
    std::string buf;
    render_json_into(channel_source(snap), o, buf, &out);
}

void render_json(const section_reader& reader, const render_options& o, std::ostream& out) {
    std::string buf;
    render_json_into(channel_source(reader), o, buf, &out);
}

namespace detail {

void reserve_output(std::string& s, std::size_t bytes) {
    s.reserve(bytes);
    constexpr std::uintptr_t huge = std::uintptr_t{2} << 20;
    if (s.capacity() < 2 * huge) return;
    char* const base = s.data();
    const auto at = reinterpret_cast<std::uintptr_t>(base);
    const auto begin = (at + huge - 1) & ~(huge - 1);
    const auto end = (at + s.capacity()) & ~(huge - 1);
    if (end > begin) {
        const int saved = errno; // a refused hint is no error of the caller's
        ::madvise(base + (begin - at), end - begin, MADV_HUGEPAGE);
        errno = saved;
    }
}

} // namespace detail

} // namespace counters::tools

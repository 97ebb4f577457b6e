// SPDX-License-Identifier: MIT
// The Prometheus text exposition (format 0.0.4) of a channel-counter snapshot and of the
// counter registry (prometheus.hpp). The channel families come from the counter table
// (counter.hpp); the registry families from each object's schema. Written straight into one
// std::string: no stream, no allocation per value.
#include <counters_tools/prometheus.hpp>
#include <counters_tools/text.hpp>

#include "output.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <sys/mman.h>

namespace counters::tools {

namespace {

using detail::raw_writer;
using detail::reserve_output;
using detail::output_chunk;
using detail::utf8_at;

constexpr char hex_digits[] = "0123456789abcdef";

/// Longest decimal int64: a sign and 19 digits.
constexpr std::size_t max_number = 20;

char* write_number(char* p, std::int64_t v) noexcept { return detail::put_decimal(p, v); }

void put_number(std::string& out, std::int64_t v) {
    std::array<char, 24> buf{};
    const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v);
    out.append(buf.data(), static_cast<std::size_t>(r.ptr - buf.data()));
}


/// Appends @p s as the contents of a label value (between its quotes). The value is the
/// name itself when that is well-formed UTF-8 without control characters; each byte of a
/// control character (C0 including tab and newline, DEL, C1) or of anything that is not
/// well-formed UTF-8 is spelled `\xHH` as in the text output. So the value is valid UTF-8 and
/// free of control characters. Then the exposition's escapes: `\` is `\\`, `"` is `\"` (a
/// newline cannot remain).
void put_label_value(std::string& out, std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto u = static_cast<unsigned char>(s[i]);
        if (u >= 0x20 && u < 0x7f) {
            if (u == '\\' || u == '"') out += '\\';
            out += static_cast<char>(u);
            ++i;
            continue;
        }
        std::uint32_t cp = 0;
        const std::size_t n = u >= 0x80 ? utf8_at(s, i, cp) : 0;
        if (n != 0 && cp >= 0xa0) { // well-formed and not a C1 control
            out.append(s.substr(i, n));
            i += n;
            continue;
        }
        // A control character (all its bytes) or a stray byte: `\xHH`, its backslash escaped.
        const std::size_t bytes = n != 0 ? n : 1;
        for (std::size_t k = 0; k < bytes; ++k) {
            const auto v = static_cast<unsigned char>(s[i + k]);
            out += "\\\\x";
            out += hex_digits[v >> 4];
            out += hex_digits[v & 0xfU];
        }
        i += bytes;
    }
}

/// True when put_label_value() would append @p s unchanged (the common case: no copy).
bool plain_label_value(std::string_view s) noexcept {
    for (const char ch : s) {
        const auto u = static_cast<unsigned char>(ch);
        if (u < 0x20 || u >= 0x7f || u == '\\' || u == '"') return false;
    }
    return true;
}

/// Appends a HELP text: `\` is `\\` and a newline `\n`; control characters and anything
/// outside printable ASCII do not occur in our generated texts but are dropped if they did.
void put_help_text(std::string& out, std::string_view s) {
    for (const char ch : s) {
        const auto u = static_cast<unsigned char>(ch);
        if (ch == '\\')
            out += "\\\\";
        else if (ch == '\n')
            out += "\\n";
        else if (u >= 0x20 && u < 0x7f)
            out += ch;
    }
}

void put_header(std::string& out, std::string_view family, std::string_view type, std::string_view help) {
    out += "# HELP ";
    out += family;
    out += ' ';
    put_help_text(out, help);
    out += "\n# TYPE ";
    out += family;
    out += ' ';
    out += type;
    out += '\n';
}

/// A constant part of a sample line, padded so that it can be copied as a fixed-size block
/// (the output has the slack): a fixed-size memcpy is a few moves, a variable one a call.
struct piece {
    static constexpr std::size_t block = 64;
    std::array<char, block> text{};
    std::size_t size = 0;
    std::string long_text; // when longer than a block
};

piece make_piece(std::string_view s) {
    piece pc;
    pc.size = s.size();
    if (s.size() <= piece::block)
        std::memcpy(pc.text.data(), s.data(), s.size());
    else
        pc.long_text = s;
    return pc;
}

/// Bytes that a fixed-size copy may write past the end of what it copies.
constexpr std::size_t piece_slack = piece::block;

char* put_piece(char* p, const piece& pc) noexcept {
    if (pc.size <= piece::block)
        std::memcpy(p, pc.text.data(), piece::block);
    else
        std::memcpy(p, pc.long_text.data(), pc.size);
    return p + pc.size;
}

/// Label values are kept back to back, followed by this many bytes, so that one of up to this
/// size is copied as a fixed-size block.
constexpr std::size_t label_slack = 32;

char* put_label(char* p, const char* label, std::size_t len) noexcept {
    if (len <= label_slack)
        std::memcpy(p, label, label_slack);
    else
        std::memcpy(p, label, len);
    return p + len;
}


// ---- The channel families, derived once from the counter table ----------------------------

/// One sample of a channel family: `head` is everything before the channel name
/// (`family_sample{channel="`), `tail` everything after it up to the value (`",event="x"} `).
struct channel_sample {
    std::size_t counter = 0;
    std::string head;
    std::string tail;
    piece head_piece; // head and tail as fixed-size blocks
    piece tail_piece;
};

struct channel_family {
    std::string name;
    std::string_view type; // counter, gauge or summary
    std::string help;
    std::vector<channel_sample> samples; // in counter-table order
    std::size_t line_bytes = 0;          // the samples' lines of one channel but its label values
};

/// The families of the channel counters, in the order in which they first appear in the
/// counter table; each family's samples in table order.
std::vector<channel_family> make_channel_families() {
    std::vector<channel_family> fams;
    for (std::size_t i = 0; i < counter_count; ++i) {
        const counter_info& inf = info(static_cast<counter>(i));
        const std::string_view family = inf.prometheus_family;
        const std::string_view sample = inf.prometheus_sample;
        const std::string_view labels = inf.prometheus_labels;
        std::size_t f = 0;
        while (f < fams.size() && fams[f].name != family) ++f;
        if (f == fams.size()) {
            channel_family fam;
            fam.name = family;
            fam.type = !sample.empty() ? "summary" : inf.kind == counter_kind::gauge ? "gauge" : "counter";
            fams.push_back(std::move(fam));
        }
        channel_sample s;
        s.counter = i;
        s.head.append(family).append(sample).append("{channel=\"");
        s.tail = "\"";
        if (!labels.empty()) s.tail.append(",").append(labels);
        s.tail.append("} ");
        s.head_piece = make_piece(s.head);
        s.tail_piece = make_piece(s.tail);
        fams[f].line_bytes += s.head.size() + s.tail.size() + max_number + 1;
        fams[f].samples.push_back(std::move(s));
    }
    // HELP: the counter's help for a family of one; otherwise each member's labels (or sample
    // suffix) and help, so that every text still comes from the table.
    for (channel_family& fam : fams) {
        if (fam.samples.size() == 1) {
            fam.help = std::string("Per channel: ") + info(static_cast<counter>(fam.samples[0].counter)).help + ".";
            continue;
        }
        fam.help = "Per channel, ";
        bool first = true;
        for (const channel_sample& s : fam.samples) {
            const counter_info& inf = info(static_cast<counter>(s.counter));
            if (!first) fam.help += "; ";
            first = false;
            const std::string_view labels = inf.prometheus_labels;
            fam.help += labels.empty() ? std::string_view(inf.prometheus_sample) : labels;
            fam.help += ": ";
            fam.help += inf.help;
        }
        fam.help += ".";
    }
    return fams;
}

const std::vector<channel_family>& channel_families() {
    static const std::vector<channel_family> fams = make_channel_families();
    return fams;
}

/// A channel family outside the counter table: the snapshot's per-channel figures that are
/// not counters (current associations, last activity), one sample per direction.
struct side_family {
    std::string_view name;
    std::string_view type;
    std::string_view help;
    bool skip_zero; // 0 means "none": no sample
    std::int64_t channel_values::*in;
    std::int64_t channel_values::*out;
};

constexpr std::array<side_family, 2> side_families{{
    {"mta_channel_current_associations", "gauge",
     "Per channel: open associations (connections) of live writer processes, by direction.", false,
     &channel_values::current_in, &channel_values::current_out},
    {"mta_channel_last_activity_timestamp_seconds", "gauge",
     "Per channel: time of the last association activity, by direction, seconds since the epoch "
     "(no sample while there was none).",
     true, &channel_values::last_in, &channel_values::last_out},
}};

// ---- Section families ------------------------------------------------------------------------

void put_section_gauge(std::string& out, std::string_view family, std::string_view type, std::string_view help,
                       std::string_view section_label, std::int64_t v) {
    put_header(out, family, type, help);
    out += family;
    out += "{section=\"";
    out += section_label;
    out += "\"} ";
    put_number(out, v);
    out += '\n';
}

void render_section(const snapshot& snap, const exposition_input& in, std::string& out) {
    std::string section;
    put_label_value(section, snap.section.name);
    const section_info& s = snap.section;

    // The info metric: fixed properties only (a changing label would start a new series).
    put_header(out, "mta_section_info", "gauge",
               "Constant 1; labels: the section, its format version and channel table size.");
    out += "mta_section_info{section=\"";
    out += section;
    out += "\",format_version=\"";
    put_number(out, s.version_major);
    out += '.';
    put_number(out, s.version_minor);
    out += "\",max_channels=\"";
    put_number(out, s.max_channels);
    out += "\"} 1\n";

    put_section_gauge(out, prometheus_block_size_family, "gauge",
                      "Bytes per block: the mta_channel_blocks_total and mta_channel_stored_blocks unit.", section,
                      s.block_size);
    put_section_gauge(out, "mta_section_channels", "gauge", "Channels registered in the section.", section,
                      s.channels);
    put_section_gauge(out, "mta_section_overflow_total", "counter",
                      "Channel registrations refused because the channel table was full, since creation.",
                      section, s.overflow);
    put_section_gauge(out, "mta_section_clears_total", "counter", "Clears of the section since its creation.",
                      section, s.clear_count);
    put_section_gauge(out, "mta_section_created_timestamp_seconds", "gauge",
                      "Creation time of the section, seconds since the epoch.", section, s.created);
    put_section_gauge(out, "mta_section_cleared_timestamp_seconds", "gauge",
                      "Time since which the counters count: the last clear, or the creation when never cleared, "
                      "seconds since the epoch.",
                      section, s.cleared != 0 ? s.cleared : s.created);
    put_section_gauge(out, "mta_section_trusted", "gauge",
                      "1 when a writer would trust the section, 0 when its figures may have been planted.", section,
                      s.distrust.empty() ? 1 : 0);

    // The channels that match, each with its label value once, back to back in `labels`
    // (escaped when needed, so each channel is escaped once, not once per sample); a channel
    // whose label value equals an earlier one's (a corrupt section, or names that differ only
    // in bytes that are spelled \xHH) is left out: a series may appear only once.
    struct shown_channel {
        const channel_values* c;
        std::size_t off; // in `labels`
        std::size_t len;
    };
    std::vector<shown_channel> shown;
    shown.reserve(snap.channels.size());
    std::string labels;
    labels.reserve(snap.channels.size() * 24 + label_slack); // grows if the names are longer
    const bool all = in.pattern == "*";
    for (const channel_values& c : snap.channels) {
        if (!all && !wildcard_match(in.pattern, c.name)) continue;
        const std::size_t off = labels.size();
        if (plain_label_value(c.name))
            labels.append(c.name);
        else
            put_label_value(labels, c.name);
        shown.push_back({&c, off, labels.size() - off});
    }
    labels.append(label_slack, '\0'); // every label may be read as a fixed-size block
    {
        // The label values seen, in an open-addressing table of indices into `shown` (one
        // allocation; a node-based set allocated a node per channel).
        const std::string_view all_labels(labels);
        const auto label_of = [&](const shown_channel& sc) { return all_labels.substr(sc.off, sc.len); };
        std::size_t buckets = 16;
        while (buckets < 2 * shown.size()) buckets *= 2;
        constexpr std::uint32_t empty = ~std::uint32_t{0};
        std::vector<std::uint32_t> table(buckets, empty);
        std::size_t kept = 0;
        for (const shown_channel& sc : shown) {
            const std::string_view label = label_of(sc);
            std::uint64_t h = 14695981039346656037ULL; // FNV-1a
            for (const char ch : label) h = (h ^ static_cast<unsigned char>(ch)) * 1099511628211ULL;
            std::size_t b = static_cast<std::size_t>(h) & (buckets - 1);
            bool duplicate = false;
            while (table[b] != empty) {
                if (label_of(shown[table[b]]) == label) {
                    duplicate = true;
                    break;
                }
                b = (b + 1) & (buckets - 1);
            }
            if (duplicate) continue;
            table[b] = static_cast<std::uint32_t>(kept);
            shown[kept++] = sc;
        }
        shown.resize(kept);
    }

    // The samples: the bulk of the output. Room for all of it is reserved at once (huge
    // pages for a large one); it is then made writable chunk by chunk, each channel's lines
    // bounded beforehand and written through a cursor: the constant parts of a line by
    // fixed-size copies from padded pieces, the label value likewise, the number by to_chars.
    std::size_t label_bytes = 0;
    for (const shown_channel& sc : shown) label_bytes += sc.len;
    {
        std::size_t total = 0;
        for (const channel_family& fam : channel_families()) {
            total += fam.name.size() * 2 + fam.help.size() + 32;
            for (const channel_sample& smp : fam.samples)
                total += shown.size() * (smp.head.size() + smp.tail.size() + max_number + 1) + label_bytes;
        }
        for (const side_family& fam : side_families)
            total += fam.name.size() * 2 + fam.help.size() + 32 +
                     2 * (shown.size() * (fam.name.size() + 36 + max_number) + label_bytes);
        reserve_output(out, out.size() + total + output_chunk);
    }
    // The figures, gathered column by column in one pass over the channels: the families
    // are written one after the other, each over all channels, and reading a few values of
    // every 600-byte channel record once per family was a cache miss per line (a third of
    // the time at 10,000 channels); a column is read sequentially. Columns 0 to
    // counter_count - 1 are the counters (absolute when asked), then the side families'.
    // In blocks of channels: the block's column runs stay in cache while they are filled,
    // instead of 34 column streams being written a value at a time. Within a block, record
    // after record, each read front to back: read counter by counter across the block's
    // records (a 600-byte stride), the first touch of each record missed the cache with no
    // prefetch to hide it, and that was a quarter of the time at 10,000 channels.
    const std::size_t n = shown.size();
    // Every element is written below: not zero-filled first (2.7 MB at 10,000 channels).
    const std::unique_ptr<std::int64_t[]> columns( // NOLINT(cppcoreguidelines-avoid-c-arrays,modernize-avoid-c-arrays)
        new std::int64_t[(counter_count + 2 * side_families.size()) * n]);
    constexpr std::size_t block = 64;
    for (std::size_t first = 0; first < n; first += block) {
        const std::size_t last = std::min(n, first + block);
        for (std::size_t j = first; j < last; ++j) {
            const channel_values& c = *shown[j].c;
            std::int64_t* const row = columns.get() + j;
            if (in.absolute) {
                for (std::size_t i = 0; i < counter_count; ++i) row[i * n] = c.absolute(static_cast<counter>(i));
            } else {
                for (std::size_t i = 0; i < counter_count; ++i) row[i * n] = c.value[i];
            }
        }
        for (std::size_t f = 0; f < side_families.size(); ++f) {
            std::int64_t* const in_column = columns.get() + (counter_count + 2 * f) * n;
            std::int64_t* const out_column = in_column + n;
            for (std::size_t j = first; j < last; ++j) {
                in_column[j] = shown[j].c->*side_families[f].in;
                out_column[j] = shown[j].c->*side_families[f].out;
            }
        }
    }
    const char* const label_base = labels.data();
    for (const channel_family& fam : channel_families()) {
        put_header(out, fam.name, fam.type, fam.help);
        raw_writer w(out);
        char* p = w.begin();
        for (std::size_t j = 0; j < n; ++j) {
            const shown_channel& sc = shown[j];
            p = w.room(p, fam.line_bytes + fam.samples.size() * sc.len + piece_slack);
            const char* const label = label_base + sc.off;
            for (const channel_sample& smp : fam.samples) {
                p = put_piece(p, smp.head_piece);
                p = put_label(p, label, sc.len);
                p = put_piece(p, smp.tail_piece);
                p = write_number(p, columns[smp.counter * n + j]);
                *p++ = '\n';
            }
        }
        w.finish(p);
    }
    for (std::size_t f = 0; f < side_families.size(); ++f) {
        const side_family& fam = side_families[f];
        const std::int64_t* const in_column = columns.get() + (counter_count + 2 * f) * n; // n may be 0
        const std::int64_t* const out_column = in_column + n;
        put_header(out, fam.name, fam.type, fam.help);
        const piece head = make_piece(std::string(fam.name) + "{channel=\"");
        const piece tail_in = make_piece("\",direction=\"inbound\"} ");
        const piece tail_out = make_piece("\",direction=\"outbound\"} ");
        const std::size_t line = head.size + tail_out.size + max_number + 1;
        raw_writer w(out);
        char* p = w.begin();
        for (std::size_t j = 0; j < n; ++j) {
            const shown_channel& sc = shown[j];
            p = w.room(p, 2 * (line + sc.len) + piece_slack);
            const char* const label = label_base + sc.off;
            for (const bool inbound : {true, false}) {
                const std::int64_t v = inbound ? in_column[j] : out_column[j];
                if (fam.skip_zero && v == 0) continue;
                p = put_piece(p, head);
                p = put_label(p, label, sc.len);
                p = put_piece(p, inbound ? tail_in : tail_out);
                p = write_number(p, v);
                *p++ = '\n';
            }
        }
        w.finish(p);
    }
}

// ---- Registry families -----------------------------------------------------------------------

/// Appends @p name in snake case to @p out: `numCurrentConnections` is
/// `num_current_connections`, `.` and `-` (and anything else outside [A-Za-z0-9]) are `_`, no
/// run of `_`, no `_` at the end.
void put_snake(std::string& out, std::string_view name) {
    const auto is_upper = [](char c) { return c >= 'A' && c <= 'Z'; };
    const auto is_lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    const auto underscore = [&out]() {
        if (!out.empty() && out.back() != '_') out += '_';
    };
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        if (is_upper(c)) {
            const bool after_word = i > 0 && is_lower_or_digit(name[i - 1]);
            const bool acronym_end = i > 0 && is_upper(name[i - 1]) && i + 1 < name.size() && name[i + 1] >= 'a' &&
                                     name[i + 1] <= 'z';
            if (after_word || acronym_end) underscore();
            out += lower(c);
        } else if (is_lower_or_digit(c)) {
            out += c;
        } else {
            underscore();
        }
    }
    while (!out.empty() && out.back() == '_') out.pop_back();
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

/// The family name of field @p f of object @p object: `mta_<object>_<field>` in snake case,
/// then `_total` for a COUNTER (unless it ends so already) and `_timestamp_seconds` for a TIME
/// (after dropping a leading `time_` or trailing `_time`). A gauge never ends with a suffix
/// that promtool reserves for counters, summaries and histograms.
std::string registry_family(std::string_view object, const field_def& f) {
    std::string field;
    put_snake(field, f.name);
    if (f.kind == field_kind::time) {
        if (field.size() > 5 && field.compare(0, 5, "time_") == 0)
            field.erase(0, 5);
        else if (field.size() > 5 && ends_with(field, "_time"))
            field.resize(field.size() - 5);
    }
    std::string name = "mta_";
    put_snake(name, object);
    name += '_';
    name += field;
    while (!name.empty() && name.back() == '_') name.pop_back();
    switch (f.kind) {
    case field_kind::counter:
        if (!ends_with(name, "_total")) name += "_total";
        break;
    case field_kind::time: name += "_timestamp_seconds"; break;
    case field_kind::gauge:
    case field_kind::string:
        for (const std::string_view reserved : {"_total", "_count", "_sum", "_bucket"})
            if (ends_with(name, reserved)) {
                name += "_value";
                break;
            }
        break;
    }
    return name;
}

void render_registry(const registry_snapshot& reg, std::unordered_set<std::string>& families, std::string& out) {
    std::string instance;
    for (const object_values& obj : reg.objects) {
        for (std::size_t fi = 0; fi < obj.schema.size(); ++fi) {
            const field_def& def = obj.schema[fi];
            if (def.kind == field_kind::string) continue; // free text: not a number, not a stable label
            std::string family = registry_family(obj.name, def);
            if (!families.insert(family).second) continue; // the name of an earlier family
            std::string help = "Registry object ";
            help += escape_name(obj.name);
            help += ", field ";
            help += escape_name(def.name);
            help += " (";
            help += to_string(def.kind);
            if (def.per_process) help += ", summed over live writer processes";
            if (def.kind == field_kind::time) help += ", seconds since the epoch; no sample while never set";
            help += "), per object instance.";
            put_header(out, family, def.kind == field_kind::counter ? "counter" : "gauge", help);
            for (const instance_values& inst : obj.instances) {
                const field_value* v = fi < inst.fields.size() && inst.fields[fi].name == def.name
                                           ? &inst.fields[fi]
                                           : inst.find(def.name);
                if (v == nullptr || v->kind != def.kind) continue;
                if (def.kind == field_kind::time && v->number == 0) continue;
                instance.clear();
                put_label_value(instance, inst.name);
                out += family;
                out += "{object_instance=\"";
                out += instance;
                out += "\"} ";
                put_number(out, v->number);
                out += '\n';
            }
        }
    }
}

} // namespace

void render_prometheus(const exposition_input& in, std::string& out) {
    out.reserve(out.size() + 4096);
    std::string section;
    put_label_value(section, in.section != nullptr ? in.section->section.name : in.section_name);
    put_section_gauge(out, "mta_section_up", "gauge", "1 when the section could be read, 0 when not.", section,
                      in.section != nullptr ? 1 : 0);
    if (in.section != nullptr) render_section(*in.section, in, out);

    if (in.registry != nullptr) {
        // Families already written, so that no registry field reuses one of their names.
        std::unordered_set<std::string> families;
        families.insert("mta_section_up");
        families.insert("mta_section_info");
        families.insert(prometheus_block_size_family);
        for (const char* f : {"mta_section_channels", "mta_section_overflow_total", "mta_section_clears_total",
                              "mta_section_created_timestamp_seconds", "mta_section_cleared_timestamp_seconds",
                              "mta_section_trusted"})
            families.insert(f);
        for (const channel_family& fam : channel_families()) families.insert(fam.name);
        for (const side_family& fam : side_families) families.insert(std::string(fam.name));
        render_registry(*in.registry, families, out);
    }
}

} // namespace counters::tools

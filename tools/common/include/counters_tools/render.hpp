// SPDX-License-Identifier: MIT
/// @file render.hpp
/// Renderers of a channel-counter snapshot. They work only from a counters::snapshot (never
/// from shared memory), so every tool and exporter prints the same thing.
/// Each may throw what the stream throws (if exceptions are enabled on it) or std::bad_alloc;
/// write errors are left in the stream state for the caller to check.
#pragma once

#include <counters/snapshot.hpp>

#include <iosfwd>
#include <string>

namespace counters::tools {

/// What to show.
struct render_options {
    std::string pattern = "*"; ///< channels whose name matches (see wildcard_match())
    bool associations = true;  ///< text: the `Total In/Out Assocs` lines
    bool channels = true;      ///< text: the seven rows and the two queue-time lines
    bool headers = true;       ///< text: the two header lines
    bool absolute = false;     ///< every value shown as current minus minimum
    bool minimums = false;     ///< text: below each line, a `minimum` line with its minimums
};

/// The text table of `counters -show` (counters(1), "Text format"), channel names escaped.
/// Layout: header line and dash line; per channel its name, the seven rows, a blank line,
/// the two queue lines, a blank line, the association lines (groups that are switched off
/// vanish with their blank line); a blank line between channels; when the section refused
/// registrations, a blank line and `Channel table full: N registrations refused
/// (max_channels=M)`. No trailing spaces. The lines, their labels and the counter in each
/// place come from the counter table (counter_info::text_row and counter_info::column).
/// Columns: numbers end at columns 30, 41 and 52 of the rows (35 on the association lines)
/// as long as they fit; a wider number widens its column, on every line of that shape and in
/// the header, so that the columns stay aligned and every number is preceded by a space.
/// With `minimums`, each line is followed by `     minimum` and the minimums of its
/// counters in the same columns (a queue line's as `T/C`, without an average), whatever
/// `absolute` says.
void render_text(const snapshot& snap, const render_options& options, std::ostream& out);

/// The same text table as one string (what the tools write in one piece).
std::string render_text(const snapshot& snap, const render_options& options);

/// The same text table, written as it is read from @p reader: no copy of the section is
/// made, and the output is held 128 KiB at a time. The channels are read twice, once to
/// size the columns and once to write them, so a figure that outgrows its column in between
/// is written whole after one space, pushing the rest of its line to the right. Also throws what read_channel() throws.
void render_text(const section_reader& reader, const render_options& options, std::ostream& out);

/// The JSON document (format_version 1, see counters(1)), pretty-printed, ending with a
/// newline. Only `pattern` and `absolute` apply: the document always has its full shape.
/// With `absolute`, "counters" and "gauges" hold current minus minimum and the top-level
/// "absolute" is true.
void render_json(const snapshot& snap, const render_options& options, std::ostream& out);

/// The same JSON document as one string.
std::string render_json(const snapshot& snap, const render_options& options);

/// The same JSON document, written as it is read from @p reader (one pass, no copy of the
/// section; "channels" in "section" is the number of channels when the reader was opened,
/// which is the number of entries with the pattern "*"). Also throws what read_channel()
/// throws.
void render_json(const section_reader& reader, const render_options& options, std::ostream& out);

/// Version of the JSON document written by render_json(). Bumped only on incompatible change.
inline constexpr int json_format_version = 1;

} // namespace counters::tools

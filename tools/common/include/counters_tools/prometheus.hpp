// SPDX-License-Identifier: MIT
/// @file prometheus.hpp
/// The Prometheus text exposition (format 0.0.4) of a channel-counter snapshot and of the
/// counter registry: what `counters -show -format=prometheus` prints and what
/// `counters-exporter` serves on /metrics. Every channel family, sample suffix and label
/// comes from the counter table (counter_info::prometheus_family, prometheus_sample,
/// prometheus_labels); nothing here spells a counter's name by hand.
///
/// Works only from plain snapshots (never from shared memory); no global state: safe from
/// several threads at once on different outputs. May throw std::bad_alloc only.
#pragma once

#include <counters/registry_snapshot.hpp>
#include <counters/snapshot.hpp>

#include <string>

namespace counters::tools {

/// The Content-Type of the exposition, for HTTP servers.
inline constexpr const char* prometheus_content_type = "text/plain; version=0.0.4; charset=utf-8";

/// What to expose.
struct exposition_input {
    /// The channel section; nullptr when it could not be read: then only
    /// `mta_section_up{section="..."} 0` (and the registry, if any) is written.
    const snapshot* section = nullptr;
    /// The section's name, for the `section` label of `mta_section_up` when `section` is
    /// nullptr (otherwise section->section.name is used).
    std::string section_name;
    /// The counter registry; nullptr: no registry families at all.
    const registry_snapshot* registry = nullptr;
    /// Channels whose name matches (see wildcard_match()).
    std::string pattern = "*";
    /// Every channel value written as current minus minimum (channel_values::absolute()),
    /// as `counters -show -absolute` does; it matters for the Stored gauges after a clear.
    bool absolute = false;
};

/// Appends the exposition of @p in to @p out: each family once with its `# HELP` and
/// `# TYPE` lines, every line ending with '\n', no `_created` lines, no timestamps; output
/// that `promtool check metrics` accepts without findings. In this order:
/// - `mta_section_up{section}` (1 with a section, 0 without: then nothing else of a section);
/// - the section's `mta_section_info{section,format_version,max_channels} 1`,
///   prometheus_block_size_family, `mta_section_channels`, `mta_section_overflow_total`,
///   `mta_section_clears_total`, `mta_section_created_timestamp_seconds`,
///   `mta_section_cleared_timestamp_seconds` (the last clear, or the creation when never
///   cleared) and `mta_section_trusted`;
/// - the channel counters, one family per counter_info::prometheus_family in table order
///   (counter, gauge, or summary for `_sum`/`_count` halves), label `channel` then the
///   table's labels, channels in snapshot order; then `mta_channel_current_associations`
///   and `mta_channel_last_activity_timestamp_seconds` (no sample when 0) by `direction`;
/// - the registry: per object and numeric field `mta_<object>_<field>` in snake case, a
///   COUNTER as a counter with `_total`, a GAUGE as a gauge, a TIME as a gauge named
///   `..._timestamp_seconds` (no sample when 0), label `object_instance`; STRING fields and
///   fields whose family name is already taken are left out.
///
/// Label values: the name itself when it is well-formed UTF-8 without control characters;
/// otherwise each byte of a control character (C0, DEL, C1) or of ill-formed UTF-8 is
/// spelled `\xHH` (so a value is always valid UTF-8 free of control characters); then `\`
/// and `"` are escaped as the format requires. A channel whose label value equals an
/// earlier one's is left out. counters(1), "Prometheus format", documents all of it.
/// Fast: the bulk is written through a cursor into room reserved once (no stream, no
/// allocation per value).
void render_prometheus(const exposition_input& in, std::string& out);

} // namespace counters::tools

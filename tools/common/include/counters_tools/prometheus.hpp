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
/// `# TYPE` lines, label values escaped (backslash, double quote, newline), every line
/// ending with '\n', no `_created` lines, no timestamps. Families: the channel counters
/// (counter_info), the block size (prometheus_block_size_family), the section's info, clear
/// time and overflow, `mta_section_up` (1 with a section, 0 without), and the registry's
/// objects. Output that `promtool check metrics` accepts without findings.
void render_prometheus(const exposition_input& in, std::string& out);

} // namespace counters::tools

// SPDX-License-Identifier: MIT
// The former render_json(): an nlohmann ordered_json tree of the whole document, written by
// dump_json() (json.hpp). Kept only as the reference that the direct writer of render.cpp
// must reproduce byte for byte (tests/cli/test_render_json_equivalence.cpp) and as the
// "before" row of bench/render_bench.cpp. Not used by any tool.
#pragma once

#include <counters/snapshot.hpp>
#include <counters_tools/json.hpp>
#include <counters_tools/render.hpp>
#include <counters_tools/text.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>

namespace counters::tools::test {

/// The document of render_json(), as the tree-based writer produced it (with its newline).
inline std::string render_json_tree(const snapshot& snap, const render_options& o) {
    using nlohmann::ordered_json;
    const auto value_of = [&](const channel_values& c, counter k) { return o.absolute ? c.absolute(k) : c.get(k); };
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
        {"instance_id", fmt::format("{:016x}", s.instance_id)},
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
            (inf.gauge ? gauges : counts)[inf.key] = value_of(c, k);
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
    return dump_json(doc, 2) + '\n';
}

} // namespace counters::tools::test

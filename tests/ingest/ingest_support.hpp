// SPDX-License-Identifier: MIT
// Helpers of the counters-ingest interpreter tests: a temporary section with a writer, feeding
// lines, and exact comparison of a channel's counters.
#pragma once

#include "catch.hpp"
#include "support.hpp"

#include <interpreter.hpp>

#include <counters/counter.hpp>
#include <counters/section.hpp>
#include <counters/snapshot.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ingest_test {

using counters::counter;
using want = std::map<counter, std::int64_t>;

/// A temporary section with a writer attached.
struct temp_writer {
    explicit temp_writer(const std::string& tag = "ing") : t(tag), sec(t.name()) {}
    testing_support::temp_section t;
    counters::section sec;
    counters::snapshot snap() const { return counters::read_snapshot(t.name()); }
};

inline void feed(counters::ingest::interpreter& in, const std::vector<std::string>& lines, std::size_t from = 0,
                 std::size_t to = SIZE_MAX, bool record = true) {
    for (std::size_t i = from; i < lines.size() && i < to; ++i) in.line(lines[i], record);
}

/// Every counter of channel @p name is as in @p w (0 when not listed), and its current
/// association gauges are @p in and @p out.
inline void expect_channel(const counters::snapshot& s, const std::string& name, const want& w, std::int64_t in = 0,
                           std::int64_t out = 0) {
    const counters::channel_values* c = s.find(name);
    INFO("channel " << name);
    REQUIRE(c != nullptr);
    for (std::size_t i = 0; i < counters::counter_count; ++i) {
        const auto k = static_cast<counter>(i);
        const auto it = w.find(k);
        INFO("counter " << counters::info(k).key);
        CHECK(c->value[i] == (it == w.end() ? 0 : it->second));
    }
    CHECK(c->current_in == in);
    CHECK(c->current_out == out);
}

/// Channel names of a snapshot.
inline std::vector<std::string> names(const counters::snapshot& s) {
    std::vector<std::string> n;
    for (const auto& c : s.channels) n.push_back(c.name);
    return n;
}

/// The skipped total of an interpreter's counts.
inline std::uint64_t skipped_total(const counters::ingest::ingest_counts& c) {
    std::uint64_t n = 0;
    for (const auto& [k, v] : c.skipped) n += v;
    return n;
}

} // namespace ingest_test

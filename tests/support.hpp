// SPDX-License-Identifier: MIT
// Test helpers: unique section names that are removed when the test ends.
#pragma once

#include <counters/admin.hpp>
#include <counters/error.hpp>
#include <counters/snapshot.hpp>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace testing_support {

/// A section name unique to this process and test; deleted (if it exists) on destruction.
class temp_section {
public:
    explicit temp_section(const std::string& tag = "t") {
        static std::atomic<int> seq{0};
        name_ = "ctest_" + tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(seq++);
    }
    ~temp_section() {
        try {
            if (counters::section_exists(name_)) counters::delete_section(name_);
        } catch (...) {
        }
    }
    temp_section(const temp_section&) = delete;
    temp_section& operator=(const temp_section&) = delete;
    const std::string& name() const { return name_; }

private:
    std::string name_;
};

/// The start time of process @p pid in clock ticks since boot (/proc/PID/stat field 22), or
/// -1: what a registration claim word holds beside the pid.
inline std::int64_t start_ticks(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    const std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::size_t at = stat.rfind(')');
    if (at == std::string::npos) return -1;
    for (int field = 2; field < 22 && at != std::string::npos; ++field) at = stat.find(' ', at + 1);
    return at == std::string::npos ? -1 : std::strtoll(stat.c_str() + at + 1, nullptr, 10);
}

/// A registration claim word of process @p pid (its pid and the low half of its start time).
inline std::uint64_t claim_of(pid_t pid) {
    return (std::uint64_t(static_cast<std::uint32_t>(pid)) << 32) |
           (static_cast<std::uint64_t>(start_ticks(pid)) & 0xffffffffu);
}

/// The channel called @p name in @p s; throws (failing the test) when it is not there.
inline const counters::channel_values& channel_of(const counters::snapshot& s, const std::string& name) {
    if (const auto* c = s.find(name)) return *c;
    throw std::runtime_error("channel " + name + " not in the snapshot");
}

} // namespace testing_support

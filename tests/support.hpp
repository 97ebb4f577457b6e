// SPDX-License-Identifier: MIT
// Test helpers: unique section names that are removed when the test ends.
#pragma once

#include <counters/admin.hpp>
#include <counters/error.hpp>
#include <counters/snapshot.hpp>

#include <atomic>
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

/// The channel called @p name in @p s; throws (failing the test) when it is not there.
inline const counters::channel_values& channel_of(const counters::snapshot& s, const std::string& name) {
    if (const auto* c = s.find(name)) return *c;
    throw std::runtime_error("channel " + name + " not in the snapshot");
}

} // namespace testing_support

// SPDX-License-Identifier: MIT
// Test helpers: unique section names that are removed when the test ends.
#pragma once

#include <counters/admin.hpp>
#include <counters/error.hpp>

#include <atomic>
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

} // namespace testing_support

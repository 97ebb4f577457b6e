// SPDX-License-Identifier: MIT
// Test helpers: unique section names that are removed when the test ends.
#pragma once

#include <counters/admin.hpp>
#include <counters/registry.hpp>
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
#include <cstdio>
#include <exception>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
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

/// A registry name unique to this process and test; removed (if it exists) on destruction.
class temp_registry {
public:
    explicit temp_registry(const std::string& tag = "r") {
        static std::atomic<int> seq{0};
        name_ = "ctest_reg_" + tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(seq++);
    }
    ~temp_registry() {
        try {
            if (counters::registry_exists(name_)) counters::delete_registry(name_);
        } catch (...) {
        }
    }
    temp_registry(const temp_registry&) = delete;
    temp_registry& operator=(const temp_registry&) = delete;
    const std::string& name() const { return name_; }

private:
    std::string name_;
};

/// A read-write mapping of a whole segment (section or registry), for white-box corruption
/// of a live image; data() is null when it cannot be mapped.
class raw_map {
public:
    explicit raw_map(const std::string& name) {
        const int fd = ::shm_open(("/" + name).c_str(), O_RDWR, 0);
        if (fd < 0) return;
        struct stat st {};
        if (::fstat(fd, &st) == 0 && st.st_size > 0) {
            size_ = static_cast<std::size_t>(st.st_size);
            void* p = ::mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
            data_ = p == MAP_FAILED ? nullptr : static_cast<unsigned char*>(p);
        }
        ::close(fd);
    }
    ~raw_map() {
        if (data_ != nullptr) ::munmap(data_, size_);
    }
    raw_map(const raw_map&) = delete;
    raw_map& operator=(const raw_map&) = delete;
    unsigned char* data() const { return data_; }
    std::size_t size() const { return size_; }

private:
    unsigned char* data_ = nullptr;
    std::size_t size_ = 0;
};

/// Forks; the child runs @p body and leaves with _exit(its result), or 1 when it throws
/// (saying what on stderr). Returns the child's pid (-1 when fork() failed).
template <class F>
pid_t spawn_child(F body) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        int rc = 1;
        try {
            rc = body();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "child %d: %s\n", static_cast<int>(::getpid()), e.what());
        } catch (...) {
            std::fprintf(stderr, "child %d: unknown exception\n", static_cast<int>(::getpid()));
        }
        ::_exit(rc);
    }
    return pid;
}

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

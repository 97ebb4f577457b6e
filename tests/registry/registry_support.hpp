// SPDX-License-Identifier: MIT
// Test helpers for the registry: unique registry names removed at the end of each test,
// raw images of a registry for corruption tests, and fork helpers.
#pragma once

#include <counters/registry.hpp>

#include <atomic>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace reg_testing {

/// A registry name unique to this process and test; removed (if it exists) on destruction.
class temp_registry {
public:
    explicit temp_registry(const std::string& tag = "r") {
        static std::atomic<int> seq{0};
        name_ = "ctest_reg_" + tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(seq++);
    }
    ~temp_registry() {
        try {
            counters::delete_registry(name_);
        } catch (...) {
        }
    }
    temp_registry(const temp_registry&) = delete;
    temp_registry& operator=(const temp_registry&) = delete;
    const std::string& name() const { return name_; }

private:
    std::string name_;
};

/// A read-write mapping of a whole segment, for white-box corruption of a live registry.
class raw_map {
public:
    explicit raw_map(const std::string& name) {
        int fd = ::shm_open(("/" + name).c_str(), O_RDWR, 0);
        if (fd < 0) return;
        struct stat st {};
        ::fstat(fd, &st);
        size_ = static_cast<std::size_t>(st.st_size);
        void* p = ::mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        ::close(fd);
        data_ = p == MAP_FAILED ? nullptr : static_cast<unsigned char*>(p);
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

/// A private, 8-byte aligned copy of a segment.
inline std::vector<std::uint64_t> copy_image(const std::string& name, std::size_t* size) {
    raw_map m(name);
    std::vector<std::uint64_t> v((m.size() + 7) / 8);
    if (m.data() != nullptr) std::memcpy(v.data(), m.data(), m.size());
    *size = m.size();
    return v;
}

/// Forks; the child runs @p fn and leaves with _exit(its result). Returns the child's pid.
template <class F>
pid_t spawn(F fn) {
    pid_t pid = ::fork();
    if (pid == 0) {
        int rc = 1;
        try {
            rc = fn();
        } catch (...) {
            rc = 3;
        }
        ::_exit(rc);
    }
    return pid;
}

/// Waits for @p pid; returns its exit status, or 128 + signal.
inline int reap(pid_t pid) {
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0) {
    }
    if (WIFEXITED(st)) return WEXITSTATUS(st);
    return 128 + WTERMSIG(st);
}

} // namespace reg_testing

// SPDX-License-Identifier: MIT
// Test helpers for the registry: unique registry names removed at the end of each test,
// raw images of a registry for corruption tests, and fork helpers.
#pragma once

#include "support.hpp"

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

using testing_support::raw_map;
using testing_support::temp_registry;

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
    return testing_support::spawn_child(fn);
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

// SPDX-License-Identifier: MIT
// Helpers shared by the benchmark program and bench_fill_channels: unique names that are
// removed on exit (and on SIGINT/SIGTERM), a plain MAP_SHARED mapping for the floor and the
// comparison mechanisms, a monotonic clock, and filling a section with N channels.
#pragma once

#include <counters/counters.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

namespace bench {

/// A section name unique to this process: "cbench-<pid>-<tag>". The name is registered for
/// removal at exit and on SIGINT/SIGTERM (see install_cleanup()).
std::string unique_section(const std::string& tag);

/// Deletes section @p name now (when it exists) and forgets it.
void delete_section(const std::string& name) noexcept;

/// Turns section @p name, just created and not yet attached to, into a format 1.0 section:
/// minor version 0 and no name index (the header fields at offsets 10, 120 and 128 of
/// counters(5)), so that resolving names scans the table as before format 1.1. For the
/// same-run comparison of the index with the linear scan. Throws std::runtime_error.
void strip_name_index(const std::string& name);

/// Registers a file (or, with @p dir, an empty directory) to unlink at exit / on a signal.
void remove_at_exit(const std::string& path, bool dir = false);

/// Installs the atexit and SIGINT/SIGTERM handlers that remove everything registered.
/// Safe to call more than once. Children forked later only _exit on a signal.
void install_cleanup();

/// Removes everything registered now (also called at exit).
void cleanup_now() noexcept;

/// A private temporary directory (created on first use, removed at exit).
const std::string& temp_dir();

/// Nanoseconds of CLOCK_MONOTONIC.
std::int64_t now_ns() noexcept;

/// A plain POSIX shared-memory mapping (shm_open + ftruncate + mmap, MAP_SHARED),
/// zero-filled, unlinked at exit. Not a counters section: the floor and the comparison
/// mechanisms live here.
class plain_mapping {
public:
    plain_mapping(const std::string& tag, std::size_t size);
    ~plain_mapping();
    plain_mapping(const plain_mapping&) = delete;
    plain_mapping& operator=(const plain_mapping&) = delete;
    void* data() const noexcept { return data_; }
    std::size_t size() const noexcept { return size_; }

private:
    std::string name_;
    void* data_ = nullptr;
    std::size_t size_ = 0;
};

/// The shape of a channel's counters in the plain mapping: the same number of 64-bit
/// counters and minimums, on their own cache lines, as the section's channel slot.
struct alignas(64) plain_slot {
    std::atomic<std::int64_t> value[counters::counter_count];
    std::atomic<std::int64_t> minimum[counters::counter_count];
};
static_assert(sizeof(plain_slot) % 64 == 0);

/// Name of channel @p i when filling a section: "ch00000", "ch00001", ...
std::string fill_name(std::uint32_t i);

/// Registers channels fill_name(0 .. n-1) in @p s (exactly n channels) and records
/// @p events enqueues (from channel 0) and about half as many dequeues on each.
void fill_section(counters::section& s, std::uint32_t n, unsigned events);

} // namespace bench

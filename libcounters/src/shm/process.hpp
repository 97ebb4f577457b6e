// SPDX-License-Identifier: MIT
// Clocks, process identity and liveness, and the per-process slots that both wire formats
// keep for gauges a crashed process must not leave behind. Private.
#pragma once

#include "header.hpp"

#include <cstdint>
#include <optional>
#include <sys/types.h>

namespace counters::detail::shm {

/// Seconds since the epoch (vDSO clock, no system call).
std::int64_t now_seconds() noexcept;
/// Milliseconds of a monotonic clock (vDSO, no system call).
std::int64_t now_millis() noexcept;
/// Start time of @p pid in clock ticks since boot (/proc/PID/stat field 22), or -1.
std::int64_t process_start_ticks(pid_t pid) noexcept;
/// True when @p pid is running and (when @p start_ticks >= 0 and readable) started then.
/// A killed but unreaped (zombie) process is not alive.
bool process_alive(pid_t pid, std::int64_t start_ticks) noexcept;
/// True when @p pid is stopped (state T or t in /proc/PID/stat: SIGSTOP, job control, a
/// debugger).
bool process_stopped(pid_t pid) noexcept;
/// This process's pid, kept current across fork() without a system call per use.
pid_t current_pid() noexcept;

/// A process slot begins with its owner word and the owner's start time. The owner word is
/// 0 (free), the owner's pid, or pid | owner_busy while the slot is being claimed, reset
/// or reaped. The formats put these two words at offsets 0 and 8 of each slot.
inline constexpr std::uint64_t owner_busy = std::uint64_t{1} << 63;

/// The owner of a process slot, as seen by process @p self.
enum class owner_state { free, mine, live, dead };
owner_state examine_owner(std::uint64_t owner, const a64& start_ticks, pid_t self) noexcept;

/// Access to a format's table of process slots (see claim_process_slot()).
struct process_table {
    virtual ~process_table() = default;
    virtual std::uint32_t count() const noexcept = 0;
    virtual au64& owner(std::uint32_t i) const noexcept = 0;
    virtual a64& start_ticks(std::uint32_t i) const noexcept = 0;
    /// Undoes what a dead owner of slot @p i left (e.g. its shares of totals) and empties
    /// the slot's entries. Called with the slot held busy.
    virtual void reap(std::uint32_t i) const noexcept = 0;
    /// Prepares slot @p i for a new owner (entries zero). Called with the slot held busy.
    virtual void reset(std::uint32_t i) const noexcept = 0;
};

/// Takes a free slot, or one whose owner died (reaping it first), for this process, and
/// publishes it with this process's pid and start time. With @p reap_all, goes on reaping
/// the slots of every other dead owner. Returns the slot's index, or nothing when every
/// slot is held by a live process. Never waits; lock-free between processes.
std::optional<std::uint32_t> claim_process_slot(const process_table& t, bool reap_all) noexcept;

/// Reaps the slots of dead owners (their leftovers undone, the slots freed). Returns true
/// when it reaped one or saw another process claiming or reaping a slot.
bool reap_dead_owners(const process_table& t) noexcept;

/// Releases this process's slot @p i on a clean detach (reaping its entries first).
void release_process_slot(const process_table& t, std::uint32_t i) noexcept;

/// One process's cached slot in one mapping. The first call in a process (and the first
/// after fork()) claims a slot; later calls are one relaxed load. No mutex: a mutex held
/// across fork() would never be released, and a recording call must never wait. A thread
/// that finds another thread of its process claiming gets nothing this once; after a
/// failed claim (every slot held) the next attempt waits a second.
class process_slot_cache {
public:
    /// This process's slot index, claiming one when needed; nothing when none is free.
    std::optional<std::uint32_t> get(const process_table& t, bool reap_all) noexcept;
    /// This process's slot index when it has one already.
    std::optional<std::uint32_t> current() const noexcept;

private:
    std::atomic<std::uint32_t> slot_plus1_{0};
    std::atomic<pid_t> pid_{0};
    std::atomic<pid_t> claimer_{0};
    std::atomic<pid_t> failed_pid_{0};
    std::atomic<std::int64_t> failed_ms_{0};
};

} // namespace counters::detail::shm

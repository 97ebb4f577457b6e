// SPDX-License-Identifier: MIT
// Registration claims and the name-claim loop shared by every table of named slots
// (channel slots; registry objects and instances). Private.
//
// A slot's claim word is claim_free (0), claim_ready (all ones) once the name is published,
// claim_void once given up, or a registrant's claim: its pid in the high half and the low
// 32 bits of its start time (clock ticks since boot, /proc/PID/stat field 22) in the low
// half, written by one compare-and-swap. Together they name one process exactly. A claim
// whose process is gone, a zombie, or stopped (SIGSTOP, a debugger) is never reused: it is
// voided, and the registrant publishes its slot with a compare-and-swap that fails once the
// slot was voided, so a resumed registrant registers again elsewhere and nothing it wrote
// is ever read. A stopped registrant blocks nobody. Slots are claimed in order and are
// never freed, so the used slots form a prefix of the table.
#pragma once

#include "header.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace counters::detail::shm {

inline constexpr std::uint64_t claim_free = 0;
inline constexpr std::uint64_t claim_ready = ~std::uint64_t{0};
/// A slot given up for good: its registrant died or was stopped before publishing, and the
/// slot was voided rather than reused, so that a resumed registrant, which may still write
/// into it, can never rename or mix another's row. Readers skip it like a claim in
/// progress; registrants pass over it.
inline constexpr std::uint64_t claim_void = ~std::uint64_t{0} - 1;

/// The claim word of process @p pid started at @p start_ticks.
constexpr std::uint64_t claim_word(std::uint32_t pid, std::int64_t start_ticks) noexcept {
    return (std::uint64_t{pid} << 32) | (static_cast<std::uint64_t>(start_ticks) & 0xffffffffu);
}
/// This process's claim word (its pid and start time; kept current across fork()).
std::uint64_t new_claim() noexcept;
/// True when the claim's process is gone: no such pid, a zombie, or the pid now belongs to
/// a process that started at another time.
bool claim_is_dead(std::uint64_t claim) noexcept;
/// True when the claim's process is stopped (SIGSTOP, job control, a debugger).
bool claim_is_stopped(std::uint64_t claim) noexcept;
/// The pid of a claim word.
inline std::uint32_t claim_pid(std::uint64_t claim) noexcept { return static_cast<std::uint32_t>(claim >> 32); }

/// A table of named slots, as the claim loop sees it.
struct name_table {
    virtual ~name_table() = default;
    virtual std::uint32_t count() const noexcept = 0;
    virtual au64& claim(std::uint32_t i) const noexcept = 0;
    /// True when ready slot @p i holds @p name.
    virtual bool holds(std::uint32_t i, std::string_view name) const = 0;
    /// Writes @p name (and whatever else the slot needs) into claimed slot @p i.
    virtual void fill(std::uint32_t i, std::string_view name) const = 0;
    /// Throws: slot @p i stays claimed by live process @p pid.
    [[noreturn]] virtual void stuck(std::uint32_t i, std::uint32_t pid) const = 0;
};

enum class claim_outcome { found, registered, full };
struct claim_result {
    std::uint32_t index;
    claim_outcome outcome;
};

/// Finds @p name in the table or registers it in the first free slot, starting at slot
/// @p from (every slot before it known to be ready). Every registrant scans the used
/// prefix, waiting (at most @p wait per slot) on slots still being claimed by a running
/// process, voiding those of dead or stopped ones, and takes the first free slot with a
/// compare-and-swap: a name can only ever be registered once. The clock is read only when a slot is found mid-
/// registration (rare), never per slot. Throws what table.stuck() and fill() throw.
claim_result claim_name(const name_table& table, std::string_view name, std::chrono::milliseconds wait,
                        std::uint32_t from = 0);

/// Waits until claim word @p w is no longer held by a running registrant: returns its value
/// (free, ready, void, or the claim of a dead or stopped registrant). Throws through @p table.stuck(i, pid) after
/// @p wait.
std::uint64_t settle_claim(const name_table& table, std::uint32_t i, std::chrono::milliseconds wait);

} // namespace counters::detail::shm

// Validation of a section image and small process helpers shared by readers and writers.
#pragma once

#include "layout.hpp"

#include <string>
#include <sys/types.h>

namespace counters::detail {

/// Checks the header of a section image of @p size bytes at @p data against the real size:
/// magic, version, sizes, offsets, counts. A header whose state word still says
/// initialising gives errc::not_ready before anything else is looked at; the ready/retired
/// distinction is left to the caller.
/// Throws counters::error (not_ready, foreign, version, corrupt) naming @p name.
const header& check_header(const void* data, std::size_t size, const std::string& name);

/// Slot @p i of a checked section.
inline channel_slot* slot_at(const header& h, std::uint32_t i) noexcept {
    auto* base = reinterpret_cast<unsigned char*>(const_cast<header*>(&h));
    return reinterpret_cast<channel_slot*>(base + h.channels_offset + std::uint64_t{i} * h.slot_size);
}
inline process_slot* process_at(const header& h, std::uint32_t i) noexcept {
    auto* base = reinterpret_cast<unsigned char*>(const_cast<header*>(&h));
    return reinterpret_cast<process_slot*>(base + h.processes_offset +
                                           std::uint64_t{i} * h.process_slot_size);
}

/// Copies a slot's name when it is NUL-terminated inside its field; false otherwise.
bool slot_name(const channel_slot& s, std::string& out);

/// A random 64-bit id (instance ids of new sections and registries).
std::uint64_t random_id();

/// True when each of the @p n bytes of @p field is the byte of @p expected or still zero:
/// a magic that a creator has not yet written, or is writing (memcpy may store it in pieces),
/// into fresh zeroed memory. With the state word still "initialising" that means not ready.
bool magic_in_progress(const char* field, const char* expected, std::size_t n) noexcept;

/// Registration claims (channel slots, registry objects and instances) are one 64-bit word:
/// the claimant's pid in the high half and the claim's time (seconds, low 32 bits) in the
/// low half, written atomically by one compare-and-swap.
std::uint64_t new_claim() noexcept;
/// A claim older than this is stale even when its process still lives.
inline constexpr std::int32_t stale_claim_seconds = 30;
/// True when the claim's process is gone, or the claim is stale. The age comes from the
/// claim word itself, never from a time field the claimant writes after its CAS; the
/// difference is signed, so a claim stamped slightly in the future is young.
bool claim_is_dead(std::uint64_t claim) noexcept;

/// Seconds since the epoch (vDSO clock, no system call).
std::int64_t now_seconds() noexcept;
/// Milliseconds of a monotonic clock (vDSO, no system call).
std::int64_t now_millis() noexcept;
/// Start time of @p pid in clock ticks since boot (/proc/PID/stat field 22), or -1.
std::int64_t process_start_ticks(pid_t pid) noexcept;
/// True when @p pid is running and (when @p start_ticks >= 0 and readable) started then.
bool process_alive(pid_t pid, std::int64_t start_ticks) noexcept;
/// This process's pid, kept current across fork() without a system call per use.
pid_t current_pid() noexcept;

} // namespace counters::detail

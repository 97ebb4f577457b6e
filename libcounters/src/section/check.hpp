// SPDX-License-Identifier: MIT
// Validation of a channel-section image (untrusted input) and addressing inside it. Private.
#pragma once

#include "layout.hpp"

#include <string>
#include <string_view>
#include <sys/types.h>

namespace counters::detail {

using shm::current_pid;
using shm::now_millis;
using shm::now_seconds;
using shm::process_alive;
using shm::process_start_ticks;

/// The wire format's identity for the engine's shared checks.
extern const shm::format_id section_format;

/// The geometry of a checked section, read once from its header into local values. Every
/// later access uses these, never the header's fields again: a process rewriting the header
/// of a live segment cannot steer a reader or writer outside the mapping.
struct section_view {
    header* hdr = nullptr;
    std::uint16_t major = 0, minor = 0;
    std::uint32_t block_size = 0;
    std::uint32_t max_channels = 0;
    std::uint32_t slot_size = 0;
    std::uint32_t process_slots = 0;
    std::uint32_t process_slot_size = 0;
    std::uint64_t channels_offset = 0;
    std::uint64_t processes_offset = 0;
    std::uint64_t index_offset = 0; ///< 0: no name index (a 1.0 section)
    std::uint32_t index_buckets = 0;

    unsigned char* base() const noexcept { return reinterpret_cast<unsigned char*>(hdr); }
    channel_slot* slot(std::uint32_t i) const noexcept {
        return reinterpret_cast<channel_slot*>(base() + channels_offset + std::uint64_t{i} * slot_size);
    }
    process_slot* process(std::uint32_t i) const noexcept {
        return reinterpret_cast<process_slot*>(base() + processes_offset + std::uint64_t{i} * process_slot_size);
    }
    /// Bucket @p b of the name index (index_offset != 0).
    au32& bucket(std::uint32_t b) const noexcept {
        return reinterpret_cast<au32*>(base() + index_offset)[b];
    }
    /// Index of a slot of this table.
    std::uint32_t index_of(const channel_slot* s) const noexcept {
        const auto at = static_cast<std::uint64_t>(reinterpret_cast<const unsigned char*>(s) - base());
        return static_cast<std::uint32_t>((at - channels_offset) / slot_size);
    }
};

/// Checks the image of @p size bytes at @p data: the shared prefix (not_ready while it is
/// still being created, foreign, version), then every size, count and offset against the
/// real size. The ready/retired distinction is left to the caller.
/// Throws counters::error (not_ready, foreign, version, corrupt) naming @p name.
section_view check_section(const void* data, std::size_t size, const std::string& name);

/// Copies a slot's name when it is NUL-terminated inside its field and 1..32 bytes long (as
/// every writer stores it); false otherwise.
bool slot_name(const channel_slot& s, std::string& out);
/// True when slot @p s holds @p name.
bool slot_holds(const channel_slot& s, std::string_view name) noexcept;

/// The bucket a name's probe sequence starts at (FNV-1a), for @p buckets a power of two.
std::uint32_t name_hash(std::string_view name) noexcept;

} // namespace counters::detail

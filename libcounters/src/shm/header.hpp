// SPDX-License-Identifier: MIT
// The part of a segment's header that every wire format shares, and its checks. Private.
//
// Both formats (the channel section, counters(5); the counter registry,
// counters-registry(5)) begin with the same fields at the same offsets: an 8-byte magic,
// a 16-bit major and minor version, the 32-bit header size, and at offset 32 the 32-bit
// state word that the creator publishes last. The engine reads only these.
#pragma once

#include <counters/error.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

namespace counters::detail::shm {

using a64 = std::atomic<std::int64_t>;
using au64 = std::atomic<std::uint64_t>;
using au32 = std::atomic<std::uint32_t>;
static_assert(a64::is_always_lock_free && au64::is_always_lock_free && au32::is_always_lock_free,
              "shared segments need lock-free 32- and 64-bit atomics");
static_assert(sizeof(a64) == 8 && sizeof(au64) == 8 && sizeof(au32) == 4);

/// Values of the state word.
enum : std::uint32_t {
    state_initialising = 0,     ///< fresh (zero) memory: the creator is still filling it in
    state_ready = 0x52454459,   ///< "REDY": published, usable
    state_retired = 0x52544952, ///< "RTIR": deleted; writers re-attach to a new segment
};

inline constexpr std::size_t magic_size = 8;
inline constexpr std::size_t major_offset = 8;
inline constexpr std::size_t minor_offset = 10;
inline constexpr std::size_t header_size_offset = 12;
inline constexpr std::size_t state_offset = 32;

/// What identifies a wire format: the kind of object (for messages), its magic, the major
/// version this library reads, and the size of its header structure.
struct format_id {
    object_kind kind;
    const char* magic;        ///< magic_size bytes
    std::uint16_t major;
    std::size_t header_size;  ///< sizeof the format's header struct (a multiple of 64)
    const char* description;  ///< "a counters section", "a counter registry"
};

/// One relaxed load of a plain header field that another process may be rewriting: how
/// the formats read each size, offset and count exactly once into a local value.
template <class T>
T load_once(const T& field) noexcept {
    return __atomic_load_n(&field, __ATOMIC_RELAXED);
}

/// The state word of a segment at least state_offset + 4 bytes long.
inline au32& state_word(void* base) noexcept {
    return *reinterpret_cast<au32*>(static_cast<unsigned char*>(base) + state_offset);
}
inline const au32& state_word(const void* base) noexcept {
    return *reinterpret_cast<const au32*>(static_cast<const unsigned char*>(base) + state_offset);
}

/// True when each of the @p n bytes of @p field is the byte of @p expected or still zero:
/// a magic that a creator has not yet written, or is writing (memcpy may store it in pieces),
/// into fresh zeroed memory. With the state word still "initialising" that means not ready.
bool magic_in_progress(const char* field, const char* expected, std::size_t n) noexcept;

/// Checks the shared prefix of an image of @p size bytes at @p data: not empty, aligned, not
/// still being created (state initialising with a magic that is ours or still being
/// written: not_ready, before any other field is looked at), the magic (foreign), a whole
/// header (corrupt), the major version (version) and the recorded header size (corrupt).
/// The ready/retired distinction is left to the caller. Throws counters::error of @p f's kind.
void check_prefix(const void* data, std::size_t size, const std::string& name, const format_id& f);

/// Throws errc::corrupt: `<kind> "NAME": corrupt <kind>: WHAT`.
[[noreturn]] void corrupt(const format_id& f, const std::string& name, const std::string& what);

/// True when a table of @p count entries of @p stride bytes at @p offset starts at or after
/// @p lower, is 64-byte aligned and ends within @p size. @p count and @p stride are bounded
/// by the callers' checks, so the product cannot overflow.
bool table_inside(std::uint64_t offset, std::uint64_t count, std::uint64_t stride, std::uint64_t lower,
                  std::uint64_t size) noexcept;

/// For readers: throws unless the state word of a checked image says ready (not_ready,
/// retired, or corrupt for an unknown value).
void require_ready(const void* data, const std::string& name, const format_id& f);

/// A random 64-bit id (the instance id of a new segment).
std::uint64_t random_instance_id();

} // namespace counters::detail::shm

// SPDX-License-Identifier: MIT
// Checks of the header prefix shared by every wire format.
#include "header.hpp"

#include <cstring>
#include <random>

namespace counters::detail::shm {

bool magic_in_progress(const char* field, const char* expected, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i)
        if (field[i] != expected[i] && field[i] != '\0') return false;
    return true;
}

void corrupt(const format_id& f, const std::string& name, const std::string& what) {
    throw error(errc::corrupt, f.kind, name, std::string("corrupt ") + to_string(f.kind) + ": " + what);
}

void check_prefix(const void* data, std::size_t size, const std::string& name, const format_id& f) {
    const char* kind = to_string(f.kind);
    if (data == nullptr || size == 0)
        throw error(errc::not_ready, f.kind, name, std::string(kind) + " is empty (not initialised)");
    if (reinterpret_cast<std::uintptr_t>(data) % 8 != 0)
        throw error(errc::invalid_argument, f.kind, name, std::string(kind) + " image is not aligned");
    const auto* bytes = static_cast<const unsigned char*>(data);
    if (size >= f.header_size) {
        // A creator fills the header in before it publishes the state word (release): until
        // then every other field is meaningless (zero, or half written), so the state word is
        // looked at first. A zero, half-written or whole magic with state initialising is
        // "not ready", never "foreign" or "corrupt".
        if (state_word(data).load(std::memory_order_acquire) == state_initialising &&
            magic_in_progress(reinterpret_cast<const char*>(bytes), f.magic, magic_size))
            throw error(errc::not_ready, f.kind, name,
                        std::string(kind) + " is not ready (still being created, or its creator died)");
    }
    if (size < magic_size || std::memcmp(bytes, f.magic, magic_size) != 0) {
        if (size >= f.header_size)
            throw error(errc::foreign, f.kind, name, std::string("bad magic (not ") + f.description + ")");
        corrupt(f, name, "truncated (" + std::to_string(size) + " bytes)");
    }
    if (size < f.header_size) corrupt(f, name, "truncated header (" + std::to_string(size) + " bytes)");
    std::uint16_t major = 0, minor = 0;
    std::uint32_t header_size = 0;
    std::memcpy(&major, bytes + major_offset, sizeof major);
    std::memcpy(&minor, bytes + minor_offset, sizeof minor);
    std::memcpy(&header_size, bytes + header_size_offset, sizeof header_size);
    if (major != f.major)
        throw error(errc::version, f.kind, name,
                    "unsupported format version " + std::to_string(major) + "." + std::to_string(minor) +
                        " (this program reads " + std::to_string(f.major) + ".x)");
    if (header_size < f.header_size || header_size % 64 != 0)
        corrupt(f, name, "bad header size " + std::to_string(header_size));
}

bool table_inside(std::uint64_t offset, std::uint64_t count, std::uint64_t stride, std::uint64_t lower,
                  std::uint64_t size) noexcept {
    return offset >= lower && offset % 64 == 0 && offset <= size && count * stride <= size - offset;
}

void require_ready(const void* data, const std::string& name, const format_id& f) {
    const char* kind = to_string(f.kind);
    switch (state_word(data).load(std::memory_order_acquire)) {
    case state_ready: return;
    case state_initialising:
        throw error(errc::not_ready, f.kind, name,
                    std::string(kind) + " is not ready (still being created, or its creator died)");
    case state_retired:
        throw error(errc::retired, f.kind, name,
                    std::string(kind) + (f.kind == object_kind::registry ? " has been removed" : " has been deleted"));
    default: corrupt(f, name, "bad state word");
    }
}

std::uint64_t random_instance_id() {
    std::random_device rd;
    return (std::uint64_t{rd()} << 32) ^ rd();
}

} // namespace counters::detail::shm

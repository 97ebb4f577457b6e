// SPDX-License-Identifier: MIT
// Channel-section image validation.
#include "check.hpp"

#include <counters/error.hpp>
#include <counters/options.hpp>
#include <counters/version.hpp>

#include <cstring>

namespace counters::detail {

const shm::format_id section_format{object_kind::section, section_magic, static_cast<std::uint16_t>(format_major),
                                    sizeof(header), "a counters section"};

namespace {
[[noreturn]] void corrupt(const std::string& name, const std::string& what) {
    shm::corrupt(section_format, name, what);
}
} // namespace

section_view check_section(const void* data, std::size_t size, const std::string& name) {
    shm::check_prefix(data, size, name, section_format);
    const auto& h = *static_cast<const header*>(data);
    section_view v;
    v.hdr = const_cast<header*>(&h);
    v.major = shm::load_once(h.major);
    v.minor = shm::load_once(h.minor);
    const std::uint32_t header_size = shm::load_once(h.header_size);
    v.slot_size = shm::load_once(h.slot_size);
    v.block_size = shm::load_once(h.block_size);
    v.max_channels = shm::load_once(h.max_channels);
    v.process_slots = shm::load_once(h.process_slots);
    v.process_slot_size = shm::load_once(h.process_slot_size);
    v.channels_offset = shm::load_once(h.channels_offset);
    v.processes_offset = shm::load_once(h.processes_offset);
    const std::uint32_t name_size = shm::load_once(h.name_size);
    const std::uint32_t count = shm::load_once(h.counter_count);
    const std::uint64_t total_size = shm::load_once(h.total_size);
    if (header_size < sizeof(header) || header_size % 64 != 0)
        corrupt(name, "bad header size " + std::to_string(header_size));
    if (v.slot_size < sizeof(channel_slot) || v.slot_size % 64 != 0)
        corrupt(name, "bad slot size " + std::to_string(v.slot_size));
    if (name_size != name_field) corrupt(name, "bad name size " + std::to_string(name_size));
    if (count != counter_count) corrupt(name, "bad counter count " + std::to_string(count));
    if (v.block_size == 0 || v.block_size > max_block_size)
        corrupt(name, "bad block size " + std::to_string(v.block_size));
    if (v.max_channels == 0 || v.max_channels > max_max_channels)
        corrupt(name, "bad channel table size " + std::to_string(v.max_channels));
    if (v.process_slots > 65536) corrupt(name, "bad process slot count " + std::to_string(v.process_slots));
    if (v.process_slot_size < sizeof(process_slot) || v.process_slot_size % 64 != 0 ||
        v.process_slot_size > 65536)
        corrupt(name, "bad process slot size " + std::to_string(v.process_slot_size));
    if (v.slot_size > 65536) corrupt(name, "bad slot size " + std::to_string(v.slot_size));
    // All quantities are bounded above, so these products cannot overflow 64 bits.
    if (!shm::table_inside(v.channels_offset, v.max_channels, v.slot_size, header_size, size))
        corrupt(name, "channel table outside the segment");
    const std::uint64_t chan_end = v.channels_offset + std::uint64_t{v.max_channels} * v.slot_size;
    if (!shm::table_inside(v.processes_offset, v.process_slots, v.process_slot_size, chan_end, size))
        corrupt(name, "process table outside the segment");
    std::uint64_t end = v.processes_offset + std::uint64_t{v.process_slots} * v.process_slot_size;
    if (v.minor >= 1) {
        v.index_offset = shm::load_once(h.index_offset);
        v.index_buckets = shm::load_once(h.index_buckets);
        if (v.index_offset != 0) {
            if (v.index_buckets < 2 * std::uint64_t{v.max_channels} || v.index_buckets > (1u << 20) ||
                (v.index_buckets & (v.index_buckets - 1)) != 0)
                corrupt(name, "bad name index size " + std::to_string(v.index_buckets));
            if (!shm::table_inside(v.index_offset, v.index_buckets, sizeof(au32), end, size))
                corrupt(name, "name index outside the segment");
            end = v.index_offset + std::uint64_t{v.index_buckets} * sizeof(au32);
        }
    }
    if (total_size > size || total_size < end)
        corrupt(name, "recorded size " + std::to_string(total_size) + " does not match segment size " +
                          std::to_string(size));
    return v;
}

bool slot_name(const channel_slot& s, std::string& out) {
    const void* nul = std::memchr(s.name, '\0', sizeof s.name);
    if (nul == nullptr) return false;
    out.assign(s.name, static_cast<const char*>(nul));
    return !out.empty() && out.size() <= max_channel_name; // writers never store longer ones
}

bool slot_holds(const channel_slot& s, std::string_view name) noexcept {
    return name.size() < sizeof s.name && std::memcmp(s.name, name.data(), name.size()) == 0 &&
           s.name[name.size()] == '\0';
}

std::uint32_t name_hash(std::string_view name) noexcept {
    std::uint32_t h = 2166136261u;
    for (char c : name) {
        h ^= static_cast<unsigned char>(c);
        h *= 16777619u;
    }
    return h ^ (h >> 16);
}

} // namespace counters::detail

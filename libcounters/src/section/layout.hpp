// SPDX-License-Identifier: MIT
// The wire format of a channel-counter section (version 1.1). Private: see counters(5).
// Fixed-width fields, explicit padding, offsets from the start of the segment, never pointers.
#pragma once

#include "../shm/claim.hpp"
#include "../shm/header.hpp"
#include "../shm/process.hpp"

#include <counters/counter.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace counters::detail {

using shm::a64;
using shm::au32;
using shm::au64;

inline constexpr char section_magic[8] = {'C', 'O', 'U', 'N', 'T', 'E', 'R', 'S'};

/// Values of header::state (shared by every format: see shm/header.hpp).
using shm::state_initialising;
using shm::state_ready;
using shm::state_retired;

/// Values of channel_slot::claim besides an in-progress claim (pid << 32 | start-time low bits).
using shm::claim_free;
using shm::claim_ready;

inline constexpr std::size_t name_field = 40; // 32 bytes + NUL, padded to 8
inline constexpr std::uint32_t default_process_slots = 256;
inline constexpr std::size_t process_entries = 32;

struct header {
    char magic[8];               //   0
    std::uint16_t major;         //   8
    std::uint16_t minor;         //  10
    std::uint32_t header_size;   //  12
    std::uint32_t slot_size;     //  16
    std::uint32_t block_size;    //  20
    std::uint32_t max_channels;  //  24
    std::uint32_t name_size;     //  28
    au32 state;                  //  32
    std::uint32_t process_slots; //  36
    std::uint32_t process_slot_size; // 40
    std::uint32_t counter_count; //  44
    std::int64_t created;        //  48
    std::uint64_t instance_id;   //  56
    std::uint64_t channels_offset; // 64
    std::uint64_t processes_offset; // 72
    std::uint64_t total_size;    //  80
    std::int32_t creator_pid;    //  88
    std::uint32_t reserved0;     //  92
    a64 clear_time;              //  96
    a64 clear_count;             // 104
    a64 overflow;                // 112
    // Since 1.1: the name index (0 in a 1.0 section, which has none).
    std::uint64_t index_offset;  // 120 open-addressing table of au32 (slot + 1, 0 empty)
    std::uint32_t index_buckets; // 128 a power of two, at least twice max_channels
    au32 indexed_upto;           // 132 every ready slot below it is in the name index
    std::uint8_t reserved[120];  // 136 .. 256
};
static_assert(sizeof(header) == 256);
static_assert(offsetof(header, state) == 32);
static_assert(offsetof(header, created) == 48);
static_assert(offsetof(header, channels_offset) == 64);
static_assert(offsetof(header, clear_time) == 96);
static_assert(offsetof(header, overflow) == 112);
static_assert(offsetof(header, major) == 8 && offsetof(header, minor) == 10);
static_assert(offsetof(header, header_size) == 12 && offsetof(header, slot_size) == 16);
static_assert(offsetof(header, block_size) == 20 && offsetof(header, max_channels) == 24);
static_assert(offsetof(header, name_size) == 28 && offsetof(header, process_slots) == 36);
static_assert(offsetof(header, process_slot_size) == 40 && offsetof(header, counter_count) == 44);
static_assert(offsetof(header, instance_id) == 56 && offsetof(header, processes_offset) == 72);
static_assert(offsetof(header, total_size) == 80 && offsetof(header, creator_pid) == 88);
static_assert(offsetof(header, clear_count) == 104);
static_assert(offsetof(header, index_offset) == 120 && offsetof(header, index_buckets) == 128);
static_assert(offsetof(header, indexed_upto) == 132);
static_assert(offsetof(header, magic) == 0 && offsetof(header, major) == shm::major_offset &&
              offsetof(header, minor) == shm::minor_offset &&
              offsetof(header, header_size) == shm::header_size_offset &&
              offsetof(header, state) == shm::state_offset,
              "the header begins with the prefix every format shares");

struct alignas(64) channel_slot {
    au64 claim;                     //   0: free / ready / pid<<32|time of a registration
    std::int64_t claim_time;        //   8: when the registration started
    char name[name_field];          //  16: NUL-terminated, at most 32 bytes
    std::uint64_t reserved0;        //  56
    a64 value[counter_count];       //  64
    a64 minimum[counter_count];     // 304
    a64 last_in;                    // 544
    a64 last_out;                   // 552
    a64 shared_current_in;          // 560: current associations not kept per process
    a64 shared_current_out;         // 568
};
static_assert(counter_count == 30, "a new counter changes the wire format: bump the version");
static_assert(sizeof(channel_slot) == 576);
static_assert(offsetof(channel_slot, name) == 16);
static_assert(offsetof(channel_slot, value) == 64);
static_assert(offsetof(channel_slot, minimum) == 304);
static_assert(offsetof(channel_slot, last_in) == 544);
static_assert(offsetof(channel_slot, claim) == 0 && offsetof(channel_slot, claim_time) == 8);
static_assert(offsetof(channel_slot, last_out) == 552);
static_assert(offsetof(channel_slot, shared_current_in) == 560);
static_assert(offsetof(channel_slot, shared_current_out) == 568);

struct process_entry {
    au32 channel_plus1; // 0: unused; otherwise channel index + 1
    std::uint32_t reserved;
    a64 current_in;
    a64 current_out;
    std::uint64_t reserved1;
};
static_assert(sizeof(process_entry) == 32);
static_assert(offsetof(process_entry, current_in) == 8 && offsetof(process_entry, current_out) == 16);

struct alignas(64) process_slot {
    au64 owner;               //  0: 0 free; pid; pid | owner_busy while being claimed or reset
    a64 start_ticks;          //  8: the owner's start time (/proc/PID/stat field 22)
    std::uint8_t reserved[48];
    process_entry entry[process_entries]; // 64
};
static_assert(sizeof(process_slot) == 64 + 32 * process_entries);
static_assert(offsetof(process_slot, owner) == 0 && offsetof(process_slot, start_ticks) == 8);
static_assert(offsetof(process_slot, entry) == 64);
using shm::owner_busy;
/// The former name of owner_busy in this format.
inline constexpr std::uint64_t owner_claiming = owner_busy;

/// Buckets of the name index for a table of @p max_channels: a power of two, at least
/// twice as many, so that a probe sequence stays short.
constexpr std::uint32_t index_buckets_for(std::uint32_t max_channels) {
    std::uint32_t b = 64;
    while (b < 2 * std::uint64_t{max_channels}) b *= 2;
    return b;
}

/// Byte offsets and size of a section with these parameters.
struct geometry {
    std::uint64_t channels_offset;
    std::uint64_t processes_offset;
    std::uint64_t index_offset;
    std::uint32_t index_buckets;
    std::uint64_t total_size;
};
constexpr geometry compute_geometry(std::uint32_t max_channels, std::uint32_t process_slots) {
    geometry g{};
    g.channels_offset = sizeof(header);
    g.processes_offset = g.channels_offset + std::uint64_t{max_channels} * sizeof(channel_slot);
    g.index_offset = g.processes_offset + std::uint64_t{process_slots} * sizeof(process_slot);
    g.index_buckets = index_buckets_for(max_channels);
    g.total_size = g.index_offset + (std::uint64_t{g.index_buckets} * sizeof(au32) + 63) / 64 * 64;
    return g;
}

} // namespace counters::detail

// SPDX-License-Identifier: MIT
// The wire format of a counter registry (version 2). Private: see counters-registry(5).
// Fixed-width fields, explicit padding, offsets from the start of the segment, never pointers.
#pragma once

#include "../shm/claim.hpp"
#include "../shm/header.hpp"
#include "../shm/process.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace counters::detail::reg {

using shm::a64;
using shm::au32;
using shm::au64;

inline constexpr char magic[8] = {'C', 'T', 'R', 'R', 'E', 'G', 'S', 'T'};
inline constexpr std::uint16_t major = 2; // 2: double-buffered STRING storage
inline constexpr std::uint16_t minor = 0;

/// Values of header::state (shared by every format: see shm/header.hpp).
using shm::state_initialising;
using shm::state_ready;
using shm::state_retired;

/// Values of a claim word (object and instance slots) besides an in-progress claim, which
/// holds the registrant's pid and start time (see shm/claim.hpp).
using shm::claim_free;
using shm::claim_ready;

inline constexpr std::size_t name_field = 40;        // 32 bytes + NUL, padded to 8
inline constexpr std::size_t max_name = 32;

/// Field kinds as stored.
enum : std::uint8_t { kind_counter = 1, kind_gauge = 2, kind_time = 3, kind_string = 4 };
/// field_desc::flags
enum : std::uint8_t {
    flag_per_process = 1, ///< GAUGE kept per writer process (16-byte storage: total, shared)
};

/// Parameters fixed at creation (defaults; the header records the real values).
inline constexpr std::uint32_t default_max_objects = 64;
inline constexpr std::uint32_t default_max_fields = 32;
inline constexpr std::uint32_t default_max_instances = 32;
inline constexpr std::uint32_t default_data_size = 2048; // a 512-byte STRING takes 1032
inline constexpr std::uint32_t default_process_slots = 256;
inline constexpr std::size_t process_entries = 32;
/// Upper bounds a reader accepts.
inline constexpr std::uint32_t limit_objects = 1024;
inline constexpr std::uint32_t limit_fields = 64;
inline constexpr std::uint32_t limit_instances = 1024;
inline constexpr std::uint32_t limit_data_size = 65536;
inline constexpr std::uint32_t limit_process_slots = 65536;

struct header {
    char magic[8];                   //   0
    std::uint16_t major;             //   8
    std::uint16_t minor;             //  10
    std::uint32_t header_size;       //  12
    std::uint32_t object_size;       //  16 bytes per object slot
    std::uint32_t max_objects;       //  20
    std::uint32_t max_fields;        //  24 field descriptors per object
    std::uint32_t max_instances;     //  28 instance slots per object
    au32 state;                      //  32
    std::uint32_t name_size;         //  36 size of every name field (40)
    std::uint32_t field_desc_size;   //  40 (64)
    std::uint32_t instance_size;     //  44 bytes per instance slot (64 + data_size)
    std::uint32_t data_size;         //  48 bytes of field data per instance
    std::uint32_t process_slots;     //  52
    std::uint32_t process_slot_size; //  56
    std::uint32_t process_entries;   //  60 entries per process slot
    std::int64_t created;            //  64
    std::uint64_t instance_id;       //  72
    std::uint64_t objects_offset;    //  80
    std::uint64_t processes_offset;  //  88
    std::uint64_t total_size;        //  96
    std::int32_t creator_pid;        // 104
    std::uint32_t reserved0;         // 108
    a64 modified;                    // 112 last registration or reset
    a64 reaped;                      // 120 bumped after each reaping of a dead writer's shares
    std::uint8_t reserved[128];      // 128 .. 256
};
static_assert(sizeof(header) == 256);
static_assert(offsetof(header, state) == 32);
static_assert(offsetof(header, data_size) == 48);
static_assert(offsetof(header, created) == 64);
static_assert(offsetof(header, objects_offset) == 80);
static_assert(offsetof(header, modified) == 112);
static_assert(offsetof(header, reaped) == 120);
static_assert(offsetof(header, magic) == 0 && offsetof(header, major) == shm::major_offset &&
              offsetof(header, minor) == shm::minor_offset &&
              offsetof(header, header_size) == shm::header_size_offset &&
              offsetof(header, state) == shm::state_offset,
              "the header begins with the prefix every format shares");

/// One field of an object's schema.
struct field_desc {
    char name[name_field];  //  0 NUL-terminated
    std::uint8_t kind;      // 40
    std::uint8_t flags;     // 41
    std::uint16_t reserved0; // 42
    std::uint32_t size;     // 44 value size in bytes (8, or a STRING's capacity)
    std::uint32_t offset;   // 48 offset of the storage inside an instance's data area
    std::uint32_t storage;  // 52 bytes of storage
    std::uint64_t reserved1; // 56
};
static_assert(sizeof(field_desc) == 64);
static_assert(offsetof(field_desc, kind) == 40);
static_assert(offsetof(field_desc, size) == 44);
static_assert(offsetof(field_desc, offset) == 48);

/// Head of an object slot; followed by max_fields field_desc, then max_instances instances.
struct object_head {
    au64 claim;              //   0
    std::int64_t claim_time; //   8
    char name[name_field];   //  16
    std::uint32_t field_count; // 56
    std::uint32_t reserved0; //  60
    std::int64_t created;    //  64
    std::uint8_t reserved[56]; // 72 .. 128
};
static_assert(sizeof(object_head) == 128);
static_assert(offsetof(object_head, name) == 16);
static_assert(offsetof(object_head, field_count) == 56);

/// Head of an instance slot; followed by data_size bytes of field storage.
struct instance_head {
    au64 claim;              //  0
    std::int64_t claim_time; //  8
    char name[name_field];   // 16
    std::uint64_t reserved;  // 56
};
static_assert(sizeof(instance_head) == 64);

/// Storage of a STRING field: a sequence word, then two buffers of the bytes packed in 64-bit
/// words (each size rounded up to 8). seq low 32 bits: a generation; buffer (gen >> 1) & 1
/// holds the published value. Odd = a writer (pid in the high 32 bits) is filling the other
/// buffer. Readers copy the published buffer and retry only when the generation advanced by
/// two publications meanwhile; a writer takes over from a dead writer.
inline constexpr std::uint32_t string_capacity_words(std::uint32_t size) { return (size + 7) / 8; }
inline constexpr std::uint32_t string_storage(std::uint32_t size) { return 8 + 2 * string_capacity_words(size) * 8; }
/// Storage of a per-process GAUGE: total over all writers (for high-water marks) and the
/// contributions of writers that had no per-process entry.
inline constexpr std::uint32_t per_process_storage = 16;

struct process_entry {
    au32 key;               // 0: unused; else 1 + (object * max_instances + instance) * max_fields + field
    std::uint32_t reserved;
    a64 value;              // this process's contribution
};
static_assert(sizeof(process_entry) == 16);

struct alignas(64) process_slot {
    au64 owner;             //  0: 0 free; pid; pid | owner_busy while being claimed or reaped
    a64 start_ticks;        //  8
    a64 attached;           // 16 time of attachment
    std::uint8_t reserved[40];
    process_entry entry[process_entries]; // 64
};
static_assert(sizeof(process_slot) == 64 + 16 * process_entries);
using shm::owner_busy;

struct geometry {
    std::uint32_t instance_size;
    std::uint32_t object_size;
    std::uint64_t objects_offset;
    std::uint64_t processes_offset;
    std::uint64_t total_size;
};
constexpr std::uint64_t round64(std::uint64_t v) { return (v + 63) / 64 * 64; }
constexpr geometry compute_geometry(std::uint32_t max_objects, std::uint32_t max_fields,
                                    std::uint32_t max_instances, std::uint32_t data_size,
                                    std::uint32_t process_slots) {
    geometry g{};
    g.instance_size = static_cast<std::uint32_t>(round64(sizeof(instance_head) + data_size));
    g.object_size = static_cast<std::uint32_t>(
        round64(sizeof(object_head) + std::uint64_t{max_fields} * sizeof(field_desc) +
                std::uint64_t{max_instances} * g.instance_size));
    g.objects_offset = sizeof(header);
    g.processes_offset = g.objects_offset + std::uint64_t{max_objects} * g.object_size;
    g.total_size = g.processes_offset + std::uint64_t{process_slots} * sizeof(process_slot);
    return g;
}

/// The geometry of a checked registry, read once from its header into local values (see
/// check_header()). Every later access uses these, never the header's fields again: a
/// process rewriting the header of a live registry cannot steer anyone outside the mapping.
struct registry_view {
    header* hdr = nullptr;
    std::uint16_t major = 0, minor = 0;
    std::uint32_t max_objects = 0;
    std::uint32_t object_size = 0;
    std::uint32_t max_fields = 0;
    std::uint32_t field_desc_size = 0;
    std::uint32_t max_instances = 0;
    std::uint32_t instance_size = 0;
    std::uint32_t data_size = 0;
    std::uint32_t process_slots = 0;
    std::uint32_t process_slot_size = 0;
    std::uint64_t objects_offset = 0;
    std::uint64_t processes_offset = 0;
};

/// The header's fields copied without any check: for tests that build or damage images on
/// purpose. Never for an image from elsewhere: use check_header().
inline registry_view unchecked_view(const header& h) noexcept {
    registry_view v;
    v.hdr = const_cast<header*>(&h);
    v.major = h.major;
    v.minor = h.minor;
    v.max_objects = h.max_objects;
    v.object_size = h.object_size;
    v.max_fields = h.max_fields;
    v.field_desc_size = h.field_desc_size;
    v.max_instances = h.max_instances;
    v.instance_size = h.instance_size;
    v.data_size = h.data_size;
    v.process_slots = h.process_slots;
    v.process_slot_size = h.process_slot_size;
    v.objects_offset = h.objects_offset;
    v.processes_offset = h.processes_offset;
    return v;
}

/// Addressing inside a checked image.
inline unsigned char* base(const registry_view& v) noexcept { return reinterpret_cast<unsigned char*>(v.hdr); }
inline object_head* object_at(const registry_view& v, std::uint32_t i) noexcept {
    return reinterpret_cast<object_head*>(base(v) + v.objects_offset + std::uint64_t{i} * v.object_size);
}
inline field_desc* field_at(const registry_view& v, object_head* o, std::uint32_t f) noexcept {
    return reinterpret_cast<field_desc*>(reinterpret_cast<unsigned char*>(o) + sizeof(object_head) +
                                         std::uint64_t{f} * v.field_desc_size);
}
inline instance_head* instance_at(const registry_view& v, object_head* o, std::uint32_t i) noexcept {
    return reinterpret_cast<instance_head*>(reinterpret_cast<unsigned char*>(o) + sizeof(object_head) +
                                            std::uint64_t{v.max_fields} * v.field_desc_size +
                                            std::uint64_t{i} * v.instance_size);
}
inline unsigned char* data_of(instance_head* in) noexcept {
    return reinterpret_cast<unsigned char*>(in) + sizeof(instance_head);
}
inline process_slot* process_at(const registry_view& v, std::uint32_t i) noexcept {
    return reinterpret_cast<process_slot*>(base(v) + v.processes_offset + std::uint64_t{i} * v.process_slot_size);
}
inline std::uint32_t entry_key(const registry_view& v, std::uint32_t object, std::uint32_t instance,
                               std::uint32_t field) noexcept {
    return 1 + (object * v.max_instances + instance) * v.max_fields + field;
}

} // namespace counters::detail::reg

// SPDX-License-Identifier: MIT
/// @file registry_snapshot.hpp
/// Reader side of the counter registry: a plain-value copy of every object, its schema, its
/// instances and their values. Reading maps the registry read-only and treats it as untrusted
/// input: every size, offset, count, state and name is validated before use.
#pragma once

#include <counters/export.hpp>

#include <counters/registry.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace counters {

/// Registry metadata.
struct COUNTERS_API registry_info {
    std::string name;                 ///< registry (segment) name
    std::uint16_t version_major = 0;  ///< wire-format version
    std::uint16_t version_minor = 0;
    std::uint32_t numobjects = 0;     ///< objects registered
    std::uint32_t refcount = 0;       ///< live producer processes attached
    std::uint32_t max_objects = 0;    ///< object table size
    std::uint32_t max_fields = 0;     ///< schema size limit per object
    std::uint32_t max_instances = 0;  ///< instance slots per object
    std::uint32_t data_size = 0;      ///< bytes of field data per instance
    std::uint32_t process_slots = 0;  ///< writer-process slots
    std::int64_t created = 0;         ///< seconds since the epoch
    std::int64_t modified = 0;        ///< last registration or reset (seconds since the epoch)
    std::uint64_t instance_id = 0;    ///< random id drawn at creation
    std::uint64_t size = 0;           ///< segment size in bytes
    /// Empty when a producer would trust the registry; otherwise why it would not (its
    /// values may have been planted). Set by read_registry() only.
    std::string distrust;
};

/// One field's value in one instance.
struct COUNTERS_API field_value {
    std::string name;
    field_kind kind = field_kind::counter;
    std::uint32_t size = 8;    ///< value size in bytes (a STRING's capacity)
    bool per_process = false;  ///< a GAUGE summed over live writer processes
    std::int64_t number = 0;   ///< COUNTER, GAUGE, TIME (0: never set)
    std::string text;          ///< STRING (raw bytes: escape before printing)
    /// STRING only: no consistent copy within 100 ms (writers rewrote it continuously).
    bool torn = false;
};

struct COUNTERS_API instance_values {
    std::string name;
    std::vector<field_value> fields; ///< in schema order
    /// The field called @p field, or nullptr.
    const field_value* find(std::string_view field) const noexcept;
};

struct COUNTERS_API object_values {
    std::string name;
    object_schema schema;
    std::int64_t created = 0;
    std::uint64_t offset = 0;               ///< byte offset of the object in the segment
    std::vector<instance_values> instances; ///< in registration order
    const instance_values* find(std::string_view instance) const noexcept;
};

struct COUNTERS_API registry_snapshot {
    registry_info info;
    std::vector<object_values> objects; ///< in registration order
    const object_values* find(std::string_view object) const noexcept;
};

/// Maps registry @p name read-only and copies it. Waits briefly (1 s) for a registry being
/// created. Errors read `registry "NAME": ...`. Throws counters::error: not_found, permission, corrupt (truncated, bad sizes,
/// offsets, counts or names), foreign (bad magic), version (another major version),
/// not_ready, retired.
COUNTERS_API registry_snapshot read_registry(const std::string& name);

/// Decodes a registry image of @p size bytes at @p data (8-byte aligned) with the same
/// validation; @p name is used in messages only. For tests, fuzzers and offline inspection.
/// Process liveness (refcount, per-process gauges) is judged against this machine.
COUNTERS_API registry_snapshot decode_registry(const void* data, std::size_t size, const std::string& name);

} // namespace counters

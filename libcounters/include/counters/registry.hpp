// SPDX-License-Identifier: MIT
/// @file registry.hpp
/// Producer side of the counter registry: typed counter objects (imapstat, popstat, httpstat,
/// alarm, diskusage, serverresponse, ingest, and objects you define) kept in one named shared-memory
/// segment that `counterutil` reads.
///
/// A process attaches once with a `registry`, obtains a `counter_object` and one
/// `counter_instance` per instance name ("global", a partition, a service, an alarm), and
/// resolves typed field handles once. Recording through a handle is noexcept, lock-free and
/// allocation-free: a relaxed atomic read-modify-write (a compare-and-swap loop for high-water
/// marks, a short sequence-word protocol for strings). Handles are safe from any number of
/// threads and processes at once. Set-up calls throw counters::error.
#pragma once

#include <counters/export.hpp>

#include <counters/error.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace counters {

namespace detail {
struct registry_impl;
} // namespace detail

/// Every call that takes a registry name also takes an absolute path ("/var/lib/x/reg"):
/// a file-backed registry, same format and checks, whose numbers survive a restart and a
/// reboot (see validate_registry_name()).
///
/// The registry name used when none is given and `COUNTERS_REGISTRY` is unset.
inline constexpr const char* default_registry = "counters_registry";
/// Environment variable that overrides the default registry name.
inline constexpr const char* registry_env = "COUNTERS_REGISTRY";
/// Longest object, instance or field name, in bytes.
inline constexpr std::size_t max_registry_name = 32;

/// Returns the registry name to use: @p explicit_name when not empty, otherwise
/// `COUNTERS_REGISTRY` when set and not empty, otherwise "counters_registry".
COUNTERS_API std::string registry_name(const std::string& explicit_name = {});

/// What a field holds. All numeric kinds are signed 64-bit (a TIME is seconds since the epoch,
/// so there is no 2038 overflow).
enum class field_kind : std::uint8_t {
    counter = 1, ///< only grows (between resets)
    gauge = 2,   ///< goes up and down
    time = 3,    ///< seconds since the epoch; 0 means never set
    string = 4,  ///< text of at most size-1 bytes
};
/// "COUNTER", "GAUGE", "TIME" or "STRING".
COUNTERS_API const char* to_string(field_kind k) noexcept;

/// One field of an object's schema.
struct COUNTERS_API field_def {
    std::string name;          ///< 1..32 bytes of [A-Za-z0-9_.-]
    field_kind kind = field_kind::counter;
    std::uint32_t size = 8;    ///< 8 for numeric kinds; a STRING's capacity (2..512) incl. NUL
    /// GAUGE only: kept per writer process and summed by readers over live processes, so a
    /// crashed process's share disappears (current connections).
    bool per_process = false;
};
using object_schema = std::vector<field_def>;

/// The built-in schema of @p object (imapstat, popstat, httpstat, alarm, diskusage,
/// serverresponse, ingest), or nullptr.
COUNTERS_API const object_schema* builtin_schema(std::string_view object) noexcept;
/// Names of the built-in objects.
COUNTERS_API std::vector<std::string> builtin_objects();

/// Creation parameters of a registry (ignored when it exists).
struct COUNTERS_API registry_options {
    std::uint32_t max_objects = 64;    ///< object table size, 1..1024
    std::uint32_t max_instances = 32;  ///< instances per object, 1..1024
    unsigned mode = 0660;              ///< permission bits of a new registry
};

/// A COUNTER field of one instance. Default-constructed handles record nothing.
class COUNTERS_API counter_field {
public:
    counter_field() noexcept = default;
    /// Adds @p n (may be negative only to correct a mistake). noexcept, lock-free.
    void add(std::int64_t n = 1) const noexcept;
    /// Current value (relaxed load).
    std::int64_t get() const noexcept;
    explicit operator bool() const noexcept { return v_ != nullptr; }

private:
    friend class counter_instance;
    void* v_ = nullptr;
};

/// A GAUGE field of one instance. Default-constructed handles record nothing.
class COUNTERS_API gauge_field {
public:
    gauge_field() noexcept = default;
    /// Adds @p n (negative to decrease). For a per-process gauge, the change goes to this
    /// process's share. Returns the new total over all processes. noexcept, lock-free.
    std::int64_t add(std::int64_t n = 1) const noexcept;
    /// Adds @p n and raises the plain gauge @p high to the new total when that is a new
    /// high-water mark (maxConnections beside numCurrentConnections). For a per-process gauge
    /// a would-be new high is first checked against the live writer processes, reaping the
    /// shares of dead ones, so a crashed process's share never raises the mark. That check
    /// (a liveness test of each other writer: system calls) is the only case in which a
    /// recording call leaves user space; it happens only when the mark would rise.
    void add_tracking_max(std::int64_t n, const gauge_field& high) const noexcept;
    /// Sets the value (not allowed on per-process gauges: ignored there).
    void set(std::int64_t v) const noexcept;
    /// Raises the value to @p v when @p v is higher (high-water mark; CAS only then).
    void set_max(std::int64_t v) const noexcept;
    /// Lowers the value to @p v when @p v is lower (low-water mark; CAS only then).
    void set_min(std::int64_t v) const noexcept;
    /// The value: for a per-process gauge, the total over all writers since the last reaping
    /// of dead processes (readers show the exact sum over live processes).
    std::int64_t get() const noexcept;
    explicit operator bool() const noexcept { return v_ != nullptr; }

private:
    friend class counter_instance;
    void* v_ = nullptr;
    detail::registry_impl* impl_ = nullptr; // per-process gauges only
    std::uint32_t key_ = 0;
};

/// A TIME field of one instance (seconds since the epoch, 64-bit).
class COUNTERS_API time_field {
public:
    time_field() noexcept = default;
    /// Stores @p seconds (a single 64-bit atomic store: never torn).
    void set(std::int64_t seconds) const noexcept;
    /// Stores the current time.
    void stamp() const noexcept;
    std::int64_t get() const noexcept;
    explicit operator bool() const noexcept { return v_ != nullptr; }

private:
    friend class counter_instance;
    void* v_ = nullptr;
};

/// A STRING field of one instance.
class COUNTERS_API string_field {
public:
    string_field() noexcept = default;
    /// Stores @p s, truncated to the field's capacity minus one byte. The value is written
    /// into the unpublished one of two buffers and then published, so readers always copy a
    /// complete value. When another writer is in the middle of an update for too long, the
    /// call gives up and returns false (the other value wins); a writer that died mid-update
    /// is taken over. noexcept, never blocks for more than a few microseconds.
    bool set(std::string_view s) const noexcept;
    /// The field's capacity in bytes (including the terminating NUL).
    std::uint32_t capacity() const noexcept { return size_; }
    explicit operator bool() const noexcept { return v_ != nullptr; }

private:
    friend class counter_instance;
    void* v_ = nullptr;
    std::uint32_t size_ = 0;
};

/// One instance ("global", a partition, a service, an alarm) of an object.
/// Field lookups throw counters::error(errc::invalid_argument) when the object has no field
/// of that name and kind. Handles stay valid while any handle of the registry is alive.
class COUNTERS_API counter_instance {
public:
    counter_instance() = default;
    counter_field counter(std::string_view field) const;
    gauge_field gauge(std::string_view field) const;
    time_field time(std::string_view field) const;
    string_field string(std::string_view field) const;
    const std::string& name() const noexcept { return name_; }

private:
    friend class counter_object;
    std::shared_ptr<detail::registry_impl> impl_;
    std::uint32_t object_ = 0;
    std::uint32_t instance_ = 0;
    std::string name_;
    void* lookup(std::string_view field, field_kind kind, std::uint32_t* field_index, std::uint32_t* size,
                 bool* per_process) const;
};

/// A registered counter object.
class COUNTERS_API counter_object {
public:
    counter_object() = default;
    /// Finds or registers instance @p name (1..32 printable bytes, no spaces). Safe against
    /// concurrent registration and a registrant that died half-way.
    /// Throws counters::error: bad name (invalid_argument), instance table full (table_full).
    counter_instance instance(std::string_view name = "global") const;
    const std::string& name() const noexcept { return name_; }
    /// The schema as stored.
    const object_schema& schema() const noexcept { return schema_; }

private:
    friend class registry;
    std::shared_ptr<detail::registry_impl> impl_;
    std::uint32_t index_ = 0;
    std::string name_;
    object_schema schema_;
};

/// A producer's attachment to a registry. Attaching creates the registry when it is missing
/// (exactly one of several racing creators wins), takes a writer-process slot (the registry's
/// refcount counts live slots) and reaps the slots of processes that died, so that their
/// share of per-process gauges leaves the totals. Copies share one attachment.
/// Throws counters::error on set-up failure (bad name, permission, corrupt/foreign/newer
/// registry, never ready).
class COUNTERS_API registry {
public:
    explicit registry(const std::string& name = {}, const registry_options& options = {});
    ~registry();
    registry(const registry&) = default;
    registry& operator=(const registry&) = default;
    registry(registry&&) noexcept = default;
    registry& operator=(registry&&) noexcept = default;

    /// A built-in object, registered with its built-in schema on first use.
    /// Throws errc::invalid_argument for an unknown name, errc::exists when the registry holds
    /// the name with another schema, errc::table_full when the object table is full.
    counter_object object(std::string_view name);
    /// Registers (or finds) object @p name with @p schema. An existing object must have the
    /// same schema (names, kinds, sizes, flags, in order), else errc::exists.
    /// Throws errc::invalid_argument for a bad name or schema (no fields, more than 32, a
    /// duplicate or bad field name, a bad size, data larger than an instance can hold).
    counter_object define(std::string_view name, const object_schema& schema);
    const std::string& name() const noexcept;

private:
    std::shared_ptr<detail::registry_impl> impl_;
};

/// Reader and operator calls.
///@{
/// True when a segment called @p name exists.
COUNTERS_API bool registry_exists(const std::string& name);
/// Deletes the registry (the counterpart of delete_section()): unlinks it, then marks the
/// still-mapped segment retired; false when it did not exist. Needs write access. Attached
/// producers keep recording into their (now anonymous) mapping and do not re-attach;
/// producers that attach afterwards create a new registry. Throws counters::error.
COUNTERS_API bool delete_registry(const std::string& name);
/// The former name of delete_registry().
[[deprecated("use delete_registry()")]] inline bool remove_registry(const std::string& name) {
    return delete_registry(name);
}
/// Checks that @p name is usable as a registry name; throws
/// counters::error(errc::invalid_argument) otherwise. A plain name (1..200 bytes of
/// [A-Za-z0-9._-], not starting with '.') is a shared-memory object; a name starting with
/// '/' is a file-backed (persistent) registry at that absolute path: at most 1024 bytes, no
/// trailing '/', no empty, "." or ".." component, no component over 255 bytes, no control
/// characters (the file's directory must exist when it is created or opened).
/// Thread-safe.
COUNTERS_API void validate_registry_name(const std::string& name);
/// Resets @p counter of object @p object to 0 (a STRING to empty, a TIME to never).
/// @p counter is `FIELD` (every instance) or `INSTANCE.FIELD`; an instance name may hold
/// dots (the split is at the first dot followed by a field of the object). Names are
/// matched exactly (counterutil matches them without regard to case first). Opens the registry read-write
/// without creating it. Returns the number of values reset.
/// Throws counters::error: not_found (registry, object, instance or field missing),
/// invalid_argument (a per-process gauge, which describes live state and cannot be reset),
/// corrupt/foreign/version.
COUNTERS_API std::size_t reset_registry_counter(const std::string& registry, const std::string& object,
                                   const std::string& counter);
///@}

} // namespace counters

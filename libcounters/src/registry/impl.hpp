// SPDX-License-Identifier: MIT
// A producer's mapping of a counter registry: attachment, writer-process slots, and the
// structural writes (object and instance registration). Private.
#pragma once

#include "../shm/process.hpp"
#include "../shm/segment.hpp"
#include "check.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace counters::detail {

struct registry_impl {
    std::string name;
    shm::segment seg;
    reg::header* hdr = nullptr;
    reg::registry_view view;       // the geometry, checked once at attachment
    std::mutex mu;                 // registration (set-up calls only)
    shm::process_slot_cache procs; // this process's writer slot

    registry_impl(std::string n, shm::segment s);
    ~registry_impl();
    registry_impl(const registry_impl&) = delete;
    registry_impl& operator=(const registry_impl&) = delete;

    /// Takes a writer slot for this process (reaping the slots of dead writers on the way).
    /// False when every slot is held by a live process.
    bool claim_process_slot() noexcept;
    /// This process's entry for per-process gauge @p key; nullptr when none is free. Never
    /// waits (see shm::process_slot_cache).
    reg::process_entry* entry_for(std::uint32_t key) noexcept;
    /// Reaps the slots of dead writer processes (their shares leave the totals). Returns true
    /// when it reaped one or saw another process claiming or reaping a slot. Never waits;
    /// checks each other writer's liveness (system calls).
    bool reap_dead() noexcept;

    /// Finds or registers an object; returns its slot index. Throws counters::error.
    std::uint32_t resolve_object(std::string_view object, const object_schema& schema);
    /// Finds or registers an instance of object slot @p object. Throws counters::error.
    std::uint32_t resolve_instance(std::uint32_t object, std::string_view instance);
};

namespace reg {
/// Opens registry @p name, creating it with @p o when missing. Throws counters::error.
std::shared_ptr<registry_impl> open_or_create(const std::string& name, const registry_options& o);

/// Subtracts a departed process's per-process gauge shares from the totals and empties the
/// slot's entries. Safe to repeat (entries are exchanged with zero).
void reap_entries(const reg::registry_view& v, reg::process_slot& ps) noexcept;

/// Stores @p s into the STRING storage at @p storage of capacity @p size. See string_field.
bool store_string(void* storage, std::uint32_t size, std::string_view s) noexcept;
/// Copies a STRING; false when no consistent copy was obtained after bounded retries.
bool load_string(const void* storage, std::uint32_t size, std::string& out) noexcept;

/// True when the NUL-terminated name in @p field is @p n.
bool name_equals(const char (&field)[name_field], std::string_view n) noexcept;

} // namespace reg
} // namespace counters::detail

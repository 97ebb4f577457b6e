// A producer's mapping of a counter registry: attachment, writer-process slots, and the
// structural writes (object and instance registration). Private.
#pragma once

#include "registry_check.hpp"
#include "segment.hpp"

#include <atomic>
#include <mutex>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace counters::detail {

struct registry_impl {
    using header = reg::header;
    using process_slot = reg::process_slot;
    using process_entry = reg::process_entry;
    using object_head = reg::object_head;
    using instance_head = reg::instance_head;
    using field_desc = reg::field_desc;
    using geometry = reg::geometry;
    static constexpr std::uint64_t claim_free = reg::claim_free;
    static constexpr std::uint64_t claim_ready = reg::claim_ready;
    static constexpr std::uint64_t owner_busy = reg::owner_busy;

    std::string name;
    segment seg;
    reg::header* hdr = nullptr;
    std::mutex mu;                                  // registration and process-slot claims
    std::atomic<reg::process_slot*> mine{nullptr};  // this process's slot
    std::atomic<pid_t> mine_pid{0};

    registry_impl(std::string n, segment s);
    ~registry_impl();
    registry_impl(const registry_impl&) = delete;
    registry_impl& operator=(const registry_impl&) = delete;

    /// Reaps the slots of dead processes and takes one for this process (with mu held).
    /// Returns nullptr when every slot is in use by a live process.
    reg::process_slot* claim_process_slot();
    /// This process's entry for per-process gauge @p key; nullptr when none is free.
    reg::process_entry* entry_for(std::uint32_t key) noexcept;

    /// Finds or registers an object; returns its slot index. Throws counters::error.
    std::uint32_t resolve_object(std::string_view object, const object_schema& schema);
    /// Finds or registers an instance of object slot @p object. Throws counters::error.
    std::uint32_t resolve_instance(std::uint32_t object, std::string_view instance);
};

namespace reg {
/// Subtracts a departed process's per-process gauge shares from the totals and empties the
/// slot's entries. Safe to repeat (entries are exchanged with zero).
void reap_entries(const reg::header& h, reg::process_slot& ps) noexcept;

/// Stores @p s into the STRING storage at @p storage of capacity @p size. See string_field.
bool store_string(void* storage, std::uint32_t size, std::string_view s) noexcept;
/// Copies a STRING; false when no consistent copy was obtained after bounded retries.
bool load_string(const void* storage, std::uint32_t size, std::string& out) noexcept;

} // namespace reg
} // namespace counters::detail

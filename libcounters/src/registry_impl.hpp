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
    std::mutex mu;                                  // registration (set-up calls only)
    std::atomic<reg::process_slot*> mine{nullptr};  // this process's slot
    std::atomic<pid_t> mine_pid{0};
    /// pid of the process one of whose threads is claiming a process slot from a recording
    /// call (0: none). A pid other than ours was inherited across fork(): stale.
    std::atomic<pid_t> claimer{0};
    std::atomic<pid_t> failed_pid{0};          // a claim by this pid found no free slot...
    std::atomic<std::int64_t> failed_ms{0};    // ...at this monotonic time (retried after 1 s)

    registry_impl(std::string n, segment s);
    ~registry_impl();
    registry_impl(const registry_impl&) = delete;
    registry_impl& operator=(const registry_impl&) = delete;

    /// Reaps the slots of dead processes and takes one for this process (by one thread of
    /// the process at a time). Returns nullptr when every slot is in use by a live process.
    reg::process_slot* claim_process_slot() noexcept;
    /// This process's entry for per-process gauge @p key; nullptr when none is free. Never
    /// waits: the first call in a process (after fork()) claims a slot; a thread that finds
    /// another thread of its process claiming gets nullptr (the shared word) this once.
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
/// Subtracts a departed process's per-process gauge shares from the totals and empties the
/// slot's entries. Safe to repeat (entries are exchanged with zero).
void reap_entries(const reg::header& h, reg::process_slot& ps) noexcept;

/// Stores @p s into the STRING storage at @p storage of capacity @p size. See string_field.
bool store_string(void* storage, std::uint32_t size, std::string_view s) noexcept;
/// Copies a STRING; false when no consistent copy was obtained after bounded retries.
bool load_string(const void* storage, std::uint32_t size, std::string& out) noexcept;

} // namespace reg
} // namespace counters::detail

// SPDX-License-Identifier: MIT
// A writer's mapping of one incarnation of a section, and how to obtain one. Private.
#pragma once

#include "../shm/segment.hpp"
#include "check.hpp"

#include <counters/options.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace counters::detail {

/// How long set-up calls wait for a creator to publish a section, and for another process
/// to finish registering a channel, before giving up with an error.
inline constexpr std::chrono::milliseconds default_ready_wait{2000};
inline constexpr std::chrono::milliseconds claim_wait{5000};

struct mapping {
    shm::segment seg;
    section_view view;        // the geometry, validated once
    header* hdr = nullptr;    // == view.hdr
    std::uint32_t block_size = 1024;
    int block_shift = -1;     // >= 0 when block_size is a power of two
    shm::process_slot_cache procs; // this process's slot (current associations)

    /// Takes over a mapped, checked, ready segment. Throws counters::error when it is not.
    explicit mapping(shm::segment s);

    /// Converts a size in bytes to blocks, rounding up.
    std::int64_t blocks(std::uint64_t bytes) const noexcept {
        if (block_shift < 0) return to_blocks(bytes, block_size);
        if (bytes == 0) return 0;
        const std::uint64_t b = ((bytes - 1) >> block_shift) + 1; // same rounding, no divide
        constexpr std::uint64_t top = ~std::uint64_t{0} >> 1;
        return static_cast<std::int64_t>(b > top ? top : b);
    }
    bool ready() const noexcept {
        return hdr->state.load(std::memory_order_relaxed) == state_ready;
    }
    /// Finds or registers @p name; nullptr when the table is full (overflow is counted).
    /// Costs the same at any table size: the name index finds registered names, and a
    /// registration scans only the slots claimed since the index was last brought up to
    /// date. Waits at most @p wait for a live registrant holding a slot mid-registration,
    /// then throws counters::error(errc::system).
    channel_slot* resolve(std::string_view name, std::chrono::milliseconds wait = claim_wait);
    /// This process's entry for @p slot in its process slot; nullptr when none is free.
    /// Never waits.
    process_entry* entry_for(const channel_slot* slot) noexcept;

private:
    /// The slot of @p name found through the index, or nullptr. @p trusted is set false
    /// when there is no index or it proved damaged (then a miss proves nothing).
    channel_slot* lookup(std::string_view name, bool& trusted) const noexcept;
    void index_range(std::uint32_t from, std::uint32_t to) noexcept;
    void insert(std::uint32_t slot) noexcept;
};

/// Opens section @p name read-write, creating it with @p opts when it does not exist
/// (@p create_missing), and waits at most @p ready_wait until it is ready. Sets @p created
/// when this call created it. Throws counters::error.
std::unique_ptr<mapping> open_or_create(const std::string& name, const create_options& opts,
                                        bool create_missing, bool* created = nullptr,
                                        std::chrono::milliseconds ready_wait = default_ready_wait);

/// Checks creation options; throws errc::invalid_argument naming @p name.
void check_create_options(const std::string& name, const create_options& opts);

} // namespace counters::detail

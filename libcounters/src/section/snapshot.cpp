// SPDX-License-Identifier: MIT
// Reader side: copy a section into plain values, validating everything first.
#include "../shm/segment.hpp"
#include "check.hpp"

#include <counters/error.hpp>
#include <counters/options.hpp>
#include <counters/snapshot.hpp>

#include <chrono>
#include <thread>

namespace counters {

namespace {

using detail::channel_slot;
using detail::header;

void copy_channel(const channel_slot& s, channel_values& v) {
    for (std::size_t i = 0; i < counter_count; ++i) {
        v.value[i] = s.value[i].load(std::memory_order_relaxed);
        v.minimum[i] = s.minimum[i].load(std::memory_order_relaxed);
        // A minimum above the value can only be seen mid-update; report a consistent pair.
        if (v.minimum[i] > v.value[i]) v.minimum[i] = v.value[i];
        if (v.minimum[i] > 0) v.minimum[i] = 0;
    }
    v.last_in = s.last_in.load(std::memory_order_relaxed);
    v.last_out = s.last_out.load(std::memory_order_relaxed);
    v.current_in = s.shared_current_in.load(std::memory_order_relaxed);
    v.current_out = s.shared_current_out.load(std::memory_order_relaxed);
}

/// a + b, saturating: the per-process gauges come from an untrusted mapping, and a corrupt
/// one must not make the sum undefined.
std::int64_t add_saturating(std::int64_t a, std::int64_t b) noexcept {
    std::int64_t r = 0;
    if (__builtin_add_overflow(a, b, &r)) return b < 0 ? INT64_MIN : INT64_MAX;
    return r;
}

} // namespace

const channel_values* snapshot::find(std::string_view name) const noexcept {
    for (const auto& c : channels)
        if (c.name == name) return &c;
    return nullptr;
}

snapshot decode_snapshot(const void* data, std::size_t size, const std::string& name) {
    const detail::section_view view = detail::check_section(data, size, name);
    detail::shm::require_ready(data, name, detail::section_format);
    const header& h = *view.hdr;

    snapshot snap;
    section_info& info = snap.section;
    info.name = name;
    info.version_major = view.major;
    info.version_minor = view.minor;
    info.block_size = view.block_size;
    info.max_channels = view.max_channels;
    info.process_slots = view.process_slots;
    info.created = h.created;
    info.cleared = h.clear_time.load(std::memory_order_relaxed);
    info.clear_count = h.clear_count.load(std::memory_order_relaxed);
    info.overflow = h.overflow.load(std::memory_order_relaxed);
    info.instance_id = h.instance_id;
    info.size = size;

    // Used slots form a prefix: count them first so everything is allocated once.
    std::uint32_t used = 0;
    while (used < view.max_channels &&
           view.slot(used)->claim.load(std::memory_order_acquire) != detail::claim_free)
        ++used;
    snap.channels.reserve(used);
    constexpr std::uint32_t none = ~std::uint32_t{0};
    std::vector<std::uint32_t> index_of(used, none); // slot index -> snapshot index
    for (std::uint32_t i = 0; i < used; ++i) {
        const channel_slot& s = *view.slot(i);
        const std::uint64_t c = s.claim.load(std::memory_order_acquire);
        if (c == detail::claim_free) break;
        if (c != detail::claim_ready) continue; // a registration in progress: not yet a channel
        channel_values v;
        if (!detail::slot_name(s, v.name))
            throw error(errc::corrupt, name,
                        "corrupt section: channel slot " + std::to_string(i) + " has a bad name");
        copy_channel(s, v);
        v.slot = i;
        index_of[i] = static_cast<std::uint32_t>(snap.channels.size());
        snap.channels.push_back(std::move(v));
    }
    info.channels = static_cast<std::uint32_t>(snap.channels.size());

    // Current associations: sum the per-process entries of live processes.
    for (std::uint32_t p = 0; p < view.process_slots; ++p) {
        const detail::process_slot& ps = *view.process(p);
        const std::uint64_t owner = ps.owner.load(std::memory_order_acquire);
        if (owner == 0 || (owner & detail::owner_busy) != 0 || owner > 0x7fffffffu) continue;
        if (!detail::shm::process_alive(static_cast<pid_t>(owner), ps.start_ticks.load(std::memory_order_relaxed)))
            continue;
        for (const auto& e : ps.entry) {
            const std::uint32_t c = e.channel_plus1.load(std::memory_order_relaxed);
            if (c == 0) continue;
            if (c - 1 >= used || index_of[c - 1] == none) continue;
            channel_values& v = snap.channels[index_of[c - 1]];
            v.current_in = add_saturating(v.current_in, e.current_in.load(std::memory_order_relaxed));
            v.current_out = add_saturating(v.current_out, e.current_out.load(std::memory_order_relaxed));
        }
    }
    for (auto& v : snap.channels) {
        if (v.current_in < 0) v.current_in = 0;
        if (v.current_out < 0) v.current_out = 0;
    }
    return snap;
}

snapshot read_snapshot(const std::string& requested) {
    const std::string name = section_name(requested);
    validate_section_name(name);
    using namespace std::chrono_literals;
    const auto deadline = std::chrono::steady_clock::now() + 1s;
    for (;;) {
        detail::shm::segment seg =
            detail::shm::segment::open(name, object_kind::section, detail::shm::segment::access::read_only);
        try {
            auto snap = decode_snapshot(seg.data(), seg.size(), name);
            snap.section.distrust = seg.distrust();
            return snap;
        } catch (const error& e) {
            // A section being created (or replaced) becomes ready within moments: retry.
            if ((e.code() != errc::not_ready && e.code() != errc::retired) ||
                std::chrono::steady_clock::now() > deadline)
                throw;
        }
        std::this_thread::sleep_for(5ms);
    }
}

} // namespace counters

// SPDX-License-Identifier: MIT
// Reader side: copy a section into plain values, validating everything first.
#include "../shm/segment.hpp"
#include "check.hpp"

#include <counters/error.hpp>
#include <counters/options.hpp>
#include <counters/snapshot.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <sys/mman.h>
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

/// Asks for transparent huge pages on the 2 MiB-aligned part of a large block that is about
/// to be written in full (the channels of a big table: 35 MiB at 65,536 channels). Such a
/// block is a fresh anonymous mapping of malloc's on every call; with 4 KiB pages each call
/// takes a page fault per 4 KiB, with huge pages one per 2 MiB. Only a hint: ignored when
/// the kernel has transparent huge pages off, and the block stays the allocator's.
void advise_huge_pages(void* p, std::size_t bytes) noexcept {
    constexpr std::uintptr_t huge = std::uintptr_t{2} << 20;
    if (bytes < 2 * huge) return;
    char* const base = static_cast<char*>(p);
    const auto at = reinterpret_cast<std::uintptr_t>(base);
    const auto begin = (at + huge - 1) & ~(huge - 1);
    const auto end = (at + bytes) & ~(huge - 1);
    if (end > begin) {
        const int saved = errno; // a refused hint is no error of the caller's
        ::madvise(base + (begin - at), end - begin, MADV_HUGEPAGE);
        errno = saved;
    }
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

namespace {

/// The section's metadata from a checked view (channels left at 0 for the caller).
section_info info_of(const detail::section_view& view, const std::string& name, std::size_t size) {
    const header& h = *view.hdr;
    section_info info;
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
    return info;
}

/// The end of the used slots. They form a prefix (a slot is never freed once claimed): a
/// binary search over the claim words (log2(max_channels) reads, not a pass over every
/// slot). The image is untrusted: the figure is only a hint, bounded by max_channels; the
/// passes over the slots stop at the first free slot whatever it says.
std::uint32_t used_prefix(const detail::section_view& view) noexcept {
    std::uint32_t lo = 0, hi = view.max_channels; // slot lo-1 is used (or lo == 0), slot hi is free (or hi == max)
    while (lo < hi) {
        const std::uint32_t mid = lo + (hi - lo) / 2;
        if (view.slot(mid)->claim.load(std::memory_order_relaxed) != detail::claim_free)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/// Reads the ready channel in slot @p at into @p v (everything but the current
/// associations, which come from the process slots). Throws counters::error (corrupt) on a
/// bad name.
void read_slot(const channel_slot& s, std::uint32_t at, channel_values& v, const std::string& name) {
    if (!detail::slot_name(s, v.name))
        throw error(errc::corrupt, name, "corrupt section: channel slot " + std::to_string(at) + " has a bad name");
    copy_channel(s, v);
    v.slot = at;
}

/// The open associations of one channel slot: the sum of the entries of live writer processes.
struct slot_current {
    std::uint32_t slot;
    std::int64_t in, out;
};

/// The open associations of live writer processes, summed per channel slot (one entry a
/// slot that has any), by ascending slot. The process table is small (process_slots
/// entries of a few channels each), so this is read first, and each channel then takes its
/// entry as the channels are copied: no second pass over the copied channels.
std::vector<slot_current> current_associations(const detail::section_view& view) {
    std::vector<slot_current> cur;
    for (std::uint32_t p = 0; p < view.process_slots; ++p) {
        const detail::process_slot& ps = *view.process(p);
        const std::uint64_t owner = ps.owner.load(std::memory_order_acquire);
        if (owner == 0 || (owner & detail::owner_busy) != 0 || owner > 0x7fffffffu) continue;
        if (!detail::shm::process_alive(static_cast<pid_t>(owner), ps.start_ticks.load(std::memory_order_relaxed)))
            continue;
        for (const auto& e : ps.entry) {
            const std::uint32_t c = e.channel_plus1.load(std::memory_order_relaxed);
            if (c == 0 || c > view.max_channels) continue;
            cur.push_back({c - 1, e.current_in.load(std::memory_order_relaxed),
                           e.current_out.load(std::memory_order_relaxed)});
        }
    }
    std::sort(cur.begin(), cur.end(), [](const slot_current& a, const slot_current& b) { return a.slot < b.slot; });
    std::size_t kept = 0;
    for (std::size_t i = 0; i < cur.size(); ++i) {
        if (kept > 0 && cur[kept - 1].slot == cur[i].slot) {
            cur[kept - 1].in = add_saturating(cur[kept - 1].in, cur[i].in);
            cur[kept - 1].out = add_saturating(cur[kept - 1].out, cur[i].out);
        } else {
            cur[kept++] = cur[i];
        }
    }
    cur.resize(kept);
    return cur;
}

/// Adds @p c (the entry of v's slot, or nullptr) to the shared gauges copied into @p v, and
/// reports no negative count.
void finish_current(channel_values& v, const slot_current* c) noexcept {
    if (c != nullptr) {
        v.current_in = add_saturating(v.current_in, c->in);
        v.current_out = add_saturating(v.current_out, c->out);
    }
    if (v.current_in < 0) v.current_in = 0;
    if (v.current_out < 0) v.current_out = 0;
}

} // namespace

snapshot decode_snapshot(const void* data, std::size_t size, const std::string& name) {
    const detail::section_view view = detail::check_section(data, size, name);
    detail::shm::require_ready(data, name, detail::section_format);

    snapshot snap;
    snap.section = info_of(view, name, size);
    section_info& info = snap.section;

    const std::vector<slot_current> currents = current_associations(view);
    snap.channels.reserve(used_prefix(view));
    advise_huge_pages(snap.channels.data(), snap.channels.capacity() * sizeof(channel_values));

    // One pass: each channel is built in place in the vector, its open associations added
    // from the (ascending) list as the slots go by. A slot whose registration is in progress
    // is not yet a channel.
    auto next = currents.begin();
    for (std::uint32_t at = 0; at < view.max_channels; ++at) {
        const channel_slot& s = *view.slot(at);
        const std::uint64_t c = s.claim.load(std::memory_order_acquire);
        if (c == detail::claim_free) break;
        if (c != detail::claim_ready) continue;
        channel_values& v = snap.channels.emplace_back();
        read_slot(s, at, v, name);
        while (next != currents.end() && next->slot < at) ++next;
        finish_current(v, next != currents.end() && next->slot == at ? &*next : nullptr);
    }
    info.channels = static_cast<std::uint32_t>(snap.channels.size());
    return snap;
}

namespace {

/// Opens section @p name read-only and calls @p decode(segment) on it, once it is ready: a
/// section being created (or replaced) becomes ready within moments, so not_ready and
/// retired are retried for up to a second. Throws counters::error.
template <class Decode>
auto with_ready_section(const std::string& name, Decode&& decode) {
    using namespace std::chrono_literals;
    const auto deadline = std::chrono::steady_clock::now() + 1s;
    for (;;) {
        detail::shm::segment seg =
            detail::shm::segment::open(name, object_kind::section, detail::shm::segment::access::read_only);
        try {
            return decode(seg);
        } catch (const error& e) {
            if ((e.code() != errc::not_ready && e.code() != errc::retired) ||
                std::chrono::steady_clock::now() > deadline)
                throw;
        }
        std::this_thread::sleep_for(5ms);
    }
}

} // namespace

snapshot read_snapshot(const std::string& requested) {
    const std::string name = section_name(requested);
    validate_section_name(name);
    return with_ready_section(name, [&](detail::shm::segment& seg) {
        auto snap = decode_snapshot(seg.data(), seg.size(), name);
        snap.section.distrust = seg.distrust();
        return snap;
    });
}

struct section_reader::state {
    detail::shm::segment segment;
    detail::section_view view;
    section_info info;
    std::uint32_t slots = 0;              ///< slots visited: the used ones when opened
    std::vector<std::uint32_t> skipped;   ///< of those, the ones not ready when opened (ascending)
    std::vector<slot_current> currents;   ///< open associations by ascending slot
};

section_reader::section_reader(const std::string& requested) {
    const std::string name = section_name(requested);
    validate_section_name(name);
    state_ = with_ready_section(name, [&](detail::shm::segment& seg) {
        const detail::section_view view = detail::check_section(seg.data(), seg.size(), name);
        detail::shm::require_ready(seg.data(), name, detail::section_format);
        auto st = std::make_unique<state>(state{std::move(seg), view, info_of(view, name, 0), 0, {}, {}});
        st->info.size = st->segment.size();
        st->info.distrust = st->segment.distrust();
        // The channel set is fixed now: the ready slots of the used prefix. A registration in
        // progress is skipped for the reader's life, so that info().channels stays exact.
        std::uint32_t used = 0, ready = 0;
        for (; used < view.max_channels; ++used) {
            const std::uint64_t c = view.slot(used)->claim.load(std::memory_order_acquire);
            if (c == detail::claim_free) break;
            if (c == detail::claim_ready)
                ++ready;
            else
                st->skipped.push_back(used);
        }
        st->slots = used;
        st->info.channels = ready;
        st->currents = current_associations(view);
        return st;
    });
}

section_reader::~section_reader() = default;
section_reader::section_reader(section_reader&&) noexcept = default;
section_reader& section_reader::operator=(section_reader&&) noexcept = default;

const section_info& section_reader::info() const noexcept { return state_->info; }

std::uint32_t section_reader::slot_count() const noexcept { return state_->slots; }

bool section_reader::read_channel(std::uint32_t slot, channel_values& out) const {
    const state& st = *state_;
    if (slot >= st.slots)
        throw std::out_of_range("section \"" + st.info.name + "\": slot " + std::to_string(slot) +
                                " is not below slot_count() " + std::to_string(st.slots));
    if (!st.skipped.empty() && std::binary_search(st.skipped.begin(), st.skipped.end(), slot)) return false;
    read_slot(*st.view.slot(slot), slot, out, st.info.name);
    const auto c = std::lower_bound(st.currents.begin(), st.currents.end(), slot,
                                    [](const slot_current& e, std::uint32_t at) { return e.slot < at; });
    finish_current(out, c != st.currents.end() && c->slot == slot ? &*c : nullptr);
    return true;
}

} // namespace counters

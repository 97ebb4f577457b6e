// SPDX-License-Identifier: MIT
// Creating, attaching to and registering channels in a section (the structural writes).
#include "mapping.hpp"

#include "../shm/claim.hpp"
#include "../shm/publish.hpp"

#include <counters/error.hpp>
#include <counters/version.hpp>

#include <cstring>

namespace counters::detail {

namespace {

void init_header(void* data, const create_options& o) {
    auto& h = *static_cast<header*>(data);
    const geometry g = compute_geometry(o.max_channels, default_process_slots);
    std::memcpy(h.magic, section_magic, sizeof h.magic);
    h.major = static_cast<std::uint16_t>(format_major);
    h.minor = static_cast<std::uint16_t>(format_minor);
    h.header_size = sizeof(header);
    h.slot_size = sizeof(channel_slot);
    h.block_size = o.block_size;
    h.max_channels = o.max_channels;
    h.name_size = name_field;
    h.process_slots = default_process_slots;
    h.process_slot_size = sizeof(process_slot);
    h.counter_count = counter_count;
    h.created = now_seconds();
    h.instance_id = shm::random_instance_id();
    h.channels_offset = g.channels_offset;
    h.processes_offset = g.processes_offset;
    h.index_offset = g.index_offset;
    h.index_buckets = g.index_buckets;
    h.total_size = g.total_size;
    h.creator_pid = current_pid();
}

/// The channel table as the engine's claim loop sees it.
class channel_table final : public shm::name_table {
public:
    channel_table(const section_view& v, const std::string& section) : v_(v), section_(section) {}
    std::uint32_t count() const noexcept override { return v_.max_channels; }
    shm::au64& claim(std::uint32_t i) const noexcept override { return v_.slot(i)->claim; }
    bool holds(std::uint32_t i, std::string_view name) const override { return slot_holds(*v_.slot(i), name); }
    void fill(std::uint32_t i, std::string_view name) const override {
        channel_slot& s = *v_.slot(i);
        s.claim_time = now_seconds();
        std::memset(s.name, 0, sizeof s.name);
        std::memcpy(s.name, name.data(), name.size());
    }
    [[noreturn]] void stuck(std::uint32_t i, std::uint32_t pid) const override {
        throw error(errc::system, section_,
                    "channel slot " + std::to_string(i) + " stays claimed by process " + std::to_string(pid));
    }

private:
    const section_view& v_;
    const std::string& section_;
};

/// The engine's view of the process table.
class section_processes final : public shm::process_table {
public:
    explicit section_processes(const section_view& v) : v_(v) {}
    std::uint32_t count() const noexcept override { return v_.process_slots; }
    shm::au64& owner(std::uint32_t i) const noexcept override { return v_.process(i)->owner; }
    shm::a64& start_ticks(std::uint32_t i) const noexcept override { return v_.process(i)->start_ticks; }
    // A dead writer's entries need no undoing: readers sum live processes' entries only.
    void reap(std::uint32_t i) const noexcept override { reset(i); }
    void reset(std::uint32_t i) const noexcept override {
        for (auto& e : v_.process(i)->entry) {
            e.current_in.store(0, std::memory_order_relaxed);
            e.current_out.store(0, std::memory_order_relaxed);
            e.channel_plus1.store(0, std::memory_order_relaxed);
        }
    }

private:
    const section_view& v_;
};

} // namespace

void check_create_options(const std::string& name, const create_options& o) {
    if (o.max_channels == 0 || o.max_channels > max_max_channels)
        throw error(errc::invalid_argument, name,
                    "max channels must be between 1 and " + std::to_string(max_max_channels) +
                        ", not " + std::to_string(o.max_channels));
    if (o.block_size == 0 || o.block_size > max_block_size)
        throw error(errc::invalid_argument, name,
                    "block size must be between 1 and " + std::to_string(max_block_size) +
                        ", not " + std::to_string(o.block_size));
    if (o.mode > 07777) throw error(errc::invalid_argument, name, "bad mode");
}

mapping::mapping(shm::segment s) : seg(std::move(s)) {
    view = check_section(seg.data(), seg.size(), seg.name());
    hdr = view.hdr;
    block_size = view.block_size;
    if ((block_size & (block_size - 1)) == 0) {
        block_shift = 0;
        while ((1u << block_shift) != block_size) ++block_shift;
    }
}

channel_slot* mapping::lookup(std::string_view name, bool& trusted) const noexcept {
    trusted = view.index_offset != 0;
    if (!trusted) return nullptr;
    // An index entry always names a ready slot, and at most about max_channels buckets are
    // in use, so a probe sequence ends at an empty bucket well before that. Anything else
    // means the index was damaged: the caller then scans the table instead.
    const std::uint32_t mask = view.index_buckets - 1;
    std::uint32_t b = name_hash(name) & mask;
    for (std::uint32_t n = 0; n <= view.max_channels; ++n, b = (b + 1) & mask) {
        const std::uint32_t v = view.bucket(b).load(std::memory_order_acquire);
        if (v == 0) return nullptr;
        if (v - 1 >= view.max_channels) break;
        channel_slot* s = view.slot(v - 1);
        if (s->claim.load(std::memory_order_acquire) != claim_ready) break;
        if (slot_holds(*s, name)) return s;
    }
    trusted = false;
    return nullptr;
}

void mapping::insert(std::uint32_t slot) noexcept {
    const channel_slot& s = *view.slot(slot);
    const std::string_view name(s.name, ::strnlen(s.name, sizeof s.name));
    const std::uint32_t mask = view.index_buckets - 1;
    std::uint32_t b = name_hash(name) & mask;
    for (std::uint32_t n = 0; n < view.index_buckets; ++n, b = (b + 1) & mask) {
        std::uint32_t v = view.bucket(b).load(std::memory_order_acquire);
        if (v == 0 && view.bucket(b).compare_exchange_strong(v, slot + 1, std::memory_order_acq_rel)) return;
        if (v == slot + 1) return; // indexed already (by another process)
    }
}

void mapping::index_range(std::uint32_t from, std::uint32_t to) noexcept {
    if (view.index_offset == 0) return;
    for (std::uint32_t i = from; i < to; ++i)
        if (view.slot(i)->claim.load(std::memory_order_acquire) == claim_ready) insert(i);
    // Every ready slot below `to` is now in the index.
    std::uint32_t cur = hdr->indexed_upto.load(std::memory_order_relaxed);
    while (cur < to && !hdr->indexed_upto.compare_exchange_weak(cur, to, std::memory_order_release)) {
    }
}

channel_slot* mapping::resolve(std::string_view name, std::chrono::milliseconds wait) {
    // Read the mark before the index: a name registered below it was indexed before the
    // mark moved past it (release/acquire), so the lookup below finds it.
    std::uint32_t from = 0;
    if (view.index_offset != 0) {
        from = hdr->indexed_upto.load(std::memory_order_acquire);
        if (from > view.max_channels) from = 0; // damaged: scan it all
    }
    bool trusted = false;
    if (channel_slot* s = lookup(name, trusted)) return s;
    if (!trusted) from = 0; // no index, or a damaged one: scan the whole table
    // Not in the index: scan the slots claimed since it was last brought up to date (a
    // few, whatever the table size), register the name in the first free one, and index
    // everything passed on the way. Uniqueness comes from the claim loop, as in a section
    // without an index; the index only speeds up finding registered names.
    const channel_table table(view, seg.name());
    const shm::claim_result r = shm::claim_name(table, name, wait, from);
    if (r.outcome == shm::claim_outcome::full) {
        index_range(from, view.max_channels);
        hdr->overflow.fetch_add(1, std::memory_order_relaxed);
        return nullptr;
    }
    index_range(from, r.index + 1);
    return view.slot(r.index);
}

process_entry* mapping::entry_for(const channel_slot* slot) noexcept {
    const section_processes table(view);
    const std::optional<std::uint32_t> mine = procs.get(table, false);
    if (!mine) return nullptr;
    process_slot* ps = view.process(*mine);
    const std::uint32_t idx = view.index_of(slot);
    for (auto& e : ps->entry) {
        std::uint32_t c = e.channel_plus1.load(std::memory_order_relaxed);
        if (c == idx + 1) return &e;
        if (c == 0) {
            if (e.channel_plus1.compare_exchange_strong(c, idx + 1, std::memory_order_relaxed) || c == idx + 1)
                return &e;
        }
    }
    return nullptr;
}

std::unique_ptr<mapping> open_or_create(const std::string& name, const create_options& opts,
                                        bool create_missing, bool* created,
                                        std::chrono::milliseconds ready_wait) {
    validate_section_name(name);
    check_create_options(name, opts);
    const geometry g = compute_geometry(opts.max_channels, default_process_slots);
    const shm::create_spec spec{g.total_size, opts.mode, opts.group, [&](void* data) { init_header(data, opts); }};
    shm::attached a = shm::attach(
        name, section_format, create_missing ? &spec : nullptr,
        [&](const void* data, std::size_t size) { check_section(data, size, name); }, ready_wait);
    if (created) *created = a.created;
    return std::make_unique<mapping>(std::move(a.seg));
}

} // namespace counters::detail

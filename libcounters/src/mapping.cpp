// Creating, attaching to and registering channels in a section (the structural writes).
#include "mapping.hpp"

#include <counters/error.hpp>
#include <counters/version.hpp>

#include <chrono>
#include <cstring>
#include <optional>
#include <thread>

namespace counters::detail {

namespace {

using namespace std::chrono_literals;

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
    h.instance_id = random_id();
    h.channels_offset = g.channels_offset;
    h.processes_offset = g.processes_offset;
    h.total_size = g.total_size;
    h.creator_pid = current_pid();
    h.state.store(state_ready, std::memory_order_release); // published last
}

bool name_equals(const channel_slot& s, std::string_view name) noexcept {
    return name.size() < sizeof s.name && std::memcmp(s.name, name.data(), name.size()) == 0 &&
           s.name[name.size()] == '\0';
}

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

mapping::mapping(segment s) : seg(std::move(s)) {
    hdr = static_cast<header*>(seg.data());
    block_size = hdr->block_size;
    if ((block_size & (block_size - 1)) == 0) {
        block_shift = 0;
        while ((1u << block_shift) != block_size) ++block_shift;
    }
}

channel_slot* mapping::find(std::string_view name) const noexcept {
    for (std::uint32_t i = 0; i < hdr->max_channels; ++i) {
        channel_slot* s = slot_at(*hdr, i);
        std::uint64_t c = s->claim.load(std::memory_order_acquire);
        if (c == claim_free) return nullptr;
        if (c == claim_ready && name_equals(*s, name)) return s;
    }
    return nullptr;
}

channel_slot* mapping::resolve(std::string_view name, std::chrono::milliseconds wait) {
    // Slots fill in order and are never freed, so the used ones form a prefix. Every
    // registrant scans that prefix, waiting on slots still being claimed, and claims the
    // first free slot with a compare-and-swap: a name can only ever be registered once.
    // The clock is read only when a slot is found mid-registration (rare), never per slot.
    for (std::uint32_t i = 0; i < hdr->max_channels; ++i) {
        channel_slot* s = slot_at(*hdr, i);
        std::optional<std::chrono::steady_clock::time_point> deadline;
        for (;;) {
            std::uint64_t c = s->claim.load(std::memory_order_acquire);
            if (c == claim_ready) {
                if (name_equals(*s, name)) return s;
                break; // next slot
            }
            bool take = false;
            std::uint64_t claim = new_claim();
            if (c == claim_free) {
                take = s->claim.compare_exchange_strong(c, claim, std::memory_order_acq_rel);
            } else if (claim_is_dead(c)) {
                // The registrant died (or stalled) before publishing: nobody uses the slot.
                take = s->claim.compare_exchange_strong(c, claim, std::memory_order_acq_rel);
            } else if (!deadline) {
                deadline = std::chrono::steady_clock::now() + wait;
                continue;
            } else if (std::chrono::steady_clock::now() > *deadline) {
                throw error(errc::system, seg.name(),
                            "channel slot " + std::to_string(i) + " stays claimed by process " +
                                std::to_string(c >> 32));
            } else {
                std::this_thread::sleep_for(50us);
                continue;
            }
            if (!take) continue; // lost the race: look again
            s->claim_time = now_seconds();
            std::memset(s->name, 0, sizeof s->name);
            std::memcpy(s->name, name.data(), name.size());
            s->claim.store(claim_ready, std::memory_order_release);
            return s;
        }
    }
    hdr->overflow.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
}

process_entry* mapping::entry_for(const channel_slot* slot) noexcept {
    const pid_t pid = current_pid();
    process_slot* ps = mine.load(std::memory_order_acquire);
    if (ps == nullptr || mine_pid.load(std::memory_order_relaxed) != pid) {
        std::lock_guard<std::mutex> lock(mine_mu); // first association event of this process
        ps = mine.load(std::memory_order_acquire);
        if (ps == nullptr || mine_pid.load(std::memory_order_relaxed) != pid) {
            ps = nullptr;
            const std::int64_t ticks = process_start_ticks(pid);
            for (std::uint32_t i = 0; i < hdr->process_slots && ps == nullptr; ++i) {
                process_slot* p = process_at(*hdr, i);
                std::uint64_t o = p->owner.load(std::memory_order_acquire);
                const bool free = o == 0;
                // A slot's owner may also have died mid-claim (owner = claiming | pid).
                const bool mid_claim = (o & owner_claiming) != 0;
                const bool dead =
                    !free && !process_alive(static_cast<pid_t>(o & ~owner_claiming),
                                            mid_claim ? -1 : p->start_ticks.load(std::memory_order_relaxed));
                if (!free && !dead) continue;
                std::uint64_t claiming = owner_claiming | static_cast<std::uint64_t>(pid);
                if (!p->owner.compare_exchange_strong(o, claiming, std::memory_order_acq_rel)) continue;
                for (auto& e : p->entry) {
                    e.current_in.store(0, std::memory_order_relaxed);
                    e.current_out.store(0, std::memory_order_relaxed);
                    e.channel_plus1.store(0, std::memory_order_relaxed);
                }
                p->start_ticks.store(ticks, std::memory_order_relaxed);
                p->owner.store(static_cast<std::uint64_t>(pid), std::memory_order_release);
                ps = p;
            }
            if (ps == nullptr) return nullptr;
            mine_pid.store(pid, std::memory_order_relaxed);
            mine.store(ps, std::memory_order_release);
        }
    }
    const auto idx = static_cast<std::uint32_t>(
        (reinterpret_cast<const unsigned char*>(slot) - reinterpret_cast<const unsigned char*>(slot_at(*hdr, 0))) /
        hdr->slot_size);
    for (auto& e : ps->entry) {
        std::uint32_t c = e.channel_plus1.load(std::memory_order_relaxed);
        if (c == idx + 1) return &e;
        if (c == 0) {
            if (e.channel_plus1.compare_exchange_strong(c, idx + 1, std::memory_order_relaxed) ||
                c == idx + 1)
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
    if (created) *created = false;
    const auto deadline = std::chrono::steady_clock::now() + ready_wait;
    for (;;) {
        if (create_missing) {
            const geometry g = compute_geometry(opts.max_channels, default_process_slots);
            if (auto seg = segment::create(name, g.total_size, opts.mode, opts.group)) {
                init_header(seg->data(), opts);
                // Deleted while we were creating it (before it was ready, so the deleter
                // could not retire it)? Then nobody can find it: start again.
                if (seg->unlinked()) continue;
                seg->close_descriptor();
                if (created) *created = true;
                return std::make_unique<mapping>(std::move(*seg));
            }
        }
        std::optional<segment> opened;
        try {
            opened.emplace(segment::open(name, segment::access::read_write));
        } catch (const error& e) {
            // Deleted between our create attempt and this open: try again.
            if (e.code() != errc::not_found || !create_missing ||
                std::chrono::steady_clock::now() > deadline)
                throw;
            continue;
        }
        segment& seg = *opened;
        if (seg.data() != nullptr && seg.size() >= sizeof(header)) {
            try {
                const header& h = check_header(seg.data(), seg.size(), name);
                std::uint32_t st = h.state.load(std::memory_order_acquire);
                if (st == state_ready) {
                    // Unlinked by a delete that found it still initialising (and so could
                    // not retire it)? Then nobody would ever tell us: look up the name again.
                    // A delete that unlinks after this check sees it ready and retires it.
                    if (seg.unlinked()) continue;
                    seg.close_descriptor();
                    return std::make_unique<mapping>(std::move(*opened));
                }
                if (st != state_retired) throw error(errc::corrupt, name, "corrupt section: bad state word");
            } catch (const error& e) {
                if (e.code() != errc::not_ready) throw;
            }
        }
        // Being created (size 0 or not yet ready) or retired (being deleted): wait briefly.
        if (std::chrono::steady_clock::now() > deadline)
            throw error(errc::not_ready, name,
                        "section never became ready (its creator may have died; delete it and "
                        "create it again)");
        std::this_thread::sleep_for(1ms);
    }
}

} // namespace counters::detail

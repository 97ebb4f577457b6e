// Counter registry, producer side: attach/create, process slots, registration, field handles.
#include "format.hpp"
#include "registry_impl.hpp"

#include <counters/error.hpp>
#include <counters/options.hpp>
#include <counters/registry.hpp>

#include <chrono>
#include <cstring>
#include <optional>
#include <sched.h>
#include <thread>

namespace counters {
namespace detail {
namespace reg {

namespace {

using namespace std::chrono_literals;
constexpr auto ready_wait = 2s;  // how long to wait for a creator to publish
constexpr auto claim_wait = 5s;  // how long to wait for another registrant

bool name_equals(const char (&field)[name_field], std::string_view n) noexcept {
    return n.size() < name_field && std::memcmp(field, n.data(), n.size()) == 0 && field[n.size()] == '\0';
}

void put_name(char (&field)[name_field], std::string_view n) noexcept {
    std::memset(field, 0, name_field);
    std::memcpy(field, n.data(), n.size());
}

void init_header(void* data, const registry_options& o, const geometry& g) {
    auto& h = *static_cast<header*>(data);
    std::memcpy(h.magic, magic, sizeof h.magic);
    h.major = major;
    h.minor = minor;
    h.header_size = sizeof(header);
    h.object_size = g.object_size;
    h.max_objects = o.max_objects;
    h.max_fields = default_max_fields;
    h.max_instances = o.max_instances;
    h.name_size = name_field;
    h.field_desc_size = sizeof(field_desc);
    h.instance_size = g.instance_size;
    h.data_size = default_data_size;
    h.process_slots = default_process_slots;
    h.process_slot_size = sizeof(process_slot);
    h.process_entries = process_entries;
    h.created = now_seconds();
    h.instance_id = random_id();
    h.objects_offset = g.objects_offset;
    h.processes_offset = g.processes_offset;
    h.total_size = g.total_size;
    h.creator_pid = current_pid();
    h.modified.store(h.created, std::memory_order_relaxed);
    h.state.store(state_ready, std::memory_order_release); // published last
}

std::shared_ptr<registry_impl> open_or_create(const std::string& name, const registry_options& o) {
    validate_registry_name(name);
    if (o.max_objects == 0 || o.max_objects > limit_objects)
        throw reg_error(errc::invalid_argument, name, "max objects must be between 1 and " + std::to_string(limit_objects));
    if (o.max_instances == 0 || o.max_instances > limit_instances)
        throw reg_error(errc::invalid_argument, name,
                    "max instances must be between 1 and " + std::to_string(limit_instances));
    if (o.mode > 07777) throw reg_error(errc::invalid_argument, name, "bad mode");
    const geometry g = compute_geometry(o.max_objects, default_max_fields, o.max_instances, default_data_size,
                                        default_process_slots);
    const auto deadline = std::chrono::steady_clock::now() + ready_wait;
    for (;;) {
        if (auto seg = segment::create(name, g.total_size, o.mode, -1)) {
            init_header(seg->data(), o, g);
            return std::make_shared<registry_impl>(name, std::move(*seg));
        }
        std::optional<segment> opened;
        try {
            opened.emplace(segment::open(name, segment::access::read_write));
        } catch (const error& e) {
            // Removed between our create attempt and this open: try again.
            if (e.code() != errc::not_found || std::chrono::steady_clock::now() > deadline) throw;
            continue;
        }
        if (opened->data() != nullptr) {
            try {
                const header& h = check_header(opened->data(), opened->size(), name);
                const std::uint32_t st = h.state.load(std::memory_order_acquire);
                if (st == state_ready) return std::make_shared<registry_impl>(name, std::move(*opened));
                if (st != state_retired) throw reg_error(errc::corrupt, name, "corrupt registry: bad state word");
                // Retired: removed after we opened it (it is already unlinked): try again.
            } catch (const error& e) {
                if (e.code() != errc::not_ready) throw;
            }
        }
        // Being created (size 0 or not yet ready) or just removed: wait briefly.
        if (std::chrono::steady_clock::now() > deadline)
            throw reg_error(errc::not_ready, name,
                        "registry never became ready (its creator may have died; remove it and try again)");
        std::this_thread::sleep_for(1ms);
    }
}

/// The total word of the per-process gauge a process entry key names, or nullptr.
a64* total_for_key(const header& h, std::uint32_t key) noexcept {
    if (key == 0) return nullptr;
    const std::uint32_t k = key - 1;
    const std::uint32_t f = k % h.max_fields;
    const std::uint32_t rest = k / h.max_fields;
    const std::uint32_t i = rest % h.max_instances;
    const std::uint32_t o = rest / h.max_instances;
    if (o >= h.max_objects) return nullptr;
    object_head* obj = object_at(h, o);
    if (obj->claim.load(std::memory_order_acquire) != claim_ready || f >= obj->field_count) return nullptr;
    const field_desc& d = *field_at(h, obj, f);
    if (d.kind != kind_gauge || (d.flags & flag_per_process) == 0 ||
        std::uint64_t{d.offset} + per_process_storage > h.data_size || d.offset % 8 != 0)
        return nullptr;
    instance_head* in = instance_at(h, obj, i);
    return reinterpret_cast<a64*>(data_of(in) + d.offset);
}

} // namespace

void reap_entries(const header& h, process_slot& ps) noexcept {
    for (auto& e : ps.entry) {
        const std::uint32_t key = e.key.load(std::memory_order_acquire);
        if (key == 0) continue;
        const std::int64_t v = e.value.exchange(0, std::memory_order_acq_rel);
        if (v != 0) {
            if (a64* total = total_for_key(h, key)) total->fetch_sub(v, std::memory_order_relaxed);
        }
        e.key.store(0, std::memory_order_release);
    }
}

} // namespace reg

registry_impl::registry_impl(std::string n, segment s) : name(std::move(n)), seg(std::move(s)) {
    using namespace reg;
    hdr = static_cast<header*>(seg.data());
}

registry_impl::~registry_impl() {
    using namespace reg;
    // A clean detach: this process's share of per-process gauges leaves the totals.
    process_slot* ps = mine.load(std::memory_order_acquire);
    const pid_t pid = current_pid();
    if (ps == nullptr || mine_pid.load(std::memory_order_relaxed) != pid) return;
    std::uint64_t o = static_cast<std::uint64_t>(pid);
    if (!ps->owner.compare_exchange_strong(o, owner_busy | o, std::memory_order_acq_rel)) return;
    reap_entries(*hdr, *ps);
    ps->owner.store(0, std::memory_order_release);
}

registry_impl::process_slot* registry_impl::claim_process_slot() noexcept {
    using namespace reg;
    const pid_t pid = current_pid();
    const std::int64_t ticks = process_start_ticks(pid);
    const std::uint64_t busy = owner_busy | static_cast<std::uint64_t>(pid);
    process_slot* got = nullptr;
    for (std::uint32_t i = 0; i < hdr->process_slots; ++i) {
        process_slot* p = process_at(*hdr, i);
        std::uint64_t o = p->owner.load(std::memory_order_acquire);
        if (o == 0) {
            if (got != nullptr) continue;
            if (!p->owner.compare_exchange_strong(o, busy, std::memory_order_acq_rel)) continue;
        } else {
            // A slot whose owner (or reaper) died: reap it, then keep or free it.
            const auto owner_pid = static_cast<pid_t>(o & 0x7fffffffffffffffULL);
            const bool is_busy = (o & owner_busy) != 0;
            if (owner_pid == pid) continue;
            const bool dead = is_busy ? !process_alive(owner_pid, -1)
                                      : !process_alive(owner_pid, p->start_ticks.load(std::memory_order_relaxed));
            if (!dead) continue;
            if (!p->owner.compare_exchange_strong(o, busy, std::memory_order_acq_rel)) continue;
            reap_entries(*hdr, *p);
            hdr->reaped.fetch_add(1, std::memory_order_release);
            if (got != nullptr) {
                p->owner.store(0, std::memory_order_release);
                continue;
            }
        }
        for (auto& e : p->entry) {
            e.value.store(0, std::memory_order_relaxed);
            e.key.store(0, std::memory_order_relaxed);
        }
        p->start_ticks.store(ticks, std::memory_order_relaxed);
        p->attached.store(now_seconds(), std::memory_order_relaxed);
        p->owner.store(static_cast<std::uint64_t>(pid), std::memory_order_release);
        got = p;
    }
    if (got != nullptr) {
        mine_pid.store(pid, std::memory_order_relaxed);
        mine.store(got, std::memory_order_release);
    }
    return got;
}

registry_impl::process_entry* registry_impl::entry_for(std::uint32_t key) noexcept {
    using namespace reg;
    const pid_t pid = current_pid();
    process_slot* ps = mine.load(std::memory_order_acquire);
    if (ps == nullptr || mine_pid.load(std::memory_order_relaxed) != pid) {
        // The first per-process event of this process (a child after fork(), or the attach
        // found no free slot). No mutex: one inherited locked across fork() would never be
        // released, and a recording call must not wait for a registration in another thread.
        if (failed_pid.load(std::memory_order_relaxed) == pid &&
            now_millis() - failed_ms.load(std::memory_order_relaxed) < 1000)
            return nullptr;
        pid_t c = claimer.load(std::memory_order_acquire);
        if (c == pid || !claimer.compare_exchange_strong(c, pid, std::memory_order_acq_rel)) return nullptr;
        ps = mine.load(std::memory_order_acquire);
        if (ps == nullptr || mine_pid.load(std::memory_order_relaxed) != pid) {
            ps = claim_process_slot();
            if (ps == nullptr) {
                failed_ms.store(now_millis(), std::memory_order_relaxed);
                failed_pid.store(pid, std::memory_order_relaxed);
            }
        }
        claimer.store(0, std::memory_order_release);
        if (ps == nullptr) return nullptr;
    }
    for (auto& e : ps->entry) {
        std::uint32_t c = e.key.load(std::memory_order_relaxed);
        if (c == key) return &e;
        if (c == 0) {
            if (e.key.compare_exchange_strong(c, key, std::memory_order_acq_rel) || c == key) return &e;
        }
    }
    return nullptr;
}

bool registry_impl::reap_dead() noexcept {
    using namespace reg;
    const pid_t pid = current_pid();
    bool touched = false;
    for (std::uint32_t i = 0; i < hdr->process_slots; ++i) {
        process_slot* p = process_at(*hdr, i);
        std::uint64_t o = p->owner.load(std::memory_order_acquire);
        if (o == 0) continue;
        const auto owner_pid = static_cast<pid_t>(o & 0x7fffffffffffffffULL);
        const bool is_busy = (o & owner_busy) != 0;
        if (owner_pid == pid) continue;
        const bool dead = is_busy ? !process_alive(owner_pid, -1)
                                  : !process_alive(owner_pid, p->start_ticks.load(std::memory_order_relaxed));
        if (!dead) {
            touched = touched || is_busy; // being claimed, or reaped by another process
            continue;
        }
        if (!p->owner.compare_exchange_strong(o, owner_busy | static_cast<std::uint64_t>(pid),
                                              std::memory_order_acq_rel)) {
            touched = true;
            continue;
        }
        reap_entries(*hdr, *p);
        hdr->reaped.fetch_add(1, std::memory_order_release);
        p->owner.store(0, std::memory_order_release);
        touched = true;
    }
    return touched;
}

std::uint32_t registry_impl::resolve_object(std::string_view object, const object_schema& schema) {
    using namespace reg;
    validate_name(name, "object", object, false);
    validate_schema(name, object, schema, hdr->max_fields, hdr->data_size);
    std::lock_guard<std::mutex> lock(mu);
    // Slots fill in order and are never freed, so the used ones form a prefix. Every
    // registrant scans it, waiting on slots still being claimed, and claims the first free
    // slot with a compare-and-swap: a name is registered at most once.
    for (std::uint32_t i = 0; i < hdr->max_objects; ++i) {
        object_head* o = object_at(*hdr, i);
        const auto deadline = std::chrono::steady_clock::now() + claim_wait;
        for (;;) {
            std::uint64_t c = o->claim.load(std::memory_order_acquire);
            if (c == claim_ready) {
                if (!name_equals(o->name, object)) break;
                const object_schema have = read_schema(*hdr, i, name);
                bool same = have.size() == schema.size();
                for (std::size_t f = 0; same && f < have.size(); ++f)
                    same = have[f].name == schema[f].name && have[f].kind == schema[f].kind &&
                           have[f].size == schema[f].size && have[f].per_process == schema[f].per_process;
                if (!same)
                    throw reg_error(errc::exists, name,
                                "object " + std::string(object) + " exists with a different schema");
                return i;
            }
            const std::uint64_t claim = new_claim();
            if (c != claim_free && !claim_is_dead(c)) {
                if (std::chrono::steady_clock::now() > deadline)
                    throw reg_error(errc::system, name,
                                "object slot " + std::to_string(i) + " stays claimed by process " +
                                    std::to_string(c >> 32));
                std::this_thread::sleep_for(50us);
                continue;
            }
            if (!o->claim.compare_exchange_strong(c, claim, std::memory_order_acq_rel)) continue;
            o->claim_time = now_seconds();
            put_name(o->name, object);
            std::uint32_t offset = 0;
            for (std::uint32_t f = 0; f < schema.size(); ++f) {
                field_desc& d = *field_at(*hdr, o, f);
                std::memset(&d, 0, sizeof d);
                put_name(d.name, schema[f].name);
                d.kind = static_cast<std::uint8_t>(schema[f].kind);
                d.flags = schema[f].per_process ? flag_per_process : 0;
                d.size = schema[f].size;
                d.storage = storage_of(schema[f]);
                d.offset = offset;
                offset += d.storage;
            }
            o->field_count = static_cast<std::uint32_t>(schema.size());
            o->created = now_seconds();
            o->claim.store(claim_ready, std::memory_order_release);
            hdr->modified.store(now_seconds(), std::memory_order_relaxed);
            return i;
        }
    }
    throw reg_error(errc::table_full, name,
                "object table full (" + std::to_string(hdr->max_objects) + " objects); cannot register " +
                    std::string(object));
}

std::uint32_t registry_impl::resolve_instance(std::uint32_t object, std::string_view instance) {
    using namespace reg;
    validate_name(name, "instance", instance, true);
    std::lock_guard<std::mutex> lock(mu);
    object_head* o = object_at(*hdr, object);
    for (std::uint32_t i = 0; i < hdr->max_instances; ++i) {
        instance_head* in = instance_at(*hdr, o, i);
        const auto deadline = std::chrono::steady_clock::now() + claim_wait;
        for (;;) {
            std::uint64_t c = in->claim.load(std::memory_order_acquire);
            if (c == claim_ready) {
                if (name_equals(in->name, instance)) return i;
                break;
            }
            const std::uint64_t claim = new_claim();
            if (c != claim_free && !claim_is_dead(c)) {
                if (std::chrono::steady_clock::now() > deadline)
                    throw reg_error(errc::system, name,
                                "instance slot " + std::to_string(i) + " stays claimed by process " +
                                    std::to_string(c >> 32));
                std::this_thread::sleep_for(50us);
                continue;
            }
            if (!in->claim.compare_exchange_strong(c, claim, std::memory_order_acq_rel)) continue;
            in->claim_time = now_seconds();
            put_name(in->name, instance);
            in->claim.store(claim_ready, std::memory_order_release);
            hdr->modified.store(now_seconds(), std::memory_order_relaxed);
            return i;
        }
    }
    throw reg_error(errc::table_full, name,
                "instance table of object " + std::string(o->name) + " full (" +
                    std::to_string(hdr->max_instances) + " instances); cannot register " + std::string(instance));
}

namespace reg {

bool store_string(void* storage, std::uint32_t size, std::string_view s) noexcept {
    // Two buffers; the sequence word's generation (low 32 bits) says which one is published:
    // buffer (gen >> 1) & 1. A writer makes the generation odd (holding the word, its pid in
    // the high 32 bits), fills the other buffer and publishes it by making the generation
    // even again. The published buffer is never written, so a reader always has a complete
    // value to copy, even while a writer is mid-update or after one died there.
    auto* seq = static_cast<au64*>(storage);
    const std::uint32_t cap = string_capacity_words(size) * 8;
    const pid_t self = current_pid();
    const std::uint64_t me = std::uint64_t(static_cast<std::uint32_t>(self)) << 32;
    std::uint64_t cur = seq->load(std::memory_order_relaxed);
    std::uint64_t held = 0;
    for (int spin = 0;; ++spin) {
        if ((cur & 1) == 0) {
            const std::uint64_t next = me | ((cur + 1) & 0xffffffffu);
            if (seq->compare_exchange_weak(cur, next, std::memory_order_acq_rel, std::memory_order_relaxed)) {
                held = next;
                break;
            }
            continue;
        }
        // Another writer is mid-update. Take over from a dead one (keeping its odd generation:
        // the buffer it was filling is the unpublished one); yield to a live one a bounded
        // number of times, then let its value win.
        const auto holder = static_cast<pid_t>(cur >> 32);
        if (spin >= 8 && holder != self && !process_alive(holder, -1)) {
            const std::uint64_t next = me | (cur & 0xffffffffu);
            if (seq->compare_exchange_strong(cur, next, std::memory_order_acq_rel, std::memory_order_relaxed)) {
                held = next;
                break;
            }
            continue;
        }
        if (spin >= 64) return false;
        sched_yield();
        cur = seq->load(std::memory_order_relaxed);
    }
    std::atomic_thread_fence(std::memory_order_release);
    const std::uint32_t gen = static_cast<std::uint32_t>(held);
    const std::uint32_t target = ((gen >> 1) + 1) & 1; // the unpublished buffer
    auto* words = reinterpret_cast<au64*>(static_cast<unsigned char*>(storage) + 8 + std::size_t{target} * cap);
    const std::size_t n = s.size() < size ? s.size() : size - 1;
    for (std::uint32_t w = 0; w < cap / 8; ++w) {
        unsigned char b[8] = {};
        for (std::size_t j = 0; j < 8; ++j) {
            const std::size_t at = std::size_t{w} * 8 + j;
            if (at < n) b[j] = static_cast<unsigned char>(s[at]);
        }
        std::uint64_t v;
        std::memcpy(&v, b, 8);
        words[w].store(v, std::memory_order_relaxed);
    }
    // Publish: even generation, no holder. Fails only when a writer took over from us.
    return seq->compare_exchange_strong(held, (held + 1) & 0xffffffffu, std::memory_order_release,
                                        std::memory_order_relaxed);
}

bool load_string(const void* storage, std::uint32_t size, std::string& out) noexcept {
    const auto* seq = static_cast<const au64*>(storage);
    const std::uint32_t cap = string_capacity_words(size) * 8;
    char buf[limit_data_size];
    // The published buffer is never written, so one copy normally suffices; it is redone
    // only when writers published twice while it was being made (the buffer was reused).
    // Bounded: a value rewritten continuously for 100 ms gives up.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
    for (int attempt = 0;; ++attempt) {
        if (attempt >= 64 && (attempt % 64) == 0 && std::chrono::steady_clock::now() > deadline) return false;
        const auto g1 = static_cast<std::uint32_t>(seq->load(std::memory_order_acquire));
        const std::uint32_t b = (g1 >> 1) & 1;
        const auto* words = reinterpret_cast<const au64*>(static_cast<const unsigned char*>(storage) + 8 +
                                                          std::size_t{b} * cap);
        for (std::uint32_t w = 0; w < cap / 8; ++w) {
            const std::uint64_t v = words[w].load(std::memory_order_relaxed);
            std::memcpy(buf + std::size_t{w} * 8, &v, 8);
        }
        std::atomic_thread_fence(std::memory_order_acquire);
        const auto g2 = static_cast<std::uint32_t>(seq->load(std::memory_order_relaxed));
        // Buffer b is next written by the writer that takes generation (g1 | 1) + 2.
        if (static_cast<std::uint32_t>(g2 - g1) > ((g1 & 1) != 0 ? 1u : 2u)) continue;
        const void* nul = std::memchr(buf, '\0', size);
        out.assign(buf, nul ? static_cast<std::size_t>(static_cast<const char*>(nul) - buf) : std::size_t{size} - 1);
        return true;
    }
}

} // namespace reg
} // namespace detail

using detail::registry_impl;
using namespace detail::reg;

// ---- field handles (the hot path) ----

void counter_field::add(std::int64_t n) const noexcept {
    if (v_ != nullptr) static_cast<a64*>(v_)->fetch_add(n, std::memory_order_relaxed);
}
std::int64_t counter_field::get() const noexcept {
    return v_ != nullptr ? static_cast<a64*>(v_)->load(std::memory_order_relaxed) : 0;
}

std::int64_t gauge_field::add(std::int64_t n) const noexcept {
    if (v_ == nullptr) return 0;
    auto* total = static_cast<a64*>(v_);
    if (impl_ != nullptr) { // per-process: this process's share, or the shared fallback word
        if (process_entry* e = impl_->entry_for(key_)) {
            e->value.fetch_add(n, std::memory_order_relaxed);
        } else {
            (total + 1)->fetch_add(n, std::memory_order_relaxed);
        }
    }
    return total->fetch_add(n, std::memory_order_relaxed) + n;
}
void gauge_field::add_tracking_max(std::int64_t n, const gauge_field& high) const noexcept {
    if (v_ == nullptr) return;
    if (impl_ == nullptr) {
        high.set_max(add(n));
        return;
    }
    auto* total = static_cast<a64*>(v_);
    a64& reaped = impl_->hdr->reaped;
    const std::int64_t gen = reaped.load(std::memory_order_acquire);
    std::int64_t t = add(n);
    if (t <= high.get()) return;
    // A would-be new high: the total may still hold the share of a writer that died and has
    // not been reaped. Reap dead writers first; when a reaping happened since the addition,
    // the total then is the value to trust.
    if (impl_->reap_dead() || reaped.load(std::memory_order_acquire) != gen) {
        const std::int64_t now = total->load(std::memory_order_relaxed);
        if (now < t) t = now;
    }
    high.set_max(t);
}
void gauge_field::set(std::int64_t v) const noexcept {
    if (v_ != nullptr && impl_ == nullptr) static_cast<a64*>(v_)->store(v, std::memory_order_relaxed);
}
void gauge_field::set_max(std::int64_t v) const noexcept {
    if (v_ == nullptr || impl_ != nullptr) return;
    auto* a = static_cast<a64*>(v_);
    std::int64_t cur = a->load(std::memory_order_relaxed);
    while (v > cur && !a->compare_exchange_weak(cur, v, std::memory_order_relaxed)) {
    }
}
void gauge_field::set_min(std::int64_t v) const noexcept {
    if (v_ == nullptr || impl_ != nullptr) return;
    auto* a = static_cast<a64*>(v_);
    std::int64_t cur = a->load(std::memory_order_relaxed);
    while (v < cur && !a->compare_exchange_weak(cur, v, std::memory_order_relaxed)) {
    }
}
std::int64_t gauge_field::get() const noexcept {
    return v_ != nullptr ? static_cast<a64*>(v_)->load(std::memory_order_relaxed) : 0;
}

void time_field::set(std::int64_t seconds) const noexcept {
    if (v_ != nullptr) static_cast<a64*>(v_)->store(seconds, std::memory_order_relaxed);
}
void time_field::stamp() const noexcept { set(detail::now_seconds()); }
std::int64_t time_field::get() const noexcept {
    return v_ != nullptr ? static_cast<a64*>(v_)->load(std::memory_order_relaxed) : 0;
}

bool string_field::set(std::string_view s) const noexcept {
    return v_ != nullptr && detail::reg::store_string(v_, size_, s);
}

// ---- set-up calls ----

void* counter_instance::lookup(std::string_view field, field_kind kind, std::uint32_t* field_index,
                               std::uint32_t* size) const {
    if (!impl_) throw reg_error(errc::invalid_argument, "", "field lookup on an empty counter instance");
    const header& h = *impl_->hdr;
    object_head* o = object_at(h, object_);
    const object_schema schema = detail::reg::read_schema(h, object_, impl_->name);
    for (std::uint32_t f = 0; f < schema.size(); ++f) {
        if (schema[f].name != field) continue;
        if (schema[f].kind != kind)
            throw reg_error(errc::invalid_argument, impl_->name,
                        "field " + std::string(o->name) + "." + std::string(field) + " is a " +
                            to_string(schema[f].kind) + ", not a " + to_string(kind));
        *field_index = f;
        *size = schema[f].size;
        return data_of(instance_at(h, o, instance_)) + field_at(h, o, f)->offset;
    }
    throw reg_error(errc::invalid_argument, impl_->name,
                "object " + std::string(o->name) + " has no field " + std::string(field));
}

counter_field counter_instance::counter(std::string_view field) const {
    std::uint32_t f = 0, size = 0;
    counter_field c;
    c.v_ = lookup(field, field_kind::counter, &f, &size);
    return c;
}
gauge_field counter_instance::gauge(std::string_view field) const {
    std::uint32_t f = 0, size = 0;
    gauge_field g;
    g.v_ = lookup(field, field_kind::gauge, &f, &size);
    if (field_at(*impl_->hdr, object_at(*impl_->hdr, object_), f)->flags & flag_per_process) {
        g.impl_ = impl_.get();
        g.key_ = entry_key(*impl_->hdr, object_, instance_, f);
    }
    return g;
}
time_field counter_instance::time(std::string_view field) const {
    std::uint32_t f = 0, size = 0;
    time_field t;
    t.v_ = lookup(field, field_kind::time, &f, &size);
    return t;
}
string_field counter_instance::string(std::string_view field) const {
    std::uint32_t f = 0, size = 0;
    string_field s;
    s.v_ = lookup(field, field_kind::string, &f, &size);
    s.size_ = size;
    return s;
}

counter_instance counter_object::instance(std::string_view name) const {
    if (!impl_) throw reg_error(errc::invalid_argument, "", "instance() on an empty counter object");
    counter_instance in;
    in.impl_ = impl_;
    in.object_ = index_;
    in.instance_ = impl_->resolve_instance(index_, name);
    in.name_ = std::string(name);
    return in;
}

registry::registry(const std::string& name, const registry_options& options) {
    impl_ = as_registry([&] { return detail::reg::open_or_create(registry_name(name), options); });
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->claim_process_slot(); // refcount, and reaping of dead writers
}

registry::~registry() = default;

const std::string& registry::name() const noexcept { return impl_->name; }

counter_object registry::object(std::string_view name) {
    const object_schema* s = builtin_schema(name);
    if (s == nullptr)
        throw reg_error(errc::invalid_argument, impl_->name,
                    "no built-in object " + std::string(name) + " (use define() with a schema)");
    return define(name, *s);
}

counter_object registry::define(std::string_view name, const object_schema& schema) {
    counter_object o;
    o.impl_ = impl_;
    o.index_ = impl_->resolve_object(name, schema);
    o.name_ = std::string(name);
    o.schema_ = schema;
    return o;
}

// ---- operator calls ----

bool registry_exists(const std::string& name) {
    validate_registry_name(name);
    return as_registry([&] { return detail::segment::exists(name); });
}

bool remove_registry(const std::string& name) {
    validate_registry_name(name);
    // Write access is required: attached producers must be told (through the state word)
    // that the registry is gone. Unlink first: if that fails, nothing has changed (a
    // registry retired but still linked would refuse every producer). Then retire the
    // still-mapped segment.
    std::optional<detail::segment> seg;
    try {
        seg.emplace(detail::segment::open(name, detail::segment::access::read_write));
    } catch (const error& e) {
        if (e.code() == errc::not_found) return false;
        rethrow_as_registry(e);
    }
    if (!as_registry([&] { return detail::segment::remove(name); })) return false;
    if (seg->data() != nullptr && seg->size() >= sizeof(header)) {
        try {
            auto& h = const_cast<header&>(check_header(seg->data(), seg->size(), name));
            h.state.store(state_retired, std::memory_order_release);
        } catch (const error&) {
            // Not a valid (or not yet ready) registry: nobody can be attached to it.
        }
    }
    return true;
}

std::size_t reset_registry_counter(const std::string& reg_name, const std::string& object,
                                   const std::string& counter) {
    validate_registry_name(reg_name);
    detail::segment seg =
        as_registry([&] { return detail::segment::open(reg_name, detail::segment::access::read_write); });
    const header& h = check_header(seg.data(), seg.size(), reg_name);
    const std::uint32_t st = h.state.load(std::memory_order_acquire);
    if (st != state_ready)
        throw reg_error(st == state_retired ? errc::retired : errc::not_ready, reg_name, "registry is not ready");
    std::string inst_name, field = counter;
    if (const auto dot = counter.find('.'); dot != std::string::npos) {
        inst_name = counter.substr(0, dot);
        field = counter.substr(dot + 1);
    }
    for (std::uint32_t i = 0; i < h.max_objects; ++i) {
        object_head* o = object_at(h, i);
        const std::uint64_t c = o->claim.load(std::memory_order_acquire);
        if (c == claim_free) break;
        if (c != claim_ready || !detail::reg::name_equals(o->name, object)) continue;
        const object_schema schema = read_schema(h, i, reg_name);
        std::uint32_t f = 0;
        while (f < schema.size() && schema[f].name != field) ++f;
        if (f == schema.size())
            throw reg_error(errc::not_found, reg_name,
                            std::string("object ").append(object).append(" has no counter ").append(field));
        if (schema[f].per_process)
            throw reg_error(errc::invalid_argument, reg_name,
                            std::string("counter ").append(object).append(".").append(field).append(
                                " is a live gauge (kept per process) and cannot be reset"));
        const field_desc& d = *field_at(h, o, f);
        std::size_t done = 0;
        for (std::uint32_t k = 0; k < h.max_instances; ++k) {
            instance_head* in = instance_at(h, o, k);
            const std::uint64_t ic = in->claim.load(std::memory_order_acquire);
            if (ic == claim_free) break;
            if (ic != claim_ready) continue;
            if (!inst_name.empty() && !detail::reg::name_equals(in->name, inst_name)) continue;
            void* v = data_of(in) + d.offset;
            if (schema[f].kind == field_kind::string)
                detail::reg::store_string(v, d.size, "");
            else
                static_cast<a64*>(v)->store(0, std::memory_order_relaxed);
            ++done;
        }
        if (done == 0 && !inst_name.empty())
            throw reg_error(errc::not_found, reg_name,
                            std::string("object ").append(object).append(" has no instance ").append(inst_name));
        const_cast<header&>(h).modified.store(detail::now_seconds(), std::memory_order_relaxed);
        return done;
    }
    throw reg_error(errc::not_found, reg_name, "no counter object " + object);
}

} // namespace counters

// SPDX-License-Identifier: MIT
// Writer side: section attachment, channel handles, and the recording calls (the hot path).
#include "mapping.hpp"

#include <counters/error.hpp>
#include <counters/section.hpp>

#include <cstdio>
#include <limits>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace counters {
namespace detail {

/// One incarnation of a channel's slot: what the hot path dereferences.
struct bound {
    mapping* map;
    channel_slot* slot; // nullptr: the table was full, record nothing
};

/// A resolved channel name, stable for the life of its section_impl.
struct binding {
    std::string name;
    section_impl* owner;
    std::atomic<bound*> cur{nullptr};
    std::atomic<bool> overflow_reported{false};
};

struct section_impl {
    std::string name;
    create_options opts;
    std::mutex mu;
    std::vector<std::unique_ptr<mapping>> maps; // every incarnation, kept mapped
    mapping* current = nullptr;
    std::vector<std::unique_ptr<bound>> bounds;
    std::unordered_map<std::string, std::unique_ptr<binding>> bindings;
    std::int64_t last_attempt_ms = 0;  // monotonic ms of the last failed re-attach attempt
    std::int64_t failing_since_ms = 0; // first failure of the current streak (0: none)
    bool reattach_reported = false;

    bound* bind(binding& b, std::chrono::milliseconds wait = claim_wait) { // with mu held
        channel_slot* s = current->resolve(b.name, wait);
        bounds.push_back(std::make_unique<bound>(bound{current, s}));
        if (s == nullptr && !b.overflow_reported.exchange(true))
            std::fprintf(stderr,
                         "libcounters: section \"%s\": channel table full (%u channels); "
                         "channel \"%s\" is not recorded\n",
                         name.c_str(), current->view.max_channels, b.name.c_str());
        return bounds.back().get();
    }

    /// Called from a recording call when a binding's section was retired: attach to the new
    /// incarnation. Never waits: when another thread is re-attaching, when the new section
    /// is not ready yet, or within 10 ms of a failed attempt, the event goes to the retired
    /// section (it was deleted; its counts are gone anyway) and a later event tries again.
    bound* reattach(binding& b) noexcept {
        bound* old = b.cur.load(std::memory_order_acquire);
        std::unique_lock<std::mutex> lock(mu, std::try_to_lock);
        if (!lock.owns_lock()) return old;
        const std::int64_t now = now_millis();
        try {
            if (!current->ready()) {
                if (failing_since_ms != 0 && now - last_attempt_ms < 10) return old;
                maps.push_back(open_or_create(name, opts, true, nullptr, std::chrono::milliseconds(1)));
                current = maps.back().get();
            }
            if (old->map != current) {
                old = bind(b, std::chrono::milliseconds(1));
                b.cur.store(old, std::memory_order_release);
            }
            failing_since_ms = 0;
        } catch (const std::exception& e) {
            last_attempt_ms = now;
            if (failing_since_ms == 0) failing_since_ms = now;
            if (now - failing_since_ms >= 1000 && !reattach_reported) {
                reattach_reported = true; // said once per process: never flood the MTA's stderr
                std::fprintf(stderr, "libcounters: cannot re-attach: %s\n", e.what());
            }
        }
        return old;
    }
};

namespace {

/// The slot to record into, or nullptr. One acquire load and one relaxed load of the state
/// word: the only overhead over the counter additions themselves.
inline const bound* live(binding* b) noexcept {
    if (b == nullptr) return nullptr;
    const bound* bd = b->cur.load(std::memory_order_acquire);
    if (__builtin_expect(!bd->map->ready(), 0)) bd = b->owner->reattach(*b);
    return bd->slot != nullptr ? bd : nullptr;
}

inline std::int64_t clamp(std::uint64_t v) noexcept {
    constexpr auto top = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    return static_cast<std::int64_t>(v > top ? top : v);
}

inline void add(channel_slot* s, counter c, std::int64_t v) noexcept {
    s->value[index(c)].fetch_add(v, std::memory_order_relaxed);
}

/// Subtracts and lowers the minimum when a new low is reached (compare-and-swap only then).
inline void sub_tracked(a64& value, a64& minimum, std::int64_t v) noexcept {
    const std::int64_t now = value.fetch_sub(v, std::memory_order_relaxed) - v;
    std::int64_t m = minimum.load(std::memory_order_relaxed);
    while (now < m && !minimum.compare_exchange_weak(m, now, std::memory_order_relaxed)) {
    }
}

inline void sub(channel_slot* s, counter c, std::int64_t v) noexcept {
    sub_tracked(s->value[index(c)], s->minimum[index(c)], v);
}

inline void add_row(channel_slot* s, row r, std::int64_t m, std::int64_t rc, std::int64_t bl) noexcept {
    const auto first = index(first_counter(r));
    s->value[first].fetch_add(m, std::memory_order_relaxed);
    s->value[first + 1].fetch_add(rc, std::memory_order_relaxed);
    s->value[first + 2].fetch_add(bl, std::memory_order_relaxed);
}

inline void stamp(a64& t) noexcept {
    const std::int64_t now = now_seconds();
    if (t.load(std::memory_order_relaxed) < now) t.store(now, std::memory_order_relaxed);
}

void current_assoc(const bound* bd, direction d, std::int64_t delta) noexcept {
    channel_slot* s = bd->slot;
    process_entry* e = bd->map->entry_for(s);
    if (e != nullptr) {
        a64& g = d == direction::inbound ? e->current_in : e->current_out;
        g.fetch_add(delta, std::memory_order_relaxed);
    } else { // no free per-process entry: fall back to the shared (not crash-safe) gauge
        a64& g = d == direction::inbound ? s->shared_current_in : s->shared_current_out;
        g.fetch_add(delta, std::memory_order_relaxed);
    }
}

} // namespace
} // namespace detail

using detail::live;

std::string_view channel::name() const noexcept { return b_ ? std::string_view(b_->name) : std::string_view(); }

bool channel::recording() const noexcept {
    return b_ != nullptr && b_->cur.load(std::memory_order_acquire)->slot != nullptr;
}

section::section(const std::string& name, const create_options& create) {
    auto impl = std::make_shared<detail::section_impl>();
    impl->name = section_name(name);
    impl->opts = create;
    impl->maps.push_back(detail::open_or_create(impl->name, create, true));
    impl->current = impl->maps.back().get();
    impl_ = std::move(impl);
}

section::~section() = default;
section::section(section&&) noexcept = default;
section& section::operator=(section&&) noexcept = default;

channel section::get(std::string_view name) {
    validate_channel_name(impl_->name, std::string(name));
    std::lock_guard<std::mutex> lock(impl_->mu);
    auto it = impl_->bindings.find(std::string(name));
    if (it != impl_->bindings.end()) return channel(it->second.get());
    auto b = std::make_unique<detail::binding>();
    b->name = std::string(name);
    b->owner = impl_.get();
    b->cur.store(impl_->bind(*b), std::memory_order_release);
    detail::binding* raw = b.get();
    impl_->bindings.emplace(raw->name, std::move(b));
    return channel(raw);
}

const std::string& section::name() const noexcept { return impl_->name; }
std::uint32_t section::block_size() const noexcept { return impl_->current->block_size; }

void enqueued(const channel& from, const channel& to, std::uint64_t recipients,
              std::uint64_t bytes) noexcept {
    const std::int64_t r = detail::clamp(recipients);
    if (const detail::bound* f = live(from.b_))
        detail::add_row(f->slot, row::submitted, 1, r, f->map->blocks(bytes));
    if (const detail::bound* t = live(to.b_)) {
        const std::int64_t bl = t->map->blocks(bytes);
        detail::add_row(t->slot, row::received, 1, r, bl);
        detail::add_row(t->slot, row::stored, 1, r, bl);
    }
}

void dequeued(const channel& ch, std::uint64_t recipients, std::uint64_t bytes,
              std::int64_t seconds_in_queue, bool first_attempt) noexcept {
    const detail::bound* bd = live(ch.b_);
    if (bd == nullptr) return;
    detail::channel_slot* s = bd->slot;
    const std::int64_t r = detail::clamp(recipients);
    const std::int64_t bl = bd->map->blocks(bytes);
    const std::int64_t t = seconds_in_queue < 0 ? 0 : seconds_in_queue;
    detail::add_row(s, row::delivered, 1, r, bl);
    detail::sub(s, counter::stored_messages, 1);
    detail::sub(s, counter::stored_recipients, r);
    detail::sub(s, counter::stored_blocks, bl);
    detail::add(s, counter::queue_time, t);
    detail::add(s, counter::queue_count, 1);
    if (first_attempt) {
        detail::add(s, counter::delivered_first_messages, 1);
        detail::add(s, counter::queue_first_time, t);
        detail::add(s, counter::queue_first_count, 1);
    }
}

namespace {
inline void record_row(const detail::bound* bd, row rw, std::uint64_t recipients,
                       std::uint64_t bytes) noexcept {
    if (bd != nullptr)
        detail::add_row(bd->slot, rw, 1, detail::clamp(recipients), bd->map->blocks(bytes));
}
} // namespace

void deferred(const channel& ch, std::uint64_t recipients, std::uint64_t bytes) noexcept {
    record_row(live(ch.b_), row::attempted, recipients, bytes);
}

void rejected(const channel& ch, std::uint64_t recipients, std::uint64_t bytes) noexcept {
    record_row(live(ch.b_), row::rejected, recipients, bytes);
}

void failed(const channel& ch, std::uint64_t recipients, std::uint64_t bytes) noexcept {
    record_row(live(ch.b_), row::failed, recipients, bytes);
}

void association_opened(const channel& ch, direction d) noexcept {
    const detail::bound* bd = live(ch.b_);
    if (bd == nullptr) return;
    detail::add(bd->slot, d == direction::inbound ? counter::in_assocs : counter::out_assocs, 1);
    detail::current_assoc(bd, d, 1);
    detail::stamp(d == direction::inbound ? bd->slot->last_in : bd->slot->last_out);
}

void association_closed(const channel& ch, direction d) noexcept {
    const detail::bound* bd = live(ch.b_);
    if (bd == nullptr) return;
    detail::current_assoc(bd, d, -1);
    detail::stamp(d == direction::inbound ? bd->slot->last_in : bd->slot->last_out);
}

void association_rejected(const channel& ch) noexcept {
    if (const detail::bound* bd = live(ch.b_)) {
        detail::add(bd->slot, counter::in_assocs_rejected, 1);
        detail::stamp(bd->slot->last_in);
    }
}

void association_failed(const channel& ch) noexcept {
    if (const detail::bound* bd = live(ch.b_)) {
        detail::add(bd->slot, counter::out_assocs_failed, 1);
        detail::stamp(bd->slot->last_out);
    }
}

} // namespace counters

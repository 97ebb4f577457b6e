// SPDX-License-Identifier: MIT
// Counter registry, producer side: field handles (the hot path) and the set-up calls that
// give them out.
#include "impl.hpp"

#include <counters/error.hpp>
#include <counters/registry.hpp>

namespace counters {

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
void time_field::stamp() const noexcept { set(detail::shm::now_seconds()); }
std::int64_t time_field::get() const noexcept {
    return v_ != nullptr ? static_cast<a64*>(v_)->load(std::memory_order_relaxed) : 0;
}

bool string_field::set(std::string_view s) const noexcept {
    return v_ != nullptr && detail::reg::store_string(v_, size_, s);
}

// ---- set-up calls ----

void* counter_instance::lookup(std::string_view field, field_kind kind, std::uint32_t* field_index,
                               std::uint32_t* size, bool* per_process) const {
    if (!impl_) throw reg_error(errc::invalid_argument, "", "field lookup on an empty counter instance");
    const registry_view& v = impl_->view;
    object_head* o = object_at(v, object_);
    // The schema is read and checked once; its offsets, not the descriptors, are used.
    const checked_schema schema = detail::reg::read_schema(v, object_, impl_->name);
    const std::string object = field_text(o->name);
    for (std::uint32_t f = 0; f < static_cast<std::uint32_t>(schema.fields.size()); ++f) {
        const field_def& def = schema.fields[f];
        if (def.name != field) continue;
        if (def.kind != kind)
            throw reg_error(errc::invalid_argument, impl_->name,
                            "field " + object + "." + std::string(field) + " is a " + to_string(def.kind) +
                                ", not a " + to_string(kind));
        *field_index = f;
        *size = def.size;
        *per_process = def.per_process;
        return data_of(instance_at(v, o, instance_)) + schema.offsets[f];
    }
    throw reg_error(errc::invalid_argument, impl_->name, "object " + object + " has no field " + std::string(field));
}

counter_field counter_instance::counter(std::string_view field) const {
    std::uint32_t f = 0, size = 0;
    bool per_process = false;
    counter_field c;
    c.v_ = lookup(field, field_kind::counter, &f, &size, &per_process);
    return c;
}
gauge_field counter_instance::gauge(std::string_view field) const {
    std::uint32_t f = 0, size = 0;
    bool per_process = false;
    gauge_field g;
    g.v_ = lookup(field, field_kind::gauge, &f, &size, &per_process);
    if (per_process) {
        g.impl_ = impl_.get();
        g.key_ = entry_key(impl_->view, object_, instance_, f);
    }
    return g;
}
time_field counter_instance::time(std::string_view field) const {
    std::uint32_t f = 0, size = 0;
    bool per_process = false;
    time_field t;
    t.v_ = lookup(field, field_kind::time, &f, &size, &per_process);
    return t;
}
string_field counter_instance::string(std::string_view field) const {
    std::uint32_t f = 0, size = 0;
    bool per_process = false;
    string_field s;
    s.v_ = lookup(field, field_kind::string, &f, &size, &per_process);
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
    impl_ = detail::reg::open_or_create(registry_name(name), options);
    impl_->claim_process_slot(); // and reaping of dead writers
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

} // namespace counters

// SPDX-License-Identifier: MIT
// Counter registry, producer side: creating and attaching, writer-process slots, and the
// registration of objects and instances (the structural writes).
#include "impl.hpp"

#include "../shm/claim.hpp"
#include "../shm/publish.hpp"

#include <counters/error.hpp>
#include <counters/registry.hpp>

#include <chrono>
#include <cstring>

namespace counters::detail {
namespace reg {

namespace {

using namespace std::chrono_literals;
constexpr auto ready_wait = 2s;  // how long to wait for a creator to publish
constexpr auto claim_wait = 5s;  // how long to wait for another registrant

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
    h.created = shm::now_seconds();
    h.instance_id = shm::random_instance_id();
    h.objects_offset = g.objects_offset;
    h.processes_offset = g.processes_offset;
    h.total_size = g.total_size;
    h.creator_pid = shm::current_pid();
    h.modified.store(h.created, std::memory_order_relaxed);
}

/// The total word of the per-process gauge a process entry key names, or nullptr.
a64* total_for_key(const registry_view& v, std::uint32_t key) noexcept {
    if (key == 0) return nullptr;
    const std::uint32_t k = key - 1;
    const std::uint32_t f = k % v.max_fields;
    const std::uint32_t rest = k / v.max_fields;
    const std::uint32_t i = rest % v.max_instances;
    const std::uint32_t o = rest / v.max_instances;
    if (o >= v.max_objects) return nullptr;
    object_head* obj = object_at(v, o);
    if (obj->claim.load(std::memory_order_acquire) != claim_ready ||
        f >= shm::load_once(obj->field_count))
        return nullptr;
    const field_desc& d = *field_at(v, obj, f);
    // Each descriptor field is read once: checked and used as the same value.
    const std::uint8_t kind = shm::load_once(d.kind);
    const std::uint8_t flags = shm::load_once(d.flags);
    const std::uint32_t offset = shm::load_once(d.offset);
    if (kind != kind_gauge || (flags & flag_per_process) == 0 ||
        std::uint64_t{offset} + per_process_storage > v.data_size || offset % 8 != 0)
        return nullptr;
    return reinterpret_cast<a64*>(data_of(instance_at(v, obj, i)) + offset);
}

/// The engine's view of the writer-process table.
class writer_slots final : public shm::process_table {
public:
    explicit writer_slots(const registry_view& v) : v_(v) {}
    std::uint32_t count() const noexcept override { return v_.process_slots; }
    shm::au64& owner(std::uint32_t i) const noexcept override { return process_at(v_, i)->owner; }
    shm::a64& start_ticks(std::uint32_t i) const noexcept override { return process_at(v_, i)->start_ticks; }
    void reap(std::uint32_t i) const noexcept override {
        reap_entries(v_, *process_at(v_, i));
        v_.hdr->reaped.fetch_add(1, std::memory_order_release);
    }
    void reset(std::uint32_t i) const noexcept override {
        process_slot& p = *process_at(v_, i);
        for (auto& e : p.entry) {
            e.value.store(0, std::memory_order_relaxed);
            e.key.store(0, std::memory_order_relaxed);
        }
        p.attached.store(shm::now_seconds(), std::memory_order_relaxed);
    }

private:
    const registry_view& v_;
};

/// A table of named registry slots (objects, or the instances of one object).
class named_slots final : public shm::name_table {
public:
    using fill_fn = void (*)(const named_slots&, std::uint32_t, std::string_view);
    named_slots(const registry_impl& r, std::uint32_t count, const char* what, object_head* object,
                const object_schema* schema)
        : r_(r), count_(count), what_(what), object_(object), schema_(schema) {}
    std::uint32_t count() const noexcept override { return count_; }
    shm::au64& claim(std::uint32_t i) const noexcept override {
        return object_ != nullptr ? instance_at(r_.view, object_, i)->claim : object_at(r_.view, i)->claim;
    }
    bool holds(std::uint32_t i, std::string_view n) const override {
        return name_equals(object_ != nullptr ? instance_at(r_.view, object_, i)->name : object_at(r_.view, i)->name, n);
    }
    void fill(std::uint32_t i, std::string_view n) const override {
        if (object_ != nullptr) {
            instance_head* in = instance_at(r_.view, object_, i);
            in->claim_time = shm::now_seconds();
            put_name(in->name, n);
            return;
        }
        object_head* o = object_at(r_.view, i);
        o->claim_time = shm::now_seconds();
        put_name(o->name, n);
        std::uint32_t offset = 0;
        for (std::uint32_t f = 0; f < static_cast<std::uint32_t>(schema_->size()); ++f) {
            const field_def& def = (*schema_)[f];
            field_desc& d = *field_at(r_.view, o, f);
            std::memset(&d, 0, sizeof d);
            put_name(d.name, def.name);
            d.kind = static_cast<std::uint8_t>(def.kind);
            d.flags = def.per_process ? flag_per_process : 0;
            d.size = def.size;
            d.storage = storage_of(def);
            d.offset = offset;
            offset += d.storage;
        }
        o->field_count = static_cast<std::uint32_t>(schema_->size());
        o->created = shm::now_seconds();
    }
    [[noreturn]] void stuck(std::uint32_t i, std::uint32_t pid) const override {
        throw reg_error(errc::system, r_.name,
                        std::string(what_) + " slot " + std::to_string(i) + " stays claimed by process " +
                            std::to_string(pid));
    }

private:
    const registry_impl& r_;
    std::uint32_t count_;
    const char* what_;
    object_head* object_;
    const object_schema* schema_;
};

} // namespace

bool name_equals(const char (&field)[name_field], std::string_view n) noexcept {
    return n.size() < name_field && std::memcmp(field, n.data(), n.size()) == 0 && field[n.size()] == '\0';
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
    const shm::create_spec spec{g.total_size, o.mode, -1, [&](void* data) { init_header(data, o, g); }};
    shm::attached a = shm::attach(
        name, registry_format, &spec, [&](const void* data, std::size_t size) { check_header(data, size, name); },
        ready_wait);
    return std::make_shared<registry_impl>(name, std::move(a.seg));
}

void reap_entries(const registry_view& v, process_slot& ps) noexcept {
    for (auto& e : ps.entry) {
        const std::uint32_t key = e.key.load(std::memory_order_acquire);
        if (key == 0) continue;
        const std::int64_t share = e.value.exchange(0, std::memory_order_acq_rel);
        if (share != 0) {
            if (a64* total = total_for_key(v, key)) total->fetch_sub(share, std::memory_order_relaxed);
        }
        e.key.store(0, std::memory_order_release);
    }
}

} // namespace reg

using namespace reg;

registry_impl::registry_impl(std::string n, shm::segment s) : name(std::move(n)), seg(std::move(s)) {
    view = check_header(seg.data(), seg.size(), name);
    hdr = view.hdr;
}

registry_impl::~registry_impl() {
    // A clean detach: this process's share of per-process gauges leaves the totals.
    if (const auto mine = procs.current()) shm::release_process_slot(writer_slots(view), *mine);
}

bool registry_impl::claim_process_slot() noexcept {
    return procs.get(writer_slots(view), true).has_value();
}

process_entry* registry_impl::entry_for(std::uint32_t key) noexcept {
    const std::optional<std::uint32_t> mine = procs.get(writer_slots(view), true);
    if (!mine) return nullptr;
    process_slot* ps = process_at(view, *mine);
    for (auto& e : ps->entry) {
        std::uint32_t c = e.key.load(std::memory_order_relaxed);
        if (c == key) return &e;
        if (c == 0) {
            if (e.key.compare_exchange_strong(c, key, std::memory_order_acq_rel) || c == key) return &e;
        }
    }
    return nullptr;
}

bool registry_impl::reap_dead() noexcept { return shm::reap_dead_owners(writer_slots(view)); }

std::uint32_t registry_impl::resolve_object(std::string_view object, const object_schema& schema) {
    validate_name(name, "object", object, false);
    validate_schema(name, object, schema, view.max_fields, view.data_size);
    std::lock_guard<std::mutex> lock(mu);
    const named_slots table(*this, view.max_objects, "object", nullptr, &schema);
    const shm::claim_result r = shm::claim_name(table, object, claim_wait);
    switch (r.outcome) {
    case shm::claim_outcome::registered:
        hdr->modified.store(shm::now_seconds(), std::memory_order_relaxed);
        return r.index;
    case shm::claim_outcome::found: {
        const object_schema have = read_schema(view, r.index, name).fields;
        bool same = have.size() == schema.size();
        for (std::size_t f = 0; same && f < have.size(); ++f)
            same = have[f].name == schema[f].name && have[f].kind == schema[f].kind &&
                   have[f].size == schema[f].size && have[f].per_process == schema[f].per_process;
        if (!same)
            throw reg_error(errc::exists, name, "object " + std::string(object) + " exists with a different schema");
        return r.index;
    }
    case shm::claim_outcome::full: break;
    }
    throw reg_error(errc::table_full, name,
                "object table full (" + std::to_string(view.max_objects) + " objects); cannot register " +
                    std::string(object));
}

std::uint32_t registry_impl::resolve_instance(std::uint32_t object, std::string_view instance) {
    validate_name(name, "instance", instance, true);
    std::lock_guard<std::mutex> lock(mu);
    object_head* o = object_at(view, object);
    const named_slots table(*this, view.max_instances, "instance", o, nullptr);
    const shm::claim_result r = shm::claim_name(table, instance, claim_wait);
    if (r.outcome == shm::claim_outcome::registered) hdr->modified.store(shm::now_seconds(), std::memory_order_relaxed);
    if (r.outcome != shm::claim_outcome::full) return r.index;
    throw reg_error(errc::table_full, name,
                "instance table of object " + field_text(o->name) + " full (" +
                    std::to_string(hdr->max_instances) + " instances); cannot register " + std::string(instance));
}

} // namespace counters::detail

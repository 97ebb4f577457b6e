// SPDX-License-Identifier: MIT
// Counter registry, reader side: copy a registry into plain values, validating everything.
#include "../shm/segment.hpp"
#include "impl.hpp"

#include <counters/error.hpp>
#include <counters/options.hpp>
#include <counters/registry_snapshot.hpp>

#include <chrono>
#include <cstdint>
#include <thread>
#include <unordered_map>

namespace counters {

using namespace detail::reg;

namespace {

/// a + b, saturating: per-process shares come from an untrusted mapping, and a corrupt one
/// must not make the sum undefined (found by fuzz_registry).
std::int64_t add_saturating(std::int64_t a, std::int64_t b) noexcept {
    std::int64_t r = 0;
    if (__builtin_add_overflow(a, b, &r)) return b < 0 ? INT64_MIN : INT64_MAX;
    return r;
}

registry_view ready_view(const void* data, std::size_t size, const std::string& name) {
    const registry_view v = check_header(data, size, name);
    detail::shm::require_ready(data, name, registry_format);
    return v;
}

} // namespace

const field_value* instance_values::find(std::string_view field) const noexcept {
    for (const auto& f : fields)
        if (f.name == field) return &f;
    return nullptr;
}
const instance_values* object_values::find(std::string_view instance) const noexcept {
    for (const auto& i : instances)
        if (i.name == instance) return &i;
    return nullptr;
}
const object_values* registry_snapshot::find(std::string_view object) const noexcept {
    for (const auto& o : objects)
        if (o.name == object) return &o;
    return nullptr;
}

registry_snapshot decode_registry(const void* data, std::size_t size, const std::string& name) {
    const registry_view view = ready_view(data, size, name);
    const header& h = *view.hdr;
    registry_snapshot snap;
    registry_info& info = snap.info;
    info.name = name;
    info.version_major = view.major;
    info.version_minor = view.minor;
    info.max_objects = view.max_objects;
    info.max_fields = view.max_fields;
    info.max_instances = view.max_instances;
    info.data_size = view.data_size;
    info.process_slots = view.process_slots;
    info.created = h.created;
    info.modified = h.modified.load(std::memory_order_relaxed);
    info.instance_id = h.instance_id;
    info.size = size;

    // Writer processes: live ones count in refcount and their per-process gauge entries are
    // summed; the entries of dead ones (not yet reaped) are ignored.
    std::unordered_map<std::uint32_t, std::int64_t> live_share; // entry key -> sum
    for (std::uint32_t p = 0; p < view.process_slots; ++p) {
        const process_slot& ps = *process_at(view, p);
        const std::uint64_t owner = ps.owner.load(std::memory_order_acquire);
        if (owner == 0 || (owner & owner_busy) != 0) continue;
        const auto pid = static_cast<pid_t>(owner);
        if (owner > 0x7fffffffULL || pid <= 0) continue; // not a pid: ignore
        if (!detail::shm::process_alive(pid, ps.start_ticks.load(std::memory_order_relaxed))) continue;
        ++info.refcount;
        for (const auto& e : ps.entry) {
            const std::uint32_t key = e.key.load(std::memory_order_acquire);
            if (key != 0) {
                std::int64_t& sum = live_share[key];
                sum = add_saturating(sum, e.value.load(std::memory_order_relaxed));
            }
        }
    }

    for (std::uint32_t i = 0; i < view.max_objects; ++i) {
        object_head* o = object_at(view, i);
        const std::uint64_t c = o->claim.load(std::memory_order_acquire);
        if (c == claim_free) break;
        if (c != claim_ready) continue; // a registration in progress: not yet an object
        object_values ov;
        if (!read_name(o->name, ov.name) || !valid_name(ov.name, false))
            throw reg_error(errc::corrupt, name,
                        "corrupt registry: object slot " + std::to_string(i) + " has a bad name");
        const checked_schema schema = read_schema(view, i, name);
        ov.schema = schema.fields;
        ov.created = o->created;
        ov.offset = view.objects_offset + std::uint64_t{i} * view.object_size;
        for (std::uint32_t k = 0; k < view.max_instances; ++k) {
            instance_head* in = instance_at(view, o, k);
            const std::uint64_t ic = in->claim.load(std::memory_order_acquire);
            if (ic == claim_free) break;
            if (ic != claim_ready) continue;
            instance_values iv;
            if (!read_name(in->name, iv.name) || !valid_name(iv.name, true))
                throw reg_error(errc::corrupt, name,
                            "corrupt registry: object " + ov.name + " instance slot " + std::to_string(k) +
                                " has a bad name");
            const unsigned char* d = data_of(in);
            for (std::uint32_t f = 0; f < static_cast<std::uint32_t>(ov.schema.size()); ++f) {
                const field_def& def = ov.schema[f];
                field_value v;
                v.name = def.name;
                v.kind = def.kind;
                v.size = def.size;
                v.per_process = def.per_process;
                const void* at = d + schema.offsets[f];
                if (def.kind == field_kind::string) {
                    v.torn = !detail::reg::load_string(at, def.size, v.text);
                } else if (def.per_process) {
                    // Live writers' shares plus the shared fallback word.
                    const auto* words = static_cast<const a64*>(at);
                    v.number = words[1].load(std::memory_order_relaxed);
                    auto it = live_share.find(entry_key(view, i, k, f));
                    if (it != live_share.end()) v.number = add_saturating(v.number, it->second);
                } else {
                    v.number = static_cast<const a64*>(at)->load(std::memory_order_relaxed);
                }
                iv.fields.push_back(std::move(v));
            }
            ov.instances.push_back(std::move(iv));
        }
        snap.objects.push_back(std::move(ov));
    }
    info.numobjects = static_cast<std::uint32_t>(snap.objects.size());
    return snap;
}

registry_snapshot read_registry(const std::string& name) {
    validate_registry_name(name);
    using namespace std::chrono_literals;
    const auto deadline = std::chrono::steady_clock::now() + 1s;
    for (;;) {
        detail::shm::segment seg =
            detail::shm::segment::open(name, object_kind::registry, detail::shm::segment::access::read_only);
        try {
            auto snap = decode_registry(seg.data(), seg.size(), name);
            snap.info.distrust = seg.distrust();
            return snap;
        } catch (const error& e) {
            // A registry being created: empty, or not yet published. Wait briefly.
            if (e.code() != errc::not_ready || std::chrono::steady_clock::now() > deadline) throw;
        }
        std::this_thread::sleep_for(5ms);
    }
}

} // namespace counters

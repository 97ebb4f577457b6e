// SPDX-License-Identifier: MIT
// Operator actions on a whole counter registry: existence, removal, counter reset.
#include "impl.hpp"

#include "../shm/publish.hpp"

#include <counters/error.hpp>
#include <counters/registry.hpp>

namespace counters {

using namespace detail::reg;

// ---- operator calls ----

bool registry_exists(const std::string& name) {
    validate_registry_name(name);
    return detail::shm::segment::exists(name);
}

bool delete_registry(const std::string& name) {
    validate_registry_name(name);
    return detail::shm::unlink_and_retire(name, registry_format, [&](const void* data, std::size_t size) {
        check_header(data, size, name);
    });
}

std::size_t reset_registry_counter(const std::string& reg_name, const std::string& object,
                                   const std::string& counter) {
    validate_registry_name(reg_name);
    const detail::shm::segment seg =
        detail::shm::segment::open(reg_name, object_kind::registry, detail::shm::segment::access::read_write);
    const registry_view view = check_header(seg.data(), seg.size(), reg_name);
    header& h = *view.hdr;
    const std::uint32_t st = h.state.load(std::memory_order_acquire);
    if (st != state_ready)
        throw reg_error(st == state_retired ? errc::retired : errc::not_ready, reg_name, "registry is not ready");
    for (std::uint32_t i = 0; i < view.max_objects; ++i) {
        object_head* o = object_at(view, i);
        const std::uint64_t c = o->claim.load(std::memory_order_acquire);
        if (c == claim_free) break;
        if (c != claim_ready || !name_equals(o->name, object)) continue;
        const checked_schema checked = read_schema(view, i, reg_name);
        const object_schema& schema = checked.fields;
        auto index_of = [&](const std::string& n) {
            std::uint32_t f = 0;
            while (f < schema.size() && schema[f].name != n) ++f;
            return f;
        };
        // FIELD, or INSTANCE.FIELD. Instance names may hold dots (ldap_host.example.com_389):
        // the split is at the first dot whose right side is a field of the schema.
        std::string inst_name, field = counter;
        if (index_of(counter) == schema.size()) {
            for (auto dot = counter.find('.'); dot != std::string::npos; dot = counter.find('.', dot + 1)) {
                if (index_of(counter.substr(dot + 1)) == schema.size()) continue;
                inst_name = counter.substr(0, dot);
                field = counter.substr(dot + 1);
                break;
            }
            if (inst_name.empty()) {
                if (const auto dot = counter.find('.'); dot != std::string::npos) {
                    inst_name = counter.substr(0, dot);
                    field = counter.substr(dot + 1);
                }
            }
        }
        const std::uint32_t f = index_of(field);
        if (f == schema.size())
            throw reg_error(errc::not_found, reg_name,
                            std::string("object ").append(object).append(" has no counter ").append(field));
        if (schema[f].per_process)
            throw reg_error(errc::invalid_argument, reg_name,
                            std::string("counter ").append(object).append(".").append(field).append(
                                " is a live gauge (kept per process) and cannot be reset"));
        std::size_t done = 0;
        for (std::uint32_t k = 0; k < view.max_instances; ++k) {
            instance_head* in = instance_at(view, o, k);
            const std::uint64_t ic = in->claim.load(std::memory_order_acquire);
            if (ic == claim_free) break;
            if (ic != claim_ready) continue;
            if (!inst_name.empty() && !name_equals(in->name, inst_name)) continue;
            void* v = data_of(in) + checked.offsets[f];
            if (schema[f].kind == field_kind::string)
                store_string(v, schema[f].size, "");
            else
                static_cast<a64*>(v)->store(0, std::memory_order_relaxed);
            ++done;
        }
        if (done == 0 && !inst_name.empty())
            throw reg_error(errc::not_found, reg_name,
                            std::string("object ").append(object).append(" has no instance ").append(inst_name));
        h.modified.store(detail::shm::now_seconds(), std::memory_order_relaxed);
        return done;
    }
    throw reg_error(errc::not_found, reg_name, "no counter object " + object);
}

} // namespace counters

// SPDX-License-Identifier: MIT
// Registry image validation and name rules.
#include "check.hpp"


#include <counters/error.hpp>

#include <algorithm>
#include <cstring>
#include <vector>

namespace counters::detail::reg {

const shm::format_id registry_format{object_kind::registry, magic, major, sizeof(header), "a counter registry"};

namespace {
[[noreturn]] void corrupt(const std::string& name, const std::string& what) {
    shm::corrupt(registry_format, name, what);
}
bool name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}
} // namespace

const header& check_header(const void* data, std::size_t size, const std::string& name) {
    shm::check_prefix(data, size, name, registry_format);
    const auto& h = *static_cast<const header*>(data);
    if (h.name_size != name_field) corrupt(name, "bad name size " + std::to_string(h.name_size));
    if (h.field_desc_size != sizeof(field_desc))
        corrupt(name, "bad field descriptor size " + std::to_string(h.field_desc_size));
    if (h.max_objects == 0 || h.max_objects > limit_objects)
        corrupt(name, "bad object table size " + std::to_string(h.max_objects));
    if (h.max_fields == 0 || h.max_fields > limit_fields)
        corrupt(name, "bad field limit " + std::to_string(h.max_fields));
    if (h.max_instances == 0 || h.max_instances > limit_instances)
        corrupt(name, "bad instance limit " + std::to_string(h.max_instances));
    if (h.data_size < 8 || h.data_size > limit_data_size || h.data_size % 8 != 0)
        corrupt(name, "bad instance data size " + std::to_string(h.data_size));
    if (h.process_slots > limit_process_slots)
        corrupt(name, "bad process slot count " + std::to_string(h.process_slots));
    if (h.process_slot_size != sizeof(process_slot) || h.process_entries != process_entries)
        corrupt(name, "bad process slot size " + std::to_string(h.process_slot_size));
    if (h.instance_size < sizeof(instance_head) + h.data_size || h.instance_size % 64 != 0 ||
        h.instance_size > 2 * limit_data_size)
        corrupt(name, "bad instance size " + std::to_string(h.instance_size));
    // Every quantity is bounded above, so these products cannot overflow 64 bits.
    const std::uint64_t need_object = sizeof(object_head) + std::uint64_t{h.max_fields} * h.field_desc_size +
                                      std::uint64_t{h.max_instances} * h.instance_size;
    if (h.object_size < need_object || h.object_size % 64 != 0)
        corrupt(name, "bad object size " + std::to_string(h.object_size));
    const std::uint64_t obj_end = h.objects_offset + std::uint64_t{h.max_objects} * h.object_size;
    const std::uint64_t proc_end = h.processes_offset + std::uint64_t{h.process_slots} * h.process_slot_size;
    if (!shm::table_inside(h.objects_offset, h.max_objects, h.object_size, h.header_size, size))
        corrupt(name, "object table outside the segment");
    if (!shm::table_inside(h.processes_offset, h.process_slots, h.process_slot_size, obj_end, size))
        corrupt(name, "process table outside the segment");
    if (h.total_size > size || h.total_size < proc_end)
        corrupt(name, "recorded size " + std::to_string(h.total_size) + " does not match segment size " +
                          std::to_string(size));
    return h;
}

bool read_name(const char (&field)[name_field], std::string& out) {
    const void* nul = std::memchr(field, '\0', name_field);
    if (nul == nullptr) return false;
    out.assign(field, static_cast<const char*>(nul));
    return !out.empty() && out.size() <= max_name;
}

std::uint32_t storage_of(const field_def& f) noexcept {
    if (f.kind == field_kind::string) return string_storage(f.size);
    if (f.kind == field_kind::gauge && f.per_process) return per_process_storage;
    return 8;
}

object_schema read_schema(const header& h, std::uint32_t index, const std::string& name) {
    object_head* o = object_at(h, index);
    const std::string where = "object slot " + std::to_string(index) + ": ";
    if (o->field_count == 0 || o->field_count > h.max_fields)
        corrupt(name, where + "bad field count " + std::to_string(o->field_count));
    object_schema s;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> spans;
    for (std::uint32_t i = 0; i < o->field_count; ++i) {
        const field_desc& d = *field_at(h, o, i);
        const std::string fw = where + "field " + std::to_string(i) + ": ";
        field_def f;
        if (!read_name(d.name, f.name)) corrupt(name, fw + "bad name (empty or not NUL-terminated)");
        if (!std::all_of(f.name.begin(), f.name.end(), name_char)) corrupt(name, fw + "bad name characters");
        if (d.kind < kind_counter || d.kind > kind_string) corrupt(name, fw + "bad kind " + std::to_string(d.kind));
        f.kind = static_cast<field_kind>(d.kind);
        if ((d.flags & ~flag_per_process) != 0) corrupt(name, fw + "bad flags");
        f.per_process = (d.flags & flag_per_process) != 0;
        if (f.per_process && f.kind != field_kind::gauge) corrupt(name, fw + "per-process flag on a non-gauge");
        if (f.kind == field_kind::string) {
            if (d.size < 2 || d.size > h.data_size) corrupt(name, fw + "bad string size " + std::to_string(d.size));
        } else if (d.size != 8) {
            corrupt(name, fw + "bad size " + std::to_string(d.size));
        }
        f.size = d.size;
        if (d.storage != storage_of(f)) corrupt(name, fw + "bad storage size " + std::to_string(d.storage));
        if (d.offset % 8 != 0 || std::uint64_t{d.offset} + d.storage > h.data_size)
            corrupt(name, fw + "offset " + std::to_string(d.offset) + " outside the instance data");
        for (const auto& g : s)
            if (g.name == f.name) corrupt(name, fw + "duplicate field name " + f.name);
        spans.emplace_back(d.offset, d.offset + d.storage);
        s.push_back(std::move(f));
    }
    std::sort(spans.begin(), spans.end());
    for (std::size_t i = 1; i < spans.size(); ++i)
        if (spans[i].first < spans[i - 1].second) corrupt(name, where + "overlapping fields");
    return s;
}

bool valid_name(std::string_view n, bool instance) noexcept {
    if (n.empty() || n.size() > max_name) return false;
    for (char c : n) {
        const auto u = static_cast<unsigned char>(c);
        if (instance ? (u <= 0x20 || u >= 0x7f) : !name_char(c)) return false;
    }
    return true;
}


void validate_name(const std::string& registry, std::string_view what, std::string_view n, bool instance) {
    auto bad = [&](const std::string& why) {
        throw reg_error(errc::invalid_argument, registry, "bad " + std::string(what) + " name \"" +
                                                          std::string(n.substr(0, 64)) + "\": " + why);
    };
    if (n.empty()) bad("empty");
    if (n.size() > max_name) bad("longer than " + std::to_string(max_name) + " bytes");
    for (char c : n) {
        const auto u = static_cast<unsigned char>(c);
        if (instance ? (u <= 0x20 || u >= 0x7f) : !name_char(c))
            bad(instance ? "only printable ASCII without spaces is allowed"
                         : "only letters, digits, '_', '.' and '-' are allowed");
    }
}

void validate_schema(const std::string& registry, std::string_view object, const object_schema& s,
                     std::uint32_t max_fields, std::uint32_t data_size) {
    const std::string obj(object);
    auto bad = [&](const std::string& why) {
        throw reg_error(errc::invalid_argument, registry, "bad schema for object " + obj + ": " + why);
    };
    if (s.empty()) bad("no fields");
    if (s.size() > max_fields) bad("more than " + std::to_string(max_fields) + " fields");
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const field_def& f = s[i];
        validate_name(registry, "field", f.name, false);
        for (std::size_t j = 0; j < i; ++j)
            if (s[j].name == f.name) bad("duplicate field " + f.name);
        switch (f.kind) {
        case field_kind::counter:
        case field_kind::gauge:
        case field_kind::time:
            if (f.size != 8) bad("field " + f.name + ": numeric fields are 8 bytes");
            break;
        case field_kind::string:
            if (f.size < 2 || f.size > 512) bad("field " + f.name + ": string size must be 2..512");
            break;
        default: bad("field " + f.name + ": bad kind");
        }
        if (f.per_process && f.kind != field_kind::gauge) bad("field " + f.name + ": only gauges can be per-process");
        total += storage_of(f);
    }
    if (total > data_size)
        bad("needs " + std::to_string(total) + " bytes per instance, more than " + std::to_string(data_size));
}

} // namespace counters::detail::reg

namespace counters {

void validate_registry_name(const std::string& name) {
    auto bad = [&](const std::string& why) { throw detail::reg::reg_error(errc::invalid_argument, name, "bad registry name: " + why); };
    if (name.empty()) bad("empty");
    if (name.size() > 200) bad("longer than 200 bytes");
    if (name[0] == '.') bad("starts with '.'");
    if (!std::all_of(name.begin(), name.end(), detail::reg::name_char)) bad("only letters, digits, '.', '_' and '-' are allowed");
}

} // namespace counters

// SPDX-License-Identifier: MIT
// Registry image validation and name rules.
#include "check.hpp"

#include "../shm/segment.hpp"

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

registry_view check_header(const void* data, std::size_t size, const std::string& name) {
    shm::check_prefix(data, size, name, registry_format);
    const auto& h = *static_cast<const header*>(data);
    registry_view v;
    v.hdr = const_cast<header*>(&h);
    v.major = shm::load_once(h.major);
    v.minor = shm::load_once(h.minor);
    const std::uint32_t header_size = shm::load_once(h.header_size);
    const std::uint32_t name_size = shm::load_once(h.name_size);
    v.field_desc_size = shm::load_once(h.field_desc_size);
    v.max_objects = shm::load_once(h.max_objects);
    v.max_fields = shm::load_once(h.max_fields);
    v.max_instances = shm::load_once(h.max_instances);
    v.data_size = shm::load_once(h.data_size);
    v.process_slots = shm::load_once(h.process_slots);
    v.process_slot_size = shm::load_once(h.process_slot_size);
    const std::uint32_t entries = shm::load_once(h.process_entries);
    v.instance_size = shm::load_once(h.instance_size);
    v.object_size = shm::load_once(h.object_size);
    v.objects_offset = shm::load_once(h.objects_offset);
    v.processes_offset = shm::load_once(h.processes_offset);
    const std::uint64_t total_size = shm::load_once(h.total_size);
    if (header_size < sizeof(header) || header_size % 64 != 0)
        corrupt(name, "bad header size " + std::to_string(header_size));
    if (name_size != name_field) corrupt(name, "bad name size " + std::to_string(name_size));
    if (v.field_desc_size != sizeof(field_desc))
        corrupt(name, "bad field descriptor size " + std::to_string(v.field_desc_size));
    if (v.max_objects == 0 || v.max_objects > limit_objects)
        corrupt(name, "bad object table size " + std::to_string(v.max_objects));
    if (v.max_fields == 0 || v.max_fields > limit_fields)
        corrupt(name, "bad field limit " + std::to_string(v.max_fields));
    if (v.max_instances == 0 || v.max_instances > limit_instances)
        corrupt(name, "bad instance limit " + std::to_string(v.max_instances));
    if (v.data_size < 8 || v.data_size > limit_data_size || v.data_size % 8 != 0)
        corrupt(name, "bad instance data size " + std::to_string(v.data_size));
    if (v.process_slots > limit_process_slots)
        corrupt(name, "bad process slot count " + std::to_string(v.process_slots));
    if (v.process_slot_size != sizeof(process_slot) || entries != process_entries)
        corrupt(name, "bad process slot size " + std::to_string(v.process_slot_size));
    if (v.instance_size < sizeof(instance_head) + v.data_size || v.instance_size % 64 != 0 ||
        v.instance_size > 2 * limit_data_size)
        corrupt(name, "bad instance size " + std::to_string(v.instance_size));
    // Every quantity is bounded above, so these products cannot overflow 64 bits.
    const std::uint64_t need_object = sizeof(object_head) + std::uint64_t{v.max_fields} * v.field_desc_size +
                                      std::uint64_t{v.max_instances} * v.instance_size;
    if (v.object_size < need_object || v.object_size % 64 != 0 || v.object_size > need_object + 4096)
        corrupt(name, "bad object size " + std::to_string(v.object_size));
    const std::uint64_t obj_end = v.objects_offset + std::uint64_t{v.max_objects} * v.object_size;
    const std::uint64_t proc_end = v.processes_offset + std::uint64_t{v.process_slots} * v.process_slot_size;
    if (!shm::table_inside(v.objects_offset, v.max_objects, v.object_size, header_size, size))
        corrupt(name, "object table outside the segment");
    if (!shm::table_inside(v.processes_offset, v.process_slots, v.process_slot_size, obj_end, size))
        corrupt(name, "process table outside the segment");
    if (total_size > size || total_size < proc_end)
        corrupt(name, "recorded size " + std::to_string(total_size) + " does not match segment size " +
                          std::to_string(size));
    return v;
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

checked_schema read_schema(const registry_view& v, std::uint32_t index, const std::string& name) {
    object_head* o = object_at(v, index);
    const std::string where = "object slot " + std::to_string(index) + ": ";
    const std::uint32_t count = shm::load_once(o->field_count);
    if (count == 0 || count > v.max_fields) corrupt(name, where + "bad field count " + std::to_string(count));
    checked_schema cs;
    object_schema& s = cs.fields;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> spans;
    for (std::uint32_t i = 0; i < count; ++i) {
        const field_desc& d = *field_at(v, o, i);
        const std::string fw = where + "field " + std::to_string(i) + ": ";
        const std::uint8_t kind = shm::load_once(d.kind), flags = shm::load_once(d.flags);
        const std::uint32_t size = shm::load_once(d.size), storage = shm::load_once(d.storage), offset = shm::load_once(d.offset);
        field_def f;
        if (!read_name(d.name, f.name)) corrupt(name, fw + "bad name (empty or not NUL-terminated)");
        if (!std::all_of(f.name.begin(), f.name.end(), name_char)) corrupt(name, fw + "bad name characters");
        if (kind < kind_counter || kind > kind_string) corrupt(name, fw + "bad kind " + std::to_string(kind));
        f.kind = static_cast<field_kind>(kind);
        if ((flags & ~flag_per_process) != 0) corrupt(name, fw + "bad flags");
        f.per_process = (flags & flag_per_process) != 0;
        if (f.per_process && f.kind != field_kind::gauge) corrupt(name, fw + "per-process flag on a non-gauge");
        if (f.kind == field_kind::string) {
            if (size < 2 || size > v.data_size) corrupt(name, fw + "bad string size " + std::to_string(size));
        } else if (size != 8) {
            corrupt(name, fw + "bad size " + std::to_string(size));
        }
        f.size = size;
        if (storage != storage_of(f)) corrupt(name, fw + "bad storage size " + std::to_string(storage));
        if (offset % 8 != 0 || std::uint64_t{offset} + storage > v.data_size)
            corrupt(name, fw + "offset " + std::to_string(offset) + " outside the instance data");
        for (const auto& g : s)
            if (g.name == f.name) corrupt(name, fw + "duplicate field name " + f.name);
        spans.emplace_back(offset, offset + storage);
        s.push_back(std::move(f));
        cs.offsets.push_back(offset);
    }
    std::sort(spans.begin(), spans.end());
    for (std::size_t i = 1; i < spans.size(); ++i)
        if (spans[i].first < spans[i - 1].second) corrupt(name, where + "overlapping fields");
    return cs;
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
    if (detail::shm::is_file_name(name)) { // a file-backed registry at an absolute path
        if (const std::string why = detail::shm::file_name_problem(name); !why.empty()) bad("path " + why);
        return;
    }
    if (name.size() > 200) bad("longer than 200 bytes");
    if (name[0] == '.') bad("starts with '.'");
    if (!std::all_of(name.begin(), name.end(), detail::reg::name_char))
        bad("only letters, digits, '.', '_' and '-' are allowed");
}

} // namespace counters

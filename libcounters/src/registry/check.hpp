// SPDX-License-Identifier: MIT
// Validation of a registry image (untrusted input) and name rules, shared by the producer
// and the reader. Every failure throws counters::error naming the registry.
#pragma once

#include "layout.hpp"

#include <counters/error.hpp>
#include <counters/registry.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace counters::detail::reg {

/// The wire format's identity for the engine's shared checks.
extern const shm::format_id registry_format;

/// An error about registry @p name: `registry "NAME": MESSAGE`.
inline error reg_error(errc code, const std::string& name, const std::string& message) {
    return error(code, object_kind::registry, name, message);
}

/// Checks magic, version, every size, count and offset of the header against @p size.
/// A header whose state word still says initialising gives not_ready before any other field
/// is looked at; the ready/retired distinction is left to the caller.
/// Throws corrupt, foreign, version, not_ready.
/// Returns the geometry read once into local values (use only these afterwards).
registry_view check_header(const void* data, std::size_t size, const std::string& name);

/// Copies a NUL-terminated name out of a fixed field; false when there is no NUL inside the
/// field or the name is empty.
bool read_name(const char (&field)[name_field], std::string& out);

/// The text of a name field as it stands, bounded by the field (a field without a NUL, as a
/// hostile registry may hold, gives its first name_field bytes). For messages.
inline std::string field_text(const char (&field)[name_field]) {
    std::size_t n = 0;
    while (n < name_field && field[n] != '\0') ++n;
    return std::string(field, n);
}

/// True when @p n is 1..32 bytes of [A-Za-z0-9_.-] (objects and fields) or, for an
/// instance, of printable ASCII without spaces.
bool valid_name(std::string_view n, bool instance) noexcept;

/// A validated schema: the fields, and where each one's storage lies in an instance's data
/// area (read once, checked against the data size).
struct checked_schema {
    object_schema fields;
    std::vector<std::uint32_t> offsets;
};

/// Decodes and validates the schema of a ready object slot @p index of a checked image.
/// Every descriptor field is read once. Throws corrupt naming the object slot.
checked_schema read_schema(const registry_view& v, std::uint32_t index, const std::string& name);

/// Throws invalid_argument unless @p n is a usable object/field/instance name.
/// Objects and fields: [A-Za-z0-9_.-]; instances: printable ASCII without spaces.
void validate_name(const std::string& registry, std::string_view what, std::string_view n,
                   bool instance);

/// Checks a schema that is about to be defined; throws invalid_argument.
void validate_schema(const std::string& registry, std::string_view object, const object_schema& s,
                     std::uint32_t max_fields, std::uint32_t data_size);

/// Storage bytes of a field.
std::uint32_t storage_of(const field_def& f) noexcept;

} // namespace counters::detail::reg

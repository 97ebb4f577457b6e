// Validation of a registry image (untrusted input) and name rules, shared by the producer
// and the reader. Every failure throws counters::error naming the registry.
#pragma once

#include "registry_layout.hpp"

#include <counters/registry.hpp>

#include <string>
#include <string_view>

namespace counters::detail::reg {

/// Checks magic, version, every size, count and offset of the header against @p size.
/// Does not look at the state word. Throws corrupt, foreign, version, not_ready.
const header& check_header(const void* data, std::size_t size, const std::string& name);

/// Copies a NUL-terminated name out of a fixed field; false when there is no NUL inside the
/// field or the name is empty.
bool read_name(const char (&field)[name_field], std::string& out);

/// Decodes and validates the schema of a ready object slot @p index of a checked image.
/// Throws corrupt naming the object slot.
object_schema read_schema(const header& h, std::uint32_t index, const std::string& name);

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

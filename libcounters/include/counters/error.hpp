/// @file error.hpp
/// The exception thrown by set-up calls (open, create, clear, delete, snapshot).
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

namespace counters {

/// What went wrong, so that tools can choose an exit code or a retry without parsing text.
enum class errc {
    not_found,          ///< the section does not exist
    exists,             ///< the section exists and the call needed it absent
    permission,         ///< the operating system refused access (EACCES/EPERM)
    corrupt,            ///< the segment is too small, has bad offsets or sizes, or bad data
    foreign,            ///< the segment is not a libcounters section (bad magic)
    version,            ///< the section was written by an incompatible (newer/older) format
    not_ready,          ///< the creator never published the section as ready
    retired,            ///< the section was deleted while being opened
    invalid_argument,   ///< a bad name, size or option was passed by the caller
    table_full,         ///< a fixed-size table in the section has no free slot
    system,             ///< any other operating-system failure
};

/// Returns a short lower-case name for @p code ("not found", "corrupt", ...).
const char* to_string(errc code) noexcept;

/// Thrown by every set-up call of the library. `what()` names the section and the cause,
/// e.g. `section "imta_counters": bad magic (not a counters section)`.
/// Recording calls never throw. Copying an error never throws (the section name is shared,
/// like the message), so it can be caught and rethrown by value safely.
class error : public std::runtime_error {
public:
    /// Builds `section "<section>": <message>`.
    error(errc code, const std::string& section, const std::string& message);
    /// Builds `<kind> "<section>": <message>`, e.g. kind "registry" for the counter registry.
    error(errc code, const std::string& section, const std::string& message, const std::string& kind);
    /// The kind of failure.
    errc code() const noexcept { return code_; }
    /// The section (or registry) name the failure concerns.
    const std::string& section() const noexcept { return *section_; }

private:
    errc code_;
    std::shared_ptr<const std::string> section_;
};

} // namespace counters

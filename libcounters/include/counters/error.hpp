// SPDX-License-Identifier: MIT
/// @file error.hpp
/// The exception thrown by set-up calls (open, create, clear, delete, snapshot).
#pragma once

#include <counters/export.hpp>

#include <cstddef>
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
    no_space,           ///< not enough space in /dev/shm to create or back the segment
};

/// Returns a short lower-case name for @p code ("not found", "corrupt", ...).
COUNTERS_API const char* to_string(errc code) noexcept;

/// What kind of named object an error concerns; it is the first word of `what()`.
enum class object_kind {
    section,  ///< a channel-counter section: `section "NAME": ...`
    registry, ///< a counter registry: `registry "NAME": ...`
    queue,    ///< a queue directory tree or queue file: `queue "PATH": ...`
};

/// The word used for @p kind in messages ("section", "registry", "queue").
COUNTERS_API const char* to_string(object_kind kind) noexcept;

/// Thrown by every set-up call of the library. `what()` names the object and the cause,
/// e.g. `section "imta_counters": bad magic (not a counters section)`.
/// Recording calls never throw. Copying an error never throws (the name is shared, like
/// the message), so it can be caught and rethrown by value safely.
class COUNTERS_API error : public std::runtime_error {
public:
    /// Builds `section "<name>": <message>`.
    error(errc code, const std::string& name, const std::string& message);
    /// Builds `<kind> "<name>": <message>`, e.g. `registry "counters": ...`.
    error(errc code, object_kind kind, const std::string& name, const std::string& message);
    /// The kind of failure.
    errc code() const noexcept { return code_; }
    /// The kind of object the failure concerns.
    object_kind kind() const noexcept { return kind_; }
    /// The name of the section, registry or queue the failure concerns.
    const std::string& name() const noexcept { return *name_; }
    /// The message without the `<kind> "<name>": ` prefix.
    const char* detail() const noexcept { return what() + prefix_; }

private:
    errc code_;
    object_kind kind_;
    std::size_t prefix_;
    std::shared_ptr<const std::string> name_;
};

} // namespace counters

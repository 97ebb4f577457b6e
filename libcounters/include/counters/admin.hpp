// SPDX-License-Identifier: MIT
/// @file admin.hpp
/// Operator actions on a whole section: create, clear, delete, existence.
/// All calls may throw counters::error naming the section and the cause; each is safe to
/// run while writers are recording (they never wait for it and it never waits for them).
#pragma once

#include <counters/export.hpp>

#include <counters/options.hpp>

#include <cstdint>
#include <map>
#include <string>

namespace counters {

/// Creates section @p name with @p options. Returns true when this call created it and
/// false when a healthy section already existed (left untouched).
/// Throws counters::error when it exists but is not a valid, ready section, or on failure.
COUNTERS_API bool create_section(const std::string& name, const create_options& options = {});

/// What clear_section() zeroes.
enum class clear_what : unsigned {
    channels = 1,     ///< the message rows, first-attempt and queue-time figures
    associations = 2, ///< the association totals, rejected/failed and last-activity times
    all = 3,
};

/// Zeroes counters and their minimums in place, bumps the clear count and stamps the clear
/// time. Current-association gauges are not touched (they describe live connections).
/// Throws counters::error(errc::not_found) when the section does not exist.
COUNTERS_API void clear_section(const std::string& name, clear_what what = clear_what::all);

/// Marks the section retired and unlinks it. Attached writers re-attach to a new section on
/// their next event. A section that is corrupt or never became ready is unlinked as well.
/// Throws counters::error(errc::not_found) when it does not exist.
COUNTERS_API void delete_section(const std::string& name);

/// True when a segment called @p name exists (whether or not it is valid).
COUNTERS_API bool section_exists(const std::string& name);

/// Stored figures of one channel (used to reset Stored from what is really queued).
struct COUNTERS_API stored_values {
    std::int64_t messages = 0;
    std::int64_t recipients = 0;
    std::int64_t blocks = 0;
};

/// Sets the Stored counters of every channel named in @p stored to the given values, and of
/// every other registered channel to zero, registering channels as needed. The reset
/// re-bases the three Stored minimums, as a clear does: each becomes 0, or the value when it
/// is negative, so that the absolute value (current minus minimum) is the value set, not
/// the value plus however far Stored had drifted below zero. A dequeue racing with the
/// reset may be lost or counted against the old base. Used by `qm counters ...` with a
/// queue directory.
/// Attaches as a writer: a missing section is created with the default options, as by
/// `section`, not reported as errc::not_found. Throws counters::error on failure (a bad
/// section or channel name, or a section that is not valid).
COUNTERS_API void reset_stored(const std::string& name, const std::map<std::string, stored_values>& stored);

} // namespace counters

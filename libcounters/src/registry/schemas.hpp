// SPDX-License-Identifier: MIT
// The fields of the service objects (imapstat, popstat, httpstat), declared once: the
// built-in schema (registry_schemas.cpp) and service_stats (stats.cpp) are expanded from
// this list, so a field name is spelled only here.
#pragma once

#include <counters/registry.hpp>

#include <cstddef>
#include <cstdint>

namespace counters::detail {

// X(id, name, kind, per_process), in the order counterutil prints them (the schema order).
#define COUNTERS_SERVICE_FIELDS(X)                                    \
    X(current_start_time, "currentStartTime", time, false)            \
    X(last_connection_time, "lastConnectionTime", time, false)        \
    X(max_connections, "maxConnections", gauge, false)                \
    X(num_connections, "numConnections", counter, false)              \
    X(num_current_connections, "numCurrentConnections", gauge, true)  \
    X(num_failed_connections, "numFailedConnections", counter, false) \
    X(num_failed_logins, "numFailedLogins", counter, false)           \
    X(num_good_logins, "numGoodLogins", counter, false)

/// One field of the service objects; the value is its index in the schema.
enum class service_field : std::uint8_t {
#define COUNTERS_X_ENUM(id, ...) id,
    COUNTERS_SERVICE_FIELDS(COUNTERS_X_ENUM)
#undef COUNTERS_X_ENUM
};

struct service_field_def {
    const char* name;
    field_kind kind;
    bool per_process;
};

inline constexpr service_field_def service_fields[] = {
#define COUNTERS_X_DEF(id, name, kind, per_process) {name, field_kind::kind, per_process},
    COUNTERS_SERVICE_FIELDS(COUNTERS_X_DEF)
#undef COUNTERS_X_DEF
};

/// The definition of @p f.
constexpr const service_field_def& def(service_field f) noexcept {
    return service_fields[static_cast<std::size_t>(f)];
}

} // namespace counters::detail

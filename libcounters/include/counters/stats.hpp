// SPDX-License-Identifier: MIT
/// @file stats.hpp
/// Service statistics of a server (imapstat, popstat, httpstat): one call per connection or
/// login event keeps the object's eight fields consistent.
///
///     counters::registry reg;                       // COUNTERS_REGISTRY or counters_registry
///     counters::service_stats imap(reg, "imapstat");
///     imap.accepted(); imap.login_ok(); imap.closed();
///
/// Event calls are noexcept, lock-free and safe from any number of threads and processes.
/// numCurrentConnections is kept per writer process, so a server that crashes with open
/// connections does not leave them counted: readers sum live processes only.
#pragma once

#include <counters/export.hpp>

#include <counters/registry.hpp>

#include <string_view>

namespace counters {

class COUNTERS_API service_stats {
public:
    /// Registers (or finds) @p object (a built-in service object or any object with the same
    /// fields) and instance @p instance, and stamps currentStartTime with the current time.
    /// Throws counters::error as registry::object() and counter_object::instance() do.
    service_stats(registry& reg, std::string_view object, std::string_view instance = "global");

    /// A connection was accepted: numConnections and numCurrentConnections grow,
    /// maxConnections rises to the new total over all processes when that is a new high,
    /// lastConnectionTime is stamped.
    void accepted() noexcept;
    /// An accepted connection ended: numCurrentConnections shrinks.
    void closed() noexcept;
    /// A connection could not be served (refused, dropped during the greeting, timed out):
    /// numFailedConnections grows. Call closed() as well if accepted() was called for it.
    void failed() noexcept;
    /// A login succeeded: numGoodLogins grows.
    void login_ok() noexcept;
    /// A login failed: numFailedLogins grows.
    void login_failed() noexcept;

    /// The instance the events go to (for extra fields).
    const counter_instance& instance() const noexcept { return inst_; }

private:
    counter_instance inst_;
    time_field start_, last_;
    gauge_field max_, current_;
    counter_field connections_, failed_, good_logins_, failed_logins_;
};

} // namespace counters

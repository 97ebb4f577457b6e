// SPDX-License-Identifier: MIT
// Service statistics (imapstat, popstat, httpstat) over the counter registry.
#include "schemas.hpp"

#include <counters/stats.hpp>

namespace counters {

namespace {

using detail::service_field;

/// The name of field @p f, which service_stats resolves as a field of kind @p kind.
constexpr const char* name(service_field f, field_kind kind) noexcept {
    return detail::def(f).kind == kind ? detail::def(f).name : nullptr;
}
constexpr const char* time_name(service_field f) noexcept { return name(f, field_kind::time); }
constexpr const char* gauge_name(service_field f) noexcept { return name(f, field_kind::gauge); }
constexpr const char* counter_name(service_field f) noexcept { return name(f, field_kind::counter); }

// Each handle below is resolved with the kind its schema entry declares.
static_assert(time_name(service_field::current_start_time) != nullptr);
static_assert(time_name(service_field::last_connection_time) != nullptr);
static_assert(gauge_name(service_field::max_connections) != nullptr);
static_assert(gauge_name(service_field::num_current_connections) != nullptr);
static_assert(counter_name(service_field::num_connections) != nullptr);
static_assert(counter_name(service_field::num_failed_connections) != nullptr);
static_assert(counter_name(service_field::num_good_logins) != nullptr);
static_assert(counter_name(service_field::num_failed_logins) != nullptr);

} // namespace

service_stats::service_stats(registry& reg, std::string_view object, std::string_view instance)
    : inst_(reg.object(object).instance(instance)),
      start_(inst_.time(time_name(service_field::current_start_time))),
      last_(inst_.time(time_name(service_field::last_connection_time))),
      max_(inst_.gauge(gauge_name(service_field::max_connections))),
      current_(inst_.gauge(gauge_name(service_field::num_current_connections))),
      connections_(inst_.counter(counter_name(service_field::num_connections))),
      failed_(inst_.counter(counter_name(service_field::num_failed_connections))),
      good_logins_(inst_.counter(counter_name(service_field::num_good_logins))),
      failed_logins_(inst_.counter(counter_name(service_field::num_failed_logins))) {
    start_.stamp();
}

void service_stats::accepted() noexcept {
    connections_.add(1);
    last_.stamp();
    // The total over every live process after this connection: a new high raises the mark.
    current_.add_tracking_max(1, max_);
}

void service_stats::closed() noexcept { current_.add(-1); }
void service_stats::failed() noexcept { failed_.add(1); }
void service_stats::login_ok() noexcept { good_logins_.add(1); }
void service_stats::login_failed() noexcept { failed_logins_.add(1); }

} // namespace counters

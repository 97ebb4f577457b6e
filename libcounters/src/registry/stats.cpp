// Service statistics (imapstat, popstat, httpstat) over the counter registry.
#include <counters/stats.hpp>

namespace counters {

service_stats::service_stats(registry& reg, std::string_view object, std::string_view instance)
    : inst_(reg.object(object).instance(instance)),
      start_(inst_.time("currentStartTime")),
      last_(inst_.time("lastConnectionTime")),
      max_(inst_.gauge("maxConnections")),
      current_(inst_.gauge("numCurrentConnections")),
      connections_(inst_.counter("numConnections")),
      failed_(inst_.counter("numFailedConnections")),
      good_logins_(inst_.counter("numGoodLogins")),
      failed_logins_(inst_.counter("numFailedLogins")) {
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

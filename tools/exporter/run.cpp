// SPDX-License-Identifier: MIT
// counters-exporter's run(): the signals, the collector, and the HTTP server.
#include "exporter.hpp"

#include <counters_tools/cli.hpp>

#include <csignal>
#include <ostream>

namespace counters::exporter {

int run(const options& opt, std::ostream& /*out*/, std::ostream& err) {
    // A peer that goes away while its response is written must not end the process (Asio
    // sends with MSG_NOSIGNAL already; this covers every other write).
    std::signal(SIGPIPE, SIG_IGN);
    // No configuration file to reload: a SIGHUP (a closed terminal, a reload by habit) must
    // not end the exporter.
    std::signal(SIGHUP, SIG_IGN);
    // SIGTERM and SIGINT end the exporter at once with status 0: it keeps no state, and a
    // scrape cut short is retried by Prometheus at its next interval.
    counters::tools::install_stop_handlers();
    counters::tools::stop_ends_ok();
    collector source(opt.section, opt.registry, err);
    serve(opt, source, err);
    return counters::tools::exit_ok;
}

} // namespace counters::exporter

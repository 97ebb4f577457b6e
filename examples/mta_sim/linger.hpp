// SPDX-License-Identifier: MIT
// mta-sim: the --linger phase: after the message run, the parent keeps the IMAP and POP
// servers busy in real time so that `counterutil -o imapstat -i 1` shows the numbers move.
#pragma once

#include "options.hpp"
#include "tally.hpp"

#include <counters/registry.hpp>

namespace mta_sim {

struct linger_result {
    tally counts;          ///< what was recorded (the service part and events)
    double seconds = 0;    ///< real time spent
    bool interrupted = false; ///< SIGINT or SIGTERM ended it early
};

/// For opts.linger seconds (less if SIGINT or SIGTERM arrives), every 100 ms: ends the
/// sessions that are due, and tells the mail readers of a few new ims-ms deliveries, so that
/// a few connections arrive per tick; sessions last linger_time_scale of their simulated
/// length. Records into imapstat and popstat of @p reg; draws as worker opts.processes
/// would. Every session is closed when it returns.
linger_result linger(const options& opts, counters::registry& reg);

} // namespace mta_sim

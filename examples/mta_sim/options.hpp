// SPDX-License-Identifier: MIT
// mta-sim: the parsed command line.
#pragma once

#include <cstdint>
#include <string>

namespace mta_sim {

struct options {
    unsigned processes = 4;         ///< worker processes (1..256)
    std::uint64_t messages = 5000;  ///< messages offered per worker
    std::string section;            ///< section name (already resolved, never empty)
    std::uint64_t seed = 0;         ///< base seed; worker i uses seed + i
    bool verify = false;            ///< compare the section's change with the tallies
    bool quiet = false;             ///< print only errors and the verify result
    std::string queue;              ///< --queue: also write the queue as files there ("" = no)
    bool servers = true;            ///< simulate the IMAP and POP servers (--no-servers: no)
    std::string registry;           ///< registry of imapstat/popstat (resolved; "" with --no-servers)
    unsigned linger = 0;            ///< --linger: seconds of real-time IMAP/POP after the run
};

/// The parent's real-time IMAP/POP phase (--linger) draws as worker number opts.processes.
/// Sessions there last this fraction of their simulated length.
inline constexpr double linger_time_scale = 0.01;

/// Runs the simulation described by @p opts; returns the process exit status (0 or 1).
int run(const options& opts);

} // namespace mta_sim

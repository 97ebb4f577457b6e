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
};

/// Runs the simulation described by @p opts; returns the process exit status (0 or 1).
int run(const options& opts);

} // namespace mta_sim

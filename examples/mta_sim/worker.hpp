// mta-sim: the body of one forked worker process.
#pragma once

#include "options.hpp"

namespace mta_sim {

/// Runs worker @p index: attaches to the section, resolves its channel handles once, routes
/// opts.messages messages with its own generator (opts.seed + index), writes its tally to
/// @p tally_fd, then keeps its section attached until @p release_fd reaches end-of-file (so the
/// parent can check that its association gauges read 0 while it is still alive).
/// Returns the exit status for the child (0, or 1 after printing the error).
int worker_main(const options& opts, unsigned index, int tally_fd, int release_fd) noexcept;

} // namespace mta_sim

// SPDX-License-Identifier: MIT
// mta-sim: the body of one forked worker process.
#pragma once

#include "options.hpp"

namespace mta_sim {

/// Runs worker @p index: attaches to the section (and, unless opts.servers is false, to the
/// registry, with one counters::service_stats for imapstat and one for popstat), resolves its
/// channel handles once, routes opts.messages messages with its own generator
/// (opts.seed + index; the mail readers use workload::stream_seed of the same number), writes
/// its tally to @p tally_fd, then keeps the section and the registry attached until
/// @p release_fd reaches end-of-file (so the parent can check that its association gauges and
/// its share of numCurrentConnections read 0 while it is still alive).
/// Returns the exit status for the child (0, or 1 after printing the error).
int worker_main(const options& opts, unsigned index, int tally_fd, int release_fd) noexcept;

} // namespace mta_sim

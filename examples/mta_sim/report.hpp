// mta-sim: consistency checks, the comparison with the section, and the summary.
#pragma once

#include "options.hpp"
#include "tally.hpp"

#include <counters/snapshot.hpp>

#include <cstdio>
#include <string>
#include <vector>

namespace mta_sim {

/// Invariants of what the workers recorded: over all channels sum(Received) ==
/// sum(Submitted); per channel Stored == Received - Delivered; Stored messages == entries left
/// in the simulated queues; every association closed. Returns one line per violation.
std::vector<std::string> check_tally(const tally& total);

/// Compares after - before with @p total for every simulated channel and counter, checks the
/// current association gauges of @p after are 0 and the two invariants hold on the change.
/// Returns one line per mismatch (empty: the section agrees).
std::vector<std::string> verify_section(const counters::snapshot& before,
                                        const counters::snapshot& after, const tally& total);

/// Prints the run summary.
/// Prints the run summary; @p checks_ok is the outcome of check_tally().
void print_summary(std::FILE* out, const options& opts, const tally& total, double seconds,
                   bool checks_ok);

} // namespace mta_sim

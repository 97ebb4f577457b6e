// SPDX-License-Identifier: MIT
// mta-sim: consistency checks, the comparison with the section, and the summary.
#pragma once

#include "options.hpp"
#include "tally.hpp"

#include <counters/registry_snapshot.hpp>
#include <counters/snapshot.hpp>

#include <cstdio>
#include <string>
#include <vector>

namespace mta_sim {

/// Invariants of what the workers recorded: over all channels sum(Received) ==
/// sum(Submitted); per channel Stored == Received - Delivered; Stored messages == entries left
/// in the simulated queues; every association and every IMAP/POP connection closed.
/// Returns one line per violation.
std::vector<std::string> check_tally(const tally& total);

/// Compares after - before with @p total for every simulated channel and counter, checks the
/// current association gauges of @p after are 0 and the two invariants hold on the change.
/// Returns one line per mismatch (empty: the section agrees).
std::vector<std::string> verify_section(const counters::snapshot& before,
                                        const counters::snapshot& after, const tally& total);

/// Compares after - before of imapstat and popstat (instance "global") in the registry with
/// the service part of @p total: numConnections, numFailedConnections, numGoodLogins and
/// numFailedLogins must have changed by exactly what was recorded; numCurrentConnections must
/// read 0 (taken while the writers are alive, it is the sum of their open connections); and
/// maxConnections, a high-water mark over all writers at once, must be at least
/// max(before, the highest single writer's peak, 1 if anything connected) and at most
/// max(before, numCurrentConnections before + the sum of the writers' peaks).
/// Returns one line per mismatch (empty: the registry agrees).
std::vector<std::string> verify_registry(const counters::registry_snapshot& before,
                                         const counters::registry_snapshot& after, const tally& total);

/// "imapstat maxConnections 31, popstat maxConnections 4" from @p after (for the OK line).
std::string registry_peaks(const counters::registry_snapshot& after);

/// Prints the run summary; @p checks_ok is the outcome of check_tally().
void print_summary(std::FILE* out, const options& opts, const tally& total, double seconds,
                   bool checks_ok);

/// Prints the table of IMAP and POP activity in @p total (the part of the summary that the
/// --linger phase prints too).
void print_services(std::FILE* out, const tally& total);

} // namespace mta_sim

// SPDX-License-Identifier: MIT
/// @file ingest.hpp
/// counters-ingest: its options, the command line, and run() (run.cpp), which follows the
/// sources and feeds their lines to an interpreter.
#pragma once

#include "follow.hpp"

#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace counters::ingest {

/// The state file used when --state is not given.
inline constexpr const char* default_state_file = "/var/lib/counters-ingest/state";

struct options {
    std::string section;      ///< resolved section name
    std::string registry;     ///< resolved registry name
    std::string format = "auto";
    std::string channel_map;  ///< --channel-map FILE ("" none)
    std::string state_file = default_state_file;
    std::optional<start_at> start; ///< --from-start / --from-end (default: end, or beginning with --once)
    bool once = false;
    bool stats = false;
    std::size_t max_in_flight = 100000;
    std::vector<std::string> sources;
};

/// The usage text (--help; its first lines are the SYNOPSIS of counters-ingest(8)).
const std::string& help_text();

/// Parses the command line into @p opt. Returns std::nullopt to go on, or the exit code
/// (--help, --version, a usage error reported on @p err).
std::optional<int> parse_command_line(int argc, const char* const* argv, options& opt, std::ostream& out,
                                      std::ostream& err);

/// Follows the sources until stopped (or, with --once, until they are read). Throws on
/// set-up failures (guarded() reports them).
int run(const options& opt, std::ostream& out, std::ostream& err);

} // namespace counters::ingest

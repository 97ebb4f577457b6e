// SPDX-License-Identifier: MIT
// counterutil: its options, its command line and the run() that main() hands them to.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

namespace counterutil {

/// What the command line asks for, checked and resolved.
struct options {
    enum class mode { list, monitor, reset };
    mode what = mode::list; ///< -l, -o counterobject, or -s
    std::string object;     ///< -o
    std::string counter;    ///< -c (with -s)
    std::string registry;   ///< -r, else COUNTERS_REGISTRY, else counters_registry; validated
    long interval = 5;      ///< -i: seconds between samples
    long count = 0;         ///< -n: number of samples (0: until interrupted)
    bool json = false;      ///< -f json
};

/// The usage text (the SYNOPSIS of counterutil(1)) followed by the option list.
std::string usage();

/// Parses the command line through the tools' front door (short options, `--` spellings and
/// single-dash long names such as `-list`) and checks it. On success fills @p opts and
/// returns std::nullopt; otherwise returns the exit code after printing help/version on
/// @p out or one line `counterutil: message` on @p err (exit 2 for every usage error).
std::optional<int> parse_command_line(int argc, const char* const* argv, options& opts, std::ostream& out,
                                      std::ostream& err);

/// Runs one command; output to @p out. SIGINT or SIGTERM ends monitoring at once, also in a
/// read that blocks, after completing a sample being written: the process exits 0 once a
/// sample was written, 130 or 143 before (install_stop_handlers()). Returns exit_ok; throws counters::error (a missing, corrupt,
/// foreign or newer registry) or std::runtime_error with an escaped message (an unknown
/// object or counter, a counter that cannot be reset, output that cannot be written).
int run(const options& opt, std::ostream& out);

} // namespace counterutil

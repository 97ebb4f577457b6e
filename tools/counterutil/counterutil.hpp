// counterutil: options and the run() that main() hands them to.
#pragma once

#include <iosfwd>
#include <string>

namespace counterutil {

/// Exit statuses: 0 success, 1 runtime failure, 2 usage error.
enum exit_code : int { exit_ok = 0, exit_runtime = 1, exit_usage = 2 };

/// The command line, as given (numbers are checked by run()).
struct options {
    bool list = false;       ///< -l
    bool reset = false;      ///< -s
    std::string object;      ///< -o
    std::string counter;     ///< -c
    std::string registry;    ///< -r (empty: COUNTERS_REGISTRY or counters_registry)
    std::string interval;    ///< -i
    bool interval_given = false;
    std::string count;       ///< -n
    bool count_given = false;
    std::string format;      ///< -f/--format: text (default) or json
};

/// The usage text (the SYNOPSIS of counterutil(1)) followed by the option list.
std::string usage();

/// Runs one command; output to @p out, one-line diagnostics `counterutil: ...` to @p err.
/// Monitoring stops cleanly on SIGINT or SIGTERM (exit 0 after the current sample).
/// Returns an exit_code. Never throws.
int run(const options& opt, std::ostream& out, std::ostream& err);

} // namespace counterutil

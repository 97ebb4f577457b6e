/// @file cli.hpp
/// Command-line handling shared by the tools: the single-dash rewrite for CLI11 2.1, exit
/// codes and `prog: message` error reporting. Nothing here touches shared memory.
#pragma once

#include <CLI/CLI.hpp>

#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace counters::tools {

/// Exit codes of every tool.
enum exit_code : int {
    exit_ok = 0,      ///< success, including --help and --version
    exit_failure = 1, ///< runtime failure (missing section, permission, corrupt, I/O)
    exit_usage = 2,   ///< bad command line
};

/// A command-line mistake found after CLI11 parsed (bad number, conflicting options).
/// Reported as `prog: message` and exit_usage.
class usage_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The long option names (without dashes) of @p app and of all its subcommands, recursively,
/// sorted and without duplicates.
std::vector<std::string> long_option_names(const CLI::App& app);

/// Rewrites the original single-dash spellings for CLI11 2.1: each argument `-name` or
/// `-name=value` becomes `--canonical[=value]` when the lower-cased name equals a long option
/// of @p app (or of one of its subcommands) or is a unique prefix of exactly one. Left alone:
/// short options of the app (`-h`), unknown or ambiguous names (so that they still fail),
/// negative numbers, `--long` spellings (whose names are lower-cased when they match), the
/// value that follows an option expecting one, and everything after `--`.
/// @p args excludes the program name. Does not throw except std::bad_alloc.
std::vector<std::string> rewrite_single_dash(const CLI::App& app, std::vector<std::string> args);

/// Single-dash tokens of @p args (after rewriting) that are prefixes of more than one long
/// option, each with the candidates, e.g. "-c (-channels, -clear, -create)".
std::vector<std::string> ambiguous_options(const CLI::App& app, const std::vector<std::string>& args);

/// Parses @p argc/@p argv into @p app after rewrite_single_dash(). Prints --help (the text of
/// @p help when not empty, otherwise CLI11's) and --version to @p out; reports every parse
/// error as one line `prog: message` on @p err. Returns std::nullopt when the tool should
/// go on, or the exit code to return now (exit_ok after help/version, exit_usage on error).
/// Turns on allow_extras() on @p app so that leftovers are reported here as one clear line.
std::optional<int> parse_command_line(CLI::App& app, int argc, const char* const* argv, std::ostream& out,
                                      std::ostream& err, const std::string& help = {});

/// Writes `prog: message` and a newline to @p err.
void report(std::ostream& err, const std::string& prog, const std::string& message);

/// Runs @p body and maps exceptions to exit codes, reporting each as one line on stderr:
/// usage_error → exit_usage; counters::error with errc::invalid_argument → exit_usage;
/// any other exception → exit_failure. Returns what @p body returned otherwise.
template <class F>
int guarded(const std::string& prog, F&& body);

/// Makes a SIGBUS (a shared-memory segment shrunk by another process while this one reads
/// it) end the tool with one line `prog: a shared-memory segment shrank while being read`
/// and exit_failure instead of a crash. Idempotent; guarded() calls it.
void install_fault_guard(const std::string& prog);

/// Implementation of guarded() for the exception currently being handled.
int report_current_exception(const std::string& prog);

template <class F>
int guarded(const std::string& prog, F&& body) {
    install_fault_guard(prog);
    try {
        return body();
    } catch (...) {
        return report_current_exception(prog);
    }
}

/// Parses a decimal unsigned number in [@p lo, @p hi] given to option @p option; throws
/// usage_error `-option: "abc" is not a number` or `-option: 0 is out of range (1..65536)`.
unsigned long parse_number(const std::string& option, const std::string& text, unsigned long lo,
                           unsigned long hi);

/// Parses an octal permission mode (at most 07777); throws usage_error naming @p option.
unsigned parse_mode(const std::string& option, const std::string& text);

} // namespace counters::tools

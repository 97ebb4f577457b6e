// SPDX-License-Identifier: MIT
/// @file cli.hpp
/// The one command-line front door of the tools: the single-dash rewrite for CLI11 2.1, the
/// shared options, exit codes, `prog: message` error reporting in the tools' own words, and
/// writing the output. Nothing here touches shared memory.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

// CLI11 is only named here (by reference and pointer): a file that builds or parses a
// command line includes <CLI/CLI.hpp> itself, and the many that do not are spared its
// ten thousand lines.
namespace CLI {
class App;
class Error;
class Option;
class Success;
} // namespace CLI

namespace counters::tools {

/// Exit codes of every tool.
enum exit_code : int {
    exit_ok = 0,      ///< success, including --help and --version
    exit_failure = 1, ///< runtime failure (missing section, permission, corrupt, I/O)
    exit_usage = 2,   ///< bad command line
};

/// What kind of mistake a usage_error reports; qm gives each its own `%QM-E-` ident.
enum class usage_kind {
    bad_value,           ///< a bad number, mode, name or combination (the default)
    bad_option,          ///< an unknown option, or one given a value it cannot take
    ambiguous_option,    ///< a prefix of more than one option
    unexpected_argument, ///< a word no option or argument takes
    bad_format,          ///< -format other than text or json
};

/// A command-line mistake. Reported as one line `prog: message` and exit_usage. The message
/// is in the tool's own words, lowercase, naming the option, with names already escaped.
class usage_error : public std::runtime_error {
public:
    explicit usage_error(const std::string& message, usage_kind kind = usage_kind::bad_value)
        : std::runtime_error(message), kind_(kind) {}
    usage_kind kind() const noexcept { return kind_; }

private:
    usage_kind kind_;
};

/// An output file that cannot be opened, or output that cannot be written (exit_failure).
class output_error : public std::runtime_error {
public:
    enum class stage { open, write };
    output_error(const std::string& message, stage at) : std::runtime_error(message), at_(at) {}
    stage at() const noexcept { return at_; }

private:
    stage at_;
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

/// One line in the tool's own words for a CLI11 parse error: `-name: a value is required`,
/// `-name: takes no value`, `unexpected argument "x"`...; never CLI11's capitalised text.
/// Names are shown with one dash, as the original tools spell them, and escaped.
std::string message_of(const CLI::Error& e);

/// The front door's parse: reports ambiguous prefixes, rewrites the single-dash spellings,
/// parses @p args (program name excluded) into @p app, and reports leftovers. Turns on
/// allow_extras() on @p app. Throws usage_error (with its usage_kind) for every mistake;
/// lets CLI::CallForHelp / CallForAllHelp / CallForVersion through.
void parse_words(CLI::App& app, std::vector<std::string> args);

/// Answers a --help or --version that parse_words() let through: prints @p help (when not
/// empty, otherwise CLI11's help of @p app) or the version text on @p out; returns exit_ok.
int answer(const CLI::Success& call, const CLI::App& app, std::ostream& out, const std::string& help);

/// parse_words() for a whole command line: prints --help (the text of @p help when not empty,
/// otherwise CLI11's) and --version to @p out; reports a usage_error as one line
/// `prog: message` on @p err (prog is the app's name). Returns std::nullopt when the tool
/// should go on, or the exit code to return now (exit_ok after help/version, exit_usage).
std::optional<int> parse_command_line(CLI::App& app, int argc, const char* const* argv, std::ostream& out,
                                      std::ostream& err, const std::string& help = {});

/// Runs @p resolve (the checks a tool makes after parsing) and maps a usage_error or a
/// counters::error (a bad section or registry name) to one line `prog: message` on @p err
/// and exit_usage. Returns std::nullopt when @p resolve returned normally.
template <class F>
std::optional<int> checked(std::ostream& err, const std::string& prog, F&& resolve);

/// Implementation of checked() for the exception currently being handled.
int report_usage_exception(std::ostream& err, const std::string& prog);

template <class F>
std::optional<int> checked(std::ostream& err, const std::string& prog, F&& resolve) {
    try {
        resolve();
    } catch (...) {
        return report_usage_exception(err, prog);
    }
    return std::nullopt;
}

/// The options several tools share, each added by add_shared_options() with one spelling.
struct shared_options {
    std::string section;  ///< --section NAME (as given; see resolve_section())
    std::string registry; ///< -r, --registry NAME (as given; the tool resolves it)
    std::string format = "text"; ///< --format text|json (-f too where short_letters)
    CLI::Option* section_option = nullptr;
    CLI::Option* registry_option = nullptr;
    CLI::Option* format_option = nullptr;
};

/// Which shared options a tool takes (a bit set).
enum shared_option : unsigned { opt_section = 1U, opt_registry = 2U, opt_format = 4U };

/// Adds the shared options named by @p which to @p app, bound to @p o. With
/// @p short_letters, -r and -f are also short options (counterutil's original spellings).
void add_shared_options(CLI::App& app, shared_options& o, unsigned which, bool short_letters = false);

/// The section to use: @p given, else $COUNTERS_SECTION, else imta_counters; validated.
/// An empty name (@p was_given with "" or COUNTERS_SECTION set but empty) is a usage_error,
/// never the default. Throws counters::error (invalid_argument) for a bad name.
std::string resolve_section(const std::string& given, bool was_given);

/// The output formats of -format.
enum class output_format { text, json };

/// `text` or `json` in any case, or std::nullopt.
std::optional<output_format> format_named(const std::string& text);

/// format_named(), or throws usage_error(bad_format) `-format: unknown format "x" (text or
/// json)`.
output_format resolve_format(const std::string& text);

/// Writes `prog: message` and a newline to @p err.
void report(std::ostream& err, const std::string& prog, const std::string& message);

/// The text of the warning a reader gives for a section or registry a writer would not trust
/// (@p distrust, from section_info or registry_info; empty: none), escaped: `KIND "NAME" is
/// not trusted (WHY): its figures may have been planted by another user`.
std::string untrusted_warning(const char* kind, const std::string& name, const std::string& distrust);
/// Writes `prog: warning: <untrusted_warning()>` on @p err when @p distrust is not empty.
void warn_untrusted(std::ostream& err, const std::string& prog, const char* kind, const std::string& name,
                    const std::string& distrust);

/// What `-create` says of a section that already existed, escaped: "" when every size asked
/// for (@p want_max channels, @p want_block bytes per block; std::nullopt: not asked) is the
/// section's (@p have_max, @p have_block); otherwise `section "NAME" already exists with
/// max_channels=512, not 1024: kept as it is (delete it first to resize it)`, naming each
/// size that differs (`... with max_channels=512 and block_size=1024, not 1024 and 4096: ...`).
/// The section works and is kept: callers say it as a warning and still succeed.
std::string kept_section_note(const std::string& name, std::uint32_t have_max, std::uint32_t have_block,
                              std::optional<std::uint32_t> want_max, std::optional<std::uint32_t> want_block);

/// Runs @p body and maps exceptions to exit codes, reporting each as one line on stderr:
/// usage_error → exit_usage; counters::error with errc::invalid_argument → exit_usage;
/// any other exception → exit_failure. A counters::error's text is escaped (it may quote
/// names as given); other messages are written as they are, so they must be escaped already. Returns what @p body returned otherwise.
template <class F>
int guarded(const std::string& prog, F&& body);

/// Makes a SIGBUS (a shared-memory segment shrunk by another process while this one reads
/// it) end the tool with one line `prog: a shared-memory segment shrank while being read`
/// and exit_failure instead of a crash; and gives SIGINT and SIGTERM their default action,
/// unblocked, even when the tool was started with them ignored (a background job of a shell
/// without job control): a tool that runs once ends at once on either, at any point, with
/// the status of a process killed by the signal (130 and 143 as the shell shows them).
/// Idempotent; guarded() calls it, and qm before it runs.
void install_fault_guard(const std::string& prog);

/// SIGINT and SIGTERM for a tool that runs until stopped (counterutil's monitor; the tools
/// that run once keep the default action, see install_fault_guard()). After install_stop_handlers(), either signal ends the process at
/// once with _exit() — in a wait, or in a read of shared memory that blocks — except while
/// a stop_deferred is alive: then the line or sample being written is completed first and
/// the process ends when the stop_deferred ends. The status is 128 + the signal number (130
/// for SIGINT, 143 for SIGTERM), or exit_ok once stop_ends_ok() was called (the tool has done
/// what it was started for: stopping it is the normal way to end it). Idempotent.
void install_stop_handlers();

/// From now on a stop signal ends the process with exit_ok instead of 128 + N.
void stop_ends_ok() noexcept;

/// True when a stop signal arrived while a stop_deferred was alive: a daemon that holds one
/// for its whole run checks this in its loop (a signal also interrupts its waits) and ends.
bool stop_requested() noexcept;

/// While alive, a stop signal is held (see install_stop_handlers()); when destroyed, ends
/// the process if one arrived. Output to be completed must be flushed inside its scope.
class stop_deferred {
public:
    stop_deferred() noexcept;
    ~stop_deferred();
    stop_deferred(const stop_deferred&) = delete;
    stop_deferred& operator=(const stop_deferred&) = delete;
};

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

/// A decimal number in [@p lo, @p hi] made only of digits, or std::nullopt (also when
/// @p text is empty, signed, has blanks, or is too large for 64 bits). Does not throw.
std::optional<unsigned long long> number_in(const std::string& text, unsigned long long lo,
                                            unsigned long long hi) noexcept;

/// Parses a decimal unsigned number in [@p lo, @p hi] given to option @p option; throws
/// usage_error `-option: "abc" is not a number` or `-option: 0 is out of range (1..65536)`.
unsigned long parse_number(const std::string& option, const std::string& text, unsigned long lo,
                           unsigned long hi);

/// Parses an octal permission mode (at most 07777); throws usage_error naming @p option.
unsigned parse_mode(const std::string& option, const std::string& text);

/// Writes @p text to the file @p path or, when @p path is empty, to @p standard_output, and
/// flushes. A regular file (new or existing; through a symbolic link, its target) is replaced
/// atomically: the text goes to `.NAME.PID.N.tmp` in the same directory (mode 0644 less the
/// umask; an existing file's permission bits are kept), which is renamed over NAME when
/// complete, so readers see the old file or the new one, never part of one; a failure removes
/// the temporary file and leaves NAME alone. A file the caller may not write is refused as
/// before; what is not a regular file (a device, a FIFO) is written in place. Throws
/// output_error `cannot open "PATH": why` or `cannot write "PATH": why` / `cannot write
/// standard output: why`.
void write_all(std::ostream& standard_output, const std::string& path, const std::string& text);

/// Lets @p produce write to @p standard_output (streamed: a large table is never held in
/// memory whole), then flushes; throws output_error `cannot write standard output: why`
/// as write_all() does.
void write_streamed(std::ostream& standard_output, const std::function<void(std::ostream&)>& produce);

} // namespace counters::tools

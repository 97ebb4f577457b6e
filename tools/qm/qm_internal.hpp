/// @file qm_internal.hpp
/// Internals of qm shared by its source files: the command context, `%QM-x-IDENT` messages,
/// option parsing of one sub-command, and the sub-command handlers.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <vector>

namespace counters::tools::qm {

/// A failure reported as `%QM-E-IDENT, message`; @p code is the one-shot exit code.
class qm_error : public std::runtime_error {
public:
    qm_error(std::string ident, const std::string& message, int code);
    const std::string& ident() const noexcept { return ident_; }
    int code() const noexcept { return code_; }

private:
    std::string ident_;
    int code_;
};

/// Where a command runs: the section and queue in effect, and the two streams.
struct context {
    std::string section;
    std::string queue;
    std::ostream& out;
    std::ostream& err;
};

/// Writes `%QM-<severity>-<ident>, <text>` on ctx.err (standard output is flushed first so
/// that the two streams interleave in order on a terminal).
void say(const context& ctx, char severity, const std::string& ident, const std::string& text);

/// Parses @p args (the words after the sub-command name) into @p app: single-dash and
/// double-dash spellings, any case, unique prefixes. Every sub-command also accepts
/// `-queue=DIR` and `-section=NAME`, which override the session's values in @p ctx for this
/// command. Throws qm_error (exit 2) on a bad option or argument.
void parse_args(CLI::App& app, const std::vector<std::string>& args, context& ctx);

/// The queue root, or throws qm_error NOQUEUE.
const std::string& require_queue(const context& ctx);

/// Writes @p text to @p file (overwritten) or, when empty, to ctx.out. Throws qm_error.
void emit(const context& ctx, const std::string& text, const std::string& file);

/// Blocks per message to use for the queue: the section's block size when it can be read,
/// else 1024.
std::uint32_t block_size_for(const context& ctx);

/// Sub-command handlers: each parses its own arguments and returns an exit code, or throws.
int counters_clear(context& ctx, const std::vector<std::string>& args);
int counters_create(context& ctx, const std::vector<std::string>& args);
int counters_delete(context& ctx, const std::vector<std::string>& args);
int counters_show(context& ctx, const std::vector<std::string>& args);
int summarize(context& ctx, const std::vector<std::string>& args);
int directory(context& ctx, const std::vector<std::string>& args);
int held(context& ctx, const std::vector<std::string>& args);

} // namespace counters::tools::qm

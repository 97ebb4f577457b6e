// SPDX-License-Identifier: MIT
/// @file qm_internal.hpp
/// Internals of qm shared by its source files: the command context, `%QM-x-IDENT` messages,
/// the -queue/-section options, and the sub-command handlers.
#pragma once

#include "qm_commands.hpp"

#include <counters_tools/cli.hpp>


#include <cstdint>
#include <optional>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <vector>

namespace counters::queue {
struct scan_result;
} // namespace counters::queue

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

/// Where a command runs: the section and queue in effect, the two streams, and the session's
/// view (what `view` sets; nullptr in one-shot mode, where the view is the directory tree).
struct context {
    std::string section;
    std::string queue;
    std::ostream& out;
    std::ostream& err;
    bool verbose = false; ///< -verbose: report_scan() names each unmatched entry
    view_source* view = nullptr;
};

/// The source a queue report uses: @p asked when given, else the session's view. Throws
/// qm_error NODATABASE (exit 1) for the queue cache database, which qm does not have.
view_source require_tree(const context& ctx, const std::optional<view_source>& asked);

/// Writes `%QM-<severity>-<ident>, <text>` on ctx.err (standard output is flushed first so
/// that the two streams interleave in order on a terminal).
void say(const context& ctx, char severity, const std::string& ident, const std::string& text);

/// Reports the exception being handled as one `%QM-E-IDENT, message` line on ctx.err and
/// returns the one-shot exit code: qm_error its own; usage_error 2 (ident from its
/// usage_kind); counters::error 2 for a bad argument, else 1; output_error and any other 1.
int report_failure(const context& ctx);

/// -queue and -section as CLI11 binds them (the global ones and every sub-command's).
struct place_options {
    std::string queue;
    shared_options shared;
    CLI::Option* queue_option = nullptr;
};

/// Adds -queue and -section to @p app, bound to @p p.
void add_place_options(CLI::App& app, place_options& p);

/// What -queue and -section name; throws usage_error for an empty -queue, counters::error
/// for a bad section name.
place resolve_place(const place_options& p);

/// Makes the -queue / -section of one sub-command override those of @p ctx (and its
/// -verbose apply).
void use(context& ctx, const place& where);

/// Reports what a scan of the tree at ctx.queue did not count, on ctx.err: one
/// `%QM-W-SKIPPED, path: reason` line per problem, then, when some entries are not part of
/// the layout, one `%QM-W-UNMATCHED, N entries ...` line, followed with -verbose by one
/// `%QM-I-UNMATCHED, path` line per entry. Every command that scans the tree calls it.
void report_scan(const context& ctx, const queue::scan_result& r);

/// The queue root, or throws qm_error NOQUEUE (only when the build has no default queue).
const std::string& require_queue(const context& ctx);

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
int messages(context& ctx, const std::vector<std::string>& args);
int view(context& ctx, const std::vector<std::string>& args);

} // namespace counters::tools::qm

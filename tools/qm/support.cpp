// SPDX-License-Identifier: MIT
// qm internals: messages, failures as %QM-E lines, -queue/-section, queue and block size.
#include "qm_internal.hpp"

#include <counters/error.hpp>
#include <counters/options.hpp>
#include <counters/snapshot.hpp>
#include <counters_queue/queue.hpp>
#include <counters_tools/cli.hpp>
#include <counters_tools/text.hpp>

#include <new>
#include <ostream>
#include <system_error>

namespace counters::tools::qm {

qm_error::qm_error(std::string ident, const std::string& message, int code)
    : std::runtime_error(message), ident_(std::move(ident)), code_(code) {}

void say(const context& ctx, char severity, const std::string& ident, const std::string& text) {
    ctx.out.flush();
    ctx.err << "%QM-" << severity << '-' << ident << ", " << text << '\n' << std::flush;
}

void use(context& ctx, const place& where) {
    if (where.queue) ctx.queue = *where.queue;
    if (where.section) ctx.section = *where.section;
    if (where.verbose) ctx.verbose = true;
}

void report_scan(const context& ctx, const queue::scan_result& r) {
    for (const queue::problem& p : r.problems)
        say(ctx, 'W', "SKIPPED", escape_name(p.path) + ": " + escape_name(p.message));
    const std::size_t n = r.unmatched.size();
    if (n == 0) return;
    say(ctx, 'W', "UNMATCHED",
        std::to_string(n) + (n == 1 ? " entry" : " entries") + " of queue \"" + escape_name(ctx.queue) + "\" " +
            (n == 1 ? "is" : "are") + " not " + (n == 1 ? "a message file" : "message files") + ", not counted" +
            (ctx.verbose ? "" : " (-verbose names them)"));
    if (ctx.verbose)
        for (const std::string& u : r.unmatched) say(ctx, 'I', "UNMATCHED", escape_name(u));
}

const std::string& require_queue(const context& ctx) {
    if (ctx.queue.empty())
        throw qm_error("NOQUEUE", "no queue directory; use -queue=DIR or set COUNTERS_QUEUE", exit_failure);
    return ctx.queue;
}

namespace {

const char* ident_of(usage_kind k) {
    switch (k) {
    case usage_kind::bad_option: return "BADOPTION";
    case usage_kind::ambiguous_option: return "AMBIGOPT";
    case usage_kind::unexpected_argument: return "BADARG";
    case usage_kind::bad_format: return "BADFORMAT";
    case usage_kind::bad_value: break;
    }
    return "BADVALUE";
}

const char* ident_of(counters::errc code) {
    switch (code) {
    case counters::errc::not_found: return "NOSECTION";
    case counters::errc::permission: return "NOPRIV";
    case counters::errc::corrupt: return "CORRUPT";
    case counters::errc::foreign: return "FOREIGN";
    case counters::errc::version: return "VERSION";
    case counters::errc::not_ready: return "NOTREADY";
    case counters::errc::invalid_argument: return "BADARG";
    case counters::errc::table_full: return "TABLEFULL";
    default: break;
    }
    return "SECTION";
}

} // namespace

int report_failure(const context& ctx) {
    try {
        throw;
    } catch (const qm_error& e) {
        say(ctx, 'E', e.ident(), e.what());
        return e.code();
    } catch (const usage_error& e) {
        say(ctx, 'E', ident_of(e.kind()), e.what()); // already escaped
        return exit_usage;
    } catch (const counters::error& e) {
        say(ctx, 'E', ident_of(e.code()), escape_name(e.what()));
        return e.code() == counters::errc::invalid_argument ? exit_usage : exit_failure;
    } catch (const output_error& e) {
        say(ctx, 'E', e.at() == output_error::stage::open ? "OPENOUT" : "WRITEERR", e.what());
        return exit_failure;
    } catch (const std::system_error& e) {
        say(ctx, 'E', "SYSERR", escape_name(e.what()));
        return exit_failure;
    } catch (const std::bad_alloc&) {
        say(ctx, 'E', "NOMEM", "out of memory");
        return exit_failure;
    } catch (const std::exception& e) {
        say(ctx, 'E', "FAILED", escape_name(e.what()));
        return exit_failure;
    }
}

std::uint32_t block_size_for(const context& ctx) {
    try {
        const std::uint32_t b = counters::read_snapshot(ctx.section).section.block_size;
        if (b > 0) return b;
    } catch (const std::exception&) {
        // No readable section: the default block size.
    }
    return counters::default_block_size;
}

} // namespace counters::tools::qm

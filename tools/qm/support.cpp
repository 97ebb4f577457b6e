// qm internals: messages, option parsing of one sub-command, output, queue and block size.
#include "qm_internal.hpp"

#include <counters/options.hpp>
#include <counters/snapshot.hpp>
#include <counters_tools/cli.hpp>
#include <counters_tools/text.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ostream>

namespace counters::tools::qm {

qm_error::qm_error(std::string ident, const std::string& message, int code)
    : std::runtime_error(message), ident_(std::move(ident)), code_(code) {}

void say(const context& ctx, char severity, const std::string& ident, const std::string& text) {
    ctx.out.flush();
    ctx.err << "%QM-" << severity << '-' << ident << ", " << text << '\n' << std::flush;
}

namespace {

/// One line from a CLI11 parse error: lower-case first letter, no trailing newline.
std::string message_of(const CLI::Error& e) {
    std::string m = e.what();
    if (const auto nl = m.find('\n'); nl != std::string::npos) m.resize(nl);
    while (!m.empty() && m.back() == ' ') m.pop_back();
    if (m.size() > 1 && std::isupper(static_cast<unsigned char>(m[0])) &&
        !std::isupper(static_cast<unsigned char>(m[1])))
        m[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(m[0])));
    return m;
}

} // namespace

void parse_args(CLI::App& app, const std::vector<std::string>& args, context& ctx) {
    std::string queue, section;
    CLI::Option* oq = app.add_option("--queue", queue);
    CLI::Option* os = app.add_option("--section", section);
    app.set_help_flag();
    app.allow_extras(true);
    const std::vector<std::string> amb = ambiguous_options(app, args);
    if (!amb.empty()) throw qm_error("AMBIGOPT", "ambiguous option " + escape_name(amb.front()), exit_usage);
    std::vector<std::string> a = rewrite_single_dash(app, args);
    std::reverse(a.begin(), a.end()); // CLI11 2.1 wants them in reverse order
    try {
        app.parse(a);
    } catch (const CLI::ParseError& e) {
        throw qm_error("BADOPTION", escape_name(message_of(e)), exit_usage);
    }
    const std::vector<std::string> extra = app.remaining(true);
    if (!extra.empty()) {
        const std::string& x = extra.front();
        if (x.size() > 1 && x[0] == '-')
            throw qm_error("BADOPTION", "unknown option " + escape_name(x.substr(0, x.find('='))), exit_usage);
        throw qm_error("BADARG", "unexpected argument \"" + escape_name(x) + "\"", exit_usage);
    }
    if (oq->count() != 0) {
        if (queue.empty()) throw qm_error("BADOPTION", "-queue: empty directory name", exit_usage);
        ctx.queue = queue;
    }
    if (os->count() != 0) {
        const std::string name = counters::section_name(section);
        counters::validate_section_name(name); // counters::error(invalid_argument): exit 2
        ctx.section = name;
    }
}

const std::string& require_queue(const context& ctx) {
    if (ctx.queue.empty())
        throw qm_error("NOQUEUE", "no queue directory; use -queue=DIR or set COUNTERS_QUEUE", exit_failure);
    return ctx.queue;
}

void emit(const context& ctx, const std::string& text, const std::string& file) {
    if (file.empty()) {
        ctx.out << text << std::flush;
        if (!ctx.out) {
            ctx.out.clear();
            throw qm_error("WRITEERR", "cannot write standard output", exit_failure);
        }
        return;
    }
    const std::string shown = "\"" + escape_name(file) + "\"";
    std::FILE* f = std::fopen(file.c_str(), "w");
    if (f == nullptr) throw qm_error("OPENOUT", "cannot open " + shown + ": " + std::strerror(errno), exit_failure);
    errno = 0;
    const bool wrote = std::fwrite(text.data(), 1, text.size(), f) == text.size();
    int e = errno;
    const bool closed = std::fclose(f) == 0;
    if (!closed && e == 0) e = errno;
    if (!wrote || !closed)
        throw qm_error("WRITEERR", "cannot write " + shown + ": " + std::strerror(e != 0 ? e : EIO), exit_failure);
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

// SPDX-License-Identifier: MIT
// counterutil's command line: options through the tools' front door, then the checks.
#include "counterutil.hpp"

#include <counters/error.hpp>
#include <counters/options.hpp>
#include <counters/registry.hpp>
#include <counters_tools/cli.hpp>
#include <counters_tools/text.hpp>

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <limits>
#include <ostream>

#ifndef COUNTERUTIL_VERSION
#define COUNTERUTIL_VERSION "unknown"
#endif

namespace counterutil {

namespace {

namespace ct = counters::tools;
using ct::usage_error;

constexpr long max_interval = 86400;
const std::string see_help = " (see counterutil --help)";

/// The command line as CLI11 binds it, before the checks.
struct raw_line {
    bool list = false, reset = false;
    std::string object, counter, interval, count;
    ct::shared_options shared; ///< -r/--registry, -f/--format
    CLI::Option *o_interval = nullptr, *o_count = nullptr;
};

void declare_options(CLI::App& app, raw_line& r) {
    app.set_help_flag("-h,--help");
    app.set_version_flag("--version", "counterutil (libcounters) " COUNTERUTIL_VERSION);
    app.add_flag("-l,--list", r.list);
    app.add_flag("-s,--reset", r.reset);
    app.add_option("-o,--object", r.object);
    app.add_option("-c,--counter", r.counter);
    r.o_interval = app.add_option("-i,--interval", r.interval);
    r.o_count = app.add_option("-n,--count", r.count);
    ct::add_shared_options(app, r.shared, ct::opt_registry | ct::opt_format, true);
}

/// A whole number in [lo, hi] for option @p what, or usage_error `bad WHAT "x": ...`.
long number(const std::string& text, const char* what, long lo, long hi) {
    if (const auto v = ct::number_in(text, static_cast<unsigned long long>(lo), static_cast<unsigned long long>(hi)))
        return static_cast<long>(*v);
    throw usage_error(std::string("bad ") + what + " \"" + ct::escape_name(text) +
                      "\": expected a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) +
                      see_help);
}

/// -l, -o or -s, and the options each of them takes.
options::mode pick_mode(const raw_line& r) {
    const bool interval = r.o_interval->count() != 0, count = r.o_count->count() != 0;
    const int modes = (r.list ? 1 : 0) + (r.reset ? 1 : 0) + (!r.reset && !r.object.empty() ? 1 : 0);
    if (modes == 0) throw usage_error("one of -l, -o counterobject or -s is required" + see_help);
    // -l -o counterobject (the 2005Q4 spelling) lists that object: -o is not a mode then.
    const int modes_seen = modes - (r.list && !r.reset && !r.object.empty() ? 1 : 0);
    if (modes_seen > 1) throw usage_error("-l cannot be combined with -s" + see_help);
    if (r.list && (!r.counter.empty() || interval || count)) throw usage_error("-l takes no -c, -i or -n" + see_help);
    if (!r.reset && !r.counter.empty()) throw usage_error("-c is only used with -s" + see_help);
    if (r.reset) {
        if (r.object.empty() || r.counter.empty())
            throw usage_error("-s needs -o counterobject and -c counter" + see_help);
        if (interval || count) throw usage_error("-s takes no -i or -n" + see_help);
    }
    return r.list ? options::mode::list : r.reset ? options::mode::reset : options::mode::monitor;
}

std::string registry_of(const raw_line& r) {
    // An empty name never falls back to the default registry.
    const bool given = r.shared.registry_option->count() != 0;
    if (given && r.shared.registry.empty())
        throw usage_error("-r: an empty name is not allowed (leave the option out for the default)" + see_help);
    const char* env = std::getenv(counters::registry_env);
    if (!given && env != nullptr && *env == '\0')
        throw usage_error(std::string(counters::registry_env) + " is set but empty (unset it for the default)" +
                          see_help);
    std::string name = counters::registry_name(r.shared.registry);
    try {
        counters::validate_registry_name(name);
    } catch (const counters::error& e) {
        // The library's rule, in its words ("bad registry name: WHY"), with the name escaped.
        std::string why = e.detail();
        const std::string lead = "bad registry name: ";
        if (why.compare(0, lead.size(), lead) == 0) why.erase(0, lead.size());
        throw usage_error("bad registry name \"" + ct::escape_name(name) + "\": " + why + see_help);
    }
    return name;
}

void resolve(const raw_line& r, options& opts) {
    const auto format = ct::format_named(r.shared.format);
    if (!format)
        throw usage_error("bad format \"" + ct::escape_name(r.shared.format) + "\": expected text or json" + see_help);
    opts.json = *format == ct::output_format::json;
    opts.what = pick_mode(r);
    opts.object = r.object;
    opts.counter = r.counter;
    opts.registry = registry_of(r);
    if (opts.what != options::mode::monitor) return;
    if (r.o_interval->count() != 0) opts.interval = number(r.interval, "interval", 1, max_interval);
    if (r.o_count->count() != 0) opts.count = number(r.count, "count", 1, std::numeric_limits<int>::max());
}

} // namespace

std::optional<int> parse_command_line(int argc, const char* const* argv, options& opts, std::ostream& out,
                                      std::ostream& err) {
    CLI::App app{"", "counterutil"};
    raw_line r;
    declare_options(app, r);
    if (auto code = ct::parse_command_line(app, argc, argv, out, err, usage())) return code;
    return ct::checked(err, "counterutil", [&] { resolve(r, opts); });
}

} // namespace counterutil

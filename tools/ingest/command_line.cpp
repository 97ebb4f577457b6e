// SPDX-License-Identifier: MIT
// counters-ingest's command line: options through the tools' front door, then the checks.
#include "ingest.hpp"
#include "interpreter.hpp"

#include <counters/registry.hpp>
#include <counters_tools/cli.hpp>
#include <counters_tools/text.hpp>

#include <CLI/CLI.hpp>

#include <ostream>
#include <stdexcept>

#ifndef COUNTERS_INGEST_VERSION
#define COUNTERS_INGEST_VERSION "unknown"
#endif

namespace counters::ingest {

namespace {
namespace ct = counters::tools;
using ct::usage_error;
const std::string see_help = " (see counters-ingest --help)";
} // namespace

const std::string& help_text() {
    static const std::string text =
        "usage: counters-ingest [--section name] [--registry name]\n"
        "           [--format auto|postfix|exim|sendmail|msgserver] [--channel-map file]\n"
        "           [--state file] [--from-start | --from-end] [--once] [--stats]\n"
        "           [--max-in-flight n] source ...\n"
        "       counters-ingest --help | --version\n"
        "\n"
        "Follows MTA logs and records their events into a counter section.\n"
        "A source is a log file, - (standard input) or journal (the systemd journal).\n"
        "  --section NAME        section to record into (default: $COUNTERS_SECTION, imta_counters)\n"
        "  --registry NAME       registry of the ingest object (default: $COUNTERS_REGISTRY,\n"
        "                        counters_registry)\n"
        "  --format FORMAT       log format; auto decides from the first lines it recognises\n"
        "  --channel-map FILE    FROM TO pairs renaming channels\n"
        "  --state FILE          state file (default: /var/lib/counters-ingest/state)\n"
        "  --from-start          read a source without saved state from its beginning\n"
        "  --from-end            ... from its end (the default, except with --once)\n"
        "  --once                read what is there, record it, and exit\n"
        "  --stats               print the line counts at the end\n"
        "  --max-in-flight N     queue ids kept in flight (default 100000)\n"
        "  --help, --version     this text; the version\n";
    return text;
}

std::optional<int> parse_command_line(int argc, const char* const* argv, options& opt, std::ostream& out,
                                      std::ostream& err) {
    CLI::App app("counters-ingest", "counters-ingest");
    app.set_help_flag("--help");
    app.set_version_flag("--version", "counters-ingest (libcounters) " COUNTERS_INGEST_VERSION);
    ct::shared_options shared;
    ct::add_shared_options(app, shared, ct::opt_section | ct::opt_registry);
    std::string format = "auto", max_in_flight;
    bool from_start = false, from_end = false;
    app.add_option("--format", format);
    app.add_option("--channel-map", opt.channel_map);
    CLI::Option* state = app.add_option("--state", opt.state_file);
    app.add_flag("--from-start", from_start);
    app.add_flag("--from-end", from_end);
    app.add_flag("--once", opt.once);
    app.add_flag("--stats", opt.stats);
    CLI::Option* mif = app.add_option("--max-in-flight", max_in_flight);
    app.add_option("source", opt.sources);
    if (auto code = ct::parse_command_line(app, argc, argv, out, err, help_text())) return code;
    return ct::checked(err, "counters-ingest", [&] {
        if (from_start && from_end) throw usage_error("--from-start and --from-end exclude each other" + see_help);
        if (from_start) opt.start = start_at::beginning;
        if (from_end) opt.start = start_at::end;
        try {
            opt.format = std::string(format_name(parse_log_format(format)));
        } catch (const std::invalid_argument& e) {
            throw usage_error(std::string("--format: ") + e.what());
        }
        if (state->count() != 0 && opt.state_file.empty())
            throw usage_error("--state: an empty file name is not allowed" + see_help);
        if (mif->count() != 0)
            opt.max_in_flight = ct::parse_number("max-in-flight", max_in_flight, 1, 100000000);
        if (opt.sources.empty()) throw usage_error("no source given: a log file, - or journal" + see_help);
        int stdin_sources = 0, journals = 0;
        for (const auto& s : opt.sources) {
            if (s.empty()) throw usage_error("an empty source is not allowed" + see_help);
            stdin_sources += s == "-" ? 1 : 0;
            journals += s == "journal" ? 1 : 0;
        }
        if (stdin_sources > 1 || journals > 1) throw usage_error("a source is given twice" + see_help);
        for (std::size_t i = 0; i < opt.sources.size(); ++i)
            for (std::size_t j = i + 1; j < opt.sources.size(); ++j)
                if (opt.sources[i] == opt.sources[j])
                    throw usage_error("source " + ct::escape_name(opt.sources[i]) + " is given twice" + see_help);
        const bool section_given = shared.section_option->count() != 0;
        opt.section = ct::resolve_section(shared.section, section_given);
        const bool registry_given = shared.registry_option->count() != 0;
        if (registry_given && shared.registry.empty())
            throw usage_error("--registry: an empty name is not allowed (leave the option out for the default)");
        opt.registry = counters::registry_name(shared.registry);
        counters::validate_registry_name(opt.registry);
    });
}

} // namespace counters::ingest

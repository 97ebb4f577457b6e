// SPDX-License-Identifier: MIT
// counters-snmpd's command line: options through the tools' front door, then the checks.
#include "snmpd.hpp"

#include <counters/registry.hpp>
#include <counters_tools/cli.hpp>

#include <CLI/CLI.hpp>

#include <ostream>

#ifndef COUNTERS_SNMPD_VERSION
#define COUNTERS_SNMPD_VERSION "unknown"
#endif

namespace counters::snmp {

namespace {
namespace ct = counters::tools;
using ct::usage_error;
} // namespace

const std::string& help_text() {
    static const std::string text =
        "usage: counters-snmpd [--section name] [--registry name] [--agentx socket] [-f]\n"
        "           [--ping-interval seconds] [--cache seconds]\n"
        "       counters-snmpd --help | --version\n"
        "\n"
        "Serves the MTA-MIB (RFC 2789) and the applTable (RFC 2788) of a counter section\n"
        "as an AgentX subagent of snmpd (master agentx).\n"
        "  --section NAME          section to serve (default: $COUNTERS_SECTION, imta_counters)\n"
        "  --registry NAME         registry of the imapstat, popstat and httpstat rows\n"
        "                          (default: $COUNTERS_REGISTRY, counters_registry)\n"
        "  --agentx SOCKET         snmpd's AgentX socket (default /var/agentx/master;\n"
        "                          tcp:HOST:PORT for TCP)\n"
        "  -f                      stay in the foreground, log to standard error\n"
        "  --ping-interval SECONDS ping snmpd, and reconnect, every SECONDS (default 2)\n"
        "  --cache SECONDS         a snapshot of the section serves requests for SECONDS\n"
        "                          (default 1)\n"
        "  --help, --version       this text; the version\n";
    return text;
}

std::optional<int> parse_command_line(int argc, const char* const* argv, options& opt, std::ostream& out,
                                      std::ostream& err) {
    CLI::App app("counters-snmpd", "counters-snmpd");
    app.set_help_flag("--help");
    app.set_version_flag("--version", "counters-snmpd (libcounters) " COUNTERS_SNMPD_VERSION);
    ct::shared_options shared;
    ct::add_shared_options(app, shared, ct::opt_section | ct::opt_registry);
    std::string ping, cache;
    CLI::Option* agentx = app.add_option("--agentx", opt.agentx);
    app.add_flag("-f", opt.foreground);
    CLI::Option* ping_option = app.add_option("--ping-interval", ping);
    CLI::Option* cache_option = app.add_option("--cache", cache);
    if (auto code = ct::parse_command_line(app, argc, argv, out, err, help_text())) return code;
    return ct::checked(err, "counters-snmpd", [&] {
        if (agentx->count() != 0 && opt.agentx.empty())
            throw usage_error("--agentx: an empty socket is not allowed (leave the option out for the default)");
        if (ping_option->count() != 0)
            opt.ping_interval = static_cast<unsigned>(ct::parse_number("ping-interval", ping, 1, 3600));
        if (cache_option->count() != 0)
            opt.cache = static_cast<unsigned>(ct::parse_number("cache", cache, 1, 3600));
        opt.section = ct::resolve_section(shared.section, shared.section_option->count() != 0);
        if (shared.registry_option->count() != 0 && shared.registry.empty())
            throw usage_error("--registry: an empty name is not allowed (leave the option out for the default)");
        opt.registry = counters::registry_name(shared.registry);
        counters::validate_registry_name(opt.registry);
    });
}

} // namespace counters::snmp

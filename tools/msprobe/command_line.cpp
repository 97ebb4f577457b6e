// SPDX-License-Identifier: MIT
// msprobe's command line, through the tools' front door.
#include "checks.hpp"

#include <counters/registry.hpp>
#include <counters_tools/cli.hpp>

#include <CLI/CLI.hpp>

#include <ostream>

#ifndef MSPROBE_VERSION
#define MSPROBE_VERSION "unknown"
#endif

namespace counters::msprobe {

namespace {
namespace ct = counters::tools;
using ct::usage_error;
} // namespace

const std::string& help_text() {
    static const std::string text =
        "usage: msprobe [--config file | -c file] [--registry name] [--once] [-f]\n"
        "       msprobe --help | --version\n"
        "\n"
        "Measures how long each configured mail service takes to answer and how much space each\n"
        "mail partition has left, records both in the counter registry (serverresponse,\n"
        "diskusage), and mails a notice when a value crosses its threshold (alarm).\n"
        "  -c, --config FILE     configuration file (default /etc/msprobe.conf)\n"
        "  --registry NAME       registry to record into (default: $COUNTERS_REGISTRY,\n"
        "                        counters_registry)\n"
        "  --once                run every check once, mail what it finds, and exit\n"
        "  -f                    stay in the foreground (as under systemd)\n"
        "  --help, --version     this text; the version\n"
        "SIGHUP reloads the configuration; SIGTERM stops msprobe.\n";
    return text;
}

std::optional<int> parse_command_line(int argc, const char* const* argv, options& opt, std::ostream& out,
                                      std::ostream& err) {
    CLI::App app("msprobe", "msprobe");
    app.set_help_flag("--help");
    app.set_version_flag("--version", "msprobe (libcounters) " MSPROBE_VERSION);
    ct::shared_options shared;
    ct::add_shared_options(app, shared, ct::opt_registry);
    CLI::Option* config = app.add_option("-c,--config", opt.config_file);
    app.add_flag("--once", opt.once);
    app.add_flag("-f", opt.foreground);
    if (auto code = ct::parse_command_line(app, argc, argv, out, err, help_text())) return code;
    return ct::checked(err, "msprobe", [&] {
        if (config->count() > 1) throw usage_error("--config: given more than once");
        if (opt.config_file.empty()) throw usage_error("--config: an empty file name is not allowed");
        opt.registry_given = shared.registry_option->count() != 0;
        if (opt.registry_given && shared.registry.empty())
            throw usage_error("--registry: an empty name is not allowed (leave the option out for the default)");
        opt.registry = counters::registry_name(shared.registry);
        counters::validate_registry_name(opt.registry);
    });
}

} // namespace counters::msprobe

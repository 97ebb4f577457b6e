// SPDX-License-Identifier: MIT
// counters-exporter's command line: options through the tools' front door, then the checks.
#include "exporter.hpp"

#include <counters/registry.hpp>
#include <counters_tools/cli.hpp>
#include <counters_tools/text.hpp>

#include <CLI/CLI.hpp>

#include <ostream>
#include <stdexcept>
#include <string_view>

#ifndef COUNTERS_EXPORTER_VERSION
#define COUNTERS_EXPORTER_VERSION "unknown"
#endif

namespace counters::exporter {

namespace {
namespace ct = counters::tools;
using ct::usage_error;
const std::string see_help = " (see counters-exporter --help)";

/// A telemetry path is an absolute URL path made of RFC 3986 path characters: no blanks, no
/// query, no fragment, nothing that needs quoting in the landing page's link.
bool valid_path(const std::string& path) {
    if (path.empty() || path.front() != '/' || path.size() > 256) return false;
    for (const char c : path) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        std::string_view("-._~!$&'()*+,;=:@/%").find(c) != std::string_view::npos;
        if (!ok) return false;
    }
    return true;
}
} // namespace

const char* version() noexcept { return COUNTERS_EXPORTER_VERSION; }

listen_address parse_listen_address(const std::string& text) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) throw std::invalid_argument("no port: give [host]:port, e.g. :9842");
    listen_address a;
    std::string host = text.substr(0, colon);
    const std::string port = text.substr(colon + 1);
    if (!host.empty() && host.front() == '[') {
        if (host.size() < 3 || host.back() != ']') throw std::invalid_argument("an IPv6 address goes in brackets: [::1]:9842");
        host = host.substr(1, host.size() - 2);
    } else if (host.find(':') != std::string::npos) {
        throw std::invalid_argument("an IPv6 address goes in brackets: [::1]:9842");
    }
    for (const char c : host)
        if (c == '[' || c == ']' || c == '/' || c == ' ' || static_cast<unsigned char>(c) < 0x21 ||
            static_cast<unsigned char>(c) > 0x7e)
            throw std::invalid_argument("bad host \"" + ct::escape_name(host) + "\"");
    const auto n = ct::number_in(port, 0, 65535);
    if (!n) throw std::invalid_argument("bad port \"" + ct::escape_name(port) + "\" (0..65535)");
    a.host = host;
    a.port = static_cast<std::uint16_t>(*n);
    return a;
}

const std::string& help_text() {
    static const std::string text =
        "usage: counters-exporter [--section name] [--registry name]\n"
        "           [--web.listen-address address] [--web.telemetry-path path]\n"
        "           [--web.max-connections n] [-f]\n"
        "       counters-exporter --help | --version\n"
        "\n"
        "Serves the channel counters and the counter registry to Prometheus over HTTP;\n"
        "every scrape reads them afresh. Runs in the foreground until SIGTERM or SIGINT.\n"
        "  --section NAME              section to export (default: $COUNTERS_SECTION,\n"
        "                              imta_counters)\n"
        "  --registry NAME             registry to export (default: $COUNTERS_REGISTRY,\n"
        "                              counters_registry)\n"
        "  --web.listen-address ADDR   [host]:port to listen on; no host: every interface\n"
        "                              (default :9842)\n"
        "  --web.telemetry-path PATH   path of the metrics (default /metrics)\n"
        "  --web.max-connections N     connections open at once, 1..10000 (default 128)\n"
        "  -f, --foreground            stay in the foreground (what it always does)\n"
        "  --help, --version           this text; the version\n";
    return text;
}

std::optional<int> parse_command_line(int argc, const char* const* argv, options& opt, std::ostream& out,
                                      std::ostream& err) {
    CLI::App app("counters-exporter", "counters-exporter");
    app.set_help_flag("--help");
    app.set_version_flag("--version", std::string("counters-exporter (libcounters) ") + version());
    ct::shared_options shared;
    ct::add_shared_options(app, shared, ct::opt_section | ct::opt_registry);
    std::string max_connections;
    bool foreground = false;
    app.add_option("--web.listen-address", opt.listen_text); // once only: CLI11 refuses a second
    CLI::Option* path = app.add_option("--web.telemetry-path", opt.telemetry_path);
    CLI::Option* maxc = app.add_option("--web.max-connections", max_connections);
    app.add_flag("-f,--foreground", foreground);
    if (auto code = ct::parse_command_line(app, argc, argv, out, err, help_text())) return code;
    return ct::checked(err, "counters-exporter", [&] {
        try {
            opt.listen = parse_listen_address(opt.listen_text);
        } catch (const std::invalid_argument& e) {
            throw usage_error("--web.listen-address: \"" + ct::escape_name(opt.listen_text) + "\": " + e.what());
        }
        if (path->count() != 0 && !valid_path(opt.telemetry_path))
            throw usage_error("--web.telemetry-path: \"" + ct::escape_name(opt.telemetry_path) +
                              "\" is not an absolute URL path (/ followed by letters, digits and -._~!$&'()*+,;=:@/%)");
        if (maxc->count() != 0) opt.limits.max_connections = ct::parse_number("web.max-connections", max_connections, 1, 10000);
        const bool section_given = shared.section_option->count() != 0;
        opt.section = ct::resolve_section(shared.section, section_given);
        const bool registry_given = shared.registry_option->count() != 0;
        if (registry_given && shared.registry.empty())
            throw usage_error("--registry: an empty name is not allowed (leave the option out for the default)");
        opt.registry = counters::registry_name(shared.registry);
        counters::validate_registry_name(opt.registry);
    });
}

} // namespace counters::exporter

// SPDX-License-Identifier: MIT
// mta-sim: a simulated MTA that records realistic traffic into a libcounters section.
// Parses the command line and calls run().
#include "options.hpp"

#include <counters/error.hpp>
#include <counters/options.hpp>
#include <counters/registry.hpp>
#include <counters/version.hpp>

#include <CLI/CLI.hpp>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <exception>
#include <random>
#include <string>

namespace {

std::uint64_t seed_from_time() {
    const auto t = std::chrono::system_clock::now().time_since_epoch();
    std::uint64_t s = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(t).count());
    s ^= static_cast<std::uint64_t>(std::random_device{}()) << 32;
    return s % 1000000000000ULL; // short enough to retype
}

/// A decimal number of 1..20 digits that fits in 64 bits (CLI11 would wrap "-1").
std::uint64_t parse_seed(const std::string& text) {
    const bool digits = !text.empty() && text.size() <= 20 &&
                        text.find_first_not_of("0123456789") == std::string::npos;
    errno = 0;
    const unsigned long long v = digits ? std::strtoull(text.c_str(), nullptr, 10) : 0;
    if (!digits || errno == ERANGE)
        throw CLI::ValidationError("--seed", "not a number from 0 to 18446744073709551615: " + text);
    return static_cast<std::uint64_t>(v);
}

} // namespace

namespace {

int run_main(int argc, char** argv) {
    mta_sim::options o;
    std::string section;
    std::string registry;
    std::string seed_text;

    CLI::App app{"Simulated MTA: forks worker processes that route messages through tcp_local,\n"
                 "tcp_intranet, conversion, ims-ms and l and record every queue event in a\n"
                 "libcounters section, while users read the delivered mail through IMAP and\n"
                 "POP servers that record into imapstat and popstat of the counter registry;\n"
                 "prints what was recorded and, with --verify, checks both against it.",
                 "mta-sim"};
    app.add_option("--processes", o.processes, "worker processes")
        ->capture_default_str()
        ->check(CLI::Range(1u, 256u));
    app.add_option("--messages", o.messages, "messages offered per worker process")
        ->capture_default_str()
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100000000}));
    app.add_option("--section", section,
                   "section name (default: $COUNTERS_SECTION, else imta_counters)");
    auto* seed_opt = app.add_option("--seed", seed_text, "base random seed, a decimal number; worker i "
                                                         "uses seed+i (default: from the time)");
    app.add_option("--queue", o.queue,
                   "also write every queued message as a file under this directory, renamed on\n"
                   "each retry, removed when dequeued; about 1 in 500 is held as looping (.HELD).\n"
                   "Format: counters-queue(5); read it with qm summarize")
        ->check([](const std::string& v) { return v.empty() ? std::string("empty directory name") : std::string(); });
    auto* registry_opt =
        app.add_option("--registry", registry,
                       "counter registry of imapstat and popstat (default: $COUNTERS_REGISTRY,\n"
                       "else counters_registry)");
    auto* no_servers = app.add_flag("--no-servers", "do not simulate the IMAP and POP servers (no registry)");
    auto* linger_opt =
        app.add_option("--linger", o.linger,
                       "after the run, keep the IMAP and POP servers busy in real time for this\n"
                       "many seconds (a few connections every 100 ms), for counterutil to watch")
            ->capture_default_str()
            ->check(CLI::Range(0u, 3600u));
    no_servers->excludes(registry_opt)->excludes(linger_opt);
    app.add_flag("--verify", o.verify,
                 "check that the section and the registry changed by exactly what was recorded");
    app.add_flag("-q,--quiet", o.quiet, "print no summary (errors and the verify result only)");
    app.set_version_flag("--version", std::string("mta-sim (libcounters) ") + counters::library_version());

    try {
        app.parse(argc, argv);
        o.section = counters::section_name(section);
        counters::validate_section_name(o.section);
        o.servers = no_servers->count() == 0;
        if (o.servers) {
            if (registry_opt->count() > 0 && registry.empty())
                throw CLI::ValidationError("--registry", "empty registry name");
            o.registry = counters::registry_name(registry);
            try {
                counters::validate_section_name(o.registry); // registries follow the same rules
            } catch (const counters::error&) {
                throw CLI::ValidationError(registry_opt->count() > 0 ? "--registry" : "COUNTERS_REGISTRY",
                                           "bad registry name \"" + o.registry +
                                                             "\": use 1 to 200 letters, digits, '.', '_' or '-'");
            }
        }
        if (seed_opt->count() > 0) o.seed = parse_seed(seed_text);
        else o.seed = seed_from_time();
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::fprintf(stderr, "mta-sim: %s\nRun with --help for more information.\n", e.what());
        return 2;
    } catch (const counters::error& e) {
        std::fprintf(stderr, "mta-sim: %s\n", e.what());
        return 2;
    }

    try {
        return mta_sim::run(o);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mta-sim: %s\n", e.what());
        return 1;
    }
}

} // namespace

int main(int argc, char** argv) {
    // Only an unexpected failure (out of memory, an error in setting up the command line)
    // gets here: one line and exit status 1 instead of std::terminate.
    try {
        return run_main(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mta-sim: %s\n", e.what());
        return 1;
    }
}

// mta-sim: a simulated MTA that records realistic traffic into a libcounters section.
// Parses the command line and calls run().
#include "options.hpp"

#include <counters/error.hpp>
#include <counters/options.hpp>
#include <counters/version.hpp>

#include <CLI/CLI.hpp>

#include <chrono>
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

} // namespace

int main(int argc, char** argv) {
    mta_sim::options o;
    std::string section;
    std::uint64_t seed = 0;

    CLI::App app{"Simulated MTA: forks worker processes that route messages through tcp_local,\n"
                 "tcp_intranet, conversion, ims-ms and l and record every queue event in a\n"
                 "libcounters section; prints what was recorded and, with --verify, checks\n"
                 "the section against it.",
                 "mta-sim"};
    app.option_defaults()->always_capture_default();
    app.add_option("--processes", o.processes, "worker processes")->check(CLI::Range(1u, 256u));
    app.add_option("--messages", o.messages, "messages offered per worker process")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100000000}));
    app.add_option("--section", section,
                   "section name (default: $COUNTERS_SECTION, else imta_counters)")
        ->capture_default_str();
    auto* seed_opt = app.add_option("--seed", seed, "base random seed; worker i uses seed+i "
                                                    "(default: from the time)");
    app.add_flag("--verify", o.verify,
                 "check that the section changed by exactly what the workers recorded");
    app.add_flag("-q,--quiet", o.quiet, "print no summary (errors and the verify result only)");
    app.set_version_flag("--version", std::string("mta-sim (libcounters) ") + counters::library_version());

    try {
        app.parse(argc, argv);
        o.section = counters::section_name(section);
        counters::validate_section_name(o.section);
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
    o.seed = seed_opt->count() > 0 ? seed : seed_from_time();

    try {
        return mta_sim::run(o);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mta-sim: %s\n", e.what());
        return 1;
    }
}

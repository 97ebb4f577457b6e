// counterutil: command-line parsing only; the work is in run() (counterutil.cpp).
#include "counterutil.hpp"

#include <counters_tools/cli.hpp>
#include <counters_tools/text.hpp>

#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>

namespace {

int run_main(int argc, char** argv) {
    counterutil::options opt;
    bool help = false, version = false;
    CLI::App app{"counterutil: list, monitor and reset the counter objects of the registry", "counterutil"};
    app.set_help_flag();
    app.add_flag("-h,--help", help);
    app.add_flag("--version", version);
    app.add_flag("-l,--list", opt.list);
    app.add_flag("-s,--reset", opt.reset);
    app.add_option("-o,--object", opt.object);
    app.add_option("-c,--counter", opt.counter);
    app.add_option("-i,--interval", opt.interval);
    app.add_option("-n,--count", opt.count);
    app.add_option("-r,--registry", opt.registry);
    app.add_option("-f,--format", opt.format);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // CLI11's own exit codes are 100+; a bad command line is a usage error (2).
        std::cerr << "counterutil: " << counters::tools::escape_name(e.what()) << " (see counterutil --help)\n";
        return counterutil::exit_usage;
    }
    opt.interval_given = app.count("-i") > 0;
    opt.count_given = app.count("-n") > 0;
    if (help) {
        std::cout << counterutil::usage();
        return counterutil::exit_ok;
    }
    if (version) {
        std::cout << "counterutil (libcounters) " << COUNTERUTIL_VERSION << "\n";
        return counterutil::exit_ok;
    }
    counters::tools::install_fault_guard("counterutil");
    return counterutil::run(opt, std::cout, std::cerr);
}

} // namespace

int main(int argc, char** argv) {
    // Only an unexpected failure (out of memory, an error in setting up the command line)
    // gets here: one line and exit status 1 instead of std::terminate.
    try {
        return run_main(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "counterutil: " << e.what() << '\n';
        return 1;
    }
}

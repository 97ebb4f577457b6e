// SPDX-License-Identifier: MIT
// imsimta: dispatch `counters` and `qm` to the tools' own parse_command_line() and run(),
// which both go through the front door of counters_tools_common.
#include "imsimta.hpp"

#include <counters_tool.hpp>
#include <counters_tools/cli.hpp>
#include <counters_tools/text.hpp>
#include <qm_tool.hpp>

#include <ostream>
#include <vector>

#ifndef COUNTERS_TOOL_VERSION
#define COUNTERS_TOOL_VERSION "unknown"
#endif

namespace counters::tools::imsimta {

std::string help_text() {
    return "usage: imsimta counters [options]\n"
           "       imsimta qm [-queue=dir] [-section=name] [sub-command [options] [arguments]]\n"
           "       imsimta --help\n"
           "       imsimta --version\n"
           "\n"
           "Runs the counters(1) or qm(1) tool with the arguments that follow the command name\n"
           "(case is ignored; a unique prefix will do). See those tools' --help.\n";
}

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
    if (argc < 2) {
        err << help_text();
        return exit_usage;
    }
    const std::string cmd = lower(argv[1]);
    if (cmd == "-h" || cmd == "--help" || cmd == "-help") {
        out << help_text();
        return exit_ok;
    }
    if (cmd == "--version" || cmd == "-version") {
        out << "imsimta (libcounters) " COUNTERS_TOOL_VERSION "\n";
        return exit_ok;
    }
    const bool is_counters = !cmd.empty() && std::string("counters").compare(0, cmd.size(), cmd) == 0;
    const bool is_qm = !cmd.empty() && std::string("qm").compare(0, cmd.size(), cmd) == 0;
    if (is_counters == is_qm) { // neither (unknown) or both (empty)
        report(err, "imsimta", "unknown command \"" + escape_name(argv[1]) + "\"");
        err << help_text();
        return exit_usage;
    }
    if (is_counters) {
        const std::string prog = "imsimta counters";
        counters_cmd::options opts;
        if (auto code = counters_cmd::parse_command_line(argc - 1, argv + 1, opts, out, err, prog)) return *code;
        return guarded(prog, [&] { return counters_cmd::run(opts); });
    }
    qm::options opts;
    if (auto code = qm::parse_command_line(argc - 1, argv + 1, opts, out, err, "imsimta qm")) return *code;
    install_fault_guard("imsimta qm"); // as qm's main() does
    return qm::run(opts);
}

} // namespace counters::tools::imsimta

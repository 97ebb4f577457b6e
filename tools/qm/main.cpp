// SPDX-License-Identifier: MIT
// qm (= imsimta qm): parse the global options, then run() one sub-command or a session.
#include "qm_tool.hpp"

#include <counters_tools/cli.hpp>

#include <iostream>

int main(int argc, char** argv) {
    namespace qm = counters::tools::qm;
    qm::options opts;
    if (auto code = qm::parse_command_line(argc, argv, opts, std::cout, std::cerr)) return *code;
    counters::tools::install_fault_guard("qm");
    return qm::run(opts);
}

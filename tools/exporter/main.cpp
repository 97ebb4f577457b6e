// SPDX-License-Identifier: MIT
// counters-exporter: parse the command line, then run() (run.cpp).
#include "exporter.hpp"

#include <counters_tools/cli.hpp>

#include <iostream>

int main(int argc, char** argv) {
    counters::exporter::options opt;
    if (auto code = counters::exporter::parse_command_line(argc, argv, opt, std::cout, std::cerr)) return *code;
    return counters::tools::guarded("counters-exporter",
                                    [&] { return counters::exporter::run(opt, std::cout, std::cerr); });
}

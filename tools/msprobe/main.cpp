// SPDX-License-Identifier: MIT
// msprobe: parse the command line, then run() (run.cpp).
#include "checks.hpp"

#include <counters_tools/cli.hpp>

#include <iostream>

int main(int argc, char** argv) {
    counters::msprobe::options opt;
    if (auto code = counters::msprobe::parse_command_line(argc, argv, opt, std::cout, std::cerr)) return *code;
    return counters::tools::guarded("msprobe", [&] { return counters::msprobe::run(opt); });
}

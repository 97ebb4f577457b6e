// SPDX-License-Identifier: MIT
// counterutil: parse the command line, then run() (counterutil.cpp).
#include "counterutil.hpp"

#include <counters_tools/cli.hpp>

#include <iostream>

int main(int argc, char** argv) {
    counterutil::options opt;
    if (auto code = counterutil::parse_command_line(argc, argv, opt, std::cout, std::cerr)) return *code;
    return counters::tools::guarded("counterutil", [&] { return counterutil::run(opt, std::cout); });
}

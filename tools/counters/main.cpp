// SPDX-License-Identifier: MIT
// counters (= imsimta counters): parse the command line, then run().
#include "counters_tool.hpp"

#include <counters_tools/cli.hpp>

#include <iostream>

int main(int argc, char** argv) {
    namespace ct = counters::tools;
    ct::counters_cmd::options opts;
    if (auto code = ct::counters_cmd::parse_command_line(argc, argv, opts, std::cout, std::cerr)) return *code;
    return ct::guarded("counters", [&] { return ct::counters_cmd::run(opts); });
}

// SPDX-License-Identifier: MIT
// counters-ingest: parse the command line, then run() (run.cpp).
#include "ingest.hpp"

#include <counters_tools/cli.hpp>

#include <iostream>

int main(int argc, char** argv) {
    counters::ingest::options opt;
    if (auto code = counters::ingest::parse_command_line(argc, argv, opt, std::cout, std::cerr)) return *code;
    return counters::tools::guarded("counters-ingest", [&] { return counters::ingest::run(opt, std::cout, std::cerr); });
}

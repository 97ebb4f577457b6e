// SPDX-License-Identifier: MIT
// counters-snmpd: parse the command line, then run() (agent.cpp).
#include "snmpd.hpp"

#include <counters_tools/cli.hpp>

#include <iostream>

int main(int argc, char** argv) {
    counters::snmp::options opt;
    if (auto code = counters::snmp::parse_command_line(argc, argv, opt, std::cout, std::cerr)) return *code;
    return counters::tools::guarded("counters-snmpd", [&] { return counters::snmp::run(opt); });
}

// SPDX-License-Identifier: MIT
/// @file snmpd.hpp
/// counters-snmpd: the MTA-MIB over SNMP, as an AgentX subagent of net-snmp's snmpd
/// (counters-snmpd(8)). main.cpp parses the command line, run() (agent.cpp) serves.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

namespace counters::snmp {

/// The options of counters-snmpd.
struct options {
    std::string section;      ///< resolved section name
    std::string registry;     ///< resolved registry name
    std::string agentx;       ///< --agentx SOCKET; empty: net-snmp's default (/var/agentx/master)
    bool foreground = false;  ///< -f: stay in the foreground and log to standard error
    unsigned ping_interval = 2; ///< --ping-interval: seconds between pings of the master
    unsigned cache = 1;       ///< --cache: seconds a snapshot serves requests
};

/// The text of --help (its first lines are the synopsis of counters-snmpd(8)).
const std::string& help_text();

/// Parses the command line into @p opt. Returns std::nullopt to go on, or the exit code to
/// return now (0 after --help or --version, 2 after a usage error, reported on @p err).
std::optional<int> parse_command_line(int argc, const char* const* argv, options& opt, std::ostream& out,
                                      std::ostream& err);

/// Serves until SIGTERM or SIGINT; returns the exit status (0 when stopped).
int run(const options& opt);

} // namespace counters::snmp

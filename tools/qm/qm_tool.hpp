// SPDX-License-Identifier: MIT
/// @file qm_tool.hpp
/// The `qm` tool (= `imsimta qm`): its global options, its command line and run().
/// run() is shared by `qm` and `imsimta qm`.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace counters::tools::qm {

/// What the command line asks for.
struct options {
    std::string section;               ///< resolved: -section, else COUNTERS_SECTION, else default
    std::string queue;                 ///< resolved: -queue, else COUNTERS_QUEUE, else the built-in default
    std::vector<std::string> command;  ///< one-shot sub-command and its arguments; empty: interactive
    std::string prog = "qm";           ///< program name for --help
};

/// The usage text printed by --help; its first lines are the SYNOPSIS of qm(1).
std::string help_text(const std::string& prog);

/// Parses the leading global options (`-queue=DIR`, `-section=NAME`, `--help`, `--version`,
/// single or double dash, any case, unique prefixes); the first other word starts the
/// sub-command. On success fills @p opts and returns std::nullopt; otherwise returns the exit
/// code after printing help/version on @p out or one `%QM-E-...` line on @p err.
std::optional<int> parse_command_line(int argc, const char* const* argv, options& opts, std::ostream& out,
                                      std::ostream& err, const std::string& prog = "qm");

/// One-shot: runs opts.command and returns 0 ok, 1 runtime failure, 2 usage error.
/// Interactive (no command): reads commands from standard input (with line editing and
/// history when it is a terminal) until `exit`, `quit` or end of input; returns 0.
/// Never throws: every failure is reported as a `%QM-E-...` line on standard error.
int run(const options& opts);

} // namespace counters::tools::qm

// SPDX-License-Identifier: MIT
/// @file counters_tool.hpp
/// The `counters` tool (= `imsimta counters`): its options, its command line and run().
#pragma once

#include <counters/options.hpp>
#include <counters_tools/render.hpp>

#include <iosfwd>
#include <optional>
#include <string>

namespace counters::tools::counters_cmd {

/// What the command line asks for.
struct options {
    enum class action { create, remove, clear, show };
    enum class format { text, json, prometheus };

    action what = action::show;
    std::string section;              ///< resolved: --section, else COUNTERS_SECTION, else default
    create_options create;            ///< -create: sizes and mode (group resolved by run())
    bool max_channels_given = false;  ///< -create: -max_channels was given
    bool block_size_given = false;    ///< -create: -block_size was given
    std::string group;                ///< -create: group name or number ("" = creator's group)
    bool clear_channels = true;       ///< -clear: zero the message rows
    bool clear_associations = true;   ///< -clear: zero the association figures
    render_options render;            ///< -show: what to print
    format output_format = format::text;
    std::string output;               ///< -show: file to write ("" = standard output)
    std::string registry;             ///< -show -format=prometheus: registry to add ("" = none)
    std::string prog = "counters";    ///< the name in messages (`imsimta counters` too)
};

/// The usage text printed by --help; its first lines are the SYNOPSIS of counters(1).
std::string help_text(const std::string& prog);

/// Parses the command line (original single-dash spellings and `--` ones). On success fills
/// @p opts and returns std::nullopt; otherwise returns the exit code to use after having
/// printed help/version on @p out or one error line on @p err.
std::optional<int> parse_command_line(int argc, const char* const* argv, options& opts, std::ostream& out,
                                      std::ostream& err, const std::string& prog = "counters");

/// Carries out @p opts. Returns exit_ok (also for -create of an existing section whose
/// -max_channels or -block_size differ: it is kept, after one line
/// `prog: warning: <kept_section_note()>` on stderr); throws counters::error (section problems),
/// output_error (output file or standard output), or std::runtime_error (unknown group, an
/// object at the name that -delete cannot remove). -delete of an object that is not a
/// regular file (a FIFO, a socket, a device; a symbolic link is refused, exit 1) removes it
/// after one line `prog: section "NAME": not a counters section (a FIFO);
/// removed` on stderr.
int run(const options& opts);

/// What stands at the section's name (in /dev/shm, or at its path for a file-backed section)
/// when it is not a regular file (lstat, never
/// following a symbolic link): "a FIFO", "a socket", "a character device", "a block device",
/// "a symbolic link", "a directory", "an object of unknown type"; std::nullopt for a regular
/// file or nothing (the library's own checks apply).
std::optional<std::string> non_regular_object(const std::string& section);

} // namespace counters::tools::counters_cmd

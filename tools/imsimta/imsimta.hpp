// SPDX-License-Identifier: MIT
/// @file imsimta.hpp
/// The `imsimta` front end: `imsimta counters ...` and `imsimta qm ...` run the same code as
/// the `counters` and `qm` tools with the same arguments.
#pragma once

#include <iosfwd>
#include <string>

namespace counters::tools::imsimta {

/// The usage text; its first lines are the SYNOPSIS of imsimta(1).
std::string help_text();

/// Dispatches on argv[1] (case ignored, unique prefix): `counters` or `qm` run that tool
/// with argv[2..]; `-h`/`--help` prints the usage on @p out and returns 0; `--version`
/// prints the version; nothing, or anything else, prints the usage on @p err and returns 2.
/// Returns the tool's exit status.
int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

} // namespace counters::tools::imsimta

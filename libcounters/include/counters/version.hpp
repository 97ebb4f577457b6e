// SPDX-License-Identifier: MIT
/// @file version.hpp
/// Library and wire-format versions.
#pragma once

#include <counters/export.hpp>

namespace counters {

/// Library version string, e.g. "1.0.0".
COUNTERS_API const char* library_version() noexcept;

/// Wire-format version of the channel section this library writes. Readers accept the same
/// major version and any minor version; a different major version is refused.
inline constexpr unsigned format_major = 1;
inline constexpr unsigned format_minor = 1;

} // namespace counters

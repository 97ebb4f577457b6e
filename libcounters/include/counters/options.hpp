// SPDX-License-Identifier: MIT
/// @file options.hpp
/// Names and creation parameters of a channel-counter section.
#pragma once

#include <counters/export.hpp>

#include <cstdint>
#include <string>

namespace counters {

/// The section name used when none is given and `COUNTERS_SECTION` is unset.
inline constexpr const char* default_section = "imta_counters";
/// Environment variable that overrides the default section name.
inline constexpr const char* section_env = "COUNTERS_SECTION";

/// Largest channel name, in bytes (PMDF's CHANLENGTH). Longer names are refused.
inline constexpr std::size_t max_channel_name = 32;
/// Default and upper bound of the channel table size fixed at creation.
inline constexpr std::uint32_t default_max_channels = 512;
inline constexpr std::uint32_t max_max_channels = 65536;
/// Default block size (the unit of the Blocks column), in bytes, and its bounds.
inline constexpr std::uint32_t default_block_size = 1024;
inline constexpr std::uint32_t max_block_size = 1u << 20;
/// Default permission bits of a new section (owner and the MTA's group may write).
inline constexpr unsigned default_mode = 0660;

/// Returns the section name to use: @p explicit_name when not empty, otherwise the value
/// of `COUNTERS_SECTION` when set and not empty, otherwise "imta_counters".
/// Thread-safe as long as nobody calls setenv() concurrently.
COUNTERS_API std::string section_name(const std::string& explicit_name = {});

/// Checks that @p name is usable as a section name; throws
/// counters::error(errc::invalid_argument) otherwise. A plain name (1..200 bytes of
/// [A-Za-z0-9._-], not starting with '.') is a POSIX shared-memory object; a name starting
/// with '/' is a file-backed (persistent) section at that absolute path: at most 1024 bytes,
/// no trailing '/', no empty, "." or ".." component, no component over 255 bytes, no control
/// characters. Every call that takes a section name (section, create_section(),
/// clear_section(), delete_section(), section_exists(), read_snapshot(), ...) accepts
/// both; a file-backed section has the same format, checks and trust rules, keeps its
/// numbers across a restart or a reboot, and its file's directory must exist.
COUNTERS_API void validate_section_name(const std::string& name);

/// Checks that @p name is a usable channel name (1..32 bytes, printable ASCII, no space);
/// throws counters::error(errc::invalid_argument) naming @p section otherwise.
COUNTERS_API void validate_channel_name(const std::string& section, const std::string& name);

/// Converts a size in bytes to blocks of @p block_size bytes, rounding up (0 bytes is 0
/// blocks) and saturating at INT64_MAX, exactly as the recording calls do.
/// @p block_size must not be 0.
constexpr std::int64_t to_blocks(std::uint64_t bytes, std::uint32_t block_size) noexcept {
    if (bytes == 0) return 0;
    const std::uint64_t b = (bytes - 1) / block_size + 1;
    constexpr std::uint64_t top = ~std::uint64_t{0} >> 1;
    return static_cast<std::int64_t>(b > top ? top : b);
}

/// Parameters fixed when a section is created. Ignored when the section already exists.
struct COUNTERS_API create_options {
    std::uint32_t max_channels = default_max_channels; ///< 1..max_max_channels
    std::uint32_t block_size = default_block_size;     ///< 1..max_block_size bytes
    unsigned mode = default_mode;                      ///< permission bits, e.g. 0660
    /// Group to give the new section to (-1: leave the creator's group).
    long group = -1;
};

} // namespace counters

// SPDX-License-Identifier: MIT
/// @file text.hpp
/// Channel-name matching and escaping for terminals. Pure functions; thread-safe; noexcept
/// except for std::bad_alloc when building a string.
#pragma once

#include <string>
#include <string_view>

namespace counters::tools {

/// True when @p name matches @p pattern, where `*` matches any run of characters (also
/// none) and `?` exactly one character; every other character matches itself, ignoring
/// ASCII case. There is no escape: a channel name containing `*` or `?` is matched by the
/// wildcard too. Greedy, backtracking only to the last `*`: O(|pattern| * |name|) in the worst
/// case, never exponential.
bool wildcard_match(std::string_view pattern, std::string_view name) noexcept;

/// Returns @p s made safe for a terminal: printable ASCII (0x20..0x7e) is kept, a backslash
/// is doubled, and every other byte (control characters, DEL, non-ASCII) is shown as `\xHH`
/// with two lower-case hex digits.
std::string escape_name(std::string_view s);

/// @p c with ASCII upper case folded to lower case (the C locale's tolower, locale-free).
constexpr char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

/// @p s with ASCII upper case folded to lower case.
std::string lower(std::string_view s);

} // namespace counters::tools

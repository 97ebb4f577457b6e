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

/// The two notations of the one escaping rule (see escape()).
enum class escape_style {
    text, ///< messages on stderr and the text formats
    json, ///< the contents of a JSON string (between its quotes)
};

/// The one escaping rule of the tools, for every name, string and message that may hold
/// bytes from the command line, the environment, a file name or shared memory. Only
/// printable ASCII (0x20..0x7e) is written as itself; everything else is escaped, so that no
/// control character (C0, DEL, C1, raw or UTF-8-encoded) ever reaches a terminal or a
/// document:
/// - text: a backslash is doubled, every other byte outside 0x20..0x7e is `\xHH` (two
///   lower-case hex digits), byte by byte: `a\nb` is shown `a\x0ab`, U+009B (0xc2 0x9b)
///   `\xc2\x9b`;
/// - json: `"` and `\` are `\"` and `\\`; backspace, form feed, newline, carriage return
///   and tab are `\b \f \n \r \t`; the other C0 controls and DEL are `\u00XX`; every
///   character of well-formed UTF-8 beyond ASCII is `\uXXXX` (a surrogate pair above
///   U+FFFF), so U+009B is `\u009b`; each byte that is not part of well-formed UTF-8 is
///   `\ufffd`. The result is pure ASCII and valid inside JSON quotes.
std::string escape(std::string_view s, escape_style style);

/// escape(@p s, escape_style::text): what every message and text output uses.
std::string escape_name(std::string_view s);

/// @p c with ASCII upper case folded to lower case (the C locale's tolower, locale-free).
constexpr char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

/// @p s with ASCII upper case folded to lower case.
std::string lower(std::string_view s);

} // namespace counters::tools

// SPDX-License-Identifier: MIT
// The one escaping rule of the tools (text.hpp): what reaches a terminal, a message or a
// JSON string; and ASCII case folding.
#include <counters_tools/text.hpp>

#include "output.hpp"

#include <cstddef>
#include <cstdint>

namespace counters::tools {

namespace {

using detail::utf8_at;

constexpr char hex_digits[] = "0123456789abcdef";

/// True for the bytes written as themselves: printable ASCII, 0x20..0x7e.
constexpr bool printable(unsigned char u) noexcept { return u >= 0x20 && u < 0x7f; }

bool continuation(std::string_view s, std::size_t i) noexcept {
    return i < s.size() && (static_cast<unsigned char>(s[i]) & 0xc0U) == 0x80U;
}


void put_u(std::string& out, std::uint32_t unit) {
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) out += hex_digits[(unit >> static_cast<unsigned>(shift)) & 0xfU];
}

void escape_json_into(std::string& out, std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto u = static_cast<unsigned char>(s[i]);
        if (u < 0x80) {
            switch (u) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (printable(u))
                    out += static_cast<char>(u);
                else
                    put_u(out, u); // the other C0 controls and DEL
            }
            ++i;
            continue;
        }
        std::uint32_t cp = 0;
        const std::size_t n = utf8_at(s, i, cp);
        if (n == 0) { // a byte that is not part of well-formed UTF-8
            out += "\\ufffd";
            ++i;
            continue;
        }
        if (cp < 0x10000) {
            put_u(out, cp);
        } else {
            const std::uint32_t v = cp - 0x10000;
            put_u(out, 0xd800U + (v >> 10));
            put_u(out, 0xdc00U + (v & 0x3ffU));
        }
        i += n;
    }
}

void escape_text_into(std::string& out, std::string_view s) {
    for (const char ch : s) {
        const auto u = static_cast<unsigned char>(ch);
        if (u == '\\') {
            out += "\\\\";
        } else if (printable(u)) {
            out += ch;
        } else {
            out += "\\x";
            out += hex_digits[u >> 4];
            out += hex_digits[u & 0xfU];
        }
    }
}

} // namespace

std::string escape(std::string_view s, escape_style style) {
    std::string out;
    out.reserve(s.size());
    if (style == escape_style::json)
        escape_json_into(out, s);
    else
        escape_text_into(out, s);
    return out;
}

std::string escape_name(std::string_view s) { return escape(s, escape_style::text); }

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = lower(c);
    return out;
}

namespace detail {

/// Decodes the well-formed UTF-8 sequence (RFC 3629: no overlong form, no surrogate, at
/// most U+10FFFF) that starts at @p i; returns its length and sets @p cp, or returns 0.
std::size_t utf8_at(std::string_view s, std::size_t i, std::uint32_t& cp) noexcept {
    const auto b = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(s[i + k])); };
    const std::uint32_t b0 = b(0);
    std::size_t n = 0;
    std::uint32_t lo = 0x80, hi = 0xbf; // the allowed range of the second byte
    if (b0 >= 0xc2 && b0 <= 0xdf) {
        n = 2;
        cp = b0 & 0x1fU;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
        n = 3;
        cp = b0 & 0x0fU;
        if (b0 == 0xe0) lo = 0xa0;
        if (b0 == 0xed) hi = 0x9f;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
        n = 4;
        cp = b0 & 0x07U;
        if (b0 == 0xf0) lo = 0x90;
        if (b0 == 0xf4) hi = 0x8f;
    } else {
        return 0;
    }
    for (std::size_t k = 1; k < n; ++k) {
        if (!continuation(s, i + k)) return 0;
        if (k == 1 && (b(1) < lo || b(1) > hi)) return 0;
        cp = (cp << 6) | (b(k) & 0x3fU);
    }
    return n;
}

} // namespace detail

} // namespace counters::tools

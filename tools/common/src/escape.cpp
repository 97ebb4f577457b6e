// SPDX-License-Identifier: MIT
// Escaping of names before they reach a terminal, and ASCII case folding.
#include <counters_tools/text.hpp>

namespace counters::tools {

std::string escape_name(std::string_view s) {
    static const char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(s.size());
    for (char ch : s) {
        const auto u = static_cast<unsigned char>(ch);
        if (u == '\\') {
            out += "\\\\";
        } else if (u >= 0x20 && u < 0x7f) {
            out += ch;
        } else {
            out += "\\x";
            out += hex[u >> 4];
            out += hex[u & 0xf];
        }
    }
    return out;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = lower(c);
    return out;
}

} // namespace counters::tools

// SPDX-License-Identifier: MIT
// Unit tests of tools/common text helpers: escaping and wildcard matching.
#include "catch.hpp"

#include <counters_tools/text.hpp>

#include <string>

using counters::tools::escape_name;
using counters::tools::wildcard_match;

TEST_CASE("escape_name keeps printable ASCII", "[escape]") {
    CHECK(escape_name("tcp_local") == "tcp_local");
    CHECK(escape_name("a b~!") == "a b~!");
    CHECK(escape_name("") == "");
}

TEST_CASE("escape_name shows control characters, DEL and non-ASCII as \\xHH", "[escape]") {
    CHECK(escape_name("\x1b[2J") == "\\x1b[2J");
    CHECK(escape_name(std::string("a\0b", 3)) == "a\\x00b");
    CHECK(escape_name("\n\t\r") == "\\x0a\\x09\\x0d");
    CHECK(escape_name("\x7f") == "\\x7f");
    CHECK(escape_name("caf\xc3\xa9") == "caf\\xc3\\xa9");
    CHECK(escape_name("\xff") == "\\xff");
}

TEST_CASE("escape_name doubles backslashes so that escapes are unambiguous", "[escape]") {
    CHECK(escape_name("a\\x1b") == "a\\\\x1b");
    CHECK(escape_name("\\") == "\\\\");
}

TEST_CASE("an escaped name never contains a control or non-ASCII byte", "[escape]") {
    std::string all;
    for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
    const std::string e = escape_name(all);
    for (char c : e) {
        const auto u = static_cast<unsigned char>(c);
        CHECK((u >= 0x20 && u < 0x7f));
    }
    CHECK(e.size() == (256 - 95) * 4 + 94 + 2); // 161 escaped, 94 kept, one doubled backslash
}

TEST_CASE("wildcard_match: literal names, ignoring ASCII case", "[match]") {
    CHECK(wildcard_match("tcp_local", "tcp_local"));
    CHECK(wildcard_match("TCP_Local", "tcp_local"));
    CHECK(wildcard_match("tcp_local", "TCP_LOCAL"));
    CHECK_FALSE(wildcard_match("tcp_local", "tcp_locals"));
    CHECK_FALSE(wildcard_match("tcp_locals", "tcp_local"));
    CHECK(wildcard_match("", ""));
    CHECK_FALSE(wildcard_match("", "a"));
}

TEST_CASE("wildcard_match: * matches any run, also empty", "[match]") {
    CHECK(wildcard_match("*", ""));
    CHECK(wildcard_match("*", "anything"));
    CHECK(wildcard_match("tcp_*", "tcp_"));
    CHECK(wildcard_match("tcp_*", "tcp_intranet"));
    CHECK_FALSE(wildcard_match("tcp_*", "tc"));
    CHECK(wildcard_match("*ms", "ims-ms"));
    CHECK(wildcard_match("*-*", "ims-ms"));
    CHECK(wildcard_match("a*b*c", "aXXbYYbc"));
    CHECK_FALSE(wildcard_match("a*b*c", "aXXbYYbd"));
    CHECK(wildcard_match("**", "x"));
    CHECK(wildcard_match("*a", "aaa"));
    CHECK_FALSE(wildcard_match("*a", "aab"));
}

TEST_CASE("wildcard_match: ? matches exactly one character", "[match]") {
    CHECK(wildcard_match("?", "l"));
    CHECK_FALSE(wildcard_match("?", ""));
    CHECK_FALSE(wildcard_match("?", "ll"));
    CHECK(wildcard_match("ims-m?", "ims-ms"));
    CHECK(wildcard_match("?*", "x"));
    CHECK_FALSE(wildcard_match("?*", ""));
    CHECK(wildcard_match("*?", "xy"));
}

TEST_CASE("wildcard_match stays fast on pathological patterns", "[match]") {
    const std::string name(4000, 'a');
    const std::string pattern = std::string(50, '*') + "a*a*a*a*a*a*a*a*a*a*b";
    CHECK_FALSE(wildcard_match(pattern, name));
}

// SPDX-License-Identifier: MIT
// Unit tests of tools/common text helpers: escaping and wildcard matching.
#include "catch.hpp"

#include <counters_tools/text.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

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

// ---- the one rule, JSON notation (escape(s, escape_style::json)) ----

namespace {
std::string json_escape(std::string_view s) { return counters::tools::escape(s, counters::tools::escape_style::json); }
} // namespace

TEST_CASE("escape: text is escape_name", "[escape]") {
    const std::string hostile = "a\nb\x1b]0;X\x07\x7f\xc2\x9b\x80\xff";
    CHECK(counters::tools::escape(hostile, counters::tools::escape_style::text) == escape_name(hostile));
    CHECK(escape_name(hostile) == "a\\x0ab\\x1b]0;X\\x07\\x7f\\xc2\\x9b\\x80\\xff");
}

TEST_CASE("escape json: printable ASCII kept, quote and backslash escaped", "[escape]") {
    CHECK(json_escape("tcp_local") == "tcp_local");
    CHECK(json_escape("a \"b\" \\c") == "a \\\"b\\\" \\\\c");
    CHECK(json_escape("") == "");
}

TEST_CASE("escape json: C0 controls, ESC sequences, BEL and DEL", "[escape]") {
    CHECK(json_escape("a\nb") == "a\\nb");
    CHECK(json_escape("\b\f\r\t") == "\\b\\f\\r\\t");
    CHECK(json_escape("\x1b]0;X\x07") == "\\u001b]0;X\\u0007");
    CHECK(json_escape("\x1b[2J") == "\\u001b[2J");
    CHECK(json_escape(std::string("a\0b", 3)) == "a\\u0000b");
    CHECK(json_escape("\x7f") == "\\u007f");
}

TEST_CASE("escape json: UTF-8 C1 controls and other non-ASCII characters as \\uXXXX", "[escape]") {
    CHECK(json_escape("\xc2\x9b") == "\\u009b"); // CSI
    CHECK(json_escape("\xc2\x9d") == "\\u009d"); // OSC
    CHECK(json_escape("\xc2\x80\xc2\x9f") == "\\u0080\\u009f");
    CHECK(json_escape("caf\xc3\xa9") == "caf\\u00e9");
    CHECK(json_escape("\xe2\x82\xac") == "\\u20ac");
    CHECK(json_escape("\xf0\x9f\x98\x80") == "\\ud83d\\ude00"); // a surrogate pair
}

TEST_CASE("escape json: each byte outside well-formed UTF-8 is \\ufffd", "[escape]") {
    for (int b = 0x80; b <= 0x9f; ++b) // raw C1 bytes: continuation bytes without a lead
        CHECK(json_escape(std::string(1, static_cast<char>(b))) == "\\ufffd");
    CHECK(json_escape("\xff\xfe") == "\\ufffd\\ufffd");
    CHECK(json_escape("a\xc2") == "a\\ufffd");                  // truncated
    CHECK(json_escape("\xc2z") == "\\ufffdz");                  // lead without continuation
    CHECK(json_escape("\xc0\x80") == "\\ufffd\\ufffd");         // overlong NUL
    CHECK(json_escape("\xe0\x80\xaf") == "\\ufffd\\ufffd\\ufffd"); // overlong '/'
    CHECK(json_escape("\xed\xa0\x80") == "\\ufffd\\ufffd\\ufffd"); // a surrogate
    CHECK(json_escape("\xf4\x90\x80\x80") == "\\ufffd\\ufffd\\ufffd\\ufffd"); // above U+10FFFF
}

TEST_CASE("escape json: every byte string gives pure ASCII that parses back as a JSON string", "[escape]") {
    std::string all;
    for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
    all += "\xc2\x9b\xc2\x9d\xe2\x82\xac";
    const std::string e = json_escape(all);
    for (char c : e) {
        const auto u = static_cast<unsigned char>(c);
        CHECK((u >= 0x20 && u < 0x7f));
    }
    const nlohmann::json back = nlohmann::json::parse("\"" + e + "\"");
    const std::string decoded = back.get<std::string>();
    CHECK(decoded.substr(0, 0x80) == all.substr(0, 0x80)); // ASCII comes back unchanged
    CHECK(decoded.size() > 0x80);
}

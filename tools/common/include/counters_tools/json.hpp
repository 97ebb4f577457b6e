// SPDX-License-Identifier: MIT
/// @file json.hpp
/// Writing a JSON document built with nlohmann::json (or ordered_json) with every string,
/// key or value, escaped by the tools' one rule, escape(s, escape_style::json) (text.hpp):
/// the output is pure ASCII, valid JSON, and no control character (DEL, C1 encoded in UTF-8)
/// or invalid UTF-8 from shared memory passes through. Numbers, booleans and null are
/// written as nlohmann writes them; the layout is that of nlohmann's dump().
#pragma once

#include <counters_tools/text.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>

namespace counters::tools {

namespace detail {

inline void put_json_string(std::string& out, const std::string& s) {
    out += '"';
    out += escape(s, escape_style::json);
    out += '"';
}

template <class Json>
void put_json(std::string& out, const Json& j, int indent, std::size_t level) {
    const bool pretty = indent >= 0;
    const auto step = pretty ? static_cast<std::size_t>(indent) : 0;
    const auto newline = [&](std::size_t depth) {
        if (!pretty) return;
        out += '\n';
        out.append(depth * step, ' ');
    };
    if (j.is_string()) {
        put_json_string(out, j.template get_ref<const typename Json::string_t&>());
    } else if (j.is_object()) {
        if (j.empty()) {
            out += "{}";
            return;
        }
        out += '{';
        bool first = true;
        for (auto it = j.cbegin(); it != j.cend(); ++it) {
            if (!first) out += ',';
            first = false;
            newline(level + 1);
            put_json_string(out, it.key());
            out += pretty ? ": " : ":";
            put_json(out, it.value(), indent, level + 1);
        }
        newline(level);
        out += '}';
    } else if (j.is_array()) {
        if (j.empty()) {
            out += "[]";
            return;
        }
        out += '[';
        bool first = true;
        for (const auto& v : j) {
            if (!first) out += ',';
            first = false;
            newline(level + 1);
            put_json(out, v, indent, level + 1);
        }
        newline(level);
        out += ']';
    } else {
        out += j.dump(); // a number, a boolean or null: no string inside
    }
}

} // namespace detail

/// @p j as text: pretty-printed with @p indent spaces per level (as nlohmann's dump(indent)),
/// or on one line without blanks when @p indent is negative. No trailing newline. Strings
/// escaped as escape(s, escape_style::json). Throws only std::bad_alloc.
template <class Json>
std::string dump_json(const Json& j, int indent) {
    std::string out;
    detail::put_json(out, j, indent, 0);
    return out;
}

} // namespace counters::tools

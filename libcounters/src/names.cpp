// SPDX-License-Identifier: MIT
// Section and channel names: the default, the environment, and the rules.
#include "shm/segment.hpp"

#include <counters/error.hpp>
#include <counters/options.hpp>

#include <cstdlib>

namespace counters {

std::string section_name(const std::string& explicit_name) {
    if (!explicit_name.empty()) return explicit_name;
    const char* env = std::getenv(section_env);
    if (env != nullptr && *env != '\0') return env;
    return default_section;
}

void validate_section_name(const std::string& name) {
    auto bad = [&](const std::string& why) {
        throw error(errc::invalid_argument, name, "bad section name: " + why);
    };
    if (name.empty()) bad("empty");
    if (detail::shm::is_file_name(name)) { // a file-backed section at an absolute path
        if (const std::string why = detail::shm::file_name_problem(name); !why.empty()) bad("path " + why);
        return;
    }
    if (name.size() > 200) bad("longer than 200 bytes");
    if (name[0] == '.') bad("starts with '.'");
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        c == '.' || c == '_' || c == '-';
        if (!ok) bad("only letters, digits, '.', '_' and '-' are allowed");
    }
}

void validate_channel_name(const std::string& section, const std::string& name) {
    auto bad = [&](const std::string& why) {
        throw error(errc::invalid_argument, section, "bad channel name: " + why);
    };
    if (name.empty()) bad("empty");
    if (name.size() > max_channel_name)
        bad("longer than " + std::to_string(max_channel_name) + " bytes (" + std::to_string(name.size()) + ")");
    for (char c : name) {
        auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f) bad("only printable ASCII without spaces is allowed");
    }
}

} // namespace counters

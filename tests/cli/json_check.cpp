// SPDX-License-Identifier: MIT
// Checks a JSON document for the CLI tests, without python or jq:
//   json_check FILE|- [POINTER=JSON ...] [POINTER#=N ...] [POINTER>N ...]
// Parses FILE (or standard input); then POINTER=JSON requires the value at the JSON pointer
// to equal the given JSON text, POINTER#=N requires an array/object of N elements, and
// POINTER>N a number greater than N, and POINTER! that nothing is at POINTER.
// Exit status 0 when everything holds, 1 otherwise (one line per problem on stderr).
#include <nlohmann/json.hpp>

#include <exception>
#include <fstream>
#include <iostream>
#include <string>

using nlohmann::json;

namespace {

int check(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: json_check FILE|- [POINTER=JSON | POINTER#=N ...]\n";
        return 2;
    }
    json doc;
    try {
        const std::string file = argv[1];
        if (file == "-") {
            doc = json::parse(std::cin);
        } else {
            std::ifstream in(file);
            if (!in) {
                std::cerr << "json_check: cannot open " << file << '\n';
                return 1;
            }
            doc = json::parse(in);
        }
    } catch (const std::exception& e) {
        std::cerr << "json_check: invalid JSON: " << e.what() << '\n';
        return 1;
    }
    int bad = 0;
    for (int i = 2; i < argc; ++i) {
        const std::string arg = argv[i];
        const auto eq = arg.find('=');
        if (const auto gt = arg.find('>'); eq == std::string::npos && gt != std::string::npos) {
            const std::string ptr = arg.substr(0, gt);
            const long long want = std::stoll(arg.substr(gt + 1));
            try {
                const json& v = doc.at(json::json_pointer(ptr));
                if (!v.is_number_integer() || v.get<long long>() <= want) {
                    std::cerr << "json_check: " << ptr << ": " << v.dump() << ", want > " << want << '\n';
                    ++bad;
                }
            } catch (const std::exception& e) {
                std::cerr << "json_check: " << ptr << ": " << e.what() << '\n';
                ++bad;
            }
            continue;
        }
        if (eq == std::string::npos && !arg.empty() && arg.back() == '!') {
            if (doc.contains(json::json_pointer(arg.substr(0, arg.size() - 1)))) {
                std::cerr << "json_check: " << arg.substr(0, arg.size() - 1) << ": present, want absent\n";
                ++bad;
            }
            continue;
        }
        if (eq == std::string::npos) {
            std::cerr << "json_check: bad check " << arg << '\n';
            return 2;
        }
        const bool size = eq > 0 && arg[eq - 1] == '#';
        const std::string ptr = arg.substr(0, size ? eq - 1 : eq), want = arg.substr(eq + 1);
        try {
            const json& v = doc.at(json::json_pointer(ptr));
            if (size) {
                if ((!v.is_array() && !v.is_object()) || std::to_string(v.size()) != want) {
                    std::cerr << "json_check: " << ptr << ": size " << v.size() << ", want " << want << '\n';
                    ++bad;
                }
            } else if (v != json::parse(want)) {
                std::cerr << "json_check: " << ptr << ": " << v.dump() << ", want " << want << '\n';
                ++bad;
            }
        } catch (const std::exception& e) {
            std::cerr << "json_check: " << ptr << ": " << e.what() << '\n';
            ++bad;
        }
    }
    return bad == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    // A malformed check (a bad number after '>', a bad JSON pointer) is a usage error.
    try {
        return check(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "json_check: " << e.what() << '\n';
        return 2;
    }
}

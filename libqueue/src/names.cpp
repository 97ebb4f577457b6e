// SPDX-License-Identifier: MIT
// Queue root, attempt prefixes and message file names.
#include <counters_queue/queue.hpp>

#include <cstdlib>

namespace counters::queue {

std::string queue_root(const std::string& explicit_root) {
    if (!explicit_root.empty()) return explicit_root;
    const char* env = std::getenv(queue_env);
    if (env != nullptr && *env != '\0') return env;
    return {};
}

std::string attempt_prefix(unsigned attempts) {
    if (attempts > max_attempts) attempts = max_attempts;
    return {attempt_digits[attempts / 36], attempt_digits[attempts % 36]};
}

namespace {
/// The value (0..35) of one attempt-prefix character, or -1.
int attempt_digit(char c) noexcept {
    if (c >= 'A' && c <= 'Z') return 'Z' - c;
    if (c >= '0' && c <= '9') return 26 + ('9' - c);
    return -1;
}
} // namespace

std::optional<unsigned> attempts_of(std::string_view prefix) noexcept {
    if (prefix.size() != 2) return std::nullopt;
    const int hi = attempt_digit(prefix[0]), lo = attempt_digit(prefix[1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    return static_cast<unsigned>(hi * 36 + lo);
}

namespace {
bool is_hex(char c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
} // namespace

std::optional<file_name> parse_file_name(std::string_view name) noexcept {
    constexpr std::string_view held = ".HELD";
    file_name f;
    if (name.size() > held.size() && name.substr(name.size() - held.size()) == held) {
        f.held = true;
        name.remove_suffix(held.size());
    }
    // AA + 1..64 hex + '.' + 2 digits
    if (name.size() < 6 || name.size() > 2 + 64 + 3) return std::nullopt;
    const auto a = attempts_of(name.substr(0, 2));
    if (!a) return std::nullopt;
    const std::size_t dot = name.size() - 3;
    if (name[dot] != '.' || !is_digit(name[dot + 1]) || !is_digit(name[dot + 2])) return std::nullopt;
    const std::string_view id = name.substr(2, dot - 2);
    if (id.empty()) return std::nullopt;
    for (char c : id)
        if (!is_hex(c)) return std::nullopt;
    try {
        f.attempts = *a;
        f.id = std::string(id);
        f.part = std::string(name.substr(dot + 1));
    } catch (...) {
        return std::nullopt;
    }
    return f;
}

std::string make_file_name(const file_name& f) {
    if (f.id.empty() || f.id.size() > 64) throw std::invalid_argument("queue file id must be 1..64 hex digits");
    for (char c : f.id)
        if (!is_hex(c)) throw std::invalid_argument("queue file id must be hexadecimal: " + f.id);
    if (f.part.size() != 2 || !is_digit(f.part[0]) || !is_digit(f.part[1]))
        throw std::invalid_argument("queue file part must be two digits");
    return attempt_prefix(f.attempts) + f.id + "." + f.part + (f.held ? ".HELD" : "");
}

} // namespace counters::queue

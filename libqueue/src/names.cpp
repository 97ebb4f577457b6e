// SPDX-License-Identifier: MIT
// Queue root, attempt prefixes and message file names.
#include <counters_queue/queue.hpp>

#include <cstdlib>

#ifndef COUNTERS_DEFAULT_QUEUE_DIR
#define COUNTERS_DEFAULT_QUEUE_DIR ""
#endif

namespace counters::queue {

const char* default_queue_root() noexcept { return COUNTERS_DEFAULT_QUEUE_DIR; }

std::string queue_root(const std::string& explicit_root) {
    if (!explicit_root.empty()) return explicit_root;
    const char* env = std::getenv(queue_env);
    if (env != nullptr && *env != '\0') return env;
    return default_queue_root();
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
    // AA + 1..64 hex + '.' + 2 digits; held files may also be AA + 1..64 hex (the hold
    // channel's `AA<id>.HELD`: no part, which a release renames to `AA<id>.00`).
    const bool has_part = name.size() >= 3 && name[name.size() - 3] == '.';
    if (!has_part && !f.held) return std::nullopt;
    const std::size_t end = has_part ? name.size() - 3 : name.size(); // end of the id
    if (end < 3 || end > 2 + 64) return std::nullopt;
    const auto a = attempts_of(name.substr(0, 2));
    if (!a) return std::nullopt;
    if (has_part && (!is_digit(name[end + 1]) || !is_digit(name[end + 2]))) return std::nullopt;
    const std::string_view id = name.substr(2, end - 2);
    if (id.empty()) return std::nullopt;
    for (char c : id)
        if (!is_hex(c)) return std::nullopt;
    try {
        f.attempts = *a;
        f.id = std::string(id);
        f.part = has_part ? std::string(name.substr(end + 1)) : std::string();
    } catch (...) {
        return std::nullopt;
    }
    return f;
}

std::string make_file_name(const file_name& f) {
    if (f.id.empty() || f.id.size() > 64) throw std::invalid_argument("queue file id must be 1..64 hex digits");
    for (char c : f.id)
        if (!is_hex(c)) throw std::invalid_argument("queue file id must be hexadecimal: " + f.id);
    if (f.part.empty()) {
        if (!f.held) throw std::invalid_argument("queue file part must be two digits (it may be empty only when held)");
        return attempt_prefix(f.attempts) + f.id + ".HELD";
    }
    if (f.part.size() != 2 || !is_digit(f.part[0]) || !is_digit(f.part[1]))
        throw std::invalid_argument("queue file part must be two digits");
    return attempt_prefix(f.attempts) + f.id + "." + f.part + (f.held ? ".HELD" : "");
}

} // namespace counters::queue

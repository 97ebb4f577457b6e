// SPDX-License-Identifier: MIT
// Wildcard matching of channel names (`*`, `?`, ASCII case-insensitive).
#include <counters_tools/text.hpp>

#include <cstddef>

namespace counters::tools {

bool wildcard_match(std::string_view pattern, std::string_view name) noexcept {
    // Classic greedy matcher: remember the last `*` and the name position it stands for;
    // on a mismatch let that `*` swallow one more character. O(|pattern| * |name|) worst case.
    std::size_t p = 0, n = 0;
    std::size_t star = std::string_view::npos, star_n = 0;
    while (n < name.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            star_n = n;
        } else if (p < pattern.size() && (pattern[p] == '?' || lower(pattern[p]) == lower(name[n]))) {
            ++p;
            ++n;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            n = ++star_n;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

} // namespace counters::tools

// SPDX-License-Identifier: MIT
// Prints the counter key table of counters(5) as mdoc rows, from the library's counter table
// (counter.hpp) and the slot layout: key_table.sh compares it with the manual page.
#include "section/layout.hpp"

#include <counters/counter.hpp>

#include <cstddef>
#include <cstdio>

namespace {

char kind_letter(counters::counter_kind k) {
    switch (k) {
    case counters::counter_kind::counter: return 'C';
    case counters::counter_kind::gauge: return 'G';
    case counters::counter_kind::time: return 'T';
    }
    return '?';
}

} // namespace

int main() {
    using counters::detail::channel_slot;
    for (std::size_t k = 0; k < counters::counter_count; ++k) {
        const counters::counter_info& inf = counters::info(static_cast<counters::counter>(k));
        const std::size_t value = offsetof(channel_slot, value) + 8 * k;
        const std::size_t minimum = offsetof(channel_slot, minimum) + 8 * k;
        std::printf(".It %zu Ta %zu Ta %zu Ta %c Ta %s Ta ", k, value, minimum, kind_letter(inf.kind),
                    counters::to_string(inf.unit));
        if (inf.mib_column == 0)
            std::printf("\\(em");
        else
            std::printf("%u", static_cast<unsigned>(inf.mib_column));
        std::printf(" Ta %s\n", inf.key);
    }
    return 0;
}

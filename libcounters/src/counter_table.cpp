// SPDX-License-Identifier: MIT
// The counter table of counter.hpp as data, checked at compile time, and the library version.
#include <counters/counter.hpp>
#include <counters/version.hpp>

#ifndef COUNTERS_VERSION_STRING
#define COUNTERS_VERSION_STRING "unknown"
#endif

namespace counters {

namespace {

// The counter table, expanded from COUNTERS_CHANNEL_COUNTERS.
constexpr counter_info counter_table[] = {
#define COUNTERS_X_INFO(id, key, kind, unit, group, text_row, text_column_, mib, prom_family, prom_sample,       \
                        prom_labels, help)                                                                      \
    {key,                                                                                                       \
     counter_kind::kind == counter_kind::gauge,                                                                 \
     help,                                                                                                      \
     counter::id,                                                                                               \
     counter_kind::kind,                                                                                        \
     counter_unit::unit,                                                                                        \
     counter_group::group,                                                                                      \
     text_row,                                                                                                  \
     text_column::text_column_,                                                                                 \
     mib,                                                                                                       \
     prom_family,                                                                                               \
     prom_sample,                                                                                               \
     prom_labels},
    COUNTERS_CHANNEL_COUNTERS(COUNTERS_X_INFO)
#undef COUNTERS_X_INFO
};
static_assert(sizeof(counter_table) / sizeof(counter_table[0]) == counter_count);

constexpr bool same_text(const char* a, const char* b) {
    if (a == nullptr || b == nullptr) return a == b;
    for (; *a != '\0' && *a == *b; ++a) ++b;
    return *a == *b;
}

// Entries are in enumeration order, and first_counter() agrees with the table: each of
// the seven rows is three consecutive counters on one line, Messages, Recipients, Blocks.
constexpr bool table_consistent() {
    for (std::size_t i = 0; i < counter_count; ++i) {
        const counter_info& c = counter_table[i];
        if (index(c.id) != i || (c.text_row == nullptr) != (c.column == text_column::none)) return false;
        if (c.mib_column > 34 || c.mib_column == 1) return false; // mtaGroupTable has columns 2..34
    }
    for (std::size_t r = 0; r < row_count; ++r) {
        const std::size_t first = index(first_counter(static_cast<row>(r)));
        const counter_info* c = &counter_table[first];
        if (c[0].column != text_column::messages || c[1].column != text_column::recipients ||
            c[2].column != text_column::blocks || !same_text(c[0].text_row, c[1].text_row) ||
            !same_text(c[0].text_row, c[2].text_row))
            return false;
    }
    return true;
}
static_assert(table_consistent(), "COUNTERS_CHANNEL_COUNTERS disagrees with itself or with first_counter()");

} // namespace

const counter_info& info(counter c) noexcept { return counter_table[index(c)]; }

const char* to_string(counter_kind k) noexcept {
    switch (k) {
    case counter_kind::counter: return "counter";
    case counter_kind::gauge: return "gauge";
    case counter_kind::time: return "time";
    }
    return "unknown";
}

const char* to_string(counter_unit u) noexcept {
    switch (u) {
    case counter_unit::messages: return "messages";
    case counter_unit::recipients: return "recipients";
    case counter_unit::blocks: return "blocks";
    case counter_unit::seconds: return "seconds";
    case counter_unit::associations: return "associations";
    }
    return "unknown";
}

const char* library_version() noexcept { return COUNTERS_VERSION_STRING; }

} // namespace counters

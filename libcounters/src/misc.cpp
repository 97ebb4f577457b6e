// Errors, names, counter descriptions, version.

#include <counters/counter.hpp>
#include <counters/error.hpp>
#include <counters/options.hpp>
#include <counters/version.hpp>

#include <cstdlib>

#ifndef COUNTERS_VERSION_STRING
#define COUNTERS_VERSION_STRING "unknown"
#endif

namespace counters {

const char* to_string(errc code) noexcept {
    switch (code) {
    case errc::not_found: return "not found";
    case errc::exists: return "exists";
    case errc::permission: return "permission denied";
    case errc::corrupt: return "corrupt";
    case errc::foreign: return "foreign";
    case errc::version: return "unsupported version";
    case errc::not_ready: return "not ready";
    case errc::retired: return "retired";
    case errc::invalid_argument: return "invalid argument";
    case errc::table_full: return "table full";
    case errc::system: return "system error";
    }
    return "unknown error";
}

const char* to_string(object_kind kind) noexcept {
    switch (kind) {
    case object_kind::section: return "section";
    case object_kind::registry: return "registry";
    case object_kind::queue: return "queue";
    }
    return "object";
}

error::error(errc code, const std::string& name, const std::string& message)
    : error(code, object_kind::section, name, message) {}

namespace {
std::string prefix_of(object_kind kind, const std::string& name) {
    return std::string(to_string(kind)) + " \"" + name + "\": ";
}
} // namespace

error::error(errc code, object_kind kind, const std::string& name, const std::string& message)
    : std::runtime_error(prefix_of(kind, name) + message), code_(code), kind_(kind),
      prefix_(prefix_of(kind, name).size()), name_(std::make_shared<const std::string>(name)) {}

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

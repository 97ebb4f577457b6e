// SPDX-License-Identifier: MIT
// msprobe's alarm notice: the registry instance names, the value rules, and the message text
// in the documented layout (msprobe(8), ALARM NOTICES).
#include "alarm_side.hpp"

#include <array>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <limits>
#include <string>

namespace counters::msprobe {

const char* to_string(alarm_id id) noexcept {
    return id == alarm_id::diskavail ? "diskavail" : "serverresponse";
}

namespace {

bool name_byte(unsigned char c) noexcept {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '-';
}

// Printable ASCII only: anything else (CR, LF, controls, 8-bit bytes) becomes '?'.
std::string printable(const std::string& s) {
    std::string out = s;
    for (char& c : out) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u >= 0x7f) c = '?';
    }
    return out;
}

std::string number(std::int64_t v) {
    return std::to_string(v);
}

// The threshold as configured: "10", "2.5", "0.001".
std::string threshold_text(double t) {
    std::array<char, 64> buf{};
    std::snprintf(buf.data(), buf.size(), "%.15g", t);
    return buf.data();
}

constexpr std::array<const char*, 7> day_names{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<const char*, 12> month_names{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

struct local_time {
    std::tm tm{};
    std::string offset; // "-0700"
};

local_time to_local(std::int64_t when) {
    local_time lt;
    const auto t = static_cast<std::time_t>(when);
    if (::localtime_r(&t, &lt.tm) == nullptr) {
        ::gmtime_r(&t, &lt.tm);
        lt.tm.tm_gmtoff = 0;
    }
    long off = lt.tm.tm_gmtoff;
    const char sign = off < 0 ? '-' : '+';
    if (off < 0) off = -off;
    std::array<char, 48> buf{};
    std::snprintf(buf.data(), buf.size(), "%c%02ld%02ld", sign, (off / 3600) % 100, (off % 3600) / 60);
    lt.offset = buf.data();
    return lt;
}

const char* pick(const std::array<const char*, 7>& a, int i) {
    return i >= 0 && i < 7 ? a.at(static_cast<std::size_t>(i)) : "???";
}
const char* pick(const std::array<const char*, 12>& a, int i) {
    return i >= 0 && i < 12 ? a.at(static_cast<std::size_t>(i)) : "???";
}

} // namespace

std::string alarm_instance_name(alarm_id id, const std::string& instance) {
    const std::string full = std::string(to_string(id)) + "." + instance;
    std::string name = full;
    for (char& c : name) {
        if (!name_byte(static_cast<unsigned char>(c))) c = '_';
    }
    if (name.size() <= max_registry_name) return name;
    std::uint32_t h = 2166136261U; // FNV-1a, 32 bits
    for (const char c : full) {
        h ^= static_cast<unsigned char>(c);
        h *= 16777619U;
    }
    std::array<char, 16> hex{};
    std::snprintf(hex.data(), hex.size(), "-%08" PRIx32, h);
    return name.substr(0, max_registry_name - 9) + hex.data();
}

std::int64_t alarm_value(double value) noexcept {
    if (std::isnan(value)) return 0;
    // 2^63 is exactly representable; anything at or past it is clamped.
    constexpr double limit = 9223372036854775808.0;
    if (value >= limit) return std::numeric_limits<std::int64_t>::max();
    if (value <= -limit) return std::numeric_limits<std::int64_t>::min();
    return static_cast<std::int64_t>(std::llround(value));
}

bool over_threshold(alarm_id id, const alarm_settings& s, double value) noexcept {
    if (std::isnan(value)) return false;
    if (id == alarm_id::serverresponse && value < 0) return true;
    return s.dir == direction::above ? value > s.threshold : value < s.threshold;
}

std::string rfc5322_date(std::int64_t when) {
    const local_time lt = to_local(when);
    std::array<char, 16> zone{};
    if (std::strftime(zone.data(), zone.size(), "%Z", &lt.tm) == 0) zone[0] = '\0';
    std::array<char, 96> buf{};
    std::snprintf(buf.data(), buf.size(), "%s, %02d %s %04d %02d:%02d:%02d %s", pick(day_names, lt.tm.tm_wday),
                  lt.tm.tm_mday, pick(month_names, lt.tm.tm_mon), lt.tm.tm_year + 1900, lt.tm.tm_hour, lt.tm.tm_min,
                  lt.tm.tm_sec, lt.offset.c_str());
    std::string out = buf.data();
    // The zone's name as a comment when it is a plain word ("PDT"), not a numeric stand-in.
    const std::string z = zone.data();
    bool word = !z.empty();
    for (const char c : z) word = word && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'));
    if (word) out += " (" + z + ")";
    return out;
}

std::string clf_time(std::int64_t when) {
    const local_time lt = to_local(when);
    std::array<char, 64> buf{};
    std::snprintf(buf.data(), buf.size(), "%02d/%s/%04d:%02d:%02d:%02d %s", lt.tm.tm_mday,
                  pick(month_names, lt.tm.tm_mon), lt.tm.tm_year + 1900, lt.tm.tm_hour, lt.tm.tm_min, lt.tm.tm_sec,
                  lt.offset.c_str());
    return buf.data();
}

std::string fold_line(const std::string& given) {
    if (given.size() <= max_line) return given + "\n";
    // Trailing spaces would make a last line of spaces alone: dropped. So would a run of
    // spaces longer than a line: shortened to one below. Either way the line ends in text.
    const std::string line = given.substr(0, given.find_last_not_of(' ') + 1);
    std::string out;
    std::size_t at = 0;  // where the rest of `line` starts
    bool added = false;  // the line being written starts with a space added by a cut
    for (;;) {
        const std::size_t room = max_line - (added ? 1 : 0); // octets of `line` it can take
        if (line.size() - at <= room) break;
        const std::size_t text = line.find_first_not_of(' ', at);
        if (text >= at + room) {
            // Only spaces would fit on this line: one space starts it (the added one if any).
            at = added ? text : text - 1;
            continue;
        }
        // The last space that leaves text before it and at most `room` octets on this line
        // (text follows it: the line ends in text).
        const std::size_t cut = line.rfind(' ', at + room);
        if (cut == std::string::npos || cut <= text) {
            // No such space: cut inside the text, and start the next line with a space.
            out.append(line, at, room);
            out += "\n ";
            at += room;
            added = true;
        } else {
            out.append(line, at, cut - at);
            out += '\n'; // the space at `cut` starts the next line
            at = cut;
            added = false;
        }
    }
    out.append(line, at, std::string::npos);
    out += '\n';
    return out;
}

std::string format_notice(const notice& n) {
    const std::string instance = printable(n.instance);
    const std::string description = printable(n.description);
    std::string m;
    m += fold_line(std::string("Subject: ") + (n.kind == notice_kind::alarm ? "ALARM: " : "NORMAL: ") + description +
                   " of \"" + instance + "\" is " + number(n.current));
    m += "Date: " + rfc5322_date(n.when) + "\n";
    m += fold_line("From: " + printable(n.from));
    m += fold_line("To: " + printable(n.to));
    m += fold_line("Message-ID: " + printable(n.message_id));
    m += "\n";
    m += fold_line("Server instance: " + printable(n.server_instance));
    m += std::string("Alarmid: ") + to_string(n.id) + "\n";
    m += fold_line("Instance: " + instance);
    m += fold_line("Description: " + description);
    m += "Current measured value (" + clf_time(n.when) + "): " + number(n.current) + "\n";
    m += "Lowest recorded value: " + number(n.low) + "\n";
    m += "Highest recorded value: " + number(n.high) + "\n";
    m += "Monitoring interval: " + number(n.statinterval) + " seconds\n";
    m += std::string("Alarm condition is when ") + (n.dir == direction::above ? "over" : "under") +
         " threshold of " + threshold_text(n.threshold) + "\n";
    m += "Number of times over threshold: " + number(n.count_over) + "\n";
    return m;
}

std::string notice_spool_path(const config& cfg, const std::string& registry_name) {
    std::string flat = registry_name;
    for (char& c : flat) {
        if (c == '/') c = '_';
    }
    if (!cfg.statedir.empty()) {
        std::string dir = cfg.statedir;
        while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
        return dir + "/" + flat + ".notices";
    }
    if (!registry_name.empty() && registry_name.front() == '/') return registry_name + ".notices";
    return "/var/lib/msprobe/" + flat + ".notices";
}

} // namespace counters::msprobe

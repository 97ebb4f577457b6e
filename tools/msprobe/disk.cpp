// SPDX-License-Identifier: MIT
// The disk check: statvfs() of each mail partition and of the queue directory.
#include "checks.hpp"

#include <cerrno>
#include <cstring>
#include <sys/statvfs.h>

namespace counters::msprobe {

std::optional<disk_usage> stat_disk(const std::string& path, std::string& why) {
    struct statvfs st {};
    if (::statvfs(path.c_str(), &st) != 0) {
        why = std::strerror(errno);
        return std::nullopt;
    }
    const auto unit = static_cast<long double>(st.f_frsize != 0 ? st.f_frsize : st.f_bsize);
    const auto kb = [unit](fsblkcnt_t blocks) {
        return static_cast<std::int64_t>(static_cast<long double>(blocks) * unit / 1024.0L);
    };
    disk_usage u;
    u.avail_kb = kb(st.f_bavail);
    u.total_kb = kb(st.f_blocks);
    // As df(1): the space used plus the space available to unprivileged users is 100 %
    // (the blocks reserved for root count as neither).
    const auto used = static_cast<long double>(st.f_blocks >= st.f_bfree ? st.f_blocks - st.f_bfree : 0);
    const auto avail = static_cast<long double>(st.f_bavail);
    u.percent_avail = used + avail > 0 ? static_cast<double>(avail * 100.0L / (used + avail)) : 0.0;
    return u;
}

std::string disk_instance(const std::string& name) {
    std::string out;
    for (char c : name) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                        c == '.' || c == '-';
        out += ok ? c : '_';
        if (out.size() == max_registry_name) break;
    }
    return out.empty() ? std::string("_") : out;
}

std::vector<disk_target> disk_targets(const config& cfg) {
    std::vector<disk_target> out;
    for (const auto& p : cfg.partitions) out.push_back(disk_target{disk_instance(p.name), p.path});
    if (!cfg.queuedir.empty()) out.push_back(disk_target{"queue", cfg.queuedir});
    return out;
}

} // namespace counters::msprobe

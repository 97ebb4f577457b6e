// SPDX-License-Identifier: MIT
// Recording the probe side's measurements in the serverresponse and diskusage objects.
#include "checks.hpp"

#include <cmath>

namespace counters::msprobe {

recorder::recorder(registry& reg)
    : serverresponse_(reg.object("serverresponse")), diskusage_(reg.object("diskusage")) {}

void recorder::probe(const probe_settings& p, const probe_result& r, std::int64_t now) {
    const auto inst = serverresponse_.instance(p.instance());
    inst.gauge("responseTime").set(response_ms(r));
    inst.time("lastStatTime").set(now);
}

void recorder::disk(const disk_target& t, const disk_usage& u, std::int64_t now) {
    const auto inst = diskusage_.instance(t.instance);
    inst.gauge("availSpace").set(u.avail_kb);
    inst.gauge("totalSpace").set(u.total_kb);
    inst.gauge("percentAvail").set(static_cast<std::int64_t>(std::floor(u.percent_avail)));
    inst.string("mailPartitionPath").set(t.path);
    inst.time("lastStatTime").set(now);
}

} // namespace counters::msprobe

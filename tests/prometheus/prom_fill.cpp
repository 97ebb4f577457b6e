// SPDX-License-Identifier: MIT
// Fills a section and a registry for the promtool test, through the library's writer API:
//   prom_fill SECTION REGISTRY CHANNELS
// registers channels until the section holds CHANNELS (ch0001, ch0002, ...; mta-sim's five
// are already there) and records a few events of every kind into each; adds to REGISTRY
// the built-in objects that mta-sim does not fill (alarm, diskusage with its STRING,
// serverresponse, ingest) and a custom object whose names need sanitizing.
// Exit status 0, or 1 with a message.
#include <counters/counters.hpp>
#include <counters/registry.hpp>
#include <counters/snapshot.hpp>

#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>

using namespace counters;

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: prom_fill SECTION REGISTRY CHANNELS\n");
        return 2;
    }
    try {
        const std::string sname = argv[1];
        const unsigned long want = std::stoul(argv[3]);
        section sec(sname);
        unsigned long have = read_snapshot(sname).channels.size();
        channel from = sec.get("tcp_local");
        for (unsigned long i = 1; have < want; ++i) {
            char name[16];
            std::snprintf(name, sizeof name, "ch%04lu", i);
            channel ch = sec.get(name);
            ++have;
            const auto n = static_cast<std::uint64_t>(i % 7 + 1);
            enqueued(from, ch, n, 1000 * n);
            dequeued(ch, n, 1000 * n, static_cast<std::int64_t>(i % 300), i % 2 == 0);
            if (i % 3 == 0) deferred(ch, 1, 500);
            if (i % 5 == 0) rejected(ch, 1, 100);
            if (i % 11 == 0) failed(ch, 1, 100);
            association_opened(ch, direction::inbound);
            association_closed(ch, direction::inbound);
            association_opened(ch, direction::outbound);
            if (i % 13 == 0) association_rejected(ch);
            if (i % 17 == 0) association_failed(ch);
        }

        registry reg(argv[2]);
        counter_instance alarm = reg.object("alarm").instance("diskavail");
        alarm.counter("countOverThreshold").add(3);
        alarm.gauge("current").set(42);
        alarm.time("timeLastSet").stamp();
        counter_instance disk = reg.object("diskusage").instance("primary");
        disk.gauge("availSpace").set(123456);
        disk.gauge("percentAvail").set(37);
        disk.string("mailPartitionPath").set("/var/mail \"primary\"");
        disk.time("lastStatTime").stamp();
        counter_instance resp = reg.object("serverresponse").instance("smtp");
        resp.gauge("responseTime").set(2);
        resp.time("lastStatTime").stamp();
        counter_instance ing = reg.object("ingest").instance("postfix");
        ing.counter("linesRead").add(1000);
        ing.counter("linesRecorded").add(990);
        ing.string("cursor").set("s=abc;i=1");
        counter_object custom = reg.define("my-app.v2", {{"requestsTotal", field_kind::counter, 8, false},
                                                        {"queue.count", field_kind::gauge, 8, false},
                                                        {"lastHTTPTime", field_kind::time, 8, false},
                                                        {"note", field_kind::string, 64, false}});
        for (const char* in : {"a", "b"}) {
            counter_instance x = custom.instance(in);
            x.counter("requestsTotal").add(5);
            x.gauge("queue.count").set(-2);
            x.time("lastHTTPTime").stamp();
            x.string("note").set("free\ntext");
        }
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "prom_fill: %s\n", e.what());
        return 1;
    }
}

// SPDX-License-Identifier: MIT
// Drives msprobe's alarm side from a shell test (postfix_alarm.sh): one alarm_keeper, then the
// actions in order. The log goes to stderr as "LEVEL: text".
// usage: alarm_driver REGISTRY STATEDIR PORT RCPT ACTION...
//   record ID INSTANCE VALUE WHEN   ID: serverresponse or diskavail
//   flush NOW                       prints "pending N"
//   pending                         prints "pending N"
//   field INSTANCE FIELD            prints the alarm field's value
//   name ID INSTANCE                prints the alarm registry instance name
//   delete                          deletes the registry (the test's cleanup)
#include "alarm_side.hpp"

#include <cstdlib>
#include <iostream>
#include <string>

using namespace counters::msprobe;

int main(int argc, char** argv) try {
    if (argc < 5) {
        std::cerr << "usage: alarm_driver REGISTRY STATEDIR PORT RCPT ACTION...\n";
        return 2;
    }
    const std::string reg_name = argv[1];
    config cfg;
    cfg.statedir = argv[2];
    cfg.notice.host = "127.0.0.1";
    cfg.notice.port = static_cast<std::uint16_t>(std::stoul(argv[3]));
    cfg.notice.rcpt = argv[4];
    cfg.notice.sender = "msprobe@client.test";
    cfg.notice.timeout = 10;
    cfg.server_instance = "/srv/msprobe-test";
    cfg.registry = reg_name;
    counters::registry reg(reg_name);
    alarm_keeper k(reg, cfg, [](log_level l, const std::string& s) {
        std::cerr << (l == log_level::info ? "info" : l == log_level::warning ? "warning" : "error") << ": " << s
                  << "\n";
    });
    for (int i = 5; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "record" && i + 4 < argc) {
            measurement m;
            m.id = std::string(argv[i + 1]) == "diskavail" ? alarm_id::diskavail : alarm_id::serverresponse;
            m.instance = argv[i + 2];
            m.value = std::stod(argv[i + 3]);
            m.when = std::stoll(argv[i + 4]);
            k.record(m);
            i += 4;
        } else if (a == "flush" && i + 1 < argc) {
            std::cout << "pending " << k.flush(std::stoll(argv[++i])) << "\n";
        } else if (a == "pending") {
            std::cout << "pending " << k.pending() << "\n";
        } else if (a == "field" && i + 2 < argc) {
            const counters::counter_instance inst = reg.object("alarm").instance(argv[i + 1]);
            const std::string f = argv[i + 2];
            if (f.rfind("count", 0) == 0) {
                std::cout << inst.counter(f).get() << "\n";
            } else if (f.rfind("time", 0) == 0) {
                std::cout << inst.time(f).get() << "\n";
            } else {
                std::cout << inst.gauge(f).get() << "\n";
            }
            i += 2;
        } else if (a == "name" && i + 2 < argc) {
            const alarm_id id = std::string(argv[i + 1]) == "diskavail" ? alarm_id::diskavail : alarm_id::serverresponse;
            std::cout << alarm_instance_name(id, argv[i + 2]) << "\n";
            i += 2;
        } else if (a == "delete") {
            counters::delete_registry(reg_name);
        } else {
            std::cerr << "alarm_driver: bad action: " << a << "\n";
            return 2;
        }
    }
    return 0;
} catch (const std::exception& e) {
    std::cerr << "alarm_driver: " << e.what() << "\n";
    return 1;
}

// SPDX-License-Identifier: MIT
// A small producer for the CLI tests: drives the registry API from the command line.
//   registry_producer REGISTRY STEP...
// Steps: accept OBJ N | close OBJ N | fail OBJ N | login-ok OBJ N | login-failed OBJ N
//        counter OBJ INST FIELD N | gauge OBJ INST FIELD V | time OBJ INST FIELD V
//        string OBJ INST FIELD TEXT | define OBJ FIELD:KIND[:SIZE]... ; | hold
// `hold` prints "ready" and waits for a signal (for kill tests).
#include <counters/registry.hpp>
#include <counters/stats.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <unistd.h>

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: registry_producer REGISTRY STEP...\n");
        return 2;
    }
    try {
        counters::registry reg(argv[1]);
        std::map<std::string, std::unique_ptr<counters::service_stats>> services;
        auto svc = [&](const std::string& obj) -> counters::service_stats& {
            auto& p = services[obj];
            if (!p) p = std::make_unique<counters::service_stats>(reg, obj);
            return *p;
        };
        auto inst = [&](const std::string& obj, const std::string& in) {
            return counters::builtin_schema(obj) ? reg.object(obj).instance(in) : counters::counter_instance();
        };
        std::map<std::string, counters::counter_object> defined;
        auto instance_of = [&](const std::string& obj, const std::string& in) {
            auto it = defined.find(obj);
            return it != defined.end() ? it->second.instance(in) : inst(obj, in);
        };
        for (int i = 2; i < argc;) {
            const std::string step = argv[i++];
            auto arg = [&]() -> std::string {
                if (i >= argc) throw std::runtime_error("missing argument for " + step);
                return argv[i++];
            };
            if (step == "hold") {
                std::printf("ready\n");
                std::fflush(stdout);
                for (;;) ::pause();
            } else if (step == "define") {
                const std::string obj = arg();
                counters::object_schema schema;
                for (std::string f = arg(); f != ";"; f = arg()) {
                    const auto c1 = f.find(':');
                    const auto c2 = f.find(':', c1 + 1);
                    const std::string kind = f.substr(c1 + 1, c2 == std::string::npos ? std::string::npos : c2 - c1 - 1);
                    counters::field_def d{f.substr(0, c1), counters::field_kind::counter, 8, false};
                    if (kind == "GAUGE") d.kind = counters::field_kind::gauge;
                    if (kind == "TIME") d.kind = counters::field_kind::time;
                    if (kind == "STRING") d.kind = counters::field_kind::string;
                    if (c2 != std::string::npos) d.size = static_cast<std::uint32_t>(std::stoul(f.substr(c2 + 1)));
                    schema.push_back(d);
                }
                defined[obj] = reg.define(obj, schema);
            } else if (step == "counter" || step == "gauge" || step == "time" || step == "string") {
                const std::string obj = arg(), in = arg(), field = arg(), v = arg();
                counters::counter_instance x = instance_of(obj, in);
                if (step == "counter") x.counter(field).add(std::stoll(v));
                if (step == "gauge") x.gauge(field).set(std::stoll(v));
                if (step == "time") x.time(field).set(std::stoll(v));
                if (step == "string") x.string(field).set(v);
            } else {
                const std::string obj = arg();
                const long n = std::stol(arg());
                counters::service_stats& s = svc(obj);
                for (long k = 0; k < n; ++k) {
                    if (step == "accept") s.accepted();
                    else if (step == "close") s.closed();
                    else if (step == "fail") s.failed();
                    else if (step == "login-ok") s.login_ok();
                    else if (step == "login-failed") s.login_failed();
                    else throw std::runtime_error("unknown step " + step);
                }
            }
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "registry_producer: %s\n", e.what());
        return 1;
    }
    return 0;
}

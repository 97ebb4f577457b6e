// SPDX-License-Identifier: MIT
// bench_fill_channels: creates a channel-counter section holding exactly N channels with a
// few events each (for timing `counters -show` and friends in bench/run-tools.sh), or
// deletes it again.
//
//   bench_fill_channels SECTION N [EVENTS]   create SECTION with max_channels N, fill it
//   bench_fill_channels SECTION --delete     delete SECTION
//   bench_fill_channels --registry NAME      create registry NAME with an imapstat object
//   bench_fill_channels --registry NAME --delete
#include "support.hpp"

#include <counters/counters.hpp>
#include <counters/registry.hpp>
#include <counters/stats.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char** argv) {
    if (argc < 3 || argc > 4) {
        std::fprintf(stderr, "usage: bench_fill_channels section channels [events]\n"
                             "       bench_fill_channels section --delete\n"
                             "       bench_fill_channels --registry name [--delete]\n");
        return 2;
    }
    const std::string name = argv[1];
    const std::string what = argv[2];
    try {
        if (name == "--registry") {
            if (argc == 4 && std::string(argv[3]) == "--delete") {
                counters::delete_registry(what);
                return 0;
            }
            counters::registry reg(what);
            counters::service_stats imap(reg, "imapstat");
            for (int i = 0; i < 100; ++i) {
                imap.accepted();
                if (i % 10 == 0) imap.login_failed(); else imap.login_ok();
                if (i % 2 == 0) imap.closed();
            }
            return 0;
        }
        if (what == "--delete") {
            if (counters::section_exists(name)) counters::delete_section(name);
            return 0;
        }
        char* end = nullptr;
        const unsigned long n = std::strtoul(what.c_str(), &end, 10);
        const unsigned long events = argc == 4 ? std::strtoul(argv[3], nullptr, 10) : 3;
        if (end == what.c_str() || *end != '\0' || n == 0 || n > counters::max_max_channels) {
            std::fprintf(stderr, "bench_fill_channels: bad channel count: %s\n", what.c_str());
            return 2;
        }
        if (counters::section_exists(name)) counters::delete_section(name);
        counters::create_options o;
        o.max_channels = static_cast<std::uint32_t>(n);
        const auto t0 = std::chrono::steady_clock::now();
        counters::section s(name, o);
        bench::fill_section(s, static_cast<std::uint32_t>(n), static_cast<unsigned>(events));
        const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        std::fprintf(stderr, "bench_fill_channels: section \"%s\": %lu channels, %lu events each, in %.1f ms\n",
                     name.c_str(), n, events, ms);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_fill_channels: %s\n", e.what());
        return 1;
    }
    return 0;
}

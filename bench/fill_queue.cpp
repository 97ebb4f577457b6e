// SPDX-License-Identifier: MIT
// bench_fill_queue: writes N message files into a queue directory tree (through the same
// writer the MTA simulator uses), spread over a few channels, for timing `qm summarize`.
//
//   bench_fill_queue ROOT N [CHANNELS]
#include <counters_queue/queue.hpp>

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

int main(int argc, char** argv) {
    if (argc < 3 || argc > 4) {
        std::fprintf(stderr, "usage: bench_fill_queue root messages [channels]\n");
        return 2;
    }
    const std::string root = argv[1];
    const unsigned long n = std::strtoul(argv[2], nullptr, 10);
    const unsigned long nchan = argc == 4 ? std::strtoul(argv[3], nullptr, 10) : 8;
    if (n == 0 || nchan == 0) {
        std::fprintf(stderr, "bench_fill_queue: bad count\n");
        return 2;
    }
    try {
        const auto t0 = std::chrono::steady_clock::now();
        counters::queue::writer w(root);
        const auto now = static_cast<std::int64_t>(std::time(nullptr));
        for (unsigned long i = 0; i < n; ++i) {
            counters::queue::envelope e;
            e.size = 1000 + (i * 7919) % 200000;
            e.recipients = 1 + i % 3;
            e.created = now - static_cast<std::int64_t>(i % 86400);
            e.id = fmt::format("{:x}@bench.example.com", i);
            e.from = "sender@example.com";
            for (std::uint64_t r = 0; r < e.recipients; ++r) e.to.push_back(fmt::format("user{}@example.org", r));
            const std::string path = w.put(fmt::format("chan{}", i % nchan), fmt::format("{:08x}", i), e,
                                           "Subject: bench\n\nbody\n");
            if (i % 10 == 9) w.retry(path); // some messages have had an attempt already
        }
        const auto s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::fprintf(stderr, "bench_fill_queue: %lu message files in %lu channels under %s in %.1f s\n", n,
                     nchan, root.c_str(), s);
    } catch (const std::exception& ex) {
        std::fprintf(stderr, "bench_fill_queue: %s\n", ex.what());
        return 1;
    }
    return 0;
}

// SPDX-License-Identifier: MIT
// bench_ingest_check: the counters recorded for a generated Postfix log (postfix_loggen.hpp)
// equal, exactly and per channel, the generator's own tally.
//
//   bench_ingest_check [--lines N] [--seed S]
//       generates the log in memory, feeds it to the interpreter of counters-ingest on a
//       temporary section, compares (the ctest test)
//   bench_ingest_check --section NAME [--lines N] [--seed S]
//       compares the tally with section NAME, filled by `counters-ingest --once` from the
//       log `bench_gen_postfix_log` wrote with the same N and S (bench/ingest_vs_mtail.sh)
//
// Prints the tally's summary, one line per mismatch; exit 0 when everything matches, 1 if not.
#include "postfix_loggen.hpp"
#include "support.hpp"

#include <interpreter.hpp>

#include <counters/counters.hpp>
#include <counters/snapshot.hpp>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

namespace {

bool number(const char* s, std::uint64_t& v) {
    char* end = nullptr;
    errno = 0;
    const unsigned long long n = std::strtoull(s, &end, 10);
    if (end == s || *end != '\0' || errno != 0 || s[0] == '-') return false;
    v = n;
    return true;
}

/// Mismatches between @p snap and @p tally (every counter of every channel of either, and
/// the current association gauges, which end at 0).
int compare(const counters::snapshot& snap, const bench::postfix_tally& tally) {
    int bad = 0;
    if (snap.section.block_size != counters::default_block_size) {
        std::printf("block size %u, the tally counts blocks of %u bytes\n", snap.section.block_size,
                    counters::default_block_size);
        return 1;
    }
    for (const auto& c : snap.channels)
        if (tally.channels.count(c.name) == 0) {
            std::printf("channel %s: in the section, not in the tally\n", c.name.c_str());
            ++bad;
        }
    for (const auto& [name, want] : tally.channels) {
        const counters::channel_values* c = snap.find(name);
        if (c == nullptr) {
            std::printf("channel %s: in the tally, not in the section\n", name.c_str());
            ++bad;
            continue;
        }
        for (std::size_t i = 0; i < counters::counter_count; ++i)
            if (c->value[i] != want[i]) {
                std::printf("channel %s: %s = %lld, the generator says %lld\n", name.c_str(),
                            counters::info(static_cast<counters::counter>(i)).key,
                            static_cast<long long>(c->value[i]), static_cast<long long>(want[i]));
                ++bad;
            }
        if (c->current_in != 0 || c->current_out != 0) {
            std::printf("channel %s: current associations in %lld out %lld, want 0\n", name.c_str(),
                        static_cast<long long>(c->current_in), static_cast<long long>(c->current_out));
            ++bad;
        }
    }
    return bad;
}

} // namespace

int main(int argc, char** argv) {
    std::uint64_t lines = 20000;
    std::uint64_t seed = 1;
    std::string section;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (i + 1 < argc && a == "--section") {
            section = argv[++i];
        } else if (i + 1 < argc && (a == "--lines" || a == "--seed")) {
            if (!number(argv[++i], a == "--lines" ? lines : seed)) {
                std::fprintf(stderr, "bench_ingest_check: %s: not a number: %s\n", a.c_str(), argv[i]);
                return 2;
            }
        } else {
            std::fprintf(stderr, "usage: bench_ingest_check [--section name] [--lines n] [--seed s]\n");
            return 2;
        }
    }
    try {
        bench::postfix_tally tally;
        counters::snapshot snap;
        std::uint64_t fed = 0;
        if (section.empty()) {
            bench::install_cleanup();
            const std::string name = bench::unique_section("ingestcheck");
            {
                counters::section sec(name);
                counters::ingest::interpreter in(sec, counters::ingest::log_format::postfix, {});
                tally = bench::generate_postfix_log(lines, seed, [&](std::string_view l) {
                    in.line(l);
                    ++fed;
                });
                in.flush();
                const auto& n = in.counts();
                std::uint64_t skipped = 0;
                for (const auto& [why, k] : n.skipped) {
                    if (k != 0) std::printf("skipped %s: %llu\n", why.c_str(), static_cast<unsigned long long>(k));
                    skipped += k;
                }
                std::printf("interpreter: %llu lines, %llu recorded, %llu ignored, %llu skipped\n",
                            static_cast<unsigned long long>(n.lines), static_cast<unsigned long long>(n.recorded),
                            static_cast<unsigned long long>(n.ignored), static_cast<unsigned long long>(skipped));
                if (skipped != 0) {
                    std::printf("FAIL: a generated line was skipped\n");
                    return 1;
                }
                snap = counters::read_snapshot(name);
            }
            bench::delete_section(name);
        } else {
            tally = bench::generate_postfix_log(lines, seed, [](std::string_view) {});
            snap = counters::read_snapshot(section);
        }
        std::printf("generator: %llu lines, %llu messages (%llu bounce notices), %llu recipients, %llu delivered, "
                    "%llu deferrals (%llu by error), %llu bounced, %llu rejected, %llu connections, %zu channels\n",
                    static_cast<unsigned long long>(tally.lines), static_cast<unsigned long long>(tally.messages),
                    static_cast<unsigned long long>(tally.notices), static_cast<unsigned long long>(tally.recipients),
                    static_cast<unsigned long long>(tally.delivered), static_cast<unsigned long long>(tally.deferrals),
                    static_cast<unsigned long long>(tally.suspended),
                    static_cast<unsigned long long>(tally.bounced), static_cast<unsigned long long>(tally.rejected),
                    static_cast<unsigned long long>(tally.connections), tally.channels.size());
        const int bad = compare(snap, tally);
        if (bad != 0) {
            std::printf("FAIL: %d mismatches\n", bad);
            return 1;
        }
        std::printf("ok: every counter of the %zu channels equals the generator's tally\n", tally.channels.size());
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_ingest_check: %s\n", e.what());
        return 1;
    }
}

// SPDX-License-Identifier: MIT
// bench_ingest: Google Benchmark of counters-ingest's line interpreter, interpreter::line(),
// over a generated Postfix log (postfix_loggen.hpp) held in memory: lines per second on one
// core, recording into a temporary section. One iteration = one line; the log is replayed
// from its start when it runs out (every message of it ends removed, so a replay starts from
// an empty in-flight table).
//
//   bench_ingest [--lines N] [--seed S] [--smoke] [Google Benchmark options]
#include "postfix_loggen.hpp"
#include "support.hpp"

#include <interpreter.hpp>

#include <benchmark/benchmark.h>

#include <counters/counters.hpp>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

namespace {

struct corpus {
    std::string text;                    ///< every line, back to back
    std::vector<std::string_view> lines; ///< views into text
};

corpus g_log;

void build(std::uint64_t n, std::uint64_t seed) {
    std::vector<std::size_t> ends;
    bench::generate_postfix_log(n, seed, [&](std::string_view l) {
        g_log.text.append(l);
        ends.push_back(g_log.text.size());
    });
    std::size_t start = 0;
    for (const std::size_t e : ends) {
        g_log.lines.emplace_back(g_log.text.data() + start, e - start);
        start = e;
    }
}

void run(benchmark::State& state, const counters::ingest::channel_map& map, counters::ingest::log_format f) {
    const std::string name = bench::unique_section("ingest");
    std::uint64_t skipped = 0;
    {
        counters::section sec(name);
        counters::ingest::interpreter in(sec, f, map);
        std::size_t i = 0;
        const std::size_t n = g_log.lines.size();
        for (auto _ : state) {
            in.line(g_log.lines[i]);
            if (++i == n) i = 0;
        }
        for (const auto& [why, k] : in.counts().skipped) skipped += k;
    }
    bench::delete_section(name);
    state.SetItemsProcessed(state.iterations());
    state.SetLabel("lines");
    if (skipped != 0) state.SkipWithError("generated lines were skipped");
}

void postfix_line(benchmark::State& state) { run(state, {}, counters::ingest::log_format::postfix); }

void postfix_line_auto(benchmark::State& state) { run(state, {}, counters::ingest::log_format::automatic); }

void postfix_line_channel_map(benchmark::State& state) {
    counters::ingest::channel_map m;
    m.add("smtpd", "tcp_local");
    m.add("smtp", "tcp_local");
    m.add("local", "l");
    run(state, m, counters::ingest::log_format::postfix);
}

bool number(const char* s, std::uint64_t& v) {
    char* end = nullptr;
    errno = 0;
    const unsigned long long n = std::strtoull(s, &end, 10);
    if (end == s || *end != '\0' || errno != 0 || s[0] == '-' || n == 0) return false;
    v = n;
    return true;
}

} // namespace

int main(int argc, char** argv) {
    bench::install_cleanup();
    std::uint64_t lines = 200000;
    std::uint64_t seed = 1;
    bool smoke = false;
    bool has_min_time = false;
    std::vector<char*> args;
    for (int i = 0; i < argc; ++i) {
        const std::string a = argv[i];
        if (i > 0 && a == "--smoke") {
            smoke = true;
        } else if (i > 0 && i + 1 < argc && (a == "--lines" || a == "--seed")) {
            if (!number(argv[++i], a == "--lines" ? lines : seed)) {
                std::fprintf(stderr, "bench_ingest: %s: not a positive number: %s\n", a.c_str(), argv[i]);
                return 2;
            }
        } else {
            if (a.rfind("--benchmark_min_time", 0) == 0) has_min_time = true;
            args.push_back(argv[i]);
        }
    }
    static char smoke_min_time[] = "--benchmark_min_time=0.001";
    if (smoke) {
        lines = 2000;
        if (!has_min_time) args.push_back(smoke_min_time);
    }
    int n = static_cast<int>(args.size());
    args.push_back(nullptr);
    benchmark::Initialize(&n, args.data());
    if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 2;
    try {
        build(lines, seed);
        std::printf("log: %zu generated lines, %zu bytes (seed %llu)\n", g_log.lines.size(), g_log.text.size(),
                    static_cast<unsigned long long>(seed));
        benchmark::RegisterBenchmark("ingest/postfix_line", postfix_line);
        benchmark::RegisterBenchmark("ingest/postfix_line_auto", postfix_line_auto);
        benchmark::RegisterBenchmark("ingest/postfix_line_channel_map", postfix_line_channel_map);
        benchmark::RunSpecifiedBenchmarks();
        benchmark::Shutdown();
    } catch (const std::exception& ex) {
        std::fprintf(stderr, "bench_ingest: %s\n", ex.what());
        return 1;
    }
    return 0;
}

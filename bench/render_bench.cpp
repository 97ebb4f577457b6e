// SPDX-License-Identifier: MIT
// bench_render: the read path and the renderers of `counters -show`, each against its
// reference in the same run (Google Benchmark):
//   snapshot/read_snapshot/N   read_snapshot() of a section with exactly N channels
//   snapshot/map_copy/N        the floor: shm_open, fstat, mmap read-only, malloc and memcpy
//                              of the whole segment into fresh memory, munmap, close, free
//   snapshot/map_copy_reused/N the same into one buffer kept for the run (no fresh pages)
//   render/text/N              render_text() to a string
//   render/json/N              render_json() to a string
//   render/json_tree/N         the former JSON writer (an nlohmann ordered_json tree, then
//                              dump_json()), kept in tests/cli/json_tree_reference.hpp
//   render/prometheus/N        render_prometheus() of the section (when it is built)
//   render/prometheus_former/N the former Prometheus writer, kept in
//                              tests/prometheus/prometheus_reference.hpp
//   paired/read_snapshot_vs_map_copy/N, paired/json_vs_text/N, paired/prometheus_vs_text/N
//                              the two timed in the same iterations (run_paired()): counters
//                              a_us and b_us (CPU time of each) and ratio (b / a)
// After the run, a table of the ratios with their targets (read_snapshot within 1.5x of
// map_copy at every size; every renderer within 2x of text at 10,000 channels), judged on the paired
// benchmarks: the separate ones' ratio moved by 1.2x-1.8x between runs as this VM's speed
// drifted, the paired one's by a few percent.
//
// usage: bench_render [--smoke] [--check] [google-benchmark options]
//   --smoke   small sizes (10 and 512 channels) and a short minimum time: what ctest runs
//   --check   exit 1 when a target is missed (meaningful on an idle machine only)
#include "support.hpp"

#include <json_tree_reference.hpp>

#include <counters/counters.hpp>
#include <counters_tools/render.hpp>
#if COUNTERS_BENCH_PROMETHEUS
#include <counters_tools/prometheus.hpp>
#include <prometheus_reference.hpp>
#endif

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace {

struct config {
    bool smoke = false;
    bool check = false;
    std::vector<int64_t> snapshot_counts{512, 10000, 65536};
    std::vector<int64_t> render_counts{512, 10000};
} g_cfg;

/// A section holding exactly N channels (three events each), created once per N.
struct filled {
    std::string name;
    std::unique_ptr<counters::section> sec;
    std::unique_ptr<counters::snapshot> snap;
};

filled& filled_section(uint32_t n) {
    static std::map<uint32_t, filled> cache;
    auto it = cache.find(n);
    if (it != cache.end()) return it->second;
    filled f;
    f.name = bench::unique_section(fmt::format("render{}", n));
    counters::create_options o;
    o.max_channels = n;
    counters::create_section(f.name, o);
    f.sec = std::make_unique<counters::section>(f.name, o);
    bench::fill_section(*f.sec, n, 3);
    f.snap = std::make_unique<counters::snapshot>(counters::read_snapshot(f.name));
    return cache.emplace(n, std::move(f)).first->second;
}

void BM_read_snapshot(benchmark::State& st) {
    const auto n = static_cast<uint32_t>(st.range(0));
    filled& f = filled_section(n);
    for (auto _ : st) {
        counters::snapshot s = counters::read_snapshot(f.name);
        benchmark::DoNotOptimize(s.channels.data());
        if (s.channels.size() != n) st.SkipWithError("wrong channel count");
    }
    st.counters["channels"] = n;
}

/// Maps the section read-only and copies all its bytes to @p dst (nullptr: fresh memory).
void map_copy(benchmark::State& st, const std::string& name, char* reuse) {
    const std::string path = "/" + name;
    const int fd = ::shm_open(path.c_str(), O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0) {
        st.SkipWithError("shm_open failed");
        return;
    }
    struct stat sb {};
    ::fstat(fd, &sb);
    const auto size = static_cast<std::size_t>(sb.st_size);
    void* p = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        ::close(fd);
        st.SkipWithError("mmap failed");
        return;
    }
    std::unique_ptr<char[]> fresh; // NOLINT(cppcoreguidelines-avoid-c-arrays,hicpp-avoid-c-arrays,modernize-avoid-c-arrays)
    if (reuse == nullptr) fresh.reset(new char[size]); // not zero-filled, as malloc
    char* dst = reuse != nullptr ? reuse : fresh.get();
    std::memcpy(dst, p, size);
    benchmark::DoNotOptimize(dst);
    benchmark::ClobberMemory();
    ::munmap(p, size);
    ::close(fd);
}

void BM_map_copy(benchmark::State& st, bool reused) {
    const auto n = static_cast<uint32_t>(st.range(0));
    filled& f = filled_section(n);
    std::vector<char> buf;
    if (reused) buf.assign(f.snap->section.size, '\0');
    for (auto _ : st) map_copy(st, f.name, reused ? buf.data() : nullptr);
    st.counters["channels"] = n;
    st.counters["bytes"] = static_cast<double>(f.snap->section.size);
}

enum class format { text, json, json_tree, prometheus, prometheus_reference };

std::string render(const counters::snapshot& s, format fmt) {
    const counters::tools::render_options o;
    switch (fmt) {
    case format::text: return counters::tools::render_text(s, o);
    case format::json: return counters::tools::render_json(s, o);
    case format::json_tree: return counters::tools::test::render_json_tree(s, o);
    case format::prometheus: {
#if COUNTERS_BENCH_PROMETHEUS
        counters::tools::exposition_input in;
        in.section = &s;
        std::string out;
        counters::tools::render_prometheus(in, out);
        return out;
#else
        return {};
#endif
    }
    case format::prometheus_reference: {
#if COUNTERS_BENCH_PROMETHEUS
        counters::tools::exposition_input in;
        in.section = &s;
        std::string out;
        counters::tools::test::render_prometheus_reference(in, out);
        return out;
#else
        return {};
#endif
    }
    }
    return {};
}

void BM_render(benchmark::State& st, format fmt) {
    const auto n = static_cast<uint32_t>(st.range(0));
    const counters::snapshot& s = *filled_section(n).snap;
    std::size_t bytes = 0;
    for (auto _ : st) {
        std::string out = render(s, fmt);
        bytes = out.size();
        benchmark::DoNotOptimize(out.data());
    }
    st.counters["channels"] = n;
    st.counters["bytes"] = static_cast<double>(bytes);
    st.SetBytesProcessed(static_cast<int64_t>(st.iterations()) * static_cast<int64_t>(bytes));
}

/// CPU time of this thread, in microseconds.
double thread_cpu_us() noexcept {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

/// Two operations timed in the same iterations, one right after the other and in turn
/// first: a drift of the machine's speed (this VM's moves by 20-60% within minutes) weighs
/// on both alike, so their ratio is steadier than that of two benchmarks run apart. Each
/// is run twice in a row and timed the second time, so that it meets the caches and the
/// allocator as its own previous run left them, as in a benchmark of its own (a text
/// render right after a 21 MB exposition was freed gets fresh pages and takes twice as long).
/// Reports each one's CPU time per iteration (counters a_us and b_us) and b / a (ratio).
template <class A, class B>
void run_paired(benchmark::State& st, A&& a, B&& b) {
    double a_us = 0, b_us = 0;
    bool a_first = true;
    for (auto _ : st) {
        for (int k = 0; k < 2; ++k) {
            const bool run_a = (k == 0) == a_first;
            if (run_a)
                a();
            else
                b();
            const double t0 = thread_cpu_us();
            if (run_a)
                a();
            else
                b();
            (run_a ? a_us : b_us) += thread_cpu_us() - t0;
        }
        a_first = !a_first;
    }
    const auto it = static_cast<double>(st.iterations());
    st.counters["a_us"] = a_us / it;
    st.counters["b_us"] = b_us / it;
    st.counters["ratio"] = a_us > 0 ? b_us / a_us : -1; // -1: no ratio (the reporter leaves it out)
}

void BM_paired_snapshot(benchmark::State& st) {
    const auto n = static_cast<uint32_t>(st.range(0));
    filled& f = filled_section(n);
    run_paired(
        st, [&] { map_copy(st, f.name, nullptr); },
        [&] {
            counters::snapshot s = counters::read_snapshot(f.name);
            benchmark::DoNotOptimize(s.channels.data());
            if (s.channels.size() != n) st.SkipWithError("wrong channel count");
        });
}

void BM_paired_render(benchmark::State& st, format fmt) {
    const counters::snapshot& s = *filled_section(static_cast<uint32_t>(st.range(0))).snap;
    const auto once = [&s](format f) {
        std::string out = render(s, f);
        benchmark::DoNotOptimize(out.data());
    };
    run_paired(st, [&] { once(format::text); }, [&] { once(fmt); });
}

/// The console output, and every result kept for the table of ratios.
class reporter : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const Run& r : runs) {
            if (r.error_occurred) {
                ++errors_;
                continue;
            }
            const std::string key = r.run_name.str();
            const auto ratio = r.counters.find("ratio");
            const double paired = ratio != r.counters.end() ? ratio->second.value : -1;
            if (r.run_type == Run::RT_Aggregate) {
                if (r.aggregate_name != "median") continue;
                medians_[key] = {r.GetAdjustedCPUTime(), paired};
            } else {
                all_[key].push_back({r.GetAdjustedCPUTime(), paired});
            }
        }
    }
    /// CPU time (in the benchmark's unit) of @p key: the median aggregate, or the median
    /// of the repetitions; -1 when it did not run.
    double time(const std::string& key) const { return median(key, &result::cpu); }
    /// The ratio b / a of paired benchmark @p key (run_paired()), likewise; -1 when none.
    double ratio(const std::string& key) const { return median(key, &result::ratio); }
    int errors() const { return errors_; }

private:
    struct result {
        double cpu;
        double ratio;
    };
    double median(const std::string& key, double result::*what) const {
        if (auto m = medians_.find(key); m != medians_.end()) return m->second.*what;
        auto a = all_.find(key);
        if (a == all_.end() || a->second.empty()) return -1;
        std::vector<double> v;
        for (const result& r : a->second) v.push_back(r.*what);
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    }
    std::map<std::string, result> medians_;
    std::map<std::string, std::vector<result>> all_;
    int errors_ = 0;
};

int print_summary(const reporter& rep) {
    int missed = 0;
    std::printf("\nRatios (CPU time, median of the repetitions). A target is judged on the paired\n"
                "benchmark (both timed in the same iterations); the ratio of the two separate\n"
                "benchmarks is beside it:\n");
    // A target row: the paired ratio when the paired benchmark ran, else the separate one.
    auto row = [&](const std::string& what, const std::string& paired, const std::string& num,
                   const std::string& den, double target) {
        const double a = rep.time(num), b = rep.time(den);
        const double apart = a >= 0 && b > 0 ? a / b : -1;
        const double together = rep.ratio(paired);
        const double r = together >= 0 ? together : apart;
        if (r < 0) return;
        const std::string beside = together < 0 ? "separate benchmarks only; "
                                   : apart < 0  ? std::string()
                                                : fmt::format("separately {:.2f}x; ", apart);
        if (target <= 0) {
            std::printf("  %-52s %8.2fx  (%sno target at this size)\n", what.c_str(), r, beside.c_str());
            return;
        }
        const bool met = r <= target;
        if (!met) ++missed;
        std::printf("  %-52s %8.2fx  (%starget <= %.1fx: %s)\n", what.c_str(), r, beside.c_str(), target,
                    met ? "met" : "MISSED");
    };
    for (int64_t n : g_cfg.snapshot_counts) {
        row(fmt::format("read_snapshot / map_copy, {} channels", n),
            fmt::format("paired/read_snapshot_vs_map_copy/{}", n), fmt::format("snapshot/read_snapshot/{}", n),
            fmt::format("snapshot/map_copy/{}", n), 1.5);
    }
    for (int64_t n : g_cfg.render_counts) {
        // The renderers' target is set at 10,000 channels: with a few channels the
        // exposition is mostly the HELP and TYPE lines of its 21 families (4.7 KB with no
        // channel at all), and the text has one header line.
        const double target = n == 10000 ? 2.0 : 0;
        row(fmt::format("render json / text, {} channels", n), fmt::format("paired/json_vs_text/{}", n),
            fmt::format("render/json/{}", n), fmt::format("render/text/{}", n), target);
#if COUNTERS_BENCH_PROMETHEUS
        row(fmt::format("render prometheus / text, {} channels", n), fmt::format("paired/prometheus_vs_text/{}", n),
            fmt::format("render/prometheus/{}", n), fmt::format("render/text/{}", n), target);
        const double before = rep.time(fmt::format("render/prometheus_former/{}", n)),
                     after = rep.time(fmt::format("render/prometheus/{}", n));
        if (before > 0 && after > 0)
            std::printf("  %-52s %8.2fx  (the former writer / the new one; %.2fx text)\n",
                        fmt::format("prometheus_former / prometheus, {} channels", n).c_str(), before / after,
                        before / rep.time(fmt::format("render/text/{}", n)));
#endif
        const double tree = rep.time(fmt::format("render/json_tree/{}", n)),
                     now = rep.time(fmt::format("render/json/{}", n));
        if (tree > 0 && now > 0)
            std::printf("  %-52s %8.2fx  (the former writer / the new one)\n",
                        fmt::format("json_tree / json, {} channels", n).c_str(), tree / now);
    }
    return missed;
}

void register_all() {
    using benchmark::kMicrosecond;
    using benchmark::RegisterBenchmark;
    for (int64_t n : g_cfg.snapshot_counts) {
        RegisterBenchmark("snapshot/read_snapshot", BM_read_snapshot)->Arg(n)->Unit(kMicrosecond);
        RegisterBenchmark("snapshot/map_copy", BM_map_copy, false)->Arg(n)->Unit(kMicrosecond);
        RegisterBenchmark("snapshot/map_copy_reused", BM_map_copy, true)->Arg(n)->Unit(kMicrosecond);
    }
    for (int64_t n : g_cfg.snapshot_counts)
        RegisterBenchmark("paired/read_snapshot_vs_map_copy", BM_paired_snapshot)->Arg(n)->Unit(kMicrosecond);
    for (int64_t n : g_cfg.render_counts) {
        RegisterBenchmark("paired/json_vs_text", BM_paired_render, format::json)->Arg(n)->Unit(kMicrosecond);
#if COUNTERS_BENCH_PROMETHEUS
        RegisterBenchmark("paired/prometheus_vs_text", BM_paired_render, format::prometheus)
            ->Arg(n)
            ->Unit(kMicrosecond);
#endif
    }
    for (int64_t n : g_cfg.render_counts) {
        RegisterBenchmark("render/text", BM_render, format::text)->Arg(n)->Unit(kMicrosecond);
        RegisterBenchmark("render/json", BM_render, format::json)->Arg(n)->Unit(kMicrosecond);
#if COUNTERS_BENCH_PROMETHEUS
        RegisterBenchmark("render/prometheus", BM_render, format::prometheus)->Arg(n)->Unit(kMicrosecond);
        RegisterBenchmark("render/prometheus_former", BM_render, format::prometheus_reference)
            ->Arg(n)
            ->Unit(kMicrosecond);
#endif
        RegisterBenchmark("render/json_tree", BM_render, format::json_tree)->Arg(n)->Unit(kMicrosecond);
    }
}

} // namespace

int main(int argc, char** argv) {
    bench::install_cleanup();
    bool has_min_time = false;
    std::vector<char*> args;
    for (int i = 0; i < argc; ++i) {
        const std::string a = argv[i];
        if (i > 0 && a == "--smoke") {
            g_cfg.smoke = true;
        } else if (i > 0 && a == "--check") {
            g_cfg.check = true;
        } else {
            if (a.rfind("--benchmark_min_time", 0) == 0) has_min_time = true;
            args.push_back(argv[i]);
        }
    }
    static char smoke_min_time[] = "--benchmark_min_time=0.001";
    if (g_cfg.smoke) {
        g_cfg.snapshot_counts = {10, 512};
        g_cfg.render_counts = {10, 512};
        if (!has_min_time) args.push_back(smoke_min_time);
    }
    int n = static_cast<int>(args.size());
    args.push_back(nullptr);
    benchmark::Initialize(&n, args.data());
    if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 2;
    try {
        // The renderers must agree with the former writer before anything is timed.
        for (int64_t c : g_cfg.render_counts) {
            const counters::snapshot& s = *filled_section(static_cast<uint32_t>(c)).snap;
            if (render(s, format::json) != render(s, format::json_tree)) {
                std::fprintf(stderr, "bench_render: render_json differs from the former writer at %lld channels\n",
                             static_cast<long long>(c));
                return 1;
            }
        }
        register_all();
        reporter rep;
        benchmark::RunSpecifiedBenchmarks(&rep);
        const int missed = print_summary(rep);
        benchmark::Shutdown();
        if (rep.errors() > 0) {
            std::fprintf(stderr, "bench_render: %d benchmark(s) reported an error\n", rep.errors());
            return 1;
        }
        if (g_cfg.check && missed > 0) {
            std::fprintf(stderr, "bench_render: %d target(s) missed\n", missed);
            return 1;
        }
    } catch (const std::exception& ex) {
        std::fprintf(stderr, "bench_render: %s\n", ex.what());
        return 1;
    }
    return 0;
}

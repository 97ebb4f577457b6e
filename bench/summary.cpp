// SPDX-License-Identifier: MIT
// The final table of ratios printed after the Google Benchmark run.
#include "summary.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace bench {

namespace {

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double to_ns(double v, benchmark::TimeUnit unit) { return v * 1e9 / benchmark::GetTimeUnitMultiplier(unit); }

std::string key_of(const benchmark::BenchmarkReporter::Run& r) {
    std::string k = r.run_name.function_name;
    if (!r.run_name.args.empty()) k += "/" + r.run_name.args;
    return k;
}

std::string json_escape(const std::string& s) {
    std::string o;
    for (char c : s) {
        if (c == '"' || c == '\\') o += '\\';
        if (static_cast<unsigned char>(c) < 0x20) continue;
        o += c;
    }
    return o;
}

} // namespace

double summary_reporter::figure::cpu() const { return med_cpu_ns ? *med_cpu_ns : median(cpu_ns); }
double summary_reporter::figure::real() const { return med_real_ns ? *med_real_ns : median(real_ns); }
double summary_reporter::figure::items() const {
    return med_items_per_s ? *med_items_per_s : median(items_per_s);
}

void summary_reporter::ReportRuns(const std::vector<Run>& runs) {
    for (const Run& r : runs) {
        if (r.error_occurred) {
            ++errors_;
            continue;
        }
        figure& f = figs_[key_of(r)];
        auto ips = r.counters.find("items_per_second");
        if (r.run_type == Run::RT_Aggregate) {
            if (r.aggregate_name != "median") continue;
            f.med_cpu_ns = to_ns(r.GetAdjustedCPUTime(), r.time_unit);
            f.med_real_ns = to_ns(r.GetAdjustedRealTime(), r.time_unit);
            if (ips != r.counters.end()) f.med_items_per_s = ips->second.value;
        } else {
            f.cpu_ns.push_back(to_ns(r.GetAdjustedCPUTime(), r.time_unit));
            f.real_ns.push_back(to_ns(r.GetAdjustedRealTime(), r.time_unit));
            // Counters reach the reporter already finished: items_per_second is a rate.
            if (ips != r.counters.end()) f.items_per_s.push_back(ips->second.value);
        }
    }
    ConsoleReporter::ReportRuns(runs);
}

summary_reporter::line summary_reporter::mk(std::string group, std::string label, std::string unit,
                                           double value) {
    line l;
    l.group = std::move(group);
    l.label = std::move(label);
    l.unit = std::move(unit);
    l.value = value;
    return l;
}

const summary_reporter::figure* summary_reporter::find(const std::string& key) const {
    auto it = figs_.find(key);
    return it == figs_.end() ? nullptr : &it->second;
}

void summary_reporter::print_summary(std::ostream& out) {
    lines_.clear();
    auto cpu = [&](const std::string& k) -> std::optional<double> {
        const figure* f = find(k);
        if (f == nullptr) return std::nullopt;
        return f->cpu();
    };
    auto real = [&](const std::string& k) -> std::optional<double> {
        const figure* f = find(k);
        if (f == nullptr) return std::nullopt;
        return f->real();
    };
    auto rate = [&](const std::string& k) -> std::optional<double> {
        const figure* f = find(k);
        if (f == nullptr) return std::nullopt;
        return f->items();
    };
    auto emit = [&](line l) {
        std::string ratio;
        if (l.ratio) ratio = fmt::format("{} = {:.2f}", l.ratio_label, *l.ratio);
        if (!l.target.empty())
            ratio += fmt::format("  (target {}: {})", l.target, l.met && *l.met ? "met" : "MISSED");
        if (!l.note.empty()) ratio += "  " + l.note;
        out << fmt::format("  {:<62} {:>12.2f} {:<5} {}\n", l.label, l.value, l.unit, ratio);
        lines_.push_back(std::move(l));
    };
    auto heading = [&](const std::string& h) { out << "\n" << h << "\n"; };

    out << "\n=== libcounters benchmark summary"
           " (medians of the repetitions; single-process rows use CPU time per event) ===\n";

    // One event, single process.
    heading("One event, one process: ours against the floor (same run, same kind of mapping)");
    const auto enq = cpu("enqueue/ours");
    const auto enq_floor = cpu("enqueue/floor_atomic_adds");
    const auto lossy = cpu("enqueue/floor_plain_stores_lossy");
    if (enq) emit(mk("event", "enqueue: ours, public API (9 atomic adds)", "ns", *enq));
    if (enq_floor) {
        line l = mk("event", "enqueue: floor, 9 relaxed atomic adds on a plain MAP_SHARED map", "ns", *enq_floor);
        if (enq) {
            l.ratio_label = "ours/floor";
            l.ratio = *enq / *enq_floor;
            l.target = "<= 1.5";
            l.met = *l.ratio <= 1.5;
        }
        emit(l);
    }
    if (lossy) {
        line l = mk("event", "enqueue: 9 plain load+store, lossy (reference only)", "ns", *lossy);
        if (enq) {
            l.ratio_label = "ours/lossy";
            l.ratio = *enq / *lossy;
        }
        emit(l);
    }
    struct deq_row {
        const char* ours;
        const char* floor;
        const char* label;
        const char* floor_label;
    };
    const deq_row deqs[] = {
        {"dequeue/ours", "dequeue/floor_atomic_adds", "dequeue: ours (8 atomic RMW; Stored stays above its minimum)",
         "dequeue: floor, 8 relaxed atomic adds"},
        {"dequeue/ours_first_attempt", "dequeue/floor_atomic_adds_first_attempt",
         "dequeue, first attempt: ours (11 atomic RMW)", "dequeue, first attempt: floor, 11 atomic adds"},
        {"dequeue/ours_new_minimum", "dequeue/floor_atomic_adds",
         "dequeue: ours, each subtract a new minimum (+3 CAS, worst case)", nullptr},
    };
    for (const auto& d : deqs) {
        const auto o = cpu(d.ours);
        const auto f = cpu(d.floor);
        if (o) {
            line l = mk("event", d.label, "ns", *o);
            if (f) {
                l.ratio_label = "ours/floor";
                l.ratio = *o / *f;
            }
            emit(l);
        }
        if (f && d.floor_label) emit(mk("event", d.floor_label, "ns", *f));
    }

    heading("Alternatives, one enqueue event (9 counter updates) each, one process");
    struct alt_row {
        const char* key;
        const char* label;
        bool target;
    };
    const alt_row alts[] = {
        {"enqueue/alt_boost_mutex", "Boost interprocess_mutex around 9 plain adds", false},
        {"enqueue/alt_locked_file", "locked file: flock, pread, add, pwrite, unlock (fd kept open)", true},
        {"enqueue/alt_locked_file_reopen", "locked file as sendmail: open, flock, read, add, write, close", true},
        {"enqueue/alt_udp_statsd", "statsd: one 9-metric UDP datagram to loopback", true},
        {"enqueue/alt_maillog_line", "mail.log: one formatted E line, written and flushed", false},
    };
    for (const auto& a : alts) {
        const auto v = cpu(a.key);
        if (!v) continue;
        line l = mk("alternative", a.label, "ns", *v);
        if (enq) {
            l.ratio_label = "alt/ours";
            l.ratio = *v / *enq;
            if (a.target) {
                l.target = ">= 100";
                l.met = *l.ratio >= 100;
            }
        }
        emit(l);
    }

    heading("Channel-handle resolution and snapshot at N channels (CPU time; wall time beside it)");
    struct res_row {
        const char* key;
        const char* label;
        const char* unit;
        double scale;
    };
    const res_row res[] = {
        {"resolve/register_new/", "register a new name (first use), {} channels exist", "us", 1e3},
        {"resolve/lookup_fresh_attach/", "first get() in a new attachment, last of {} names", "us", 1e3},
        {"resolve/lookup_cached/", "get() of a name already resolved here, {} channels", "ns", 1},
        {"snapshot/", "snapshot (read_snapshot) of {} channels", "ms", 1e6},
    };
    for (const char* n : {"10", "512", "10000"}) {
        for (const auto& r : res) {
            const std::string key = r.key + std::string(n);
            const auto c = cpu(key);
            const auto w = real(key);
            if (!c || !w) continue;
            line l = mk(r.key[0] == 's' ? "snapshot" : "resolve", fmt::format(r.label, n), r.unit, *c / r.scale);
            l.note = fmt::format("wall {:.3f} {}", *w / r.scale, r.unit);
            if (key == "snapshot/10000") {
                l.target = "< 5 ms";
                l.met = l.value < 5;
            }
            emit(l);
        }
    }

    heading("Several processes on 2 CPUs: aggregate events per second (wall time), and ratio to one process");
    const char* kinds[][2] = {{"enqueue_ours", "enqueue, ours"},
                              {"dequeue_ours", "dequeue, ours"},
                              {"enqueue_floor", "enqueue, floor (9 atomic adds)"}};
    for (const char* where : {"same_channel", "separate_channels"}) {
        for (const auto& k : kinds) {
            const std::string base = fmt::format("mp/{}/{}/procs:", k[0], where);
            const auto one = rate(base + "1");
            for (const char* p : {"1", "2", "4"}) {
                const auto v = rate(base + p);
                if (!v) continue;
                line l = mk("multiprocess",
                       fmt::format("{}, {}, {} process{}", k[1], where[0] == 's' && where[1] == 'a' ? "one channel" : "separate channels",
                                   p, p[0] == '1' ? "" : "es"),
                       "Mev/s", *v / 1e6);
                if (one && *one > 0) {
                    l.ratio_label = "vs 1 process";
                    l.ratio = *v / *one;
                }
                if (std::string(k[0]) == "enqueue_ours") {
                    const auto fl = rate(fmt::format("mp/enqueue_floor/{}/procs:{}", where, p));
                    if (fl && *fl > 0) l.note = fmt::format("floor/ours = {:.2f}", *fl / *v);
                }
                emit(l);
            }
        }
    }
    out << std::flush;
}

void summary_reporter::write_json(const std::string& path) const {
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (f == nullptr) throw std::runtime_error("cannot write " + path);
    std::string s = "{\n  \"format_version\": 1,\n  \"rows\": [\n";
    for (std::size_t i = 0; i < lines_.size(); ++i) {
        const line& l = lines_[i];
        s += fmt::format("    {{\"group\": \"{}\", \"label\": \"{}\", \"value\": {:.6g}, \"unit\": \"{}\"",
                         json_escape(l.group), json_escape(l.label), l.value, json_escape(l.unit));
        if (l.ratio)
            s += fmt::format(", \"ratio_label\": \"{}\", \"ratio\": {:.6g}", json_escape(l.ratio_label), *l.ratio);
        if (!l.target.empty())
            s += fmt::format(", \"target\": \"{}\", \"met\": {}", json_escape(l.target), l.met && *l.met);
        if (!l.note.empty()) s += fmt::format(", \"note\": \"{}\"", json_escape(l.note));
        s += i + 1 < lines_.size() ? "},\n" : "}\n";
    }
    s += "  ]\n}\n";
    const bool ok = std::fwrite(s.data(), 1, s.size(), f) == s.size();
    if (std::fclose(f) != 0 || !ok) throw std::runtime_error("cannot write " + path);
}

} // namespace bench

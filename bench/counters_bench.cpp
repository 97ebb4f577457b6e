// SPDX-License-Identifier: MIT
// counters_bench: the cost of recording a queue event through libcounters, beside the floor
// (the same number of relaxed atomic additions on a plain shared mapping) and the mechanisms
// an MTA could use instead (a process-shared mutex, a sendmail-style locked file, a
// statsd-style UDP datagram, a mail.log line), plus channel resolution, snapshots and
// several processes at once. Prints Google Benchmark's table, then a table of ratios
// (see summary.cpp). Everything it creates in /dev/shm and /tmp is removed at exit.
//
// Own flags (besides Google Benchmark's --benchmark_*):
//   --smoke              small sizes and a short minimum time (the ctest smoke test)
//   --summary_out=FILE   also write the summary table as JSON
#include "summary.hpp"
#include "support.hpp"

#include <counters/counters.hpp>

#include <benchmark/benchmark.h>
#include <boost/interprocess/sync/interprocess_mutex.hpp>
#include <boost/interprocess/sync/scoped_lock.hpp>
#include <fmt/format.h>

#include <arpa/inet.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <iostream>
#include <map>
#include <memory>
#include <netinet/in.h>
#include <new>
#include <sched.h>
#include <stdexcept>
#include <string>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

using counters::counter;
using counters::row;
using std::int64_t;
using std::uint64_t;
namespace bip = boost::interprocess;
constexpr auto relaxed = std::memory_order_relaxed;

struct config {
    bool smoke = false;
    std::vector<int64_t> channel_counts{10, 512, 10000, 65536};
    std::vector<int64_t> procs{1, 2, 4};
    int64_t mp_events = 2000000;   // events per process per round
    int64_t mp_rounds = 3;         // rounds (benchmark iterations) per repetition
    int64_t fresh_attach_rounds = 100;
};
config g_cfg;

// The event recorded everywhere: 3 recipients, 20,000 bytes (20 blocks of 1024).
constexpr uint64_t event_recipients = 3;
constexpr uint64_t event_bytes = 20000;
constexpr int max_procs = 8;

constexpr std::size_t col(row r) { return counters::index(counters::first_counter(r)); }
constexpr std::size_t idx(counter c) { return counters::index(c); }

/// Start barrier and end times of the multi-process rounds (in the plain mapping).
struct alignas(64) mp_control {
    std::atomic<int> ready;
    std::atomic<int> go;
    alignas(64) std::atomic<int64_t> end_ns[max_procs];
};

/// What the Boost interprocess_mutex alternative protects (in the plain mapping).
struct alignas(64) mutex_block {
    bip::interprocess_mutex mu;
    int64_t src[counters::counter_count];
    int64_t dst[counters::counter_count];
};

/// The plain mapping: floor slots (two for the single-process runs, two per process for the
/// multi-process runs), the mutex block and the barrier.
struct plain_layout {
    bench::plain_slot src[max_procs];
    bench::plain_slot dst[max_procs];
    bench::plain_slot lossy_src;
    bench::plain_slot lossy_dst;
    mutex_block mx;
    mp_control ctl;
};

/// One section and one plain mapping shared by the event benchmarks, created on first use.
struct event_env {
    std::string name = bench::unique_section("events");
    counters::section sec{name};
    counters::channel src = sec.get("tcp_local");
    counters::channel dst = sec.get("tcp_intranet");
    counters::channel deq = sec.get("ims-ms");          // Stored kept high: no new minimum
    counters::channel deq_low = sec.get("conversion");  // Stored at 0: every dequeue a new low
    counters::channel mp_src[max_procs];
    counters::channel mp_dst[max_procs];
    bench::plain_mapping plain{"plain", sizeof(plain_layout)};
    plain_layout* p = nullptr;

    event_env() {
        std::map<std::string, counters::stored_values> high;
        const counters::stored_values lots{int64_t{1} << 50, int64_t{1} << 50, int64_t{1} << 50};
        high["ims-ms"] = lots;
        for (int i = 0; i < max_procs; ++i) {
            mp_src[i] = sec.get(fmt::format("mp_src{}", i));
            mp_dst[i] = sec.get(fmt::format("mp_dst{}", i));
            high[fmt::format("mp_dst{}", i)] = lots;
        }
        counters::reset_stored(name, high); // the queues hold messages: dequeues stay above the minimum
        p = new (plain.data()) plain_layout(); // constructs the process-shared mutex
    }
    ~event_env() {
        p->~plain_layout();
        bench::delete_section(name);
    }
};

event_env& env() {
    static event_env e;
    return e;
}

// ---------------------------------------------------------------------------------------
// One enqueue event: Submitted x3 on the source, Received x3 and Stored x3 on the destination.

void BM_enqueue_ours(benchmark::State& st) {
    event_env& e = env();
    uint64_t r = event_recipients, b = event_bytes;
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(b);
    for (auto _ : st) counters::enqueued(e.src, e.dst, r, b);
    st.counters["atomic_rmw"] = 9;
}

inline int64_t blocks_of(uint64_t bytes) { return bytes == 0 ? 0 : static_cast<int64_t>((bytes - 1) / 1024 + 1); }

void BM_enqueue_floor(benchmark::State& st) {
    event_env& e = env();
    bench::plain_slot& f = e.p->src[0];
    bench::plain_slot& t = e.p->dst[0];
    int64_t r = event_recipients, bl = blocks_of(event_bytes);
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(bl);
    for (auto _ : st) {
        f.value[col(row::submitted)].fetch_add(1, relaxed);
        f.value[col(row::submitted) + 1].fetch_add(r, relaxed);
        f.value[col(row::submitted) + 2].fetch_add(bl, relaxed);
        t.value[col(row::received)].fetch_add(1, relaxed);
        t.value[col(row::received) + 1].fetch_add(r, relaxed);
        t.value[col(row::received) + 2].fetch_add(bl, relaxed);
        t.value[col(row::stored)].fetch_add(1, relaxed);
        t.value[col(row::stored) + 1].fetch_add(r, relaxed);
        t.value[col(row::stored) + 2].fetch_add(bl, relaxed);
    }
    st.counters["atomic_rmw"] = 9;
}

// Plain loads and stores (what a non-atomic `counter += n` compiles to): loses updates
// when two processes write at once. Relaxed load + store keeps the compiler from merging
// iterations, exactly as volatile would.
inline void lossy_add(std::atomic<int64_t>& a, int64_t v) { a.store(a.load(relaxed) + v, relaxed); }

void BM_enqueue_plain_stores(benchmark::State& st) {
    event_env& e = env();
    bench::plain_slot& f = e.p->lossy_src;
    bench::plain_slot& t = e.p->lossy_dst;
    int64_t r = event_recipients, bl = blocks_of(event_bytes);
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(bl);
    for (auto _ : st) {
        lossy_add(f.value[col(row::submitted)], 1);
        lossy_add(f.value[col(row::submitted) + 1], r);
        lossy_add(f.value[col(row::submitted) + 2], bl);
        lossy_add(t.value[col(row::received)], 1);
        lossy_add(t.value[col(row::received) + 1], r);
        lossy_add(t.value[col(row::received) + 2], bl);
        lossy_add(t.value[col(row::stored)], 1);
        lossy_add(t.value[col(row::stored) + 1], r);
        lossy_add(t.value[col(row::stored) + 2], bl);
    }
    st.counters["atomic_rmw"] = 0;
}

template <typename Slot>
inline void add_enqueue(Slot& src, Slot& dst, int64_t r, int64_t bl) {
    src[col(row::submitted)] += 1;
    src[col(row::submitted) + 1] += r;
    src[col(row::submitted) + 2] += bl;
    dst[col(row::received)] += 1;
    dst[col(row::received) + 1] += r;
    dst[col(row::received) + 2] += bl;
    dst[col(row::stored)] += 1;
    dst[col(row::stored) + 1] += r;
    dst[col(row::stored) + 2] += bl;
}

void BM_enqueue_mutex(benchmark::State& st) {
    mutex_block& m = env().p->mx;
    int64_t r = event_recipients, bl = blocks_of(event_bytes);
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(bl);
    for (auto _ : st) {
        bip::scoped_lock<bip::interprocess_mutex> lock(m.mu);
        add_enqueue(m.src, m.dst, r, bl);
    }
}

/// The statistics file of the locked-file alternative: both channels' counters.
struct file_stats {
    int64_t src[counters::counter_count];
    int64_t dst[counters::counter_count];
};

std::string stats_file() {
    static const std::string path = [] {
        std::string p = bench::temp_dir() + "/statistics";
        bench::remove_at_exit(p);
        const int fd = ::open(p.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
        if (fd < 0) throw std::runtime_error("cannot create " + p);
        file_stats zero{};
        if (::pwrite(fd, &zero, sizeof zero, 0) != static_cast<ssize_t>(sizeof zero))
            throw std::runtime_error("cannot write " + p);
        ::close(fd);
        return p;
    }();
    return path;
}

inline bool locked_file_update(int fd, int64_t r, int64_t bl) {
    if (::flock(fd, LOCK_EX) != 0) return false;
    file_stats s;
    bool ok = ::pread(fd, &s, sizeof s, 0) == static_cast<ssize_t>(sizeof s);
    if (ok) {
        add_enqueue(s.src, s.dst, r, bl);
        ok = ::pwrite(fd, &s, sizeof s, 0) == static_cast<ssize_t>(sizeof s);
    }
    ::flock(fd, LOCK_UN);
    return ok;
}

// The file stays open: the cheapest form of the locked-file scheme.
void BM_enqueue_locked_file(benchmark::State& st) {
    const int fd = ::open(stats_file().c_str(), O_RDWR);
    if (fd < 0) {
        st.SkipWithError("cannot open the statistics file");
        return;
    }
    int64_t r = event_recipients, bl = blocks_of(event_bytes);
    for (auto _ : st)
        if (!locked_file_update(fd, r, bl)) st.SkipWithError("locked-file update failed");
    ::close(fd);
}

// What sendmail's poststats() does per message: open, lock, read, add, write, close.
void BM_enqueue_locked_file_reopen(benchmark::State& st) {
    const std::string path = stats_file();
    int64_t r = event_recipients, bl = blocks_of(event_bytes);
    for (auto _ : st) {
        const int fd = ::open(path.c_str(), O_RDWR);
        if (fd < 0 || !locked_file_update(fd, r, bl)) st.SkipWithError("locked-file update failed");
        ::close(fd);
    }
}

// statsd: one datagram carrying the event's nine counter increments, formatted per event,
// sent to a bound loopback socket. The receiver is drained outside the timed region.
void BM_enqueue_udp(benchmark::State& st) {
    const int rx = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    const int tx = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (rx < 0 || tx < 0 || ::bind(rx, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(rx, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        st.SkipWithError("cannot set up loopback UDP sockets");
        if (rx >= 0) ::close(rx);
        if (tx >= 0) ::close(tx);
        return;
    }
    const uint64_t r = event_recipients;
    const int64_t bl = blocks_of(event_bytes);
    char buf[1024];
    uint64_t n = 0;
    for (auto _ : st) {
        auto end = fmt::format_to_n(buf, sizeof buf,
            "mta.{0}.submitted.messages:1|c\nmta.{0}.submitted.recipients:{2}|c\n"
            "mta.{0}.submitted.blocks:{3}|c\nmta.{1}.received.messages:1|c\n"
            "mta.{1}.received.recipients:{2}|c\nmta.{1}.received.blocks:{3}|c\n"
            "mta.{1}.stored.messages:+1|g\nmta.{1}.stored.recipients:+{2}|g\n"
            "mta.{1}.stored.blocks:+{3}|g",
            "tcp_local", "tcp_intranet", r, bl);
        if (::sendto(tx, buf, end.size, 0, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
            st.SkipWithError("sendto failed");
        if (++n % 128 == 0) {
            st.PauseTiming();
            char sink[2048];
            while (::recv(rx, sink, sizeof sink, 0) > 0) {
            }
            st.ResumeTiming();
        }
    }
    ::close(rx);
    ::close(tx);
}

// mail.log: one formatted E line per event, written and flushed (write(2) per event).
void BM_enqueue_maillog(benchmark::State& st) {
    const std::string path = bench::temp_dir() + "/mail.log_current";
    bench::remove_at_exit(path);
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (f == nullptr) {
        st.SkipWithError("cannot create mail.log");
        return;
    }
    static const char* const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const int64_t bl = blocks_of(event_bytes);
    char buf[512];
    uint64_t n = 0;
    for (auto _ : st) {
        timespec ts{};
        ::clock_gettime(CLOCK_REALTIME, &ts);
        std::tm tm{};
        ::localtime_r(&ts.tv_sec, &tm);
        auto end = fmt::format_to_n(buf, sizeof buf,
            "{:02}-{}-{:04} {:02}:{:02}:{:02}.{:02} {} {} E {} {} sender@example.com "
            "rfc822;user{}@example.org user{}@example.org <{}.{}@mta.example.com>\n",
            tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
            ts.tv_nsec / 10000000, "tcp_local", "tcp_intranet", bl, event_recipients, n % 1000,
            n % 1000, ts.tv_sec, n);
        std::fwrite(buf, 1, end.size, f);
        std::fflush(f);
        if (++n % 65536 == 0) { // keep the file small
            st.PauseTiming();
            if (::ftruncate(::fileno(f), 0) != 0) st.SkipWithError("ftruncate failed");
            std::rewind(f);
            st.ResumeTiming();
        }
    }
    std::fclose(f);
}

// ---------------------------------------------------------------------------------------
// One dequeue event: Delivered x3, Stored x3 (subtract with minimum tracking), queue time and
// count; on a first attempt also delivered-first, queue-first time and count.

void BM_dequeue_ours(benchmark::State& st, bool first, bool new_low) {
    event_env& e = env();
    const counters::channel& ch = new_low ? e.deq_low : e.deq;
    uint64_t r = event_recipients, b = event_bytes;
    int64_t t = 42;
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(b);
    benchmark::DoNotOptimize(t);
    for (auto _ : st) counters::dequeued(ch, r, b, t, first);
    st.counters["atomic_rmw"] = first ? 11 : 8;
}

void BM_dequeue_floor(benchmark::State& st, bool first) {
    bench::plain_slot& s = env().p->dst[1];
    int64_t r = event_recipients, bl = blocks_of(event_bytes), t = 42;
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(bl);
    benchmark::DoNotOptimize(t);
    benchmark::DoNotOptimize(first);
    for (auto _ : st) {
        s.value[col(row::delivered)].fetch_add(1, relaxed);
        s.value[col(row::delivered) + 1].fetch_add(r, relaxed);
        s.value[col(row::delivered) + 2].fetch_add(bl, relaxed);
        s.value[col(row::stored)].fetch_sub(1, relaxed);
        s.value[col(row::stored) + 1].fetch_sub(r, relaxed);
        s.value[col(row::stored) + 2].fetch_sub(bl, relaxed);
        s.value[idx(counter::queue_time)].fetch_add(t, relaxed);
        s.value[idx(counter::queue_count)].fetch_add(1, relaxed);
        if (first) {
            s.value[idx(counter::delivered_first_messages)].fetch_add(1, relaxed);
            s.value[idx(counter::queue_first_time)].fetch_add(t, relaxed);
            s.value[idx(counter::queue_first_count)].fetch_add(1, relaxed);
        }
    }
    st.counters["atomic_rmw"] = first ? 11 : 8;
}

// ---------------------------------------------------------------------------------------
// Channel-handle resolution and snapshots at N channels.

/// A section holding exactly N channels (a few events each), one per N, kept for the run.
struct filled {
    std::string name;
    std::unique_ptr<counters::section> sec;
};

/// Creates section @p name; with @p linear, turns it into a format 1.0 section (no name
/// index, so every lookup and registration scans the channel table: the mechanism before
/// format 1.1) before anyone attaches.
void create_for_resolve(const std::string& name, const counters::create_options& o, bool linear) {
    counters::create_section(name, o);
    if (linear) bench::strip_name_index(name);
}

filled& filled_section(uint32_t n, bool linear) {
    static std::map<std::pair<uint32_t, bool>, filled> cache;
    auto it = cache.find({n, linear});
    if (it != cache.end()) return it->second;
    filled f;
    f.name = bench::unique_section(fmt::format("filled{}{}", n, linear ? "l" : ""));
    counters::create_options o;
    o.max_channels = n;
    create_for_resolve(f.name, o, linear);
    f.sec = std::make_unique<counters::section>(f.name, o);
    bench::fill_section(*f.sec, n, 3);
    return cache.emplace(std::make_pair(n, linear), std::move(f)).first->second;
}

/// Registration of a new name when N channels exist. Each section of a pool is filled with
/// N channels and then takes at most max(1, N/100) new names, so N grows by 1% at most.
void BM_register_new(benchmark::State& st, bool linear) {
    const auto n = static_cast<uint32_t>(st.range(0));
    const uint32_t per = n / 100 > 0 ? n / 100 : 1;
    const auto total = static_cast<uint32_t>(st.max_iterations);
    const uint32_t sections = (total + per - 1) / per;
    std::vector<std::string> names;
    std::vector<std::unique_ptr<counters::section>> pool;
    counters::create_options o;
    // At the largest table the filled part leaves room for the new names.
    const uint32_t filled_n = std::min(n, counters::max_max_channels - per);
    o.max_channels = filled_n + per;
    for (uint32_t k = 0; k < sections; ++k) {
        names.push_back(bench::unique_section(fmt::format("reg{}{}", n, linear ? "l" : "")));
        create_for_resolve(names.back(), o, linear);
        pool.push_back(std::make_unique<counters::section>(names.back(), o));
        bench::fill_section(*pool.back(), filled_n, 1);
    }
    std::vector<std::string> fresh;
    for (uint32_t i = 0; i < total; ++i) fresh.push_back(fmt::format("new{:05}", i));
    uint32_t i = 0;
    for (auto _ : st) {
        counters::channel c = pool[i / per]->get(fresh[i]);
        benchmark::DoNotOptimize(c);
        ++i;
    }
    pool.clear();
    for (const auto& nm : names) bench::delete_section(nm);
    st.counters["channels"] = filled_n;
}

/// get() of a name this section object has already resolved (a hash lookup).
void BM_lookup_cached(benchmark::State& st) {
    const auto n = static_cast<uint32_t>(st.range(0));
    filled& f = filled_section(n, false);
    const std::string last = bench::fill_name(n - 1);
    for (auto _ : st) {
        counters::channel c = f.sec->get(last);
        benchmark::DoNotOptimize(c);
    }
    st.counters["channels"] = n;
}

/// The first get() of an existing name in a newly attached section object (what a process
/// that starts does): the name registered last, so the scan is the longest (worst case).
/// Attaching and detaching are not timed.
void BM_lookup_fresh_attach(benchmark::State& st, bool linear) {
    const auto n = static_cast<uint32_t>(st.range(0));
    filled& f = filled_section(n, linear);
    const std::string last = bench::fill_name(n - 1);
    for (auto _ : st) {
        st.PauseTiming();
        auto s = std::make_unique<counters::section>(f.name);
        st.ResumeTiming();
        counters::channel c = s->get(last);
        benchmark::DoNotOptimize(c);
        st.PauseTiming();
        s.reset();
        st.ResumeTiming();
    }
    st.counters["channels"] = n;
}

/// read_snapshot(): open, map read-only, validate, copy every channel, unmap: what
/// `counters -show` does before it formats anything.
void BM_snapshot(benchmark::State& st) {
    const auto n = static_cast<uint32_t>(st.range(0));
    filled& f = filled_section(n, false);
    for (auto _ : st) {
        counters::snapshot s = counters::read_snapshot(f.name);
        benchmark::DoNotOptimize(s.channels.data());
        if (s.channels.size() != n) st.SkipWithError("wrong channel count");
    }
    st.counters["channels"] = n;
}

// ---------------------------------------------------------------------------------------
// Several processes at once: P children each record mp_events events after a start barrier;
// the parent times from the start signal to the last child's end.

enum class mp_kind { enqueue_ours, dequeue_ours, enqueue_floor };

void mp_child_work(mp_kind kind, int i, bool same, int64_t events) {
    event_env& e = env();
    const int k = same ? 0 : i;
    uint64_t r = event_recipients, b = event_bytes;
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(b);
    switch (kind) {
    case mp_kind::enqueue_ours:
        for (int64_t n = 0; n < events; ++n) counters::enqueued(e.mp_src[k], e.mp_dst[k], r, b);
        break;
    case mp_kind::dequeue_ours:
        for (int64_t n = 0; n < events; ++n) counters::dequeued(e.mp_dst[k], r, b, 42, false);
        break;
    case mp_kind::enqueue_floor: {
        bench::plain_slot& f = e.p->src[k];
        bench::plain_slot& t = e.p->dst[k];
        const auto ri = static_cast<int64_t>(r);
        const int64_t bl = blocks_of(b);
        for (int64_t n = 0; n < events; ++n) {
            f.value[col(row::submitted)].fetch_add(1, relaxed);
            f.value[col(row::submitted) + 1].fetch_add(ri, relaxed);
            f.value[col(row::submitted) + 2].fetch_add(bl, relaxed);
            t.value[col(row::received)].fetch_add(1, relaxed);
            t.value[col(row::received) + 1].fetch_add(ri, relaxed);
            t.value[col(row::received) + 2].fetch_add(bl, relaxed);
            t.value[col(row::stored)].fetch_add(1, relaxed);
            t.value[col(row::stored) + 1].fetch_add(ri, relaxed);
            t.value[col(row::stored) + 2].fetch_add(bl, relaxed);
        }
        break;
    }
    }
}

void BM_multiprocess(benchmark::State& st, mp_kind kind, bool same) {
    const auto procs = static_cast<int>(st.range(0));
    const int64_t events = g_cfg.mp_events;
    event_env& e = env();
    mp_control& ctl = e.p->ctl;
    for (auto _ : st) {
        ctl.ready.store(0);
        ctl.go.store(0);
        std::vector<pid_t> kids;
        for (int i = 0; i < procs; ++i) {
            const pid_t pid = ::fork();
            if (pid == 0) {
                ctl.ready.fetch_add(1);
                while (ctl.go.load(std::memory_order_acquire) == 0) ::sched_yield();
                mp_child_work(kind, i, same, events);
                ctl.end_ns[i].store(bench::now_ns());
                ::_exit(0);
            }
            if (pid < 0) {
                st.SkipWithError("fork failed");
                break;
            }
            kids.push_back(pid);
        }
        while (ctl.ready.load() < static_cast<int>(kids.size())) ::sched_yield();
        const int64_t start = bench::now_ns();
        ctl.go.store(1, std::memory_order_release);
        int64_t end = start;
        bool ok = true;
        for (std::size_t i = 0; i < kids.size(); ++i) {
            int status = 0;
            ::waitpid(kids[i], &status, 0);
            ok = ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
            end = std::max(end, ctl.end_ns[i].load());
        }
        if (!ok || static_cast<int>(kids.size()) != procs) st.SkipWithError("a child failed");
        st.SetIterationTime(static_cast<double>(end - start) * 1e-9);
    }
    st.SetItemsProcessed(st.iterations() * procs * events);
    st.counters["procs"] = procs;
}

// ---------------------------------------------------------------------------------------

void register_all() {
    using benchmark::RegisterBenchmark;
    using benchmark::kMicrosecond;
    using benchmark::kNanosecond;
    RegisterBenchmark("enqueue/ours", BM_enqueue_ours)->Unit(kNanosecond);
    RegisterBenchmark("enqueue/floor_atomic_adds", BM_enqueue_floor)->Unit(kNanosecond);
    RegisterBenchmark("enqueue/floor_plain_stores_lossy", BM_enqueue_plain_stores)->Unit(kNanosecond);
    RegisterBenchmark("enqueue/alt_boost_mutex", BM_enqueue_mutex)->Unit(kNanosecond);
    RegisterBenchmark("enqueue/alt_locked_file", BM_enqueue_locked_file)->Unit(kNanosecond);
    RegisterBenchmark("enqueue/alt_locked_file_reopen", BM_enqueue_locked_file_reopen)->Unit(kNanosecond);
    RegisterBenchmark("enqueue/alt_udp_statsd", BM_enqueue_udp)->Unit(kNanosecond);
    RegisterBenchmark("enqueue/alt_maillog_line", BM_enqueue_maillog)->Unit(kNanosecond);
    RegisterBenchmark("dequeue/ours", BM_dequeue_ours, false, false)->Unit(kNanosecond);
    RegisterBenchmark("dequeue/floor_atomic_adds", BM_dequeue_floor, false)->Unit(kNanosecond);
    RegisterBenchmark("dequeue/ours_first_attempt", BM_dequeue_ours, true, false)->Unit(kNanosecond);
    RegisterBenchmark("dequeue/floor_atomic_adds_first_attempt", BM_dequeue_floor, true)->Unit(kNanosecond);
    RegisterBenchmark("dequeue/ours_new_minimum", BM_dequeue_ours, false, true)->Unit(kNanosecond);

    for (int64_t n : g_cfg.channel_counts) {
        const int64_t reg_iters = g_cfg.smoke ? 2 : (n <= 10 ? 64 : n <= 512 ? 80 : 100);
        RegisterBenchmark("resolve/register_new", BM_register_new, false)
            ->Arg(n)->Iterations(reg_iters)->Unit(kMicrosecond);
        RegisterBenchmark("resolve/register_new_alt_linear_scan", BM_register_new, true)
            ->Arg(n)->Iterations(reg_iters)->Unit(kMicrosecond);
    }
    for (int64_t n : g_cfg.channel_counts)
        RegisterBenchmark("resolve/lookup_cached", BM_lookup_cached)->Arg(n)->Unit(kNanosecond);
    for (int64_t n : g_cfg.channel_counts)
    {
        RegisterBenchmark("resolve/lookup_fresh_attach", BM_lookup_fresh_attach, false)
            ->Arg(n)->Iterations(g_cfg.fresh_attach_rounds)->Unit(kMicrosecond);
        RegisterBenchmark("resolve/lookup_fresh_attach_alt_linear_scan", BM_lookup_fresh_attach, true)
            ->Arg(n)->Iterations(g_cfg.fresh_attach_rounds)->Unit(kMicrosecond);
    }
    for (int64_t n : g_cfg.channel_counts)
        RegisterBenchmark("snapshot", BM_snapshot)->Arg(n)->Unit(kMicrosecond);

    struct mp_def {
        const char* name;
        mp_kind kind;
        bool same;
    };
    const mp_def defs[] = {
        {"mp/enqueue_ours/same_channel", mp_kind::enqueue_ours, true},
        {"mp/enqueue_ours/separate_channels", mp_kind::enqueue_ours, false},
        {"mp/dequeue_ours/same_channel", mp_kind::dequeue_ours, true},
        {"mp/dequeue_ours/separate_channels", mp_kind::dequeue_ours, false},
        {"mp/enqueue_floor/same_channel", mp_kind::enqueue_floor, true},
        {"mp/enqueue_floor/separate_channels", mp_kind::enqueue_floor, false},
    };
    for (const auto& d : defs) {
        auto* b = RegisterBenchmark(d.name, BM_multiprocess, d.kind, d.same);
        b->ArgName("procs")->UseManualTime()->Iterations(g_cfg.mp_rounds)->Unit(kMicrosecond);
        for (int64_t p : g_cfg.procs) b->Arg(p);
    }
}

} // namespace

int main(int argc, char** argv) {
    bench::install_cleanup();
    std::string summary_out;
    bool has_min_time = false;
    std::vector<char*> args;
    for (int i = 0; i < argc; ++i) {
        const std::string a = argv[i];
        if (i > 0 && a == "--smoke") {
            g_cfg.smoke = true;
        } else if (i > 0 && a.rfind("--summary_out=", 0) == 0) {
            summary_out = a.substr(std::strlen("--summary_out="));
        } else {
            if (a.rfind("--benchmark_min_time", 0) == 0) has_min_time = true;
            args.push_back(argv[i]);
        }
    }
    static char smoke_min_time[] = "--benchmark_min_time=0.001";
    if (g_cfg.smoke) {
        g_cfg.channel_counts = {10, 512};
        g_cfg.procs = {1, 2};
        g_cfg.mp_events = 2000;
        g_cfg.mp_rounds = 1;
        g_cfg.fresh_attach_rounds = 2;
        if (!has_min_time) args.push_back(smoke_min_time);
    }
    int n = static_cast<int>(args.size());
    args.push_back(nullptr);
    benchmark::Initialize(&n, args.data());
    if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 2;
    try {
        register_all();
        bench::summary_reporter reporter;
        benchmark::RunSpecifiedBenchmarks(&reporter);
        reporter.print_summary(std::cout);
        if (!summary_out.empty()) reporter.write_json(summary_out);
        benchmark::Shutdown();
        if (reporter.errors() > 0) {
            std::fprintf(stderr, "counters_bench: %d benchmark(s) reported an error\n", reporter.errors());
            return 1;
        }
    } catch (const std::exception& ex) {
        std::fprintf(stderr, "counters_bench: %s\n", ex.what());
        return 1;
    }
    return 0;
}

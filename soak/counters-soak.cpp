// SPDX-License-Identifier: MIT
// counters-soak: a long-running fault-injection run of libcounters (not a ctest test).
//
// Two sections are used so that exact totals stay checkable while the chaos goes on:
//   <prefix>_a  the "stable" section: never cleared nor deleted. Long-lived writers (never
//               killed) record into their own channel w<i>; at the end its Submitted count
//               must equal, exactly, the number of events the writer says it recorded.
//               Killable writers register new names and open associations here too.
//   <prefix>_b  the "chaos" section: cleared and deleted at random by the parent; every
//               writer records into it as well; only the invariants are checked there.
// The parent SIGKILLs random killable writers (restarting them), clears and deletes _b.
// Readers snapshot both sections in a loop, each read under a watchdog, and check:
//   - a snapshot succeeds, or fails with a clean counters::error (for _b: not found,
//     retired, not ready), and never takes longer than --read-bound-ms;
//   - no channel name appears twice; non-gauge counters are never negative;
//   - in _a, the long-lived writers' figures never go down between two snapshots, and the
//     current inbound associations of channel "assoc" lie between what the live writers
//     can hold open;
// At the end: exact totals in _a, and current associations of dead writers not counted.
// Prints a report and exits 1 on any invariant violation (2 on a bad command line).
#include "section/layout.hpp" // private: claim words (--age-claims), header fields (--rewrite-ms)

#include <counters/counters.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <fcntl.h>
#include <sys/stat.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <map>
#include <new>
#include <random>
#include <set>
#include <string>
#include <sys/mman.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace counters;
using clk = std::chrono::steady_clock;

namespace {

constexpr int max_writers = 64;
constexpr int max_readers = 16;
constexpr int killable_open = 3; // inbound associations a killable writer holds open at most

struct config {
    double seconds = 60;
    int writers = 4;   // the first half (at least one) are long-lived, the others killable
    int readers = 2;
    int kill_ms = 150; // mean interval between kills (0: none)
    int clear_ms = 400;
    int delete_ms = 1500;
    int read_bound_ms = 2000;
    int stop_ms = 0;      // mean interval between SIGSTOPs of a random writer (0: none)
    int stop_len_ms = 5;  // a stopped writer is resumed after 0..stop_len_ms
    bool age_claims = false; // while a writer is stopped, age its claims past the take-over age
    int rewrite_ms = 0;   // mean interval between bursts of header rewrites of _b (0: none)
    std::uint64_t seed = 0;
    std::string prefix;
};

/// Shared between the parent and all children (anonymous shared mapping).
struct shared_area {
    std::atomic<int> stop{0};
    std::atomic<int> readers_stop{0};
    std::atomic<long> violations{0};
    std::atomic<long> snapshots{0};
    std::atomic<long> snapshot_errors{0}; // clean counters::error from the chaos section
    std::atomic<long> max_read_us{0};
    std::atomic<long> attach_retries{0};
    std::atomic<long> registrations{0};
    std::atomic<long> rewrites{0};       // header fields flipped (--rewrite-ms)
    std::atomic<long> rewrite_errors{0}; // clean counters::error from the rewritten section
    std::atomic<int> rewrite_stop{0};
    struct alignas(64) writer_slot {
        std::atomic<long> recorded;  // events recorded into the own channel of _a
        std::atomic<long> finished;  // 1: published its final count
        std::atomic<long> total_all_generations;
    } w[max_writers];
};

shared_area* area = nullptr;
volatile std::sig_atomic_t interrupted = 0;

void on_signal(int) { interrupted = 1; }

void violation(const char* who, const std::string& what) {
    std::fprintf(stderr, "counters-soak: VIOLATION (%s): %s\n", who, what.c_str());
    area->violations.fetch_add(1);
}

void note_latency(clk::duration d) {
    const long us = static_cast<long>(std::chrono::duration_cast<std::chrono::microseconds>(d).count());
    long m = area->max_read_us.load();
    while (us > m && !area->max_read_us.compare_exchange_weak(m, us)) {
    }
}

/// Attaches to @p name; a section left not ready (its creator was killed mid-creation) is
/// retried until a delete replaces it, within @p bound.
section attach(const std::string& name, clk::duration bound, bool corrupt_too = false) {
    const auto deadline = clk::now() + bound;
    for (;;) {
        try {
            return section(name);
        } catch (const error& e) {
            // With --rewrite-ms, a header caught with an absurd field is corrupt for a moment.
            const bool retry = e.code() == errc::not_ready || (corrupt_too && e.code() == errc::corrupt);
            if (!retry || clk::now() > deadline) throw;
            area->attach_retries.fetch_add(1);
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
}

/// Writer body. Long-lived writers count exactly; killable ones register and open
/// associations at random and are SIGKILLed by the parent at random moments.
int writer(const config& cfg, int slot, bool killable, int generation) {
    std::mt19937_64 rng(cfg.seed ^ (std::uint64_t(slot) << 32) ^ std::uint64_t(generation) ^ std::uint64_t(::getpid()));
    const std::string n = std::to_string(slot);
    section a = attach(cfg.prefix + "_a", std::chrono::seconds(5));
    section b = attach(cfg.prefix + "_b", std::chrono::seconds(10), cfg.rewrite_ms > 0);
    channel own_a = a.get("w" + n), shared_a = a.get("shared"), assoc = a.get("assoc");
    channel own_b = b.get("w" + n), shared_b = b.get("shared");
    int open_in = 0;
    std::set<std::string> opened_on;
    if (!killable) association_opened(assoc, direction::inbound); // held open for the whole run
    auto& me = area->w[slot];
    long recorded = killable ? 0 : me.recorded.load();
    for (long k = 0; area->stop.load(std::memory_order_relaxed) == 0; ++k) {
        enqueued(own_a, shared_a, 1 + static_cast<std::uint64_t>(k % 3), 1000);
        ++recorded;
        me.recorded.store(recorded, std::memory_order_relaxed);
        me.total_all_generations.fetch_add(1, std::memory_order_relaxed);
        enqueued(own_b, shared_b, 1, 2048);
        dequeued(shared_b, 1, 2048, k % 60, k % 2 == 0);
        if (k % 4 == 0) dequeued(shared_a, 1, 1000, 1, true);
        if (killable) {
            if (k % 97 == 0) { // registrations and first association events, killed anywhere
                const std::string extra = "k" + n + "_" + std::to_string(rng() % 300);
                channel c = a.get(extra);
                area->registrations.fetch_add(1, std::memory_order_relaxed);
                // Left open, on at most 20 channels: within the 32 per-process gauge entries
                // (beyond them the library falls back to a shared, not crash-safe gauge).
                if (opened_on.size() < 20 || opened_on.count(extra) != 0) {
                    opened_on.insert(extra);
                    association_opened(c, direction::outbound);
                }
                enqueued(c, shared_a, 1, 1);
                try {
                    channel cb = b.get("kb" + n + "_" + std::to_string(rng() % 50));
                    enqueued(cb, shared_b, 1, 1);
                } catch (const error& e) {
                    // Registering in the rewritten section may fail cleanly (never crash).
                    if (cfg.rewrite_ms == 0 || e.code() != errc::corrupt) throw;
                    area->rewrite_errors.fetch_add(1);
                }
            }
            if (k % 13 == 0) {
                if (open_in < killable_open && rng() % 2 == 0) {
                    association_opened(assoc, direction::inbound);
                    ++open_in;
                } else if (open_in > 0) {
                    association_closed(assoc, direction::inbound);
                    --open_in;
                }
            }
        } else if (k % 997 == 0) {
            association_opened(assoc, direction::outbound);
            association_closed(assoc, direction::outbound);
        }
        if (k % 2000 == 1999) std::this_thread::sleep_for(std::chrono::microseconds(300));
    }
    me.finished.store(1);
    return 0;
}

/// Reader body: snapshots both sections until told to stop.
int reader(const config& cfg, int long_lived, int killable) {
    const std::string a = cfg.prefix + "_a", b = cfg.prefix + "_b";
    const auto bound = std::chrono::milliseconds(cfg.read_bound_ms);
    std::map<std::string, std::int64_t> last; // long-lived writers' Submitted, never down
    for (int round = 0; area->readers_stop.load() == 0; ++round) {
        for (const std::string* name : {&a, &b}) {
            const bool chaos = name == &b;
            ::alarm(static_cast<unsigned>(cfg.read_bound_ms / 1000 + 10)); // a hang kills us: reported
            const auto t0 = clk::now();
            snapshot s;
            bool got = false;
            try {
                s = read_snapshot(*name);
                got = true;
            } catch (const error& e) {
                if (chaos && (e.code() == errc::not_found || e.code() == errc::retired ||
                              e.code() == errc::not_ready))
                    area->snapshot_errors.fetch_add(1);
                else if (chaos && cfg.rewrite_ms > 0 && e.code() == errc::corrupt)
                    area->rewrite_errors.fetch_add(1); // read while a field was absurd
                else
                    violation("reader", std::string("snapshot failed: ") + e.what());
            } catch (const std::exception& e) {
                violation("reader", std::string("snapshot threw a non-library error: ") + e.what());
            }
            const auto took = clk::now() - t0;
            ::alarm(0);
            note_latency(took);
            if (took > bound)
                violation("reader", "a snapshot of " + *name + " took " +
                                        std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()) +
                                        " ms");
            if (!got) continue;
            area->snapshots.fetch_add(1);
            std::set<std::string> seen;
            for (const auto& c : s.channels) {
                if (!seen.insert(c.name).second) violation("reader", *name + ": duplicate channel " + c.name);
                for (std::size_t k = 0; k < counter_count; ++k)
                    if (!info(static_cast<counter>(k)).gauge && c.value[k] < 0)
                        violation("reader", *name + ": " + c.name + "." + info(static_cast<counter>(k)).key +
                                                " = " + std::to_string(c.value[k]));
                if (c.current_in < 0 || c.current_out < 0)
                    violation("reader", *name + ": negative current associations in " + c.name);
                if (chaos) continue;
                if (c.name == "assoc") {
                    // Long-lived writers (all started before the readers) hold one each; a
                    // live killable writer at most killable_open.
                    if (c.current_in < long_lived || c.current_in > long_lived + killable * killable_open)
                        violation("reader", "assoc.current_in = " + std::to_string(c.current_in) +
                                                " outside [" + std::to_string(long_lived) + ", " +
                                                std::to_string(long_lived + killable * killable_open) + "]");
                }
                if (c.name.size() > 1 && c.name[0] == 'w' && std::atoi(c.name.c_str() + 1) < long_lived) {
                    const std::int64_t v = c.get(counter::submitted_messages);
                    auto it = last.find(c.name);
                    if (it != last.end() && v < it->second)
                        violation("reader", c.name + ".submitted went down: " + std::to_string(it->second) +
                                                " -> " + std::to_string(v));
                    last[c.name] = v;
                }
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return 0;
}

pid_t spawn(const std::function<int()>& body) {
    const pid_t pid = ::fork();
    if (pid < 0) {
        std::perror("counters-soak: fork");
        std::exit(1);
    }
    if (pid == 0) {
        std::signal(SIGINT, SIG_IGN);
        std::signal(SIGTERM, SIG_DFL);
        int rc = 1;
        try {
            rc = body();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "counters-soak: child %d: %s\n", static_cast<int>(::getpid()), e.what());
        }
        ::_exit(rc);
    }
    return pid;
}

/// Waits for @p pid at most @p bound; returns its wait status or -1 (then kills it).
int reap(pid_t pid, clk::duration bound) {
    const auto deadline = clk::now() + bound;
    for (;;) {
        int st = 0;
        const pid_t r = ::waitpid(pid, &st, WNOHANG);
        if (r == pid) return st;
        if (r < 0 && errno != EINTR) return -1;
        if (clk::now() > deadline) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &st, 0);
            return -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

/// A read-write mapping of a whole segment (the private layout: --age-claims, --rewrite-ms).
struct raw_segment {
    unsigned char* data = nullptr;
    std::size_t size = 0;
    explicit raw_segment(const std::string& name) {
        const int fd = ::shm_open(("/" + name).c_str(), O_RDWR, 0);
        if (fd < 0) return;
        struct stat sb {};
        if (::fstat(fd, &sb) == 0 && static_cast<std::size_t>(sb.st_size) >= sizeof(detail::header)) {
            size = static_cast<std::size_t>(sb.st_size);
            void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
            data = p == MAP_FAILED ? nullptr : static_cast<unsigned char*>(p);
        }
        ::close(fd);
    }
    ~raw_segment() {
        if (data != nullptr) ::munmap(data, size);
    }
    raw_segment(const raw_segment&) = delete;
    raw_segment& operator=(const raw_segment&) = delete;
    detail::header& hdr() const { return *reinterpret_cast<detail::header*>(data); }
};

/// --age-claims: the claims that stopped process @p pid holds in section @p name are made
/// 60 s old, as if it had been frozen longer than the take-over age (30 s): other
/// registrants take them over, and the stopped process resumes later. Returns how many.
long age_claims_of(const std::string& name, pid_t pid) {
    raw_segment m(name);
    if (m.data == nullptr || m.hdr().state.load() != detail::state_ready) return 0;
    const std::uint32_t n = m.hdr().max_channels;
    const std::uint64_t off = m.hdr().channels_offset, stride = m.hdr().slot_size;
    long aged = 0;
    for (std::uint32_t i = 0; i < n && off + (i + 1) * stride <= m.size; ++i) {
        auto& w = reinterpret_cast<detail::channel_slot*>(m.data + off + i * stride)->claim;
        std::uint64_t c = w.load();
        if (c == detail::claim_free) break;
        if (c == detail::claim_ready || static_cast<pid_t>(c >> 32) != pid) continue;
        const auto old = static_cast<std::uint64_t>(std::time(nullptr) - 60) & 0xffffffffu;
        if (w.compare_exchange_strong(c, (c & ~std::uint64_t{0xffffffffu}) | old)) ++aged;
    }
    return aged;
}

/// --rewrite-ms: bursts of live header rewrites of section @p name (issue 10): for about a
/// millisecond, fields flip between their real value and absurd ones, 1..20 us each, then
/// are restored. Runs until told to stop; only rewrites a ready header (a header being
/// written by its creator is left alone, so a restored value is always the real one).
int rewriter(const config& cfg, const std::string& name) {
    using H = detail::header;
    struct field {
        std::size_t offset, width;
        std::uint64_t absurd[3];
    };
    const std::uint64_t huge = std::uint64_t{1} << 40;
    const field fields[] = {
        {offsetof(H, max_channels), 4, {0, 0xffffffffu, 1u << 20}},
        {offsetof(H, channels_offset), 8, {0, 8, huge}},
        {offsetof(H, processes_offset), 8, {0, 64, huge}},
        {offsetof(H, process_slots), 4, {0, 0x7fffffffu, 1u << 16}},
        {offsetof(H, slot_size), 4, {0, 8, 0x7fffffc0u}},
        {offsetof(H, total_size), 8, {0, 256, ~std::uint64_t{0}}},
        {offsetof(H, index_offset), 8, {8, huge, ~std::uint64_t{0} - 63}},
        {offsetof(H, index_buckets), 4, {0, 3, 0x80000000u}},
    };
    constexpr std::size_t nfields = sizeof fields / sizeof fields[0];
    auto load = [](unsigned char* b, const field& f) -> std::uint64_t {
        if (f.width == 4) return __atomic_load_n(reinterpret_cast<std::uint32_t*>(b + f.offset), __ATOMIC_RELAXED);
        return __atomic_load_n(reinterpret_cast<std::uint64_t*>(b + f.offset), __ATOMIC_RELAXED);
    };
    auto store = [](unsigned char* b, const field& f, std::uint64_t v) {
        if (f.width == 4)
            __atomic_store_n(reinterpret_cast<std::uint32_t*>(b + f.offset), static_cast<std::uint32_t>(v), __ATOMIC_RELAXED);
        else
            __atomic_store_n(reinterpret_cast<std::uint64_t*>(b + f.offset), v, __ATOMIC_RELAXED);
    };
    std::mt19937_64 rng(cfg.seed ^ 0x5eed);
    std::exponential_distribution<double> gap(1.0 / cfg.rewrite_ms);
    while (area->rewrite_stop.load() == 0) {
        std::this_thread::sleep_for(std::chrono::microseconds(static_cast<long>(gap(rng) * 1000)));
        raw_segment m(name);
        if (m.data == nullptr || m.hdr().state.load(std::memory_order_acquire) != detail::state_ready) continue;
        std::uint64_t good[nfields];
        for (std::size_t i = 0; i < nfields; ++i) good[i] = load(m.data, fields[i]);
        const auto burst_end = clk::now() + std::chrono::milliseconds(1);
        while (clk::now() < burst_end) {
            const std::size_t i = rng() % nfields;
            store(m.data, fields[i], fields[i].absurd[rng() % 3]);
            const auto until = clk::now() + std::chrono::microseconds(1 + rng() % 20);
            while (clk::now() < until) {
            }
            store(m.data, fields[i], good[i]);
            area->rewrites.fetch_add(1, std::memory_order_relaxed);
        }
    }
    return 0;
}

[[noreturn]] void usage(const char* why) {
    if (why) std::fprintf(stderr, "counters-soak: %s\n", why);
    std::fprintf(stderr,
                 "usage: counters-soak [--seconds N] [--writers W] [--readers R] [--kill-ms MS]\n"
                 "                     [--clear-ms MS] [--delete-ms MS] [--read-bound-ms MS]\n"
                 "                     [--stop-ms MS] [--stop-len-ms MS] [--age-claims 0|1]\n"
                 "                     [--rewrite-ms MS] [--seed N] [--prefix NAME]\n"
                 "  intervals are means of exponential delays; 0 turns the action off\n");
    std::exit(2);
}

config parse(int argc, char** argv) {
    config c;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "-h" || a == "--help") usage(nullptr);
        if (i + 1 >= argc) usage(("missing value after " + a).c_str());
        const std::string v = argv[++i];
        char* end = nullptr;
        errno = 0;
        const double d = std::strtod(v.c_str(), &end);
        const bool num = end != v.c_str() && *end == '\0' && errno == 0 && d >= 0;
        auto need = [&](double lo, double hi) {
            if (!num || d < lo || d > hi) usage(("bad value for " + a + ": " + v).c_str());
        };
        if (a == "--seconds") { need(0.1, 1e7); c.seconds = d; }
        else if (a == "--writers") { need(2, max_writers); c.writers = static_cast<int>(d); }
        else if (a == "--readers") { need(1, max_readers); c.readers = static_cast<int>(d); }
        else if (a == "--kill-ms") { need(0, 1e7); c.kill_ms = static_cast<int>(d); }
        else if (a == "--clear-ms") { need(0, 1e7); c.clear_ms = static_cast<int>(d); }
        else if (a == "--delete-ms") { need(0, 1e7); c.delete_ms = static_cast<int>(d); }
        else if (a == "--read-bound-ms") { need(10, 1e7); c.read_bound_ms = static_cast<int>(d); }
        else if (a == "--stop-ms") { need(0, 1e7); c.stop_ms = static_cast<int>(d); }
        else if (a == "--stop-len-ms") { need(0, 1e5); c.stop_len_ms = static_cast<int>(d); }
        else if (a == "--age-claims") { need(0, 1); c.age_claims = d != 0; }
        else if (a == "--rewrite-ms") { need(0, 1e7); c.rewrite_ms = static_cast<int>(d); }
        else if (a == "--seed") { need(0, 1e18); c.seed = static_cast<std::uint64_t>(d); }
        else if (a == "--prefix") { validate_section_name(v + "_a"); c.prefix = v; }
        else usage(("unknown option " + a).c_str());
    }
    if (c.seed == 0) c.seed = std::random_device{}() | 1u;
    if (c.prefix.empty()) c.prefix = "soak_" + std::to_string(::getpid());
    return c;
}

} // namespace

int main(int argc, char** argv) {
    config cfg;
    try {
        cfg = parse(argc, argv);
    } catch (const error& e) {
        usage(e.what());
    }
    void* mem = ::mmap(nullptr, sizeof(shared_area), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) {
        std::perror("counters-soak: mmap");
        return 1;
    }
    area = new (mem) shared_area;
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);

    const std::string a = cfg.prefix + "_a", b = cfg.prefix + "_b";
    const int long_lived = std::max(1, cfg.writers / 2), killable = cfg.writers - long_lived;
    std::printf("counters-soak: %g s, %d writers (%d long-lived, %d killable), %d readers, seed %llu\n"
                "  kill every ~%d ms, clear every ~%d ms, delete every ~%d ms, read bound %d ms, sections %s %s\n",
                cfg.seconds, cfg.writers, long_lived, killable, cfg.readers,
                static_cast<unsigned long long>(cfg.seed), cfg.kill_ms, cfg.clear_ms, cfg.delete_ms,
                cfg.read_bound_ms, a.c_str(), b.c_str());
    if (cfg.stop_ms > 0)
        std::printf("  stop a writer every ~%d ms for 0..%d ms%s\n", cfg.stop_ms, cfg.stop_len_ms,
                    cfg.age_claims ? " (its claims in _a aged past the 30 s take-over age)" : "");
    if (cfg.rewrite_ms > 0) std::printf("  rewrite the header of %s every ~%d ms\n", b.c_str(), cfg.rewrite_ms);
    std::fflush(stdout);
    int rc = 0;
    long kills = 0, restarts = 0, clears = 0, deletes = 0, admin_errors = 0, writer_failures = 0;
    long max_admin_us = 0;
    try {
        create_options big;
        big.max_channels = 4096;
        create_section(a, big);
        create_section(b, big);
    } catch (const error& e) {
        std::fprintf(stderr, "counters-soak: %s\n", e.what());
        return 1;
    }

    std::vector<pid_t> wpid(static_cast<std::size_t>(cfg.writers), -1);
    std::vector<int> generation(static_cast<std::size_t>(cfg.writers), 0);
    auto start_writer = [&](int i) {
        const bool k = i >= long_lived;
        const int g = generation[static_cast<std::size_t>(i)]++;
        wpid[static_cast<std::size_t>(i)] = spawn([&, i, k, g] { return writer(cfg, i, k, g); });
    };
    for (int i = 0; i < cfg.writers; ++i) start_writer(i);
    // Readers start once the long-lived writers hold their associations open.
    const auto ready_deadline = clk::now() + std::chrono::seconds(10);
    for (bool all = false; !all && clk::now() < ready_deadline;) {
        all = true;
        for (int i = 0; i < long_lived; ++i) all = all && area->w[i].recorded.load() > 0;
        if (!all) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    std::vector<pid_t> rpid;
    for (int i = 0; i < cfg.readers; ++i) rpid.push_back(spawn([&] { return reader(cfg, long_lived, killable); }));
    const pid_t rewriter_pid = cfg.rewrite_ms > 0 ? spawn([&] { return rewriter(cfg, b); }) : -1;
    long stops = 0, aged = 0;
    int stopped = -1; // the writer currently SIGSTOPped (--stop-ms), or -1
    clk::time_point resume_at{};

    std::mt19937_64 rng(cfg.seed);
    auto next_in = [&](int mean_ms) {
        if (mean_ms <= 0) return clk::time_point::max();
        std::exponential_distribution<double> d(1.0 / mean_ms);
        return clk::now() + std::chrono::microseconds(static_cast<long>(d(rng) * 1000));
    };
    const auto t_start = clk::now();
    const auto t_end = t_start + std::chrono::microseconds(static_cast<long>(cfg.seconds * 1e6));
    auto next_kill = next_in(cfg.kill_ms), next_clear = next_in(cfg.clear_ms), next_delete = next_in(cfg.delete_ms);
    auto next_stop = next_in(cfg.stop_ms);
    auto next_progress = t_start + std::chrono::seconds(60);
    auto timed_admin = [&](const char* what, auto&& fn) {
        const auto t0 = clk::now();
        try {
            fn();
            const long us = static_cast<long>(
                std::chrono::duration_cast<std::chrono::microseconds>(clk::now() - t0).count());
            max_admin_us = std::max(max_admin_us, us);
            return true;
        } catch (const error& e) {
            // With --rewrite-ms, _b may be caught with an absurd header field: corrupt, cleanly.
            if (e.code() != errc::not_found && e.code() != errc::not_ready && e.code() != errc::retired &&
                !(cfg.rewrite_ms > 0 && e.code() == errc::corrupt)) {
                violation("parent", std::string(what) + ": " + e.what());
            }
            ++admin_errors;
            return false;
        } catch (const std::exception& e) {
            violation("parent", std::string(what) + ": non-library error: " + e.what());
            return false;
        }
    };
    while (clk::now() < t_end && !interrupted) {
        const auto now = clk::now();
        if (stopped < 0 && now >= next_stop) {
            // SIGSTOP a random writer (long-lived ones too: their totals must stay exact),
            // mid-event or mid-registration, and resume it 0..stop_len_ms later.
            const int i = static_cast<int>(rng() % static_cast<unsigned>(cfg.writers));
            const pid_t p = wpid[static_cast<std::size_t>(i)];
            int st = 0;
            if (p > 0 && ::kill(p, SIGSTOP) == 0 && ::waitpid(p, &st, WUNTRACED) == p) {
                if (WIFSTOPPED(st)) {
                    ++stops;
                    stopped = i;
                    resume_at = now + std::chrono::microseconds(
                                          static_cast<long>(rng() % (static_cast<std::uint64_t>(cfg.stop_len_ms) * 1000 + 1)));
                    if (cfg.age_claims) aged += age_claims_of(a, p);
                } else { // it had exited: the check below does not see it any more
                    ++writer_failures;
                    violation("parent", "writer " + std::to_string(i) + " died on its own (status " +
                                            std::to_string(st) + ")");
                    if (i >= long_lived) start_writer(i);
                    else wpid[static_cast<std::size_t>(i)] = -1;
                }
            }
            next_stop = next_in(cfg.stop_ms);
        }
        if (stopped >= 0 && now >= resume_at) {
            ::kill(wpid[static_cast<std::size_t>(stopped)], SIGCONT);
            stopped = -1;
        }
        if (killable > 0 && now >= next_kill) {
            const int i = long_lived + static_cast<int>(rng() % static_cast<unsigned>(killable));
            if (i == stopped) stopped = -1; // SIGKILL ends a stopped process too
            ::kill(wpid[static_cast<std::size_t>(i)], SIGKILL);
            const int st = reap(wpid[static_cast<std::size_t>(i)], std::chrono::seconds(5));
            if (st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
                ++kills;
            else if (st != -1) { // it had already exited: a failure
                ++writer_failures;
                violation("parent", "killable writer " + std::to_string(i) + " had exited with status " +
                                        std::to_string(WIFEXITED(st) ? WEXITSTATUS(st) : -1));
            }
            start_writer(i);
            ++restarts;
            next_kill = next_in(cfg.kill_ms);
        }
        if (now >= next_clear) {
            if (timed_admin("clear", [&] { clear_section(b, rng() % 3 == 0 ? clear_what::channels : clear_what::all); }))
                ++clears;
            next_clear = next_in(cfg.clear_ms);
        }
        if (now >= next_delete) {
            if (timed_admin("delete", [&] { delete_section(b); })) ++deletes;
            next_delete = next_in(cfg.delete_ms);
        }
        // Any writer that died on its own is a failure (long-lived ones must never die).
        for (int i = 0; i < cfg.writers; ++i) {
            int st = 0;
            if (::waitpid(wpid[static_cast<std::size_t>(i)], &st, WNOHANG) == wpid[static_cast<std::size_t>(i)]) {
                ++writer_failures;
                violation("parent", "writer " + std::to_string(i) + " died on its own (status " +
                                        std::to_string(st) + ")");
                if (i >= long_lived) start_writer(i);
                else wpid[static_cast<std::size_t>(i)] = -1;
            }
        }
        if (now >= next_progress) {
            long ev = 0;
            for (int i = 0; i < cfg.writers; ++i) ev += area->w[i].total_all_generations.load();
            std::printf("  %4lds: events %ld, kills %ld, clears %ld, deletes %ld, snapshots %ld, violations %ld\n",
                        static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(now - t_start).count()), ev,
                        kills, clears, deletes, area->snapshots.load(), area->violations.load());
            std::fflush(stdout);
            next_progress += std::chrono::seconds(60);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }

    if (stopped >= 0) ::kill(wpid[static_cast<std::size_t>(stopped)], SIGCONT);
    if (rewriter_pid > 0) {
        area->rewrite_stop = 1;
        const int st = reap(rewriter_pid, std::chrono::seconds(5));
        if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
            violation("parent", "the header rewriter failed (status " + std::to_string(st) + ")");
    }
    // Stop: kill the killable writers (their open associations must vanish), check the
    // stable section while the long-lived writers still hold theirs, then stop those.
    for (int i = long_lived; i < cfg.writers; ++i) {
        ::kill(wpid[static_cast<std::size_t>(i)], SIGKILL);
        if (reap(wpid[static_cast<std::size_t>(i)], std::chrono::seconds(5)) != -1) ++kills;
    }
    area->readers_stop = 1;
    for (pid_t p : rpid) {
        const int st = reap(p, std::chrono::seconds(cfg.read_bound_ms / 1000 + 15));
        if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
            violation("parent", "a reader hung or failed (status " + std::to_string(st) + ")");
    }
    std::int64_t assoc_live = -1;
    try {
        const snapshot s = read_snapshot(a);
        for (const auto& c : s.channels)
            if (c.name == "assoc") assoc_live = c.current_in;
    } catch (const error& e) {
        violation("parent", e.what());
    }
    int alive_long = 0;
    for (int i = 0; i < long_lived; ++i) alive_long += wpid[static_cast<std::size_t>(i)] > 0;
    if (assoc_live != alive_long)
        violation("parent", "assoc.current_in = " + std::to_string(assoc_live) + " with " +
                                std::to_string(alive_long) + " long-lived writers alive (the killed ones must not count)");
    area->stop = 1;
    for (int i = 0; i < long_lived; ++i) {
        if (wpid[static_cast<std::size_t>(i)] <= 0) continue;
        const int st = reap(wpid[static_cast<std::size_t>(i)], std::chrono::seconds(10));
        if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
            violation("parent", "long-lived writer " + std::to_string(i) + " failed to stop");
    }
    long events = 0, exact_checked = 0;
    for (int i = 0; i < cfg.writers; ++i) events += area->w[i].total_all_generations.load();
    try {
        const snapshot s = read_snapshot(a);
        for (int i = 0; i < long_lived; ++i) {
            if (area->w[i].finished.load() != 1) continue;
            const std::string n = "w" + std::to_string(i);
            std::int64_t got = -1;
            for (const auto& c : s.channels)
                if (c.name == n) got = c.get(counter::submitted_messages);
            ++exact_checked;
            if (got != area->w[i].recorded.load())
                violation("parent", n + ": " + std::to_string(got) + " counted, " +
                                        std::to_string(area->w[i].recorded.load()) + " recorded");
        }
        for (const auto& c : s.channels)
            if (c.current_in != 0 || c.current_out != 0)
                violation("parent", c.name + ": current associations left by exited writers");
    } catch (const error& e) {
        violation("parent", e.what());
    }
    for (const std::string* n : {&a, &b}) {
        try {
            if (section_exists(*n)) delete_section(*n);
        } catch (const error& e) {
            std::fprintf(stderr, "counters-soak: cleanup: %s\n", e.what());
        }
    }

    const double secs = std::chrono::duration<double>(clk::now() - t_start).count();
    const long v = area->violations.load();
    std::printf("counters-soak report (%.1f s%s)\n"
                "  events recorded        %ld (%.0f/s)\n"
                "  writers killed         %ld (restarted %ld), writer failures %ld\n"
                "  get() calls (killable) %ld (new names registered, killed mid-way at random)\n"
                "  clears                 %ld\n"
                "  deletes                %ld (admin calls refused cleanly: %ld, slowest admin call %ld us)\n"
                "  snapshots              %ld (clean errors on the chaos section: %ld)\n"
                "  max snapshot latency   %.3f ms (bound %d ms)\n"
                "  attach retries         %ld (section left not ready by a killed creator; or corrupt, --rewrite-ms)\n"
                "  writers stopped        %ld (SIGSTOP/SIGCONT; claims aged past the take-over age: %ld)\n"
                "  header rewrites        %ld (clean corrupt errors on the rewritten section: %ld)\n"
                "  exact totals checked   %ld long-lived writers\n"
                "  invariant violations   %ld\n",
                secs, interrupted ? ", interrupted" : "", events, static_cast<double>(events) / std::max(secs, 1e-9), kills, restarts,
                writer_failures, area->registrations.load(), clears, deletes, admin_errors, max_admin_us,
                area->snapshots.load(), area->snapshot_errors.load(), static_cast<double>(area->max_read_us.load()) / 1000.0,
                cfg.read_bound_ms, area->attach_retries.load(), stops, aged, area->rewrites.load(),
                area->rewrite_errors.load(), exact_checked, v);
    std::printf("counters-soak: %s\n", v == 0 ? "OK" : "FAILED");
    if (v != 0) rc = 1;
    return rc;
}

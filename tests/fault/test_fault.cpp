// SPDX-License-Identifier: MIT
// Fault-injection tests, repeated many rounds each: writers SIGKILLed at random moments
// (before attaching, mid-registration, during their first association events) while other
// writers record known totals; clear and delete in a loop while writers are busy; processes
// racing to auto-create one section. Every read is bounded by a watchdog (alarm) and a
// latency check, so a hang fails the test instead of wedging ctest.
//
// tests/unit/test_multiprocess.cpp covers the single-shot versions of these scenarios; the
// point here is repetition, randomised timing and stronger invariants.
//
// The hostile-environment modes of issue 10 live beside this file: test_frozen.cpp
// (SIGSTOP/SIGCONT: registrants frozen mid-claim past the take-over age, planted or caught
// with ptrace, and writers stopped and resumed at random with exact counts after) and
// test_rewrite.cpp (header fields rewritten live under readers, writers and the tools).
// soak/counters-soak has the long-running versions (--stop-ms, --age-claims, --rewrite-ms).
#include "catch.hpp"
#include "support.hpp"

#include "section/layout.hpp" // private: to plant process slots left mid-claim

#include <counters/counters.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstddef>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace counters;
using testing_support::temp_section;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

namespace {

/// Longest a single snapshot may take (the library retries a not-ready section for 1 s).
constexpr auto read_bound = milliseconds(2500);
/// Watchdog: a read that has not returned after this many seconds kills the process.
constexpr unsigned watchdog_seconds = 10;

/// State shared between the test process and its children (anonymous shared mapping).
struct shared_state {
    std::atomic<int> phase{0};
    std::atomic<int> stop_readers{0};
    std::atomic<int> violations{0};
    std::atomic<long> snapshots{0};
    std::atomic<long> max_read_us{0};
    std::atomic<long> done[16];
    std::atomic<long> total[16];
    std::atomic<std::uint64_t> instance[16];
};

shared_state* make_shared_state() {
    void* p = ::mmap(nullptr, sizeof(shared_state), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    REQUIRE(p != MAP_FAILED);
    auto* s = new (p) shared_state;
    for (int i = 0; i < 16; ++i) {
        s->done[i] = 0;
        s->total[i] = 0;
        s->instance[i] = 0;
    }
    return s;
}

void free_shared_state(shared_state* s) { ::munmap(s, sizeof(shared_state)); }

/// Forks a child running @p body; its return value is the exit status (1 on an exception).
pid_t spawn(const std::function<int()>& body) {
    const pid_t pid = testing_support::spawn_child(body);
    REQUIRE(pid >= 0);
    return pid;
}

/// Waits for @p pid; returns its exit status, or 128 + signal.
int reap(pid_t pid) {
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(st)) return WEXITSTATUS(st);
    if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
    return 255;
}

/// read_snapshot() under a watchdog; @p elapsed receives its latency.
snapshot bounded_read(const std::string& name, steady_clock::duration& elapsed) {
    ::alarm(watchdog_seconds); // default action of SIGALRM: the process dies, the test fails
    const auto t0 = steady_clock::now();
    struct disarm {
        steady_clock::time_point t0;
        steady_clock::duration& out;
        ~disarm() {
            out = steady_clock::now() - t0;
            ::alarm(0);
        }
    } guard{t0, elapsed};
    return read_snapshot(name);
}

snapshot bounded_read(const std::string& name) {
    steady_clock::duration elapsed{};
    snapshot s = bounded_read(name, elapsed);
    CHECK(elapsed < read_bound);
    return s;
}

/// The invariants every snapshot must satisfy at any moment; returns a description of the
/// first violation, or "" when there is none.
std::string violation(const snapshot& s) {
    std::set<std::string> seen;
    for (const auto& c : s.channels) {
        if (!seen.insert(c.name).second) return "duplicate channel \"" + c.name + "\"";
        for (std::size_t k = 0; k < counter_count; ++k)
            if (!info(static_cast<counter>(k)).gauge && c.value[k] < 0)
                return "channel \"" + c.name + "\": " + info(static_cast<counter>(k)).key + " is " +
                       std::to_string(c.value[k]);
        if (c.current_in < 0 || c.current_out < 0) return "negative current associations in " + c.name;
    }
    if (s.section.channels != s.channels.size()) return "channel count mismatch";
    return {};
}

/// A reader process: snapshots @p name in a loop until told to stop, checking the
/// invariants and the latency of every read. A snapshot may fail only with a clean
/// counters::error whose code is in @p allowed (e.g. the section is being deleted).
pid_t start_reader(shared_state* st, const std::string& name, const std::set<errc>& allowed) {
    return spawn([st, name, allowed] {
        while (st->stop_readers.load() == 0) {
            steady_clock::duration elapsed{};
            try {
                const snapshot s = bounded_read(name, elapsed);
                const std::string v = violation(s);
                if (!v.empty()) {
                    std::fprintf(stderr, "reader: %s\n", v.c_str());
                    st->violations.fetch_add(1);
                }
                st->snapshots.fetch_add(1);
            } catch (const error& e) {
                if (allowed.count(e.code()) == 0) {
                    std::fprintf(stderr, "reader: unexpected error: %s\n", e.what());
                    st->violations.fetch_add(1);
                }
            }
            const long us = static_cast<long>(std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count());
            long m = st->max_read_us.load();
            while (us > m && !st->max_read_us.compare_exchange_weak(m, us)) {
            }
            if (elapsed >= read_bound) {
                std::fprintf(stderr, "reader: a snapshot took %ld us\n", us);
                st->violations.fetch_add(1);
            }
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
        return 0;
    });
}


std::uint64_t seed_for(int round) {
    return (static_cast<std::uint64_t>(::getpid()) << 20) ^ static_cast<std::uint64_t>(round) ^
           static_cast<std::uint64_t>(steady_clock::now().time_since_epoch().count());
}

} // namespace

TEST_CASE("writers SIGKILLed at random moments: survivors exact, no duplicates, no dead gauges",
          "[fault][kill]") {
    constexpr int rounds = 30, survivors = 2;
    constexpr long events = 150000;
    constexpr int victim_names = 40; // names a victim registers (at most)
    constexpr int victim_assoc_channels = 20; // below the 32 per-process gauge entries
    shared_state* st = make_shared_state();
    long kills = 0, snapshots = 0;
    for (int round = 0; round < rounds; ++round) {
        const std::uint64_t seed = seed_for(round);
        INFO("round " << round << ", seed " << seed);
        std::mt19937_64 rng(seed);
        temp_section t("fault_kill");
        create_options big;
        big.max_channels = 8192;
        create_section(t.name(), big);
        st->stop_readers = 0;
        st->violations = 0;
        st->snapshots = 0;
        for (int i = 0; i < survivors; ++i) st->done[i] = 0;

        int gate[2];
        REQUIRE(::pipe(gate) == 0);
        std::vector<pid_t> surv;
        surv.reserve(survivors);
        for (int i = 0; i < survivors; ++i) {
            surv.push_back(spawn([&, i] {
                ::close(gate[1]);
                section sec(t.name());
                const std::string n = std::to_string(i);
                channel own = sec.get("own" + n), dst = sec.get("dst" + n), shared = sec.get("shared");
                association_opened(own, direction::inbound);    // left open: 1 per live survivor
                association_opened(shared, direction::inbound); // idem
                for (long k = 0; k < events; ++k) {
                    enqueued(own, dst, 2, 1500);
                    enqueued(own, shared, 1, 1);
                    if (k % 3 == 0) dequeued(dst, 2, 1500, 1, k % 2 == 0);
                    if (k % 7 == 0) {
                        association_opened(shared, direction::outbound);
                        association_closed(shared, direction::outbound);
                    }
                    if (k % 500 == 0) { // registrations racing the victims' (and their deaths)
                        channel extra = sec.get("s" + n + "_" + std::to_string((k / 500) % 25));
                        enqueued(extra, shared, 1, 1);
                    }
                }
                st->done[i] = 1;
                char c;
                while (::read(gate[0], &c, 1) < 0 && errno == EINTR) {
                }
                return 0;
            }));
        }
        ::close(gate[0]);
        const pid_t reader = start_reader(st, t.name(), {});

        // The killer: keeps two victims alive and SIGKILLs one of them at a random moment,
        // sometimes before it has even attached, often during its first registrations and
        // association events, until the survivors are done (and at least 6 have died).
        std::vector<pid_t> pool;
        int spawned = 0;
        auto survivors_done = [&] {
            for (int i = 0; i < survivors; ++i)
                if (st->done[i] == 0) return false;
            return true;
        };
        while (!survivors_done() || spawned < 6) {
            while (pool.size() < 2) {
                const int v = spawned++;
                pool.push_back(spawn([&, v]() -> int {
                    section sec(t.name());
                    channel shared = sec.get("shared");
                    association_opened(shared, direction::inbound); // never closed: dies open
                    association_opened(shared, direction::outbound);
                    std::vector<channel> mine;
                    for (int k = 0;; ++k) {
                        if (k < victim_names) {
                            mine.push_back(sec.get("v" + std::to_string(v) + "_" + std::to_string(k)));
                            if (k < victim_assoc_channels) association_opened(mine.back(), direction::inbound);
                        }
                        const std::size_t idx = static_cast<std::size_t>(k) % mine.size();
                        channel& c = mine[idx];
                        enqueued(c, shared, 1, 1);
                        // Associations on at most 20 channels (plus "shared"): a process has
                        // 32 per-process gauge entries; beyond them the library falls back to
                        // a shared gauge that a killed process leaves wrong (by design).
                        if (idx < static_cast<std::size_t>(victim_assoc_channels)) {
                            association_opened(c, direction::outbound);
                            association_closed(c, direction::outbound);
                        }
                        if (k > victim_names && k % 64 == 0) ::usleep(50); // do not starve the others
                    }
                }));
            }
            const auto delay = std::chrono::microseconds(rng() % 3000);
            std::this_thread::sleep_for(delay);
            const std::size_t which = rng() % pool.size();
            ::kill(pool[which], SIGKILL);
            CHECK(reap(pool[which]) == 128 + SIGKILL);
            pool.erase(pool.begin() + static_cast<std::ptrdiff_t>(which));
            ++kills;
            REQUIRE(spawned < 5000); // survivors that never finish: fail, do not spin forever
        }
        for (pid_t p : pool) {
            ::kill(p, SIGKILL);
            reap(p);
            ++kills;
        }
        st->stop_readers = 1;
        CHECK(reap(reader) == 0);
        CHECK(st->violations.load() == 0);
        snapshots += st->snapshots.load();

        // Survivors are alive (parked on the gate); every victim is dead and reaped.
        snapshot s = bounded_read(t.name());
        CHECK(violation(s).empty());
        for (int i = 0; i < survivors; ++i) {
            const std::string n = std::to_string(i);
            const auto* own = s.find("own" + n);
            const auto* dst = s.find("dst" + n);
            REQUIRE(own);
            REQUIRE(dst);
            CHECK(own->get(counter::submitted_messages) == 2 * events);
            CHECK(own->get(counter::submitted_recipients) == 3 * events);
            CHECK(own->get(counter::submitted_blocks) == 3 * events); // 1500 B: 2 blocks, 1 B: 1
            CHECK(own->get(counter::in_assocs) == 1);
            CHECK(own->current_in == 1);
            const long deq = (events + 2) / 3;
            CHECK(dst->get(counter::received_messages) == events);
            CHECK(dst->get(counter::delivered_messages) == deq);
            CHECK(dst->get(counter::stored_messages) == events - deq);
            CHECK(dst->get(counter::delivered_first_messages) == (deq + 1) / 2);
            for (int k = 0; k < 25; ++k) CHECK(s.find("s" + n + "_" + std::to_string(k)));
        }
        const auto* shared = s.find("shared");
        REQUIRE(shared);
        CHECK(shared->get(counter::received_messages) >= survivors * (events + events / 500));
        CHECK(shared->current_in == survivors); // the victims' open associations are gone
        CHECK(shared->current_out == 0);
        for (const auto& c : s.channels)
            if (c.name[0] == 'v') {
                INFO("channel " << c.name);
                CHECK(c.current_in == 0);
                CHECK(c.current_out == 0);
            }

        ::close(gate[1]);
        for (pid_t p : surv) CHECK(reap(p) == 0);
        s = bounded_read(t.name());
        for (const auto& c : s.channels) {
            INFO("channel " << c.name << " after every writer exited");
            CHECK(c.current_in == 0);
            CHECK(c.current_out == 0);
        }
    }
    free_shared_state(st);
    CHECK(kills >= 6L * rounds);
    CHECK(snapshots > 0);
}

TEST_CASE("clear and delete in a loop while writers are busy", "[fault][clear][delete]") {
    constexpr int rounds = 8, writers = 3;
    constexpr long tail = 5000; // events each writer records after the last clear
    shared_state* st = make_shared_state();
    long clears = 0, deletes = 0;
    for (int round = 0; round < rounds; ++round) {
        const std::uint64_t seed = seed_for(round);
        INFO("round " << round << ", seed " << seed);
        std::mt19937_64 rng(seed);
        temp_section t("fault_clear");
        create_section(t.name());
        st->phase = 0;
        st->stop_readers = 0;
        st->violations = 0;
        std::vector<pid_t> ws;
        for (int i = 0; i < writers; ++i) {
            st->done[i] = 0;
            st->total[i] = 0;
            ws.push_back(spawn([&, i] {
                section sec(t.name());
                const std::string n = std::to_string(i);
                channel own = sec.get("w" + n), shared = sec.get("shared");
                long k = 0;
                for (; st->phase.load(std::memory_order_relaxed) == 0; ++k) {
                    enqueued(own, shared, 1, 1);
                    dequeued(shared, 1, 1, 0, true);
                    if (k % 1000 == 0) { // new and known names across incarnations
                        channel extra = sec.get("x" + n + "_" + std::to_string((k / 1000) % 16));
                        enqueued(extra, own, 1, 1);
                    }
                }
                st->total[i] = k;
                for (long j = 0; j < tail; ++j) {
                    enqueued(own, shared, 1, 1);
                    dequeued(shared, 1, 1, 0, true);
                }
                st->done[i] = 1;
                return 0;
            }));
        }
        const pid_t reader = start_reader(st, t.name(), {errc::not_found, errc::retired, errc::not_ready});

        const auto end = steady_clock::now() + milliseconds(250);
        while (steady_clock::now() < end) {
            const auto op = rng() % 8;
            try {
                if (op < 3) {
                    clear_section(t.name(), op == 0 ? clear_what::channels : clear_what::all);
                    ++clears;
                } else if (op < 5) {
                    delete_section(t.name()); // also while a writer is re-creating it
                    ++deletes;
                } else if (op == 5) {
                    create_section(t.name()); // an operator's -create racing the writers
                } else {
                    steady_clock::duration elapsed{};
                    const snapshot s = bounded_read(t.name(), elapsed);
                    CHECK(elapsed < read_bound);
                    CHECK(violation(s).empty());
                }
            } catch (const error& e) {
                // Deleted and not re-created yet, or being re-created: clean errors only.
                INFO(e.what());
                CHECK((e.code() == errc::not_found || e.code() == errc::not_ready ||
                       e.code() == errc::retired));
            }
            std::this_thread::sleep_for(std::chrono::microseconds(rng() % 2000));
        }
        // The writers re-create the section on their next event; then the last clear.
        const auto deadline = steady_clock::now() + std::chrono::seconds(5);
        for (;;) {
            try {
                clear_section(t.name());
                ++clears;
                break;
            } catch (const error& e) {
                REQUIRE((e.code() == errc::not_found || e.code() == errc::not_ready));
                REQUIRE(steady_clock::now() < deadline);
                std::this_thread::sleep_for(milliseconds(1));
            }
        }
        std::this_thread::sleep_for(milliseconds(30)); // past the re-attach back-off
        clear_section(t.name());
        ++clears;
        const std::uint64_t instance = bounded_read(t.name()).section.instance_id;
        st->phase = 1;
        for (pid_t p : ws) CHECK(reap(p) == 0); // no writer crashed
        st->stop_readers = 1;
        CHECK(reap(reader) == 0);
        CHECK(st->violations.load() == 0);

        const snapshot s = bounded_read(t.name());
        CHECK(s.section.instance_id == instance); // nobody deleted or re-created it since
        CHECK(violation(s).empty());
        long sum = 0;
        for (int i = 0; i < writers; ++i) {
            REQUIRE(st->done[i] == 1);
            const auto* own = s.find("w" + std::to_string(i));
            REQUIRE(own); // re-attached after the deletes
            const long sub = own->get(counter::submitted_messages);
            INFO("writer " << i << ": " << st->total[i].load() << " events before the last clear, "
                           << sub << " counted since");
            CHECK(sub >= tail);                      // everything after the last clear counted
            CHECK(sub <= tail + st->total[i].load()); // and nothing invented
            sum += st->total[i].load();
        }
        const auto* shared = s.find("shared");
        REQUIRE(shared);
        CHECK(shared->get(counter::received_messages) >= writers * tail);
        CHECK(shared->get(counter::received_messages) <= writers * tail + sum);
        CHECK(shared->get(counter::delivered_messages) >= writers * tail);
        CHECK(shared->get(counter::delivered_messages) <= writers * tail + sum);
    }
    free_shared_state(st);
    CHECK(clears > rounds);
    CHECK(deletes > 0);
}

TEST_CASE("processes auto-creating one section at the same instant make exactly one",
          "[fault][create]") {
    constexpr int rounds = 40, procs = 4;
    constexpr long events = 2000;
    shared_state* st = make_shared_state();
    for (int round = 0; round < rounds; ++round) {
        INFO("round " << round);
        temp_section t("fault_create");
        int gate[2];
        REQUIRE(::pipe(gate) == 0);
        std::vector<pid_t> ps;
        for (int i = 0; i < procs; ++i) {
            st->instance[i] = 0;
            ps.push_back(spawn([&, i] {
                ::close(gate[1]);
                char c;
                while (::read(gate[0], &c, 1) < 0 && errno == EINTR) {
                }
                if (i == 0 && round % 2 == 1) create_section(t.name()); // `counters -create` too
                section sec(t.name());
                channel ch = sec.get("x"), own = sec.get("p" + std::to_string(i));
                for (long k = 0; k < events; ++k) enqueued(own, ch, 1, 1);
                st->instance[i] = read_snapshot(t.name()).section.instance_id;
                return 0;
            }));
        }
        ::close(gate[0]);
        ::close(gate[1]); // release them all at once
        for (pid_t p : ps) CHECK(reap(p) == 0);
        const snapshot s = bounded_read(t.name());
        CHECK(violation(s).empty());
        REQUIRE(s.channels.size() == procs + 1);
        const auto* x = s.find("x");
        REQUIRE(x);
        CHECK(x->get(counter::received_messages) == procs * events);
        for (int i = 0; i < procs; ++i) {
            CHECK(st->instance[i].load() == s.section.instance_id); // all wrote into this one
            const auto* own = s.find("p" + std::to_string(i));
            REQUIRE(own);
            CHECK(own->get(counter::submitted_messages) == events);
        }
    }
    free_shared_state(st);
}

namespace {
int open_fds() {
    int n = 0;
    if (DIR* d = ::opendir("/proc/self/fd")) {
        while (::readdir(d) != nullptr) ++n;
        ::closedir(d);
    }
    return n;
}
} // namespace

// A long-lived writer (an SMTP server runs for weeks) must survive any number of deletes.
// Each incarnation it re-attaches to keeps its mapping (handles in other threads may still
// point into it) but not its descriptor, so re-attaching never runs out of descriptors.
TEST_CASE("a long-lived writer keeps re-attaching across many deletes", "[fault][delete]") {
    temp_section t("fault_fds");
    const pid_t p = spawn([&] {
        section sec(t.name());
        channel c = sec.get("x");
        enqueued(c, c, 1, 1);
        const int before = open_fds();
        for (int i = 0; i < 50; ++i) {
            delete_section(t.name());
            enqueued(c, c, 1, 1); // re-attaches: a new section
        }
        const int after = open_fds();
        if (after > before + 2) {
            std::fprintf(stderr, "fault_fds: %d descriptors open after 50 deletes, %d before\n", after, before);
            return 2;
        }
        // The consequence: with a small limit, re-attaching fails for good.
        struct rlimit rl {};
        ::getrlimit(RLIMIT_NOFILE, &rl);
        rl.rlim_cur = static_cast<rlim_t>(after) + 16;
        if (::setrlimit(RLIMIT_NOFILE, &rl) != 0) return 3;
        for (int i = 0; i < 100; ++i) {
            delete_section(t.name());
            enqueued(c, c, 1, 1);
            if (!section_exists(t.name())) {
                std::fprintf(stderr, "fault_fds: re-attach failed after %d more deletes\n", i + 1);
                return 4;
            }
        }
        return 0;
    });
    CHECK(reap(p) == 0);
}

// delete_section() on a section whose creator has not published it yet unlinks it without
// retiring it (there is no ready header to retire); the creator must notice (its segment has
// no name any more) and create the section again rather than record into an orphan. The
// writer is stopped right after its segment appears in /dev/shm, caught mid-creation.
TEST_CASE("a writer creating the section while it is deleted is not orphaned",
          "[fault][delete][create]") {
    int caught = 0;
    for (int attempt = 0; attempt < 200 && caught == 0; ++attempt) {
        temp_section t("fault_orphan");
        const std::string path = "/dev/shm/" + t.name();
        int go[2];
        REQUIRE(::pipe(go) == 0);
        const pid_t w = spawn([&] {
            ::close(go[1]);
            section sec(t.name()); // creates it
            channel c = sec.get("x");
            char b;
            while (::read(go[0], &b, 1) < 0 && errno == EINTR) {
            }
            for (int k = 0; k < 1000; ++k) {
                enqueued(c, c, 1, 1);
                if (k % 100 == 0) std::this_thread::sleep_for(milliseconds(1)); // re-attach back-off
            }
            return 0;
        });
        ::close(go[0]);
        // Spin until the segment appears, then freeze the creator.
        struct stat sb {};
        const auto until = steady_clock::now() + milliseconds(200);
        while (::stat(path.c_str(), &sb) != 0 && steady_clock::now() < until) {
        }
        ::kill(w, SIGSTOP);
        bool mid = false;
        if (::stat(path.c_str(), &sb) == 0) {
            if (sb.st_size < static_cast<off_t>(sizeof(detail::header))) {
                mid = true;
            } else if (const int fd = ::open(path.c_str(), O_RDONLY); fd >= 0) {
                std::uint32_t state = 1;
                mid = ::pread(fd, &state, sizeof state, offsetof(detail::header, state)) == sizeof state &&
                      state == detail::state_initialising;
                ::close(fd);
            }
        }
        if (mid) {
            ++caught;
            delete_section(t.name()); // an operator's `counters -delete` at that moment
        }
        ::kill(w, SIGCONT);
        (void)!::write(go[1], "g", 1);
        ::close(go[1]);
        CHECK(reap(w) == 0);
        if (!mid) continue;
        // Its events must be somewhere a reader can see: the writer re-attaches (creating
        // the section again) as it would after any delete.
        INFO("attempt " << attempt);
        REQUIRE(section_exists(t.name()));
        const snapshot s = bounded_read(t.name());
        REQUIRE(s.channels.size() == 1);
        CHECK(s.channels[0].get(counter::received_messages) > 0);
    }
    if (caught == 0) WARN("never caught the creator mid-creation");
    CHECK(caught > 0);
}

// A process SIGKILLed between claiming its process slot (owner = claiming | pid) and
// publishing it must not lose the slot forever: were every slot lost that way, current
// associations would fall back to the shared gauge and a dead process's stay counted.
// Planted here: every slot left mid-claim by a process that is gone.
TEST_CASE("process slots left mid-claim by dead processes are recovered",
          "[fault][associations]") {
    temp_section t("fault_pslot");
    create_section(t.name());
    const pid_t dead = spawn([] { return 0; });
    reap(dead);
    {
        const int fd = ::shm_open(("/" + t.name()).c_str(), O_RDWR, 0);
        REQUIRE(fd >= 0);
        struct stat sb {};
        REQUIRE(::fstat(fd, &sb) == 0);
        const auto size = static_cast<std::size_t>(sb.st_size);
        void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        REQUIRE(p != MAP_FAILED);
        const auto* h = static_cast<detail::header*>(p);
        for (std::uint32_t i = 0; i < h->process_slots; ++i) {
            auto* ps = reinterpret_cast<detail::process_slot*>(static_cast<char*>(p) + h->processes_offset +
                                                               std::uint64_t{i} * h->process_slot_size);
            ps->owner.store(detail::owner_claiming | static_cast<std::uint64_t>(dead));
        }
        ::munmap(p, size);
        ::close(fd);
    }
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    const pid_t victim = spawn([&]() -> int {
        section sec(t.name());
        channel c = sec.get("smtp");
        association_opened(c, direction::inbound);
        (void)!::write(ready[1], "r", 1);
        for (;;) ::pause();
    });
    char c = 0;
    REQUIRE(::read(ready[0], &c, 1) == 1);
    ::close(ready[0]);
    ::close(ready[1]);
    ::kill(victim, SIGKILL);
    reap(victim);
    const snapshot s = bounded_read(t.name());
    REQUIRE(s.channels.size() == 1);
    CHECK(s.channels[0].get(counter::in_assocs) == 1);
    CHECK(s.channels[0].current_in == 0); // the dead victim's association is not counted
}

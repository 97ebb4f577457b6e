// SPDX-License-Identifier: MIT
// Multi-process tests: exact totals from forked writers, concurrent registration and
// creation, writers killed with SIGKILL (mid-work and mid-registration), clear and delete
// while writers are busy.
#include "catch.hpp"
#include "support.hpp"

#include "section/layout.hpp" // private: to plant a dead registration claim

#include <counters/counters.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <random>
#include <set>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace counters;
using testing_support::temp_section;

namespace {

/// Children started together: each blocks until release() so that they race for real.
class gang {
public:
    explicit gang(int n, const std::function<void(int)>& body) {
        REQUIRE(::pipe(gate_) == 0);
        for (int i = 0; i < n; ++i) {
            pid_t pid = ::fork();
            REQUIRE(pid >= 0);
            if (pid == 0) {
                ::close(gate_[1]);
                char c;
                while (::read(gate_[0], &c, 1) < 0 && errno == EINTR) {
                }
                int rc = 0;
                try {
                    body(i);
                } catch (const std::exception& e) {
                    std::fprintf(stderr, "child %d: %s\n", i, e.what());
                    rc = 1;
                }
                ::_exit(rc);
            }
            pids_.push_back(pid);
        }
        ::close(gate_[0]);
    }
    void release() {
        if (gate_[1] >= 0) ::close(gate_[1]);
        gate_[1] = -1;
    }
    /// Waits for all children; returns how many exited with status 0.
    int wait_all() {
        release();
        int ok = 0;
        for (pid_t p : pids_) {
            int st = 0;
            while (::waitpid(p, &st, 0) < 0 && errno == EINTR) {
            }
            if (WIFEXITED(st) && WEXITSTATUS(st) == 0) ++ok;
        }
        pids_.clear();
        return ok;
    }
    const std::vector<pid_t>& pids() const { return pids_; }
    ~gang() {
        for (pid_t p : pids_) ::kill(p, SIGKILL);
        wait_all();
    }

private:
    int gate_[2] = {-1, -1};
    std::vector<pid_t> pids_;
};


} // namespace

TEST_CASE("forked writers give exact totals", "[multiprocess]") {
    temp_section t;
    create_section(t.name());
    constexpr int procs = 4, events = 50000;
    gang g(procs, [&](int i) {
        section sec(t.name());
        channel src = sec.get("tcp_local"), dst = sec.get(i % 2 ? "ims-ms" : "tcp_intranet");
        for (int k = 0; k < events; ++k) {
            enqueued(src, dst, 2, 3000);
            if (k % 2 == 0) dequeued(dst, 2, 3000, 5, k % 4 == 0);
        }
    });
    REQUIRE(g.wait_all() == procs);
    const auto s = read_snapshot(t.name());
    REQUIRE(s.channels.size() == 3);
    const auto* src = s.find("tcp_local");
    REQUIRE(src);
    CHECK(src->get(counter::submitted_messages) == std::int64_t{procs} * events);
    CHECK(src->get(counter::submitted_recipients) == std::int64_t{2} * procs * events);
    CHECK(src->get(counter::submitted_blocks) == std::int64_t{3} * procs * events);
    for (const char* n : {"ims-ms", "tcp_intranet"}) {
        const auto* d = s.find(n);
        REQUIRE(d);
        CHECK(d->get(counter::received_messages) == std::int64_t{2} * events);
        CHECK(d->get(counter::delivered_messages) == events);
        CHECK(d->get(counter::stored_messages) == events);
        CHECK(d->get(counter::stored_messages) ==
              d->get(counter::received_messages) - d->get(counter::delivered_messages));
        CHECK(d->get(counter::delivered_first_messages) == events / 2);
        CHECK(d->get(counter::queue_time) == 5LL * events);
    }
}

TEST_CASE("processes registering the same names at once create no duplicate rows",
          "[multiprocess]") {
    temp_section t;
    create_section(t.name());
    constexpr int procs = 4, names = 300;
    gang g(procs, [&](int i) {
        section sec(t.name());
        std::vector<int> order(names);
        for (int k = 0; k < names; ++k) order[static_cast<std::size_t>(k)] = k;
        std::shuffle(order.begin(), order.end(), std::mt19937(static_cast<unsigned>(i)));
        for (int k : order) {
            channel c = sec.get("chan" + std::to_string(k));
            enqueued(c, c, 1, 1);
        }
    });
    REQUIRE(g.wait_all() == procs);
    const auto s = read_snapshot(t.name());
    CHECK(s.channels.size() == static_cast<std::size_t>(names));
    std::set<std::string> seen;
    for (const auto& c : s.channels) {
        CHECK(seen.insert(c.name).second);
        CHECK(c.get(counter::received_messages) == procs);
    }
}

TEST_CASE("writers racing to auto-create the section make exactly one", "[multiprocess]") {
    temp_section t;
    constexpr int procs = 6, events = 1000;
    gang g(procs, [&](int) {
        section sec(t.name()); // all try to create at the same moment
        channel c = sec.get("x");
        for (int k = 0; k < events; ++k) enqueued(c, c, 1, 1);
    });
    REQUIRE(g.wait_all() == procs);
    const auto s = read_snapshot(t.name());
    REQUIRE(s.channels.size() == 1);
    CHECK(s.channels[0].get(counter::received_messages) == std::int64_t{procs} * events);
}

TEST_CASE("a writer killed with SIGKILL mid-work leaves a section others update and read",
          "[multiprocess]") {
    temp_section t;
    create_section(t.name());
    for (int round = 0; round < 5; ++round) {
        int started[2];
        REQUIRE(::pipe(started) == 0);
        gang victim(1, [&](int) {
            section sec(t.name());
            channel a = sec.get("victim"), b = sec.get("shared");
            association_opened(b, direction::inbound);
            (void)!::write(started[1], "s", 1); // the kill must land mid-work, not before it
            for (std::uint64_t k = 0;; ++k) {
                enqueued(a, b, 1, 10);
                if (k % 16 == 0) (void)sec.get("v" + std::to_string(k % 64)); // registrations too
            }
        });
        victim.release();
        char c = 0;
        REQUIRE(::read(started[0], &c, 1) == 1);
        ::close(started[0]);
        ::close(started[1]);
        std::this_thread::sleep_for(std::chrono::milliseconds(5 + 7 * round));
        ::kill(victim.pids()[0], SIGKILL);
        victim.wait_all();
    }
    constexpr int events = 20000;
    gang survivors(2, [&](int) {
        section sec(t.name());
        channel c = sec.get("survivor"), b = sec.get("shared");
        for (int k = 0; k < events; ++k) enqueued(c, b, 1, 1);
    });
    REQUIRE(survivors.wait_all() == 2);
    const auto s = read_snapshot(t.name());
    const auto* c = s.find("survivor");
    REQUIRE(c);
    CHECK(c->get(counter::submitted_messages) == std::int64_t{2} * events);
    const auto* b = s.find("shared");
    REQUIRE(b);
    CHECK(b->current_in == 0); // the killed writers' open associations are not counted
    CHECK(b->get(counter::in_assocs) == 5);
    std::set<std::string> seen;
    for (const auto& ch : s.channels) CHECK(seen.insert(ch.name).second);
}

TEST_CASE("current associations count only live processes", "[multiprocess]") {
    temp_section t;
    section sec(t.name());
    channel c = sec.get("tcp_local");
    association_opened(c, direction::inbound);
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        // The child inherits the handle: its events go to its own process slot.
        for (int i = 0; i < 3; ++i) association_opened(c, direction::inbound);
        association_opened(c, direction::outbound);
        (void)::write(ready[1], "x", 1);
        for (;;) ::pause();
    }
    char x;
    REQUIRE(::read(ready[0], &x, 1) == 1);
    auto s = read_snapshot(t.name());
    CHECK(s.channels.at(0).current_in == 4);
    CHECK(s.channels.at(0).current_out == 1);
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    s = read_snapshot(t.name());
    CHECK(s.channels.at(0).current_in == 1);
    CHECK(s.channels.at(0).current_out == 0);
    CHECK(s.channels.at(0).get(counter::in_assocs) == 4);
    ::close(ready[0]);
    ::close(ready[1]);
}

TEST_CASE("a registration claim left by a dead process is recovered", "[multiprocess]") {
    temp_section t;
    section sec(t.name());
    (void)sec.get("first");
    // A child that exits at once gives us the pid of a dead process.
    pid_t dead = ::fork();
    if (dead == 0) ::_exit(0);
    ::waitpid(dead, nullptr, 0);
    {
        int fd = ::shm_open(("/" + t.name()).c_str(), O_RDWR, 0);
        REQUIRE(fd >= 0);
        struct stat st {};
        REQUIRE(::fstat(fd, &st) == 0);
        void* p = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        REQUIRE(p != MAP_FAILED);
        auto* h = static_cast<detail::header*>(p);
        auto* slot1 = reinterpret_cast<detail::channel_slot*>(static_cast<char*>(p) + h->channels_offset +
                                                              h->slot_size);
        REQUIRE(slot1->claim.load() == detail::claim_free);
        slot1->claim_time = static_cast<std::int64_t>(::time(nullptr));
        std::memcpy(slot1->name, "half-writ", 9); // no NUL, never published
        slot1->claim.store((std::uint64_t(static_cast<std::uint32_t>(dead)) << 32) | 1u);
        ::munmap(p, static_cast<std::size_t>(st.st_size));
        ::close(fd);
    }
    // Readers skip the unpublished slot; a writer takes it over.
    CHECK(read_snapshot(t.name()).channels.size() == 1);
    const auto t0 = std::chrono::steady_clock::now();
    channel c = sec.get("second");
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
    enqueued(c, c, 1, 1);
    const auto s = read_snapshot(t.name());
    REQUIRE(s.channels.size() == 2);
    CHECK(s.channels[1].name == "second");
    CHECK(s.channels[1].get(counter::received_messages) == 1);
}

TEST_CASE("a snapshot skips a slot being registered and still adds the current associations to the right channels",
          "[multiprocess][snapshot]") {
    temp_section t;
    section sec(t.name());
    const channel a = sec.get("aa"), b = sec.get("bb"), c = sec.get("cc"), d = sec.get("dd");
    association_opened(c, direction::inbound);
    association_opened(c, direction::inbound);
    association_opened(d, direction::outbound);
    association_opened(a, direction::outbound);
    {
        const snapshot all = read_snapshot(t.name());
        REQUIRE(all.channels.size() == 4);
        CHECK(all.channels.capacity() == 4); // allocated once, exactly
        CHECK(all.channels[2].current_in == 2);
    }
    // Slot 1 ("bb") turned into a registration in progress of a process (never published):
    // the channels after it move down one place in the snapshot.
    const int fd = ::shm_open(("/" + t.name()).c_str(), O_RDWR, 0);
    REQUIRE(fd >= 0);
    struct stat st {};
    REQUIRE(::fstat(fd, &st) == 0);
    void* p = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    REQUIRE(p != MAP_FAILED);
    auto* h = static_cast<detail::header*>(p);
    auto* slot1 = reinterpret_cast<detail::channel_slot*>(static_cast<char*>(p) + h->channels_offset + h->slot_size);
    const std::uint64_t ready = slot1->claim.load();
    slot1->claim.store((std::uint64_t{0x7ffffff0} << 32) | 1u);
    const snapshot s = read_snapshot(t.name());
    slot1->claim.store(ready);
    ::munmap(p, static_cast<std::size_t>(st.st_size));
    ::close(fd);
    REQUIRE(s.channels.size() == 3);
    CHECK(s.section.channels == 3);
    CHECK(s.channels[0].name == "aa");
    CHECK(s.channels[0].current_out == 1);
    CHECK(s.channels[0].current_in == 0);
    CHECK(s.channels[1].name == "cc");
    CHECK(s.channels[1].current_in == 2);
    CHECK(s.channels[1].current_out == 0);
    CHECK(s.channels[2].name == "dd");
    CHECK(s.channels[2].current_out == 1);
    CHECK(s.channels[2].current_in == 0);
    (void)b;
}

TEST_CASE("clear and delete while writers are busy", "[multiprocess]") {
    temp_section t;
    create_section(t.name());
    constexpr int procs = 3, events = 200000;
    gang g(procs, [&](int) {
        section sec(t.name());
        channel a = sec.get("a"), b = sec.get("b");
        for (int k = 0; k < events; ++k) {
            enqueued(a, b, 1, 1);
            dequeued(b, 1, 1, 0, true);
        }
    });
    g.release();
    for (int i = 0; i < 3; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(3));
        try {
            clear_section(t.name());
        } catch (const error& e) {
            CHECK(e.code() == errc::not_found); // deleted, and no writer has re-created it yet
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(3));
        try {
            delete_section(t.name());
        } catch (const error& e) {
            CHECK(e.code() == errc::not_found); // already deleted and not yet re-created
        }
    }
    REQUIRE(g.wait_all() == procs);
    const auto s = read_snapshot(t.name()); // writers re-created it
    const auto* b = s.find("b");
    REQUIRE(b);
    CHECK(b->get(counter::received_messages) > 0);
    CHECK(b->get(counter::received_messages) <= std::int64_t{procs} * events);
    CHECK(b->get(counter::delivered_messages) <= std::int64_t{procs} * events);
    for (const auto& ch : s.channels)
        for (std::size_t k = 0; k < counter_count; ++k)
            if (!info(static_cast<counter>(k)).gauge) CHECK(ch.value[k] >= 0);
}

TEST_CASE("a killed writer that is not yet reaped (a zombie) no longer counts", "[multiprocess]") {
    temp_section t;
    section sec(t.name());
    channel c = sec.get("tcp_local");
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        association_opened(c, direction::inbound);
        (void)!::write(ready[1], "x", 1);
        for (;;) ::pause();
    }
    char x;
    REQUIRE(::read(ready[0], &x, 1) == 1);
    CHECK(read_snapshot(t.name()).channels.at(0).current_in == 1);
    ::kill(pid, SIGKILL);
    // Not reaped yet: wait until the kernel has made it a zombie.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    siginfo_t info{};
    while (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT | WNOHANG) == 0 && info.si_pid == 0 &&
           std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    CHECK(read_snapshot(t.name()).channels.at(0).current_in == 0);
    ::waitpid(pid, nullptr, 0);
    ::close(ready[0]);
    ::close(ready[1]);
}

// SPDX-License-Identifier: MIT
// Clocks, process liveness, and the per-process slot protocol shared by both formats.
#include "process.hpp"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

namespace counters::detail::shm {

std::int64_t now_seconds() noexcept {
    struct timespec ts {};
    ::clock_gettime(CLOCK_REALTIME_COARSE, &ts);
    return static_cast<std::int64_t>(ts.tv_sec);
}

std::int64_t now_millis() noexcept {
    struct timespec ts {};
    ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

namespace {
/// Reads /proc/PID/stat: the state letter (field 3) and the start time (field 22).
bool read_proc_stat(pid_t pid, char& state, std::int64_t& start) noexcept {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
    std::FILE* f = std::fopen(path, "re");
    if (f == nullptr) return false;
    char buf[1024];
    std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    buf[n] = '\0';
    // The command name (field 2) may hold spaces and parentheses: skip to the last ')'.
    char* p = std::strrchr(buf, ')');
    if (p == nullptr || p[1] != ' ' || p[2] == '\0') return false;
    state = p[2];
    ++p;
    for (int field = 3; field < 22; ++field) { // fields after the name start at 3
        p = std::strchr(p + 1, ' ');
        if (p == nullptr) return false;
    }
    char* end = nullptr;
    const long long v = std::strtoll(p + 1, &end, 10);
    if (end == p + 1) return false;
    start = v;
    return true;
}

std::atomic<pid_t> g_pid{0};
void after_fork_child() { g_pid.store(::getpid(), std::memory_order_relaxed); }
} // namespace

std::int64_t process_start_ticks(pid_t pid) noexcept {
    char state = 0;
    std::int64_t start = -1;
    return read_proc_stat(pid, state, start) ? start : -1;
}

bool process_alive(pid_t pid, std::int64_t start_ticks) noexcept {
    if (pid <= 0) return false;
    if (::kill(pid, 0) != 0 && errno == ESRCH) return false;
    char state = 0;
    std::int64_t start = -1;
    if (read_proc_stat(pid, state, start)) {
        if (state == 'Z' || state == 'X') return false;           // killed, not yet reaped
        if (start_ticks >= 0 && start != start_ticks) return false; // the pid was reused
    }
    return true;
}

bool process_stopped(pid_t pid) noexcept {
    char state = 0;
    std::int64_t start = -1;
    return pid > 0 && read_proc_stat(pid, state, start) && (state == 'T' || state == 't');
}

pid_t current_pid() noexcept {
    pid_t p = g_pid.load(std::memory_order_relaxed);
    if (p != 0) return p;
    static const int atfork = ::pthread_atfork(nullptr, nullptr, after_fork_child);
    p = ::getpid();
    if (atfork == 0) g_pid.store(p, std::memory_order_relaxed); // children will refresh it
    return p;
}

namespace {
/// This process's start ticks, read once per process (again in a child after fork()).
std::int64_t own_start_ticks(pid_t self) noexcept {
    static std::atomic<std::int64_t> cached{-1};
    static std::atomic<pid_t> cached_pid{0};
    if (cached_pid.load(std::memory_order_acquire) == self) return cached.load(std::memory_order_relaxed);
    const std::int64_t t = process_start_ticks(self);
    cached.store(t, std::memory_order_relaxed);
    cached_pid.store(self, std::memory_order_release);
    return t;
}
} // namespace

owner_state examine_owner(std::uint64_t o, const a64& start_ticks, pid_t self) noexcept {
    if (o == 0) return owner_state::free;
    const auto pid = static_cast<pid_t>(o & ~owner_busy);
    // A slot held busy may have been taken by its claimant a moment ago, before it wrote its
    // start time: check the pid alone. Otherwise the start time tells a reused pid.
    const bool busy = (o & owner_busy) != 0;
    if (pid == self) {
        // Our pid, but perhaps not us: a process that had it before (earlier in this boot,
        // or before a reboot, for a file-backed segment) and died holding the slot.
        const std::int64_t mine = busy ? -1 : own_start_ticks(self);
        const std::int64_t theirs = start_ticks.load(std::memory_order_relaxed);
        return mine < 0 || theirs == mine ? owner_state::mine : owner_state::dead;
    }
    return process_alive(pid, busy ? -1 : start_ticks.load(std::memory_order_relaxed)) ? owner_state::live
                                                                                        : owner_state::dead;
}

std::optional<std::uint32_t> claim_process_slot(const process_table& t, bool reap_all) noexcept {
    const pid_t pid = current_pid();
    const std::int64_t ticks = process_start_ticks(pid);
    const std::uint64_t busy = owner_busy | static_cast<std::uint64_t>(pid);
    std::optional<std::uint32_t> got;
    for (std::uint32_t i = 0; i < t.count(); ++i) {
        au64& owner = t.owner(i);
        std::uint64_t o = owner.load(std::memory_order_acquire);
        const owner_state st = examine_owner(o, t.start_ticks(i), pid);
        if (st == owner_state::mine || st == owner_state::live) continue;
        if (st == owner_state::free && got) continue;
        if (!owner.compare_exchange_strong(o, busy, std::memory_order_acq_rel)) continue;
        if (st == owner_state::dead) {
            t.reap(i);
            if (got) { // reaped on the way: free it again
                owner.store(0, std::memory_order_release);
                continue;
            }
        }
        t.reset(i);
        t.start_ticks(i).store(ticks, std::memory_order_relaxed);
        owner.store(static_cast<std::uint64_t>(pid), std::memory_order_release);
        got = i;
        if (!reap_all) break;
    }
    return got;
}

bool reap_dead_owners(const process_table& t) noexcept {
    const pid_t pid = current_pid();
    bool touched = false;
    for (std::uint32_t i = 0; i < t.count(); ++i) {
        au64& owner = t.owner(i);
        std::uint64_t o = owner.load(std::memory_order_acquire);
        const owner_state st = examine_owner(o, t.start_ticks(i), pid);
        if (st == owner_state::free || st == owner_state::mine) continue;
        if (st == owner_state::live) {
            touched = touched || (o & owner_busy) != 0; // being claimed, or reaped elsewhere
            continue;
        }
        touched = true;
        if (!owner.compare_exchange_strong(o, owner_busy | static_cast<std::uint64_t>(pid),
                                           std::memory_order_acq_rel))
            continue;
        t.reap(i);
        owner.store(0, std::memory_order_release);
    }
    return touched;
}

void release_process_slot(const process_table& t, std::uint32_t i) noexcept {
    au64& owner = t.owner(i);
    std::uint64_t o = static_cast<std::uint64_t>(current_pid());
    if (!owner.compare_exchange_strong(o, owner_busy | o, std::memory_order_acq_rel)) return;
    t.reap(i);
    owner.store(0, std::memory_order_release);
}

std::optional<std::uint32_t> process_slot_cache::current() const noexcept {
    const std::uint32_t s = slot_plus1_.load(std::memory_order_acquire);
    if (s == 0 || pid_.load(std::memory_order_relaxed) != current_pid()) return std::nullopt;
    return s - 1;
}

std::optional<std::uint32_t> process_slot_cache::get(const process_table& t, bool reap_all) noexcept {
    if (auto s = current()) return s;
    const pid_t pid = current_pid();
    if (failed_pid_.load(std::memory_order_relaxed) == pid &&
        now_millis() - failed_ms_.load(std::memory_order_relaxed) < 1000)
        return std::nullopt;
    pid_t c = claimer_.load(std::memory_order_acquire);
    if (c == pid || !claimer_.compare_exchange_strong(c, pid, std::memory_order_acq_rel)) return std::nullopt;
    std::optional<std::uint32_t> s = current();
    if (!s) {
        s = claim_process_slot(t, reap_all);
        if (s) {
            slot_plus1_.store(0, std::memory_order_relaxed);
            pid_.store(pid, std::memory_order_relaxed);
            slot_plus1_.store(*s + 1, std::memory_order_release);
        } else {
            failed_ms_.store(now_millis(), std::memory_order_relaxed);
            failed_pid_.store(pid, std::memory_order_relaxed);
        }
    }
    claimer_.store(0, std::memory_order_release);
    return s;
}

} // namespace counters::detail::shm

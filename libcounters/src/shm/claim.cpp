// SPDX-License-Identifier: MIT
// Registration claims and the name-claim loop.
#include "claim.hpp"

#include "process.hpp"

#include <atomic>
#include <optional>
#include <thread>

namespace counters::detail::shm {

std::uint64_t new_claim() noexcept {
    // The start time of this process, read once per process (again in a child after fork()).
    static std::atomic<std::uint64_t> cached{0};
    const auto pid = static_cast<std::uint32_t>(current_pid());
    const std::uint64_t c = cached.load(std::memory_order_relaxed);
    if (c != 0 && static_cast<std::uint32_t>(c >> 32) == pid) return c;
    const std::uint64_t fresh = claim_word(pid, process_start_ticks(static_cast<pid_t>(pid)));
    cached.store(fresh, std::memory_order_relaxed);
    return fresh;
}

bool claim_is_dead(std::uint64_t c) noexcept {
    const auto pid = static_cast<pid_t>(c >> 32);
    if (!process_alive(pid, -1)) return true;
    const std::int64_t ticks = process_start_ticks(pid);
    // Unreadable start time (another PID namespace, /proc hidden): the pid alone decides.
    return ticks >= 0 && (static_cast<std::uint64_t>(ticks) & 0xffffffffu) != (c & 0xffffffffu);
}

bool claim_is_stopped(std::uint64_t c) noexcept {
    return process_stopped(static_cast<pid_t>(c >> 32));
}

std::uint64_t settle_claim(const name_table& table, std::uint32_t i, std::chrono::milliseconds wait) {
    using namespace std::chrono_literals;
    std::optional<std::chrono::steady_clock::time_point> deadline;
    for (;;) {
        const std::uint64_t c = table.claim(i).load(std::memory_order_acquire);
        if (c == claim_free || c == claim_ready || c == claim_void || claim_is_dead(c) || claim_is_stopped(c))
            return c;
        if (!deadline) {
            deadline = std::chrono::steady_clock::now() + wait;
        } else if (std::chrono::steady_clock::now() > *deadline) {
            table.stuck(i, claim_pid(c));
        }
        std::this_thread::sleep_for(50us);
    }
}

claim_result claim_name(const name_table& table, std::string_view name, std::chrono::milliseconds wait,
                        std::uint32_t from) {
    const std::uint32_t n = table.count();
    // A registrant whose slot was voided while it was stopped starts again from the top:
    // the name may have been registered meanwhile.
    for (;;) {
        bool voided = false;
        for (std::uint32_t i = from; i < n && !voided; ++i) {
            au64& word = table.claim(i);
            for (;;) {
                std::uint64_t c = word.load(std::memory_order_acquire);
                if (c == claim_ready) {
                    if (table.holds(i, name)) return {i, claim_outcome::found};
                    break; // next slot
                }
                if (c == claim_void) break;
                if (c != claim_free) c = settle_claim(table, i, wait);
                if (c == claim_ready) continue; // published meanwhile: look at its name
                if (c == claim_void) break;
                if (c != claim_free) {
                    // Its registrant died, or is stopped, before publishing: void the slot
                    // for good. Whatever that registrant still writes into it when it
                    // resumes, nobody will ever read; its final compare-and-swap fails and
                    // it registers again.
                    word.compare_exchange_strong(c, claim_void, std::memory_order_acq_rel);
                    continue;
                }
                const std::uint64_t mine = new_claim();
                if (!word.compare_exchange_strong(c, mine, std::memory_order_acq_rel)) continue;
                table.fill(i, name);
                std::uint64_t expect = mine;
                if (word.compare_exchange_strong(expect, claim_ready, std::memory_order_acq_rel))
                    return {i, claim_outcome::registered};
                voided = true; // we were stopped and lost the slot: start again
                break;
            }
        }
        if (!voided) return {n, claim_outcome::full};
    }
}

} // namespace counters::detail::shm

// SPDX-License-Identifier: MIT
// Registration claims and the name-claim loop.
#include "claim.hpp"

#include "process.hpp"

#include <optional>
#include <thread>

namespace counters::detail::shm {

std::uint64_t new_claim() noexcept {
    return (std::uint64_t(static_cast<std::uint32_t>(current_pid())) << 32) |
           (static_cast<std::uint64_t>(now_seconds()) & 0xffffffffu);
}

bool claim_is_dead(std::uint64_t c) noexcept {
    if (!process_alive(static_cast<pid_t>(c >> 32), -1)) return true;
    const auto then = static_cast<std::uint32_t>(c & 0xffffffffu);
    const auto now = static_cast<std::uint32_t>(static_cast<std::uint64_t>(now_seconds()) & 0xffffffffu);
    return static_cast<std::int32_t>(now - then) > stale_claim_seconds;
}

std::uint64_t settle_claim(const name_table& table, std::uint32_t i, std::chrono::milliseconds wait) {
    using namespace std::chrono_literals;
    std::optional<std::chrono::steady_clock::time_point> deadline;
    for (;;) {
        const std::uint64_t c = table.claim(i).load(std::memory_order_acquire);
        if (c == claim_free || c == claim_ready || claim_is_dead(c)) return c;
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
    for (std::uint32_t i = from; i < n; ++i) {
        au64& word = table.claim(i);
        for (;;) {
            std::uint64_t c = word.load(std::memory_order_acquire);
            if (c == claim_ready) {
                if (table.holds(i, name)) return {i, claim_outcome::found};
                break; // next slot
            }
            if (c != claim_free) c = settle_claim(table, i, wait);
            if (c == claim_ready) continue; // published meanwhile: look at its name
            // Free, or its registrant died (or stalled) before publishing: nobody uses it.
            const std::uint64_t mine = new_claim();
            if (!word.compare_exchange_strong(c, mine, std::memory_order_acq_rel)) continue;
            table.fill(i, name);
            word.store(claim_ready, std::memory_order_release);
            return {i, claim_outcome::registered};
        }
    }
    return {n, claim_outcome::full};
}

} // namespace counters::detail::shm

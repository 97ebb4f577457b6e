// SPDX-License-Identifier: MIT
// STRING fields of the counter registry: double-buffered, lock-free between processes.
#include "impl.hpp"

#include <chrono>
#include <cstring>
#include <sched.h>

namespace counters::detail::reg {

bool store_string(void* storage, std::uint32_t size, std::string_view s) noexcept {
    // Two buffers; the sequence word's generation (low 32 bits) says which one is published:
    // buffer (gen >> 1) & 1. A writer makes the generation odd (holding the word, its pid in
    // the high 32 bits), fills the other buffer and publishes it by making the generation
    // even again. The published buffer is never written, so a reader always has a complete
    // value to copy, even while a writer is mid-update or after one died there.
    auto* seq = static_cast<au64*>(storage);
    const std::uint32_t cap = string_capacity_words(size) * 8;
    const pid_t self = shm::current_pid();
    const std::uint64_t me = std::uint64_t(static_cast<std::uint32_t>(self)) << 32;
    std::uint64_t cur = seq->load(std::memory_order_relaxed);
    std::uint64_t held = 0;
    for (int spin = 0;; ++spin) {
        if ((cur & 1) == 0) {
            const std::uint64_t next = me | ((cur + 1) & 0xffffffffu);
            if (seq->compare_exchange_weak(cur, next, std::memory_order_acq_rel, std::memory_order_relaxed)) {
                held = next;
                break;
            }
            continue;
        }
        // Another writer is mid-update. Take over from a dead one (keeping its odd generation:
        // the buffer it was filling is the unpublished one); yield to a live one a bounded
        // number of times, then let its value win.
        const auto holder = static_cast<pid_t>(cur >> 32);
        if (spin >= 8 && holder != self && !shm::process_alive(holder, -1)) {
            const std::uint64_t next = me | (cur & 0xffffffffu);
            if (seq->compare_exchange_strong(cur, next, std::memory_order_acq_rel, std::memory_order_relaxed)) {
                held = next;
                break;
            }
            continue;
        }
        if (spin >= 64) return false;
        sched_yield();
        cur = seq->load(std::memory_order_relaxed);
    }
    std::atomic_thread_fence(std::memory_order_release);
    const std::uint32_t gen = static_cast<std::uint32_t>(held);
    const std::uint32_t target = ((gen >> 1) + 1) & 1; // the unpublished buffer
    auto* words = reinterpret_cast<au64*>(static_cast<unsigned char*>(storage) + 8 + std::size_t{target} * cap);
    const std::size_t n = s.size() < size ? s.size() : size - 1;
    for (std::uint32_t w = 0; w < cap / 8; ++w) {
        unsigned char b[8] = {};
        for (std::size_t j = 0; j < 8; ++j) {
            const std::size_t at = std::size_t{w} * 8 + j;
            if (at < n) b[j] = static_cast<unsigned char>(s[at]);
        }
        std::uint64_t v;
        std::memcpy(&v, b, 8);
        words[w].store(v, std::memory_order_relaxed);
    }
    // Publish: even generation, no holder. Fails only when a writer took over from us.
    return seq->compare_exchange_strong(held, (held + 1) & 0xffffffffu, std::memory_order_release,
                                        std::memory_order_relaxed);
}

bool load_string(const void* storage, std::uint32_t size, std::string& out) noexcept {
    const auto* seq = static_cast<const au64*>(storage);
    const std::uint32_t cap = string_capacity_words(size) * 8;
    char buf[limit_data_size];
    // The published buffer is never written, so one copy normally suffices; it is redone
    // only when writers published twice while it was being made (the buffer was reused).
    // Bounded: a value rewritten continuously for 100 ms gives up.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
    for (int attempt = 0;; ++attempt) {
        if (attempt >= 64 && (attempt % 64) == 0 && std::chrono::steady_clock::now() > deadline) return false;
        const auto g1 = static_cast<std::uint32_t>(seq->load(std::memory_order_acquire));
        const std::uint32_t b = (g1 >> 1) & 1;
        const auto* words = reinterpret_cast<const au64*>(static_cast<const unsigned char*>(storage) + 8 +
                                                          std::size_t{b} * cap);
        for (std::uint32_t w = 0; w < cap / 8; ++w) {
            const std::uint64_t v = words[w].load(std::memory_order_relaxed);
            std::memcpy(buf + std::size_t{w} * 8, &v, 8);
        }
        std::atomic_thread_fence(std::memory_order_acquire);
        const auto g2 = static_cast<std::uint32_t>(seq->load(std::memory_order_relaxed));
        // Buffer b is next written by the writer that takes generation (g1 | 1) + 2.
        if (static_cast<std::uint32_t>(g2 - g1) > ((g1 & 1) != 0 ? 1u : 2u)) continue;
        const void* nul = std::memchr(buf, '\0', size);
        out.assign(buf, nul ? static_cast<std::size_t>(static_cast<const char*>(nul) - buf) : std::size_t{size} - 1);
        return true;
    }
}

} // namespace counters::detail::reg

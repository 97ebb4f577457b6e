// SPDX-License-Identifier: MIT
// mta-sim: the random draws of one worker (its own generator: seed + worker index).
// Distributions are computed here rather than with <random>'s distributions so that a seed
// gives the same run with any standard library.
#pragma once

#include <cstdint>
#include <random>

namespace mta_sim {

class workload {
public:
    explicit workload(std::uint64_t seed) : rng_(seed) {}

    /// A seed for a second, independent generator derived from @p seed (the splitmix64
    /// finaliser), so that one part of a worker (the mail readers) can draw without changing
    /// the draws of the other.
    static constexpr std::uint64_t stream_seed(std::uint64_t seed) noexcept {
        std::uint64_t z = seed + 0x9E3779B97F4A7C15ull;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }

    /// Uniform in [0, 1).
    double uniform() noexcept { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }
    double uniform(double lo, double hi) noexcept { return lo + (hi - lo) * uniform(); }
    bool chance(double p) noexcept { return uniform() < p; }
    /// Uniform integer in [lo, hi].
    std::uint32_t between(std::uint32_t lo, std::uint32_t hi) noexcept;
    /// Exponentially distributed with mean @p mean.
    double exponential(double mean) noexcept;
    /// Log-normal with median @p median and shape @p sigma.
    double lognormal(double median, double sigma) noexcept;

    /// Size of a new message in bytes: most 2-50 KB, a tail of attachments to several MB.
    std::uint64_t message_bytes() noexcept;
    /// Envelope recipients of a new message: mostly one, sometimes a few, rarely a list.
    std::uint32_t recipients() noexcept;
    /// Messages carried by one inbound SMTP connection, at most @p max (1..5 typical).
    std::uint32_t messages_per_connection(std::uint32_t max) noexcept;

private:
    std::mt19937_64 rng_;
};

} // namespace mta_sim

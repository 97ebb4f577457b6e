// SPDX-License-Identifier: MIT
// mta-sim: distributions of sizes, recipients and connection lengths.
#include "workload.hpp"

#include <algorithm>
#include <cmath>

namespace mta_sim {

std::uint32_t workload::between(std::uint32_t lo, std::uint32_t hi) noexcept {
    const std::uint64_t span = static_cast<std::uint64_t>(hi - lo) + 1;
    return lo + static_cast<std::uint32_t>(rng_() % span);
}

double workload::exponential(double mean) noexcept { return -mean * std::log1p(-uniform()); }

double workload::lognormal(double median, double sigma) noexcept {
    // Box-Muller: one standard normal draw from two uniforms.
    const double u1 = 1.0 - uniform(); // (0, 1]
    const double u2 = uniform();
    const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    return median * std::exp(sigma * z);
}

std::uint64_t workload::message_bytes() noexcept {
    double b;
    if (chance(0.92))
        b = lognormal(9000.0, 0.75);     // text and HTML mail: ~2-40 KB
    else
        b = lognormal(250000.0, 1.3);    // attachments: ~20 KB to several MB
    b = std::clamp(b, 600.0, 30.0 * 1024 * 1024);
    return static_cast<std::uint64_t>(b);
}

std::uint32_t workload::recipients() noexcept {
    const double u = uniform();
    if (u < 0.78) return 1;
    if (u < 0.96) return between(2, 5);
    if (u < 0.995) return between(6, 30);
    return between(31, 200); // a mailing list expansion
}

std::uint32_t workload::messages_per_connection(std::uint32_t max) noexcept {
    const double u = uniform();
    std::uint32_t n = u < 0.55 ? 1 : u < 0.75 ? 2 : u < 0.87 ? 3 : u < 0.95 ? 4 : 5;
    return std::min(n, max);
}

} // namespace mta_sim

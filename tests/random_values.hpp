// SPDX-License-Identifier: MIT
/// @file random_values.hpp
/// Random figures and channel names for the tests that compare a writer with its former
/// implementation on random snapshots (tests/cli, tests/prometheus). Header-only; each
/// function draws from the generator it is given, so a test stays reproducible by its seed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace testing_random {

/// A value of a random magnitude: 0, small, large, extreme, either sign.
inline std::int64_t random_value(std::mt19937_64& rng) {
    switch (rng() % 8) {
    case 0: return 0;
    case 1: return static_cast<std::int64_t>(rng() % 10);
    case 2: return static_cast<std::int64_t>(rng() % 100000);
    case 3: return -static_cast<std::int64_t>(rng() % 100000);
    case 4: return std::numeric_limits<std::int64_t>::max() - static_cast<std::int64_t>(rng() % 3);
    case 5: return std::numeric_limits<std::int64_t>::min() + static_cast<std::int64_t>(rng() % 3);
    case 6: return static_cast<std::int64_t>(rng());
    default: return static_cast<std::int64_t>(rng() % 10000000000ULL);
    }
}

/// One time in four a name of @p hostile; otherwise 1 to @p max_length bytes, mostly
/// [a-z_0-9.-], one in ten any byte at all.
inline std::string random_name(std::mt19937_64& rng, const std::vector<std::string>& hostile,
                               std::size_t max_length) {
    if (rng() % 4 == 0) return hostile[rng() % hostile.size()];
    std::string n;
    const std::size_t len = 1 + rng() % max_length;
    for (std::size_t i = 0; i < len; ++i) {
        if (rng() % 10 == 0)
            n += static_cast<char>(rng() % 256); // any byte
        else
            n += static_cast<char>("abcdefghijklmnopqrstuvwxyz_0123456789-."[rng() % 38]);
    }
    return n;
}

} // namespace testing_random

// mta-sim: what one worker recorded, counted on its side, sent to the parent through a pipe.
#pragma once

#include "channels.hpp"

#include <counters/counter.hpp>

#include <array>
#include <cstdint>
#include <type_traits>

namespace mta_sim {

using counter_array = std::array<std::int64_t, counters::counter_count>;

/// A plain, fixed-size record (written as raw bytes to a pipe between processes of the same
/// binary). `value` mirrors exactly what the library adds for every call the worker made.
struct tally {
    static constexpr std::uint32_t magic_value = 0x4d544153; // "MTAS"
    std::uint32_t magic = magic_value;
    std::uint32_t worker = 0;
    std::array<counter_array, chan_count> value{};
    std::array<std::int64_t, chan_count> current_in{};  ///< open inbound associations
    std::array<std::int64_t, chan_count> current_out{}; ///< open outbound associations
    std::array<std::int64_t, chan_count> queued{};      ///< entries left in the simulated queues
    std::uint64_t events = 0;          ///< recording calls made
    std::uint64_t offered = 0;         ///< messages offered by SMTP clients and local users
    std::uint64_t refused_connect = 0; ///< of those, lost with a rejected connection
    std::uint64_t bounces = 0;         ///< non-delivery notices generated
    std::uint64_t retries = 0;         ///< delivery attempts after a temporary failure

    std::int64_t get(chan c, counters::counter k) const noexcept {
        return value[idx(c)][counters::index(k)];
    }
    tally& operator+=(const tally& o) noexcept;
};
static_assert(std::is_trivially_copyable_v<tally>);

} // namespace mta_sim

// SPDX-License-Identifier: MIT
// mta-sim: what one worker recorded, counted on its side, sent to the parent through a pipe.
#pragma once

#include "channels.hpp"
#include "services.hpp"

#include <counters/counter.hpp>

#include <array>
#include <cstdint>
#include <type_traits>

namespace mta_sim {

using counter_array = std::array<std::int64_t, counters::counter_count>;

/// What one worker recorded into one service object of the registry, and how many of its
/// connections were open at once.
struct service_tally {
    std::int64_t connections = 0;        ///< accepted(): numConnections
    std::int64_t failed_connections = 0; ///< failed(): numFailedConnections
    std::int64_t good_logins = 0;        ///< login_ok(): numGoodLogins
    std::int64_t failed_logins = 0;      ///< login_failed(): numFailedLogins
    std::int64_t open = 0;               ///< accepted() minus closed(): still open
    std::int64_t refused = 0;            ///< of the failed connections, refused before accept
    std::int64_t peak_sum = 0;           ///< sum over workers of each one's most open at once
    std::int64_t peak_max = 0;           ///< the highest single worker's most open at once

    service_tally& operator+=(const service_tally& o) noexcept;
};

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
    std::uint64_t events = 0;          ///< recording calls made (section and registry)
    std::uint64_t offered = 0;         ///< messages offered by SMTP clients and local users
    std::uint64_t refused_connect = 0; ///< of those, lost with a rejected connection
    std::uint64_t bounces = 0;         ///< non-delivery notices generated
    std::uint64_t retries = 0;         ///< delivery attempts after a temporary failure
    std::uint64_t store_deliveries = 0; ///< messages ims-ms delivered into the message store
    /// imapstat, popstat (all zero with --no-servers)
    std::array<service_tally, service_count> service{};

    std::int64_t get(chan c, counters::counter k) const noexcept {
        return value[idx(c)][counters::index(k)];
    }
    tally& operator+=(const tally& o) noexcept;
};
static_assert(std::is_trivially_copyable_v<tally>);

} // namespace mta_sim

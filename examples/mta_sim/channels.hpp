// SPDX-License-Identifier: MIT
// mta-sim: the channels of the simulated MTA.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace mta_sim {

/// The channels a worker records into. The names are those of a Messaging Server MTA.
enum class chan : std::uint8_t {
    tcp_local,    ///< SMTP to and from the internet (server part submits, client part delivers)
    tcp_intranet, ///< SMTP to and from internal hosts
    conversion,   ///< pass-through: virus scan / content conversion before the store
    ims_ms,       ///< delivery into the message store
    l,            ///< local submission (sendmail command line, webmail)
};

inline constexpr std::size_t chan_count = 5;

inline constexpr std::array<const char*, chan_count> chan_names = {
    "tcp_local", "tcp_intranet", "conversion", "ims-ms", "l"};

constexpr std::size_t idx(chan c) noexcept { return static_cast<std::size_t>(c); }
constexpr const char* name_of(chan c) noexcept { return chan_names[idx(c)]; }

} // namespace mta_sim

// SPDX-License-Identifier: MIT
// mta-sim: one queued message copy (what one E record put into one channel's queue).
#pragma once

#include "channels.hpp"

#include <cstdint>

namespace mta_sim {

/// Where the envelope sender lives: decides where a non-delivery notice goes.
enum class sender_kind : std::uint8_t { internet, intranet, local };

/// The channel a bounce to a sender of @p k is enqueued to.
constexpr chan return_channel(sender_kind k) noexcept {
    return k == sender_kind::internet   ? chan::tcp_local
           : k == sender_kind::intranet ? chan::tcp_intranet
                                        : chan::ims_ms; // a local user's mailbox
}

struct message {
    std::uint64_t id = 0;          ///< worker-local message id
    std::uint64_t bytes = 0;       ///< size in bytes
    std::uint32_t recipients = 0;  ///< envelope recipients of this copy
    std::uint32_t attempts = 0;    ///< delivery attempts that failed temporarily so far
    double enqueued_at = 0;        ///< simulated seconds when it entered the queue
    sender_kind sender = sender_kind::internet;
    bool bounce = false;           ///< a non-delivery notice (null sender): never bounced
    bool unreachable = false;      ///< its destination host never answers (times out)
};

} // namespace mta_sim

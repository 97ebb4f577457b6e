// SPDX-License-Identifier: MIT
// mta-sim: local submission through the l channel (command-line sendmail, webmail).
#include "mta.hpp"

namespace mta_sim {

namespace {
constexpr double reject_local = 0.003; // J: over the size limit, no valid recipient
} // namespace

std::uint32_t local_submission(mta& m) {
    const message msg = m.new_message(sender_kind::local);
    if (m.rng().chance(reject_local))
        m.rec().rejected(chan::l, msg.recipients, msg.bytes);
    else
        m.route(chan::l, msg);
    return 1;
}

} // namespace mta_sim

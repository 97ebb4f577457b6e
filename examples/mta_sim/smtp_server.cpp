// SPDX-License-Identifier: MIT
// mta-sim: the SMTP server parts of tcp_local (internet) and tcp_intranet (internal hosts).
// One call is one inbound association carrying a few messages.
#include "mta.hpp"

namespace mta_sim {

namespace {
struct server_profile {
    sender_kind senders;
    double reject_connection; ///< X: refused at connect (RBL, connection limits)
    double reject_message;    ///< J: refused in the SMTP dialogue (spam, no such user, size)
};

server_profile profile_of(chan server) {
    if (server == chan::tcp_local) return {sender_kind::internet, 0.04, 0.07};
    return {sender_kind::intranet, 0.002, 0.005};
}
} // namespace

std::uint32_t smtp_session(mta& m, chan server, std::uint32_t max) {
    const server_profile p = profile_of(server);
    workload& w = m.rng();
    recorder& rec = m.rec();
    const std::uint32_t n = w.messages_per_connection(max);
    if (w.chance(p.reject_connection)) {
        rec.association_rejected(server);
        rec.counts().refused_connect += n;
        return n;
    }
    rec.association_opened(server, counters::direction::inbound);
    for (std::uint32_t i = 0; i < n; ++i) {
        const message msg = m.new_message(p.senders);
        if (w.chance(p.reject_message))
            rec.rejected(server, msg.recipients, msg.bytes);
        else
            m.route(server, msg);
    }
    rec.association_closed(server, counters::direction::inbound);
    return n;
}

} // namespace mta_sim

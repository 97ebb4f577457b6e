// SPDX-License-Identifier: MIT
// mta-sim: the SMTP client parts of tcp_local and tcp_intranet. Outbound associations are
// cached: a following message to the same host reuses the open connection for a while.
#include "mta.hpp"

namespace mta_sim {

namespace {

struct client_profile {
    double pickup_min, pickup_max; ///< seconds before the first attempt
    double connect_fail;           ///< Y: the remote host does not answer
    double temporary;              ///< 4xx reply: Q
    double permanent;              ///< 5xx reply: R
};

class smtp_client final : public channel_program {
public:
    explicit smtp_client(chan ch)
        : ch_(ch),
          p_(ch == chan::tcp_local ? client_profile{0.5, 10.0, 0.03, 0.03, 0.02}
                                   : client_profile{0.1, 2.0, 0.005, 0.01, 0.005}) {}

    double pickup_delay(workload& w) override { return w.uniform(p_.pickup_min, p_.pickup_max); }

    void attempt(mta& m, queue_store::ref r) override {
        workload& w = m.rng();
        // Reuse the cached connection when this message goes to the same host.
        if (open_ && (m.now() > idle_until_ || uses_ >= max_uses || !w.chance(same_host)))
            close(m);
        if (!open_) {
            if (m.queue().at(r).unreachable || w.chance(p_.connect_fail)) {
                m.rec().association_failed(ch_);
                m.defer(r);
                return;
            }
            m.rec().association_opened(ch_, counters::direction::outbound);
            open_ = true;
            uses_ = 0;
        }
        ++uses_;
        idle_until_ = m.now() + idle_timeout;
        const double u = w.uniform();
        if (u < p_.temporary)
            m.defer(r);
        else if (u < p_.temporary + p_.permanent)
            m.fail(r);
        else
            m.deliver(r);
    }

    void finish(mta& m) override {
        if (open_) close(m);
    }

private:
    static constexpr double same_host = 0.35;
    static constexpr double idle_timeout = 20.0;
    static constexpr unsigned max_uses = 20;

    void close(mta& m) {
        m.rec().association_closed(ch_, counters::direction::outbound);
        open_ = false;
    }

    chan ch_;
    client_profile p_;
    bool open_ = false;
    unsigned uses_ = 0;
    double idle_until_ = 0;
};

} // namespace

std::unique_ptr<channel_program> make_smtp_client(chan ch) { return std::make_unique<smtp_client>(ch); }

} // namespace mta_sim

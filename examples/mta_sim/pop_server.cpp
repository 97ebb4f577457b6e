// SPDX-License-Identifier: MIT
// mta-sim: the POP server of the message store. POP clients log in, download the new
// messages and quit within seconds; as with IMAP a few connections are refused or dropped
// and some logins fail (POP clients often keep an old password and retry on every poll).
#include "store_access.hpp"

namespace mta_sim {

namespace {

class pop_server final : public access_server {
public:
    pop_server(service_recorder& rec, workload& w, double time_scale) noexcept
        : access_server(service::pop, rec, w, time_scale) {}

    void connect(double now) override {
        if (w_.chance(refused)) {
            rec_.failed(svc_, false);
            return;
        }
        rec_.accepted(svc_);
        if (w_.chance(dropped)) {
            rec_.failed(svc_, true);
            return;
        }
        if (w_.chance(stale_password)) { // POP3 answers -ERR and the client disconnects
            rec_.login_failed(svc_);
            rec_.closed(svc_);
            return;
        }
        rec_.login_ok(svc_);
        keep_open(now, w_.uniform(0.5, 2.0) + w_.exponential(mean_transfer));
    }

private:
    static constexpr double refused = 0.01;
    static constexpr double dropped = 0.006;
    static constexpr double stale_password = 0.05;
    static constexpr double mean_transfer = 6.0; // seconds
};

} // namespace

std::unique_ptr<access_server> make_pop_server(service_recorder& rec, workload& w, double time_scale) {
    return std::make_unique<pop_server>(rec, w, time_scale);
}

} // namespace mta_sim

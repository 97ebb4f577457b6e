// SPDX-License-Identifier: MIT
// mta-sim: the IMAP server of the message store. Mail clients stay connected for minutes
// (IDLE, folder sync); a few connections are refused or dropped before the login, some users
// mistype their password, and now and then a password-guessing bot tries a series of logins.
#include "store_access.hpp"

namespace mta_sim {

namespace {

class imap_server final : public access_server {
public:
    imap_server(service_recorder& rec, workload& w, double time_scale) noexcept
        : access_server(service::imap, rec, w, time_scale) {}

    void connect(double now) override {
        if (w_.chance(refused)) { // connection limit reached, TLS handshake failed
            rec_.failed(svc_, false);
            return;
        }
        rec_.accepted(svc_);
        if (w_.chance(dropped)) { // the client went away during the greeting
            rec_.failed(svc_, true);
            return;
        }
        if (w_.chance(guessing_bot)) { // a series of bad logins, then the server hangs up
            for (std::uint32_t i = w_.between(5, 20); i > 0; --i) rec_.login_failed(svc_);
            rec_.closed(svc_);
            return;
        }
        for (unsigned tries = 1; w_.chance(bad_password); ++tries) {
            rec_.login_failed(svc_);
            if (tries == max_tries) { // the user gives up
                rec_.closed(svc_);
                return;
            }
        }
        rec_.login_ok(svc_);
        keep_open(now, w_.exponential(mean_session));
    }

private:
    static constexpr double refused = 0.006;
    static constexpr double dropped = 0.004;
    static constexpr double guessing_bot = 0.002;
    static constexpr double bad_password = 0.03;
    static constexpr unsigned max_tries = 3;
    static constexpr double mean_session = 150.0; // seconds
};

} // namespace

std::unique_ptr<access_server> make_imap_server(service_recorder& rec, workload& w, double time_scale) {
    return std::make_unique<imap_server>(rec, w, time_scale);
}

} // namespace mta_sim

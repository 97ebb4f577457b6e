// SPDX-License-Identifier: MIT
// mta-sim: the mail readers and the session bookkeeping shared by the IMAP and POP servers.
#include "store_access.hpp"

#include <algorithm>

namespace mta_sim {

void access_server::keep_open(double now, double length) { ends_.push(now + length * scale_); }

void access_server::advance(double t) {
    while (!ends_.empty() && ends_.top() <= t) {
        ends_.pop();
        rec_.closed(svc_);
    }
}

void access_server::finish() {
    while (!ends_.empty()) {
        ends_.pop();
        rec_.closed(svc_);
    }
}

mail_readers::mail_readers(service_recorder& rec, std::uint64_t seed, double time_scale)
    : w_(seed), imap_(make_imap_server(rec, w_, time_scale)), pop_(make_pop_server(rec, w_, time_scale)) {}

void mail_readers::new_mail(double now, std::uint32_t recipients) {
    const std::uint32_t n = std::min(recipients, max_readers);
    for (std::uint32_t i = 0; i < n; ++i) {
        if (!w_.chance(reads_now)) continue;
        if (w_.chance(uses_imap))
            imap_->connect(now);
        else
            pop_->connect(now);
    }
}

void mail_readers::advance(double t) {
    imap_->advance(t);
    pop_->advance(t);
}

void mail_readers::finish() {
    imap_->finish();
    pop_->finish();
}

} // namespace mta_sim

// SPDX-License-Identifier: MIT
// mta-sim: the ims-ms channel, delivery into the message store. Users then read what it
// stores through the IMAP and POP servers (store_access.hpp).
#include "mta.hpp"

namespace mta_sim {

namespace {

class ims_ms final : public channel_program {
public:
    double pickup_delay(workload& w) override { return w.uniform(0.2, 2.0); }

    void attempt(mta& m, queue_store::ref r) override {
        const double u = m.rng().uniform();
        if (u < temporary)
            m.defer(r); // mailbox locked, over quota for now, store busy
        else if (u < temporary + permanent)
            m.fail(r);  // no such mailbox, disabled account
        else {
            m.stored(r);
            m.deliver(r);
        }
    }

private:
    static constexpr double temporary = 0.025;
    static constexpr double permanent = 0.006;
};

} // namespace

std::unique_ptr<channel_program> make_ims_ms() { return std::make_unique<ims_ms>(); }

} // namespace mta_sim

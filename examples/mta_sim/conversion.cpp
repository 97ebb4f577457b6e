// SPDX-License-Identifier: MIT
// mta-sim: the conversion channel, a pass-through: it dequeues a message, scans/converts it
// and enqueues the result to the message store (Received, Submitted and Delivered move
// together, as in section 27.8.5 of the reference).
#include "mta.hpp"

namespace mta_sim {

namespace {

class conversion final : public channel_program {
public:
    double pickup_delay(workload& w) override { return w.uniform(1.0, 4.0); }

    void attempt(mta& m, queue_store::ref r) override {
        workload& w = m.rng();
        const double u = w.uniform();
        if (u < scanner_unavailable) {
            m.defer(r);
            return;
        }
        if (u < scanner_unavailable + refused_content) {
            m.fail(r); // forbidden attachment: returned to the sender
            return;
        }
        message out = m.queue().at(r);
        // Re-encoding changes the size a little (MIME conversion, added headers).
        out.bytes += static_cast<std::uint64_t>(static_cast<double>(out.bytes) * w.uniform(0.0, 0.12));
        m.enqueue(chan::conversion, chan::ims_ms, out);
        m.deliver(r);
    }

private:
    static constexpr double scanner_unavailable = 0.01;
    static constexpr double refused_content = 0.004;
};

} // namespace

std::unique_ptr<channel_program> make_conversion() { return std::make_unique<conversion>(); }

} // namespace mta_sim

// SPDX-License-Identifier: MIT
// mta-sim: the real-time IMAP/POP phase of the parent (--linger).
#include "linger.hpp"

#include "recorder.hpp"
#include "store_access.hpp"
#include "workload.hpp"

#include <chrono>
#include <csignal>
#include <thread>

namespace mta_sim {

namespace {

volatile std::sig_atomic_t stop_requested = 0;

extern "C" void request_stop(int) { stop_requested = 1; }

/// Catches SIGINT and SIGTERM while alive (the previous handlers come back afterwards).
class stop_signals {
public:
    stop_signals() {
        stop_requested = 0;
        struct sigaction sa {};
        sa.sa_handler = request_stop;
        sigemptyset(&sa.sa_mask);
        ::sigaction(SIGINT, &sa, &old_int_);
        ::sigaction(SIGTERM, &sa, &old_term_);
    }
    ~stop_signals() {
        ::sigaction(SIGINT, &old_int_, nullptr);
        ::sigaction(SIGTERM, &old_term_, nullptr);
    }
    stop_signals(const stop_signals&) = delete;
    stop_signals& operator=(const stop_signals&) = delete;

private:
    struct sigaction old_int_ {};
    struct sigaction old_term_ {};
};

constexpr std::chrono::milliseconds tick{100};

} // namespace

linger_result linger(const options& o, counters::registry& reg) {
    using clock = std::chrono::steady_clock;
    linger_result out;
    out.counts.worker = o.processes;
    service_recorder rec(reg, out.counts);
    mail_readers readers(rec, workload::stream_seed(o.seed + o.processes), linger_time_scale);
    workload w(o.seed + o.processes); // the deliveries of each tick

    const stop_signals signals;
    const auto start = clock::now();
    const auto end = start + std::chrono::seconds(o.linger);
    auto next = start;
    auto elapsed = [&] { return std::chrono::duration<double>(clock::now() - start).count(); };
    while (stop_requested == 0) {
        const double now = elapsed();
        readers.advance(now);
        // A few messages reach the store every tick (about 60 a second).
        for (std::uint32_t n = w.between(3, 9); n > 0; --n) {
            readers.new_mail(now, w.recipients());
            ++out.counts.store_deliveries;
        }
        next += tick;
        if (next > end) break;
        std::this_thread::sleep_until(next);
    }
    out.interrupted = stop_requested != 0;
    if (!out.interrupted) std::this_thread::sleep_until(end);
    readers.advance(elapsed());
    readers.finish();
    out.seconds = elapsed();
    return out;
}

} // namespace mta_sim

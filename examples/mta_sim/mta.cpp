// SPDX-License-Identifier: MIT
// mta-sim: the MTA core: routing, queueing outcomes, the event loop.
#include "mta.hpp"

#include "store_access.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace mta_sim {

namespace {
constexpr double mean_interarrival = 1.5;    // simulated seconds between offers
constexpr double drain_after_last = 300.0;   // the queues run this long after the last offer
constexpr std::uint32_t max_attempts = 6;    // temporary failures before a timed-out bounce
constexpr double first_retry = 600.0;        // 10 min, then doubling
constexpr double unreachable_host = 0.004;   // outbound mail to a host that is down for good
constexpr double postmaster_copy = 0.15;     // bounces also copied to the postmaster
} // namespace

mta::mta(recorder& rec, workload& w) : rec_(rec), w_(w) {
    programs_[idx(chan::tcp_local)] = make_smtp_client(chan::tcp_local);
    programs_[idx(chan::tcp_intranet)] = make_smtp_client(chan::tcp_intranet);
    programs_[idx(chan::conversion)] = make_conversion();
    programs_[idx(chan::ims_ms)] = make_ims_ms();
    // l only submits: nothing is ever queued to it.
}

mta::~mta() = default;

message mta::new_message(sender_kind k) {
    message m;
    m.bytes = w_.message_bytes();
    m.recipients = w_.recipients();
    m.sender = k;
    return m;
}

void mta::enqueue(chan from, chan to, message m) {
    channel_program* p = programs_[idx(to)].get();
    if (p == nullptr) throw std::logic_error(std::string("nothing dequeues channel ") + name_of(to));
    rec_.enqueued(from, to, m.recipients, m.bytes);
    m.id = next_id_++;
    m.attempts = 0;
    m.enqueued_at = now_;
    m.unreachable = to == chan::tcp_local && w_.chance(unreachable_host);
    if (q_.has_files() && queue_files::looping(m.id)) { // --queue: sidelined as .HELD
        q_.put_held(to, m);
        return;
    }
    q_.put(to, m, now_ + p->pickup_delay(w_));
}

void mta::route(chan from, const message& m) {
    std::array<std::uint32_t, chan_count> to{};
    for (std::uint32_t i = 0; i < m.recipients; ++i) {
        const double u = w_.uniform();
        switch (m.sender) {
        case sender_kind::internet: // inbound internet mail: local users, some internal hosts
            ++to[idx(u < 0.88 ? chan::ims_ms : chan::tcp_intranet)];
            break;
        case sender_kind::intranet: // internal hosts: mostly out to the internet
            ++to[idx(u < 0.6 ? chan::tcp_local : chan::ims_ms)];
            break;
        case sender_kind::local:
            ++to[idx(u < 0.5 ? chan::tcp_local : u < 0.95 ? chan::ims_ms : chan::tcp_intranet)];
            break;
        }
    }
    // Store-bound mail from outside needs scanning/conversion first (source/destination rule).
    const double conv = m.sender == sender_kind::internet ? 0.3
                        : m.sender == sender_kind::intranet ? 0.1 : 0.0;
    if (to[idx(chan::ims_ms)] > 0 && w_.chance(conv)) {
        to[idx(chan::conversion)] = to[idx(chan::ims_ms)];
        to[idx(chan::ims_ms)] = 0;
    }
    for (std::size_t c = 0; c < chan_count; ++c) {
        if (to[c] == 0) continue;
        message copy = m;
        copy.recipients = to[c];
        enqueue(from, static_cast<chan>(c), copy);
    }
}

void mta::deliver(queue_store::ref r) {
    const message& m = q_.at(r);
    const auto waited = static_cast<std::int64_t>(std::llround(now_ - m.enqueued_at));
    rec_.dequeued(q_.channel_of(r), m.recipients, m.bytes, waited, m.attempts == 0);
    q_.remove(r);
}

void mta::defer(queue_store::ref r) {
    message& m = q_.at(r);
    rec_.deferred(q_.channel_of(r), m.recipients, m.bytes);
    if (++m.attempts >= max_attempts) {
        fail(r); // timed out in the queue: returned to the sender
        return;
    }
    const double wait = first_retry * std::ldexp(1.0, static_cast<int>(m.attempts) - 1);
    q_.retry(r, now_ + wait * w_.uniform(0.8, 1.2));
}

void mta::fail(queue_store::ref r) {
    const chan ch = q_.channel_of(r);
    const message m = q_.at(r); // copy: enqueue() below may move the queue's storage
    rec_.failed(ch, m.recipients, m.bytes);
    deliver(r);
    if (m.bounce) return; // a failed notice is not bounced again
    message ndn;
    ndn.bounce = true;
    ndn.recipients = 1;
    ndn.sender = m.sender;
    ndn.bytes = std::min<std::uint64_t>(m.bytes, 8192) + w_.between(1500, 3000);
    enqueue(ch, return_channel(m.sender), ndn);
    rec_.counts().bounces += 1;
    if (w_.chance(postmaster_copy)) {
        enqueue(ch, chan::ims_ms, ndn);
        rec_.counts().bounces += 1;
    }
}

void mta::stored(queue_store::ref r) {
    rec_.counts().store_deliveries += 1;
    if (readers_ != nullptr) readers_->new_mail(now_, q_.at(r).recipients);
}

void mta::arrival(std::uint64_t remaining) {
    const auto cap = static_cast<std::uint32_t>(std::min<std::uint64_t>(remaining, 5));
    const double u = w_.uniform();
    std::uint32_t n;
    if (u < 0.5)
        n = smtp_session(*this, chan::tcp_local, cap);
    else if (u < 0.75)
        n = smtp_session(*this, chan::tcp_intranet, std::min<std::uint32_t>(cap, 3));
    else
        n = local_submission(*this);
    rec_.counts().offered += n;
}

void mta::process_until(double t) {
    queue_store::ref r;
    double due;
    while (q_.next_due(t, r, due)) {
        now_ = std::max(now_, due);
        if (readers_ != nullptr) readers_->advance(now_);
        if (q_.at(r).attempts > 0) rec_.counts().retries += 1;
        programs_[idx(q_.channel_of(r))]->attempt(*this, r);
    }
    now_ = std::max(now_, t);
    if (readers_ != nullptr) readers_->advance(now_);
}

void mta::run(std::uint64_t messages) {
    std::uint64_t offered = 0;
    while (offered < messages) {
        process_until(now_ + w_.exponential(mean_interarrival));
        const std::uint64_t before = rec_.counts().offered;
        arrival(messages - offered);
        offered += rec_.counts().offered - before;
    }
    process_until(now_ + drain_after_last);
    for (auto& p : programs_)
        if (p) p->finish(*this);
    if (readers_ != nullptr) readers_->finish();
    for (std::size_t c = 0; c < chan_count; ++c) rec_.counts().queued[c] = q_.depth(static_cast<chan>(c));
}

} // namespace mta_sim

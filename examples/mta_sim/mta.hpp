// SPDX-License-Identifier: MIT
// mta-sim: one simulated MTA (one worker process): its queues, its simulated clock, the
// actors that offer mail and the channel programs that deliver it.
//
// Actors, one file each: smtp_server (the SMTP server parts of tcp_local and tcp_intranet),
// local_submit (the l channel), and the channel programs smtp_client (the SMTP client parts
// of tcp_local and tcp_intranet), conversion and ims_ms. Time is simulated: nothing sleeps.
// Optionally, the users of the message store read what ims-ms delivers through the IMAP
// and POP servers (store_access.hpp), on the same simulated clock.
#pragma once

#include "channels.hpp"
#include "message.hpp"
#include "queue_store.hpp"
#include "recorder.hpp"
#include "workload.hpp"

#include <array>
#include <cstdint>
#include <memory>

namespace mta_sim {

class mta;
class mail_readers;

/// The master (dequeue) side of a channel: runs one delivery attempt at a time.
class channel_program {
public:
    virtual ~channel_program() = default;
    /// Seconds between an enqueue to this channel and its first delivery attempt.
    virtual double pickup_delay(workload& w) = 0;
    /// One delivery attempt of entry @p r, due now. Must end with exactly one of
    /// mta::deliver, mta::defer or mta::fail for @p r.
    virtual void attempt(mta& m, queue_store::ref r) = 0;
    /// End of the run: close what is still open (cached SMTP connections).
    virtual void finish(mta&) {}
};

class mta {
public:
    mta(recorder& rec, workload& w);
    ~mta();
    mta(const mta&) = delete;
    mta& operator=(const mta&) = delete;

    /// Tells @p readers of every message ims-ms delivers and moves their clock with the MTA's
    /// (nullptr: nobody reads mail). Set before run(); run() ends their open sessions.
    void use_readers(mail_readers* readers) noexcept { readers_ = readers; }

    /// Offers @p messages messages (SMTP and local submissions), delivering as simulated time
    /// passes; then lets the queues run a little and stops: what is still queued stays.
    void run(std::uint64_t messages);

    // --- for the actors ---
    recorder& rec() noexcept { return rec_; }
    workload& rng() noexcept { return w_; }
    queue_store& queue() noexcept { return q_; }
    double now() const noexcept { return now_; }

    /// A new message from a sender of kind @p k, with size and recipients drawn.
    message new_message(sender_kind k);
    /// E: channel @p from enqueues @p m to channel @p to (first attempt scheduled).
    void enqueue(chan from, chan to, message m);
    /// Splits @p m's recipients over the channels that reach them (the rewrite rules) and
    /// enqueues one copy per destination channel, all submitted by @p from.
    void route(chan from, const message& m);
    /// D: entry @p r leaves its channel's queue (delivered onward or returned).
    void deliver(queue_store::ref r);
    /// Q: the attempt failed temporarily; retried later with a growing interval, or returned
    /// to its sender (R) once it has been tried too often.
    void defer(queue_store::ref r);
    /// R: the attempt failed permanently; the entry is dequeued and a non-delivery notice is
    /// enqueued by the same channel to the sender's channel (and sometimes to the postmaster).
    void fail(queue_store::ref r);
    /// ims-ms put entry @p r into the message store (call before deliver): its recipients'
    /// mail readers are told.
    void stored(queue_store::ref r);

private:
    void arrival(std::uint64_t remaining);
    void process_until(double t);

    recorder& rec_;
    workload& w_;
    queue_store q_;
    double now_ = 0;
    std::uint64_t next_id_ = 1;
    mail_readers* readers_ = nullptr;
    std::array<std::unique_ptr<channel_program>, chan_count> programs_;
};

/// Factories of the channel programs (one file each).
std::unique_ptr<channel_program> make_smtp_client(chan ch);
std::unique_ptr<channel_program> make_conversion();
std::unique_ptr<channel_program> make_ims_ms();

/// Actors offering mail (one file each). Each returns the number of messages it offered.
/// An SMTP client connects to the server part of @p server (tcp_local or tcp_intranet) and
/// offers up to @p max messages on one inbound association.
std::uint32_t smtp_session(mta& m, chan server, std::uint32_t max);
/// A local user submits one message through the l channel.
std::uint32_t local_submission(mta& m);

} // namespace mta_sim

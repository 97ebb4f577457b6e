// SPDX-License-Identifier: MIT
// mta-sim: users reading the mail that ims-ms delivered into the message store, through the
// IMAP and POP servers (imap_server.cpp, pop_server.cpp). The servers' events go to the
// imapstat and popstat objects of the counter registry through a service_recorder.
//
// Sessions overlap in time: a server keeps the end time of every open session and closes the
// ones that are due whenever the clock moves (advance). The clock is the MTA's simulated one
// in the workers and real time in the parent's --linger phase; a time scale shrinks the
// session lengths for the latter.
#pragma once

#include "recorder.hpp"
#include "services.hpp"
#include "workload.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <queue>
#include <vector>

namespace mta_sim {

/// The server side of one access service.
class access_server {
public:
    /// Sessions last their drawn length times @p time_scale.
    access_server(service s, service_recorder& rec, workload& w, double time_scale) noexcept
        : svc_(s), rec_(rec), w_(w), scale_(time_scale) {}
    virtual ~access_server() = default;
    access_server(const access_server&) = delete;
    access_server& operator=(const access_server&) = delete;

    /// A client connects at time @p now: it is refused, or accepted and then dropped, or it
    /// logs in (perhaps after mistyped passwords, or gives up) and its session is scheduled
    /// to end later. Every outcome is recorded.
    virtual void connect(double now) = 0;
    /// Ends the sessions due at or before @p t.
    void advance(double t);
    /// Ends every session still open (the users log out as the simulation stops).
    void finish();
    /// Sessions open now.
    std::size_t sessions() const noexcept { return ends_.size(); }

protected:
    /// The accepted, logged-in connection ends @p length seconds (before scaling) after @p now.
    void keep_open(double now, double length);

    service svc_;
    service_recorder& rec_;
    workload& w_;

private:
    double scale_;
    std::priority_queue<double, std::vector<double>, std::greater<double>> ends_;
};

/// The IMAP server (imap_server.cpp): long sessions (clients stay connected and IDLE).
std::unique_ptr<access_server> make_imap_server(service_recorder& rec, workload& w, double time_scale);
/// The POP server (pop_server.cpp): short sessions (log in, download, quit).
std::unique_ptr<access_server> make_pop_server(service_recorder& rec, workload& w, double time_scale);

/// The users of the message store and the two servers they connect to. Draws from its own
/// generator, so the MTA's draws (and so every channel counter) are the same with or without
/// the servers.
class mail_readers {
public:
    /// @p seed: this worker's reader seed (workload::stream_seed(seed + worker)).
    mail_readers(service_recorder& rec, std::uint64_t seed, double time_scale);

    /// ims-ms delivered a message for @p recipients local users at time @p now: a fraction of
    /// them (told by a new-mail notification, or polling) connect to read it, most through
    /// IMAP, some through POP.
    void new_mail(double now, std::uint32_t recipients);
    /// Ends the sessions due at or before @p t.
    void advance(double t);
    /// Ends every open session.
    void finish();

private:
    static constexpr double reads_now = 0.3;    ///< a recipient connects right away
    static constexpr double uses_imap = 0.75;   ///< of those, with an IMAP client
    static constexpr std::uint32_t max_readers = 10; ///< a list expansion: not everyone at once

    workload w_;
    std::unique_ptr<access_server> imap_, pop_;
};

} // namespace mta_sim

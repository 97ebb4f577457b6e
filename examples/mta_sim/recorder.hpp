// SPDX-License-Identifier: MIT
// mta-sim: the only place that calls the recording API. Every call goes to the library and
// is mirrored into the worker's tally, so the tally is exactly what was recorded: the channel
// counters of the section (recorder) and the service objects of the registry
// (service_recorder).
#pragma once

#include "channels.hpp"
#include "services.hpp"
#include "tally.hpp"

#include <counters/registry.hpp>
#include <counters/section.hpp>
#include <counters/stats.hpp>

#include <array>
#include <cstdint>

namespace mta_sim {

class recorder {
public:
    /// Resolves every channel handle once (throws counters::error, or std::runtime_error
    /// when a channel cannot be recorded because the section's channel table is full).
    explicit recorder(counters::section& sec);

    void enqueued(chan from, chan to, std::uint64_t recipients, std::uint64_t bytes) noexcept;
    void dequeued(chan ch, std::uint64_t recipients, std::uint64_t bytes,
                  std::int64_t seconds_in_queue, bool first_attempt) noexcept;
    void deferred(chan ch, std::uint64_t recipients, std::uint64_t bytes) noexcept;
    void rejected(chan ch, std::uint64_t recipients, std::uint64_t bytes) noexcept;
    void failed(chan ch, std::uint64_t recipients, std::uint64_t bytes) noexcept;
    void association_opened(chan ch, counters::direction d) noexcept;
    void association_closed(chan ch, counters::direction d) noexcept;
    void association_rejected(chan ch) noexcept;
    void association_failed(chan ch) noexcept;

    tally& counts() noexcept { return t_; }

private:
    std::int64_t blocks(std::uint64_t bytes) const noexcept;
    void add(chan ch, counters::counter k, std::int64_t v) noexcept {
        t_.value[idx(ch)][counters::index(k)] += v;
    }
    void add_row(chan ch, counters::row r, std::uint64_t recipients, std::uint64_t bytes) noexcept;

    std::array<counters::channel, chan_count> h_;
    std::uint64_t block_size_;
    tally t_;
};

/// The IMAP and POP servers' events, recorded into imapstat and popstat (instance "global")
/// with one counters::service_stats per service, mirrored into the service part of a tally.
class service_recorder {
public:
    /// Registers or finds imapstat and popstat in @p reg (throws counters::error). Counts into
    /// @p t, which must outlive this recorder.
    service_recorder(counters::registry& reg, tally& t);

    /// A client connection was accepted.
    void accepted(service s) noexcept;
    /// An accepted connection ended.
    void closed(service s) noexcept;
    /// A connection could not be served; @p was_accepted: accepted() was called for it (it is
    /// closed as well), else it was refused before that.
    void failed(service s, bool was_accepted) noexcept;
    void login_ok(service s) noexcept;
    void login_failed(service s) noexcept;

    /// Connections of @p s open now (accepted and not closed by this recorder).
    std::int64_t open(service s) const noexcept { return t_.service[idx(s)].open; }

private:
    std::array<counters::service_stats, service_count> stats_;
    tally& t_;
};

} // namespace mta_sim

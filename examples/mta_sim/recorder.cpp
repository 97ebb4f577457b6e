// SPDX-License-Identifier: MIT
// mta-sim: recording calls mirrored into the tally (same arithmetic as the library's).
#include "recorder.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace mta_sim {

using counters::counter;
using counters::row;

tally& tally::operator+=(const tally& o) noexcept {
    for (std::size_t c = 0; c < chan_count; ++c) {
        for (std::size_t k = 0; k < counters::counter_count; ++k) value[c][k] += o.value[c][k];
        current_in[c] += o.current_in[c];
        current_out[c] += o.current_out[c];
        queued[c] += o.queued[c];
    }
    events += o.events;
    offered += o.offered;
    refused_connect += o.refused_connect;
    bounces += o.bounces;
    retries += o.retries;
    store_deliveries += o.store_deliveries;
    for (std::size_t s = 0; s < service_count; ++s) service[s] += o.service[s];
    return *this;
}

service_tally& service_tally::operator+=(const service_tally& o) noexcept {
    connections += o.connections;
    failed_connections += o.failed_connections;
    good_logins += o.good_logins;
    failed_logins += o.failed_logins;
    open += o.open;
    refused += o.refused;
    peak_sum += o.peak_sum;
    peak_max = std::max(peak_max, o.peak_max);
    return *this;
}

recorder::recorder(counters::section& sec) : block_size_(sec.block_size()) {
    for (std::size_t c = 0; c < chan_count; ++c) {
        h_[c] = sec.get(chan_names[c]);
        if (!h_[c].recording())
            throw std::runtime_error("section \"" + sec.name() + "\": channel \"" +
                                     chan_names[c] + "\" cannot be recorded (channel table full)");
    }
    if (block_size_ == 0) throw std::runtime_error("section \"" + sec.name() + "\": block size 0");
}

std::int64_t recorder::blocks(std::uint64_t bytes) const noexcept {
    return counters::to_blocks(bytes, static_cast<std::uint32_t>(block_size_)); // the library's own rounding
}

void recorder::add_row(chan ch, row r, std::uint64_t recipients, std::uint64_t bytes) noexcept {
    const std::size_t first = counters::index(counters::first_counter(r));
    auto& v = t_.value[idx(ch)];
    v[first] += 1;
    v[first + 1] += static_cast<std::int64_t>(recipients);
    v[first + 2] += blocks(bytes);
}

void recorder::enqueued(chan from, chan to, std::uint64_t recipients, std::uint64_t bytes) noexcept {
    counters::enqueued(h_[idx(from)], h_[idx(to)], recipients, bytes);
    ++t_.events;
    add_row(from, row::submitted, recipients, bytes);
    add_row(to, row::received, recipients, bytes);
    add_row(to, row::stored, recipients, bytes);
}

void recorder::dequeued(chan ch, std::uint64_t recipients, std::uint64_t bytes,
                        std::int64_t seconds_in_queue, bool first_attempt) noexcept {
    counters::dequeued(h_[idx(ch)], recipients, bytes, seconds_in_queue, first_attempt);
    ++t_.events;
    const std::int64_t t = seconds_in_queue < 0 ? 0 : seconds_in_queue;
    add_row(ch, row::delivered, recipients, bytes);
    add(ch, counter::stored_messages, -1);
    add(ch, counter::stored_recipients, -static_cast<std::int64_t>(recipients));
    add(ch, counter::stored_blocks, -blocks(bytes));
    add(ch, counter::queue_time, t);
    add(ch, counter::queue_count, 1);
    if (first_attempt) {
        add(ch, counter::delivered_first_messages, 1);
        add(ch, counter::queue_first_time, t);
        add(ch, counter::queue_first_count, 1);
    }
}

void recorder::deferred(chan ch, std::uint64_t recipients, std::uint64_t bytes) noexcept {
    counters::deferred(h_[idx(ch)], recipients, bytes);
    ++t_.events;
    add_row(ch, row::attempted, recipients, bytes);
}

void recorder::rejected(chan ch, std::uint64_t recipients, std::uint64_t bytes) noexcept {
    counters::rejected(h_[idx(ch)], recipients, bytes);
    ++t_.events;
    add_row(ch, row::rejected, recipients, bytes);
}

void recorder::failed(chan ch, std::uint64_t recipients, std::uint64_t bytes) noexcept {
    counters::failed(h_[idx(ch)], recipients, bytes);
    ++t_.events;
    add_row(ch, row::failed, recipients, bytes);
}

void recorder::association_opened(chan ch, counters::direction d) noexcept {
    counters::association_opened(h_[idx(ch)], d);
    ++t_.events;
    if (d == counters::direction::inbound) {
        add(ch, counter::in_assocs, 1);
        ++t_.current_in[idx(ch)];
    } else {
        add(ch, counter::out_assocs, 1);
        ++t_.current_out[idx(ch)];
    }
}

void recorder::association_closed(chan ch, counters::direction d) noexcept {
    counters::association_closed(h_[idx(ch)], d);
    ++t_.events;
    if (d == counters::direction::inbound)
        --t_.current_in[idx(ch)];
    else
        --t_.current_out[idx(ch)];
}

void recorder::association_rejected(chan ch) noexcept {
    counters::association_rejected(h_[idx(ch)]);
    ++t_.events;
    add(ch, counter::in_assocs_rejected, 1);
}

void recorder::association_failed(chan ch) noexcept {
    counters::association_failed(h_[idx(ch)]);
    ++t_.events;
    add(ch, counter::out_assocs_failed, 1);
}

service_recorder::service_recorder(counters::registry& reg, tally& t)
    : stats_{counters::service_stats(reg, object_of(service::imap)),
             counters::service_stats(reg, object_of(service::pop))},
      t_(t) {}

void service_recorder::accepted(service s) noexcept {
    stats_[idx(s)].accepted();
    ++t_.events;
    service_tally& v = t_.service[idx(s)];
    ++v.connections;
    ++v.open;
    // This worker's own high-water mark: the registry's maxConnections (over all processes)
    // is at least the highest of these and at most their sum.
    v.peak_sum = std::max(v.peak_sum, v.open);
    v.peak_max = v.peak_sum;
}

void service_recorder::closed(service s) noexcept {
    stats_[idx(s)].closed();
    ++t_.events;
    --t_.service[idx(s)].open;
}

void service_recorder::failed(service s, bool was_accepted) noexcept {
    stats_[idx(s)].failed();
    ++t_.events;
    service_tally& v = t_.service[idx(s)];
    ++v.failed_connections;
    if (!was_accepted) ++v.refused;
    if (was_accepted) closed(s);
}

void service_recorder::login_ok(service s) noexcept {
    stats_[idx(s)].login_ok();
    ++t_.events;
    ++t_.service[idx(s)].good_logins;
}

void service_recorder::login_failed(service s) noexcept {
    stats_[idx(s)].login_failed();
    ++t_.events;
    ++t_.service[idx(s)].failed_logins;
}

} // namespace mta_sim

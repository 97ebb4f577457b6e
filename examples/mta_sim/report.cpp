// SPDX-License-Identifier: MIT
// mta-sim: checks and summary.
#include "report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>
#include <utility>

namespace mta_sim {

using counters::counter;
using counters::row;

namespace {

constexpr std::array<const char*, 3> column = {"messages", "recipients", "blocks"};

/// The three columns of row @p r of a channel's values.
template <typename Get>
std::array<std::int64_t, 3> columns(row r, Get get) {
    const std::size_t first = counters::index(counters::first_counter(r));
    return {get(first), get(first + 1), get(first + 2)};
}

/// The two invariants, on per-channel values given by get(channel, counter index).
template <typename Get>
void check_invariants(const char* what, Get get, std::vector<std::string>& out) {
    std::array<std::int64_t, 3> received{}, submitted{};
    for (std::size_t c = 0; c < chan_count; ++c) {
        auto g = [&](std::size_t k) { return get(c, k); };
        const auto rec = columns(row::received, g);
        const auto sto = columns(row::stored, g);
        const auto del = columns(row::delivered, g);
        const auto sub = columns(row::submitted, g);
        for (std::size_t i = 0; i < 3; ++i) {
            received[i] += rec[i];
            submitted[i] += sub[i];
            if (sto[i] != rec[i] - del[i])
                out.push_back(fmt::format("{}: {} stored {} {} != received {} - delivered {}", what,
                                          chan_names[c], column[i], sto[i], rec[i], del[i]));
        }
    }
    for (std::size_t i = 0; i < 3; ++i)
        if (received[i] != submitted[i])
            out.push_back(fmt::format("{}: sum of received {} {} != sum of submitted {}", what,
                                      column[i], received[i], submitted[i]));
}

const counters::channel_values* find(const counters::snapshot& s, const char* name) {
    auto it = std::find_if(s.channels.begin(), s.channels.end(),
                           [&](const counters::channel_values& v) { return v.name == name; });
    return it == s.channels.end() ? nullptr : &*it;
}

/// The value of imapstat/popstat field @p field of instance global, or nullopt.
std::optional<std::int64_t> service_value(const counters::registry_snapshot& s, service svc,
                                          std::string_view field) {
    const counters::object_values* o = s.find(object_of(svc));
    if (o == nullptr) return std::nullopt;
    const counters::instance_values* in = o->find("global");
    if (in == nullptr) return std::nullopt;
    const counters::field_value* f = in->find(field);
    if (f == nullptr) return std::nullopt;
    return f->number;
}

std::string average(std::int64_t time, std::int64_t count) {
    return count == 0 ? std::string("-") : fmt::format("{:.1f}", static_cast<double>(time) / static_cast<double>(count));
}

} // namespace

std::vector<std::string> check_tally(const tally& t) {
    std::vector<std::string> out;
    check_invariants("check", [&](std::size_t c, std::size_t k) { return t.value[c][k]; }, out);
    for (std::size_t c = 0; c < chan_count; ++c) {
        const std::int64_t stored = t.value[c][counters::index(counter::stored_messages)];
        if (stored != t.queued[c])
            out.push_back(fmt::format("check: {} stored messages {} != {} left in its queue",
                                      chan_names[c], stored, t.queued[c]));
        if (t.current_in[c] != 0 || t.current_out[c] != 0)
            out.push_back(fmt::format("check: {} left {} inbound and {} outbound associations open",
                                      chan_names[c], t.current_in[c], t.current_out[c]));
    }
    for (std::size_t s = 0; s < service_count; ++s)
        if (t.service[s].open != 0)
            out.push_back(fmt::format("check: {} left {} connections open", service_objects[s],
                                      t.service[s].open));
    return out;
}

std::vector<std::string> verify_registry(const counters::registry_snapshot& before,
                                         const counters::registry_snapshot& after, const tally& t) {
    std::vector<std::string> out;
    for (std::size_t s = 0; s < service_count; ++s) {
        const service svc = static_cast<service>(s);
        const service_tally& v = t.service[s];
        if (after.find(object_of(svc)) == nullptr || after.find(object_of(svc))->find("global") == nullptr) {
            out.push_back(fmt::format("verify: {}.global is not in registry {}", object_of(svc), after.info.name));
            continue;
        }
        auto field = [&](const counters::registry_snapshot& snap, std::string_view name,
                         bool required) -> std::int64_t {
            const std::optional<std::int64_t> x = service_value(snap, svc, name);
            if (!x && required)
                out.push_back(fmt::format("verify: {} has no field {}", object_of(svc), name));
            return x.value_or(0);
        };
        const std::array<std::pair<const char*, std::int64_t>, 4> recorded = {{
            {"numConnections", v.connections},
            {"numFailedConnections", v.failed_connections},
            {"numGoodLogins", v.good_logins},
            {"numFailedLogins", v.failed_logins},
        }};
        for (const auto& [name, want] : recorded) {
            const std::int64_t delta = field(after, name, true) - field(before, name, false);
            if (delta != want)
                out.push_back(fmt::format("verify: {} {}: recorded {}, registry changed by {}",
                                          object_of(svc), name, want, delta));
        }
        const std::int64_t current = field(after, "numCurrentConnections", true);
        if (current != 0)
            out.push_back(fmt::format("verify: {} numCurrentConnections {} (expected 0)", object_of(svc), current));
        const std::int64_t max_before = field(before, "maxConnections", false);
        const std::int64_t max_after = field(after, "maxConnections", true);
        const std::int64_t lo = std::max({max_before, v.peak_max, std::int64_t{v.connections > 0 ? 1 : 0}});
        const std::int64_t hi = std::max(max_before, field(before, "numCurrentConnections", false) + v.peak_sum);
        if (max_after < lo || max_after > hi)
            out.push_back(fmt::format("verify: {} maxConnections {} not in [{}, {}]", object_of(svc),
                                      max_after, lo, hi));
    }
    return out;
}

std::string registry_peaks(const counters::registry_snapshot& after) {
    std::string s;
    for (std::size_t i = 0; i < service_count; ++i) {
        const service svc = static_cast<service>(i);
        s += fmt::format("{}{} maxConnections {}", i == 0 ? "" : ", ", object_of(svc),
                         service_value(after, svc, "maxConnections").value_or(0));
    }
    return s;
}

void print_services(std::FILE* out, const tally& t) {
    fmt::print(out, "{:<14}{:>12}{:>10}{:>10}{:>10}{:>12}{:>10}\n", "services", "connections",
               "failed", "(refused)", "logins", "bad logins", "max open");
    for (std::size_t s = 0; s < service_count; ++s) {
        const service_tally& v = t.service[s];
        fmt::print(out, "{:<14}{:>12}{:>10}{:>10}{:>10}{:>12}{:>10}\n", service_objects[s],
                   v.connections, v.failed_connections, v.refused, v.good_logins, v.failed_logins,
                   v.peak_max);
    }
}

std::vector<std::string> verify_section(const counters::snapshot& before,
                                        const counters::snapshot& after, const tally& t) {
    std::vector<std::string> out;
    std::array<counter_array, chan_count> delta{};
    for (std::size_t c = 0; c < chan_count; ++c) {
        const counters::channel_values* a = find(after, chan_names[c]);
        if (a == nullptr) {
            out.push_back(fmt::format("verify: channel {} is not in the section", chan_names[c]));
            continue;
        }
        const counters::channel_values* b = find(before, chan_names[c]);
        for (std::size_t k = 0; k < counters::counter_count; ++k) {
            delta[c][k] = a->value[k] - (b != nullptr ? b->value[k] : 0);
            if (delta[c][k] != t.value[c][k])
                out.push_back(fmt::format("verify: {} {}: recorded {}, section changed by {}",
                                          chan_names[c], counters::info(static_cast<counter>(k)).key,
                                          t.value[c][k], delta[c][k]));
        }
        if (a->current_in != 0)
            out.push_back(fmt::format("verify: {} current inbound associations {} (expected 0)",
                                      chan_names[c], a->current_in));
        if (a->current_out != 0)
            out.push_back(fmt::format("verify: {} current outbound associations {} (expected 0)",
                                      chan_names[c], a->current_out));
    }
    if (out.empty())
        check_invariants("verify", [&](std::size_t c, std::size_t k) { return delta[c][k]; }, out);
    return out;
}

void print_summary(std::FILE* out, const options& o, const tally& t, double seconds,
                   bool checks_ok) {
    auto v = [&](std::size_t c, counter k) { return t.value[c][counters::index(k)]; };
    const double rate = seconds > 0 ? static_cast<double>(t.events) / seconds : 0.0;
    fmt::print(out, "mta-sim: section \"{}\", {}, seed {}, {} process{} x {} messages\n", o.section,
               o.servers ? fmt::format("registry \"{}\"", o.registry) : std::string("no servers"),
               o.seed, o.processes, o.processes == 1 ? "" : "es", o.messages);
    fmt::print(out, "elapsed {:.3f} s, {} events, {:.2f} M events/s\n", seconds, t.events, rate / 1e6);
    std::int64_t rejected = 0;
    for (std::size_t c = 0; c < chan_count; ++c) rejected += v(c, counter::rejected_messages);
    fmt::print(out,
               "offered {} messages: {} lost with a refused connection, {} rejected (J); "
               "{} bounces, {} retries\n\n",
               t.offered, t.refused_connect, rejected, t.bounces, t.retries);

    fmt::print(out, "{:<14}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}\n", "channel",
               "received", "delivered", "(first)", "submitted", "stored", "attempted", "rejected",
               "failed");
    counter_array sum{};
    for (std::size_t c = 0; c < chan_count; ++c) {
        for (std::size_t k = 0; k < counters::counter_count; ++k) sum[k] += t.value[c][k];
        fmt::print(out, "{:<14}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}\n", chan_names[c],
                   v(c, counter::received_messages), v(c, counter::delivered_messages),
                   v(c, counter::delivered_first_messages), v(c, counter::submitted_messages),
                   v(c, counter::stored_messages), v(c, counter::attempted_messages),
                   v(c, counter::rejected_messages), v(c, counter::failed_messages));
    }
    auto s = [&](counter k) { return sum[counters::index(k)]; };
    fmt::print(out, "{:<14}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}\n\n", "total",
               s(counter::received_messages), s(counter::delivered_messages),
               s(counter::delivered_first_messages), s(counter::submitted_messages),
               s(counter::stored_messages), s(counter::attempted_messages),
               s(counter::rejected_messages), s(counter::failed_messages));

    fmt::print(out, "{:<14}{:>10}{:>10}{:>10}{:>10}{:>12}{:>12}\n", "associations", "in",
               "refused", "out", "failed", "avg queue s", "avg first s");
    for (std::size_t c = 0; c < chan_count; ++c)
        fmt::print(out, "{:<14}{:>10}{:>10}{:>10}{:>10}{:>12}{:>12}\n", chan_names[c],
                   v(c, counter::in_assocs), v(c, counter::in_assocs_rejected),
                   v(c, counter::out_assocs), v(c, counter::out_assocs_failed),
                   average(v(c, counter::queue_time), v(c, counter::queue_count)),
                   average(v(c, counter::queue_first_time), v(c, counter::queue_first_count)));
    if (o.servers) {
        fmt::print(out, "\nIMAP and POP sessions of users reading the {} messages ims-ms delivered "
                        "(max open: most at once in one worker):\n", t.store_deliveries);
        print_services(out, t);
    }
    fmt::print(out,
               "\nchecks: sum(Received) {} == sum(Submitted) {}, Stored == Received - Delivered "
               "and == queued on every channel{}: {}\n",
               s(counter::received_messages), s(counter::submitted_messages),
               o.servers ? ", every IMAP/POP connection closed" : "", checks_ok ? "OK" : "FAILED");
}

} // namespace mta_sim

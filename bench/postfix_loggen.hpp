// SPDX-License-Identifier: MIT
// A deterministic generator of realistic Postfix 3.x logs (classic syslog timestamps) for the
// counters-ingest benchmark and its exactness test, with its own tally of the counters that
// counters-ingest must record for them (the mapping of counters-ingest(8), LOG FORMATS).
#pragma once

#include <counters/counter.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <string_view>

namespace bench {

/// What the generated log must record, per channel, in a section of 1024-byte blocks.
struct postfix_tally {
    using values = std::array<std::int64_t, counters::counter_count>;
    std::map<std::string, values> channels;
    std::uint64_t lines = 0;    ///< lines written
    std::uint64_t messages = 0; ///< queue ids submitted (bounce notices included)
    std::uint64_t notices = 0;  ///< of which bounce notices
    std::uint64_t recipients = 0;
    std::uint64_t rejected = 0;   ///< NOQUEUE: reject: RCPT lines
    std::uint64_t deferrals = 0;  ///< status=deferred lines
    std::uint64_t suspended = 0;  ///< of which error(8) deferrals (delivery temporarily suspended)
    std::uint64_t bounced = 0;    ///< status=bounced lines and recipients expired
    std::uint64_t delivered = 0;  ///< status=sent lines
    std::uint64_t connections = 0;///< connect from lines

    std::int64_t& at(const std::string& channel, counters::counter c);
    /// {"lines":..., ..., "channels": {"smtpd": {"received_messages": N, ...}, ...}}: every
    /// counter key of the library for every channel.
    void write_json(std::ostream& out) const;
};

/// Generates about @p lines lines (it stops starting new sessions at @p lines and finishes
/// the messages in flight, so the log is a little longer, and every message ends removed);
/// the same @p seed gives the same log on every platform. Each line, without its newline,
/// goes to @p out.
postfix_tally generate_postfix_log(std::uint64_t lines, std::uint64_t seed,
                                   const std::function<void(std::string_view)>& out);

} // namespace bench

// SPDX-License-Identifier: MIT
// A generated Messaging Server mail.log (one record per recipient, E/D/Q/R/J records, with and
// without the process id field) and the recording calls the MTA made for the same events.
#pragma once

#include <counters/section.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace ingest_test {

struct ms_event {
    std::int64_t t = 0; ///< seconds after 01-Oct-2003 00:00:00
    int seq = 0;
    char code = 'E';
    std::string src, dst;
    std::uint64_t rcpts = 1, blocks = 1;
    std::string msgid;
    std::int64_t queued = 0; ///< D/R: seconds since the E record
    bool first = true;       ///< D/R: no Q record before
    bool pid = false;        ///< the record carries a process id field
};

inline std::vector<ms_event> ms_events(int messages) {
    const char* srcs[] = {"tcp_local", "tcp_intranet", "l"};
    const char* dsts[] = {"ims-ms", "tcp_local", "conversion"};
    std::vector<ms_event> ev;
    int seq = 0;
    for (int i = 0; i < messages; ++i) {
        ms_event e;
        e.t = 10 + i * 7;
        e.src = srcs[i % 3];
        e.dst = dsts[(i / 3) % 3];
        e.rcpts = 1 + static_cast<std::uint64_t>(i % 3);
        e.blocks = 1 + static_cast<std::uint64_t>((i * 5) % 20);
        e.msgid = "<m" + std::to_string(i) + "@x.test>";
        e.pid = i % 2 == 1;
        auto add = [&](char code, std::int64_t at, std::int64_t queued, bool first) {
            ms_event x = e;
            x.code = code;
            x.t = at;
            x.queued = queued;
            x.first = first;
            x.seq = seq++;
            ev.push_back(x);
        };
        switch (i % 10) {
        case 6:
        case 7:
            add('E', e.t, 0, true);
            add('Q', e.t + 4, 0, true);
            add('D', e.t + 60, 60, false);
            break;
        case 8:
            add('E', e.t, 0, true);
            add('R', e.t + 2, 2, true);
            break;
        case 9: add('J', e.t, 0, true); break;
        default:
            add('E', e.t, 0, true);
            add('D', e.t + 3, 3, true);
            break;
        }
    }
    std::stable_sort(ev.begin(), ev.end(), [](const ms_event& a, const ms_event& b) { return a.t < b.t; });
    return ev;
}

/// The mail.log lines of @p ev: one per recipient.
inline std::vector<std::string> ms_lines(const std::vector<ms_event>& ev) {
    std::vector<std::string> out;
    for (const auto& e : ev) {
        char stamp[64];
        std::snprintf(stamp, sizeof stamp, "%02d-Oct-2003 %02d:%02d:%02d.%02d", static_cast<int>(1 + e.t / 86400),
                      static_cast<int>(e.t / 3600 % 24), static_cast<int>(e.t / 60 % 60), static_cast<int>(e.t % 60),
                      static_cast<int>(e.seq % 100));
        for (std::uint64_t r = 0; r < e.rcpts; ++r) {
            std::string l = stamp;
            if (e.pid) l += " 501d.0b." + std::to_string(e.seq % 10);
            const bool two = e.code == 'E' || e.code == 'J';
            l += " " + (two ? e.src + " " + e.dst : e.dst) + " " + std::string(1, e.code) + " " +
                 std::to_string(e.blocks) + " sender@x.test rfc822;r" + std::to_string(r) + "@y.test r" +
                 std::to_string(r) + "@" + e.dst + "-daemon " + e.msgid;
            if (e.code == 'Q') l += "Mailbox is busy";
            if (e.code == 'R') l += " 550 5.1.1 unknown user";
            out.push_back(l);
        }
    }
    return out;
}

/// The recording calls an MTA makes for @p ev.
inline void ms_record(counters::section& s, const std::vector<ms_event>& ev) {
    const std::uint64_t bs = s.block_size();
    for (const auto& e : ev) {
        const std::uint64_t bytes = e.blocks * bs;
        switch (e.code) {
        case 'E': counters::enqueued(s.get(e.src), s.get(e.dst), e.rcpts, bytes); break;
        case 'J': counters::rejected(s.get(e.src), e.rcpts, bytes); break;
        case 'Q': counters::deferred(s.get(e.dst), e.rcpts, bytes); break;
        case 'R':
            counters::failed(s.get(e.dst), e.rcpts, bytes);
            counters::dequeued(s.get(e.dst), e.rcpts, bytes, e.queued, e.first);
            break;
        case 'D': counters::dequeued(s.get(e.dst), e.rcpts, bytes, e.queued, e.first); break;
        default: break;
        }
    }
}

} // namespace ingest_test

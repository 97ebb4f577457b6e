// SPDX-License-Identifier: MIT
// Deterministic filler for the CLI tests: records a known set of events into a section so
// that `counters -show` can be compared byte-for-byte with a file in expected/.
//
//   fill_section SECTION base        the scenario of expected/base.txt
//   fill_section SECTION drain       after a clear: dequeues that drive Stored negative
//   fill_section SECTION register N  registers channels ch1..chN (for the overflow test)
//
// Exit status 0, or 1 with a message on failure (2 on a bad command line).
#include <counters/counters.hpp>

#include <cstdlib>
#include <iostream>
#include <string>

using namespace counters;

namespace {

void base(section& sec) {
    channel tl = sec.get("tcp_local"), ti = sec.get("tcp_intranet"), ms = sec.get("ims-ms");
    channel l = sec.get("l"), conv = sec.get("conversion");
    for (int i = 0; i < 10; ++i) enqueued(tl, ms, 2, 1500); // 2 blocks each
    for (int i = 0; i < 5; ++i) dequeued(ms, 2, 1500, 3, true);
    for (int i = 0; i < 2; ++i) dequeued(ms, 2, 1500, 10, false);
    for (int i = 0; i < 4; ++i) enqueued(ti, tl, 1, 100);
    for (int i = 0; i < 3; ++i) dequeued(tl, 1, 100, 1, true);
    for (int i = 0; i < 2; ++i) deferred(tl, 1, 100);
    failed(tl, 1, 100);
    for (int i = 0; i < 3; ++i) rejected(tl, 5, 3000); // 3 blocks each
    for (int i = 0; i < 6; ++i) {
        association_opened(tl, direction::inbound);
        association_closed(tl, direction::inbound);
    }
    association_opened(tl, direction::outbound);
    association_opened(tl, direction::outbound);
    association_closed(tl, direction::outbound);
    association_rejected(tl);
    association_failed(tl);
    enqueued(l, conv, 1, 1);
    enqueued(conv, ti, 1, 1025);
    dequeued(conv, 1, 1, 0, true);
    enqueued(l, ti, 12, 1073741824); // 1048576 blocks
}

void drain(section& sec) {
    channel tl = sec.get("tcp_local"), ms = sec.get("ims-ms");
    for (int i = 0; i < 3; ++i) dequeued(ms, 2, 1500, 20, false);
    dequeued(tl, 1, 100, 5, false);
    enqueued(tl, ms, 1, 1);
}

} // namespace

int main(int argc, char** argv) {
    const std::string usage = "usage: fill_section SECTION base|drain|register N";
    if (argc < 3) {
        std::cerr << usage << '\n';
        return 2;
    }
    const std::string what = argv[2];
    try {
        section sec(argv[1]);
        if (what == "base" && argc == 3) {
            base(sec);
        } else if (what == "drain" && argc == 3) {
            drain(sec);
        } else if (what == "register" && argc == 4) {
            const int n = static_cast<int>(std::strtol(argv[3], nullptr, 10));
            for (int i = 1; i <= n; ++i) sec.get("ch" + std::to_string(i));
        } else {
            std::cerr << usage << '\n';
            return 2;
        }
    } catch (const std::exception& e) {
        std::cerr << "fill_section: " << e.what() << '\n';
        return 1;
    }
    return 0;
}

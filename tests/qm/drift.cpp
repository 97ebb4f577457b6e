// SPDX-License-Identifier: MIT
// drift: makes a channel's Stored counters drift below zero, as they do when messages that
// were queued before a clear drain afterwards: N dequeues of one recipient and one block.
// usage: drift SECTION CHANNEL N
// Exit status 0, 1 on failure, 2 on a bad command line.
#include <counters/counters.hpp>

#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
    if (argc != 4) {
        std::cerr << "usage: drift SECTION CHANNEL N\n";
        return 2;
    }
    char* end = nullptr;
    const long n = std::strtol(argv[3], &end, 10);
    if (*end != '\0' || n < 0 || n > 1000000) {
        std::cerr << "drift: bad N: " << argv[3] << '\n';
        return 2;
    }
    try {
        counters::section sec(argv[1]);
        counters::channel c = sec.get(argv[2]);
        for (long i = 0; i < n; ++i) counters::dequeued(c, 1, 1, 1, false);
    } catch (const std::exception& e) {
        std::cerr << "drift: " << e.what() << '\n';
        return 1;
    }
    return 0;
}

// SPDX-License-Identifier: MIT
// Deterministic filler for the CLI tests: records a known set of events into a section so
// that `counters -show` can be compared byte-for-byte with a file in expected/.
//
//   fill_section SECTION base        the scenario of expected/base.txt
//   fill_section SECTION drain       after a clear: dequeues that drive Stored negative
//   fill_section SECTION register N  registers channels ch1..chN (for the overflow test)
//   fill_section SECTION set CHANNEL VALUE [MINIMUM]
//                                    registers CHANNEL and writes VALUE into every one of its
//                                    counters (and MINIMUM into every minimum), straight into
//                                    the slot at the offsets of counters(5): figures no
//                                    sequence of events reaches in a test (INT64_MIN, 2^63-1;
//                                    2^64-1 is the int64 -1, as a wrapped counter holds it)
//
// Exit status 0, or 1 with a message on failure (2 on a bad command line).
#include <counters/counters.hpp>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <stdexcept>
#include <string>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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

/// A decimal int64, or a uint64 above INT64_MAX taken modulo 2^64 (as a wrapped counter).
std::int64_t parse_value(const std::string& s) {
    if (s.empty()) throw std::invalid_argument("empty value");
    char* end = nullptr;
    errno = 0;
    const long long v = std::strtoll(s.c_str(), &end, 10);
    if (errno == 0 && *end == '\0') return v;
    errno = 0;
    const unsigned long long u = std::strtoull(s.c_str(), &end, 10);
    if (errno != 0 || *end != '\0' || s[0] == '-') throw std::invalid_argument("bad value " + s);
    std::int64_t r = 0;
    static_assert(sizeof u == sizeof r);
    std::memcpy(&r, &u, sizeof r);
    return r;
}

template <class T>
T load(const unsigned char* p) {
    T v{};
    std::memcpy(&v, p, sizeof v);
    return v;
}

/// Writes @p value into every counter of @p channel (and @p minimum into every minimum when
/// given): counters(5) offsets, header: slot_size 16, counter_count 44, max_channels 24,
/// channels_offset 64; slot: name 16, values 64, minimums after the values.
void set_all(const std::string& name, const std::string& channel_name, std::int64_t value, const std::int64_t* minimum) {
    {
        section sec(name);
        sec.get(channel_name);
    }
    const int fd = ::shm_open(("/" + name).c_str(), O_RDWR, 0);
    if (fd < 0) throw std::runtime_error("cannot open " + name + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        ::close(fd);
        throw std::runtime_error("cannot stat " + name);
    }
    const auto size = static_cast<std::size_t>(st.st_size);
    void* m = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    ::close(fd);
    if (m == MAP_FAILED) throw std::runtime_error("cannot map " + name);
    auto* base = static_cast<unsigned char*>(m);
    const auto slot_size = load<std::uint32_t>(base + 16), max_channels = load<std::uint32_t>(base + 24);
    const auto count = load<std::uint32_t>(base + 44);
    const auto channels = load<std::uint64_t>(base + 64);
    bool found = false;
    for (std::uint32_t i = 0; i < max_channels && !found; ++i) {
        unsigned char* slot = base + channels + std::uint64_t{i} * slot_size;
        if (std::strncmp(reinterpret_cast<const char*>(slot + 16), channel_name.c_str(), 40) != 0) continue;
        found = true;
        for (std::size_t k = 0; k < count; ++k) {
            std::memcpy(slot + 64 + 8 * k, &value, 8);
            if (minimum != nullptr) std::memcpy(slot + 64 + 8 * (std::size_t{count} + k), minimum, 8);
        }
    }
    ::munmap(m, size);
    if (!found) throw std::runtime_error("channel " + channel_name + " not found in " + name);
}

} // namespace

int main(int argc, char** argv) {
    const std::string usage = "usage: fill_section SECTION base|drain|register N|set CHANNEL VALUE [MINIMUM]";
    if (argc < 3) {
        std::cerr << usage << '\n';
        return 2;
    }
    const std::string what = argv[2];
    try {
        if (what == "set" && (argc == 5 || argc == 6)) {
            const std::int64_t minimum = argc == 6 ? parse_value(argv[5]) : 0;
            set_all(argv[1], argv[3], parse_value(argv[4]), argc == 6 ? &minimum : nullptr);
            return 0;
        }
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

// SPDX-License-Identifier: MIT
// Consumer of the installed libcounters: records an enqueue into the section named by
// argv[1], reads it back, checks the values, deletes the section. Exit 0 on success.
#include <counters/counters.hpp>

#include <cstdio>
#include <string>

namespace {

int failures = 0;

void expect(const char* what, long long got, long long want) {
    if (got != want) {
        std::fprintf(stderr, "consumer: %s is %lld, expected %lld\n", what, got, want);
        ++failures;
    }
}

const counters::channel_values* find(const counters::snapshot& s, const std::string& name) {
    for (const auto& c : s.channels)
        if (c.name == name) return &c;
    return nullptr;
}

} // namespace

int main(int argc, char* argv[]) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: consumer section-name\n");
        return 2;
    }
    const std::string name = argv[1];
    using counters::counter;
    try {
        if (counters::section_exists(name)) {
            std::fprintf(stderr, "consumer: section %s already exists\n", name.c_str());
            return 1;
        }
        {
            counters::section sec(name);
            counters::channel from = sec.get("tcp_local");
            counters::channel to = sec.get("ims-ms");
            counters::enqueued(from, to, 2, 3000); // 3 blocks of 1024 bytes
        }
        const counters::snapshot s = counters::read_snapshot(name);
        expect("format major", s.section.version_major, counters::format_major);
        expect("block size", s.section.block_size, 1024);
        expect("channels", s.section.channels, 2);
        const counters::channel_values* from = find(s, "tcp_local");
        const counters::channel_values* to = find(s, "ims-ms");
        if (from == nullptr || to == nullptr) {
            std::fprintf(stderr, "consumer: a channel is missing from the snapshot\n");
            ++failures;
        } else {
            expect("tcp_local submitted messages", from->get(counter::submitted_messages), 1);
            expect("tcp_local submitted blocks", from->get(counter::submitted_blocks), 3);
            expect("ims-ms received messages", to->get(counter::received_messages), 1);
            expect("ims-ms received recipients", to->get(counter::received_recipients), 2);
            expect("ims-ms stored blocks", to->get(counter::stored_blocks), 3);
        }
        counters::delete_section(name);
        if (counters::section_exists(name)) {
            std::fprintf(stderr, "consumer: section %s still exists after delete\n", name.c_str());
            ++failures;
        }
    } catch (const counters::error& e) {
        std::fprintf(stderr, "consumer: %s (%s)\n", e.what(), counters::to_string(e.code()));
        try {
            if (counters::section_exists(name)) counters::delete_section(name);
        } catch (...) {
        }
        return 1;
    }
    if (failures != 0) return 1;
    std::printf("consumer: ok (libcounters %s)\n", counters::library_version());
    return 0;
}

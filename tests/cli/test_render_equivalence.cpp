// SPDX-License-Identifier: MIT
// The direct writers of render.cpp against the former implementations, kept here as
// references (json_tree_reference.hpp, text_reference.hpp): byte-identical output for random
// snapshots (values of every magnitude and sign, random and hostile names, patterns,
// -absolute, -minimums, overflow) and for the edge cases.
#include "catch.hpp"
#include "support.hpp"
#include "random_values.hpp"

#include "json_tree_reference.hpp"
#include "text_reference.hpp"

#include <counters/counters.hpp>
#include <counters_tools/render.hpp>

#include <cstdint>
#include <limits>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <atomic>
#include <vector>

using namespace counters;
using counters::tools::render_options;

namespace {

using testing_random::random_value;

const std::vector<std::string>& hostile_names() {
    static const std::vector<std::string> names = {
        "a\nb", "\x1b]0;X\x07", "\x1b[2J", "del\x7f", "c1\xc2\x9b\xc2\x9d", std::string("\x80\x8f\x9f", 3),
        "bad\xff\xfe", "quote\"back\\slash", std::string("nul\0in", 6), "\xf0\x9f\x98\x80 emoji",
        "\xed\xa0\x80 surrogate", "\xe0\x80\xaf overlong", "tab\there", std::string(200, 'L'), "", "ok",
        "\xf4\x90\x80\x80 beyond", "\xc3\xa9t\xc3\xa9"};
    return names;
}

std::string random_name(std::mt19937_64& rng) { return testing_random::random_name(rng, hostile_names(), 40); }

snapshot random_snapshot(std::mt19937_64& rng, std::size_t channels) {
    snapshot s;
    s.section.name = rng() % 5 == 0 ? random_name(rng) : "imta_counters";
    s.section.version_major = static_cast<std::uint16_t>(rng() % 3);
    s.section.version_minor = static_cast<std::uint16_t>(rng() % 3);
    s.section.block_size = static_cast<std::uint32_t>(rng());
    s.section.max_channels = static_cast<std::uint32_t>(rng());
    s.section.channels = static_cast<std::uint32_t>(channels);
    s.section.created = random_value(rng);
    s.section.cleared = random_value(rng);
    s.section.clear_count = random_value(rng);
    s.section.overflow = rng() % 3 == 0 ? random_value(rng) : 0;
    s.section.instance_id = rng();
    for (std::size_t i = 0; i < channels; ++i) {
        channel_values c;
        c.name = random_name(rng);
        for (std::size_t k = 0; k < counter_count; ++k) {
            c.value[k] = random_value(rng);
            c.minimum[k] = rng() % 2 == 0 ? 0 : random_value(rng);
        }
        c.current_in = random_value(rng);
        c.current_out = random_value(rng);
        c.last_in = random_value(rng);
        c.last_out = random_value(rng);
        s.channels.push_back(std::move(c));
    }
    return s;
}

render_options random_options(std::mt19937_64& rng) {
    render_options o;
    const char* const patterns[] = {"*", "*", "*", "a*", "*a*", "?*", "nomatch", "tcp_*", "*\\*"};
    o.pattern = patterns[rng() % (sizeof patterns / sizeof *patterns)];
    o.absolute = rng() % 2 == 0;
    o.minimums = rng() % 3 == 0;
    o.associations = rng() % 4 != 0;
    o.channels = rng() % 4 != 0;
    o.headers = rng() % 4 != 0;
    return o;
}

} // namespace

TEST_CASE("render_json writes what the tree-based writer wrote, byte for byte", "[render][json][equivalence]") {
    std::mt19937_64 rng(14); // NOLINT(cert-msc51-cpp): the same cases on every run
    for (int round = 0; round < 400; ++round) {
        const snapshot s = random_snapshot(rng, rng() % 12);
        const render_options o = random_options(rng);
        INFO("round " << round << ", pattern " << o.pattern << ", absolute " << o.absolute);
        const std::string direct = tools::render_json(s, o);
        REQUIRE(direct == tools::test::render_json_tree(s, o));
        std::ostringstream stream;
        tools::render_json(s, o, stream);
        REQUIRE(stream.str() == direct);
    }
}

TEST_CASE("render_json matches the tree-based writer on hostile names and edge cases", "[render][json][equivalence]") {
    snapshot empty;
    CHECK(tools::render_json(empty, {}) == tools::test::render_json_tree(empty, {}));
    snapshot s;
    s.section.name = "sec\"\x01\xff";
    for (const std::string& n : hostile_names()) {
        channel_values c;
        c.name = n;
        c.value[0] = std::numeric_limits<std::int64_t>::min();
        c.minimum[1] = std::numeric_limits<std::int64_t>::max();
        s.channels.push_back(c);
    }
    for (const bool absolute : {false, true}) {
        render_options o;
        o.absolute = absolute;
        CHECK(tools::render_json(s, o) == tools::test::render_json_tree(s, o));
    }
    render_options none;
    none.pattern = "no such channel";
    CHECK(tools::render_json(s, none) == tools::test::render_json_tree(s, none));
}

TEST_CASE("render_text writes what the former text renderer wrote, byte for byte", "[render][text][equivalence]") {
    std::mt19937_64 rng(41); // NOLINT(cert-msc51-cpp): the same cases on every run
    for (int round = 0; round < 400; ++round) {
        const snapshot s = random_snapshot(rng, rng() % 12);
        const render_options o = random_options(rng);
        INFO("round " << round << ", pattern " << o.pattern << ", absolute " << o.absolute << ", minimums "
                      << o.minimums);
        REQUIRE(tools::render_text(s, o) == tools::test::render_text_reference(s, o));
    }
    snapshot empty;
    CHECK(tools::render_text(empty, {}) == tools::test::render_text_reference(empty, {}));
}

TEST_CASE("render_text's queue averages are fmt's {:.2f} of T/C, ties and large values included",
          "[render][text][equivalence]") {
    std::mt19937_64 rng(7); // NOLINT(cert-msc51-cpp): the same cases on every run
    snapshot s;
    const auto add = [&](std::int64_t time, std::int64_t count) {
        channel_values c;
        c.name = "q";
        c.value[index(counter::queue_time)] = time;
        c.value[index(counter::queue_count)] = count;
        c.value[index(counter::queue_first_time)] = count * 3 + 1;
        c.value[index(counter::queue_first_count)] = count + 7;
        s.channels.push_back(c);
    };
    // Exact ties of the double (x.xx5 exactly representable), near-ties, huge and negative values.
    add(1, 8);     // 0.125
    add(3, 8);     // 0.375
    add(5, 8);     // 0.625
    add(1, 200);   // 0.005
    add(1, 40);    // 0.025
    add(std::int64_t{1} << 53, 3);
    add((std::int64_t{1} << 53) - 1, 7);
    add(std::numeric_limits<std::int64_t>::max(), 1);
    add(-5, 3);
    add(5, -3);
    add(0, 0);
    add(7, 0);
    for (int i = 0; i < 3000; ++i)
        add(static_cast<std::int64_t>(rng() % (i < 1500 ? 1000 : 100000000000ULL)), static_cast<std::int64_t>(1 + rng() % (i < 1000 ? 1000 : 1000000)));
    CHECK(tools::render_text(s, {}) == tools::test::render_text_reference(s, {}));
}

TEST_CASE("render_text and render_json to a stream write the same text in chunks", "[render][text][equivalence]") {
    std::mt19937_64 rng(3); // NOLINT(cert-msc51-cpp): the same cases on every run
    for (const std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{700}}) { // 700: several 128 KiB chunks
        const snapshot s = random_snapshot(rng, n);
        for (const bool minimums : {false, true}) {
            render_options o;
            o.minimums = minimums;
            std::ostringstream out;
            tools::render_text(s, o, out);
            CHECK(out.str() == tools::render_text(s, o));
            CHECK(out.str() == tools::test::render_text_reference(s, o));
            std::ostringstream json;
            o.absolute = minimums;
            tools::render_json(s, o, json);
            CHECK(json.str() == tools::test::render_json_tree(s, o));
        }
    }
}

TEST_CASE("render_text and render_json from a section_reader write what they write from read_snapshot",
          "[render][reader][equivalence]") {
    std::mt19937_64 rng(11); // NOLINT(cert-msc51-cpp): the same cases on every run
    testing_support::temp_section t("reader");
    create_options co;
    co.max_channels = 1024;
    create_section(t.name(), co);
    {
        section sec(t.name());
        std::vector<channel> chans;
        chans.reserve(600);
        for (int i = 0; i < 600; ++i) // 600 channels: several 128 KiB chunks of text
            chans.push_back(sec.get((i % 3 == 0 ? "tcp_" : "ims-ms.") + std::to_string(i)));
        for (int e = 0; e < 6000; ++e) {
            const channel& a = chans[rng() % chans.size()];
            const channel& b = chans[rng() % chans.size()];
            const auto recipients = static_cast<std::uint32_t>(1 + rng() % 50);
            const auto bytes = static_cast<std::uint64_t>(rng() % (e % 100 == 0 ? (std::uint64_t{1} << 40) : 100000));
            switch (rng() % 5) {
            case 0: enqueued(a, b, recipients, bytes); break;
            case 1: dequeued(b, recipients, bytes, static_cast<std::int64_t>(rng() % 1000), rng() % 2 == 0); break;
            case 2: deferred(a, recipients, bytes); break;
            case 3: rejected(a, recipients, bytes); break;
            default: association_opened(a, rng() % 2 == 0 ? direction::inbound : direction::outbound); break;
            }
            if (e == 3000) clear_section(t.name(), clear_what::channels); // minimums below zero
        }
        const snapshot s = read_snapshot(t.name());
        const section_reader r(t.name());
        for (const std::string pattern : {"*", "tcp_*", "*1?", "none"}) {
            for (int variant = 0; variant < 8; ++variant) {
                render_options o;
                o.pattern = pattern;
                o.absolute = (variant & 1) != 0;
                o.minimums = (variant & 2) != 0;
                o.headers = (variant & 4) == 0;
                o.associations = variant != 5;
                o.channels = variant != 6;
                INFO("pattern " << pattern << ", variant " << variant);
                std::ostringstream text, json;
                tools::render_text(r, o, text);
                CHECK(text.str() == tools::render_text(s, o));
                tools::render_json(r, o, json);
                CHECK(json.str() == tools::render_json(s, o));
            }
        }
    }
}

TEST_CASE("a figure that outgrows its column between the two passes of a section_reader never runs into the one "
          "before it",
          "[render][reader]") {
    testing_support::temp_section t("race");
    create_options co;
    co.max_channels = 4096;
    create_section(t.name(), co);
    section sec(t.name());
    // 3,000 channels before "a": the two passes read "a" about a millisecond apart.
    for (int i = 0; i < 3000; ++i) (void)sec.get("c" + std::to_string(i));
    const channel a = sec.get("a");
    // The writer grows a's Blocks from 0 past its 11-column field (1e9 blocks an event) and
    // clears the section, over and over: the first pass may see a 10-digit figure, the
    // second an 11- or 12-digit one. Stopped and joined however the test ends.
    struct racing_writer {
        std::atomic<bool> stop{false};
        std::thread thread;
        racing_writer(const std::string& name, const channel& ch)
            : thread([this, name, ch] {
                  while (!stop.load()) {
                      clear_section(name, clear_what::channels);
                      for (int i = 0; i < 200 && !stop.load(); ++i) enqueued(ch, ch, 1, std::uint64_t{1} << 40);
                  }
              }) {}
        racing_writer(const racing_writer&) = delete;
        racing_writer& operator=(const racing_writer&) = delete;
        ~racing_writer() {
            stop = true;
            thread.join();
        }
    };
    const racing_writer writer(t.name(), a);
    const std::regex row(
        R"(   (Received|Stored|Delivered|Submitted|Attempted|Rejected|Failed) +-?\d+ +-?\d+ +-?\d+( \(-?\d+ first time\))?)");
    int rows = 0;
    for (int round = 0; round < 150; ++round) {
        const section_reader r(t.name());
        std::ostringstream out;
        tools::render_text(r, render_options{}, out);
        const std::string text = out.str();
        const std::size_t at = text.rfind("\na\n");
        REQUIRE(at != std::string::npos);
        std::istringstream lines(text.substr(at + 3));
        std::string line;
        for (int k = 0; k < 7 && std::getline(lines, line); ++k) {
            ++rows;
            INFO("round " << round << ": " << line);
            REQUIRE(std::regex_match(line, row)); // glued figures (the race met) would leave two numbers
        }
    }
    CHECK(rows == 150 * 7);
}

// SPDX-License-Identifier: MIT
// Unit tests of the channel section: creation, recording, snapshot, clear, delete.
#include "catch.hpp"
#include "support.hpp"

#include <counters/counters.hpp>

#include <cstdlib>
#include <sys/stat.h>

using namespace counters;
using testing_support::temp_section;

TEST_CASE("a writer creates the section and records an enqueue on both sides", "[section]") {
    temp_section t;
    section sec(t.name());
    channel in = sec.get("tcp_local");
    channel out = sec.get("ims-ms");
    enqueued(in, out, 3, 2049); // 3 blocks of 1024
    snapshot s = read_snapshot(t.name());
    REQUIRE(s.channels.size() == 2);
    CHECK(s.channels[0].name == "tcp_local");
    CHECK(s.channels[1].name == "ims-ms");
    const auto& a = testing_support::channel_of(s, "tcp_local");
    const auto& b = testing_support::channel_of(s, "ims-ms");
    CHECK(a.get(counter::submitted_messages) == 1);
    CHECK(a.get(counter::submitted_recipients) == 3);
    CHECK(a.get(counter::submitted_blocks) == 3);
    CHECK(a.get(counter::received_messages) == 0);
    CHECK(b.get(counter::received_messages) == 1);
    CHECK(b.get(counter::stored_messages) == 1);
    CHECK(b.get(counter::stored_recipients) == 3);
    CHECK(b.get(counter::stored_blocks) == 3);
    CHECK(s.section.block_size == 1024);
    CHECK(s.section.max_channels == default_max_channels);
    CHECK(s.section.channels == 2);
}

TEST_CASE("dequeue moves Stored to Delivered and tracks queue time and first attempts", "[section]") {
    temp_section t;
    section sec(t.name());
    channel src = sec.get("tcp_local"), dst = sec.get("tcp_intranet");
    enqueued(src, dst, 1, 100);
    enqueued(src, dst, 2, 5000);
    dequeued(dst, 1, 100, 4, true);
    dequeued(dst, 2, 5000, 60, false);
    const auto s = read_snapshot(t.name());
    const auto& d = testing_support::channel_of(s, "tcp_intranet");
    CHECK(d.get(counter::delivered_messages) == 2);
    CHECK(d.get(counter::delivered_recipients) == 3);
    CHECK(d.get(counter::delivered_blocks) == 1 + 5);
    CHECK(d.get(counter::stored_messages) == 0);
    CHECK(d.get(counter::stored_blocks) == 0);
    CHECK(d.get(counter::delivered_first_messages) == 1);
    CHECK(d.get(counter::queue_time) == 64);
    CHECK(d.get(counter::queue_count) == 2);
    CHECK(d.get(counter::queue_first_time) == 4);
    CHECK(d.get(counter::queue_first_count) == 1);
}

TEST_CASE("deferred, rejected and failed fill their rows", "[section]") {
    temp_section t;
    section sec(t.name());
    channel c = sec.get("tcp_local");
    deferred(c, 2, 1);
    rejected(c, 10, 0);
    failed(c, 1, 4096);
    const snapshot snap = read_snapshot(t.name()); // keep it: v refers into it
    const auto& v = testing_support::channel_of(snap, "tcp_local");
    CHECK(v.get(counter::attempted_messages) == 1);
    CHECK(v.get(counter::attempted_recipients) == 2);
    CHECK(v.get(counter::attempted_blocks) == 1);
    CHECK(v.get(counter::rejected_messages) == 1);
    CHECK(v.get(counter::rejected_recipients) == 10);
    CHECK(v.get(counter::rejected_blocks) == 0);
    CHECK(v.get(counter::failed_blocks) == 4);
}

TEST_CASE("associations: totals, current gauge per process, rejected and failed", "[section]") {
    temp_section t;
    section sec(t.name());
    channel c = sec.get("tcp_local");
    association_opened(c, direction::inbound);
    association_opened(c, direction::inbound);
    association_opened(c, direction::outbound);
    association_closed(c, direction::inbound);
    association_rejected(c);
    association_failed(c);
    const snapshot snap = read_snapshot(t.name()); // keep it: v refers into it
    const auto& v = testing_support::channel_of(snap, "tcp_local");
    CHECK(v.get(counter::in_assocs) == 2);
    CHECK(v.get(counter::out_assocs) == 1);
    CHECK(v.current_in == 1);
    CHECK(v.current_out == 1);
    CHECK(v.get(counter::in_assocs_rejected) == 1);
    CHECK(v.get(counter::out_assocs_failed) == 1);
    CHECK(v.last_in > 0);
    CHECK(v.last_out > 0);
}

TEST_CASE("clear zeroes in place and Stored goes negative with a tracked minimum", "[section]") {
    temp_section t;
    section sec(t.name());
    channel a = sec.get("a"), b = sec.get("b");
    for (int i = 0; i < 5; ++i) enqueued(a, b, 1, 1024);
    clear_section(t.name());
    auto s = read_snapshot(t.name());
    CHECK(s.section.clear_count == 1);
    CHECK(s.section.cleared > 0);
    CHECK(testing_support::channel_of(s, "b").get(counter::stored_messages) == 0);
    for (int i = 0; i < 3; ++i) dequeued(b, 1, 1024, 1, true);
    enqueued(a, b, 1, 1024);
    s = read_snapshot(t.name());
    const auto& v = testing_support::channel_of(s, "b");
    CHECK(v.get(counter::stored_messages) == -2);
    CHECK(v.min(counter::stored_messages) == -3);
    CHECK(v.absolute(counter::stored_messages) == 1);
    CHECK(v.get(counter::received_messages) == 1);
    // The same handles keep working after the clear (the section was not recreated).
    CHECK(s.section.channels == 2);
}

TEST_CASE("clear of associations only keeps the message rows", "[section]") {
    temp_section t;
    section sec(t.name());
    channel a = sec.get("a");
    enqueued(a, a, 1, 1);
    association_opened(a, direction::inbound);
    clear_section(t.name(), clear_what::associations);
    const snapshot snap = read_snapshot(t.name()); // keep it: v refers into it
    const auto& v = testing_support::channel_of(snap, "a");
    CHECK(v.get(counter::received_messages) == 1);
    CHECK(v.get(counter::in_assocs) == 0);
    CHECK(v.current_in == 1); // a gauge of a live connection is not cleared
}

TEST_CASE("the same name resolves to the same slot and bad names are refused", "[section]") {
    temp_section t;
    section sec(t.name());
    channel a1 = sec.get("tcp_local");
    section other(t.name());
    channel a2 = other.get("tcp_local");
    enqueued(a1, a2, 1, 1);
    const auto s = read_snapshot(t.name());
    REQUIRE(s.channels.size() == 1);
    CHECK(s.channels[0].get(counter::submitted_messages) == 1);
    CHECK(s.channels[0].get(counter::received_messages) == 1);
    CHECK_THROWS_AS(sec.get(""), error);
    CHECK_THROWS_AS(sec.get(std::string(33, 'x')), error);
    CHECK_NOTHROW(sec.get(std::string(32, 'x')));
    CHECK_THROWS_AS(sec.get("bad name"), error);
    CHECK_THROWS_AS(sec.get("esc\x1b[2J"), error);
}

TEST_CASE("a full channel table gives no-op handles and counts the overflow", "[section]") {
    temp_section t;
    create_options o;
    o.max_channels = 2;
    section sec(t.name(), o);
    channel a = sec.get("a"), b = sec.get("b"), c = sec.get("c");
    CHECK(a.recording());
    CHECK_FALSE(c.recording());
    enqueued(c, c, 1, 1); // ignored, no crash
    enqueued(a, b, 1, 1);
    const auto s = read_snapshot(t.name());
    CHECK(s.channels.size() == 2);
    CHECK(s.section.overflow == 1);
}

TEST_CASE("block size and mode are fixed at creation and create on a healthy section is a no-op",
          "[section]") {
    temp_section t;
    create_options o;
    o.block_size = 512;
    o.mode = 0640;
    CHECK(create_section(t.name(), o));
    struct stat st {};
    REQUIRE(::stat(("/dev/shm/" + t.name()).c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0640);
    section sec(t.name());
    channel a = sec.get("a");
    enqueued(a, a, 1, 513);
    create_options other;
    other.block_size = 4096;
    CHECK_FALSE(create_section(t.name(), other));
    const auto s = read_snapshot(t.name());
    CHECK(s.section.block_size == 512);
    CHECK(s.channels.at(0).get(counter::received_blocks) == 2);
}

TEST_CASE("bad creation options are refused with the section named", "[section]") {
    temp_section t;
    create_options o;
    o.max_channels = max_max_channels + 1;
    CHECK_THROWS_WITH(create_section(t.name(), o), Catch::Contains(t.name()) && Catch::Contains("max channels"));
    o.max_channels = 0;
    CHECK_THROWS_AS(create_section(t.name(), o), error);
    o = {};
    o.block_size = 0;
    CHECK_THROWS_AS(create_section(t.name(), o), error);
    CHECK_FALSE(section_exists(t.name()));
    CHECK_THROWS_AS(section("bad/name"), error);
}

TEST_CASE("delete retires the section and writers re-attach to a new one", "[section]") {
    temp_section t;
    section sec(t.name());
    channel a = sec.get("a"), b = sec.get("b");
    enqueued(a, b, 1, 1);
    delete_section(t.name());
    CHECK_FALSE(section_exists(t.name()));
    CHECK_THROWS_AS(read_snapshot(t.name()), error);
    enqueued(a, b, 1, 1); // notices the retired state and re-attaches
    enqueued(a, b, 1, 1);
    const auto s = read_snapshot(t.name());
    CHECK(testing_support::channel_of(s, "a").get(counter::submitted_messages) == 2);
    CHECK(testing_support::channel_of(s, "b").get(counter::received_messages) == 2);
}

TEST_CASE("missing sections give not_found errors naming the section", "[section]") {
    temp_section t;
    try {
        read_snapshot(t.name());
        FAIL("no exception");
    } catch (const error& e) {
        CHECK(e.code() == errc::not_found);
        CHECK(std::string(e.what()) == "section \"" + t.name() + "\": does not exist");
    }
    CHECK_THROWS_AS(clear_section(t.name()), error);
    CHECK_THROWS_AS(delete_section(t.name()), error);
}

TEST_CASE("COUNTERS_SECTION overrides the default name", "[section]") {
    CHECK(section_name("x") == "x");
    ::setenv(section_env, "from_env", 1);
    CHECK(section_name() == "from_env");
    ::unsetenv(section_env);
    CHECK(section_name() == "imta_counters");
}

TEST_CASE("counter descriptions come from the one list", "[counter]") {
    CHECK(counter_count == 30);
    CHECK(std::string(info(counter::received_messages).key) == "received_messages");
    CHECK(info(counter::stored_blocks).gauge);
    CHECK_FALSE(info(counter::delivered_messages).gauge);
    CHECK(first_counter(row::failed) == counter::failed_messages);
}

TEST_CASE("to_blocks rounds up like the recording calls", "[counter]") {
    CHECK(to_blocks(0, 1024) == 0);
    CHECK(to_blocks(1, 1024) == 1);
    CHECK(to_blocks(1024, 1024) == 1);
    CHECK(to_blocks(1025, 1024) == 2);
    CHECK(to_blocks(1000, 3) == 334);
    CHECK(to_blocks(~std::uint64_t{0}, 1) == INT64_MAX); // saturates
}

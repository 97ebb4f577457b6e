// SPDX-License-Identifier: MIT
// The Messaging Server mail.log grammar: replaying a log into a fresh section gives what the
// MTA's own recording calls gave for the same events (what `imsimta counters` showed).
#include "ingest_support.hpp"
#include "msgserver_log.hpp"

using namespace ingest_test;
using counters::ingest::channel_map;
using counters::ingest::interpreter;
using counters::ingest::log_format;

namespace {
/// Same channels, in any order, with the same values.
void same_counters(const counters::snapshot& a, const counters::snapshot& b) {
    CHECK(a.channels.size() == b.channels.size());
    for (const auto& c : b.channels) {
        INFO("channel " << c.name);
        const auto* x = a.find(c.name);
        REQUIRE(x != nullptr);
        for (std::size_t i = 0; i < counters::counter_count; ++i) {
            INFO("counter " << counters::info(static_cast<counter>(i)).key);
            CHECK(x->value[i] == c.value[i]);
        }
    }
}
} // namespace

TEST_CASE("msgserver: a replayed mail.log reproduces the MTA's own counters", "[msgserver]") {
    const auto ev = ms_events(60);
    const auto lines = ms_lines(ev);
    temp_writer direct("msd");
    ms_record(direct.sec, ev);
    temp_writer replay("msr");
    interpreter in(replay.sec, log_format::automatic, channel_map{});
    feed(in, lines);
    in.flush();
    CHECK(in.format() == log_format::msgserver);
    CHECK(in.counts().recorded == lines.size());
    same_counters(replay.snap(), direct.snap());
    // Sanity: the generated log has every record code the grammar maps.
    const auto s = replay.snap();
    std::int64_t attempted = 0;
    std::int64_t rejected = 0;
    std::int64_t failed = 0;
    for (const auto& c : s.channels) {
        attempted += c.get(counter::attempted_messages);
        rejected += c.get(counter::rejected_messages);
        failed += c.get(counter::failed_messages);
    }
    CHECK(attempted == 12);
    CHECK(rejected == 6);
    CHECK(failed == 6);
}

TEST_CASE("msgserver: the documented record, with a process id and a glued status", "[msgserver]") {
    temp_writer w;
    interpreter in(w.sec, log_format::msgserver, channel_map{});
    in.line("06-Oct-2003 00:24:03.66 501d.0b.9 ims-ms Q 5 durai.balusamy@Sun.COM rfc822;durai.balusamy@Sun.COM "
            "durai@ims-ms-daemon <00ce01c38bda$c7e2b240$6501a8c0@guindy>Mailbox is busy");
    CHECK(w.snap().channels.empty()); // held back until the message's last record is known
    in.line("06-Oct-2003 00:24:04.00 tcp_local l E 2 a@x.test rfc822;b@y.test b@l <id2@x.test>");
    in.flush();
    const auto s = w.snap();
    expect_channel(s, "ims-ms",
                   {{counter::attempted_messages, 1}, {counter::attempted_recipients, 1}, {counter::attempted_blocks, 5}});
    expect_channel(s, "l",
                   {{counter::received_messages, 1},
                    {counter::received_recipients, 1},
                    {counter::received_blocks, 2},
                    {counter::stored_messages, 1},
                    {counter::stored_recipients, 1},
                    {counter::stored_blocks, 2}});
    expect_channel(s, "tcp_local",
                   {{counter::submitted_messages, 1}, {counter::submitted_recipients, 1}, {counter::submitted_blocks, 2}});
    CHECK(in.counts().recorded == 2);
}

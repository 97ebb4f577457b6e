// SPDX-License-Identifier: MIT
// The Exim grammar: a main log written with log_selector = +smtp_connection
// +received_recipients +queue_time +deliver_time, each counter of each channel exact.
#include "ingest_support.hpp"

using namespace ingest_test;
using counters::ingest::channel_map;
using counters::ingest::interpreter;
using counters::ingest::log_format;

namespace {
std::vector<std::string> exim_log() {
    return {
        "2026-12-03 05:37:11 SMTP connection from [127.0.0.1]:40000 (TCP/IP connection count = 1)",
        "2026-12-03 05:37:11 1tIXab-000123-Cd <= sender@client.test H=localhost [127.0.0.1] P=esmtp S=1500 "
        "id=abc@client.test for a@sink.test b@sink.test",
        "2026-12-03 05:37:11 H=localhost [127.0.0.1] F=<sender@client.test> rejected RCPT <z@reject.test>: no such "
        "domain",
        "2026-12-03 05:37:12 SMTP connection from localhost [127.0.0.1]:40000 closed by QUIT",
        "2026-12-03 05:37:12 1tIXab-000123-Cd => a@sink.test R=dnslookup T=remote_smtp H=sink.test [127.0.0.1] "
        "C=\"250 OK T=1 id=x\" QT=1s DT=0s",
        "2026-12-03 05:37:12 1tIXab-000123-Cd -> b@sink.test R=dnslookup T=remote_smtp H=sink.test [127.0.0.1] "
        "C=\"250 OK\" QT=1s DT=0s",
        "2026-12-03 05:37:12 1tIXab-000123-Cd Completed QT=1s",
        "2026-12-03 05:37:13 [4242] 1tIXcd-000124-Ef <= local@mta.test U=root P=local S=800 for x@defer.test",
        "2026-12-03 05:37:13.512 +0000 [4243] 1tIXcd-000124-Ef == x@defer.test R=dnslookup T=remote_smtp defer (111): "
        "Connection refused",
        "2026-12-03 05:40:13 [4250] 1tIXcd-000124-Ef => x@defer.test R=dnslookup T=remote_smtp H=defer.test "
        "[127.0.0.2] C=\"250 OK\" QT=3m1s DT=1s",
        "2026-12-03 05:40:13 1tIXcd-000124-Ef Completed",
        "2026-12-03 05:41:00 1tIXef-000125-Gh <= bad@client.test H=localhost [127.0.0.1] P=esmtps S=300 for "
        "w@nowhere.example",
        "2026-12-03 05:41:00 1tIXef-000125-Gh ** w@nowhere.example: Unrouteable address",
        "2026-12-03 05:41:00 1tIXgh-000126-Ij <= <> R=1tIXef-000125-Gh U=Debian-exim P=local S=1800 for "
        "bad@client.test",
        "2026-12-03 05:41:00 1tIXgh-000126-Ij => bad@client.test R=localuser T=local_delivery QT=0s DT=0s",
        "2026-12-03 05:41:00 1tIXef-000125-Gh Completed",
        "2026-12-03 05:41:01 1tIXgh-000126-Ij Completed",
        "2026-12-03 05:41:02 Connection from [10.0.0.9] refused: too many connections",
        "2026-12-03 05:41:03 Start queue run: pid=4260",
    };
}
} // namespace

TEST_CASE("exim: arrivals, deliveries, deferrals, failures and connections, exact", "[exim]") {
    temp_writer w;
    interpreter in(w.sec, log_format::automatic, channel_map{});
    const auto lines = exim_log();
    feed(in, lines);
    CHECK(in.format() == log_format::exim);
    const auto s = w.snap();
    expect_channel(s, "smtp",
                   {{counter::in_assocs, 1},
                    {counter::in_assocs_rejected, 1},
                    {counter::rejected_messages, 1},
                    {counter::rejected_recipients, 1}});
    expect_channel(s, "esmtp",
                   {{counter::submitted_messages, 1}, {counter::submitted_recipients, 2}, {counter::submitted_blocks, 2}});
    expect_channel(s, "esmtps",
                   {{counter::submitted_messages, 1}, {counter::submitted_recipients, 1}, {counter::submitted_blocks, 1}});
    expect_channel(s, "local",
                   {{counter::submitted_messages, 2}, {counter::submitted_recipients, 2}, {counter::submitted_blocks, 3}});
    expect_channel(s, "remote_smtp",
                   {{counter::received_messages, 3},
                    {counter::received_recipients, 3},
                    {counter::received_blocks, 5},
                    {counter::delivered_messages, 3},
                    {counter::delivered_recipients, 3},
                    {counter::delivered_blocks, 5},
                    {counter::delivered_first_messages, 2},
                    {counter::attempted_messages, 1},
                    {counter::attempted_recipients, 1},
                    {counter::attempted_blocks, 1},
                    {counter::queue_time, 183},
                    {counter::queue_count, 3},
                    {counter::queue_first_time, 2},
                    {counter::queue_first_count, 2},
                    {counter::out_assocs, 2},
                    {counter::out_assocs_failed, 1}});
    expect_channel(s, "unroutable",
                   {{counter::received_messages, 1},
                    {counter::received_recipients, 1},
                    {counter::received_blocks, 1},
                    {counter::delivered_messages, 1},
                    {counter::delivered_recipients, 1},
                    {counter::delivered_blocks, 1},
                    {counter::delivered_first_messages, 1},
                    {counter::failed_messages, 1},
                    {counter::failed_recipients, 1},
                    {counter::failed_blocks, 1},
                    {counter::queue_count, 1},
                    {counter::queue_first_count, 1}});
    expect_channel(s, "local_delivery",
                   {{counter::received_messages, 1},
                    {counter::received_recipients, 1},
                    {counter::received_blocks, 2},
                    {counter::delivered_messages, 1},
                    {counter::delivered_recipients, 1},
                    {counter::delivered_blocks, 2},
                    {counter::delivered_first_messages, 1},
                    {counter::queue_count, 1},
                    {counter::queue_first_count, 1}});
    CHECK(s.channels.size() == 7);
    CHECK(in.counts().recorded == 14);
    CHECK(in.counts().ignored == 5);
    CHECK(skipped_total(in.counts()) == 0);
}

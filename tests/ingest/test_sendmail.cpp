// SPDX-License-Identifier: MIT
// The Sendmail grammar: syslog lines of sm-mta, each counter of each channel exact.
#include "ingest_support.hpp"

using namespace ingest_test;
using counters::ingest::channel_map;
using counters::ingest::interpreter;
using counters::ingest::log_format;

namespace {
std::vector<std::string> sendmail_log() {
    return {
        "Dec  3 05:37:11 mta sm-mta[100]: 0B35bB1a012345: from=<s@client.test>, size=1500, class=0, nrcpts=2, "
        "msgid=<m1@client.test>, proto=ESMTP, daemon=MTA-v4, relay=localhost [127.0.0.1]",
        "Dec  3 05:37:12 mta sm-mta[101]: 0B35bB1a012345: to=<a@sink.test>,<b@sink.test>, delay=00:00:01, "
        "xdelay=00:00:01, mailer=esmtp, pri=120000, relay=sink.test. [127.0.0.1], dsn=2.0.0, stat=Sent (Ok)",
        "Dec  3 05:37:13 mta sm-mta[102]: 0B35bC2b012346: from=<root@mta.test>, size=700, class=0, nrcpts=1, "
        "msgid=<m2@mta.test>, relay=root@localhost",
        "Dec  3 05:37:14 mta sm-mta[103]: 0B35bC2b012346: to=<x@defer.test>, delay=00:00:01, xdelay=00:00:01, "
        "mailer=esmtp, pri=30000, relay=defer.test. [127.0.0.2], dsn=4.0.0, stat=Deferred: Connection refused by "
        "defer.test.",
        "2026-12-04T06:37:14+00:00 mta sm-mta[104]: 0B35bC2b012346: to=<x@defer.test>, delay=1+01:00:01, "
        "xdelay=00:00:01, mailer=esmtp, pri=120000, relay=defer.test. [127.0.0.2], dsn=2.0.0, stat=Sent (ok)",
        "Dec  3 05:37:15 mta sm-mta[105]: 0B35bD3c012347: from=<s@client.test>, size=300, class=0, nrcpts=1, "
        "msgid=<m3@client.test>, proto=ESMTP, daemon=MTA-v4, relay=localhost [127.0.0.1]",
        "Dec  3 05:37:15 mta sm-mta[106]: 0B35bD3c012347: to=<nobody@mta.test>, delay=00:00:00, xdelay=00:00:00, "
        "mailer=local, pri=30000, dsn=5.1.1, stat=User unknown",
        "Dec  3 05:37:15 mta sm-mta[106]: 0B35bD3c012347: 0B35bD3d012348: DSN: User unknown",
        "Dec  3 05:37:15 mta sm-mta[106]: 0B35bD3d012348: to=<s@client.test>, delay=00:00:00, xdelay=00:00:00, "
        "mailer=esmtp, pri=30000, relay=client.test. [127.0.0.3], dsn=2.0.0, stat=Sent (ok)",
        "Dec  3 05:37:16 mta sm-mta[107]: 0B35bE4e012349: ruleset=check_rcpt, arg1=<z@reject.test>, relay=localhost "
        "[127.0.0.1], reject=550 5.7.1 <z@reject.test>... Relaying denied",
        "Dec  3 05:37:16 mta sm-mta[108]: ruleset=check_relay, arg1=bad.host, arg2=10.0.0.9, relay=bad.host "
        "[10.0.0.9], reject=550 5.7.1 Access denied",
        "Dec  3 05:37:16 mta sm-mta[109]: STARTTLS=client, relay=x, version=TLSv1.3, verify=OK",
    };
}
} // namespace

TEST_CASE("sendmail: from= and to= lines, DSNs and rejections, exact", "[sendmail]") {
    temp_writer w;
    interpreter in(w.sec, log_format::automatic, channel_map{});
    feed(in, sendmail_log());
    CHECK(in.format() == log_format::sendmail);
    const auto s = w.snap();
    expect_channel(s, "MTA-v4",
                   {{counter::submitted_messages, 2}, {counter::submitted_recipients, 3}, {counter::submitted_blocks, 3}});
    expect_channel(s, "esmtp",
                   {{counter::received_messages, 3},
                    {counter::received_recipients, 4},
                    {counter::received_blocks, 3},
                    {counter::delivered_messages, 3},
                    {counter::delivered_recipients, 4},
                    {counter::delivered_blocks, 3},
                    {counter::delivered_first_messages, 2},
                    {counter::attempted_messages, 1},
                    {counter::attempted_recipients, 1},
                    {counter::attempted_blocks, 1},
                    {counter::queue_time, 90002},
                    {counter::queue_count, 3},
                    {counter::queue_first_time, 1},
                    {counter::queue_first_count, 2},
                    {counter::out_assocs, 3},
                    {counter::out_assocs_failed, 1}});
    expect_channel(s, "local",
                   {{counter::submitted_messages, 1},
                    {counter::submitted_recipients, 1},
                    {counter::submitted_blocks, 1},
                    {counter::received_messages, 1},
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
    expect_channel(s, "bounce", {{counter::submitted_messages, 1}, {counter::submitted_recipients, 1}});
    expect_channel(s, "smtp",
                   {{counter::rejected_messages, 1}, {counter::rejected_recipients, 1}, {counter::in_assocs_rejected, 1}});
    CHECK(s.channels.size() == 5);
    CHECK(in.counts().recorded == 11);
    CHECK(in.counts().ignored == 1);
}

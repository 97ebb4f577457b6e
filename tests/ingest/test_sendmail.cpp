// SPDX-License-Identifier: MIT
// The Sendmail grammar: syslog lines of sm-mta, each counter of each channel exact.
#include "ingest_support.hpp"
#include "sendmail_log.hpp"

using namespace ingest_test;
using counters::ingest::channel_map;
using counters::ingest::interpreter;
using counters::ingest::log_format;


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

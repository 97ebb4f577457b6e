// SPDX-License-Identifier: MIT
// The Exim grammar: a main log written with log_selector = +smtp_connection
// +received_recipients +queue_time +deliver_time, each counter of each channel exact.
#include "ingest_support.hpp"
#include "exim_log.hpp"

using namespace ingest_test;
using counters::ingest::channel_map;
using counters::ingest::interpreter;
using counters::ingest::log_format;


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

// SPDX-License-Identifier: MIT
// The Postfix grammar: the log lines of a real Postfix 3.7 (maillog_file, RFC 3339 and the
// bare journal form), each counter of each channel exact.
#include "ingest_support.hpp"

#include "postfix_log.hpp"

using namespace ingest_test;
using counters::ingest::channel_map;
using counters::ingest::interpreter;
using counters::ingest::log_format;

TEST_CASE("postfix: every line shape lands on its channel with exact counters", "[postfix]") {
    temp_writer w;
    interpreter in(w.sec, log_format::postfix, channel_map{});
    const auto lines = postfix_log();
    feed(in, lines);
    const auto s = w.snap();

    expect_channel(s, "smtpd",
                   {{counter::in_assocs, 2},
                    {counter::submitted_messages, 2},
                    {counter::submitted_recipients, 3},
                    {counter::submitted_blocks, 4},
                    {counter::rejected_messages, 1},
                    {counter::rejected_recipients, 1}});
    expect_channel(s, "smtp",
                   {{counter::received_messages, 4},
                    {counter::received_recipients, 4},
                    {counter::received_blocks, 6},
                    {counter::delivered_messages, 4},
                    {counter::delivered_recipients, 4},
                    {counter::delivered_blocks, 6},
                    {counter::delivered_first_messages, 3},
                    {counter::attempted_messages, 1},
                    {counter::attempted_recipients, 1},
                    {counter::attempted_blocks, 3},
                    {counter::failed_messages, 1},
                    {counter::failed_recipients, 1},
                    {counter::failed_blocks, 1},
                    {counter::queue_time, 302},
                    {counter::queue_count, 4},
                    {counter::queue_first_time, 2},
                    {counter::queue_first_count, 3},
                    {counter::out_assocs, 2},
                    {counter::out_assocs_failed, 1}});
    expect_channel(s, "pickup",
                   {{counter::submitted_messages, 1}, {counter::submitted_recipients, 1}, {counter::submitted_blocks, 1}});
    expect_channel(s, "bounce",
                   {{counter::submitted_messages, 1}, {counter::submitted_recipients, 1}, {counter::submitted_blocks, 3}});
    expect_channel(s, "local",
                   {{counter::received_messages, 1},
                    {counter::received_recipients, 1},
                    {counter::received_blocks, 3},
                    {counter::delivered_messages, 1},
                    {counter::delivered_recipients, 1},
                    {counter::delivered_blocks, 3},
                    {counter::delivered_first_messages, 1},
                    {counter::queue_count, 1},
                    {counter::queue_first_count, 1}});
    expect_channel(s, "submission", {{counter::in_assocs, 1}}, 1, 0);
    expect_channel(s, "postfix-mx/smtpd", {{counter::in_assocs, 1}, {counter::in_assocs_rejected, 1}});
    expect_channel(s, "relay",
                   {{counter::received_messages, 1},
                    {counter::received_recipients, 1},
                    {counter::stored_messages, 1},
                    {counter::stored_recipients, 1},
                    {counter::attempted_messages, 1},
                    {counter::attempted_recipients, 1},
                    {counter::out_assocs, 1}});
    CHECK(s.channels.size() == 8);

    const auto& c = in.counts();
    CHECK(c.lines == lines.size());
    CHECK(c.recorded == 21);
    CHECK(c.ignored == 11);
    CHECK(c.skipped.at("foreign") == 1);
    CHECK(skipped_total(c) == 1);
}

TEST_CASE("postfix: the channel map renames the service channels", "[postfix]") {
    temp_writer w;
    channel_map m;
    m.add("smtpd", "tcp_local");
    m.add("smtp", "tcp_local");
    m.add("local", "l");
    interpreter in(w.sec, log_format::postfix, m);
    feed(in, postfix_log());
    const auto s = w.snap();
    CHECK(s.find("smtpd") == nullptr);
    CHECK(s.find("smtp") == nullptr);
    CHECK(s.find("local") == nullptr);
    const auto* t = s.find("tcp_local");
    REQUIRE(t != nullptr);
    CHECK(t->get(counter::submitted_messages) == 2);
    CHECK(t->get(counter::received_messages) == 4);
    CHECK(t->get(counter::in_assocs) == 2);
    CHECK(t->get(counter::out_assocs) == 2);
    REQUIRE(s.find("l") != nullptr);
    CHECK(s.find("l")->get(counter::delivered_messages) == 1);
}

TEST_CASE("postfix: expiry, cleanup rejects and local forwarding", "[postfix]") {
    temp_writer w;
    interpreter in(w.sec, log_format::postfix, channel_map{});
    feed(in, {
                 "Dec  3 06:00:00 mta postfix/pickup[1]: AAAAAA1111: uid=0 from=<a@mta.test>",
                 "Dec  3 06:00:00 mta postfix/qmgr[2]: AAAAAA1111: from=<a@mta.test>, size=100, nrcpt=1 (queue active)",
                 std::string("Dec  3 06:00:01 mta postfix/smtp[3]: AAAAAA1111: to=<x@slow.test>, relay=none, delay=1, delays=1/0/0/0, ") +
                 "dsn=4.4.1, status=deferred (connect to slow.test: Connection timed out)",
                 "Dec  8 06:00:01 mta postfix/qmgr[2]: AAAAAA1111: from=<a@mta.test>, status=expired, returned to sender",
                 "Dec  8 06:00:01 mta postfix/qmgr[2]: AAAAAA1111: removed",
                 // a header_checks reject in cleanup: on the submitting channel
                 "Dec  8 06:00:02 mta postfix/smtpd[4]: BBBBBB2222: client=h[192.0.2.1]",
                 std::string("Dec  8 06:00:02 mta postfix/cleanup[5]: BBBBBB2222: reject: header Subject: spam from h[192.0.2.1]; ") +
                 "from=<s@h.test> to=<u@mta.test> proto=ESMTP helo=<h>: 5.7.1 no spam",
                 // local(8) forwards: the new message was submitted by local
                 std::string("Dec  8 06:00:03 mta postfix/local[6]: CCCCCC3333: to=<u@mta.test>, relay=local, delay=0.2, ") +
                 "delays=0/0/0/0.2, dsn=2.0.0, status=sent (forwarded as DDDDDD4444)",
                 "Dec  8 06:00:03 mta postfix/qmgr[2]: DDDDDD4444: from=<s@h.test>, size=4000, nrcpt=1 (queue active)",
             });
    const auto s = w.snap();
    expect_channel(s, "pickup",
                   {{counter::submitted_messages, 1}, {counter::submitted_recipients, 1}, {counter::submitted_blocks, 1}});
    expect_channel(s, "smtp",
                   {{counter::received_messages, 1},
                    {counter::received_recipients, 1},
                    {counter::received_blocks, 1},
                    {counter::attempted_messages, 1},
                    {counter::attempted_recipients, 1},
                    {counter::attempted_blocks, 1},
                    {counter::failed_messages, 1},
                    {counter::failed_recipients, 1},
                    {counter::failed_blocks, 1},
                    {counter::delivered_messages, 1},
                    {counter::delivered_recipients, 1},
                    {counter::delivered_blocks, 1},
                    {counter::queue_count, 1}});
    expect_channel(s, "smtpd", {{counter::rejected_messages, 1}, {counter::rejected_recipients, 1}});
    const auto* local = s.find("local");
    REQUIRE(local != nullptr);
    CHECK(local->get(counter::submitted_messages) == 1);
    CHECK(local->get(counter::submitted_blocks) == 4);
    CHECK(local->get(counter::delivered_messages) == 1);
}

namespace {
const want pickup_one = {
    {counter::submitted_messages, 1}, {counter::submitted_recipients, 1}, {counter::submitted_blocks, 3}};
const want attempted_one = {
    {counter::attempted_messages, 1}, {counter::attempted_recipients, 1}, {counter::attempted_blocks, 3}};
/// @p w plus one row (messages, recipients, 3 blocks) of each counter triple in @p rows.
want with(want w, std::initializer_list<counter> rows) {
    for (const counter m : rows) {
        const auto i = static_cast<std::size_t>(m);
        w[m] += 1;
        w[static_cast<counter>(i + 1)] += 1;
        w[static_cast<counter>(i + 2)] += 3;
    }
    return w;
}
} // namespace

TEST_CASE("postfix: an error deferral, then smtp delivers: Received on smtp only, Stored 0", "[postfix][error]") {
    temp_writer w;
    interpreter in(w.sec, log_format::postfix, channel_map{});
    feed(in, postfix_error_log("E0000000001", {"error", "again", "smtp-sent"}));
    const auto s = w.snap();
    expect_channel(s, "pickup", pickup_one);
    expect_channel(s, "error", attempted_one);
    expect_channel(s, "smtp",
                   with({{counter::queue_time, 300}, {counter::queue_count, 1}, {counter::out_assocs, 1}},
                        {counter::received_messages, counter::delivered_messages}));
    CHECK(s.channels.size() == 3);
    CHECK(skipped_total(in.counts()) == 0);
}

TEST_CASE("postfix: an error deferral, then qmgr expiry: Received at expiry on error, Stored 0", "[postfix][error]") {
    temp_writer w;
    interpreter in(w.sec, log_format::postfix, channel_map{});
    const auto lines = postfix_error_log("E0000000002", {"error", "again", "expired"});
    feed(in, lines, 0, 3);
    // the deferral alone: Attempted, nothing received or stored anywhere
    expect_channel(w.snap(), "error", attempted_one);
    feed(in, lines, 3);
    const auto s = w.snap();
    expect_channel(s, "pickup", pickup_one);
    expect_channel(s, "error",
                   with({{counter::queue_count, 1}},
                        {counter::attempted_messages, counter::received_messages, counter::failed_messages,
                         counter::delivered_messages}));
    CHECK(s.channels.size() == 2);
}

TEST_CASE("postfix: smtp deferral, error deferral, smtp delivers: Stored 0 on both", "[postfix][error]") {
    temp_writer w;
    interpreter in(w.sec, log_format::postfix, channel_map{});
    feed(in, postfix_error_log("E0000000003", {"smtp-deferred", "again", "error", "again", "smtp-sent"}));
    const auto s = w.snap();
    expect_channel(s, "pickup", pickup_one);
    expect_channel(s, "error", attempted_one);
    expect_channel(s, "smtp",
                   with({{counter::queue_time, 300}, {counter::queue_count, 1}, {counter::out_assocs, 1}},
                        {counter::received_messages, counter::attempted_messages, counter::delivered_messages}));
    CHECK(s.channels.size() == 3);
}

TEST_CASE("postfix: retry deferral, smtp deferral, qmgr expiry: fails on smtp, Stored 0", "[postfix][error]") {
    temp_writer w;
    interpreter in(w.sec, log_format::postfix, channel_map{});
    feed(in, postfix_error_log("E0000000004", {"retry", "again", "smtp-deferred", "expired"}));
    const auto s = w.snap();
    expect_channel(s, "pickup", pickup_one);
    expect_channel(s, "retry", attempted_one);
    expect_channel(s, "smtp",
                   with({{counter::queue_count, 1}},
                        {counter::received_messages, counter::attempted_messages, counter::failed_messages,
                         counter::delivered_messages}));
    CHECK(s.channels.size() == 3);
}

// SPDX-License-Identifier: MIT
// The interpreter around the grammars: skip reasons, eviction at the cap, replay without
// recording, save/load across two interpreters, corrupt state, formats and channel maps.
#include "ingest_support.hpp"
#include "exim_log.hpp"
#include "sendmail_log.hpp"
#include "msgserver_log.hpp"
#include "postfix_log.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

using namespace ingest_test;
using counters::ingest::channel_map;
using counters::ingest::interpreter;
using counters::ingest::log_format;

namespace {

const char* const all_reasons[] = {"unknown",  "foreign",    "too_long",    "invalid_utf8", "binary",
                                   "truncated", "bad_number", "bad_channel", "evicted"};

std::int64_t value_or_zero(const counters::snapshot& s, const std::string& ch, std::size_t i) {
    const auto* c = s.find(ch);
    return c == nullptr ? 0 : c->value[i];
}

/// @p got holds what @p full minus @p prefix holds, except that association totals are
/// higher by what was open after the prefix (re-opened by the second process); the current
/// gauges equal @p full's.
void expect_difference(const counters::snapshot& got, const counters::snapshot& full, const counters::snapshot& prefix,
                       const counters::snapshot& subtract) {
    for (const auto& c : got.channels) {
        INFO("channel " << c.name);
        CHECK(full.find(c.name) != nullptr);
    }
    for (const auto& f : full.channels) {
        INFO("channel " << f.name);
        const auto* p = prefix.find(f.name);
        for (std::size_t i = 0; i < counters::counter_count; ++i) {
            const auto k = static_cast<counter>(i);
            INFO("counter " << counters::info(k).key);
            std::int64_t want = f.value[i] - value_or_zero(subtract, f.name, i);
            if (k == counter::in_assocs && p != nullptr) want += p->current_in;
            if (k == counter::out_assocs && p != nullptr) want += p->current_out;
            CHECK(value_or_zero(got, f.name, i) == want);
        }
        const auto* g = got.find(f.name);
        CHECK((g == nullptr ? 0 : g->current_in) == f.current_in);
        CHECK((g == nullptr ? 0 : g->current_out) == f.current_out);
    }
}

const counters::snapshot empty_snapshot{};

/// One uninterrupted run against runs split at every line: the first part recorded by one
/// interpreter that saves its state and ends, the rest by a second that loads it.
void round_trip(log_format f, const std::vector<std::string>& lines, bool flush) {
    temp_writer whole("rtw");
    std::vector<counters::snapshot> prefix;
    {
        interpreter c(whole.sec, f, channel_map{});
        for (const auto& l : lines) {
            prefix.push_back(whole.snap());
            c.line(l);
        }
        if (flush) c.flush();
    }
    // The whole run's interpreter has ended: its open associations are closed now, as at
    // the end of the split runs.
    const auto full = whole.snap();
    for (std::size_t k = 0; k < lines.size(); ++k) {
        INFO("split before line " << k);
        temp_writer split("rts");
        std::stringstream state;
        {
            interpreter a(split.sec, f, channel_map{});
            feed(a, lines, 0, k);
            a.save(state);
        }
        {
            interpreter b(split.sec, f, channel_map{});
            REQUIRE(b.load(state));
            feed(b, lines, k);
            if (flush) b.flush();
        }
        expect_difference(split.snap(), full, prefix[k], empty_snapshot);
    }
}

} // namespace

TEST_CASE("interpreter: every skip reason is counted, none is fatal", "[interpreter]") {
    temp_writer w;
    interpreter in(w.sec, log_format::postfix, channel_map{}, 2);
    for (const char* r : all_reasons) {
        INFO(r);
        REQUIRE(in.counts().skipped.count(r) == 1);
        CHECK(in.counts().skipped.at(r) == 0);
    }
    const std::string pfx = "Dec  3 05:37:11 mta ";
    in.line("hello world");                                                     // unknown
    in.line(pfx + "dovecot[12]: imap-login: Login: user=<u>");                  // foreign
    in.line(pfx + "postfix/smtpd[1]: connect from a", true, true);              // too_long
    in.line(pfx + "postfix/smtpd[1]: connect from \xff\xfe[192.0.2.1]");        // invalid_utf8
    in.line(std::string("\x01\x02\x00\x7f", 4));                               // binary
    in.line(pfx + "postfix/smtpd[1]: connect from a\x01b");                  // binary, past the first 8 bytes
    in.line(pfx + "postfix/smtpd[1]: connect from a\x7f" + "b");             // DEL
    in.line(pfx + "postfix/smtp[1]: ABCDEF1234: to=<a@b.test>, relay=none, delay=1"); // truncated
    in.line(pfx + "postfix/qmgr[2]: ABCDEF1234: from=<a@b.test>, size=12x, nrcpt=1 (queue active)"); // bad_number
    in.line(pfx + "postfix/qmgr[2]: ABCDEF1234: from=<a@b.test>, size=1, nrcpt=99999999999 (queue active)");
    in.line(pfx + "postfix/smtp[1]: ABCDEF1234: to=<a@b.test>, relay=none, delay=-1, status=sent (ok)");
    in.line(pfx + "postfix/0123456789012345678901234567890123456789/smtpd[1]: connect from a"); // bad_channel
    // evicted: the cap is 2
    for (const char* id : {"AAAAAA0001", "AAAAAA0002", "AAAAAA0003"})
        in.line(pfx + "postfix/qmgr[2]: " + id + ": from=<a@b.test>, size=10, nrcpt=1 (queue active)");
    in.line(pfx + "postfix/smtp[3]: AAAAAA0001: to=<x@y.test>, relay=none, delay=1, status=deferred (later)");
    in.line("");
    const auto& c = in.counts();
    CHECK(c.skipped.at("unknown") == 1);
    CHECK(c.skipped.at("foreign") == 1);
    CHECK(c.skipped.at("too_long") == 1);
    CHECK(c.skipped.at("invalid_utf8") == 1);
    CHECK(c.skipped.at("binary") == 3);
    CHECK(c.skipped.at("truncated") == 1);
    CHECK(c.skipped.at("bad_number") == 3);
    CHECK(c.skipped.at("bad_channel") == 1);
    CHECK(c.skipped.at("evicted") == 1);
    CHECK(c.skipped.size() == std::size(all_reasons));
    CHECK(c.recorded == 3);
    CHECK(c.ignored == 1);
    CHECK(c.lines == 17);
    const auto s = w.snap();
    CHECK(names(s) == std::vector<std::string>{"qmgr"}); // nothing else was recorded
    CHECK(s.find("qmgr")->get(counter::submitted_messages) == 3);
}

TEST_CASE("interpreter: eviction keeps the newest ids up to the cap", "[interpreter]") {
    temp_writer w;
    interpreter in(w.sec, log_format::postfix, channel_map{}, 2);
    const std::string pfx = "Dec  3 05:37:11 mta postfix/";
    for (const char* id : {"AAAAAA0001", "AAAAAA0002", "AAAAAA0003"}) {
        in.line(pfx + "smtpd[1]: " + id + ": client=a[192.0.2.1]");
        in.line(pfx + "qmgr[2]: " + id + ": from=<a@b.test>, size=10, nrcpt=1 (queue active)");
    }
    std::stringstream st;
    in.save(st);
    const std::string text = st.str();
    CHECK(text.find("id AAAAAA0001 ") == std::string::npos);
    CHECK(text.find("id AAAAAA0002 ") != std::string::npos);
    CHECK(text.find("id AAAAAA0003 ") != std::string::npos);
    CHECK(text.find("evicted AAAAAA0001\n") != std::string::npos);
    for (const char* id : {"AAAAAA0001", "AAAAAA0003"})
        in.line(pfx + "smtp[3]: " + id + ": to=<x@y.test>, relay=none, delay=1, status=bounced (no)");
    CHECK(in.counts().skipped.at("evicted") == 1);
    const auto s = w.snap();
    CHECK(s.find("smtp")->get(counter::failed_messages) == 1);
    CHECK(s.find("smtpd")->get(counter::submitted_messages) == 3);
}

TEST_CASE("interpreter: replayed lines change nothing in the section but rebuild the state", "[interpreter]") {
    const auto lines = postfix_log();
    temp_writer whole("rpw");
    std::vector<counters::snapshot> prefix;
    {
        interpreter c(whole.sec, log_format::postfix, channel_map{});
        for (const auto& l : lines) {
            prefix.push_back(whole.snap());
            c.line(l);
        }
        prefix.push_back(whole.snap());
    }
    const auto full = whole.snap();
    for (std::size_t k = 1; k < lines.size(); ++k) {
        INFO("replayed " << k << " lines");
        temp_writer w("rp");
        interpreter in(w.sec, log_format::postfix, channel_map{});
        feed(in, lines, 0, k, false);
        CHECK(w.snap().channels.empty()); // not even a channel registered
        CHECK(in.counts().lines == k);
        feed(in, lines, k);
        // The associations open at k were recorded by the process that recorded the
        // replayed lines: re-opened here, so their totals count them twice.
        const auto got = w.snap();
        for (const auto& f : full.channels) {
            INFO("channel " << f.name);
            const auto* p = prefix[k].find(f.name);
            for (std::size_t i = 0; i < counters::counter_count; ++i) {
                const auto key = static_cast<counter>(i);
                INFO("counter " << counters::info(key).key);
                std::int64_t want = f.value[i] - value_or_zero(prefix[k], f.name, i);
                if (key == counter::in_assocs && p != nullptr) want += p->current_in;
                CHECK(value_or_zero(got, f.name, i) == want);
            }
        }
    }
}

TEST_CASE("interpreter: save/load across two interpreters equals one run (postfix)", "[interpreter][state]") {
    round_trip(log_format::postfix, postfix_log(), false);
}

TEST_CASE("interpreter: save/load across two interpreters equals one run (postfix error/retry deferrals)",
          "[interpreter][state]") {
    round_trip(log_format::postfix, postfix_error_logs(), false);
}

TEST_CASE("interpreter: save/load across two interpreters equals one run (msgserver)", "[interpreter][state]") {
    round_trip(log_format::msgserver, ms_lines(ms_events(12)), true);
}

TEST_CASE("interpreter: save/load across two interpreters equals one run (exim)", "[interpreter][state]") {
    round_trip(log_format::exim, exim_log(), false);
}

TEST_CASE("interpreter: save/load across two interpreters equals one run (sendmail)", "[interpreter][state]") {
    round_trip(log_format::sendmail, sendmail_log(), false);
}

TEST_CASE("interpreter: a corrupt state is refused and leaves the state empty", "[interpreter][state]") {
    temp_writer w;
    std::string good;
    {
        interpreter in(w.sec, log_format::postfix, channel_map{});
        const auto lines = postfix_log();
        feed(in, lines, 0, 12); // two open associations, one message in flight
        std::ostringstream o;
        in.save(o);
        good = o.str();
    }
    REQUIRE(good.find("\nid ") != std::string::npos);
    REQUIRE(good.find("\nassoc in smtpd 1\n") != std::string::npos);
    const std::vector<std::string> bad = {
        "",
        "counters-ingest-state 2\nformat postfix\nend\n",
        "counters-ingest-state 1\nformat exim\nend\n", // another format than the interpreter's
        "counters-ingest-state 1\nformat postfix\n",   // no end
        "counters-ingest-state 1\nformat postfix\nassoc in smtpd -1\nend\n",
        "counters-ingest-state 1\nformat postfix\nassoc sideways smtpd 1\nend\n",
        "counters-ingest-state 1\nformat postfix\nid X - 1 1 s 0 1 a\nend\n",
        "counters-ingest-state 1\nformat postfix\nid X - 1 1 q 0 0\nend\n",
        "counters-ingest-state 1\nformat postfix\nid X%ZZ - 1 1 s 0 0\nend\n",
        "counters-ingest-state 1\nformat postfix\nx pending E a b c d 1 1 0\nend\n",
        "counters-ingest-state 1\nformat postfix\nbogus\nend\n",
        good.substr(0, good.size() / 2),
    };
    for (const auto& text : bad) {
        INFO(text);
        interpreter in(w.sec, log_format::postfix, channel_map{});
        std::istringstream is(text);
        CHECK_FALSE(in.load(is));
        std::ostringstream o;
        in.save(o);
        CHECK(o.str() == "counters-ingest-state 1\nformat postfix\nend\n");
    }
    // Every byte changed in turn: refused or accepted, never a crash.
    for (std::size_t i = 0; i < good.size(); ++i) {
        std::string t = good;
        t[i] = static_cast<char>(t[i] ^ 0x5a);
        interpreter in(w.sec, log_format::postfix, channel_map{});
        std::istringstream is(t);
        (void)in.load(is);
    }
    interpreter in(w.sec, log_format::automatic, channel_map{});
    std::istringstream is(good);
    CHECK(in.load(is));
    CHECK(in.format() == log_format::postfix);
}

TEST_CASE("interpreter: automatic picks the format from the first recognised line", "[interpreter]") {
    temp_writer w;
    interpreter in(w.sec, log_format::automatic, channel_map{});
    in.line("garbage before anything");
    CHECK(in.format() == log_format::automatic);
    CHECK(in.counts().skipped.at("unknown") == 1);
    in.line("Dec  3 05:37:41 mta dovecot[12]: imap-login: Login: user=<u>");
    CHECK(in.format() == log_format::automatic);
    in.line("2026-12-03T05:37:38.000000+00:00 mta postfix/smtpd[1]: connect from localhost[127.0.0.1]");
    CHECK(in.format() == log_format::postfix);
    CHECK(w.snap().find("smtpd")->get(counter::in_assocs) == 1);
}

TEST_CASE("interpreter: format names", "[interpreter]") {
    CHECK(counters::ingest::parse_log_format("auto") == log_format::automatic);
    CHECK(counters::ingest::parse_log_format("Postfix") == log_format::postfix);
    CHECK(counters::ingest::parse_log_format("EXIM") == log_format::exim);
    CHECK(counters::ingest::parse_log_format("sendmail") == log_format::sendmail);
    CHECK(counters::ingest::parse_log_format("msgserver") == log_format::msgserver);
    CHECK_THROWS_AS(counters::ingest::parse_log_format("qmail"), std::invalid_argument);
    for (const auto f : {log_format::automatic, log_format::postfix, log_format::exim, log_format::sendmail,
                         log_format::msgserver})
        CHECK(counters::ingest::parse_log_format(counters::ingest::format_name(f)) == f);
}

TEST_CASE("channel_map: the file format and its errors", "[channel_map]") {
    char tmpl[] = "/tmp/ingest-map-XXXXXX";
    const int fd = ::mkstemp(tmpl);
    REQUIRE(fd >= 0);
    ::close(fd);
    const std::string path = tmpl;
    struct remove_at_end {
        std::string p;
        ~remove_at_end() { std::remove(p.c_str()); }
    } cleanup{path};
    auto write = [&](const std::string& text) { std::ofstream(path, std::ios::trunc) << text; };

    write("# Postfix services to Messaging Server channels\n\nsmtpd tcp_local  # inbound\nsmtp\ttcp_local\nlocal l\n");
    const channel_map m = channel_map::load(path);
    CHECK(m.map("smtpd") == "tcp_local");
    CHECK(m.map("smtp") == "tcp_local");
    CHECK(m.map("local") == "l");
    CHECK(m.map("pickup") == "pickup");

    auto error_of = [&](const std::string& text) -> std::string {
        write(text);
        try {
            (void)channel_map::load(path);
        } catch (const std::runtime_error& e) {
            return e.what();
        }
        return "no error";
    };
    CHECK(error_of("smtpd\n") == path + ":1: missing field: FROM TO expected");
    CHECK(error_of("a b c\n") == path + ":1: extra field: FROM TO expected");
    CHECK(error_of("\nsmtpd 0123456789012345678901234567890123\n") ==
          path + ":2: invalid channel name '0123456789012345678901234567890123' (1 to 32 printable ASCII bytes, no "
                 "spaces)");
    CHECK(error_of("a b\na c\n") == path + ":2: 'a' mapped twice");
    CHECK_THROWS_AS(channel_map::load(path + ".missing"), std::runtime_error);
}

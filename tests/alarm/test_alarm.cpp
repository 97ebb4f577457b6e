// SPDX-License-Identifier: MIT
// msprobe's alarm side: instance names, the value rules, the notice byte for byte, the
// threshold state machine with a fake clock and exact registry fields, and the queue of
// unsent notices (mail server down, refusing, back) against a scripted SMTP server.
#include "alarm_side.hpp"
#include "alarm_support.hpp"

#include <catch.hpp>
#include <support.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <ctime>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

using namespace counters::msprobe;
using alarm_testing::fake_smtp;
using alarm_testing::temp_dir;
using testing_support::temp_registry;

namespace {

constexpr std::int64_t t0 = 995413028; // Tue, 17 Jul 2001 16:37:08 -0700 (PDT)

void pacific() {
    ::setenv("TZ", "PST8PDT,M3.2.0,M11.1.0", 1);
    ::tzset();
}

struct log_lines {
    std::vector<std::pair<log_level, std::string>> lines;
    log_fn fn() {
        return [this](log_level l, const std::string& s) { lines.emplace_back(l, s); };
    }
    bool has(log_level l, const std::string& part) const {
        for (const auto& [level, text] : lines) {
            if (level == l && text.find(part) != std::string::npos) return true;
        }
        return false;
    }
};

config test_config(const std::string& statedir, std::uint16_t port) {
    config c;
    c.notice.host = "127.0.0.1";
    c.notice.port = port;
    c.notice.rcpt = "postmaster@alarm.test";
    c.notice.sender = "msprobe@alarm.test";
    c.notice.timeout = 5;
    c.server_instance = "/srv/mail";
    c.statedir = statedir;
    return c;
}

// The fields of one alarm instance, read back through a second attachment.
struct fields {
    std::int64_t count_over, count_sent, current, high, low, last_set, last_warning, reset, state_changed, state;
};

fields read(const std::string& reg_name, const std::string& instance) {
    counters::registry r(reg_name);
    const counters::counter_instance i = r.object("alarm").instance(instance);
    return fields{i.counter("countOverThreshold").get(), i.counter("countWarningSent").get(),
                  i.gauge("current").get(),               i.gauge("high").get(),
                  i.gauge("low").get(),                   i.time("timeLastSet").get(),
                  i.time("timeLastWarning").get(),        i.time("timeReset").get(),
                  i.time("timeStateChanged").get(),       i.gauge("warningState").get()};
}

measurement response(double v, std::int64_t when, const std::string& inst = "smtp_127.0.0.1_25") {
    return measurement{alarm_id::serverresponse, inst, v, when};
}

bool exists(const std::string& path) {
    return std::ifstream(path).good();
}

std::string subject(const std::string& data) {
    const auto b = data.find("Subject: ");
    return data.substr(b, data.find("\r\n", b) - b);
}

} // namespace

TEST_CASE("notice: the documented sample, byte for byte") {
    pacific();
    notice n;
    n.instance = "ldap_siroe.com_389";
    n.description = "server response time in seconds";
    n.server_instance = "/opt/SUNWmsgsr";
    n.from = "Postmaster@localhost";
    n.to = "Postmaster@localhost";
    n.message_id = "<msprobe.995413028.42.0@mail.siroe.com>";
    n.when = t0;
    n.current = 10;
    n.low = 0;
    n.high = 10;
    n.statinterval = 600;
    n.threshold = 10;
    n.count_over = 1;
    CHECK(format_notice(n) == "Subject: ALARM: server response time in seconds of \"ldap_siroe.com_389\" is 10\n"
                              "Date: Tue, 17 Jul 2001 16:37:08 -0700 (PDT)\n"
                              "From: Postmaster@localhost\n"
                              "To: Postmaster@localhost\n"
                              "Message-ID: <msprobe.995413028.42.0@mail.siroe.com>\n"
                              "\n"
                              "Server instance: /opt/SUNWmsgsr\n"
                              "Alarmid: serverresponse\n"
                              "Instance: ldap_siroe.com_389\n"
                              "Description: server response time in seconds\n"
                              "Current measured value (17/Jul/2001:16:37:08 -0700): 10\n"
                              "Lowest recorded value: 0\n"
                              "Highest recorded value: 10\n"
                              "Monitoring interval: 600 seconds\n"
                              "Alarm condition is when over threshold of 10\n"
                              "Number of times over threshold: 1\n");
}

TEST_CASE("notice: under a threshold, back to normal, winter time, unsafe bytes replaced") {
    pacific();
    notice n;
    n.kind = notice_kind::normal;
    n.id = alarm_id::diskavail;
    n.instance = "/var/spool/x\r\nBcc: evil@x";
    n.description = "percentage mail partition diskspace available";
    n.server_instance = "mx1";
    n.from = "a@b";
    n.to = "c@d";
    n.message_id = "<1@mx1>";
    n.when = 1000000000 - 200 * 86400; // Tue 20 Feb 2001, PST
    n.current = 12;
    n.low = 7;
    n.high = 40;
    n.statinterval = 3600;
    n.threshold = 7.5;
    n.dir = direction::below;
    n.count_over = 3;
    CHECK(format_notice(n) ==
          "Subject: NORMAL: percentage mail partition diskspace available of \"/var/spool/x??Bcc: evil@x\" is 12\n"
          "Date: Tue, 20 Feb 2001 17:46:40 -0800 (PST)\n"
          "From: a@b\n"
          "To: c@d\n"
          "Message-ID: <1@mx1>\n"
          "\n"
          "Server instance: mx1\n"
          "Alarmid: diskavail\n"
          "Instance: /var/spool/x??Bcc: evil@x\n"
          "Description: percentage mail partition diskspace available\n"
          "Current measured value (20/Feb/2001:17:46:40 -0800): 12\n"
          "Lowest recorded value: 7\n"
          "Highest recorded value: 40\n"
          "Monitoring interval: 3600 seconds\n"
          "Alarm condition is when under threshold of 7.5\n"
          "Number of times over threshold: 3\n");
}

TEST_CASE("notice: dates in UTC and east of it") {
    ::setenv("TZ", "UTC0", 1);
    ::tzset();
    CHECK(rfc5322_date(t0) == "Tue, 17 Jul 2001 23:37:08 +0000 (UTC)");
    CHECK(clf_time(t0) == "17/Jul/2001:23:37:08 +0000");
    ::setenv("TZ", "<+0530>-5:30", 1); // a zone without a name: no comment
    ::tzset();
    CHECK(rfc5322_date(t0) == "Wed, 18 Jul 2001 05:07:08 +0530");
    CHECK(clf_time(t0) == "18/Jul/2001:05:07:08 +0530");
}

namespace {

/// The lines of @p text (ending in @p eol), without their ends.
std::vector<std::string> lines_of(const std::string& text, const std::string& eol) {
    std::vector<std::string> out;
    std::size_t at = 0;
    for (std::size_t e = text.find(eol); e != std::string::npos; e = text.find(eol, at)) {
        out.push_back(text.substr(at, e - at));
        at = e + eol.size();
    }
    if (at < text.size()) out.push_back(text.substr(at));
    return out;
}

/// @p text with every occurrence of @p what removed.
std::string without(std::string text, const std::string& what) {
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at)) text.erase(at, what.size());
    return text;
}

} // namespace

TEST_CASE("notice: fold_line folds only lines over 998 octets, at a space, and unfolds to the same") {
    CHECK(fold_line("Subject: short") == "Subject: short\n");
    CHECK(fold_line("") == "\n");
    const std::string exact = "Description: " + std::string(max_line - 13, 'd');
    REQUIRE(exact.size() == max_line);
    CHECK(fold_line(exact) == exact + "\n"); // at the limit: left alone

    // Words: folded before the last space that fits; removing each "\n" gives the line back.
    std::string words = "Subject: ALARM:";
    for (int i = 0; words.size() < 2500; ++i) words += " word" + std::to_string(i);
    const std::string folded = fold_line(words);
    const std::vector<std::string> lines = lines_of(folded, "\n");
    REQUIRE(lines.size() == 3);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        CHECK(lines[i].size() <= max_line);
        if (i > 0) CHECK(lines[i].front() == ' ');
    }
    CHECK(lines[0].size() > max_line - 10); // as late as possible
    CHECK(without(folded, "\n") == words); // the line end removed too

    // No space to fold at: cut after 998 octets, the next line starts with an added space.
    const std::string run = "Instance:" + std::string(2500, 'x');
    const std::string cut = fold_line(run);
    const std::vector<std::string> pieces = lines_of(cut, "\n");
    REQUIRE(pieces.size() == 3);
    CHECK(pieces[0] == run.substr(0, max_line));
    CHECK(pieces[1] == " " + run.substr(max_line, max_line - 1));
    CHECK(pieces[2] == " " + run.substr(2 * max_line - 1));
    CHECK(without(cut, "\n ") == run + "\n");

    // A space only at the very start of a continuation does not count: the text is cut.
    const std::string lead = std::string(max_line, 'a') + " " + std::string(1500, 'b');
    for (const std::string& l : lines_of(fold_line(lead), "\n")) {
        CHECK(l.size() <= max_line);
        CHECK(l.find_first_not_of(' ') != std::string::npos);
    }

    // Spaces that would make a line of spaces alone: trailing ones are dropped, a run as
    // long as a line is shortened to one.
    CHECK(fold_line(std::string(max_line, 'a') + " ") == std::string(max_line, 'a') + "\n");
    CHECK(fold_line(std::string(990, 'a') + std::string(20, ' ')) == std::string(990, 'a') + "\n");
    CHECK(fold_line("x" + std::string(2500, ' ') + "y") == "x" + std::string(max_line - 1, ' ') + "\n y\n");
    CHECK(fold_line(std::string(1500, 'c') + std::string(1200, ' ') + "d") ==
          std::string(max_line, 'c') + "\n " + std::string(502, 'c') + std::string(495, ' ') + "\n" +
              std::string(705, ' ') + "d\n");

    // Random lines: never a line over the limit or of spaces only. Only spaces are added or
    // dropped; with spaces every few octets and no long run of them, unfolding gives the line
    // back (its trailing spaces dropped), and without any space, removing each added "\n ".
    std::uint64_t seed = 88172645463325252ULL;
    const auto next = [&seed] {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        return seed;
    };
    for (int round = 0; round < 400; ++round) {
        std::string line = "X:";
        const std::size_t n = next() % 5000;
        const std::uint64_t spaces = next() % 5; // 0: none at all; 4: also long runs of them
        bool long_run = false;
        for (std::size_t i = 0; i < n; ++i) {
            if (spaces == 4 && next() % 1000 == 0) {
                line.append(900 + next() % 1200, ' ');
                long_run = true;
            } else {
                line += spaces != 0 && next() % (8 * spaces) == 0 ? ' ' : static_cast<char>('a' + next() % 26);
            }
        }
        const std::string out = fold_line(line);
        INFO("round " << round << ", " << line.size() << " octets");
        REQUIRE(out.back() == '\n');
        const std::vector<std::string> ls = lines_of(out, "\n");
        for (std::size_t i = 0; i < ls.size(); ++i) {
            CHECK(ls[i].size() <= max_line);
            CHECK(ls[i].find_first_not_of(' ') != std::string::npos);
            if (i > 0) CHECK(ls[i].front() == ' ');
        }
        CHECK(without(without(out, "\n"), " ") == without(line, " "));
        if (line.size() <= max_line) {
            CHECK(out == line + "\n");
        } else if (spaces == 0) {
            CHECK(without(out, "\n ") == line + "\n");
        } else if (!long_run) {
            CHECK(without(out, "\n") == line.substr(0, line.find_last_not_of(' ') + 1));
        }
    }
}

TEST_CASE("notice: a long description and instance give lines within 998 octets, on the wire too") {
    pacific();
    std::string description = "response time of the";
    for (int i = 0; description.size() < 2000; ++i) description += " step" + std::to_string(i);
    const std::string instance = "smtp_" + std::string(900, 'h') + "_25"; // fits a line of its own
    notice n;
    n.kind = notice_kind::alarm;
    n.id = alarm_id::serverresponse;
    n.instance = instance;
    n.description = description;
    n.server_instance = "/srv/mail";
    n.from = "a@b";
    n.to = "c@d";
    n.message_id = "<1@mx1>";
    n.when = t0;
    n.current = 12;
    const std::string text = format_notice(n);
    const std::string head = text.substr(0, text.find("\n\n") + 1);
    for (const std::string& l : lines_of(text, "\n")) CHECK(l.size() <= max_line);
    // Unfolded (each "\n" before a continuation removed), the subject is whole.
    CHECK(lines_of(without(head, "\n "), "\n").size() == 5); // Subject, Date, From, To, Message-ID
    std::string unfolded = head;
    for (std::size_t at = unfolded.find("\n "); at != std::string::npos; at = unfolded.find("\n ", at))
        unfolded.erase(at, 1);
    CHECK(unfolded.substr(0, unfolded.find('\n')) ==
          "Subject: ALARM: " + description + " of \"" + instance + "\" is 12");
    CHECK(text.find("\nDate: Tue, 17 Jul 2001 16:37:08 -0700 (PDT)\n") != std::string::npos);

    // Through SMTP: every line of the DATA text within 998 octets before its CRLF.
    const temp_registry reg("alarmlong");
    const temp_dir dir;
    fake_smtp server;
    server.start();
    config cfg = test_config(dir.path(), server.port());
    cfg.serverresponse.description = description;
    {
        log_lines log;
        counters::registry r(reg.name());
        alarm_keeper k(r, cfg, log.fn());
        k.record(response(12, t0, instance));
        CHECK(k.flush(t0 + 1) == 0);
    }
    REQUIRE(server.messages().size() == 1);
    const std::vector<std::string> wire = lines_of(server.messages()[0], "\r\n");
    CHECK(wire.size() > 16);
    for (const std::string& l : wire) CHECK(l.size() <= max_line);
    CHECK(std::find(wire.begin(), wire.end(), "Alarmid: serverresponse") != wire.end());
}

TEST_CASE("alarm instance names: plain, bytes replaced, long names shortened") {
    CHECK(alarm_instance_name(alarm_id::serverresponse, "smtp_127.0.0.1_25") == "serverresponse.smtp_127.0.0.1_25");
    CHECK(alarm_instance_name(alarm_id::diskavail, "primary") == "diskavail.primary");
    CHECK(alarm_instance_name(alarm_id::diskavail, "/var/spool") == "diskavail._var_spool");
    // 40 bytes: the first 23, '-', FNV-1a of the whole name (values computed independently).
    CHECK(alarm_instance_name(alarm_id::serverresponse, "imap_mail.example.com_143") ==
          "serverresponse.imap_mai-60d4128e");
    CHECK(alarm_instance_name(alarm_id::serverresponse, "imap_mail.example.com_144") ==
          "serverresponse.imap_mai-63d41747");
    CHECK(alarm_instance_name(alarm_id::diskavail, "/var/spool/postfix/very/long/path") ==
          "diskavail._var_spool_po-a68da7d7");
    for (const std::string inst : {"a", "smtp_127.0.0.1_25", "imap_a.very.long.host.name.example_143"}) {
        const std::string n = alarm_instance_name(alarm_id::serverresponse, inst);
        CHECK(n.size() <= counters::max_registry_name);
        CHECK(n == alarm_instance_name(alarm_id::serverresponse, inst));
    }
}

TEST_CASE("alarm values: rounding and the threshold comparisons") {
    CHECK(alarm_value(10.4) == 10);
    CHECK(alarm_value(10.5) == 11);
    CHECK(alarm_value(9.49) == 9);
    CHECK(alarm_value(-1) == -1);
    CHECK(alarm_value(-2.5) == -3);
    CHECK(alarm_value(1e30) == INT64_MAX);
    alarm_settings above{"d", 600, 10, direction::above, 24};
    alarm_settings below{"d", 3600, 10, direction::below, 24};
    CHECK_FALSE(over_threshold(alarm_id::serverresponse, above, 10));
    CHECK(over_threshold(alarm_id::serverresponse, above, 10.001));
    CHECK_FALSE(over_threshold(alarm_id::serverresponse, above, 0));
    CHECK(over_threshold(alarm_id::serverresponse, above, -1)); // no answer at all
    CHECK_FALSE(over_threshold(alarm_id::diskavail, below, 10));
    CHECK(over_threshold(alarm_id::diskavail, below, 9.99));
    CHECK_FALSE(over_threshold(alarm_id::diskavail, above, -1)); // only serverresponse's -1 is special
    CHECK(over_threshold(alarm_id::diskavail, above, 10.5));
}

TEST_CASE("alarm: crossing above, repeat after the interval, back to normal, fields exact") {
    pacific();
    const temp_registry reg("alarm");
    const temp_dir dir;
    fake_smtp server;
    server.start();
    log_lines log;
    counters::registry r(reg.name());
    config cfg = test_config(dir.path(), server.port());
    cfg.serverresponse.warninginterval = 2; // hours
    alarm_keeper k(r, cfg, log.fn());
    const std::string inst = "serverresponse.smtp_127.0.0.1_25";

    k.record(response(0.2, t0)); // under: no notice; the window starts
    fields f = read(reg.name(), inst);
    CHECK(f.count_over == 0);
    CHECK(f.count_sent == 0);
    CHECK(f.current == 0);
    CHECK(f.high == 0);
    CHECK(f.low == 0);
    CHECK(f.last_set == t0);
    CHECK(f.last_warning == 0);
    CHECK(f.reset == t0);
    CHECK(f.state_changed == 0);
    CHECK(f.state == 0);
    CHECK(k.pending() == 0);
    CHECK(k.flush(t0) == 0);
    CHECK(server.connections() == 0); // nothing to send: no connection

    k.record(response(10.0, t0 + 600)); // equal to the threshold is not over it
    CHECK(read(reg.name(), inst).state == 0);
    CHECK(k.pending() == 0);

    k.record(response(10.4, t0 + 1200)); // crosses: notice
    f = read(reg.name(), inst);
    CHECK(f.count_over == 1);
    CHECK(f.current == 10);
    CHECK(f.high == 10);
    CHECK(f.low == 0);
    CHECK(f.last_set == t0 + 1200);
    CHECK(f.last_warning == t0 + 1200);
    CHECK(f.state_changed == t0 + 1200);
    CHECK(f.state == 1);
    CHECK(f.count_sent == 0); // queued, not sent yet
    CHECK(k.pending() == 1);
    CHECK(log.has(log_level::warning, "alarm: serverresponse of smtp_127.0.0.1_25 is 10, over the threshold"));
    CHECK(k.flush(t0 + 1200) == 0);
    CHECK(read(reg.name(), inst).count_sent == 1);
    REQUIRE(server.messages().size() == 1);
    const std::string first = server.messages()[0];
    CHECK(subject(first) == "Subject: ALARM: server response time in seconds of \"smtp_127.0.0.1_25\" is 10");
    CHECK(first.find("Date: Tue, 17 Jul 2001 16:57:08 -0700 (PDT)\r\n") != std::string::npos);
    CHECK(first.find("\r\n\r\nServer instance: /srv/mail\r\nAlarmid: serverresponse\r\n"
                     "Instance: smtp_127.0.0.1_25\r\nDescription: server response time in seconds\r\n"
                     "Current measured value (17/Jul/2001:16:57:08 -0700): 10\r\nLowest recorded value: 0\r\n"
                     "Highest recorded value: 10\r\nMonitoring interval: 600 seconds\r\n"
                     "Alarm condition is when over threshold of 10\r\nNumber of times over threshold: 1\r\n") !=
          std::string::npos);

    // Still over, before the interval: counted, no notice.
    k.record(response(25, t0 + 1200 + 3600));
    f = read(reg.name(), inst);
    CHECK(f.count_over == 2);
    CHECK(f.high == 25);
    CHECK(f.last_warning == t0 + 1200);
    CHECK(f.state_changed == t0 + 1200);
    CHECK(k.pending() == 0);
    // Still over, one second short of 2 hours since the last notice: none.
    k.record(response(12, t0 + 1200 + 7199));
    CHECK(k.pending() == 0);
    // 2 hours: the repeat.
    k.record(response(11, t0 + 1200 + 7200));
    f = read(reg.name(), inst);
    CHECK(f.count_over == 4);
    CHECK(f.last_warning == t0 + 1200 + 7200);
    CHECK(f.state_changed == t0 + 1200);
    CHECK(f.state == 1);
    CHECK(k.pending() == 1);
    CHECK(k.flush(t0 + 9000) == 0);
    CHECK(read(reg.name(), inst).count_sent == 2);
    REQUIRE(server.messages().size() == 2);
    CHECK(subject(server.messages()[1]) ==
          "Subject: ALARM: server response time in seconds of \"smtp_127.0.0.1_25\" is 11");
    CHECK(server.messages()[1].find("Highest recorded value: 25\r\n") != std::string::npos);
    CHECK(server.messages()[1].find("Number of times over threshold: 4\r\n") != std::string::npos);

    // Back to normal.
    k.record(response(3, t0 + 10000));
    f = read(reg.name(), inst);
    CHECK(f.state == 0);
    CHECK(f.state_changed == t0 + 10000);
    CHECK(f.count_over == 4);
    CHECK(f.current == 3);
    CHECK(f.low == 0);
    CHECK(k.flush(t0 + 10000) == 0);
    f = read(reg.name(), inst);
    CHECK(f.count_sent == 2); // a return to normal is not a warning
    REQUIRE(server.messages().size() == 3);
    CHECK(subject(server.messages()[2]) ==
          "Subject: NORMAL: server response time in seconds of \"smtp_127.0.0.1_25\" is 3");
    // Normal stays quiet.
    k.record(response(4, t0 + 20000));
    CHECK(k.pending() == 0);
    // Over again: a new crossing, a new notice at once.
    k.record(response(-1, t0 + 30000)); // refused: over whatever the threshold
    f = read(reg.name(), inst);
    CHECK(f.state == 1);
    CHECK(f.low == -1);
    CHECK(f.count_over == 5);
    CHECK(k.pending() == 1);
    CHECK(k.flush(t0 + 30000) == 0);
    CHECK(subject(server.messages()[3]) ==
          "Subject: ALARM: server response time in seconds of \"smtp_127.0.0.1_25\" is -1");
    // The envelope.
    const std::vector<std::string> cmds = server.commands();
    CHECK(cmds.at(0).rfind("EHLO ", 0) == 0);
    CHECK(cmds.at(1) == "MAIL FROM:<msprobe@alarm.test>");
    CHECK(cmds.at(2) == "RCPT TO:<postmaster@alarm.test>");
    CHECK(cmds.at(3) == "DATA");
    CHECK(cmds.at(4) == "QUIT");
}

TEST_CASE("alarm: crossing below (disk space), warning interval 0 never repeats") {
    pacific();
    const temp_registry reg("alarm");
    const temp_dir dir;
    fake_smtp server;
    server.start();
    counters::registry r(reg.name());
    config cfg = test_config(dir.path(), server.port());
    cfg.diskavail.warninginterval = 0;
    alarm_keeper k(r, cfg, {});
    const measurement m{alarm_id::diskavail, "primary", 50, t0};
    k.record(m);
    k.record(measurement{alarm_id::diskavail, "primary", 10, t0 + 3600}); // equal: not under
    CHECK(k.pending() == 0);
    k.record(measurement{alarm_id::diskavail, "primary", 9.6, t0 + 7200}); // under; shown as 10
    CHECK(k.pending() == 1);
    k.record(measurement{alarm_id::diskavail, "primary", 2, t0 + 7200 + std::int64_t{1000} * 86400});
    CHECK(k.pending() == 1); // no repeat with an interval of 0
    const fields f = read(reg.name(), "diskavail.primary");
    CHECK(f.count_over == 2);
    CHECK(f.high == 50);
    CHECK(f.low == 2);
    CHECK(f.current == 2);
    CHECK(f.state == 1);
    CHECK(f.reset == t0);
    CHECK(k.flush(t0) == 0);
    REQUIRE(server.messages().size() == 1);
    const std::string msg = server.messages()[0];
    CHECK(subject(msg) == "Subject: ALARM: percentage mail partition diskspace available of \"primary\" is 10");
    CHECK(msg.find("Alarmid: diskavail\r\n") != std::string::npos);
    CHECK(msg.find("Lowest recorded value: 10\r\nHighest recorded value: 50\r\n") != std::string::npos);
    CHECK(msg.find("Monitoring interval: 3600 seconds\r\n") != std::string::npos);
    CHECK(msg.find("Alarm condition is when under threshold of 10\r\n") != std::string::npos);
    CHECK(msg.find("Number of times over threshold: 1\r\n") != std::string::npos);
}

TEST_CASE("alarm: --once rounds continue from the registry, a reset timeReset restarts high and low") {
    pacific();
    const temp_registry reg("alarm");
    const temp_dir dir;
    fake_smtp server;
    server.start();
    const config cfg = test_config(dir.path(), server.port());
    {
        counters::registry r(reg.name());
        alarm_keeper k(r, cfg, {});
        k.record(response(30, t0));
        CHECK(k.flush(t0) == 0);
    }
    {
        counters::registry r(reg.name());
        alarm_keeper k(r, cfg, {});
        k.record(response(40, t0 + 600)); // still over, 10 min later: no second notice
        CHECK(k.pending() == 0);
        k.record(response(40, t0 + std::int64_t{24} * 3600)); // 24 h, the default interval: repeat
        CHECK(k.pending() == 1);
        CHECK(k.flush(t0) == 0);
    }
    CHECK(server.messages().size() == 2);
    fields f = read(reg.name(), "serverresponse.smtp_127.0.0.1_25");
    CHECK(f.count_over == 3);
    CHECK(f.count_sent == 2);
    CHECK(f.low == 30);
    CHECK(f.high == 40);
    CHECK(counters::reset_registry_counter(reg.name(), "alarm", "serverresponse.smtp_127.0.0.1_25.timeReset") == 1);
    {
        counters::registry r(reg.name());
        alarm_keeper k(r, cfg, {});
        k.record(response(35, t0 + std::int64_t{25} * 3600));
    }
    f = read(reg.name(), "serverresponse.smtp_127.0.0.1_25");
    CHECK(f.reset == t0 + std::int64_t{25} * 3600);
    CHECK(f.low == 35);
    CHECK(f.high == 35);
    CHECK(f.count_over == 4);
}

TEST_CASE("alarm: mail server down, the notice survives the process and goes out when it is back") {
    pacific();
    const temp_registry reg("alarm");
    const temp_dir dir;
    fake_smtp server; // bound, refusing connections until start()
    const config cfg = test_config(dir.path(), server.port());
    const std::string spool = notice_spool_path(cfg, reg.name());
    CHECK(spool == dir.path() + "/" + reg.name() + ".notices");
    {
        log_lines log;
        counters::registry r(reg.name());
        alarm_keeper k(r, cfg, log.fn());
        k.record(response(12, t0));
        CHECK(exists(spool)); // on disk as soon as it is queued
        CHECK(k.flush(t0 + 1) == 1);
        CHECK(k.pending() == 1);
        CHECK(log.has(log_level::error, "alarm notice to postmaster@alarm.test not sent: cannot connect to 127.0.0.1:" +
                                            std::to_string(server.port()) + ": Connection refused"));
        CHECK(log.has(log_level::warning, "1 alarm notice(s) kept for the next round (oldest 1 s old)"));
        k.record(response(13, t0 + 600));
        CHECK(k.flush(t0 + 601) == 1); // still one: no new notice while over
    }
    CHECK(read(reg.name(), "serverresponse.smtp_127.0.0.1_25").count_sent == 0);
    server.start();
    {
        log_lines log;
        counters::registry r(reg.name());
        alarm_keeper k(r, cfg, log.fn());
        CHECK(k.pending() == 1);
        CHECK(log.has(log_level::info, "1 alarm notice(s) not yet sent are waiting in " + spool));
        CHECK(k.flush(t0 + 1200) == 0);
        CHECK(log.has(log_level::info, "1 alarm notice(s) sent to postmaster@alarm.test via 127.0.0.1:"));
        CHECK(k.pending() == 0);
    }
    CHECK_FALSE(exists(spool));
    REQUIRE(server.messages().size() == 1);
    CHECK(subject(server.messages()[0]) ==
          "Subject: ALARM: server response time in seconds of \"smtp_127.0.0.1_25\" is 12");
    CHECK(read(reg.name(), "serverresponse.smtp_127.0.0.1_25").count_sent == 1);
}

TEST_CASE("alarm: recipient refused (4xx, then 5xx): kept, logged with the reply, sent once accepted") {
    pacific();
    const temp_registry reg("alarm");
    const temp_dir dir;
    for (const std::string reply : {"450 4.2.0 <postmaster@alarm.test>: Recipient address rejected: try later",
                                    "554 5.7.1 <postmaster@alarm.test>: Recipient address rejected: no"}) {
        fake_smtp::script s;
        s.rcpt = reply;
        fake_smtp refusing(s);
        refusing.start();
        log_lines log;
        counters::registry r(reg.name());
        alarm_keeper k(r, test_config(dir.path(), refusing.port()), log.fn());
        k.record(response(50, t0));
        k.record(response(1, t0 + 1));  // back to normal: a second notice
        CHECK(k.flush(t0 + 2) == 2);
        CHECK(log.has(log_level::error, "not sent: RCPT TO:<postmaster@alarm.test>: 127.0.0.1:" +
                                            std::to_string(refusing.port()) + " answered " + reply));
        CHECK(refusing.messages().empty());
        const std::vector<std::string> cmds = refusing.commands();
        CHECK(std::count(cmds.begin(), cmds.end(), "RSET") == 2);
        fake_smtp good;
        good.start();
        alarm_keeper k2(r, test_config(dir.path(), good.port()), {});
        CHECK(k2.pending() == 2);
        CHECK(k2.flush(t0 + 3) == 0);
        REQUIRE(good.messages().size() == 2);
        CHECK(subject(good.messages()[0]).rfind("Subject: ALARM: ", 0) == 0);
        CHECK(subject(good.messages()[1]).rfind("Subject: NORMAL: ", 0) == 0);
    }
    CHECK(read(reg.name(), "serverresponse.smtp_127.0.0.1_25").count_sent == 2);
}

TEST_CASE("alarm: a registry with no room left still mails the notice") {
    pacific();
    const temp_registry reg("alarm");
    const temp_dir dir;
    fake_smtp server;
    server.start();
    counters::registry_options o;
    o.max_instances = 1;
    counters::registry r(reg.name(), o);
    log_lines log;
    alarm_keeper k(r, test_config(dir.path(), server.port()), log.fn());
    k.record(response(1, t0, "smtp_a_25"));
    k.record(response(99, t0, "smtp_b_25")); // no instance for it
    CHECK(log.has(log_level::error, "alarm serverresponse.smtp_b_25: cannot record it in the registry"));
    k.record(response(98, t0 + 1, "smtp_b_25")); // the memory state: still over, no second notice
    CHECK(std::count_if(log.lines.begin(), log.lines.end(), [](const auto& l) {
              return l.second.find("cannot record it in the registry") != std::string::npos;
          }) == 1); // said once, not every round
    CHECK(k.flush(t0) == 0);
    REQUIRE(server.messages().size() == 1);
    CHECK(server.messages()[0].find("of \"smtp_b_25\" is 99") != std::string::npos);
}

TEST_CASE("alarm: a damaged file of unsent notices is moved aside, not lost") {
    const temp_registry reg("alarm");
    const temp_dir dir;
    fake_smtp server;
    server.start();
    const config cfg = test_config(dir.path(), server.port());
    const std::string spool = notice_spool_path(cfg, reg.name());
    std::ofstream(spool) << "msprobe-notices 1\nnotice alarm x 1 999\nshort\n";
    counters::registry r(reg.name());
    log_lines log;
    alarm_keeper k(r, cfg, log.fn());
    CHECK(k.pending() == 0);
    CHECK(k.flush(t0) == 0);
    CHECK(log.has(log_level::error, spool + " was damaged: moved to " + spool + ".corrupt-"));
    CHECK_FALSE(exists(spool));
    std::size_t aside = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
        if (e.path().filename().string().find(".corrupt-") != std::string::npos) ++aside;
    }
    CHECK(aside == 1);
}

TEST_CASE("alarm: at most 1,000 unsent notices are kept, the oldest dropped and logged") {
    pacific();
    const temp_registry reg("alarm");
    const temp_dir dir;
    fake_smtp server; // refusing connections: nothing is sent
    const config cfg = test_config(dir.path(), server.port());
    const std::string spool = notice_spool_path(cfg, reg.name());
    {
        std::ofstream out(spool);
        out << "msprobe-notices 1\n";
        for (int i = 0; i < 1000; ++i) {
            const std::string message = "old notice " + std::to_string(i);
            out << "notice alarm old" << i << " " << (t0 - 5000 + i) << " " << message.size() << "\n"
                << message << "\n";
        }
    }
    counters::registry r(reg.name());
    log_lines log;
    alarm_keeper k(r, cfg, log.fn());
    CHECK(k.pending() == 1000);
    k.record(response(12, t0)); // one more notice
    CHECK(k.pending() == 1000);
    CHECK(log.has(log_level::error, "1 oldest unsent alarm notice(s) dropped: at most 1000 are kept"));
    std::ifstream in(spool);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(text.find("old notice 0\n") == std::string::npos); // the oldest went
    CHECK(text.find("old notice 1\n") != std::string::npos);
    CHECK(text.find("old notice 999\n") != std::string::npos);
    CHECK(text.find("Subject: ALARM: server response time") != std::string::npos); // the new one stays
}

TEST_CASE("alarm: where the unsent notices are kept") {
    config c;
    CHECK(notice_spool_path(c, "counters_registry") == "/var/lib/msprobe/counters_registry.notices");
    CHECK(notice_spool_path(c, "/var/lib/counters/reg") == "/var/lib/counters/reg.notices");
    c.statedir = "/run/msprobe/";
    CHECK(notice_spool_path(c, "counters_registry") == "/run/msprobe/counters_registry.notices");
    CHECK(notice_spool_path(c, "/var/lib/counters/reg") == "/run/msprobe/_var_lib_counters_reg.notices");
}

TEST_CASE("alarm: no usable file of unsent notices, the daemon keeps them in memory and says what is lost") {
    pacific();
    const temp_registry reg("alarm");
    const temp_dir dir;
    fake_smtp server; // down at first
    config cfg = test_config(dir.path() + "/missing/parent", server.port());
    counters::registry r(reg.name());
    log_lines log;
    {
        alarm_keeper k(r, cfg, log.fn());
        k.record(response(20, t0));
        CHECK(log.has(log_level::error, "alarm notice kept in memory only (cannot create " + dir.path() +
                                            "/missing/parent: No such file or directory)"));
        CHECK(k.pending() == 1);
        CHECK(k.flush(t0) == 1); // server down: still in memory
        CHECK(k.pending() == 1);
        server.start();
        CHECK(k.flush(t0 + 600) == 0);
        CHECK(server.messages().size() == 1);
        k.record(response(1, t0 + 1200)); // NORMAL, never sent
    }
    CHECK(log.has(log_level::error, "1 alarm notice(s) lost: cannot create " + dir.path() + "/missing/parent"));
    CHECK(server.messages().size() == 1);
}

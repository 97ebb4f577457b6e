// SPDX-License-Identifier: MIT
// msprobe's configuration file: defaults, every key, and every kind of problem, all reported.
#include "msprobe.hpp"
#include "checks.hpp"

#include "catch.hpp"

#include <sstream>
#include <string>

using namespace counters::msprobe;

namespace {
config parse(const std::string& text) {
    std::istringstream in(text);
    return parse_config(in, "t.conf");
}
std::string problems(const std::string& text) {
    try {
        parse(text);
    } catch (const config_error& e) {
        return e.what();
    }
    return "(accepted)";
}
} // namespace

TEST_CASE("msprobe config: an empty file gives the documented defaults") {
    const config c = parse("# nothing\n\n   \n");
    CHECK(c.notice.host == "localhost");
    CHECK(c.notice.port == 25);
    CHECK(c.notice.rcpt == "Postmaster@localhost");
    CHECK(c.notice.sender == "Postmaster@localhost");
    CHECK(c.diskavail.statinterval == 3600);
    CHECK(c.diskavail.threshold == 10);
    CHECK(c.diskavail.dir == direction::below);
    CHECK(c.diskavail.warninginterval == 24);
    CHECK(c.diskavail.description == "percentage mail partition diskspace available");
    CHECK(c.serverresponse.statinterval == 600);
    CHECK(c.serverresponse.threshold == 10);
    CHECK(c.serverresponse.dir == direction::above);
    CHECK(c.serverresponse.warninginterval == 24);
    CHECK(c.serverresponse.description == "server response time in seconds");
    CHECK(c.warningthreshold == 5);
    CHECK(c.probes.empty());
    CHECK(c.partitions.empty());
    CHECK(c.queuedir.empty());
    CHECK_FALSE(c.autorestart);
    CHECK(c.autorestart_timeout == 600);
    CHECK(c.server_instance.empty());
    CHECK(c.notice.timeout == 30);
    CHECK(c.statedir.empty());
}

TEST_CASE("msprobe config: every key is read") {
    const config c = parse("alarm.msgalarmnoticehost = mail.example.com\n"
                           "alarm.msgalarmnoticeport = 2525\n"
                           "alarm.msgalarmnoticercpt = ops@example.com\n"
                           "alarm.msgalarmnoticesender = msprobe@example.com\n"
                           "alarm.diskavail.msgalarmthreshold = 12.5\n"
                           "alarm.diskavail.statinterval = 60\n"
                           "alarm.diskavail.thresholddirection = 1\n"
                           "alarm.diskavail.warninginterval = 2\n"
                           "alarm.diskavail.description = \"free space, percent\"\n"
                           "alarm.serverresponse.msgalarmthreshold = 3\n"
                           "alarm.serverresponse.statinterval = 0\n"
                           "alarm.serverresponse.thresholddirection = -1\n"
                           "alarm.serverresponse.warninginterval = 0\n"
                           "alarm.serverresponse.description = answer time\n"
                           "local.probe.warningthreshold = 2.5\n"
                           "local.probe.imap.port = 143\n"
                           "local.probe.smtp.host = 127.0.0.1\n"
                           "local.probe.smtp.port = 25\n"
                           "local.probe.smtp.timeout = 1.5\n"
                           "local.probe.smtp.warningthreshold = 0.5\n"
                           "local.probe.smtp.restart = systemctl restart postfix\n"
                           "local.queuedir = /var/spool/postfix\n"
                           "store.partition.primary.path = /var/mail\n"
                           "Store.Partition.Second.Path = /srv/mail 2\n"
                           "local.autorestart = yes\n"
                           "local.autorestart.timeout = 900\n"
                           "local.serverroot = /opt/mail server\n"
                           "alarm.msgalarmnoticetimeout = 7.5\n"
                           "local.msprobe.statedir = /var/lib/msprobe-test\n");
    CHECK(c.notice.host == "mail.example.com");
    CHECK(c.notice.port == 2525);
    CHECK(c.notice.rcpt == "ops@example.com");
    CHECK(c.notice.sender == "msprobe@example.com");
    CHECK(c.diskavail.threshold == 12.5);
    CHECK(c.diskavail.statinterval == 60);
    CHECK(c.diskavail.dir == direction::above);
    CHECK(c.diskavail.warninginterval == 2);
    CHECK(c.diskavail.description == "free space, percent");
    CHECK(c.serverresponse.threshold == 3);
    CHECK(c.serverresponse.statinterval == 0);
    CHECK(c.serverresponse.dir == direction::below);
    CHECK(c.serverresponse.warninginterval == 0);
    CHECK(c.serverresponse.description == "answer time");
    CHECK(c.warningthreshold == 2.5);
    REQUIRE(c.probes.size() == 2);
    // in service order: smtp before imap
    CHECK(c.probes[0].svc == service::smtp);
    CHECK(c.probes[0].host == "127.0.0.1");
    CHECK(c.probes[0].port == 25);
    CHECK(c.probes[0].timeout == 1.5);
    CHECK(c.probes[0].warningthreshold == 0.5);
    CHECK(c.probes[0].restart_command == "systemctl restart postfix");
    CHECK(c.probes[0].instance() == "smtp_127.0.0.1_25");
    CHECK(c.probes[1].svc == service::imap);
    CHECK(c.probes[1].host == "localhost");
    CHECK(c.probes[1].timeout == 10);
    CHECK(c.probes[1].warningthreshold < 0);
    CHECK(c.probes[1].instance() == "imap_localhost_143");
    CHECK(c.queuedir == "/var/spool/postfix");
    REQUIRE(c.partitions.size() == 2);
    CHECK(c.partitions[0].name == "Second");
    CHECK(c.partitions[0].path == "/srv/mail 2");
    CHECK(c.partitions[1].name == "primary");
    CHECK(c.autorestart);
    CHECK(c.autorestart_timeout == 900);
    CHECK(c.server_instance == "/opt/mail server");
    CHECK(c.notice.timeout == 7.5);
    CHECK(c.statedir == "/var/lib/msprobe-test");
}

TEST_CASE("msprobe config: every problem is listed as FILE:LINE: KEY: what") {
    const std::string text = "alarm.msgalarmnoticeport = 0\n"                 // 1 range
                             "alarm.diskavail.msgalarmthreshold = 101\n"       // 2 percent
                             "alarm.diskavail.thresholddirection = 0\n"        // 3 direction
                             "alarm.serverresponse.statinterval = ten\n"       // 4 number
                             "local.bogus = 1\n"                               // 5 unknown
                             "local.probe.smtp.port = 25\n"                    // 6
                             "local.probe.smtp.port = 26\n"                    // 7 duplicate
                             "local.probe.gopher.port = 70\n"                  // 8 service
                             "local.probe.imap.timeout = 3\n"                  // 9 no port
                             "just words\n"                                    // 10 no '='
                             "local.autorestart = maybe\n"                     // 11 yes/no
                             "local.queuedir = spool\n"                        // 12 relative
                             "alarm.diskavail.msgalarmthreshold = -1\n"        // 13 duplicate too
                             "alarm.serverresponse.msgalarmthreshold = nan\n"  // 14 not a number
                             "alarm.msgalarmnoticercpt = <a@b>\n"              // 15 address
                             "local.probe.pop.timeout = 0\n";                  // 16 range
    const std::string p = problems(text);
    const char* expected[] = {
        "t.conf:1: alarm.msgalarmnoticeport: \"0\" is out of range (1..65535)",
        "t.conf:2: alarm.diskavail.msgalarmthreshold: \"101\" is out of range (0..100 percent)",
        "t.conf:3: alarm.diskavail.thresholddirection: \"0\" is not a direction (-1: below the threshold, 1: above it)",
        "t.conf:4: alarm.serverresponse.statinterval: \"ten\" is not a whole number",
        "t.conf:5: local.bogus: unknown key (see msprobe(8) for the keys)",
        "t.conf:7: local.probe.smtp.port: given twice (first at line 6)",
        "t.conf:8: local.probe.gopher.port: unknown service \"gopher\" (smtp, lmtp, imap, pop, http or ldap)",
        "t.conf:10: \"just words\": not a `key = value` line",
        "t.conf:11: local.autorestart: \"maybe\" is not yes or no",
        "t.conf:12: local.queuedir: \"spool\" is not an absolute path",
        "t.conf:13: alarm.diskavail.msgalarmthreshold: given twice (first at line 2)",
        "t.conf:14: alarm.serverresponse.msgalarmthreshold: \"nan\" is not a number",
        "t.conf:15: alarm.msgalarmnoticercpt: \"<a@b>\" is not a single mail address (no <, >, comma or semicolon)",
        "t.conf:16: local.probe.pop.timeout: \"0\" is out of range (0.001..3600 seconds)",
        "t.conf:9: local.probe.imap.timeout: set, but local.probe.imap.port is not (a probe is on when its port is set)",
    };
    std::string want;
    for (const char* e : expected) want += std::string(e) + "\n";
    want.pop_back();
    CHECK(p == want);
}

TEST_CASE("msprobe config: percentages are 0 to 100, both ends included") {
    CHECK(parse("alarm.diskavail.msgalarmthreshold = 0\n").diskavail.threshold == 0);
    CHECK(parse("alarm.diskavail.msgalarmthreshold = 100\n").diskavail.threshold == 100);
    CHECK(problems("alarm.diskavail.msgalarmthreshold = 100.5\n").find("out of range (0..100 percent)") !=
          std::string::npos);
    CHECK(problems("alarm.diskavail.msgalarmthreshold = 5%\n").find("is not a number") != std::string::npos);
    // server response thresholds are seconds, not percentages
    CHECK(parse("alarm.serverresponse.msgalarmthreshold = 250\n").serverresponse.threshold == 250);
}

TEST_CASE("msprobe config: diskusage instances must not collide") {
    CHECK(problems("store.partition.a/b.path = /x\nstore.partition.a_b.path = /y\n") ==
          "t.conf:2: store.partition.a_b.path: its diskusage instance \"a_b\" is also that of partition \"a/b\"");
    CHECK(problems("store.partition.queue.path = /x\nlocal.queuedir = /y\n") ==
          "t.conf:2: local.queuedir: its diskusage instance \"queue\" is also that of partition \"queue\"");
}

TEST_CASE("msprobe config: an instance name longer than 32 bytes is refused") {
    CHECK(problems("local.probe.smtp.host = a-very-long-host-name.example.com\nlocal.probe.smtp.port = 25\n") ==
          "t.conf:1: local.probe.smtp.host: the instance name \"smtp_a-very-long-host-name.example.com_25\" is "
          "longer than 32 bytes (use a shorter name or the address)");
}

TEST_CASE("msprobe config: the scheduler keys of the original are refused with the reason") {
    CHECK(problems("local.schedule.msprobe = 0,10,20,30,40,50 * * * *\n").find("not supported") != std::string::npos);
}

TEST_CASE("msprobe config: an unreadable file is a config_error naming it") {
    try {
        (void)load_config("/nonexistent/msprobe.conf");
        FAIL("accepted");
    } catch (const config_error& e) {
        CHECK(std::string(e.what()) == "/nonexistent/msprobe.conf: cannot read: No such file or directory");
    }
}

TEST_CASE("msprobe config: the sample configuration in contrib/ parses") {
    const config c = load_config(MSPROBE_SAMPLE_CONF);
    REQUIRE(c.probes.size() == 1);
    CHECK(c.probes[0].instance() == "smtp_127.0.0.1_25");
    REQUIRE(c.partitions.size() == 1);
    CHECK(c.partitions[0].path == "/var/mail");
    CHECK(c.queuedir == "/var/spool/postfix");
    CHECK_FALSE(c.autorestart);
}

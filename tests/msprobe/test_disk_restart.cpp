// SPDX-License-Identifier: MIT
// The disk check, the registry recording, and the restarts of a hung service.
#include "checks.hpp"
#include "msprobe.hpp"

#include "catch.hpp"
#include "support.hpp"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sys/statvfs.h>
#include <thread>
#include <unistd.h>

using namespace counters::msprobe;

namespace {

/// A private directory, removed with what it holds.
class temp_dir {
public:
    temp_dir() {
        char tmpl[] = "/tmp/msprobe-test.XXXXXX";
        const char* d = ::mkdtemp(tmpl);
        if (d == nullptr) throw std::runtime_error("mkdtemp");
        path_ = d;
    }
    ~temp_dir() {
        const std::string cmd = "rm -rf '" + path_ + "'";
        if (std::system(cmd.c_str()) != 0) { // NOLINT(cert-env33-c): test clean-up only
        }
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

std::string slurp(const std::string& file) {
    std::ifstream in(file);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace

TEST_CASE("msprobe disk: statvfs in KiB and percent available as df counts") {
    temp_dir d;
    std::string why;
    const auto u = stat_disk(d.path(), why);
    REQUIRE(u);
    struct statvfs st {};
    REQUIRE(::statvfs(d.path().c_str(), &st) == 0);
    const auto kb = [&](fsblkcnt_t b) { return static_cast<std::int64_t>(b * st.f_frsize / 1024); };
    CHECK(u->total_kb == kb(st.f_blocks));
    // the free space may move between the two calls (other tests write): allow a little
    CHECK(std::llabs(u->avail_kb - kb(st.f_bavail)) < 65536);
    CHECK(u->percent_avail >= 0);
    CHECK(u->percent_avail <= 100);
    const double used = static_cast<double>(st.f_blocks - st.f_bfree);
    const double want = static_cast<double>(st.f_bavail) * 100.0 / (used + static_cast<double>(st.f_bavail));
    CHECK(std::abs(u->percent_avail - want) < 0.5);
}

TEST_CASE("msprobe disk: a missing directory says why and records nothing") {
    std::string why;
    CHECK_FALSE(stat_disk("/nonexistent/msprobe/partition", why));
    CHECK(why == "No such file or directory");
}

TEST_CASE("msprobe disk: instance names") {
    CHECK(disk_instance("primary") == "primary");
    CHECK(disk_instance("mail store/2") == "mail_store_2");
    CHECK(disk_instance(std::string(40, 'p')) == std::string(32, 'p'));
    config c;
    c.partitions = {{"primary", "/var/mail"}, {"two", "/srv/two"}};
    c.queuedir = "/var/spool/postfix";
    const auto t = disk_targets(c);
    REQUIRE(t.size() == 3);
    CHECK(t[0].instance == "primary");
    CHECK(t[2].instance == "queue");
    CHECK(t[2].path == "/var/spool/postfix");
}

TEST_CASE("msprobe record: serverresponse and diskusage fields") {
    testing_support::temp_registry name("msprobe");
    counters::registry reg(name.name());
    recorder rec(reg);
    probe_settings p;
    p.svc = service::imap;
    p.host = "127.0.0.1";
    p.port = 143;
    rec.probe(p, probe_result{probe_outcome::ok, 0.0424, "* OK"}, 1700000000);
    auto sr = reg.object("serverresponse").instance("imap_127.0.0.1_143");
    CHECK(sr.gauge("responseTime").get() == 42);
    CHECK(sr.time("lastStatTime").get() == 1700000000);
    rec.probe(p, probe_result{probe_outcome::refused, 0.001, "connection refused"}, 1700000010);
    CHECK(sr.gauge("responseTime").get() == -1);
    rec.probe(p, probe_result{probe_outcome::timeout, 10.0004, "no greeting"}, 1700000020);
    CHECK(sr.gauge("responseTime").get() == 10000);
    rec.probe(p, probe_result{probe_outcome::garbage, 0.01, "x"}, 1700000030);
    CHECK(sr.gauge("responseTime").get() == -2);

    rec.disk(disk_target{"primary", "/var/mail"}, disk_usage{1000, 4000, 24.99}, 1700000040);
    auto du = reg.object("diskusage").instance("primary");
    CHECK(du.gauge("availSpace").get() == 1000);
    CHECK(du.gauge("totalSpace").get() == 4000);
    CHECK(du.gauge("percentAvail").get() == 24);
    CHECK(du.time("lastStatTime").get() == 1700000040);
}

TEST_CASE("msprobe restart: runs the command, stops after more than two failures in the window") {
    temp_dir d;
    std::vector<std::string> log;
    restarter rs([&](log_level, const std::string& m) { log.push_back(m); });
    config c;
    c.autorestart = true;
    c.autorestart_timeout = 600;
    rs.reconfigure(c);
    probe_settings p;
    p.svc = service::smtp;
    p.host = "127.0.0.1";
    p.port = 2525;
    const std::string file = d.path() + "/restarted";
    p.restart_command = "echo restarted >> " + file + "; echo said it";

    CHECK_FALSE(rs.observe(p, probe_outcome::ok, 1000));
    CHECK_FALSE(rs.observe(p, probe_outcome::garbage, 1000)); // something answers: not hung
    CHECK(rs.observe(p, probe_outcome::timeout, 1000));
    rs.wait_all(10);
    CHECK(slurp(file) == "restarted\n");
    CHECK(rs.observe(p, probe_outcome::refused, 1100));
    rs.wait_all(10);
    CHECK(slurp(file) == "restarted\nrestarted\n");
    // the third failure within 600 s: no more restarts, said in the log
    CHECK_FALSE(rs.observe(p, probe_outcome::timeout, 1200));
    CHECK_FALSE(rs.observe(p, probe_outcome::timeout, 5000));
    rs.wait_all(10);
    CHECK(slurp(file) == "restarted\nrestarted\n");
    bool gave_up = false;
    for (const auto& m : log)
        gave_up |= m == "restart smtp_127.0.0.1_2525: 3 failures within 600 s (local.autorestart.timeout): no more "
                        "restarts until it answers again";
    CHECK(gave_up);
    bool ended = false;
    for (const auto& m : log) ended |= m == "restart smtp_127.0.0.1_2525: the command ended (status 0)";
    CHECK(ended);
    // the service answers again: restarts resume
    CHECK_FALSE(rs.observe(p, probe_outcome::ok, 5100));
    CHECK(rs.observe(p, probe_outcome::timeout, 5200));
    rs.wait_all(10);
    CHECK(slurp(file) == "restarted\nrestarted\nrestarted\n");
}

TEST_CASE("msprobe restart: failures outside the window do not add up") {
    temp_dir d;
    restarter rs([](log_level, const std::string&) {});
    config c;
    c.autorestart = true;
    c.autorestart_timeout = 100;
    rs.reconfigure(c);
    probe_settings p;
    p.port = 25;
    p.restart_command = "echo x >> " + d.path() + "/r";
    CHECK(rs.observe(p, probe_outcome::timeout, 0));
    rs.wait_all(10);
    CHECK(rs.observe(p, probe_outcome::timeout, 50));
    rs.wait_all(10);
    CHECK(rs.observe(p, probe_outcome::timeout, 160)); // the one at 0 is out of the window
    rs.wait_all(10);
    CHECK(slurp(d.path() + "/r") == "x\nx\nx\n");
}

TEST_CASE("msprobe restart: off unless local.autorestart, and a failing command is logged") {
    temp_dir d;
    std::vector<std::string> log;
    restarter rs([&](log_level, const std::string& m) { log.push_back(m); });
    probe_settings p;
    p.port = 25;
    p.restart_command = "touch " + d.path() + "/r";
    config c; // autorestart = no
    rs.reconfigure(c);
    CHECK_FALSE(rs.observe(p, probe_outcome::timeout, 0));
    CHECK(::access((d.path() + "/r").c_str(), F_OK) != 0);
    c.autorestart = true;
    rs.reconfigure(c);
    p.restart_command = "exit 3";
    CHECK(rs.observe(p, probe_outcome::timeout, 0));
    rs.wait_all(10);
    CHECK(log.back() == "restart smtp_localhost_25: the command failed (status 3)");
}

// SPDX-License-Identifier: MIT
// Unit tests of counters_queue: attempt prefixes, file names, envelope, writer and scanner.
#include <catch.hpp>

#include <counters_queue/queue.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace q = counters::queue;

namespace {

/// A temporary directory removed (recursively) at the end of the test.
struct temp_dir {
    std::string path;
    temp_dir() {
        char tmpl[] = "/tmp/ctest_queue_XXXXXX";
        const char* p = ::mkdtemp(tmpl);
        REQUIRE(p != nullptr);
        path = p;
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

void write_file(const std::string& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary);
    f << text;
}

const std::string good = "%counters-queue 1\nsize 2049\nrecipients 2\nto <a@b>\nto <c@d>\n\nbody";

} // namespace

TEST_CASE("attempt prefixes: complemented base 36 over letters then digits") {
    CHECK(q::attempt_prefix(0) == "ZZ");
    CHECK(q::attempt_prefix(1) == "ZY");
    CHECK(q::attempt_prefix(25) == "ZA");
    CHECK(q::attempt_prefix(26) == "Z9");
    CHECK(q::attempt_prefix(35) == "Z0");
    CHECK(q::attempt_prefix(36) == "YZ");
    CHECK(q::attempt_prefix(q::max_attempts) == "00");
    CHECK(q::attempt_prefix(100000) == "00");
    for (unsigned a = 0; a <= q::max_attempts; ++a) CHECK(q::attempts_of(q::attempt_prefix(a)) == a);
    CHECK(q::attempts_of("Z1") == 34u);
    CHECK(q::attempts_of("A0") == 25u * 36 + 35);
    CHECK_FALSE(q::attempts_of("Zz"));
    CHECK_FALSE(q::attempts_of("Z"));
    CHECK_FALSE(q::attempts_of("Z-"));
    // A name whose prefix uses digits is a message file, not skipped.
    const auto z0 = q::parse_file_name("Z000a4.00");
    REQUIRE(z0);
    CHECK(z0->attempts == 35u);
    CHECK(z0->id == "00a4");
}

TEST_CASE("file names") {
    auto f = q::parse_file_name("ZY0a1B.00");
    REQUIRE(f);
    CHECK(f->attempts == 1);
    CHECK(f->id == "0a1B");
    CHECK_FALSE(f->held);
    f = q::parse_file_name("YZ01.07.HELD");
    REQUIRE(f);
    CHECK(f->attempts == 36);
    CHECK(f->held);
    CHECK(f->part == "07");
    CHECK(q::make_file_name(*f) == "YZ01.07.HELD");
    // The hold channel's form: AA<id>.HELD, no part (a release renames it to AA<id>.00).
    f = q::parse_file_name("ZZ0a1B.HELD");
    REQUIRE(f);
    CHECK(f->attempts == 0);
    CHECK(f->id == "0a1B");
    CHECK(f->part.empty());
    CHECK(f->held);
    CHECK(q::make_file_name(*f) == "ZZ0a1B.HELD");
    f = q::parse_file_name("Z9" + std::string(64, 'f') + ".HELD");
    REQUIRE(f);
    CHECK(f->attempts == 26);
    for (const char* bad : {"", "ZZ.00", "ZZ01.0", "ZZ01.000", "ZZ0g.00", "zz01.00", "$ZZ01.00", "ZZ01.00.held",
                            "ZZ01.00.HELD.HELD", ".HELD", "ZZ01", "ZZ.HELD", "ZZ01.held", "ZZ0g.HELD", "zz01.HELD",
                            "ZZ01.0.HELD", "ZZ01.HELD.00", "ZZ01.HELD.HELD"})
        CHECK_FALSE(q::parse_file_name(bad));
    CHECK_FALSE(q::parse_file_name("ZZ" + std::string(65, 'f') + ".HELD"));
    CHECK_THROWS_AS(q::make_file_name(q::file_name{0, "ab", "", false}), std::invalid_argument);
    CHECK(q::is_temporary("$ZZ01.00"));
    CHECK_THROWS_AS(q::make_file_name(q::file_name{0, "xyz", "00", false}), std::invalid_argument);
}

TEST_CASE("envelope round trip") {
    q::envelope e;
    e.size = 123456;
    e.recipients = 2;
    e.created = 1700000000;
    e.id = "abc";
    e.from = "<a@b>";
    e.owner = "alice";
    e.to = {"<c@d>", "<e@f>"};
    const q::envelope back = q::parse_envelope(q::format_envelope(e) + "the message");
    CHECK(back.owner == "alice");
    CHECK(back.size == e.size);
    CHECK(back.recipients == 2);
    CHECK(back.created == e.created);
    CHECK(back.id == "abc");
    CHECK(back.from == "<a@b>");
    CHECK(back.to == e.to);
    e.to = {"<c@d>"};
    CHECK_THROWS_AS(q::format_envelope(e), q::format_error);
    e.to.clear();
    e.owner = "x\nsize 1";
    CHECK_THROWS_AS(q::format_envelope(e), q::format_error);
    e.owner.clear();
    CHECK(q::format_envelope(e).find("owner") == std::string::npos); // no owner: no line
    e.from = "a\nsize 1";
    CHECK_THROWS_AS(q::format_envelope(e), q::format_error);
    CHECK(q::parse_envelope("%counters-queue 1\nsize 1\nrecipients 1\nowner mailsrv\n\n").owner == "mailsrv");
}

TEST_CASE("corrupt envelopes are refused with a reason") {
    const auto reason = [](const std::string& text) {
        try {
            q::parse_envelope(text);
        } catch (const q::format_error& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    CHECK(reason(good) == "accepted");
    CHECK(reason("") == "empty file");
    CHECK(reason("hello\n\n") == "bad magic line");
    CHECK(reason("%counters-queue 2\nsize 1\nrecipients 1\n\n") == "unsupported envelope version");
    CHECK(reason("%counters-queue 1\nsize 1\nrecipients 1\n") == "no end of envelope");
    CHECK(reason("%counters-queue 1\nrecipients 1\n\n") == "no \"size\" line");
    CHECK(reason("%counters-queue 1\nsize 1\n\n") == "no \"recipients\" line");
    CHECK(reason("%counters-queue 1\nsize 1\nsize 2\nrecipients 1\n\n") == "duplicate \"size\" line");
    CHECK(reason("%counters-queue 1\nsize -1\nrecipients 1\n\n") == "bad \"size\" value");
    CHECK(reason("%counters-queue 1\nsize 99999999999999999999\nrecipients 1\n\n") == "bad \"size\" value");
    CHECK(reason("%counters-queue 1\nsize 1\nrecipients 0\n\n") == "\"recipients\" out of range (0)");
    CHECK(reason("%counters-queue 1\nsize 1\nrecipients 1\nto <a>\nto <b>\n\n") ==
          "recipients is 1 but there are 2 \"to\" lines");
    CHECK(reason(std::string("%counters-queue 1\nsize 1\0\nrecipients 1\n\n", 40)) ==
          "control character in the envelope");
    CHECK(reason("%counters-queue 1\nSIZE 1\nrecipients 1\n\n") == "bad envelope line");
    // An envelope longer than max_envelope never ends.
    CHECK(reason("%counters-queue 1\nsize 1\nrecipients 1\nx-pad " + std::string(q::max_envelope, 'a') + "\n\n") ==
          "no end of envelope");
    // Unknown lower-case keywords are ignored (later versions may add them).
    CHECK(reason("%counters-queue 1\nsize 1\nrecipients 1\npriority urgent\n\n") == "accepted");
}

TEST_CASE("blocks are rounded up like libcounters") {
    CHECK(q::blocks_of(0, 1024) == 0);
    CHECK(q::blocks_of(1, 1024) == 1);
    CHECK(q::blocks_of(1024, 1024) == 1);
    CHECK(q::blocks_of(1025, 1024) == 2);
    CHECK(q::blocks_of(10, 3) == 4);
}

TEST_CASE("writer and scanner agree; problems are reported and skipped") {
    temp_dir d;
    q::writer w(d.path);
    q::envelope e;
    e.size = 2048;
    e.recipients = 3;
    e.created = 1000;
    std::string a = w.put("tcp_local", "01", e);
    CHECK(a == "tcp_local/ZZ01.00");
    a = w.retry(a);
    CHECK(a == "tcp_local/ZY01.00");
    e.created = 500;
    std::string b = w.put("tcp_local", "02", e, "body", "sub");
    CHECK(b == "tcp_local/sub/ZZ02.00");
    b = w.hold(b);
    CHECK(b == "tcp_local/sub/ZZ02.00.HELD");
    const std::string c = w.put("ims-ms", "03", e);
    w.remove(c);
    // A put never replaces an existing file.
    w.put("l", "04", e);
    CHECK_THROWS_AS(w.put("l", "04", e), std::system_error);

    write_file(d.path + "/tcp_local/ZZ05.00", "garbage\n\n");
    write_file(d.path + "/tcp_local/$ZZ06.00", "half-written");
    write_file(d.path + "/tcp_local/README", "not a message");
    write_file(d.path + "/tcp_local/ZZ08.HELD", good); // the hold channel's form
    write_file(d.path + "/tcp_local/.hidden", "x");
    write_file(d.path + "/notes", "x");
    ::mkdir((d.path + "/tcp_local/sub/deeper").c_str(), 0700);
    ::mkdir((d.path + "/.snapshot").c_str(), 0700);
    ::mkdir((d.path + "/bad name").c_str(), 0700);
    REQUIRE(::symlink("/etc/passwd", (d.path + "/tcp_local/ZZ07.00").c_str()) == 0);

    q::scan_options so;
    so.entries = true;
    const q::scan_result r = q::scan_tree(d.path, so);
    REQUIRE(r.channels.count("tcp_local") == 1);
    const q::channel_summary& s = r.channels.at("tcp_local");
    CHECK(s.queued.messages == 1);
    CHECK(s.queued.recipients == 3);
    CHECK(s.queued.blocks == 2);
    CHECK(s.queued.oldest == 1000);
    CHECK(s.held.messages == 2);
    CHECK(s.held.recipients == 2 + 3);
    CHECK(s.all().messages == 3);
    CHECK(s.all().oldest == 500);
    CHECK(r.channels.at("ims-ms").all().messages == 0);
    CHECK(r.channels.at("l").all().messages == 1);
    CHECK(r.temporaries == 1);
    REQUIRE(r.messages.size() == 4);
    CHECK(r.messages[1].channel == "tcp_local");
    CHECK(r.messages[1].file == "ZY01.00");
    CHECK(r.messages[1].attempts == 1);
    CHECK(r.messages[2].file == "ZZ08.HELD");
    CHECK(r.messages[2].held);
    CHECK(r.messages[3].file == "sub/ZZ02.00.HELD");
    CHECK(r.messages[3].held);
    // Everything else is listed, sorted; the `$` temporary is only counted.
    CHECK(r.unmatched ==
          std::vector<std::string>{".snapshot/", "notes", "tcp_local/.hidden", "tcp_local/README",
                                   "tcp_local/sub/deeper/"});
    REQUIRE(r.problems.size() == 3);
    std::string all;
    for (const auto& p : r.problems) all += p.path + ": " + p.message + "\n";
    CHECK(all.find("bad name: not a channel name\n") != std::string::npos);
    CHECK(all.find("tcp_local/ZZ05.00: corrupt envelope: bad magic line\n") != std::string::npos);
    CHECK(all.find("tcp_local/ZZ07.00: cannot open: ") != std::string::npos);

    so.channel_filter = [](const std::string& ch) { return ch == "l"; };
    CHECK(q::scan_tree(d.path, so).channels.size() == 1);
    CHECK_THROWS_AS(q::scan_tree(d.path + "/missing"), std::system_error);
}

// SPDX-License-Identifier: MIT
// counters-ingest's follower without any grammar: tail -F over real files in a temporary
// directory (rotation, copy-and-truncate, rotation with compression, disappearing files, partial
// and over-long lines, unreadable files), restarts from saved positions, and the state file.
#include "follow.hpp"
#include "journal.hpp"
#include "state.hpp"

#include "catch.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace counters::ingest;

namespace {

/// A temporary directory, removed with its files at the end.
struct temp_dir {
    std::string path;
    temp_dir() {
        char tmpl[] = "/tmp/ingest_follow_XXXXXX";
        const char* p = ::mkdtemp(tmpl);
        REQUIRE(p != nullptr);
        path = p;
        ::chmod(path.c_str(), 0755);
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    std::string operator/(const std::string& name) const { return path + "/" + name; }
};

/// Runs `gzip FILE` (FILE becomes FILE.gz, a new inode); true when it succeeded.
bool gzip(const std::string& file) {
    std::string prog = "gzip", arg = file;
    char* argv[] = {prog.data(), arg.data(), nullptr};
    pid_t pid = 0;
    if (::posix_spawnp(&pid, "gzip", nullptr, nullptr, argv, environ) != 0) return false;
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

void append(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::app | std::ios::binary);
    out << text;
}

/// Collects what a follower hands out.
struct collector : line_handler {
    std::vector<std::string> lines;
    std::vector<bool> truncated;
    std::vector<file_position> next;
    std::vector<file_position> switches;
    void line(std::string_view text, bool t, const file_position& n) override {
        lines.emplace_back(text);
        truncated.push_back(t);
        next.push_back(n);
    }
    void switched(const file_position& now) override { switches.push_back(now); }
};

struct messages {
    std::vector<std::string> all;
    std::function<void(const std::string&)> fn() {
        return [this](const std::string& m) { all.push_back(m); };
    }
    std::size_t count_containing(const std::string& part) const {
        std::size_t n = 0;
        for (const auto& m : all) n += m.find(part) != std::string::npos ? 1U : 0U;
        return n;
    }
};

follow_options fast() {
    follow_options o;
    o.retry = std::chrono::milliseconds(0);
    o.rotate_grace = std::chrono::milliseconds(0);
    o.verify_interval = std::chrono::milliseconds(0);
    return o;
}

std::vector<std::string> numbered(const std::string& prefix, int from, int to) {
    std::vector<std::string> v;
    for (int i = from; i <= to; ++i) v.push_back(prefix + std::to_string(i));
    return v;
}

std::string joined(const std::vector<std::string>& lines) {
    std::string s;
    for (const auto& l : lines) s += l + "\n";
    return s;
}

} // namespace

TEST_CASE("line_splitter: complete lines, a partial line, an over-long line", "[ingest][follow]") {
    line_splitter split(100, 8);
    std::vector<std::string> got;
    std::vector<bool> cut;
    std::vector<std::uint64_t> next;
    auto emit = [&](std::string_view t, bool truncated, std::uint64_t n) {
        got.emplace_back(t);
        cut.push_back(truncated);
        next.push_back(n);
    };
    split.feed("ab\ncd", emit);
    CHECK(got == std::vector<std::string>{"ab"});
    CHECK(next == std::vector<std::uint64_t>{103});
    CHECK(split.offset() == 103);
    CHECK(split.has_partial());
    split.feed("ef\n0123456789abc", emit);
    CHECK(got.back() == "cdef");
    CHECK(next.back() == 108);
    split.feed("def\nok\n", emit); // a 16-byte line, cut at 8
    REQUIRE(got.size() == 4);
    CHECK(got[2] == "01234567");
    CHECK(cut[2]);
    CHECK(next[2] == 125);
    CHECK(got[3] == "ok");
    CHECK_FALSE(cut[3]);
    CHECK_FALSE(split.has_partial());
    split.feed("tail", emit);
    CHECK(split.flush_partial(emit));
    CHECK(got.back() == "tail");
    CHECK(cut.back());
    CHECK(next.back() == 132);
    CHECK_FALSE(split.flush_partial(emit));
}

TEST_CASE("fingerprint: the first line, stable while the file grows", "[ingest][follow]") {
    temp_dir d;
    const std::string f = d / "log";
    append(f, "first line");
    int fd = ::open(f.c_str(), O_RDONLY);
    CHECK(file_fingerprint(fd) == 0); // no complete line yet
    append(f, "\nsecond\n");
    const std::uint64_t fp = file_fingerprint(fd);
    CHECK(fp == fingerprint_of("first line\n"));
    append(f, "third\n");
    CHECK(file_fingerprint(fd) == fp);
    ::close(fd);
    const std::string g = d / "long";
    append(g, std::string(5000, 'x'));
    fd = ::open(g.c_str(), O_RDONLY);
    CHECK(file_fingerprint(fd) == fingerprint_of(std::string(fingerprint_bytes, 'x')));
    ::close(fd);
    CHECK(fingerprint_of("") != 0);
}

TEST_CASE("follower: from the beginning, from the end, new lines as they come", "[ingest][follow]") {
    temp_dir d;
    const std::string f = d / "maillog";
    append(f, "one\ntwo\npart");
    messages m;
    {
        file_follower fl(f, m.fn(), fast());
        fl.start(std::nullopt, start_at::beginning);
        collector c;
        CHECK(fl.poll(c) == 2);
        CHECK(c.lines == std::vector<std::string>{"one", "two"});
        CHECK(fl.position().offset == 8);
        CHECK(fl.pending_bytes() == 4);
        append(f, "ial\nthree\n");
        CHECK(fl.poll(c) == 2);
        CHECK(c.lines == std::vector<std::string>{"one", "two", "partial", "three"});
        CHECK(c.next.back().offset == 22);
        CHECK(c.next.back().fingerprint == fingerprint_of("one\n"));
    }
    {
        append(f, "half");
        file_follower fl(f, m.fn(), fast());
        fl.start(std::nullopt, start_at::end); // after the last complete line
        collector c;
        CHECK(fl.poll(c) == 0);
        CHECK(fl.position().offset == 22);
        append(f, " done\n");
        CHECK(fl.poll(c) == 1);
        CHECK(c.lines == std::vector<std::string>{"half done"});
    }
    CHECK(m.all.empty());
}

TEST_CASE("follower: rotation by rename finishes the old file, then reads the new one", "[ingest][follow]") {
    temp_dir d;
    const std::string f = d / "maillog";
    append(f, joined(numbered("a", 1, 3)));
    messages m;
    file_follower fl(f, m.fn(), fast());
    fl.start(std::nullopt, start_at::beginning);
    collector c;
    fl.poll(c);
    const auto first = identity_of(f);
    REQUIRE(::rename(f.c_str(), (d / "maillog.1").c_str()) == 0);
    append(d / "maillog.1", joined(numbered("a", 4, 5))); // the writer has not reopened yet
    append(f, joined(numbered("b", 1, 2)));
    fl.poll(c);
    fl.poll(c);
    std::vector<std::string> want = numbered("a", 1, 5);
    for (const auto& l : numbered("b", 1, 2)) want.push_back(l);
    CHECK(c.lines == want);
    REQUIRE(c.switches.size() == 1);
    CHECK(c.switches[0].offset == 0);
    CHECK(c.switches[0].inode == identity_of(f)->second);
    CHECK(c.switches[0].inode != first->second);
    CHECK(m.count_containing("replaced (rotated)") == 1);
    CHECK(fl.position().offset == 6);
}

TEST_CASE("follower: the grace period waits for the writer while the new file is empty", "[ingest][follow]") {
    temp_dir d;
    const std::string f = d / "maillog";
    append(f, "a1\n");
    messages m;
    follow_options o = fast();
    o.rotate_grace = std::chrono::milliseconds(60000);
    file_follower fl(f, m.fn(), o);
    fl.start(std::nullopt, start_at::beginning);
    collector c;
    fl.poll(c);
    REQUIRE(::rename(f.c_str(), (d / "maillog.1").c_str()) == 0);
    append(f, "");
    fl.poll(c);
    append(d / "maillog.1", "a2\n"); // late line of the old file
    fl.poll(c);
    CHECK(c.switches.empty());
    append(f, "b1\n"); // the writer reopened: switch now
    fl.poll(c);
    CHECK(c.lines == std::vector<std::string>{"a1", "a2", "b1"});
}

TEST_CASE("follower: copy-and-truncate reads the file again from its beginning", "[ingest][follow]") {
    temp_dir d;
    const std::string f = d / "maillog";
    append(f, joined(numbered("a", 1, 4)));
    messages m;
    file_follower fl(f, m.fn(), fast());
    fl.start(std::nullopt, start_at::beginning);
    collector c;
    fl.poll(c);
    REQUIRE(::truncate(f.c_str(), 0) == 0);
    append(f, "b1\n");
    fl.poll(c);
    CHECK(c.lines == std::vector<std::string>{"a1", "a2", "a3", "a4", "b1"});
    REQUIRE(c.switches.size() == 1);
    CHECK(c.switches[0].offset == 0);
    CHECK(m.count_containing("truncated") == 1);
    // truncated and written past the position before the follower looked: the first line
    // changed, so it is read from its beginning all the same
    REQUIRE(::truncate(f.c_str(), 0) == 0);
    append(f, joined(numbered("c", 1, 5)));
    fl.poll(c);
    CHECK(std::vector<std::string>(c.lines.begin() + 5, c.lines.end()) == numbered("c", 1, 5));
    CHECK(m.count_containing("truncated") == 2);
}

namespace {

/// Follows @p f from the beginning, reads it, returns the position (the follower then stops).
file_position read_and_stop(const std::string& f, messages& m, collector& c) {
    file_follower fl(f, m.fn(), fast());
    fl.start(std::nullopt, start_at::beginning);
    fl.poll(c);
    return fl.position();
}

/// Postfix's `postfix logrotate`: renames @p f to @p rotated and compresses it at once
/// (@p rotated.gz, @p rotated deleted).
void rotate_and_compress(const std::string& f, const std::string& rotated) {
    REQUIRE(::rename(f.c_str(), rotated.c_str()) == 0);
    REQUIRE(gzip(rotated));
    REQUIRE(!std::filesystem::exists(rotated));
}

} // namespace

TEST_CASE("follower: rotated and compressed while stopped: the rest of the .gz, then the new file",
          "[ingest][follow][restart]") {
    temp_dir d;
    const std::string f = d / "maillog";
    const std::string rotated = d / "maillog.20261203-113000";
    append(f, "a1\na2\n");
    messages m;
    collector c;
    const file_position saved = read_and_stop(f, m, c);
    append(f, "a3\na4\n"); // written while the follower is stopped, then rotated and compressed
    rotate_and_compress(f, rotated);
    SECTION("the new file is there: each line exactly once, positions in decompressed bytes") {
        append(f, "b1\nb2\n"); // (the new file may reuse the old inode: its fingerprint differs)
        file_follower fl(f, m.fn(), fast());
        fl.start(saved, start_at::end);
        CHECK(fl.is_open());
        CHECK(fl.position() == saved); // the state names the saved file until the .gz is read
        fl.poll(c);
        fl.poll(c);
        CHECK(c.lines == std::vector<std::string>{"a1", "a2", "a3", "a4", "b1", "b2"});
        REQUIRE(c.next.size() == 6);
        // a3 and a4: the saved file's identity, decompressed offsets
        CHECK(c.next[2] == file_position{saved.device, saved.inode, 9, saved.fingerprint});
        CHECK(c.next[3] == file_position{saved.device, saved.inode, 12, saved.fingerprint});
        CHECK(c.next[5].fingerprint == fingerprint_of("b1\n"));
        CHECK(c.next[5].offset == 6);
        REQUIRE(c.switches.size() == 1);
        CHECK(c.switches[0].offset == 0);
        CHECK(m.count_containing("rotated and compressed while stopped; reading " + rotated + ".gz from offset 6") == 1);
        CHECK(m.count_containing("lost") == 0);
        CHECK(m.count_containing("not the file read before") == 0);
        // A restart from the state written after a3 (a kill while the .gz was read): a4 only,
        // then the new file; from the new file's position: the .gz is never read again.
        {
            file_follower again(f, m.fn(), fast());
            again.start(c.next[2], start_at::end);
            collector c2;
            again.poll(c2, true);
            again.poll(c2, true);
            CHECK(c2.lines == std::vector<std::string>{"a4", "b1", "b2"});
        }
        {
            file_follower again(f, m.fn(), fast());
            again.start(c.next[4], start_at::end);
            collector c2;
            again.poll(c2);
            CHECK(c2.lines == std::vector<std::string>{"b2"});
            CHECK(m.count_containing("rotated and compressed while stopped") == 2);
        }
    }
    SECTION("the new file comes later: the rest of the .gz first, then the new file from its beginning") {
        file_follower fl(f, m.fn(), fast());
        fl.start(saved, start_at::end);
        fl.poll(c);
        CHECK(c.lines == std::vector<std::string>{"a1", "a2", "a3", "a4"});
        CHECK(fl.is_open());
        CHECK(fl.position() == file_position{saved.device, saved.inode, 12, saved.fingerprint});
        append(f, "b1\n");
        fl.poll(c);
        fl.poll(c);
        CHECK(c.lines == std::vector<std::string>{"a1", "a2", "a3", "a4", "b1"});
    }
    SECTION("an incomplete last line in the .gz is passed as truncated") {
        append(f, "b1\n");
        const std::string f2 = d / "mail.log";
        append(f2, "x1\n");
        collector c2;
        const file_position saved2 = read_and_stop(f2, m, c2);
        append(f2, "x2\nx3-partial");
        rotate_and_compress(f2, d / "mail.log.1");
        append(f2, "y1\n");
        file_follower fl(f2, m.fn(), fast());
        fl.start(saved2, start_at::end);
        collector c3;
        fl.poll(c3);
        fl.poll(c3);
        CHECK(c3.lines == std::vector<std::string>{"x2", "x3-partial", "y1"});
        CHECK(c3.truncated == std::vector<bool>{false, true, false});
    }
}

TEST_CASE("follower: stopped exactly at the end of a file later compressed: nothing read from it",
          "[ingest][follow][restart]") {
    temp_dir d;
    const std::string f = d / "maillog";
    append(f, joined(numbered("a", 1, 5)));
    messages m;
    collector c;
    const file_position saved = read_and_stop(f, m, c);
    REQUIRE(saved.offset == 15);
    rotate_and_compress(f, d / "maillog.1");
    append(f, "b1\n");
    file_follower fl(f, m.fn(), fast());
    fl.start(saved, start_at::end);
    collector c2;
    fl.poll(c2, true);
    fl.poll(c2, true);
    CHECK(c2.lines == std::vector<std::string>{"b1"});
    CHECK(m.count_containing("rotated and compressed while stopped") == 1);
    CHECK(m.count_containing("lost") == 0);
}

TEST_CASE("follower: a compressed file with another head, name or length is never read", "[ingest][follow]") {
    temp_dir d;
    const std::string f = d / "maillog";
    append(f, "a1\na2\n");
    messages m;
    collector c;
    file_position saved = read_and_stop(f, m, c);
    append(f, "a3\n");
    // The saved file is deleted, not compressed; compressed files that are not it lie around:
    append(d / "maillog.0", "other1\na3-other\nlonger than the offset\n");
    REQUIRE(gzip(d / "maillog.0"));           // another head
    append(d / "maillog.5", "a1\n");
    REQUIRE(gzip(d / "maillog.5"));           // the same head, shorter than the offset
    append(d / "other.log.1", "a1\na2\na3\n");
    REQUIRE(gzip(d / "other.log.1"));         // the same content, another log's name
    REQUIRE(::unlink(f.c_str()) == 0);
    append(f, "b1\n");
    file_follower fl(f, m.fn(), fast());
    fl.start(saved, start_at::end);
    fl.poll(c);
    fl.poll(c);
    CHECK(c.lines == std::vector<std::string>{"a1", "a2", "b1"}); // a3 is lost, and said so
    // (the new file may reuse the old inode: then its fingerprint tells them apart)
    CHECK(m.count_containing("is gone") + m.count_containing("not the file read before") == 1);
    CHECK(m.count_containing("compressed") == 0);
    CHECK(compressed_candidates(f) ==
          std::vector<std::string>{d / "maillog.0.gz", d / "maillog.5.gz"});
    // While following, a file rotated and compressed is read through its open descriptor
    // and the .gz is never opened.
    REQUIRE(::rename(f.c_str(), (d / "maillog.2").c_str()) == 0);
    append(d / "maillog.2", "b2\n");
    REQUIRE(gzip(d / "maillog.2"));
    append(f, "c1\n");
    fl.poll(c);
    fl.poll(c);
    CHECK(c.lines == std::vector<std::string>{"a1", "a2", "b1", "b2", "c1"});
    CHECK(m.count_containing("compressed") == 0);
}

TEST_CASE("follower: a file that disappears and comes back", "[ingest][follow]") {
    temp_dir d;
    const std::string f = d / "maillog";
    append(f, "a1\n");
    messages m;
    file_follower fl(f, m.fn(), fast());
    fl.start(std::nullopt, start_at::beginning);
    collector c;
    fl.poll(c);
    REQUIRE(::unlink(f.c_str()) == 0);
    fl.poll(c);
    fl.poll(c);
    CHECK(m.count_containing("has disappeared") == 1);
    append(f, "b1\nb2\n");
    fl.poll(c);
    CHECK(c.lines == std::vector<std::string>{"a1", "b1", "b2"});
    CHECK(m.count_containing("is back") == 1);
}

TEST_CASE("follower: a file missing at start is read from its beginning once it appears", "[ingest][follow]") {
    temp_dir d;
    const std::string f = d / "maillog";
    messages m;
    file_follower fl(f, m.fn(), fast());
    fl.start(std::nullopt, start_at::beginning);
    collector c;
    CHECK_FALSE(fl.is_open());
    fl.poll(c);
    CHECK(m.all == std::vector<std::string>{"cannot read " + f + ": No such file or directory (retrying every 0 s)"});
    append(f, "x\n");
    fl.poll(c);
    CHECK(c.lines == std::vector<std::string>{"x"});
    CHECK(c.switches.size() == 1);
    CHECK(m.count_containing("can be read again") == 1);
}

TEST_CASE("follower: an over-long line is cut at the limit and the rest skipped", "[ingest][follow]") {
    temp_dir d;
    const std::string f = d / "maillog";
    append(f, std::string(max_line_bytes + 5000, 'x'));
    messages m;
    file_follower fl(f, m.fn(), fast());
    fl.start(std::nullopt, start_at::beginning);
    collector c;
    fl.poll(c);
    CHECK(c.lines.empty()); // no newline yet: pending, at most max_line_bytes kept
    append(f, std::string(3000, 'y') + "\nok\n");
    fl.poll(c);
    REQUIRE(c.lines.size() == 2);
    CHECK(c.lines[0] == std::string(max_line_bytes, 'x'));
    CHECK(c.truncated[0]);
    CHECK(c.next[0].offset == max_line_bytes + 8001);
    CHECK(c.lines[1] == "ok");
    CHECK_FALSE(c.truncated[1]);
}

namespace {

// The unreadable-file scenario; returns "" or what went wrong. Run as a user that file
// modes bind (not root).
std::string unreadable_scenario(const std::string& dir) {
    const std::string f = dir + "/maillog";
    append(f, "a1\n");
    messages m;
    file_follower fl(f, m.fn(), fast());
    fl.start(std::nullopt, start_at::beginning);
    collector c;
    fl.poll(c);
    // logrotate: rename, recreate mode 0600 for another user (here: 0000 for us)
    if (::rename(f.c_str(), (dir + "/maillog.1").c_str()) != 0) return "rename failed";
    append(f, "b1\n");
    ::chmod(f.c_str(), 0);
    append(dir + "/maillog.1", "a2\n"); // the old file is still read meanwhile
    for (int i = 0; i < 5; ++i) fl.poll(c);
    const std::string want = "cannot read " + f + ": Permission denied (retrying every 0 s)";
    if (m.count_containing(want) != 1) return "wanted the message once, got: " + std::to_string(m.all.size());
    if (c.lines != std::vector<std::string>{"a1", "a2"}) return "old file not finished";
    ::chmod(f.c_str(), 0644);
    fl.poll(c);
    if (c.lines != std::vector<std::string>{"a1", "a2", "b1"}) return "new file not read once readable";
    if (m.count_containing("can be read again") != 1) return "no message when readable again";
    return {};
}

} // namespace

TEST_CASE("follower: a new file that cannot be read is reported once and retried", "[ingest][follow]") {
    temp_dir d;
    if (::geteuid() != 0) {
        CHECK(unreadable_scenario(d.path).empty());
        return;
    }
    // root reads any file: run the scenario as nobody in a child process.
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    REQUIRE(::chown(d.path.c_str(), 65534, 65534) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(fds[0]);
        std::string result = "cannot become nobody";
        if (::setgid(65534) == 0 && ::setuid(65534) == 0) result = unreadable_scenario(d.path);
        if (!result.empty()) static_cast<void>(::write(fds[1], result.data(), result.size()));
        ::_exit(result.empty() ? 0 : 1);
    }
    ::close(fds[1]);
    char buf[512];
    std::string why;
    ssize_t n = 0;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0) why.append(buf, static_cast<std::size_t>(n));
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    INFO(why);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("follower: restarts continue exactly at the saved position", "[ingest][follow][restart]") {
    temp_dir d;
    const std::string f = d / "maillog";
    append(f, "a1\na2\n");
    messages m;
    file_position saved;
    {
        file_follower fl(f, m.fn(), fast());
        fl.start(std::nullopt, start_at::beginning);
        collector c;
        fl.poll(c);
        saved = fl.position();
    }
    SECTION("same file, grown: the new lines only (the saved state wins over --from-*)") {
        append(f, "a3\n");
        file_follower fl(f, m.fn(), fast());
        fl.start(saved, start_at::beginning);
        collector c;
        fl.poll(c);
        CHECK(c.lines == std::vector<std::string>{"a3"});
    }
    SECTION("renamed while stopped: the rest of the old file, then the new one") {
        append(f, "a3\n");
        REQUIRE(::rename(f.c_str(), (d / "maillog.1").c_str()) == 0);
        append(f, "b1\n");
        file_follower fl(f, m.fn(), fast());
        fl.start(saved, start_at::end);
        collector c;
        fl.poll(c, true);
        fl.poll(c, true);
        CHECK(c.lines == std::vector<std::string>{"a3", "b1"});
        CHECK(m.count_containing("rotated while stopped") == 1);
    }
    SECTION("truncated and rewritten while stopped: from the beginning") {
        REQUIRE(::truncate(f.c_str(), 0) == 0);
        append(f, "c1\nc2\nc3\n");
        file_follower fl(f, m.fn(), fast());
        fl.start(saved, start_at::end);
        collector c;
        fl.poll(c);
        CHECK(c.lines == std::vector<std::string>{"c1", "c2", "c3"});
        CHECK(m.count_containing("not the file read before") == 1);
    }
}

TEST_CASE("state file: text round trip, atomic write, refusals", "[ingest][state]") {
    temp_dir d;
    ingest_state s;
    s.sources.push_back({"/var/log/mail log", file_position{2049, 123456, 789, 0xfeedULL}, {}});
    s.sources.push_back({"journal", std::nullopt, "s=abc;i=1f;b=x"});
    s.interpreter = "line one\nline two\n";
    const std::string path = d / "state";
    CHECK_FALSE(read_state(path).has_value());
    write_state(path, s);
    const auto back = read_state(path);
    REQUIRE(back.has_value());
    REQUIRE(back->sources.size() == 2);
    CHECK(back->sources[0].source == "/var/log/mail log");
    CHECK(back->sources[0].file == s.sources[0].file);
    CHECK(back->sources[1].cursor == "s=abc;i=1f;b=x");
    CHECK(back->interpreter == s.interpreter);
    CHECK(back->find("journal") != nullptr);
    CHECK(::access((path + ".tmp").c_str(), F_OK) != 0);
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    // a state cut short is refused, not half-used
    const std::string text = format_state(s);
    CHECK_THROWS_AS(parse_state(text.substr(0, text.size() - 3)), std::runtime_error);
    CHECK_THROWS_AS(parse_state("something else\n"), std::runtime_error);
    CHECK_THROWS_AS(parse_state("counters-ingest state 1\nfile x 1 2 3 f\ninterpreter 0\n"), std::runtime_error);
    CHECK_THROWS_AS(write_state(d / "no/such/dir/state", s), std::runtime_error);
}

TEST_CASE("journal: which syslog identifiers belong to the MTA", "[ingest][journal]") {
    const std::vector<std::string> postfix = {"postfix"};
    CHECK(identifier_matches("postfix/smtpd", postfix));
    CHECK(identifier_matches("postfix/submission/smtpd", postfix));
    CHECK(identifier_matches("postfix-mx/qmgr", postfix));
    CHECK(identifier_matches("postfix", postfix));
    CHECK_FALSE(identifier_matches("postfixer", postfix));
    CHECK_FALSE(identifier_matches("sshd", postfix));
    CHECK(identifier_matches("sm-mta", {"sendmail", "sm-mta"}));
}

namespace {

#ifndef JOURNAL_REMOTE
#error "JOURNAL_REMOTE (the path of systemd-journal-remote) is needed"
#endif

/// Journal files made from an export-format text by systemd-journal-remote, in @p dir.
bool make_journal(const std::string& dir, const std::string& export_text) {
    const std::string input = dir + "/export.txt";
    std::ofstream(input, std::ios::binary) << export_text;
    std::string prog = JOURNAL_REMOTE, o = "--output=" + dir + "/remote.journal", in = input;
    char* argv[] = {prog.data(), o.data(), in.data(), nullptr};
    pid_t pid = 0;
    if (::posix_spawn(&pid, prog.c_str(), nullptr, nullptr, argv, environ) != 0) return false;
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

std::string journal_entry(long long usec, const std::string& ident, const std::string& pid, const std::string& msg) {
    static long long mono = 0;
    mono += 1000;
    std::string e = "__REALTIME_TIMESTAMP=" + std::to_string(usec) + "\n__MONOTONIC_TIMESTAMP=" +
                    std::to_string(mono) + "\n_BOOT_ID=0123456789abcdef0123456789abcdef\n_HOSTNAME=mta\n" +
                    "SYSLOG_IDENTIFIER=" + ident + "\n";
    if (!pid.empty()) e += "SYSLOG_PID=" + pid + "\n";
    return e + "MESSAGE=" + msg + "\n\n";
}

struct journal_lines : journal_handler {
    std::vector<std::string> lines, cursors;
    std::vector<bool> replayed;
    void entry(std::string_view line, const std::string& cursor, bool replay) override {
        lines.emplace_back(line);
        cursors.push_back(cursor);
        replayed.push_back(replay);
    }
};

} // namespace

TEST_CASE("journal: the MTA's entries as syslog lines, resumed by cursor, replayed up to the applied one",
          "[ingest][journal]") {
    temp_dir d;
    ::setenv("TZ", "UTC0", 1);
    ::tzset();
    REQUIRE(make_journal(d.path, journal_entry(1764740231000000, "postfix/smtpd", "15459",
                                               "connect from localhost[127.0.0.1]") +
                                     journal_entry(1764740231500000, "sshd", "1", "not mail") +
                                     journal_entry(1764740232250000, "postfix-mx/qmgr", "15454",
                                                   "ACF94A76433: removed") +
                                     journal_entry(1764740233000000, "postfix/pickup", "",
                                                   "1CA96A76647: uid=0 from=<local@mta.test>")));
    const std::vector<std::string> want = {
        "2025-12-03T05:37:11.000000+00:00 mta postfix/smtpd[15459]: connect from localhost[127.0.0.1]",
        "2025-12-03T05:37:12.250000+00:00 mta postfix-mx/qmgr[15454]: ACF94A76433: removed",
        "2025-12-03T05:37:13.000000+00:00 mta postfix/pickup: 1CA96A76647: uid=0 from=<local@mta.test>"};
    journal_lines all;
    {
        journal_source j({"postfix"}, d.path);
        j.start("", start_at::beginning, "");
        j.poll(all);
        CHECK(all.lines == want);
        CHECK(j.cursor() == all.cursors.back());
        CHECK(all.replayed == std::vector<bool>{false, false, false});
    }
    REQUIRE(all.cursors.size() == 3);
    SECTION("a saved cursor: the entries after it only") {
        journal_source j({"postfix"}, d.path);
        journal_lines got;
        j.start(all.cursors[0], start_at::beginning, "");
        j.poll(got);
        CHECK(got.lines == std::vector<std::string>{want[1], want[2]});
    }
    SECTION("a registry cursor past the saved one: replayed up to it, then recorded") {
        journal_source j({"postfix"}, d.path);
        journal_lines got;
        j.start(all.cursors[0], start_at::end, all.cursors[1]);
        j.poll(got);
        CHECK(got.lines == std::vector<std::string>{want[1], want[2]});
        CHECK(got.replayed == std::vector<bool>{true, false});
    }
    SECTION("no cursor, from the end: nothing old") {
        journal_source j({"postfix"}, d.path);
        journal_lines got;
        j.start("", start_at::end, "");
        j.poll(got);
        CHECK(got.lines.empty());
    }
    SECTION("an identifier of another MTA: nothing") {
        journal_source j({"exim", "exim4"}, d.path);
        journal_lines got;
        j.start("", start_at::beginning, "");
        j.poll(got);
        CHECK(got.lines.empty());
    }
    ::unsetenv("TZ");
    ::tzset();
}

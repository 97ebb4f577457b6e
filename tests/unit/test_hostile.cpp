// SPDX-License-Identifier: MIT
// Hostile and broken sections: every one gives a specific counters::error, never a crash or
// a hang. Also symlinked and foreign-owned segments.
#include "catch.hpp"
#include "support.hpp"

#include "section/layout.hpp" // private: to corrupt images on purpose

#include <counters/counters.hpp>

#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <grp.h>
#include <functional>
#include <unistd.h>
#include <vector>

using namespace counters;
using testing_support::temp_section;

namespace {

/// An aligned copy of a freshly made section with a few channels.
struct image {
    std::vector<std::uint64_t> words;
    std::size_t size = 0;
    void* data() { return words.data(); }
    detail::header& h() { return *static_cast<detail::header*>(data()); }
    detail::channel_slot& slot(std::uint32_t i) {
        return *reinterpret_cast<detail::channel_slot*>(static_cast<char*>(data()) + h().channels_offset +
                                                         std::uint64_t{i} * h().slot_size);
    }
};

image make_image(std::uint32_t max_channels = 8) {
    temp_section t("img");
    create_options o;
    o.max_channels = max_channels;
    {
        section sec(t.name(), o);
        channel a = sec.get("tcp_local"), b = sec.get("ims-ms");
        enqueued(a, b, 2, 4096);
    }
    int fd = ::shm_open(("/" + t.name()).c_str(), O_RDONLY, 0);
    REQUIRE(fd >= 0);
    struct stat st {};
    REQUIRE(::fstat(fd, &st) == 0);
    image img;
    img.size = static_cast<std::size_t>(st.st_size);
    img.words.resize(img.size / 8 + 1);
    REQUIRE(::read(fd, img.data(), img.size) == static_cast<ssize_t>(img.size));
    ::close(fd);
    return img;
}

errc decode_error(image& img, std::size_t size) {
    try {
        decode_snapshot(img.data(), size, "hostile");
    } catch (const error& e) {
        INFO(e.what());
        CHECK(std::string(e.what()).rfind("section \"hostile\": ", 0) == 0);
        return e.code();
    }
    FAIL("decoded without error");
    return errc::system;
}

} // namespace

TEST_CASE("a good image decodes", "[hostile]") {
    image img = make_image();
    const snapshot s = decode_snapshot(img.data(), img.size, "good");
    REQUIRE(s.channels.size() == 2);
    CHECK(s.channels[1].get(counter::received_blocks) == 4);
}

TEST_CASE("truncated images are refused at every length", "[hostile]") {
    image img = make_image(2);
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{8}, std::size_t{100},
                          sizeof(detail::header) - 1, sizeof(detail::header), sizeof(detail::header) + 64,
                          img.size - 64, img.size - 1}) {
        INFO("size " << n);
        errc c = decode_error(img, n);
        CHECK((c == errc::corrupt || c == errc::not_ready));
    }
}

TEST_CASE("bad magic is foreign, another major version is refused", "[hostile]") {
    image img = make_image();
    img.h().magic[0] = 'X';
    CHECK(decode_error(img, img.size) == errc::foreign);
    img = make_image();
    img.h().major = 2;
    CHECK(decode_error(img, img.size) == errc::version);
    img = make_image();
    img.h().minor = 7; // a newer minor version of the same major is readable
    CHECK_NOTHROW(decode_snapshot(img.data(), img.size, "minor"));
}

TEST_CASE("absurd sizes, counts and offsets are corrupt", "[hostile]") {
    auto check = [](void (*poke)(detail::header&)) {
        image img = make_image();
        poke(img.h());
        CHECK(decode_error(img, img.size) == errc::corrupt);
    };
    check([](detail::header& h) { h.max_channels = 0xffffffffu; });
    check([](detail::header& h) { h.max_channels = 1000; });
    check([](detail::header& h) { h.channels_offset = ~std::uint64_t{0} - 63; });
    check([](detail::header& h) { h.channels_offset = 8; });
    check([](detail::header& h) { h.processes_offset = 1ull << 62; });
    check([](detail::header& h) { h.slot_size = 8; });
    check([](detail::header& h) { h.slot_size = 0x7fffffc0u; });
    check([](detail::header& h) { h.header_size = 0; });
    check([](detail::header& h) { h.block_size = 0; });
    check([](detail::header& h) { h.name_size = 1; });
    check([](detail::header& h) { h.counter_count = 3; });
    check([](detail::header& h) { h.process_slots = 0xffffffffu; });
    check([](detail::header& h) { h.total_size = 1; });
    check([](detail::header& h) { h.state.store(0x12345678u); });
}

TEST_CASE("a name without NUL or longer than 32 bytes is corrupt, an unpublished slot is skipped", "[hostile]") {
    image img = make_image();
    std::memset(img.slot(1).name, 'A', sizeof img.slot(1).name);
    CHECK(decode_error(img, img.size) == errc::corrupt);
    // Terminated inside the field but longer than the 32 bytes any writer stores (found by
    // fuzz_section): corrupt as well.
    img = make_image();
    std::memset(img.slot(1).name, 'B', sizeof img.slot(1).name);
    img.slot(1).name[33] = '\0';
    CHECK(decode_error(img, img.size) == errc::corrupt);
    img = make_image();
    std::memset(img.slot(1).name, 0, sizeof img.slot(1).name);
    std::memset(img.slot(1).name, 'C', 32); // exactly 32: a channel
    CHECK(decode_snapshot(img.data(), img.size, "x").channels.at(1).name == std::string(32, 'C'));
    img = make_image();
    img.slot(1).claim.store(42); // a registration in progress
    CHECK(decode_snapshot(img.data(), img.size, "x").channels.size() == 1);
}

TEST_CASE("a name with terminal escapes is passed through as data for the tools to escape",
          "[hostile]") {
    image img = make_image();
    std::memcpy(img.slot(0).name, "\x1b[2Jevil", 9);
    const snapshot s = decode_snapshot(img.data(), img.size, "esc");
    CHECK(s.channels[0].name == "\x1b[2Jevil");
}

TEST_CASE("a section that never becomes ready gives not_ready within the wait", "[hostile]") {
    temp_section t("never");
    // Its creator is alive (it holds the creator's lock) but never publishes it.
    const int fd = ::shm_open(("/" + t.name()).c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
    REQUIRE(fd >= 0);
    REQUIRE(::ftruncate(fd, 65536) == 0);
    REQUIRE(::flock(fd, LOCK_EX) == 0);
    const auto t0 = std::chrono::steady_clock::now();
    try {
        read_snapshot(t.name());
        FAIL("no error");
    } catch (const error& e) {
        CHECK(e.code() == errc::not_ready);
    }
    try {
        section w(t.name());
        FAIL("no error");
    } catch (const error& e) {
        CHECK(e.code() == errc::not_ready);
    }
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
    // Delete works on it, so an operator can recover.
    delete_section(t.name());
    CHECK_FALSE(section_exists(t.name()));
    ::close(fd);
}

TEST_CASE("a section left unpublished by a creator that is gone is made again", "[hostile][orphan]") {
    temp_section t("orphan");
    {
        // A creator killed between creating the object and publishing it.
        const int fd = ::shm_open(("/" + t.name()).c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
        REQUIRE(fd >= 0);
        REQUIRE(::ftruncate(fd, 65536) == 0);
        ::close(fd);
    }
    CHECK_THROWS_AS(read_snapshot(t.name()), error); // readers only wait, then say not ready
    const auto t0 = std::chrono::steady_clock::now();
    {
        section w(t.name());
        enqueued(w.get("x"), w.get("x"), 1, 1);
    }
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(1500));
    CHECK(read_snapshot(t.name()).find("x")->get(counter::received_messages) == 1);
}

TEST_CASE("a foreign segment is refused by readers, writers and create", "[hostile]") {
    temp_section t("foreign");
    {
        int fd = ::shm_open(("/" + t.name()).c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
        REQUIRE(fd >= 0);
        std::vector<char> junk(4096, 'j');
        REQUIRE(::write(fd, junk.data(), junk.size()) == 4096);
        ::close(fd);
    }
    CHECK_THROWS_WITH(read_snapshot(t.name()), Catch::Contains("bad magic"));
    CHECK_THROWS_AS(section(t.name()), error);
    CHECK_THROWS_AS(create_section(t.name()), error);
}

TEST_CASE("a symbolic link in place of a section is refused", "[hostile][permissions]") {
    temp_section real("real"), link("link");
    create_section(real.name());
    const std::string target = "/dev/shm/" + real.name(), path = "/dev/shm/" + link.name();
    REQUIRE(::symlink(target.c_str(), path.c_str()) == 0);
    try {
        read_snapshot(link.name());
        FAIL("no error");
    } catch (const error& e) {
        CHECK(e.code() == errc::permission);
        CHECK_THAT(e.what(), Catch::Contains("symbolic link"));
    }
    CHECK_THROWS_AS(section(link.name()), error);
    ::unlink(path.c_str());
}

namespace {
/// Runs @p body in a child switched to @p uid / @p gid with supplementary group @p extra
/// (-1: none); returns the child's exit status (body's result), or 99 when switching failed.
int run_as(uid_t uid, gid_t gid, long extra, const std::function<int()>& body) {
    pid_t pid = ::fork();
    if (pid == 0) {
        gid_t groups[1] = {static_cast<gid_t>(extra)};
        if (::setgroups(extra >= 0 ? 1 : 0, groups) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0)
            ::_exit(99);
        int rc = 98;
        try {
            rc = body();
        } catch (...) {
        }
        ::_exit(rc);
    }
    int st = 0;
    ::waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 97;
}

int try_write(const std::string& name) {
    try {
        section w(name);
        channel c = w.get("x");
        enqueued(c, c, 1, 1);
        return 0;
    } catch (const error& e) {
        return e.code() == errc::permission && std::string(e.what()).find("refusing to write") != std::string::npos
                   ? 1
                   : 2;
    }
}
} // namespace

TEST_CASE("writers refuse a section owned by another user", "[hostile][permissions]") {
    if (::geteuid() != 0) {
        WARN("needs root to give a segment away and to switch users; skipped");
        return;
    }
    temp_section t("owned");
    create_section(t.name());
    const std::string path = "/dev/shm/" + t.name();
    REQUIRE(::chown(path.c_str(), 65534, 65534) == 0);
    REQUIRE(::chmod(path.c_str(), 0666) == 0); // writable by anyone: planted
    CHECK(run_as(65533, 65533, -1, [&] { return try_write(t.name()); }) == 1);
    // A member of the section's group may write a group-writable (not world-writable) one.
    REQUIRE(::chmod(path.c_str(), 0660) == 0);
    CHECK(run_as(65533, 65533, 65534, [&] { return try_write(t.name()); }) == 0);
    // A world-writable one is refused even to a group member.
    REQUIRE(::chmod(path.c_str(), 0666) == 0);
    CHECK(run_as(65533, 65533, 65534, [&] { return try_write(t.name()); }) == 1);
    // A user who cannot read it gets a clear permission error from the reader.
    REQUIRE(::chmod(path.c_str(), 0660) == 0);
    CHECK(run_as(65533, 65533, -1, [&] {
              try {
                  read_snapshot(t.name());
                  return 3;
              } catch (const error& e) {
                  return e.code() == errc::permission ? 0 : 4;
              }
          }) == 0);
    // Reading is harmless (input is validated) but says the section is not to be trusted.
    CHECK_FALSE(read_snapshot(t.name()).section.distrust.empty());
    // Root is no exception: a section planted by nobody is refused, unless nobody is the
    // MTA user (or nobody's group the MTA group) by configuration.
    try {
        section planted(t.name());
        FAIL("root wrote into a section planted by nobody");
    } catch (const error& e) {
        CHECK(e.code() == errc::permission);
        CHECK(std::string(e.what()).find("refusing to write: owned by uid 65534") != std::string::npos);
    }
    ::setenv("COUNTERS_MTA_USER", "65534", 1);
    CHECK_NOTHROW(section(t.name()));
    CHECK(read_snapshot(t.name()).section.distrust.empty());
    ::unsetenv("COUNTERS_MTA_USER");
    ::setenv("COUNTERS_MTA_GROUP", "65534", 1);
    CHECK_NOTHROW(section(t.name())); // group nogroup, mode 0660: the MTA group's section
    REQUIRE(::chmod(path.c_str(), 0666) == 0);
    CHECK_THROWS_AS(section(t.name()), error); // ... but never world-writable
    ::unsetenv("COUNTERS_MTA_GROUP");
    // A root-owned section is trusted whatever its mode (root chose it).
    REQUIRE(::chown(path.c_str(), 0, 0) == 0);
    CHECK_NOTHROW(section(t.name()));
}

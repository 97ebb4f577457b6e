// SPDX-License-Identifier: MIT
// File-backed sections and registries: a name starting with '/' is a file at that path,
// with the format, checks and trust rules of a shared-memory segment, whose numbers outlive
// every process (and a reboot: the pids it stores are then dead or someone else's).
#include "catch.hpp"
#include "support.hpp"

#include "section/layout.hpp" // private: to plant what a previous boot left
#include "shm/claim.hpp"

#include <counters/counters.hpp>
#include <counters/registry_snapshot.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

using namespace counters;
using testing_support::spawn_child;
using testing_support::start_ticks;

namespace {

/// A private directory under $TMPDIR (or /tmp), removed with everything in it.
class temp_dir {
public:
    temp_dir() {
        const char* base = std::getenv("TMPDIR");
        std::string tmpl = std::string(base != nullptr && *base == '/' ? base : "/tmp") + "/ctest_files_XXXXXX";
        if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::permissions(path_, std::filesystem::perms::owner_all, ec);
        std::filesystem::remove_all(path_, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    std::string operator/(const std::string& leaf) const { return path_ + "/" + leaf; }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

/// A read-write mapping of a whole file.
class file_map {
public:
    explicit file_map(const std::string& path) {
        const int fd = ::open(path.c_str(), O_RDWR);
        if (fd < 0) return;
        struct stat st {};
        if (::fstat(fd, &st) == 0 && st.st_size > 0) {
            size_ = static_cast<std::size_t>(st.st_size);
            void* p = ::mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
            data_ = p == MAP_FAILED ? nullptr : static_cast<unsigned char*>(p);
        }
        ::close(fd);
    }
    ~file_map() {
        if (data_ != nullptr) ::munmap(data_, size_);
    }
    file_map(const file_map&) = delete;
    file_map& operator=(const file_map&) = delete;
    unsigned char* data() const { return data_; }
    detail::header& header() const { return *reinterpret_cast<detail::header*>(data_); }
    detail::process_slot& process(std::uint32_t i) const {
        return *reinterpret_cast<detail::process_slot*>(data_ + header().processes_offset +
                                                        std::uint64_t{i} * header().process_slot_size);
    }
    detail::channel_slot& channel_at(std::uint32_t i) const {
        return *reinterpret_cast<detail::channel_slot*>(data_ + header().channels_offset +
                                                        std::uint64_t{i} * header().slot_size);
    }

private:
    unsigned char* data_ = nullptr;
    std::size_t size_ = 0;
};

void write_file(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
}

bool in_dev_shm(const std::string& path) {
    struct stat st {};
    return ::lstat(("/dev/shm" + path).c_str(), &st) == 0;
}

template <class F>
errc code_of(F f) {
    try {
        f();
    } catch (const error& e) {
        return e.code();
    }
    FAIL("no counters::error thrown");
    return errc::system;
}

template <class F>
std::string message_of(F f) {
    try {
        f();
    } catch (const error& e) {
        return e.what();
    }
    return {};
}

int reap(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

} // namespace

TEST_CASE("a section named by an absolute path lives in that file", "[files]") {
    temp_dir dir;
    const std::string path = dir / "sec";
    CHECK_FALSE(section_exists(path));
    CHECK(create_section(path));
    CHECK(section_exists(path));
    CHECK_FALSE(in_dev_shm(path));
    struct stat st {};
    REQUIRE(::lstat(path.c_str(), &st) == 0);
    CHECK(S_ISREG(st.st_mode));
    CHECK((st.st_mode & 07777) == default_mode);
    CHECK_FALSE(create_section(path)); // a healthy one is left alone
    {
        section s(path);
        channel a = s.get("tcp_local"), b = s.get("l");
        enqueued(a, b, 2, 3000);
        dequeued(b, 2, 3000, 5, true);
        association_opened(a, direction::inbound);
    }
    snapshot snap = read_snapshot(path);
    CHECK(snap.section.name == path);
    REQUIRE(snap.channels.size() == 2);
    CHECK(snap.find("tcp_local")->get(counter::submitted_messages) == 1);
    CHECK(snap.find("l")->get(counter::received_recipients) == 2);
    CHECK(snap.find("l")->get(counter::delivered_messages) == 1);
    clear_section(path);
    snap = read_snapshot(path);
    CHECK(snap.find("l")->get(counter::received_recipients) == 0);
    CHECK(snap.section.clear_count == 1);
    delete_section(path);
    CHECK_FALSE(section_exists(path));
    CHECK(::lstat(path.c_str(), &st) != 0);
    CHECK(code_of([&] { read_snapshot(path); }) == errc::not_found);
}

TEST_CASE("a file-backed section keeps its numbers once every process has gone", "[files]") {
    temp_dir dir;
    const std::string path = dir / "persist";
    for (int round = 1; round <= 3; ++round) {
        const pid_t w = spawn_child([&] {
            section s(path);
            channel c = s.get("tcp_intranet");
            for (int i = 0; i < 10; ++i) enqueued(c, c, 1, 1024);
            return 0;
        });
        REQUIRE(reap(w) == 0);
        // Nobody has it mapped: the numbers are in the file itself. A byte-for-byte copy,
        // made as a backup would be (or read after a reboot), has them.
        const std::string copy = dir / ("copy" + std::to_string(round));
        std::filesystem::copy_file(path, copy);
        const snapshot snap = read_snapshot(copy);
        REQUIRE(snap.find("tcp_intranet") != nullptr);
        CHECK(snap.find("tcp_intranet")->get(counter::received_messages) == std::int64_t{10} * round);
        CHECK(snap.find("tcp_intranet")->get(counter::submitted_blocks) == std::int64_t{10} * round);
    }
}

TEST_CASE("a registry named by an absolute path lives in that file", "[files][registry]") {
    temp_dir dir;
    const std::string path = dir / "counter";
    {
        registry reg(path);
        service_stats imap(reg, "imapstat");
        imap.accepted();
        imap.login_ok();
    }
    CHECK(registry_exists(path));
    CHECK_FALSE(in_dev_shm(path));
    const std::string copy = dir / "copy";
    std::filesystem::copy_file(path, copy);
    registry_snapshot snap = read_registry(copy);
    REQUIRE(snap.find("imapstat") != nullptr);
    CHECK(snap.find("imapstat")->find("global")->find("numGoodLogins")->number == 1);
    CHECK(reset_registry_counter(path, "imapstat", "global.numGoodLogins") == 1);
    CHECK(read_registry(path).find("imapstat")->find("global")->find("numGoodLogins")->number == 0);
    CHECK(delete_registry(path));
    CHECK_FALSE(registry_exists(path));
}

TEST_CASE("file names: absolute paths with clean components", "[files][names]") {
    CHECK_NOTHROW(validate_section_name("/var/lib/counters/section"));
    CHECK_NOTHROW(validate_registry_name("/x"));
    const std::string c255(255, 'c');
    const std::string longest = "/" + c255 + "/" + c255 + "/" + c255 + "/" + std::string(1024 - 4 - 3 * 255, 'd');
    REQUIRE(longest.size() == 1024);
    CHECK_NOTHROW(validate_section_name(longest));
    CHECK(code_of([&] { validate_section_name(longest + "d"); }) == errc::invalid_argument);
    for (const std::string& bad : std::vector<std::string>{"/", "/a//b", "/a/", "/a/./b", "/a/../b", std::string("/a/\001b"),
                                  "/" + std::string(256, 'a'), "/" + std::string(1024, 'a')}) {
        INFO(bad);
        CHECK(code_of([&] { validate_section_name(bad); }) == errc::invalid_argument);
        CHECK(code_of([&] { validate_registry_name(bad); }) == errc::invalid_argument);
        CHECK(code_of([&] { create_section(bad); }) == errc::invalid_argument);
    }
    CHECK(message_of([] { validate_section_name("/a//b"); }).find("path has an empty component") != std::string::npos);
    // Plain names keep their rules: a relative path is not a name.
    CHECK(code_of([] { validate_section_name("a/b"); }) == errc::invalid_argument);
}

TEST_CASE("a file-backed section whose directory is missing says so", "[files][hostile]") {
    temp_dir dir;
    const std::string path = dir / "missing/sec";
    const std::string m = message_of([&] { create_section(path); });
    CHECK(m == "section \"" + path + "\": cannot create: its directory " + dir.path() +
                   "/missing cannot be used: No such file or directory");
    CHECK(code_of([&] { section s(path); }) == errc::not_found);
    CHECK(message_of([&] { read_snapshot(path); }).find("does not exist: its directory") != std::string::npos);
    write_file(dir / "file", "x");
    CHECK(message_of([&] { create_section(dir / "file/sec"); }).find("is not a directory") != std::string::npos);
}

TEST_CASE("hostile objects at a section's path", "[files][hostile]") {
    temp_dir dir;
    SECTION("a symbolic link is neither followed nor removed") {
        const std::string target = dir / "target", link = dir / "link";
        REQUIRE(create_section(target));
        REQUIRE(::symlink(target.c_str(), link.c_str()) == 0);
        CHECK(code_of([&] { section s(link); }) == errc::permission);
        CHECK(message_of([&] { read_snapshot(link); }).find("symbolic link") != std::string::npos);
        CHECK(code_of([&] { create_section(link); }) == errc::permission);
        CHECK(code_of([&] { delete_section(link); }) == errc::permission);
        struct stat st {};
        CHECK(::lstat(link.c_str(), &st) == 0);
        // A dangling link where the section would be created is not followed either.
        const std::string dangling = dir / "dangling";
        REQUIRE(::symlink((dir / "elsewhere").c_str(), dangling.c_str()) == 0);
        CHECK_THROWS_AS(section(dangling), error);
        CHECK(::lstat((dir / "elsewhere").c_str(), &st) != 0);
    }
    SECTION("a directory") {
        const std::string d = dir / "d";
        REQUIRE(::mkdir(d.c_str(), 0700) == 0);
        CHECK(code_of([&] { read_snapshot(d); }) == errc::foreign);
        CHECK(message_of([&] { section s(d); }).find("is a directory, not a regular file") != std::string::npos);
    }
    SECTION("a FIFO does not block") {
        const std::string f = dir / "fifo";
        REQUIRE(::mkfifo(f.c_str(), 0600) == 0);
        CHECK(code_of([&] { read_snapshot(f); }) == errc::foreign);
        CHECK(code_of([&] { section s(f); }) == errc::foreign);
        delete_section(f); // nobody can be attached to it: unlinked
        struct stat st {};
        CHECK(::lstat(f.c_str(), &st) != 0);
    }
    SECTION("a truncated section") {
        const std::string full = dir / "full", cut = dir / "cut";
        REQUIRE(create_section(full));
        std::filesystem::copy_file(full, cut);
        std::filesystem::resize_file(cut, 300);
        CHECK(code_of([&] { read_snapshot(cut); }) == errc::corrupt);
        CHECK(code_of([&] { section s(cut); }) == errc::corrupt);
    }
    SECTION("a foreign file") {
        const std::string f = dir / "foreign";
        write_file(f, std::string(8192, 'x'));
        CHECK(code_of([&] { read_snapshot(f); }) == errc::foreign);
        CHECK(code_of([&] { section s(f); }) == errc::foreign);
        CHECK(code_of([&] { read_registry(f); }) == errc::foreign);
    }
    SECTION("an older or newer version") {
        const std::string f = dir / "newer";
        REQUIRE(create_section(f));
        {
            file_map m(f);
            REQUIRE(m.data() != nullptr);
            m.header().major = static_cast<std::uint16_t>(m.header().major + 1);
        }
        CHECK(code_of([&] { read_snapshot(f); }) == errc::version);
    }
    SECTION("a writer refuses a world-writable file of another user") {
        const std::string f = dir / "planted";
        REQUIRE(create_section(f));
        if (::geteuid() != 0) return; // needs root to give the file away
        REQUIRE(::chown(f.c_str(), 65534, 65534) == 0);
        REQUIRE(::chmod(f.c_str(), 0666) == 0);
        CHECK(message_of([&] { section s(f); }).find("refusing to write") != std::string::npos);
        CHECK_NOTHROW(read_snapshot(f)); // readers read it (and say it is not trusted)
        CHECK_FALSE(read_snapshot(f).section.distrust.empty());
    }
}

TEST_CASE("a file left half-made by a creator that is gone is made again", "[files][orphan]") {
    temp_dir dir;
    const std::string path = dir / "half";
    SECTION("empty") { write_file(path, ""); }
    SECTION("zeros: state still initialising") { write_file(path, std::string(65536, '\0')); }
    SECTION("its magic half-written") {
        std::string image(65536, '\0');
        image.replace(0, 4, std::string(detail::section_magic, 4));
        write_file(path, image);
    }
    ::chmod(path.c_str(), 0660);
    const auto t0 = std::chrono::steady_clock::now();
    {
        section s(path);
        enqueued(s.get("a"), s.get("a"), 1, 1);
    }
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(1500));
    CHECK(read_snapshot(path).find("a")->get(counter::received_messages) == 1);
}

TEST_CASE("a half-made file whose creator is alive is not taken over", "[files][orphan]") {
    temp_dir dir;
    const std::string path = dir / "busy";
    write_file(path, std::string(65536, '\0'));
    ::chmod(path.c_str(), 0660);
    // The creator's lock, held by "another creator" (a descriptor of our own here).
    const int fd = ::open(path.c_str(), O_RDONLY);
    REQUIRE(fd >= 0);
    REQUIRE(::flock(fd, LOCK_EX) == 0);
    CHECK(code_of([&] { section s(path); }) == errc::not_ready);
    struct stat st {};
    CHECK(::stat(path.c_str(), &st) == 0); // still there
    ::close(fd); // the creator is gone now
    CHECK_NOTHROW(section(path));
}

TEST_CASE("after a reboot the pids a file-backed section holds are dead", "[files][reboot]") {
    temp_dir dir;
    const std::string path = dir / "rebooted";
    REQUIRE(create_section(path));
    {
        section s(path);
        s.get("tcp_local");
    }
    // What a previous boot leaves: slots and claims of processes whose pids are now used by
    // other processes, started at other times (here our own pid and init's).
    const pid_t me = ::getpid();
    const std::int64_t my_ticks = start_ticks(me), init_ticks = start_ticks(1);
    REQUIRE(my_ticks >= 0);
    {
        file_map m(path);
        REQUIRE(m.data() != nullptr);
        detail::process_slot& mine_before = m.process(0);
        mine_before.start_ticks.store(my_ticks + 12345);
        mine_before.entry[0].channel_plus1.store(1);
        mine_before.entry[0].current_in.store(7);
        mine_before.owner.store(static_cast<std::uint64_t>(me));
        detail::process_slot& inits_before = m.process(1);
        inits_before.start_ticks.store(init_ticks + 777);
        inits_before.entry[0].channel_plus1.store(1);
        inits_before.entry[0].current_out.store(5);
        inits_before.owner.store(1);
        // A registration in progress when the machine went down.
        detail::channel_slot& c = m.channel_at(1);
        c.claim.store(detail::shm::claim_word(1, init_ticks + 99));
    }
    // Readers count neither share.
    snapshot snap = read_snapshot(path);
    REQUIRE(snap.find("tcp_local") != nullptr);
    CHECK(snap.find("tcp_local")->current_in == 0);
    CHECK(snap.find("tcp_local")->current_out == 0);
    // A writer with the same pid as the dead owner does not take the slot for its own: it
    // reaps it. The stale claim does not hold up a registration.
    const auto t0 = std::chrono::steady_clock::now();
    {
        section s(path);
        channel c = s.get("tcp_intranet");
        association_opened(c, direction::inbound);
        association_closed(c, direction::inbound);
    }
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(1000));
    snap = read_snapshot(path);
    CHECK(snap.find("tcp_intranet") != nullptr);
    file_map m(path);
    REQUIRE(m.data() != nullptr);
    // Slot 0 was reaped and is now ours (or free again after our clean detach).
    CHECK(m.process(0).start_ticks.load() != my_ticks + 12345);
    CHECK((m.process(0).owner.load() == 0 || m.process(0).start_ticks.load() == my_ticks));
}

// SPDX-License-Identifier: MIT
// The channel name index (section format 1.1): names found and registered through it, a
// 1.0 section without one still works, a corrupt index never misleads a writer, and
// concurrent registrants still never make a duplicate row.
#include "catch.hpp"
#include "section/layout.hpp" // private: to read and damage the index on purpose
#include "support.hpp"

#include <counters/counters.hpp>

#include <fcntl.h>
#include <set>
#include <string>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace counters;
using testing_support::temp_section;

namespace {

/// The whole segment of section @p name, mapped read-write.
class raw_map {
public:
    explicit raw_map(const std::string& name) {
        const int fd = ::shm_open(("/" + name).c_str(), O_RDWR, 0);
        REQUIRE(fd >= 0);
        size_ = static_cast<std::size_t>(::lseek(fd, 0, SEEK_END));
        p_ = ::mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        ::close(fd);
        REQUIRE(p_ != MAP_FAILED);
    }
    ~raw_map() { ::munmap(p_, size_); }
    raw_map(const raw_map&) = delete;
    raw_map& operator=(const raw_map&) = delete;
    detail::header& h() const { return *static_cast<detail::header*>(p_); }
    detail::au32* buckets() const {
        return reinterpret_cast<detail::au32*>(static_cast<unsigned char*>(p_) + h().index_offset);
    }

private:
    void* p_ = nullptr;
    std::size_t size_ = 0;
};

std::size_t indexed(const raw_map& m) {
    std::size_t n = 0;
    for (std::uint32_t b = 0; b < m.h().index_buckets; ++b)
        if (m.buckets()[b].load() != 0) ++n;
    return n;
}

std::set<std::string> names_of(const snapshot& s) {
    std::set<std::string> out;
    for (const auto& c : s.channels) out.insert(c.name);
    return out;
}

} // namespace

TEST_CASE("a new section has a name index that every registration enters", "[index]") {
    temp_section t;
    create_options o;
    o.max_channels = 600;
    section sec(t.name(), o);
    for (int i = 0; i < 500; ++i) sec.get("ch" + std::to_string(i));
    raw_map m(t.name());
    CHECK(m.h().minor == 1);
    CHECK(m.h().index_buckets == 2048); // a power of two, at least twice max_channels
    CHECK(m.h().indexed_upto.load() == 500);
    CHECK(indexed(m) == 500);
    // A second process (a new section object) finds every name without registering again.
    section other(t.name());
    for (int i = 0; i < 500; ++i) other.get("ch" + std::to_string(i));
    CHECK(read_snapshot(t.name()).channels.size() == 500);
}

TEST_CASE("a 1.0 section without an index is still read and written", "[index]") {
    temp_section t;
    create_section(t.name());
    {
        raw_map m(t.name());
        m.h().minor = 0;
        m.h().index_offset = 0;
        m.h().index_buckets = 0;
    }
    section a(t.name()), b(t.name());
    for (int i = 0; i < 50; ++i) {
        enqueued(a.get("x" + std::to_string(i)), a.get("y"), 1, 100);
        enqueued(b.get("x" + std::to_string(i)), b.get("y"), 1, 100);
    }
    const snapshot s = read_snapshot(t.name());
    CHECK(s.section.version_minor == 0);
    CHECK(s.channels.size() == 51);
    CHECK(names_of(s).size() == 51);
}

TEST_CASE("garbage in the name index never misleads a writer", "[index][hostile]") {
    temp_section t;
    create_options o;
    o.max_channels = 64;
    {
        section sec(t.name(), o);
        for (int i = 0; i < 10; ++i) sec.get("c" + std::to_string(i));
    }
    {
        raw_map m(t.name());
        // Slot numbers out of range, and every bucket pointing at slot 0 ("c0").
        for (std::uint32_t b = 0; b < m.h().index_buckets; ++b)
            m.buckets()[b].store(b % 2 == 0 ? 0xfffffff0u : 1u);
    }
    section sec(t.name());
    CHECK(sec.get("c3").recording());
    CHECK(sec.get("new").recording());
    enqueued(sec.get("c3"), sec.get("new"), 1, 1);
    const snapshot s = read_snapshot(t.name());
    CHECK(s.channels.size() == 11); // c3 found again, not registered twice; "new" added
    CHECK(names_of(s).size() == 11);
}

TEST_CASE("processes registering the same new names at once make one row each", "[index][multiprocess]") {
    temp_section t;
    create_options o;
    o.max_channels = 4096;
    create_section(t.name(), o);
    constexpr int procs = 4, names = 1000;
    std::vector<pid_t> kids;
    for (int p = 0; p < procs; ++p) {
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            int rc = 0;
            try {
                section sec(t.name());
                // Each child walks the names from another starting point.
                for (int i = 0; i < names; ++i) {
                    channel c = sec.get("n" + std::to_string((i + p * 250) % names));
                    if (!c.recording()) rc = 1;
                    enqueued(c, c, 1, 1);
                }
            } catch (...) {
                rc = 2;
            }
            ::_exit(rc);
        }
        kids.push_back(pid);
    }
    for (pid_t k : kids) {
        int status = 0;
        REQUIRE(::waitpid(k, &status, 0) == k);
        CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
    }
    const snapshot s = read_snapshot(t.name());
    CHECK(s.channels.size() == static_cast<std::size_t>(names));
    CHECK(names_of(s).size() == static_cast<std::size_t>(names));
    for (const auto& c : s.channels) CHECK(c.get(counter::received_messages) == procs);
}

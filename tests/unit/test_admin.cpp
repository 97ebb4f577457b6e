// SPDX-License-Identifier: MIT
// Unit tests of counters/admin.hpp: reset_stored, and the create/clear/delete/exists
// behaviour that test_section.cpp (recording, clear in place, delete and re-attach) does not
// already check. Public API only; every section has a unique name and is removed at the end.
#include "catch.hpp"
#include "support.hpp"

#include <counters/counters.hpp>

#include <cstdlib>
#include <fcntl.h>
#include <map>
#include <string>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

using namespace counters;
using testing_support::temp_section;

namespace {


bool has(const snapshot& s, const std::string& name) {
    for (const auto& c : s.channels)
        if (c.name == name) return true;
    return false;
}

/// The three Stored figures of @p c, and their minimums.
struct stored_row {
    std::int64_t messages, recipients, blocks;
    std::int64_t min_messages, min_recipients, min_blocks;
};

stored_row stored_of(const channel_values& c) {
    return {c.get(counter::stored_messages), c.get(counter::stored_recipients), c.get(counter::stored_blocks),
            c.min(counter::stored_messages), c.min(counter::stored_recipients), c.min(counter::stored_blocks)};
}

/// The error code thrown by @p f, or nothing when it does not throw a counters::error.
template <typename F>
errc code_of(F f) {
    try {
        f();
    } catch (const error& e) {
        return e.code();
    }
    FAIL("no counters::error thrown");
    throw 0;
}

/// A segment of junk (not a section) under @p name; the temp_section owning the name
/// removes it.
void make_foreign(const std::string& name) {
    const int fd = ::shm_open(("/" + name).c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
    REQUIRE(fd >= 0);
    const std::vector<char> junk(4096, 'j');
    const bool written = ::write(fd, junk.data(), junk.size()) == static_cast<ssize_t>(junk.size());
    ::close(fd);
    REQUIRE(written);
}

/// Sets an environment variable for the lifetime of the object.
class scoped_env {
public:
    scoped_env(const char* var, const std::string& value) : var_(var) { ::setenv(var, value.c_str(), 1); }
    ~scoped_env() { ::unsetenv(var_); }
    scoped_env(const scoped_env&) = delete;
    scoped_env& operator=(const scoped_env&) = delete;

private:
    const char* var_;
};

} // namespace

// --- reset_stored ---------------------------------------------------------------------------

TEST_CASE("reset_stored sets each named channel and zeroes the other registered ones", "[admin]") {
    temp_section t("adm");
    section sec(t.name());
    channel in = sec.get("tcp_local"), a = sec.get("ims-ms"), b = sec.get("tcp_intranet"), c = sec.get("l");
    for (int i = 0; i < 4; ++i) {
        enqueued(in, a, 2, 3000);
        enqueued(in, b, 1, 100);
        enqueued(in, c, 1, 1);
    }
    reset_stored(t.name(), {{"ims-ms", {7, 11, 13}}, {"tcp_intranet", {1, 2, 3}}});
    const snapshot s = read_snapshot(t.name());
    REQUIRE(s.channels.size() == 4);
    const stored_row ra = stored_of(testing_support::channel_of(s, "ims-ms"));
    CHECK(ra.messages == 7);
    CHECK(ra.recipients == 11);
    CHECK(ra.blocks == 13);
    const stored_row rb = stored_of(testing_support::channel_of(s, "tcp_intranet"));
    CHECK(rb.messages == 1);
    CHECK(rb.recipients == 2);
    CHECK(rb.blocks == 3);
    // Registered but not named: zero, as are the channels that never had anything queued.
    for (const char* name : {"l", "tcp_local"}) {
        const stored_row r = stored_of(testing_support::channel_of(s, name));
        CHECK(r.messages == 0);
        CHECK(r.recipients == 0);
        CHECK(r.blocks == 0);
    }
    // Only Stored changes: the other rows keep what was recorded.
    CHECK(testing_support::channel_of(s, "ims-ms").get(counter::received_messages) == 4);
    CHECK(testing_support::channel_of(s, "l").get(counter::received_messages) == 4);
    CHECK(testing_support::channel_of(s, "tcp_local").get(counter::submitted_messages) == 12);
    // The writer's handles still record on top of the reset values.
    enqueued(in, a, 1, 1);
    CHECK(testing_support::channel_of(read_snapshot(t.name()), "ims-ms").get(counter::stored_messages) == 8);
}

TEST_CASE("reset_stored registers the channels it names that are not yet registered", "[admin]") {
    temp_section t("adm");
    {
        section sec(t.name());
        channel a = sec.get("tcp_local");
        enqueued(a, a, 1, 1);
    }
    reset_stored(t.name(), {{"conversion", {2, 4, 6}}, {"tcp_local", {1, 1, 1}}});
    const snapshot s = read_snapshot(t.name());
    CHECK(s.section.channels == 2);
    REQUIRE(has(s, "conversion"));
    const stored_row r = stored_of(testing_support::channel_of(s, "conversion"));
    CHECK(r.messages == 2);
    CHECK(r.recipients == 4);
    CHECK(r.blocks == 6);
    CHECK(testing_support::channel_of(s, "conversion").get(counter::received_messages) == 0);
    // A second reset finds it registered: no duplicate row.
    reset_stored(t.name(), {{"conversion", {3, 3, 3}}});
    const snapshot again = read_snapshot(t.name());
    CHECK(again.section.channels == 2);
    CHECK(testing_support::channel_of(again, "conversion").get(counter::stored_messages) == 3);
    CHECK(testing_support::channel_of(again, "tcp_local").get(counter::stored_messages) == 0);
}

// Issue 11 item 4: the queue held 47 messages, Stored had drifted to a minimum of -5, and
// after the reset -absolute said 52. A reset re-bases the minimums.
TEST_CASE("reset_stored re-bases the minimums: -absolute is the value set", "[admin]") {
    temp_section t("adm");
    section sec(t.name());
    channel a = sec.get("a"), b = sec.get("b");
    for (int i = 0; i < 5; ++i) enqueued(a, b, 1, 1024);
    clear_section(t.name());
    for (int i = 0; i < 5; ++i) dequeued(b, 2, 2048, 1, false); // Stored -5/-10/-10, minimums the same
    {
        const stored_row r = stored_of(testing_support::channel_of(read_snapshot(t.name()), "b"));
        REQUIRE(r.messages == -5);
        REQUIRE(r.min_messages == -5);
        REQUIRE(r.min_blocks == -10);
    }
    reset_stored(t.name(), {{"b", {47, 60, 90}}});
    snapshot s = read_snapshot(t.name());
    stored_row r = stored_of(testing_support::channel_of(s, "b"));
    CHECK(r.messages == 47);
    CHECK(r.min_messages == 0);
    CHECK(r.min_recipients == 0);
    CHECK(r.min_blocks == 0);
    const channel_values& cb = testing_support::channel_of(s, "b");
    CHECK(cb.absolute(counter::stored_messages) == 47);
    CHECK(cb.absolute(counter::stored_recipients) == 60);
    CHECK(cb.absolute(counter::stored_blocks) == 90);
    // The other rows keep their minimums (Delivered never went below 0 here anyway).
    CHECK(cb.get(counter::delivered_messages) == 5);
    // Recording goes on from the new base: drained below it, the minimum follows again.
    for (int i = 0; i < 50; ++i) dequeued(b, 1, 1, 1, false);
    r = stored_of(testing_support::channel_of(read_snapshot(t.name()), "b"));
    CHECK(r.messages == -3);
    CHECK(r.min_messages == -3);
    // A negative value (an API caller's, never a tree's) is its own minimum, each of the
    // three on its own: absolute 0, as right after a clear.
    reset_stored(t.name(), {{"b", {-7, 1, -4}}});
    s = read_snapshot(t.name());
    r = stored_of(testing_support::channel_of(s, "b"));
    CHECK(r.messages == -7);
    CHECK(r.min_messages == -7);
    CHECK(r.recipients == 1);
    CHECK(r.min_recipients == 0);
    CHECK(r.blocks == -4);
    CHECK(r.min_blocks == -4);
    CHECK(testing_support::channel_of(s, "b").absolute(counter::stored_messages) == 0);
    // A channel zeroed because it is not named: minimum 0.
    const stored_row ra = stored_of(testing_support::channel_of(s, "a"));
    CHECK(ra.messages == 0);
    CHECK(ra.min_messages == 0);
}

// libcounters(3): reset_stored attaches as a writer, so a missing section is created (with
// the default options) rather than reported as not_found; qm relies on this when it resets
// Stored from a queue tree before the MTA has run.
TEST_CASE("reset_stored on a missing section creates it with the named channels", "[admin]") {
    temp_section t("adm");
    REQUIRE_FALSE(section_exists(t.name()));
    reset_stored(t.name(), {{"tcp_local", {1, 2, 3}}});
    CHECK(section_exists(t.name()));
    const snapshot s = read_snapshot(t.name());
    CHECK(s.section.max_channels == default_max_channels);
    CHECK(s.section.block_size == default_block_size);
    REQUIRE(s.channels.size() == 1);
    CHECK(s.channels[0].get(counter::stored_recipients) == 2);
}

TEST_CASE("reset_stored refuses bad names and sections that are not valid", "[admin]") {
    CHECK(code_of([] { reset_stored("bad/name", {}); }) == errc::invalid_argument);
    temp_section t("adm");
    CHECK(code_of([&] { reset_stored(t.name(), {{"bad name", {1, 1, 1}}}); }) == errc::invalid_argument);
    CHECK(read_snapshot(t.name()).channels.empty()); // nothing registered, nothing set
    temp_section foreign("adm");
    make_foreign(foreign.name());
    CHECK(code_of([&] { reset_stored(foreign.name(), {{"a", {1, 1, 1}}}); }) == errc::foreign);
    CHECK(section_exists(foreign.name())); // left as it was
}

// --- create_section / clear_section / delete_section / section_exists ------------------------

TEST_CASE("create_section makes an empty, ready section with the default options", "[admin]") {
    temp_section t("adm");
    CHECK_FALSE(section_exists(t.name()));
    CHECK(create_section(t.name()));
    CHECK(section_exists(t.name()));
    const snapshot s = read_snapshot(t.name());
    CHECK(s.section.name == t.name());
    CHECK(s.channels.empty());
    CHECK(s.section.channels == 0);
    CHECK(s.section.max_channels == default_max_channels);
    CHECK(s.section.block_size == default_block_size);
    CHECK(s.section.created > 0);
    CHECK(s.section.cleared == 0);
    CHECK(s.section.clear_count == 0);
    CHECK(s.section.overflow == 0);
}

TEST_CASE("clear_section of the channels keeps the association counters", "[admin]") {
    temp_section t("adm");
    section sec(t.name());
    channel a = sec.get("a");
    enqueued(a, a, 2, 2048);
    association_opened(a, direction::inbound);
    association_opened(a, direction::outbound);
    association_failed(a);
    clear_section(t.name(), clear_what::channels);
    const snapshot s = read_snapshot(t.name());
    const channel_values& v = testing_support::channel_of(s, "a");
    CHECK(v.get(counter::received_messages) == 0);
    CHECK(v.get(counter::submitted_recipients) == 0);
    CHECK(v.get(counter::stored_blocks) == 0);
    CHECK(v.get(counter::in_assocs) == 1);
    CHECK(v.get(counter::out_assocs) == 1);
    CHECK(v.get(counter::out_assocs_failed) == 1);
    CHECK(v.last_in > 0);
    CHECK(v.current_in == 1);
    CHECK(s.section.clear_count == 1);
}

TEST_CASE("every clear_section bumps the clear count and stamps the clear time", "[admin]") {
    temp_section t("adm");
    CHECK(create_section(t.name()));
    clear_section(t.name());
    clear_section(t.name(), clear_what::associations);
    clear_section(t.name(), clear_what::channels);
    const snapshot s = read_snapshot(t.name());
    CHECK(s.section.clear_count == 3);
    CHECK(s.section.cleared >= s.section.created);
    CHECK(s.channels.empty()); // clearing registers nothing
}

TEST_CASE("clear_section and delete_section of a missing section are not_found", "[admin]") {
    temp_section t("adm");
    CHECK(code_of([&] { clear_section(t.name()); }) == errc::not_found);
    CHECK(code_of([&] { delete_section(t.name()); }) == errc::not_found);
    CHECK_THROWS_WITH(clear_section(t.name()), Catch::Contains(t.name()));
    CHECK_FALSE(section_exists(t.name())); // neither call created it
    // Deleting twice: the second one finds nothing.
    CHECK(create_section(t.name()));
    delete_section(t.name());
    CHECK(code_of([&] { delete_section(t.name()); }) == errc::not_found);
}

TEST_CASE("section_exists sees any segment of that name, valid or not, and checks the name", "[admin]") {
    temp_section t("adm");
    CHECK_FALSE(section_exists(t.name()));
    make_foreign(t.name());
    CHECK(section_exists(t.name()));
    CHECK(code_of([&] { clear_section(t.name()); }) == errc::foreign);
    delete_section(t.name()); // an operator can remove what is not a section
    CHECK_FALSE(section_exists(t.name()));
    CHECK(code_of([] { section_exists("bad/name"); }) == errc::invalid_argument);
    CHECK(code_of([] { section_exists(".hidden"); }) == errc::invalid_argument);
}

TEST_CASE("admin calls with an empty name use COUNTERS_SECTION", "[admin]") {
    temp_section t("adm");
    const scoped_env env(section_env, t.name());
    CHECK(create_section(""));
    CHECK(section_exists(t.name()));
    CHECK(section_exists(""));
    reset_stored("", {{"a", {1, 1, 1}}});
    CHECK(testing_support::channel_of(read_snapshot(t.name()), "a").get(counter::stored_messages) == 1);
    clear_section("");
    CHECK(read_snapshot(t.name()).section.clear_count == 1);
    delete_section("");
    CHECK_FALSE(section_exists(t.name()));
}

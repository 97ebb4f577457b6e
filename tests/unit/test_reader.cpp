// SPDX-License-Identifier: MIT
// section_reader: the channels one at a time, exactly as read_snapshot() gives them, with its
// channel set fixed when opened, its errors, and a section deleted or re-created meanwhile.
#include "catch.hpp"
#include "support.hpp"

#include "section/layout.hpp" // private: to plant a registration in progress and a bad name

#include <counters/counters.hpp>

#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <string>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

using namespace counters;
using testing_support::temp_section;

namespace {

/// Every channel the reader gives, in slot order.
std::vector<channel_values> read_all(const section_reader& r) {
    std::vector<channel_values> out;
    channel_values c;
    for (std::uint32_t slot = 0; slot < r.slot_count(); ++slot)
        if (r.read_channel(slot, c)) out.push_back(c);
    return out;
}

void check_same(const channel_values& a, const channel_values& b) {
    CHECK(a.name == b.name);
    CHECK(a.value == b.value);
    CHECK(a.minimum == b.minimum);
    CHECK(a.current_in == b.current_in);
    CHECK(a.current_out == b.current_out);
    CHECK(a.last_in == b.last_in);
    CHECK(a.last_out == b.last_out);
    CHECK(a.slot == b.slot);
}

/// The section's segment mapped read-write, to plant what no writer would write.
class raw_mapping {
public:
    explicit raw_mapping(const std::string& name) {
        fd_ = ::shm_open(("/" + name).c_str(), O_RDWR, 0);
        REQUIRE(fd_ >= 0);
        struct stat st {};
        REQUIRE(::fstat(fd_, &st) == 0);
        size_ = static_cast<std::size_t>(st.st_size);
        p_ = ::mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
        REQUIRE(p_ != MAP_FAILED);
    }
    ~raw_mapping() {
        ::munmap(p_, size_);
        ::close(fd_);
    }
    raw_mapping(const raw_mapping&) = delete;
    raw_mapping& operator=(const raw_mapping&) = delete;
    detail::channel_slot& slot(std::uint32_t i) const {
        auto* h = static_cast<detail::header*>(p_);
        return *reinterpret_cast<detail::channel_slot*>(static_cast<char*>(p_) + h->channels_offset +
                                                        std::uint64_t{i} * h->slot_size);
    }

private:
    int fd_ = -1;
    std::size_t size_ = 0;
    void* p_ = nullptr;
};

} // namespace

TEST_CASE("a section_reader reads every channel as read_snapshot does", "[reader]") {
    temp_section t("reader");
    section sec(t.name());
    const channel a = sec.get("tcp_local"), b = sec.get("ims-ms"), c = sec.get("odd.name-3");
    for (int i = 0; i < 7; ++i) enqueued(a, b, 3, 20000);
    dequeued(b, 2, 1000, 5, true);
    deferred(a, 1, 10);
    rejected(c, 4, 4096);
    association_opened(a, direction::inbound);
    association_opened(a, direction::inbound);
    association_opened(b, direction::outbound);
    association_rejected(c);
    clear_section(t.name(), clear_what::channels); // minimums below zero after the next dequeues
    dequeued(b, 1, 100, 1, false);

    const snapshot s = read_snapshot(t.name());
    const section_reader r(t.name());
    CHECK(r.info().name == s.section.name);
    CHECK(r.info().channels == 3);
    CHECK(r.info().max_channels == s.section.max_channels);
    CHECK(r.info().block_size == s.section.block_size);
    CHECK(r.info().instance_id == s.section.instance_id);
    CHECK(r.info().clear_count == 1);
    CHECK(r.info().size == s.section.size);
    CHECK(r.info().distrust == s.section.distrust);
    CHECK(r.slot_count() == 3);
    const std::vector<channel_values> got = read_all(r);
    REQUIRE(got.size() == s.channels.size());
    for (std::size_t i = 0; i < got.size(); ++i) check_same(got[i], s.channels[i]);
    CHECK(got[0].current_in == 2);
    CHECK(got[1].current_out == 1);
    CHECK(got[1].min(counter::stored_messages) < 0);
}

TEST_CASE("a section_reader reads each channel when asked, and sees only the channels there when it opened",
          "[reader]") {
    temp_section t("reader");
    section sec(t.name());
    const channel a = sec.get("a");
    enqueued(a, a, 1, 1);
    const section_reader r(t.name());
    channel_values v;
    REQUIRE(r.read_channel(0, v));
    CHECK(v.get(counter::received_messages) == 1);
    enqueued(a, a, 1, 1);
    REQUIRE(r.read_channel(0, v));
    CHECK(v.get(counter::received_messages) == 2);
    (void)sec.get("b"); // registered after the reader opened: not one of its channels
    CHECK(r.slot_count() == 1);
    CHECK(r.info().channels == 1);
    CHECK_THROWS_AS(r.read_channel(1, v), std::out_of_range);
    CHECK(section_reader(t.name()).slot_count() == 2);
}

TEST_CASE("a section_reader skips a slot being registered when it opened, for its whole life", "[reader]") {
    temp_section t("reader");
    section sec(t.name());
    const channel a = sec.get("aa"), b = sec.get("bb"), c = sec.get("cc");
    association_opened(c, direction::inbound);
    association_opened(a, direction::outbound);
    raw_mapping m(t.name());
    const std::uint64_t ready = m.slot(1).claim.load();
    m.slot(1).claim.store((std::uint64_t{0x7ffffff0} << 32) | 1u); // a registration in progress
    const section_reader r(t.name());
    m.slot(1).claim.store(ready); // published meanwhile: still not one of the reader's channels
    CHECK(r.info().channels == 2);
    CHECK(r.slot_count() == 3);
    channel_values v;
    v.name = "untouched";
    CHECK_FALSE(r.read_channel(1, v));
    CHECK(v.name == "untouched");
    const std::vector<channel_values> got = read_all(r);
    REQUIRE(got.size() == 2);
    CHECK(got[0].name == "aa");
    CHECK(got[0].current_out == 1);
    CHECK(got[1].name == "cc");
    CHECK(got[1].slot == 2);
    CHECK(got[1].current_in == 1);
    CHECK(got[1].current_out == 0);
    (void)b;
}

TEST_CASE("a section_reader refuses what read_snapshot refuses", "[reader]") {
    temp_section t("reader");
    try {
        const section_reader r(t.name());
        FAIL("no error");
    } catch (const error& e) {
        CHECK(e.code() == errc::not_found);
        CHECK(std::string(e.what()).find(t.name()) != std::string::npos);
    }
    CHECK_THROWS_AS(section_reader(std::string(300, 'x')), error);
    {
        section sec(t.name());
        (void)sec.get("fine");
        (void)sec.get("spoilt");
    }
    raw_mapping m(t.name());
    const section_reader r(t.name());
    std::memset(m.slot(1).name, 'A', sizeof m.slot(1).name); // no NUL: corrupt
    channel_values v;
    CHECK(r.read_channel(0, v));
    try {
        (void)r.read_channel(1, v);
        FAIL("no error");
    } catch (const error& e) {
        CHECK(e.code() == errc::corrupt);
        CHECK(std::string(e.what()).find("slot 1") != std::string::npos);
    }
}

TEST_CASE("a section_reader keeps reading a section deleted and re-created meanwhile", "[reader]") {
    temp_section t("reader");
    {
        section sec(t.name());
        const channel a = sec.get("old");
        enqueued(a, a, 5, 1);
    }
    const section_reader r(t.name());
    delete_section(t.name());
    {
        section sec(t.name());
        (void)sec.get("new");
    }
    channel_values v;
    REQUIRE(r.read_channel(0, v));
    CHECK(v.name == "old");
    CHECK(v.get(counter::received_messages) == 1);
    CHECK(v.get(counter::received_recipients) == 5);
    section_reader moved = section_reader(t.name());
    REQUIRE(moved.read_channel(0, v));
    CHECK(v.name == "new");
}

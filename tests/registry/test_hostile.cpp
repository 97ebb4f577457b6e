// SPDX-License-Identifier: MIT
// Hostile registries: truncated, foreign, newer, absurd counts and offsets, names without
// NUL, random damage. Each gives one counters::error naming the problem; none crashes.
#include "catch.hpp"
#include "registry_support.hpp"
#include "support.hpp"
#include "registry/layout.hpp"

#include <counters/registry.hpp>
#include <counters/registry_snapshot.hpp>
#include <counters/stats.hpp>

#include <chrono>
#include <csignal>
#include <cstddef>
#include <ctime>
#include <thread>
#include <random>

using namespace counters;
namespace L = counters::detail::reg;
using reg_testing::temp_registry;

namespace {

/// A healthy registry image with two objects, several instances and a string.
struct image {
    temp_registry t{"hostile"};
    std::vector<std::uint64_t> words;
    std::size_t size = 0;
    image() {
        registry reg(t.name());
        service_stats s(reg, "imapstat");
        s.accepted();
        counter_object d = reg.object("diskusage");
        d.instance("primary").string("mailPartitionPath").set("/var/mail");
        d.instance("archive").gauge("availSpace").set(123);
        words = reg_testing::copy_image(t.name(), &size);
    }
    unsigned char* bytes() { return reinterpret_cast<unsigned char*>(words.data()); }
    L::header& hdr() { return *reinterpret_cast<L::header*>(words.data()); }
    L::registry_view view() { return L::unchecked_view(hdr()); }
    L::object_head& object(std::uint32_t i) { return *L::object_at(view(), i); }
    errc decode_code(std::size_t n = 0, std::string* what = nullptr) {
        try {
            decode_registry(words.data(), n ? n : size, "hostile");
        } catch (const error& e) {
            if (what) *what = e.what();
            return e.code();
        }
        return errc::system; // "no error"
    }
};

/// A pipe used as a one-byte barrier between processes.
struct gate_pipe {
    int fd[2]{-1, -1};
    gate_pipe() { REQUIRE(::pipe(fd) == 0); }
    ~gate_pipe() {
        ::close(fd[0]);
        ::close(fd[1]);
    }
    void open() { REQUIRE(::write(fd[1], "x", 1) == 1); }
    void wait() {
        char c;
        while (::read(fd[0], &c, 1) != 1) {
        }
    }
};

} // namespace

TEST_CASE("the healthy image decodes", "[registry][hostile]") {
    image im;
    const registry_snapshot s = decode_registry(im.words.data(), im.size, "copy");
    REQUIRE(s.objects.size() == 2);
    CHECK(s.find("diskusage")->find("primary")->find("mailPartitionPath")->text == "/var/mail");
    CHECK(s.find("diskusage")->find("archive")->find("availSpace")->number == 123);
    CHECK(s.find("imapstat")->find("global")->find("numConnections")->number == 1);
}

TEST_CASE("truncated images are corrupt or empty, never read past the end", "[registry][hostile]") {
    image im;
    for (std::size_t n : {std::size_t{1}, std::size_t{7}, std::size_t{8}, std::size_t{100}, std::size_t{255},
                          std::size_t{256}, std::size_t{4096}, im.size / 2, im.size - 8}) {
        std::string what;
        CAPTURE(n);
        CHECK(im.decode_code(n, &what) == errc::corrupt);
        CHECK(what.find("hostile") != std::string::npos);
    }
    CHECK_THROWS_AS(decode_registry(nullptr, 0, "x"), error);
}

TEST_CASE("a bad magic is foreign", "[registry][hostile]") {
    image im;
    im.bytes()[0] = 'X';
    std::string what;
    CHECK(im.decode_code(0, &what) == errc::foreign);
    CHECK(what.find("bad magic") != std::string::npos);
    // A channel section is not a registry either.
    std::memcpy(im.bytes(), "COUNTERS", 8);
    CHECK(im.decode_code() == errc::foreign);
}

TEST_CASE("a future major version is refused, a newer minor is read", "[registry][hostile]") {
    image im;
    im.hdr().major = L::major + 1;
    std::string what;
    CHECK(im.decode_code(0, &what) == errc::version);
    CHECK(what.find("unsupported format version " + std::to_string(L::major + 1) + ".0") != std::string::npos);
    CHECK(what.rfind("registry \"hostile\": ", 0) == 0); // errors name the registry as such
    im.hdr().major = L::major;
    im.hdr().minor = 9;
    CHECK_NOTHROW(decode_registry(im.words.data(), im.size, "x"));
}

TEST_CASE("absurd header counts, sizes and offsets are corrupt", "[registry][hostile]") {
    using H = L::header;
    struct mutation {
        const char* what;
        void (*apply)(H&);
    };
    const mutation ms[] = {
        {"max_objects 0", [](H& h) { h.max_objects = 0; }},
        {"max_objects huge", [](H& h) { h.max_objects = 0xffffffffu; }},
        {"max_objects beyond the segment", [](H& h) { h.max_objects = 1000; }},
        {"max_fields huge", [](H& h) { h.max_fields = 1u << 30; }},
        {"max_instances huge", [](H& h) { h.max_instances = 1u << 31; }},
        {"data_size unaligned", [](H& h) { h.data_size = 1001; }},
        {"data_size huge", [](H& h) { h.data_size = 1u << 30; }},
        {"instance_size small", [](H& h) { h.instance_size = 64; }},
        {"object_size small", [](H& h) { h.object_size = 128; }},
        {"object_size huge", [](H& h) { h.object_size = 0xffffffc0u; }},
        {"objects_offset huge", [](H& h) { h.objects_offset = ~std::uint64_t{0} - 63; }},
        {"objects_offset inside header", [](H& h) { h.objects_offset = 64; }},
        {"objects_offset unaligned", [](H& h) { h.objects_offset = 260; }},
        {"processes_offset huge", [](H& h) { h.processes_offset = std::uint64_t{1} << 62; }},
        {"processes_offset overlapping", [](H& h) { h.processes_offset = h.objects_offset; }},
        {"process_slots huge", [](H& h) { h.process_slots = 0x7fffffffu; }},
        {"process_slot_size", [](H& h) { h.process_slot_size = 8; }},
        {"header_size", [](H& h) { h.header_size = 3; }},
        {"name_size", [](H& h) { h.name_size = 4096; }},
        {"field_desc_size", [](H& h) { h.field_desc_size = 1; }},
        {"total_size", [](H& h) { h.total_size = ~std::uint64_t{0}; }},
        {"state", [](H& h) { h.state.store(12345); }},
    };
    for (const auto& m : ms) {
        image im;
        m.apply(im.hdr());
        CAPTURE(m.what);
        CHECK(im.decode_code() == errc::corrupt);
    }
}

TEST_CASE("states other than ready are reported", "[registry][hostile]") {
    image im;
    im.hdr().state.store(L::state_initialising);
    CHECK(im.decode_code() == errc::not_ready);
    im.hdr().state.store(L::state_retired);
    CHECK(im.decode_code() == errc::retired);
}

TEST_CASE("a registry whose header is being filled in is not ready, never corrupt", "[registry][hostile]") {
    // The creator has sized the segment (zero-filled) and is writing the header; the state
    // word is published last. Whatever the other fields hold meanwhile, it is "not ready".
    image im;
    const std::vector<std::uint64_t> full = im.words;
    auto fresh = [&] {
        im.words = full;
        std::memset(im.bytes(), 0, sizeof(L::header)); // state initialising, magic zero
    };
    fresh();
    std::string what;
    CHECK(im.decode_code(0, &what) == errc::not_ready);
    CHECK(what.find("not ready") != std::string::npos);
    fresh();
    std::memcpy(im.hdr().magic, L::magic, sizeof L::magic); // magic written, the rest not yet
    CHECK(im.decode_code() == errc::not_ready);
    fresh();
    std::memcpy(im.hdr().magic, L::magic, sizeof L::magic);
    im.hdr().major = L::major; // half the fields
    im.hdr().header_size = sizeof(L::header);
    CHECK(im.decode_code() == errc::not_ready);
    // A foreign segment is still foreign, whatever its bytes at the state offset.
    im.words = full;
    std::memcpy(im.bytes(), "OTHERFMT", 8);
    im.hdr().state.store(L::state_initialising);
    CHECK(im.decode_code() == errc::foreign);
}

TEST_CASE("bad object slots are corrupt", "[registry][hostile]") {
    struct mutation {
        const char* what;
        void (*apply)(image&);
    };
    const mutation ms[] = {
        {"object name without NUL", [](image& im) { std::memset(im.object(0).name, 'A', L::name_field); }},
        {"empty object name", [](image& im) { im.object(0).name[0] = '\0'; }},
        {"field count 0", [](image& im) { im.object(0).field_count = 0; }},
        {"field count huge", [](image& im) { im.object(0).field_count = 0xffffffffu; }},
        {"field name without NUL",
         [](image& im) { std::memset(L::field_at(im.view(), &im.object(0), 1)->name, 'B', L::name_field); }},
        {"field name with a control character",
         [](image& im) { L::field_at(im.view(), &im.object(0), 1)->name[0] = '\033'; }},
        {"field kind", [](image& im) { L::field_at(im.view(), &im.object(0), 1)->kind = 9; }},
        {"field flags", [](image& im) { L::field_at(im.view(), &im.object(0), 1)->flags = 0x80; }},
        {"numeric size", [](image& im) { L::field_at(im.view(), &im.object(0), 1)->size = 4; }},
        {"string size huge", [](image& im) { L::field_at(im.view(), &im.object(1), 2)->size = 0x7fffffff; }},
        {"field offset outside",
         [](image& im) { L::field_at(im.view(), &im.object(0), 1)->offset = 0xfffffff8u; }},
        {"field offset unaligned", [](image& im) { L::field_at(im.view(), &im.object(0), 1)->offset = 3; }},
        {"overlapping fields", [](image& im) { L::field_at(im.view(), &im.object(0), 1)->offset = 0; }},
        {"storage size", [](image& im) { L::field_at(im.view(), &im.object(0), 1)->storage = 4096; }},
        {"object name with a control character", [](image& im) { im.object(0).name[1] = '\033'; }},
        {"instance name with a space",
         [](image& im) { L::instance_at(im.view(), &im.object(1), 0)->name[1] = ' '; }},
        {"instance name with a control character",
         [](image& im) { L::instance_at(im.view(), &im.object(1), 0)->name[0] = '\n'; }},
        {"instance name without NUL",
         [](image& im) { std::memset(L::instance_at(im.view(), &im.object(1), 0)->name, 'C', L::name_field); }},
    };
    for (const auto& m : ms) {
        image im;
        m.apply(im);
        CAPTURE(m.what);
        std::string what;
        CHECK(im.decode_code(0, &what) == errc::corrupt);
        CHECK(what.find("corrupt registry") != std::string::npos);
    }
}

TEST_CASE("hostile process slots do not crash or count", "[registry][hostile]") {
    image im;
    L::process_slot* p = L::process_at(im.view(), 5);
    p->owner.store(0x7fffffffffffULL); // not a pid
    p->entry[0].key.store(0xffffffffu);
    p->entry[0].value.store(1000);
    L::process_slot* q = L::process_at(im.view(), 6);
    q->owner.store(static_cast<std::uint64_t>(::getpid())); // a live pid with a wild key
    q->start_ticks.store(-1);
    q->entry[0].key.store(0xfffffff0u);
    q->entry[0].value.store(7);
    // Shares whose sum overflows 64 bits (fuzz_registry: undefined behaviour before).
    q->entry[1].key.store(0xfffffff1u);
    q->entry[1].value.store(INT64_MIN + 5);
    q->entry[2].key.store(0xfffffff1u);
    q->entry[2].value.store(INT64_MIN + 5);
    const registry_snapshot s = decode_registry(im.words.data(), im.size, "x");
    // The copy was taken while this process held one connection: wild entries add nothing.
    CHECK(s.find("imapstat")->find("global")->find("numCurrentConnections")->number == 1);
}

TEST_CASE("random damage never crashes the reader", "[registry][hostile][fuzz]") {
    image im;
    const std::vector<std::uint64_t> pristine = im.words;
    std::mt19937_64 rng(20240601); // NOLINT(cert-msc51-cpp): a fixed seed keeps failures reproducible
    // Damage the header and the first object slot (schema and instances), where offsets live.
    const std::size_t span = std::min<std::size_t>(im.size, 256 + im.hdr().object_size);
    int errors = 0, decoded = 0;
    for (int round = 0; round < 3000; ++round) {
        im.words = pristine;
        const int hits = 1 + static_cast<int>(rng() % 8);
        for (int h = 0; h < hits; ++h) {
            std::size_t at = rng() % span;
            if (rng() % 2) at = (at / 8) * 8;
            im.bytes()[at] = static_cast<unsigned char>(rng());
        }
        try {
            const registry_snapshot s = decode_registry(im.words.data(), im.size, "fuzz");
            for (const auto& o : s.objects)
                for (const auto& i : o.instances) CHECK(i.fields.size() == o.schema.size());
            ++decoded;
        } catch (const error&) {
            ++errors;
        }
    }
    CHECK(errors + decoded == 3000);
    CHECK(errors > 0);
}

TEST_CASE("read_registry on a corrupted live segment gives one clear error", "[registry][hostile]") {
    temp_registry t;
    {
        registry reg(t.name());
        reg.object("alarm");
    }
    {
        reg_testing::raw_map m(t.name());
        REQUIRE(m.data() != nullptr);
        reinterpret_cast<L::header*>(m.data())->major = 7;
    }
    try {
        read_registry(t.name());
        FAIL("no exception");
    } catch (const error& e) {
        CHECK(e.code() == errc::version);
    }
    // A producer refuses it too, rather than writing into it.
    CHECK_THROWS_AS(registry(t.name()), error);
}

TEST_CASE("a registration claim of a dead process is taken over", "[registry][fault]") {
    temp_registry t;
    registry reg(t.name());
    reg.object("alarm");
    pid_t dead = reg_testing::spawn([] { return 0; });
    reg_testing::reap(dead);
    {
        reg_testing::raw_map m(t.name());
        auto& h = *reinterpret_cast<L::header*>(m.data());
        L::object_head* o = L::object_at(L::unchecked_view(h), 1);
        // As if `dead` had claimed slot 1 and died before publishing it.
        o->claim.store((std::uint64_t(static_cast<std::uint32_t>(dead)) << 32) | 1234u);
        std::memcpy(o->name, "half", 5);
    }
    // Readers skip the half-registered slot; a producer takes it over.
    CHECK(read_registry(t.name()).objects.size() == 1);
    counter_object d = reg.object("diskusage");
    const registry_snapshot s = read_registry(t.name());
    REQUIRE(s.objects.size() == 2);
    CHECK(s.objects[1].name == "diskusage");
}

TEST_CASE("a live registrant's claim is not taken over, however long it stays", "[registry][fault]") {
    temp_registry t;
    registry reg(t.name());
    reg.object("alarm");
    gate_pipe ready;
    pid_t live = reg_testing::spawn([&]() -> int {
        ready.open();
        for (;;) ::pause();
    });
    ready.wait();
    {
        reg_testing::raw_map m(t.name());
        auto& h = *reinterpret_cast<L::header*>(m.data());
        L::object_head* o = L::object_at(L::unchecked_view(h), 1);
        // A live process claimed slot 1 (its pid and start time: the claim word names it).
        o->claim.store(testing_support::claim_of(live));
    }
    // The registrant is alive: a second registrant waits for it, never takes it over. Here it
    // "dies" after 300 ms; only then is its slot taken over.
    std::thread killer([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        ::kill(live, SIGKILL);
        reg_testing::reap(live); // a zombie still answers kill(pid, 0)
    });
    const auto t0 = std::chrono::steady_clock::now();
    bool registered = false;
    try {
        reg.object("diskusage");
        registered = true;
    } catch (const error& e) {
        FAIL_CHECK(e.what());
    }
    const auto waited = std::chrono::steady_clock::now() - t0;
    killer.join();
    CHECK(registered);
    CHECK(waited >= std::chrono::milliseconds(250));
    const registry_snapshot s = read_registry(t.name());
    REQUIRE(s.objects.size() == 2);
    CHECK(s.objects[1].name == "diskusage");
}

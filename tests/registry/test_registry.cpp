// SPDX-License-Identifier: MIT
// Unit and multi-process tests of the counter registry: objects, schemas, field handles,
// service statistics, per-process gauges, crash recovery, reset.
#include "catch.hpp"
#include "registry_support.hpp"
#include "registry/layout.hpp"

#include <counters/registry.hpp>
#include <counters/registry_snapshot.hpp>
#include <counters/stats.hpp>

#include <atomic>
#include <csignal>
#include <cstring>
#include <set>
#include <thread>

using namespace counters;
using reg_testing::reap;
using reg_testing::spawn;
using reg_testing::temp_registry;

namespace {

std::int64_t value(const std::string& reg, const std::string& object, const std::string& instance,
                   const std::string& field) {
    const registry_snapshot s = read_registry(reg);
    const object_values* o = s.find(object);
    if (o == nullptr) throw std::runtime_error("no object " + object);
    const instance_values* i = o->find(instance);
    if (i == nullptr) throw std::runtime_error("no instance " + instance);
    const field_value* f = i->find(field);
    if (f == nullptr) throw std::runtime_error("no field " + field);
    return f->number;
}

/// A pipe used as a one-byte barrier between processes.
struct gate {
    int fd[2]{-1, -1};
    gate() { REQUIRE(::pipe(fd) == 0); }
    ~gate() {
        ::close(fd[0]);
        ::close(fd[1]);
    }
    void open_n(int n) {
        for (int i = 0; i < n; ++i) REQUIRE(::write(fd[1], "x", 1) == 1);
    }
    void wait() {
        char c;
        while (::read(fd[0], &c, 1) != 1) {
        }
    }
};

} // namespace

TEST_CASE("the built-in schemas have the reference field names", "[registry][schema]") {
    const std::vector<std::string> service = {"currentStartTime",     "lastConnectionTime", "maxConnections",
                                              "numConnections",       "numCurrentConnections",
                                              "numFailedConnections", "numFailedLogins",    "numGoodLogins"};
    for (const char* obj : {"imapstat", "popstat", "httpstat"}) {
        const object_schema* s = builtin_schema(obj);
        REQUIRE(s != nullptr);
        REQUIRE(s->size() == service.size());
        for (std::size_t i = 0; i < service.size(); ++i) CHECK((*s)[i].name == service[i]);
        CHECK((*s)[0].kind == field_kind::time);
        CHECK((*s)[2].kind == field_kind::gauge);
        CHECK((*s)[4].per_process);
    }
    const object_schema* alarm = builtin_schema("alarm");
    REQUIRE(alarm != nullptr);
    std::vector<std::string> names;
    for (const auto& f : *alarm) names.push_back(f.name);
    CHECK(names == std::vector<std::string>{"countOverThreshold", "countWarningSent", "current", "high", "low",
                                            "timeLastSet", "timeLastWarning", "timeReset", "timeStateChanged",
                                            "warningState"});
    const object_schema* disk = builtin_schema("diskusage");
    REQUIRE(disk != nullptr);
    CHECK((*disk)[2].name == "mailPartitionPath");
    CHECK((*disk)[2].kind == field_kind::string);
    const object_schema* sr = builtin_schema("serverresponse");
    REQUIRE(sr != nullptr);
    CHECK(sr->size() == 2);
    CHECK(builtin_schema("cgimsg") == nullptr);
    const object_schema* ingest = builtin_schema("ingest");
    REQUIRE(ingest != nullptr);
    std::vector<std::string> ingest_fields;
    for (const auto& f : *ingest) ingest_fields.push_back(f.name);
    CHECK(ingest_fields == std::vector<std::string>{"linesRead", "linesRecorded", "linesIgnored", "skippedUnknown",
                                                    "skippedTooLong", "skippedInvalidUtf8", "skippedBinary",
                                                    "skippedTruncated", "skippedBadNumber", "skippedEvicted",
                                                    "skippedOther", "position", "inode", "fingerprint",
                                                    "lastLineTime", "cursor"});
    CHECK(ingest->back().kind == field_kind::string);
    CHECK(builtin_objects().size() == 7);
}

TEST_CASE("registry_name prefers the argument, then COUNTERS_REGISTRY, then the default", "[registry]") {
    ::unsetenv(registry_env);
    CHECK(registry_name() == "counters_registry");
    ::setenv(registry_env, "from_env", 1);
    CHECK(registry_name() == "from_env");
    CHECK(registry_name("given") == "given");
    ::unsetenv(registry_env);
}

TEST_CASE("a producer creates the registry and service events keep the fields consistent", "[registry][stats]") {
    temp_registry t;
    CHECK_FALSE(registry_exists(t.name()));
    registry reg(t.name());
    CHECK(registry_exists(t.name()));
    service_stats imap(reg, "imapstat");
    for (int i = 0; i < 3; ++i) imap.accepted();
    imap.login_ok();
    imap.login_ok();
    imap.login_failed();
    imap.closed();
    imap.failed();

    const registry_snapshot s = read_registry(t.name());
    CHECK(s.info.numobjects == 1);
    CHECK(s.info.refcount == 1);
    CHECK(s.info.version_major == detail::reg::major);
    CHECK(s.info.created > 0);
    CHECK(s.info.modified >= s.info.created);
    const object_values* o = s.find("imapstat");
    REQUIRE(o != nullptr);
    REQUIRE(o->instances.size() == 1);
    const instance_values& g = o->instances[0];
    CHECK(g.name == "global");
    CHECK(g.find("numConnections")->number == 3);
    CHECK(g.find("numCurrentConnections")->number == 2);
    CHECK(g.find("maxConnections")->number == 3);
    CHECK(g.find("numGoodLogins")->number == 2);
    CHECK(g.find("numFailedLogins")->number == 1);
    CHECK(g.find("numFailedConnections")->number == 1);
    const std::int64_t now = ::time(nullptr);
    CHECK(g.find("currentStartTime")->number >= now - 5);
    CHECK(g.find("lastConnectionTime")->number >= now - 5);
    CHECK(g.find("numConnections")->size == 8);
    CHECK(g.find("numConnections")->kind == field_kind::counter);
}

TEST_CASE("objects can be defined with their own schema and are registered once", "[registry][schema]") {
    temp_registry t;
    registry reg(t.name());
    object_schema schema = {{"hits", field_kind::counter, 8, false},
                            {"depth", field_kind::gauge, 8, false},
                            {"seen", field_kind::time, 8, false},
                            {"label", field_kind::string, 24, false}};
    counter_object a = reg.define("cgimsg", schema);
    counter_object b = reg.define("cgimsg", schema); // same schema: the same object
    CHECK(a.name() == "cgimsg");
    counter_instance x = a.instance("x");
    counter_instance x2 = b.instance("x");
    x.counter("hits").add(2);
    x2.counter("hits").add(3);
    x.gauge("depth").set(10);
    x.gauge("depth").set_max(7);
    CHECK(x.gauge("depth").get() == 10);
    x.gauge("depth").set_max(12);
    x.gauge("depth").set_min(4);
    x.time("seen").set(4102444800); // 2100-01-01: beyond 2038
    CHECK(x.string("label").set("hello"));
    CHECK(x.string("label").capacity() == 24);

    const registry_snapshot s = read_registry(t.name());
    REQUIRE(s.objects.size() == 1);
    const instance_values& v = s.objects[0].instances.at(0);
    CHECK(v.name == "x");
    CHECK(v.find("hits")->number == 5);
    CHECK(v.find("depth")->number == 4);
    CHECK(v.find("seen")->number == 4102444800);
    CHECK(v.find("label")->text == "hello");
    CHECK(v.find("label")->size == 24);

    SECTION("a different schema under the same name is refused") {
        object_schema other = schema;
        other[1].kind = field_kind::counter;
        try {
            reg.define("cgimsg", other);
            FAIL("no exception");
        } catch (const error& e) {
            CHECK(e.code() == errc::exists);
        }
    }
    SECTION("a string longer than the field is truncated, never overflowing") {
        CHECK(x.string("label").set(std::string(100, 'z')));
        CHECK(read_registry(t.name()).objects[0].instances[0].find("label")->text == std::string(23, 'z'));
    }
    SECTION("field lookups check the name and the kind") {
        CHECK_THROWS_AS(x.counter("nosuch"), error);
        CHECK_THROWS_AS(x.gauge("hits"), error);
        CHECK_THROWS_AS(x.string("seen"), error);
    }
}

TEST_CASE("bad names and schemas are refused with invalid_argument", "[registry][schema]") {
    temp_registry t;
    registry reg(t.name());
    auto code_of = [](auto fn) {
        try {
            fn();
        } catch (const error& e) {
            return e.code();
        }
        return errc::system;
    };
    CHECK(code_of([&] { reg.object("nosuchbuiltin"); }) == errc::invalid_argument);
    CHECK(code_of([&] { reg.define("", {{"a", field_kind::counter, 8, false}}); }) == errc::invalid_argument);
    CHECK(code_of([&] { reg.define("has space", {{"a", field_kind::counter, 8, false}}); }) ==
          errc::invalid_argument);
    CHECK(code_of([&] { reg.define(std::string(33, 'a'), {{"a", field_kind::counter, 8, false}}); }) ==
          errc::invalid_argument);
    CHECK(code_of([&] { reg.define("empty", {}); }) == errc::invalid_argument);
    CHECK(code_of([&] {
              reg.define("dup", {{"a", field_kind::counter, 8, false}, {"a", field_kind::gauge, 8, false}});
          }) == errc::invalid_argument);
    CHECK(code_of([&] { reg.define("size", {{"a", field_kind::counter, 4, false}}); }) == errc::invalid_argument);
    CHECK(code_of([&] { reg.define("pp", {{"a", field_kind::counter, 8, true}}); }) == errc::invalid_argument);
    CHECK(code_of([&] { reg.define("big", {{"a", field_kind::string, 513, false}}); }) == errc::invalid_argument);
    object_schema too_big;
    for (int i = 0; i < 5; ++i) too_big.push_back({"s" + std::to_string(i), field_kind::string, 512, false});
    CHECK(code_of([&] { reg.define("toobig", too_big); }) == errc::invalid_argument);
    counter_object o = reg.object("serverresponse");
    CHECK(code_of([&] { o.instance("bad name"); }) == errc::invalid_argument);
    CHECK(code_of([&] { o.instance(""); }) == errc::invalid_argument);
    CHECK(code_of([&] { registry r("bad/name"); }) == errc::invalid_argument);
    CHECK(read_registry(t.name()).objects.size() == 1); // nothing half-registered
}

TEST_CASE("full object and instance tables throw table_full", "[registry]") {
    temp_registry t;
    registry_options opts;
    opts.max_objects = 2;
    opts.max_instances = 3;
    registry reg(t.name(), opts);
    counter_object sr = reg.object("serverresponse");
    sr.instance("http");
    sr.instance("imap");
    sr.instance("pop");
    CHECK(sr.instance("imap").name() == "imap"); // existing ones are still found
    try {
        sr.instance("smtp");
        FAIL("no exception");
    } catch (const error& e) {
        CHECK(e.code() == errc::table_full);
    }
    reg.object("alarm");
    CHECK_THROWS_AS(reg.object("diskusage"), error);
    const registry_snapshot s = read_registry(t.name());
    CHECK(s.info.max_objects == 2);
    CHECK(s.objects.size() == 2);
    CHECK(s.objects[0].instances.size() == 3);
}

TEST_CASE("instances are kept apart (one per partition, service or alarm)", "[registry]") {
    temp_registry t;
    registry reg(t.name());
    counter_object disk = reg.object("diskusage");
    counter_instance a = disk.instance("primary"), b = disk.instance("archive");
    a.string("mailPartitionPath").set("/var/mail/store");
    b.string("mailPartitionPath").set("/var/mail/archive");
    a.gauge("percentAvail").set(42);
    b.gauge("percentAvail").set(7);
    const registry_snapshot s = read_registry(t.name());
    const object_values* o = s.find("diskusage");
    REQUIRE(o != nullptr);
    REQUIRE(o->instances.size() == 2);
    CHECK(o->find("primary")->find("mailPartitionPath")->text == "/var/mail/store");
    CHECK(o->find("archive")->find("mailPartitionPath")->text == "/var/mail/archive");
    CHECK(o->find("primary")->find("percentAvail")->number == 42);
    CHECK(o->find("archive")->find("percentAvail")->number == 7);
}

TEST_CASE("reset_registry_counter resets one counter in one or every instance", "[registry][reset]") {
    temp_registry t;
    registry reg(t.name());
    counter_object sr = reg.object("serverresponse");
    sr.instance("http").gauge("responseTime").set(100);
    sr.instance("imap").gauge("responseTime").set(200);
    sr.instance("imap").time("lastStatTime").set(1000);
    CHECK(reset_registry_counter(t.name(), "serverresponse", "http.responseTime") == 1);
    CHECK(value(t.name(), "serverresponse", "http", "responseTime") == 0);
    CHECK(value(t.name(), "serverresponse", "imap", "responseTime") == 200);
    CHECK(reset_registry_counter(t.name(), "serverresponse", "lastStatTime") == 2);
    CHECK(value(t.name(), "serverresponse", "imap", "lastStatTime") == 0);

    service_stats pop(reg, "popstat");
    pop.accepted();
    CHECK(reset_registry_counter(t.name(), "popstat", "numConnections") == 1);
    CHECK(value(t.name(), "popstat", "global", "numConnections") == 0);
    auto code_of = [&](const char* obj, const char* ctr) {
        try {
            reset_registry_counter(t.name(), obj, ctr);
        } catch (const error& e) {
            return e.code();
        }
        return errc::system;
    };
    CHECK(code_of("popstat", "numCurrentConnections") == errc::invalid_argument);
    CHECK(code_of("popstat", "nosuch") == errc::not_found);
    CHECK(code_of("nosuch", "numConnections") == errc::not_found);
    CHECK(code_of("serverresponse", "ldap.responseTime") == errc::not_found);
    temp_registry missing("missing");
    try {
        reset_registry_counter(missing.name(), "popstat", "numConnections");
        FAIL("no exception");
    } catch (const error& e) {
        CHECK(e.code() == errc::not_found);
    }
    CHECK_FALSE(registry_exists(missing.name())); // -s never creates
}

TEST_CASE("concurrent producer processes give exact totals", "[registry][multiprocess]") {
    temp_registry t;
    registry reg(t.name()); // created before forking; children attach on their own too
    constexpr int procs = 4, events = 5000;
    std::vector<pid_t> kids;
    kids.reserve(procs);
    for (int p = 0; p < procs; ++p)
        kids.push_back(spawn([&] {
            registry r(t.name());
            service_stats s(r, "imapstat");
            counter_object o = r.object("alarm");
            counter_instance a = o.instance("disk");
            for (int i = 0; i < events; ++i) {
                s.accepted();
                s.login_ok();
                if (i % 10 == 0) s.login_failed();
                a.gauge("high").set_max(i);
                s.closed();
            }
            return 0;
        }));
    for (pid_t k : kids) CHECK(reap(k) == 0);
    const registry_snapshot snap = read_registry(t.name());
    const instance_values& g = *snap.find("imapstat")->find("global");
    CHECK(g.find("numConnections")->number == std::int64_t{procs} * events);
    CHECK(g.find("numGoodLogins")->number == std::int64_t{procs} * events);
    CHECK(g.find("numFailedLogins")->number == std::int64_t{procs} * (events / 10));
    CHECK(g.find("numCurrentConnections")->number == 0);
    CHECK(g.find("maxConnections")->number >= 1);
    CHECK(g.find("maxConnections")->number <= procs);
    CHECK(snap.find("alarm")->find("disk")->find("high")->number == events - 1);
    CHECK(snap.objects.size() == 2); // registered once despite the race
    CHECK(snap.info.refcount == 1);  // only this process is still attached
}

TEST_CASE("maxConnections is the true high-water mark over all processes", "[registry][multiprocess]") {
    temp_registry t;
    registry reg(t.name());
    service_stats mine(reg, "imapstat");
    constexpr int procs = 3, each = 7;
    gate go, done;
    std::vector<pid_t> kids;
    kids.reserve(procs);
    for (int p = 0; p < procs; ++p)
        kids.push_back(spawn([&] {
            registry r(t.name());
            service_stats s(r, "imapstat");
            for (int i = 0; i < each; ++i) s.accepted();
            done.open_n(1); // all connections open
            go.wait();      // until the parent has looked
            for (int i = 0; i < each; ++i) s.closed();
            return 0;
        }));
    for (int p = 0; p < procs; ++p) done.wait();
    mine.accepted(); // the parent's own connection makes the peak procs * each + 1
    CHECK(value(t.name(), "imapstat", "global", "numCurrentConnections") == procs * each + 1);
    CHECK(value(t.name(), "imapstat", "global", "maxConnections") == procs * each + 1);
    CHECK(read_registry(t.name()).info.refcount == procs + 1);
    go.open_n(procs);
    for (pid_t k : kids) CHECK(reap(k) == 0);
    mine.closed();
    mine.accepted();
    CHECK(value(t.name(), "imapstat", "global", "numCurrentConnections") == 1);
    CHECK(value(t.name(), "imapstat", "global", "maxConnections") == procs * each + 1);
    CHECK(value(t.name(), "imapstat", "global", "numConnections") == procs * each + 2);
}

TEST_CASE("a producer killed with SIGKILL leaves no connections counted", "[registry][multiprocess][fault]") {
    temp_registry t;
    registry reg(t.name());
    service_stats mine(reg, "popstat");
    mine.accepted();
    gate ready;
    pid_t kid = spawn([&]() -> int {
        registry r(t.name());
        service_stats s(r, "popstat");
        for (int i = 0; i < 5; ++i) s.accepted();
        ready.open_n(1);
        for (;;) ::pause(); // killed here, mid-way, with 5 connections open
    });
    ready.wait();
    CHECK(value(t.name(), "popstat", "global", "numCurrentConnections") == 6);
    CHECK(read_registry(t.name()).info.refcount == 2);
    ::kill(kid, SIGKILL);
    CHECK(reap(kid) == 128 + SIGKILL);
    // Readers sum live processes only: the dead one's connections are gone at once.
    CHECK(value(t.name(), "popstat", "global", "numCurrentConnections") == 1);
    CHECK(read_registry(t.name()).info.refcount == 1);
    CHECK(value(t.name(), "popstat", "global", "numConnections") == 6);
    CHECK(value(t.name(), "popstat", "global", "maxConnections") == 6);
    // The next producer to attach reaps the dead slot, so the total used for the high-water
    // mark drops back too.
    counter_instance g = reg.object("popstat").instance();
    CHECK(g.gauge("numCurrentConnections").get() == 6);
    {
        registry again(t.name());
    }
    CHECK(g.gauge("numCurrentConnections").get() == 1);
    mine.accepted();
    CHECK(value(t.name(), "popstat", "global", "maxConnections") == 6);
    CHECK(value(t.name(), "popstat", "global", "numCurrentConnections") == 2);
}

TEST_CASE("a clean detach releases the process slot and its gauge share", "[registry][multiprocess]") {
    temp_registry t;
    registry reg(t.name());
    pid_t kid = spawn([&] {
        {
            registry r(t.name());
            service_stats s(r, "httpstat");
            s.accepted();
            s.accepted();
        } // detached with two connections open: they leave with the process
        return read_registry(t.name()).info.refcount == 1 ? 0 : 5;
    });
    CHECK(reap(kid) == 0);
    counter_instance g = reg.object("httpstat").instance();
    CHECK(g.gauge("numCurrentConnections").get() == 0);
    CHECK(value(t.name(), "httpstat", "global", "numCurrentConnections") == 0);
    CHECK(value(t.name(), "httpstat", "global", "numConnections") == 2);
}

TEST_CASE("racing processes register one object and one instance", "[registry][multiprocess]") {
    temp_registry t;
    constexpr int procs = 6;
    gate go;
    std::vector<pid_t> kids;
    kids.reserve(procs);
    for (int p = 0; p < procs; ++p)
        kids.push_back(spawn([&] {
            go.wait();
            registry r(t.name()); // racing creators too: exactly one wins
            r.object("serverresponse").instance("smtp").gauge("responseTime").set(5);
            r.object("alarm").instance("a" + std::to_string(getpid() % 2)).counter("countWarningSent").add(1);
            return 0;
        }));
    go.open_n(procs);
    for (pid_t k : kids) CHECK(reap(k) == 0);
    const registry_snapshot s = read_registry(t.name());
    REQUIRE(s.objects.size() == 2);
    CHECK(s.find("serverresponse")->instances.size() == 1);
    std::int64_t sent = 0;
    std::set<std::string> names;
    for (const auto& i : s.find("alarm")->instances) {
        sent += i.find("countWarningSent")->number;
        names.insert(i.name);
    }
    CHECK(sent == procs);
    CHECK(names.size() == s.find("alarm")->instances.size());
}

TEST_CASE("readers never see a torn string while two processes write", "[registry][multiprocess]") {
    temp_registry t;
    registry reg(t.name());
    string_field path = reg.object("diskusage").instance("p").string("mailPartitionPath");
    const std::string a(200, 'a'), b(150, 'b');
    path.set(a);
    auto writer = [&](const std::string& s) {
        return [&, s] {
            registry r(t.name());
            string_field f = r.object("diskusage").instance("p").string("mailPartitionPath");
            for (int i = 0; i < 20000; ++i) f.set(s);
            return 0;
        };
    };
    pid_t k1 = spawn(writer(a)), k2 = spawn(writer(b));
    int bad = 0, torn = 0;
    for (int i = 0; i < 300; ++i) {
        const registry_snapshot s = read_registry(t.name());
        const field_value* f = s.find("diskusage")->find("p")->find("mailPartitionPath");
        if (f->torn) ++torn;
        else if (f->text != a && f->text != b) ++bad;
    }
    CHECK(torn == 0);
    CHECK(reap(k1) == 0);
    CHECK(reap(k2) == 0);
    CHECK(bad == 0);
}

TEST_CASE("a string writer that died mid-update is taken over", "[registry][fault]") {
    temp_registry t;
    registry reg(t.name());
    string_field f = reg.object("diskusage").instance("p").string("mailPartitionPath");
    f.set("/before");
    pid_t dead = spawn([] { return 0; });
    reap(dead);
    {
        // Mark the field's sequence word as held (odd) by the dead process, and scribble on
        // the buffer it would have been filling.
        reg_testing::raw_map m(t.name());
        REQUIRE(m.data() != nullptr);
        const auto v = detail::reg::unchecked_view(*reinterpret_cast<detail::reg::header*>(m.data()));
        detail::reg::object_head* o = detail::reg::object_at(v, 0);
        detail::reg::field_desc* d = detail::reg::field_at(v, o, 2);
        REQUIRE(std::string(d->name) == "mailPartitionPath");
        unsigned char* st = detail::reg::data_of(detail::reg::instance_at(v, o, 0)) + d->offset;
        std::uint64_t seq;
        std::memcpy(&seq, st, 8);
        REQUIRE((seq & 1) == 0);
        const std::uint32_t cap = (d->size + 7) / 8 * 8;
        const std::uint32_t filling = ((static_cast<std::uint32_t>(seq) >> 1) + 1) & 1;
        std::memset(st + 8 + std::size_t{filling} * cap, 'X', cap);
        seq = (std::uint64_t(static_cast<std::uint32_t>(dead)) << 32) | ((seq + 1) & 0xffffffffu);
        std::memcpy(st, &seq, 8);
    }
    // Readers still get the last published value, complete, at once.
    const registry_snapshot s = read_registry(t.name());
    CHECK_FALSE(s.find("diskusage")->find("p")->find("mailPartitionPath")->torn);
    CHECK(s.find("diskusage")->find("p")->find("mailPartitionPath")->text == "/before");
    // A writer takes over from the dead one.
    CHECK(f.set("/after"));
    const registry_snapshot s2 = read_registry(t.name());
    CHECK_FALSE(s2.find("diskusage")->find("p")->find("mailPartitionPath")->torn);
    CHECK(s2.find("diskusage")->find("p")->find("mailPartitionPath")->text == "/after");
}

TEST_CASE("a reader copies a string that is rewritten continuously", "[registry][threads]") {
    temp_registry t;
    registry reg(t.name());
    string_field f = reg.object("diskusage").instance("p").string("mailPartitionPath");
    const std::string a(255, 'a'), b(100, 'b');
    f.set(a);
    std::atomic<bool> stop{false};
    std::thread w([&] {
        for (int i = 0; !stop.load(std::memory_order_relaxed); ++i) f.set(i % 2 ? a : b);
    });
    int torn = 0, bad = 0;
    for (int i = 0; i < 200; ++i) {
        const registry_snapshot s = read_registry(t.name());
        const field_value* v = s.find("diskusage")->find("p")->find("mailPartitionPath");
        if (v->torn) ++torn;
        else if (v->text != a && v->text != b) ++bad;
    }
    stop = true;
    w.join();
    CHECK(torn == 0);
    CHECK(bad == 0);
}

TEST_CASE("a dead producer's connections never raise maxConnections", "[registry][multiprocess][fault]") {
    temp_registry t;
    registry reg(t.name());
    service_stats mine(reg, "imapstat");
    mine.accepted();
    gate ready;
    pid_t kid = spawn([&]() -> int {
        registry r(t.name());
        service_stats s(r, "imapstat");
        for (int i = 0; i < 5; ++i) s.accepted();
        ready.open_n(1);
        for (;;) ::pause();
    });
    ready.wait();
    ::kill(kid, SIGKILL);
    CHECK(reap(kid) == 128 + SIGKILL);
    CHECK(value(t.name(), "imapstat", "global", "maxConnections") == 6);
    // Nobody has attached since: the dead share is still in the total the mark is taken from.
    for (int i = 0; i < 3; ++i) mine.accepted(); // 4 live connections: not a new high
    CHECK(value(t.name(), "imapstat", "global", "numCurrentConnections") == 4);
    CHECK(value(t.name(), "imapstat", "global", "maxConnections") == 6);
    for (int i = 0; i < 3; ++i) mine.accepted(); // 7 live: a new high
    CHECK(value(t.name(), "imapstat", "global", "maxConnections") == 7);
    CHECK(reg.object("imapstat").instance().gauge("numCurrentConnections").get() == 7);
}

TEST_CASE("a forked producer gets its own process slot", "[registry][multiprocess][fork]") {
    temp_registry t;
    registry reg(t.name());
    service_stats s(reg, "popstat");
    s.accepted();
    gate ready, go;
    pid_t kid = spawn([&]() -> int {
        // The child inherits the parent's attachment and handles; its first per-process
        // event takes a slot of its own.
        s.accepted();
        s.accepted();
        ready.open_n(1);
        for (;;) ::pause();
    });
    ready.wait();
    CHECK(read_registry(t.name()).info.refcount == 2);
    CHECK(value(t.name(), "popstat", "global", "numCurrentConnections") == 3);
    ::kill(kid, SIGKILL);
    CHECK(reap(kid) == 128 + SIGKILL);
    // Only the child's share goes: the parent's connection is still counted.
    CHECK(value(t.name(), "popstat", "global", "numCurrentConnections") == 1);
    CHECK(read_registry(t.name()).info.refcount == 1);
    s.closed();
    CHECK(value(t.name(), "popstat", "global", "numCurrentConnections") == 0);
}

TEST_CASE("threads of one process record exactly", "[registry][threads]") {
    temp_registry t;
    registry reg(t.name());
    service_stats s(reg, "imapstat");
    std::vector<std::thread> th;
    th.reserve(4);
    for (int i = 0; i < 4; ++i)
        th.emplace_back([&] {
            for (int k = 0; k < 10000; ++k) {
                s.accepted();
                s.closed();
            }
        });
    for (auto& x : th) x.join();
    CHECK(value(t.name(), "imapstat", "global", "numConnections") == 40000);
    CHECK(value(t.name(), "imapstat", "global", "numCurrentConnections") == 0);
}

TEST_CASE("delete_registry unlinks and retires, and a missing registry is not_found", "[registry]") {
    temp_registry t;
    {
        registry reg(t.name());
        reg.object("alarm");
    }
    CHECK(delete_registry(t.name()));
    CHECK_FALSE(delete_registry(t.name()));
    CHECK_FALSE(registry_exists(t.name()));
    try {
        read_registry(t.name());
        FAIL("no exception");
    } catch (const error& e) {
        CHECK(e.code() == errc::not_found);
        CHECK(std::string(e.what()) == "registry \"" + t.name() + "\": does not exist");
    }
}

TEST_CASE("an attached producer survives delete_registry and a new producer starts afresh", "[registry]") {
    temp_registry t;
    registry reg(t.name());
    service_stats s(reg, "imapstat");
    s.accepted();
    CHECK(delete_registry(t.name()));
    s.accepted(); // into the removed (unlinked) registry: no crash, no error
    s.closed();
    registry again(t.name());
    service_stats s2(again, "imapstat");
    s2.accepted();
    CHECK(value(t.name(), "imapstat", "global", "numConnections") == 1);
}

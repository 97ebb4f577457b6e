// SPDX-License-Identifier: MIT
// The MTA-MIB / applTable mapping of counters-snmpd (tools/snmp/mib.*): the SMI conversions
// (Counter32 wrap, Gauge32 clamp, K-octets, TimeInterval, TimeStamp), which columns are
// served and which are noSuchInstance, the stable group index, and a missing section.
#include "catch.hpp"
#include "support.hpp"

#include <mib.hpp>

#include <counters/admin.hpp>
#include <counters/registry.hpp>
#include <counters/section.hpp>
#include <counters/snapshot.hpp>
#include <counters/stats.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

using namespace counters::snmp;
using counters::counter;
using counters::snapshot;

namespace {

constexpr std::int64_t two32 = std::int64_t{1} << 32;

const value& col(const row& r, unsigned c) {
    const value* v = r.get(c);
    REQUIRE(v != nullptr);
    return *v;
}

std::int64_t num(const row& r, unsigned c) { return col(r, c).number; }

/// A snapshot made by hand: block size 512, channels at the given slots.
snapshot synthetic(const std::vector<std::uint32_t>& slots) {
    snapshot s;
    s.section.name = "synthetic";
    s.section.block_size = 512;
    s.section.version_major = 1;
    s.section.created = 1000;
    for (const auto slot : slots) {
        counters::channel_values c;
        c.name = "ch" + std::to_string(slot);
        c.slot = slot;
        s.channels.push_back(c);
    }
    s.section.channels = static_cast<std::uint32_t>(slots.size());
    return s;
}

inputs at(const snapshot* s, std::int64_t now = 2000) {
    inputs in;
    in.section = s;
    in.section_name = s != nullptr ? s->section.name : "gone";
    in.now = now;
    in.agent_start = 1500;
    in.down_since = 1500;
    in.version = "9.9.9";
    return in;
}

} // namespace

TEST_CASE("Counter32 goes out modulo 2^32") {
    CHECK(counter32(std::int64_t{5}) == 5U);
    CHECK(counter32(two32) == 0U);
    CHECK(counter32(two32 + 7) == 7U);
    CHECK(counter32(3 * two32 - 1) == 0xffffffffU);
    CHECK(counter32(std::int64_t{-1}) == 0xffffffffU);
    CHECK(counter32(static_cast<wide>(two32) * two32 + 9) == 9U);
}

TEST_CASE("Gauge32 clamps to [0, 2^32-1]") {
    CHECK(gauge32(0) == 0U);
    CHECK(gauge32(-5) == 0U);
    CHECK(gauge32(12345) == 12345U);
    CHECK(gauge32(two32 - 1) == 0xffffffffU);
    CHECK(gauge32(two32) == 0xffffffffU);
    CHECK(gauge32(static_cast<wide>(two32) * 1000) == 0xffffffffU);
}

TEST_CASE("volumes are kilo-octets: blocks times block size over 1024, rounded down") {
    CHECK(kilo_octets(3, 1024) == 3);
    CHECK(kilo_octets(5, 512) == 2);  // 2560 octets
    CHECK(kilo_octets(1, 512) == 0);  // 512 octets: less than one K-octet
    CHECK(kilo_octets(1, 4096) == 4);
    CHECK(kilo_octets(-1, 512) == -1); // a negative gauge stays negative (clamped later)
    CHECK(kilo_octets(static_cast<wide>(two32) * 4, 256) == two32);
}

TEST_CASE("TimeInterval and TimeStamp are in hundredths of a second") {
    CHECK(time_interval(100, 103) == 300);
    CHECK(time_interval(100, 100) == 0);
    CHECK(time_interval(105, 100) == 0); // a clock step backwards: not negative
    CHECK(time_interval(0, 100000000) == 2147483647); // INTEGER (0..2147483647)
    CHECK(time_stamp(1000, 1010) == 1000U);
    CHECK(time_stamp(1000, 900) == 0U); // before the agent started: 0, as RFC 2788 says
    CHECK(time_stamp(0, 50000000) == counter32(std::int64_t{5000000000}));
}

TEST_CASE("the tables' OIDs and the columns that can hold values") {
    CHECK(definition(table_id::mta).oid == std::vector<std::uint32_t>{1, 3, 6, 1, 2, 1, 28, 1, 1});
    CHECK(definition(table_id::mta_group).oid == std::vector<std::uint32_t>{1, 3, 6, 1, 2, 1, 28, 2, 1});
    CHECK(definition(table_id::mta_group_association).oid == std::vector<std::uint32_t>{1, 3, 6, 1, 2, 1, 28, 3, 1});
    CHECK(definition(table_id::mta_group_error).oid == std::vector<std::uint32_t>{1, 3, 6, 1, 2, 1, 28, 5, 1});
    CHECK(definition(table_id::appl).oid == std::vector<std::uint32_t>{1, 3, 6, 1, 2, 1, 27, 1, 1});
    CHECK(definition(table_id::mta_group).served ==
          std::vector<unsigned>{2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 25, 31});
    CHECK(definition(table_id::mta).served == std::vector<unsigned>{1, 2, 3, 4, 5, 6, 7, 8, 9});
    CHECK(definition(table_id::mta_group_error).served == std::vector<unsigned>{3});
    CHECK(definition(table_id::mta_group_association).served.empty());
}

TEST_CASE("a real section: every served column equals the snapshot, the rest is noSuchInstance") {
    testing_support::temp_section ts("snmp");
    counters::create_options co;
    co.block_size = 512;
    counters::create_section(ts.name(), co);
    {
        counters::section sec(ts.name());
        const auto in = sec.get("tcp_local");
        const auto local = sec.get("ims-ms");
        // Recipients above 2^32: the Counter32 wraps.
        enqueued(in, local, static_cast<std::uint64_t>(two32) + 5, 1536); // 3 blocks
        enqueued(in, local, 2, 100);                                       // 1 block
        dequeued(local, 1, 1024, 10, true);                                // 2 blocks
        deferred(local, 1, 100);
        deferred(local, 1, 100);
        failed(local, 1, 100);
        rejected(in, 1, 100);
        association_opened(in, counters::direction::inbound);
        association_opened(in, counters::direction::inbound);
        association_closed(in, counters::direction::inbound);
        association_rejected(in);
        association_failed(local);
    }
    const snapshot s = counters::read_snapshot(ts.name());
    REQUIRE(s.channels.size() == 2);
    const auto t = map_tables(at(&s, s.section.created + 5));

    const auto& group = t.get(table_id::mta_group).rows;
    REQUIRE(group.size() == 2);
    const row& g1 = group[0]; // tcp_local, slot 0
    const row& g2 = group[1]; // ims-ms, slot 1
    CHECK(g1.index == std::vector<std::uint32_t>{1, 1});
    CHECK(g2.index == std::vector<std::uint32_t>{1, 2});
    CHECK(col(g1, 25).text == "tcp_local");
    CHECK(col(g2, 25).text == "ims-ms");
    CHECK(col(g2, 25).type == smi_type::octet_string);

    const auto& ims = *s.find("ims-ms");
    CHECK(num(g2, 2) == ims.get(counter::received_messages)); // 2
    CHECK(col(g2, 2).type == smi_type::counter32);
    CHECK(num(g2, 9) == 7); // (2^32 + 5 + 2) mod 2^32
    CHECK(ims.get(counter::received_recipients) == two32 + 7);
    CHECK(num(g2, 4) == 1); // stored messages
    CHECK(col(g2, 4).type == smi_type::gauge32);
    CHECK(num(g2, 5) == 1); // transmitted = delivered
    CHECK(num(g2, 6) == 2); // received volume: 4 blocks * 512 / 1024
    CHECK(num(g2, 7) == 1); // stored: 2 blocks
    CHECK(num(g2, 8) == 1); // transmitted: 2 blocks
    CHECK(num(g2, 10) == counters::snmp::gauge32(ims.get(counter::stored_recipients)));
    CHECK(num(g2, 11) == 1);
    CHECK(num(g2, 20) == 1); // failed outbound associations
    CHECK(num(g1, 3) == 1);  // rejected messages
    CHECK(num(g1, 13) == 1); // one inbound association still open (this process lives)
    CHECK(num(g1, 15) == 2); // accumulated inbound
    CHECK(num(g1, 19) == 1); // rejected inbound
    CHECK(num(g1, 16) == 0);
    CHECK(num(g1, 17) == 100 * (s.section.created + 5 - s.find("tcp_local")->last_in));
    CHECK(col(g1, 17).type == smi_type::integer);
    CHECK(num(g1, 31) == 0); // mtaGroupHierarchy: "not implemented", the MIB's own value
    // No outbound activity ever on tcp_local: LastOutboundActivity is absent, not 0.
    CHECK(g1.get(18) == nullptr);
    // Never filled: noSuchInstance in every row.
    for (const unsigned c : {12U, 21U, 22U, 23U, 24U, 26U, 27U, 28U, 29U, 30U, 32U, 33U, 34U}) {
        INFO("column " << c);
        CHECK(g1.get(c) == nullptr);
        CHECK(g2.get(c) == nullptr);
    }
    // Every column with a value is one the definition lists as served.
    const auto& served = definition(table_id::mta_group).served;
    for (unsigned c = 0; c < g2.columns.size(); ++c)
        if (g2.get(c) != nullptr) CHECK(std::find(served.begin(), served.end(), c) != served.end());

    // mtaTable: the totals.
    const auto& mta = t.get(table_id::mta).rows;
    REQUIRE(mta.size() == 1);
    CHECK(mta[0].index == std::vector<std::uint32_t>{1});
    CHECK(num(mta[0], 1) == 2);
    CHECK(num(mta[0], 3) == 1);
    CHECK(num(mta[0], 4) == 2);
    CHECK(num(mta[0], 7) == 7);
    for (const unsigned c : {10U, 11U, 12U}) CHECK(mta[0].get(c) == nullptr);

    // mtaGroupErrorTable: 4.0.0 = Attempted, 5.0.0 = Failed, outbound only.
    const auto& err = t.get(table_id::mta_group_error).rows;
    REQUIRE(err.size() == 4);
    CHECK(err[2].index == std::vector<std::uint32_t>{1, 2, 4000000});
    CHECK(err[3].index == std::vector<std::uint32_t>{1, 2, 5000000});
    CHECK(num(err[2], 3) == 2);
    CHECK(num(err[3], 3) == 1);
    CHECK(err[2].get(1) == nullptr);
    CHECK(err[2].get(2) == nullptr);
    CHECK(t.get(table_id::mta_group_association).rows.empty());

    // applTable: the MTA is up.
    const auto& appl = t.get(table_id::appl).rows;
    REQUIRE(appl.size() == 1);
    CHECK(col(appl[0], 2).text == ts.name());
    CHECK(num(appl[0], 6) == 1);
    CHECK(num(appl[0], 10) == 2);
    CHECK(num(appl[0], 15) == 1);
    CHECK(num(appl[0], 8) == 1);
    CHECK(appl[0].get(17) == nullptr);
}

TEST_CASE("the group index is the channel's slot plus one, whatever the snapshot's order") {
    const snapshot s = synthetic({2, 0, 5});
    const auto t = map_tables(at(&s));
    const auto& group = t.get(table_id::mta_group).rows;
    REQUIRE(group.size() == 3);
    CHECK(group[0].index == std::vector<std::uint32_t>{1, 1});
    CHECK(group[1].index == std::vector<std::uint32_t>{1, 3});
    CHECK(group[2].index == std::vector<std::uint32_t>{1, 6});
    CHECK(col(group[1], 25).text == "ch2");

    // A real section: the snapshot's slot is the registration position, kept across a clear.
    testing_support::temp_section ts("snmpslot");
    {
        counters::section sec(ts.name());
        for (const char* n : {"a", "b", "c"}) (void)sec.get(n);
    }
    counters::clear_section(ts.name());
    const snapshot r = counters::read_snapshot(ts.name());
    REQUIRE(r.channels.size() == 3);
    for (std::uint32_t i = 0; i < 3; ++i) CHECK(r.channels[i].slot == i);
}

TEST_CASE("large values: Counter32 wraps, Gauge32 and volumes clamp") {
    snapshot s = synthetic({0});
    auto& c = s.channels[0];
    c.value[counters::index(counter::received_messages)] = 5 * two32 + 3;
    c.value[counters::index(counter::stored_messages)] = 2 * two32;
    c.value[counters::index(counter::stored_recipients)] = -4; // after a clear
    c.value[counters::index(counter::received_blocks)] = 2 * two32 + 4; // * 512 / 1024 = 2^32 + 2
    c.value[counters::index(counter::stored_blocks)] = 16 * two32;
    const auto t = map_tables(at(&s));
    const row& g = t.get(table_id::mta_group).rows.at(0);
    CHECK(num(g, 2) == 3);
    CHECK(num(g, 4) == 0xffffffff);
    CHECK(num(g, 10) == 0);
    CHECK(num(g, 6) == 2);
    CHECK(num(g, 7) == 0xffffffff);
}

TEST_CASE("a missing section: empty MTA-MIB tables, the applTable row says down") {
    const auto t = map_tables(at(nullptr));
    CHECK(t.get(table_id::mta).rows.empty());
    CHECK(t.get(table_id::mta_group).rows.empty());
    CHECK(t.get(table_id::mta_group_error).rows.empty());
    CHECK(t.get(table_id::mta_group_association).rows.empty());
    const auto& appl = t.get(table_id::appl).rows;
    REQUIRE(appl.size() == 1);
    CHECK(col(appl[0], 2).text == "gone");
    CHECK(num(appl[0], 6) == 2); // down(2)
    CHECK(col(appl[0], 7).type == smi_type::timeticks);
    CHECK(appl[0].get(5) == nullptr);
    CHECK(appl[0].get(8) == nullptr);
    CHECK(appl[0].get(10) == nullptr);
}

TEST_CASE("applLastChange is the section's creation or last clear, applUptime its creation") {
    snapshot s = synthetic({0});
    s.section.created = 1600;
    s.section.cleared = 1700;
    auto t = map_tables(at(&s));
    const row& a = t.get(table_id::appl).rows.at(0);
    CHECK(num(a, 5) == 10000);  // (1600 - 1500) * 100
    CHECK(num(a, 7) == 20000);  // (1700 - 1500) * 100
    CHECK(col(a, 4).text == "libcounters 9.9.9, section format 1.0");
    s.section.created = 1400; // before the agent: 0
    s.section.cleared = 0;
    t = map_tables(at(&s));
    CHECK(num(t.get(table_id::appl).rows.at(0), 5) == 0);
    CHECK(num(t.get(table_id::appl).rows.at(0), 7) == 0);
}

TEST_CASE("the registry's service objects are applTable rows of their own") {
    testing_support::temp_registry tr("snmp");
    {
        counters::registry reg(tr.name());
        counters::service_stats imap(reg, "imapstat");
        imap.accepted();
        imap.accepted();
        imap.closed();
        const auto rs = counters::read_registry(tr.name());
        const snapshot s = synthetic({0});
        auto in = at(&s);
        in.registry = &rs;
        const auto t = map_tables(in);
        const auto& appl = t.get(table_id::appl).rows;
        REQUIRE(appl.size() == 2); // the MTA and imapstat (popstat, httpstat: not registered)
        const row& r = appl[1];
        CHECK(r.index == std::vector<std::uint32_t>{2});
        CHECK(col(r, 2).text == "imapstat");
        CHECK(num(r, 8) == 1);  // numCurrentConnections (this process is alive)
        CHECK(num(r, 10) == 2); // numConnections
        CHECK(col(r, 12).type == smi_type::timeticks);
        for (const unsigned c : {6U, 9U, 11U, 13U, 14U, 15U, 17U}) CHECK(r.get(c) == nullptr);
    }
}

// SPDX-License-Identifier: MIT
// The MTA-MIB and applTable rows of a section and a registry (see mib.hpp and
// counters-snmpd(8), which lists every column and where its value comes from).
#include "mib.hpp"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <utility>

namespace counters::snmp {

namespace {

__extension__ typedef unsigned __int128 uwide;

constexpr std::int64_t u32_max = 0xffffffffLL;
constexpr std::int64_t i32_max = 0x7fffffffLL;

std::vector<std::uint32_t> entry_oid(std::uint32_t mib, std::uint32_t table) {
    return {1, 3, 6, 1, 2, 1, mib, table, 1};
}

std::vector<unsigned> range(unsigned lo, unsigned hi) {
    std::vector<unsigned> v;
    for (unsigned c = lo; c <= hi; ++c) v.push_back(c);
    return v;
}

// Column numbers (RFC 2789 and RFC 2788).
namespace mta_col {
enum : unsigned {
    received_messages = 1, stored_messages, transmitted_messages, received_volume, stored_volume,
    transmitted_volume, received_recipients, stored_recipients, transmitted_recipients,
    successful_converted, failed_converted, loops_detected
};
}
namespace grp_col {
enum : unsigned {
    received_messages = 2, rejected_messages, stored_messages, transmitted_messages, received_volume,
    stored_volume, transmitted_volume, received_recipients, stored_recipients, transmitted_recipients,
    oldest_message_stored, inbound_associations, outbound_associations, accumulated_inbound,
    accumulated_outbound, last_inbound_activity, last_outbound_activity, rejected_inbound, failed_outbound,
    inbound_rejection_reason, outbound_connect_failure_reason, scheduled_retry, mail_protocol, name,
    successful_converted, failed_converted, description, url, creation_time, hierarchy,
    oldest_message_id, loops_detected, last_outbound_association_attempt
};
}
namespace err_col {
enum : unsigned { inbound = 1, internal, outbound };
}
namespace appl_col {
enum : unsigned {
    name = 2, directory_name, version, uptime, oper_status, last_change, inbound_associations,
    outbound_associations, accumulated_inbound, accumulated_outbound, last_inbound_activity,
    last_outbound_activity, rejected_inbound, failed_outbound, description, url
};
enum : std::int64_t { up = 1, down = 2 };
}

value c32(wide v) { return {smi_type::counter32, counter32(v), {}}; }
value g32(wide v) { return {smi_type::gauge32, gauge32(v), {}}; }
value integer(std::int64_t v) { return {smi_type::integer, v, {}}; }
value ticks(std::uint32_t v) { return {smi_type::timeticks, v, {}}; }
value text(std::string s) { return {smi_type::octet_string, 0, std::move(s)}; }

row make_row(table_id t, std::vector<std::uint32_t> index) {
    row r;
    r.index = std::move(index);
    r.columns.resize(definition(t).max_column + 1);
    return r;
}

/// The sums over all channels that mtaTable and the MTA's applTable row show.
struct totals {
    std::array<wide, counter_count> value{};
    wide current_in = 0, current_out = 0;
    std::int64_t last_in = 0, last_out = 0;
};

totals sum(const snapshot& s) {
    totals t;
    for (const auto& c : s.channels) {
        for (std::size_t i = 0; i < counter_count; ++i) t.value[i] += c.value[i];
        t.current_in += c.current_in;
        t.current_out += c.current_out;
        t.last_in = std::max(t.last_in, c.last_in);
        t.last_out = std::max(t.last_out, c.last_out);
    }
    return t;
}

/// Values of one channel (or the totals) as 128-bit numbers, by counter.
template <class Get>
void fill_volumes(row& r, const Get& get, std::uint32_t block_size, unsigned received, unsigned stored,
                  unsigned transmitted) {
    r.columns[received] = c32(kilo_octets(get(counter::received_blocks), block_size));
    r.columns[stored] = g32(kilo_octets(get(counter::stored_blocks), block_size));
    r.columns[transmitted] = c32(kilo_octets(get(counter::delivered_blocks), block_size));
}

row mta_row(const snapshot& s, const totals& t) {
    row r = make_row(table_id::mta, {appl_index_mta});
    const auto get = [&](counter c) { return t.value[index(c)]; };
    r.columns[mta_col::received_messages] = c32(get(counter::received_messages));
    r.columns[mta_col::stored_messages] = g32(get(counter::stored_messages));
    r.columns[mta_col::transmitted_messages] = c32(get(counter::delivered_messages));
    fill_volumes(r, get, s.section.block_size, mta_col::received_volume, mta_col::stored_volume,
                 mta_col::transmitted_volume);
    r.columns[mta_col::received_recipients] = c32(get(counter::received_recipients));
    r.columns[mta_col::stored_recipients] = g32(get(counter::stored_recipients));
    r.columns[mta_col::transmitted_recipients] = c32(get(counter::delivered_recipients));
    return r;
}

row group_row(const snapshot& s, const channel_values& c, std::int64_t now) {
    row r = make_row(table_id::mta_group, {appl_index_mta, c.slot + 1});
    const auto get = [&](counter k) { return static_cast<wide>(c.get(k)); };
    r.columns[grp_col::received_messages] = c32(get(counter::received_messages));
    r.columns[grp_col::rejected_messages] = c32(get(counter::rejected_messages));
    r.columns[grp_col::stored_messages] = g32(get(counter::stored_messages));
    r.columns[grp_col::transmitted_messages] = c32(get(counter::delivered_messages));
    fill_volumes(r, get, s.section.block_size, grp_col::received_volume, grp_col::stored_volume,
                 grp_col::transmitted_volume);
    r.columns[grp_col::received_recipients] = c32(get(counter::received_recipients));
    r.columns[grp_col::stored_recipients] = g32(get(counter::stored_recipients));
    r.columns[grp_col::transmitted_recipients] = c32(get(counter::delivered_recipients));
    r.columns[grp_col::inbound_associations] = g32(c.current_in);
    r.columns[grp_col::outbound_associations] = g32(c.current_out);
    r.columns[grp_col::accumulated_inbound] = c32(get(counter::in_assocs));
    r.columns[grp_col::accumulated_outbound] = c32(get(counter::out_assocs));
    if (c.last_in != 0) r.columns[grp_col::last_inbound_activity] = integer(time_interval(c.last_in, now));
    if (c.last_out != 0) r.columns[grp_col::last_outbound_activity] = integer(time_interval(c.last_out, now));
    r.columns[grp_col::rejected_inbound] = c32(get(counter::in_assocs_rejected));
    r.columns[grp_col::failed_outbound] = c32(get(counter::out_assocs_failed));
    r.columns[grp_col::name] = text(c.name);
    // RFC 2789: "A zero value means that this MIB implementation doesn't implement hierarchy
    // indicators": the MIB's own answer, not a count.
    r.columns[grp_col::hierarchy] = integer(0);
    return r;
}

row error_row(const channel_values& c, std::uint32_t status, counter k) {
    row r = make_row(table_id::mta_group_error, {appl_index_mta, c.slot + 1, status});
    r.columns[err_col::outbound] = c32(c.get(k));
    return r;
}

row mta_appl_row(const inputs& in) {
    row r = make_row(table_id::appl, {appl_index_mta});
    const std::string& name = in.section != nullptr ? in.section->section.name : in.section_name;
    r.columns[appl_col::name] = text(name);
    // RFC 2788: "An empty string indicates that no information about the application is
    // available in the directory."
    r.columns[appl_col::directory_name] = text("");
    if (in.section == nullptr) {
        r.columns[appl_col::version] = text("libcounters " + in.version);
        r.columns[appl_col::oper_status] = integer(appl_col::down);
        r.columns[appl_col::last_change] = ticks(time_stamp(in.agent_start, in.down_since));
        r.columns[appl_col::description] = text("MTA channel counters (libcounters section, not readable)");
        return r;
    }
    const snapshot& s = *in.section;
    const totals t = sum(s);
    const auto get = [&](counter c) { return t.value[index(c)]; };
    r.columns[appl_col::version] =
        text("libcounters " + in.version + ", section format " + std::to_string(s.section.version_major) + "." +
             std::to_string(s.section.version_minor));
    r.columns[appl_col::uptime] = ticks(time_stamp(in.agent_start, s.section.created));
    r.columns[appl_col::oper_status] = integer(appl_col::up);
    r.columns[appl_col::last_change] =
        ticks(time_stamp(in.agent_start, std::max(s.section.created, s.section.cleared)));
    r.columns[appl_col::inbound_associations] = g32(t.current_in);
    r.columns[appl_col::outbound_associations] = g32(t.current_out);
    r.columns[appl_col::accumulated_inbound] = c32(get(counter::in_assocs));
    r.columns[appl_col::accumulated_outbound] = c32(get(counter::out_assocs));
    if (t.last_in != 0) r.columns[appl_col::last_inbound_activity] = ticks(time_stamp(in.agent_start, t.last_in));
    if (t.last_out != 0)
        r.columns[appl_col::last_outbound_activity] = ticks(time_stamp(in.agent_start, t.last_out));
    r.columns[appl_col::rejected_inbound] = c32(get(counter::in_assocs_rejected));
    r.columns[appl_col::failed_outbound] = c32(get(counter::out_assocs_failed));
    r.columns[appl_col::description] = text("MTA channel counters (libcounters section)");
    return r;
}

/// A service object of the registry (imapstat, popstat, httpstat), summed over its
/// instances; std::nullopt when the registry lacks it.
std::optional<row> service_row(const registry_snapshot& reg, const char* object, std::uint32_t appl_index,
                               std::int64_t agent_start) {
    const object_values* o = reg.find(object);
    if (o == nullptr) return std::nullopt;
    wide current = 0, connections = 0;
    std::int64_t started = 0, last = 0;
    bool has_current = false, has_connections = false;
    for (const auto& inst : o->instances) {
        for (const auto& f : inst.fields) {
            if (f.name == "numCurrentConnections" && f.kind == field_kind::gauge) {
                current += f.number;
                has_current = true;
            } else if (f.name == "numConnections" && f.kind == field_kind::counter) {
                connections += f.number;
                has_connections = true;
            } else if (f.name == "currentStartTime" && f.kind == field_kind::time) {
                started = std::max(started, f.number);
            } else if (f.name == "lastConnectionTime" && f.kind == field_kind::time) {
                last = std::max(last, f.number);
            }
        }
    }
    row r = make_row(table_id::appl, {appl_index});
    r.columns[appl_col::name] = text(object);
    r.columns[appl_col::directory_name] = text("");
    if (started != 0) r.columns[appl_col::uptime] = ticks(time_stamp(agent_start, started));
    if (has_current) r.columns[appl_col::inbound_associations] = g32(current);
    if (has_connections) r.columns[appl_col::accumulated_inbound] = c32(connections);
    if (last != 0) r.columns[appl_col::last_inbound_activity] = ticks(time_stamp(agent_start, last));
    return r;
}

} // namespace

std::uint32_t counter32(std::int64_t v) noexcept { return static_cast<std::uint32_t>(static_cast<std::uint64_t>(v)); }

std::uint32_t counter32(wide v) noexcept {
    return static_cast<std::uint32_t>(static_cast<uwide>(v) & 0xffffffffU);
}

std::uint32_t gauge32(wide v) noexcept {
    if (v < 0) return 0;
    if (v > u32_max) return static_cast<std::uint32_t>(u32_max);
    return static_cast<std::uint32_t>(v);
}

wide kilo_octets(wide blocks, std::uint32_t block_size) noexcept {
    const wide octets = blocks * block_size; // |blocks| < 2^70 in every sum: no overflow
    // Rounded down (towards minus infinity, so that a negative gauge stays negative).
    return octets >= 0 ? octets / 1024 : -((-octets + 1023) / 1024);
}

std::int64_t time_interval(std::int64_t from, std::int64_t to) noexcept {
    const wide d = static_cast<wide>(to) - from;
    if (d <= 0) return 0;
    const wide cs = d * 100;
    return cs > i32_max ? i32_max : static_cast<std::int64_t>(cs);
}

std::uint32_t time_stamp(std::int64_t agent_start, std::int64_t event) noexcept {
    const wide d = static_cast<wide>(event) - agent_start;
    if (d <= 0) return 0;
    return counter32(d * 100);
}

const table_def& definition(table_id t) {
    static const std::array<table_def, all_tables.size()> defs = [] {
        std::array<table_def, all_tables.size()> d{};
        d[static_cast<std::size_t>(table_id::mta)] = {
            "mtaTable", entry_oid(28, 1), 1, 1, 12, range(mta_col::received_messages, mta_col::transmitted_recipients)};
        d[static_cast<std::size_t>(table_id::mta_group)] = {
            "mtaGroupTable",
            entry_oid(28, 2),
            2,
            2,
            34,
            {grp_col::received_messages, grp_col::rejected_messages, grp_col::stored_messages,
             grp_col::transmitted_messages, grp_col::received_volume, grp_col::stored_volume,
             grp_col::transmitted_volume, grp_col::received_recipients, grp_col::stored_recipients,
             grp_col::transmitted_recipients, grp_col::inbound_associations, grp_col::outbound_associations,
             grp_col::accumulated_inbound, grp_col::accumulated_outbound, grp_col::last_inbound_activity,
             grp_col::last_outbound_activity, grp_col::rejected_inbound, grp_col::failed_outbound, grp_col::name,
             grp_col::hierarchy}};
        d[static_cast<std::size_t>(table_id::mta_group_association)] = {
            "mtaGroupAssociationTable", entry_oid(28, 3), 3, 1, 1, {}};
        d[static_cast<std::size_t>(table_id::mta_group_error)] = {
            "mtaGroupErrorTable", entry_oid(28, 5), 3, 1, 3, {err_col::outbound}};
        d[static_cast<std::size_t>(table_id::appl)] = {
            "applTable",
            entry_oid(27, 1),
            1,
            2,
            17,
            {appl_col::name, appl_col::directory_name, appl_col::version, appl_col::uptime, appl_col::oper_status,
             appl_col::last_change, appl_col::inbound_associations, appl_col::outbound_associations,
             appl_col::accumulated_inbound, appl_col::accumulated_outbound, appl_col::last_inbound_activity,
             appl_col::last_outbound_activity, appl_col::rejected_inbound, appl_col::failed_outbound,
             appl_col::description}};
        return d;
    }();
    return defs[static_cast<std::size_t>(t)];
}

tables map_tables(const inputs& in) {
    tables out;
    for (std::size_t i = 0; i < all_tables.size(); ++i) out.of[i].id = all_tables[i];
    auto& mta = out.of[static_cast<std::size_t>(table_id::mta)].rows;
    auto& group = out.of[static_cast<std::size_t>(table_id::mta_group)].rows;
    auto& error = out.of[static_cast<std::size_t>(table_id::mta_group_error)].rows;
    auto& appl = out.of[static_cast<std::size_t>(table_id::appl)].rows;
    if (in.section != nullptr) {
        const snapshot& s = *in.section;
        mta.push_back(mta_row(s, sum(s)));
        // Channels come in registration (slot) order; sort by slot all the same, so the rows
        // are in index order whatever the snapshot holds.
        std::vector<const channel_values*> by_slot;
        by_slot.reserve(s.channels.size());
        for (const auto& c : s.channels) by_slot.push_back(&c);
        std::stable_sort(by_slot.begin(), by_slot.end(),
                         [](const channel_values* a, const channel_values* b) { return a->slot < b->slot; });
        group.reserve(by_slot.size());
        for (const auto* c : by_slot) group.push_back(group_row(s, *c, in.now));
        error.reserve(2 * by_slot.size());
        for (const auto* c : by_slot) {
            error.push_back(error_row(*c, status_temporary, counter::attempted_messages));
            error.push_back(error_row(*c, status_permanent, counter::failed_messages));
        }
    }
    appl.push_back(mta_appl_row(in));
    if (in.registry != nullptr) {
        const std::pair<const char*, std::uint32_t> services[] = {
            {"imapstat", appl_index_imap}, {"popstat", appl_index_pop}, {"httpstat", appl_index_http}};
        for (const auto& [object, index] : services)
            if (auto r = service_row(*in.registry, object, index, in.agent_start)) appl.push_back(std::move(*r));
    }
    return out;
}

} // namespace counters::snmp

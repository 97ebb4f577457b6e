// SPDX-License-Identifier: MIT
/// @file mib.hpp
/// The MTA-MIB (RFC 2789, 1.3.6.1.2.1.28) and the applTable of the NETWORK-SERVICES-MIB
/// (RFC 2788, 1.3.6.1.2.1.27) as plain values computed from a section snapshot and a
/// registry snapshot: which rows exist, their indexes, and each column's value already in
/// its SNMP type's range, or no value (noSuchInstance) where the section cannot fill it
/// honestly. No net-snmp type appears here: the agent (agent.cpp) only copies these values
/// into varbinds, and the tests check the mapping without an SNMP stack.
///
/// Everything here is a pure function of its inputs: no clock, no shared memory, no global
/// state. Throws only std::bad_alloc.
#pragma once

#include <counters/registry_snapshot.hpp>
#include <counters/snapshot.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace counters::snmp {

/// A 128-bit integer: sums and products of 64-bit values never overflow in it.
__extension__ typedef __int128 wide;

/// The SMI types the tables use.
enum class smi_type : std::uint8_t {
    integer,       ///< INTEGER / Integer32 (also TimeInterval and enumerations)
    counter32,     ///< Counter32: modulo 2^32
    gauge32,       ///< Gauge32: clamped to [0, 2^32 - 1]
    timeticks,     ///< TimeTicks (TimeStamp): hundredths of a second
    octet_string,  ///< OCTET STRING (DisplayString, SnmpAdminString)
};

/// One column value, already in the range of its type: `number` holds the INTEGER (signed
/// 32 bits) or the unsigned 32-bit value; `text` the octets of a string.
struct value {
    smi_type type = smi_type::integer;
    std::int64_t number = 0;
    std::string text;

    friend bool operator==(const value& a, const value& b) {
        return a.type == b.type && a.number == b.number && a.text == b.text;
    }
};

/// One conceptual row: its index sub-identifiers and its columns (by column number;
/// std::nullopt: noSuchInstance).
struct row {
    std::vector<std::uint32_t> index;
    std::vector<std::optional<value>> columns; ///< [0] unused; size max_column + 1
    /// The value of column @p column, or nullptr (noSuchInstance, or outside the table).
    const value* get(unsigned column) const noexcept {
        if (column >= columns.size() || !columns[column]) return nullptr;
        return &*columns[column];
    }
};

/// The tables served.
enum class table_id : std::uint8_t { mta, mta_group, mta_group_association, mta_group_error, appl };
inline constexpr std::array<table_id, 5> all_tables = {table_id::mta, table_id::mta_group,
                                                       table_id::mta_group_association, table_id::mta_group_error,
                                                       table_id::appl};

/// Static description of a table.
struct table_def {
    const char* name;                  ///< MIB name of the table, e.g. "mtaGroupTable"
    std::vector<std::uint32_t> oid;    ///< OID of the table's entry (TABLE.1)
    unsigned index_count;              ///< number of INTEGER index sub-identifiers
    unsigned min_column, max_column;   ///< accessible column range
    /// Columns that may hold a value in some row (the others are noSuchInstance in every
    /// row), in increasing order.
    std::vector<unsigned> served;
};

/// Description of @p t. Never throws (the data is built once).
const table_def& definition(table_id t);

/// One table's rows, in increasing index order (the order SNMP walks them).
struct table {
    table_id id = table_id::mta;
    std::vector<row> rows;
};

/// What the mapping reads.
struct inputs {
    /// The section; nullptr when it could not be read (missing, deleted, unreadable): then
    /// the MTA-MIB tables are empty and the MTA's applTable row says down(2).
    const snapshot* section = nullptr;
    /// The section's name (applName of the MTA row), used when @p section is nullptr.
    std::string section_name;
    /// The registry; nullptr: no service rows.
    const registry_snapshot* registry = nullptr;
    std::int64_t now = 0;         ///< seconds since the epoch
    /// When the agent started (seconds since the epoch): TimeStamp values count from here,
    /// and events before it are 0, as RFC 2788 says of applUptime.
    std::int64_t agent_start = 0;
    /// When the section was last seen missing after having been readable, or agent_start:
    /// applLastChange of a down MTA row.
    std::int64_t down_since = 0;
    std::string version;          ///< libcounters version, for applVersion
};

/// The five tables, in all_tables order.
struct tables {
    std::array<table, all_tables.size()> of;
    const table& get(table_id t) const noexcept { return of[static_cast<std::size_t>(t)]; }
};

/// Maps @p in to the tables (see counters-snmpd(8) for every column).
tables map_tables(const inputs& in);

/// applIndex values: the MTA, then the registry's service objects.
inline constexpr std::uint32_t appl_index_mta = 1;
inline constexpr std::uint32_t appl_index_imap = 2;
inline constexpr std::uint32_t appl_index_pop = 3;
inline constexpr std::uint32_t appl_index_http = 4;

/// mtaStatusCode index values served in mtaGroupErrorTable: 4.0.0 and 5.0.0.
inline constexpr std::uint32_t status_temporary = 4000000;
inline constexpr std::uint32_t status_permanent = 5000000;

// The conversions, exposed for the tests.

/// Counter32: @p v modulo 2^32 (a negative value, which only a corrupt section holds, is
/// taken in two's complement like any other 64-bit value).
std::uint32_t counter32(std::int64_t v) noexcept;
std::uint32_t counter32(wide v) noexcept;
/// Gauge32: @p v clamped to [0, 2^32 - 1].
std::uint32_t gauge32(wide v) noexcept;
/// Kilo-octets (1024 octets) in @p blocks of @p block_size octets, rounded down.
wide kilo_octets(wide blocks, std::uint32_t block_size) noexcept;
/// TimeInterval (hundredths of a second, INTEGER 0..2147483647) from @p from to @p to
/// (seconds since the epoch): 0 when @p to is before @p from, clamped at the top.
std::int64_t time_interval(std::int64_t from, std::int64_t to) noexcept;
/// TimeStamp (TimeTicks): hundredths of a second from @p agent_start to @p event, 0 when
/// the event came before the agent started; modulo 2^32 as TimeTicks wrap.
std::uint32_t time_stamp(std::int64_t agent_start, std::int64_t event) noexcept;

} // namespace counters::snmp

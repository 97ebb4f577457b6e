// SPDX-License-Identifier: MIT
/// @file snapshot.hpp
/// Reader side: a plain-value copy of a whole section. Every tool and exporter renders from
/// it. Reading maps the section read-only and treats it as untrusted input: every size,
/// offset, count, state and name is validated before use.
#pragma once

#include <counters/export.hpp>

#include <counters/counter.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace counters {

/// Section metadata.
struct COUNTERS_API section_info {
    std::string name;                ///< section name
    std::uint16_t version_major = 0; ///< wire-format version
    std::uint16_t version_minor = 0;
    std::uint32_t block_size = 0;    ///< bytes per block
    std::uint32_t max_channels = 0;  ///< channel table size fixed at creation
    std::uint32_t channels = 0;      ///< channels registered
    std::uint32_t process_slots = 0; ///< writer-process slots (for current associations)
    std::int64_t created = 0;        ///< creation time, seconds since the epoch
    std::int64_t cleared = 0;        ///< last clear time (0: never cleared)
    std::int64_t clear_count = 0;    ///< number of clears since creation
    std::int64_t overflow = 0;       ///< registrations refused because the table was full
    std::uint64_t instance_id = 0;   ///< random id drawn at creation
    std::uint64_t size = 0;          ///< segment size in bytes
    /// Empty when a writer would trust the section; otherwise why it would not (e.g. owned
    /// by another user and world-writable): its figures may have been planted. Set by
    /// read_snapshot() only. See libcounters(3), "Trust".
    std::string distrust;
};

/// Values of one channel at the moment it was read.
struct COUNTERS_API channel_values {
    std::string name;                                 ///< channel name, as stored
    std::array<std::int64_t, counter_count> value{};   ///< current values
    std::array<std::int64_t, counter_count> minimum{}; ///< lowest value since create/clear
    std::int64_t current_in = 0;  ///< open inbound associations of live writer processes
    std::int64_t current_out = 0; ///< open outbound associations of live writer processes
    std::int64_t last_in = 0;     ///< last inbound activity, seconds since the epoch (0: none)
    std::int64_t last_out = 0;    ///< last outbound activity (0: none)
    /// Index of the channel's slot in the section (0-based): fixed at registration and
    /// stable for the section's life, even when a registration in progress leaves a gap.
    std::uint32_t slot = 0;

    std::int64_t get(counter c) const noexcept { return value[index(c)]; }
    std::int64_t min(counter c) const noexcept { return minimum[index(c)]; }
    /// The "absolute" value: current minus the lowest value held since create/clear
    /// (saturating at INT64_MAX, which only a corrupt section can reach).
    std::int64_t absolute(counter c) const noexcept {
        std::int64_t r = 0;
        if (__builtin_sub_overflow(get(c), min(c), &r)) return get(c) < 0 ? INT64_MIN : INT64_MAX;
        return r;
    }
};

/// A whole section.
struct COUNTERS_API snapshot {
    section_info section;
    std::vector<channel_values> channels; ///< in registration order
    /// The channel called @p name, or nullptr. A linear search: for one look-up; index the
    /// channels yourself to look up many.
    const channel_values* find(std::string_view name) const noexcept;
};

/// Maps section @p name read-only and copies it. Throws counters::error: not found,
/// permission denied, truncated/corrupt, foreign (bad magic), other version, not ready.
COUNTERS_API snapshot read_snapshot(const std::string& name);

/// Decodes a section image of @p size bytes at @p data (a mapping or a file copy), with the
/// same validation as read_snapshot(); @p name is only used in messages. For tests, fuzzers
/// and offline inspection. Throws counters::error.
COUNTERS_API snapshot decode_snapshot(const void* data, std::size_t size, const std::string& name);

/// A section opened for reading one channel at a time, without a copy of the whole table:
/// for readers that write a large section out as they go (`counters -show` streams its text
/// and JSON this way), whose memory then stays small whatever the section's size. Validates
/// exactly as read_snapshot() does (the section stays mapped, read-only, for the reader's
/// life; every read treats it as untrusted).
///
/// The channel set is fixed when it is opened: the channels registered then, in registration
/// order (info().channels of them); one registered later is not seen. Each read_channel()
/// reads that channel's values at that moment, so two reads of a channel may differ, and
/// the channels are not read at one instant (read_snapshot() reads them one after another
/// too, only closer together). A section deleted or re-created meanwhile stays readable as
/// it was until the reader is destroyed.
///
/// Safe from several threads at once (reads only); movable, not copyable.
class COUNTERS_API section_reader {
public:
    /// Maps section @p name read-only and checks it; sums the open associations of live
    /// writer processes (as read_snapshot() does, once, now). Throws counters::error as
    /// read_snapshot(): not found, permission denied, truncated/corrupt, foreign, other
    /// version, not ready.
    explicit section_reader(const std::string& name);
    ~section_reader();
    section_reader(section_reader&&) noexcept;
    section_reader& operator=(section_reader&&) noexcept;
    section_reader(const section_reader&) = delete;
    section_reader& operator=(const section_reader&) = delete;

    /// The section's metadata, as read_snapshot() gives it (distrust included), read when
    /// the reader was opened.
    const section_info& info() const noexcept;

    /// The slots to visit: read_channel() takes 0 .. slot_count() - 1 (a channel's slot is
    /// channel_values::slot).
    std::uint32_t slot_count() const noexcept;

    /// Reads the channel in slot @p slot into @p out (every member, as read_snapshot() fills
    /// it; @p out's name keeps its capacity from one call to the next) and returns true;
    /// returns false, leaving @p out as it was, for a slot whose registration was still in
    /// progress when the reader was opened. Throws counters::error (corrupt) when the slot's
    /// name is bad, std::out_of_range when @p slot >= slot_count().
    bool read_channel(std::uint32_t slot, channel_values& out) const;

private:
    struct state;
    std::unique_ptr<state> state_;
};

} // namespace counters

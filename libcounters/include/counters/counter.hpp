// SPDX-License-Identifier: MIT
/// @file counter.hpp
/// The per-channel counters, declared once. Everything else is derived from this one list:
/// the counter enumeration and the order of the values in the shared-memory slot, the
/// snapshot, the text table of `counters -show`, the JSON keys, what each clear zeroes, the
/// key table of counters(5) (checked by a test), and the names reserved for the exporters
/// to come (Prometheus, the MTA-MIB). All of it is constant data: thread- and process-safe.
#pragma once

#include <counters/export.hpp>

#include <cstddef>
#include <cstdint>

namespace counters {

/// X(id, key, kind, unit, group, text_row, text_column, mib, prometheus_family,
///   prometheus_sample, prometheus_labels, help)
///
/// - id: the enumerator of `counter`. The order of the list is the order of the values in
///   a channel slot (counters(5)): never reorder, insert or remove an entry.
/// - key: stable JSON key.
/// - kind: a counter_kind enumerator; unit: a counter_unit enumerator.
/// - group: a counter_group enumerator, what clear_section() zeroes the counter with.
/// - text_row: label of the line of the text table that shows it (nullptr: not shown);
///   text_column: a text_column enumerator, its place on that line.
/// - mib: column of the RFC 2789 mtaGroupTable (1.3.6.1.2.1.28.2.1.mib), 0 when none.
/// - prometheus_family, prometheus_sample, prometheus_labels: see counter_info.
/// - help: one-line description.
#define COUNTERS_CHANNEL_COUNTERS(X)                                                                                 \
    X(received_messages, "received_messages", counter, messages, channels, "Received", messages, 2,                  \
      "mta_channel_messages_total", "", "event=\"received\"",                                                        \
      "messages enqueued to the channel")                                                                            \
    X(received_recipients, "received_recipients", counter, recipients, channels, "Received", recipients, 9,          \
      "mta_channel_recipients_total", "", "event=\"received\"",                                                      \
      "recipients enqueued to the channel")                                                                          \
    X(received_blocks, "received_blocks", counter, blocks, channels, "Received", blocks, 6,                          \
      "mta_channel_blocks_total", "", "event=\"received\"",                                                          \
      "blocks enqueued to the channel")                                                                              \
    X(stored_messages, "stored_messages", gauge, messages, channels, "Stored", messages, 4,                          \
      "mta_channel_stored_messages", "", "",                                                                         \
      "messages in the channel's queue")                                                                             \
    X(stored_recipients, "stored_recipients", gauge, recipients, channels, "Stored", recipients, 10,                 \
      "mta_channel_stored_recipients", "", "",                                                                       \
      "recipients in the channel's queue")                                                                           \
    X(stored_blocks, "stored_blocks", gauge, blocks, channels, "Stored", blocks, 7,                                  \
      "mta_channel_stored_blocks", "", "",                                                                           \
      "blocks in the channel's queue")                                                                               \
    X(delivered_messages, "delivered_messages", counter, messages, channels, "Delivered", messages, 5,               \
      "mta_channel_messages_total", "", "event=\"delivered\"",                                                       \
      "messages dequeued by the channel")                                                                            \
    X(delivered_recipients, "delivered_recipients", counter, recipients, channels, "Delivered", recipients, 11,      \
      "mta_channel_recipients_total", "", "event=\"delivered\"",                                                     \
      "recipients dequeued by the channel")                                                                          \
    X(delivered_blocks, "delivered_blocks", counter, blocks, channels, "Delivered", blocks, 8,                       \
      "mta_channel_blocks_total", "", "event=\"delivered\"",                                                         \
      "blocks dequeued by the channel")                                                                              \
    X(submitted_messages, "submitted_messages", counter, messages, channels, "Submitted", messages, 0,               \
      "mta_channel_messages_total", "", "event=\"submitted\"",                                                       \
      "messages enqueued by the channel")                                                                            \
    X(submitted_recipients, "submitted_recipients", counter, recipients, channels, "Submitted", recipients, 0,       \
      "mta_channel_recipients_total", "", "event=\"submitted\"",                                                     \
      "recipients enqueued by the channel")                                                                          \
    X(submitted_blocks, "submitted_blocks", counter, blocks, channels, "Submitted", blocks, 0,                       \
      "mta_channel_blocks_total", "", "event=\"submitted\"",                                                         \
      "blocks enqueued by the channel")                                                                              \
    X(attempted_messages, "attempted_messages", counter, messages, channels, "Attempted", messages, 0,               \
      "mta_channel_messages_total", "", "event=\"attempted\"",                                                       \
      "dequeue attempts that failed temporarily")                                                                    \
    X(attempted_recipients, "attempted_recipients", counter, recipients, channels, "Attempted", recipients, 0,       \
      "mta_channel_recipients_total", "", "event=\"attempted\"",                                                     \
      "recipients of those attempts")                                                                                \
    X(attempted_blocks, "attempted_blocks", counter, blocks, channels, "Attempted", blocks, 0,                       \
      "mta_channel_blocks_total", "", "event=\"attempted\"",                                                         \
      "blocks of those attempts")                                                                                    \
    X(rejected_messages, "rejected_messages", counter, messages, channels, "Rejected", messages, 3,                  \
      "mta_channel_messages_total", "", "event=\"rejected\"",                                                        \
      "enqueues refused")                                                                                            \
    X(rejected_recipients, "rejected_recipients", counter, recipients, channels, "Rejected", recipients, 0,          \
      "mta_channel_recipients_total", "", "event=\"rejected\"",                                                      \
      "recipients of refused enqueues")                                                                              \
    X(rejected_blocks, "rejected_blocks", counter, blocks, channels, "Rejected", blocks, 0,                          \
      "mta_channel_blocks_total", "", "event=\"rejected\"",                                                          \
      "blocks of refused enqueues")                                                                                  \
    X(failed_messages, "failed_messages", counter, messages, channels, "Failed", messages, 0,                        \
      "mta_channel_messages_total", "", "event=\"failed\"",                                                          \
      "dequeues that failed permanently")                                                                            \
    X(failed_recipients, "failed_recipients", counter, recipients, channels, "Failed", recipients, 0,                \
      "mta_channel_recipients_total", "", "event=\"failed\"",                                                        \
      "recipients that failed permanently")                                                                          \
    X(failed_blocks, "failed_blocks", counter, blocks, channels, "Failed", blocks, 0,                                \
      "mta_channel_blocks_total", "", "event=\"failed\"",                                                            \
      "blocks that failed permanently")                                                                              \
    X(delivered_first_messages, "delivered_first_messages", counter, messages, channels, "Delivered", first_time, 0, \
      "mta_channel_messages_total", "", "event=\"delivered_first\"",                                                 \
      "messages dequeued on their first attempt")                                                                    \
    X(queue_time, "queue_time_seconds", time, seconds, channels, "Queue time/count", time, 0,                        \
      "mta_channel_queue_time_seconds", "_sum", "",                                                                  \
      "seconds in queue of dequeued messages")                                                                       \
    X(queue_count, "queue_count", counter, messages, channels, "Queue time/count", count, 0,                         \
      "mta_channel_queue_time_seconds", "_count", "",                                                                \
      "dequeued messages counted in queue_time")                                                                     \
    X(queue_first_time, "queue_first_time_seconds", time, seconds, channels, "Queue first time/count", time, 0,      \
      "mta_channel_first_attempt_queue_time_seconds", "_sum", "",                                                    \
      "seconds in queue of messages dequeued on the first attempt")                                                  \
    X(queue_first_count, "queue_first_count", counter, messages, channels, "Queue first time/count", count, 0,       \
      "mta_channel_first_attempt_queue_time_seconds", "_count", "",                                                  \
      "messages counted in queue_first_time")                                                                        \
    X(in_assocs, "inbound_associations", counter, associations, associations, "Total In Assocs", total, 15,          \
      "mta_channel_associations_total", "", "direction=\"inbound\"",                                                 \
      "inbound associations (connections) opened")                                                                   \
    X(out_assocs, "outbound_associations", counter, associations, associations, "Total Out Assocs", total, 16,       \
      "mta_channel_associations_total", "", "direction=\"outbound\"",                                                \
      "outbound associations opened")                                                                                \
    X(in_assocs_rejected, "rejected_inbound_associations", counter, associations, associations, nullptr, none, 19,   \
      "mta_channel_association_failures_total", "", "direction=\"inbound\"",                                         \
      "inbound associations rejected")                                                                               \
    X(out_assocs_failed, "failed_outbound_associations", counter, associations, associations, nullptr, none, 20,     \
      "mta_channel_association_failures_total", "", "direction=\"outbound\"",                                        \
      "outbound associations that failed to connect")

/// Identifies one per-channel counter; the order is the order of the list above.
enum class counter : std::uint8_t {
#define COUNTERS_X_ENUM(id, ...) id,
    COUNTERS_CHANNEL_COUNTERS(COUNTERS_X_ENUM)
#undef COUNTERS_X_ENUM
};

namespace detail {
/// The same enumerators followed by one more, whose value is the number of counters.
enum class counter_end : std::size_t {
#define COUNTERS_X_ENUM(id, ...) id,
    COUNTERS_CHANNEL_COUNTERS(COUNTERS_X_ENUM)
#undef COUNTERS_X_ENUM
    count
};
} // namespace detail

/// Number of per-channel counters.
inline constexpr std::size_t counter_count = static_cast<std::size_t>(detail::counter_end::count);

/// How a counter's value moves.
enum class counter_kind : std::uint8_t {
    counter, ///< a count of events: only grows between clears
    gauge,   ///< a level (Stored): goes up and down, may go below zero after a clear
    time,    ///< a total of seconds over events (queue time): only grows between clears
};

/// What a counter counts.
enum class counter_unit : std::uint8_t {
    messages,
    recipients,
    blocks,       ///< message size in blocks of section_info::block_size bytes
    seconds,
    associations, ///< SMTP (or other protocol) connections
};

/// The clear group of a counter: what clear_section() zeroes it with. The values are the
/// bits of the matching clear_what values.
enum class counter_group : std::uint8_t {
    channels = 1,     ///< message rows, first-attempt and queue-time figures
    associations = 2, ///< association totals, rejected and failed associations
};

/// The place of a counter on its line of the text table (counter_info::text_row).
enum class text_column : std::uint8_t {
    none,       ///< not shown in the text table
    messages,   ///< the Messages column of a row
    recipients, ///< the Recipients column of a row
    blocks,     ///< the Blocks column of a row
    first_time, ///< the `(N first time)` after the Blocks column
    time,       ///< T of a `T/C = average` queue line
    count,      ///< C of a `T/C = average` queue line
    total,      ///< the number of a `Total ...` association line
};

/// Static description of one counter, one entry of COUNTERS_CHANNEL_COUNTERS.
struct COUNTERS_API counter_info {
    const char* key;  ///< stable JSON key, e.g. "received_messages"
    bool gauge;       ///< true when the value may go down (Stored): kind == counter_kind::gauge
    const char* help; ///< one-line description
    counter id;          ///< the counter described
    counter_kind kind;   ///< counter, gauge or time
    counter_unit unit;   ///< what one unit of the value is
    counter_group group; ///< what clear_section() zeroes it with
    /// Label of the line of the text table that shows the counter ("Received", "Queue
    /// time/count", "Total In Assocs"), nullptr when the text table does not show it. Lines
    /// come in the order in which their labels first appear in the list.
    const char* text_row;
    text_column column;          ///< its place on that line (none when text_row is nullptr)
    std::uint8_t mib_column;     ///< RFC 2789 mtaGroupTable column (1.3.6.1.2.1.28.2.1.N), 0: none
    /// Prometheus metric family reserved for the exporters to come: base units, `_total` on
    /// counters, e.g. "mta_channel_messages_total". Sizes are in blocks: the block size is
    /// exported on its own.
    const char* prometheus_family;
    /// Appended to the family to name the sample: "" or, for the two halves of a summary,
    /// "_sum" (a time) and "_count".
    const char* prometheus_sample;
    /// Labels of the sample besides `channel`, in exposition syntax (`event="received"`),
    /// "" when none.
    const char* prometheus_labels;
};

/// Prometheus gauge family reserved for a section's block size in bytes
/// (section_info::block_size): the `blocks` families count in blocks of that size.
inline constexpr const char* prometheus_block_size_family = "mta_section_block_size_bytes";

/// Description of @p c. Never throws; thread- and process-safe (constant data).
COUNTERS_API const counter_info& info(counter c) noexcept;

/// "counter", "gauge" or "time". Never throws; thread-safe.
COUNTERS_API const char* to_string(counter_kind k) noexcept;
/// "messages", "recipients", "blocks", "seconds" or "associations". Never throws; thread-safe.
COUNTERS_API const char* to_string(counter_unit u) noexcept;

/// Index of @p c in arrays of counter_count values.
constexpr std::size_t index(counter c) noexcept { return static_cast<std::size_t>(c); }

/// The seven rows of the table (their three columns are Messages, Recipients, Blocks).
enum class row : std::uint8_t { received, stored, delivered, submitted, attempted, rejected, failed };
inline constexpr std::size_t row_count = 7;
/// First counter of @p r (its messages column); recipients and blocks follow it.
constexpr counter first_counter(row r) noexcept {
    return static_cast<counter>(static_cast<std::size_t>(r) * 3);
}

} // namespace counters

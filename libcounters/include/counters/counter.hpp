/// @file counter.hpp
/// The per-channel counters, declared once. Everything else (the shared-memory slot, the
/// snapshot, the text table, JSON keys, documentation) is derived from this one list.
#pragma once

#include <counters/export.hpp>

#include <cstddef>
#include <cstdint>

namespace counters {

/// X(id, json_key, kind, help)
/// kind: 'C' only grows between clears (counter); 'G' goes up and down (gauge).
#define COUNTERS_CHANNEL_COUNTERS(X)                                                         \
    X(received_messages, "received_messages", 'C', "messages enqueued to the channel")       \
    X(received_recipients, "received_recipients", 'C', "recipients enqueued to the channel") \
    X(received_blocks, "received_blocks", 'C', "blocks enqueued to the channel")             \
    X(stored_messages, "stored_messages", 'G', "messages in the channel's queue")            \
    X(stored_recipients, "stored_recipients", 'G', "recipients in the channel's queue")      \
    X(stored_blocks, "stored_blocks", 'G', "blocks in the channel's queue")                  \
    X(delivered_messages, "delivered_messages", 'C', "messages dequeued by the channel")     \
    X(delivered_recipients, "delivered_recipients", 'C', "recipients dequeued")              \
    X(delivered_blocks, "delivered_blocks", 'C', "blocks dequeued")                          \
    X(submitted_messages, "submitted_messages", 'C', "messages enqueued by the channel")     \
    X(submitted_recipients, "submitted_recipients", 'C', "recipients enqueued by it")        \
    X(submitted_blocks, "submitted_blocks", 'C', "blocks enqueued by the channel")           \
    X(attempted_messages, "attempted_messages", 'C', "dequeue attempts that failed temporarily") \
    X(attempted_recipients, "attempted_recipients", 'C', "recipients of those attempts")    \
    X(attempted_blocks, "attempted_blocks", 'C', "blocks of those attempts")                 \
    X(rejected_messages, "rejected_messages", 'C', "enqueues refused")                       \
    X(rejected_recipients, "rejected_recipients", 'C', "recipients of refused enqueues")     \
    X(rejected_blocks, "rejected_blocks", 'C', "blocks of refused enqueues")                 \
    X(failed_messages, "failed_messages", 'C', "dequeues that failed permanently")           \
    X(failed_recipients, "failed_recipients", 'C', "recipients that failed permanently")     \
    X(failed_blocks, "failed_blocks", 'C', "blocks that failed permanently")                 \
    X(delivered_first_messages, "delivered_first_messages", 'C',                             \
      "messages dequeued on their first attempt")                                            \
    X(queue_time, "queue_time_seconds", 'C', "seconds in queue of dequeued messages")        \
    X(queue_count, "queue_count", 'C', "dequeued messages counted in queue_time")            \
    X(queue_first_time, "queue_first_time_seconds", 'C',                                     \
      "seconds in queue of messages dequeued on the first attempt")                          \
    X(queue_first_count, "queue_first_count", 'C',                                           \
      "messages counted in queue_first_time")                                                \
    X(in_assocs, "inbound_associations", 'C', "inbound associations (connections) opened")   \
    X(out_assocs, "outbound_associations", 'C', "outbound associations opened")              \
    X(in_assocs_rejected, "rejected_inbound_associations", 'C',                              \
      "inbound associations rejected")                                                       \
    X(out_assocs_failed, "failed_outbound_associations", 'C',                                \
      "outbound associations that failed to connect")

/// Identifies one per-channel counter; the order is the order of the list above.
enum class counter : std::uint8_t {
#define COUNTERS_X_ENUM(id, key, kind, help) id,
    COUNTERS_CHANNEL_COUNTERS(COUNTERS_X_ENUM)
#undef COUNTERS_X_ENUM
};

namespace detail {
/// The same enumerators followed by one more, whose value is the number of counters.
enum class counter_end : std::size_t {
#define COUNTERS_X_ENUM(id, key, kind, help) id,
    COUNTERS_CHANNEL_COUNTERS(COUNTERS_X_ENUM)
#undef COUNTERS_X_ENUM
    count
};
} // namespace detail

/// Number of per-channel counters.
inline constexpr std::size_t counter_count = static_cast<std::size_t>(detail::counter_end::count);

/// Static description of one counter.
struct COUNTERS_API counter_info {
    const char* key;  ///< stable JSON / metric key, e.g. "received_messages"
    bool gauge;       ///< true when the value may go down (Stored)
    const char* help; ///< one-line description
};

/// Description of @p c. Thread-safe (constant data).
COUNTERS_API const counter_info& info(counter c) noexcept;

/// Index of @p c in arrays of counter_count values.
constexpr std::size_t index(counter c) noexcept { return static_cast<std::size_t>(c); }

/// The three columns of a row of the table (Messages, Recipients, Blocks) and the rows.
enum class row : std::uint8_t { received, stored, delivered, submitted, attempted, rejected, failed };
inline constexpr std::size_t row_count = 7;
/// First counter of @p r (its messages column); recipients and blocks follow it.
constexpr counter first_counter(row r) noexcept {
    return static_cast<counter>(static_cast<std::size_t>(r) * 3);
}

} // namespace counters

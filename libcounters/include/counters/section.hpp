// SPDX-License-Identifier: MIT
/// @file section.hpp
/// Writer side: attach to a channel-counter section and record queue events into it.
///
/// A process creates one `section` per section name it writes to (usually one, at start)
/// and resolves a `channel` handle once per channel name. Recording calls then take the
/// handles and cost a few relaxed atomic additions: no lookup, no lock, no system call,
/// no allocation, no exception. They are safe from any number of threads and processes
/// at once, and never block.
#pragma once

#include <counters/export.hpp>

#include <counters/options.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace counters {

namespace detail {
struct section_impl;
struct binding;
} // namespace detail

/// Which side of an SMTP association (connection) an event concerns.
enum class direction : std::uint8_t { inbound, outbound };

/// A resolved channel of a section: a cheap, copyable reference used by the recording calls.
/// A default-constructed handle, or one whose registration failed because the channel table
/// was full, records nothing. A handle stays valid as long as the `section` that produced
/// it (or the object it was moved into) is alive.
class COUNTERS_API channel {
public:
    channel() noexcept = default;
    /// The channel name ("" for a default-constructed handle).
    std::string_view name() const noexcept;
    /// False for a default-constructed handle or one refused because the table was full.
    bool recording() const noexcept;

private:
    friend class section;
    friend struct detail::section_impl;
    explicit channel(detail::binding* b) noexcept : b_(b) {}
    detail::binding* b_ = nullptr;

    friend void enqueued(const channel&, const channel&, std::uint64_t, std::uint64_t) noexcept;
    friend void dequeued(const channel&, std::uint64_t, std::uint64_t, std::int64_t, bool) noexcept;
    friend void deferred(const channel&, std::uint64_t, std::uint64_t) noexcept;
    friend void rejected(const channel&, std::uint64_t, std::uint64_t) noexcept;
    friend void failed(const channel&, std::uint64_t, std::uint64_t) noexcept;
    friend void association_opened(const channel&, direction) noexcept;
    friend void association_closed(const channel&, direction) noexcept;
    friend void association_rejected(const channel&) noexcept;
    friend void association_failed(const channel&) noexcept;
};

/// A writer's attachment to a section. Creating the object attaches to the named section,
/// creating it when it does not exist (exactly one of several racing creators wins; the
/// others wait briefly until it is ready). When the section is deleted while attached, the
/// next event on each channel notices it and re-attaches to a new section of the same name.
///
/// Set-up calls throw counters::error (the message names the section and the cause).
/// One `section` object may be shared by all threads of a process.
class COUNTERS_API section {
public:
    /// Attaches to @p name (see section_name() for the default and `COUNTERS_SECTION`),
    /// creating it with @p create when it is missing.
    /// Throws counters::error: invalid name or options, permission denied, a section that
    /// is corrupt, foreign, of another format version, or never became ready.
    explicit section(const std::string& name = {}, const create_options& create = {});
    ~section();
    section(section&&) noexcept;
    section& operator=(section&&) noexcept;
    section(const section&) = delete;
    section& operator=(const section&) = delete;

    /// Resolves @p name to a handle, registering the channel on first use (the only
    /// structural write; safe against concurrent registration of the same name and against
    /// a registrant that died half-way). Repeated calls with one name return the same handle.
    /// When the channel table is full, returns a handle that records nothing, bumps the
    /// section's overflow count and reports it once on stderr.
    /// Throws counters::error(errc::invalid_argument) for a bad name (empty, longer than 32
    /// bytes, control characters or spaces), and errc::system when another live process
    /// holds the slot being registered for more than 5 seconds. Thread-safe.
    channel get(std::string_view name);

    /// The section name.
    const std::string& name() const noexcept;
    /// Block size of the attached section, in bytes.
    std::uint32_t block_size() const noexcept;

private:
    std::shared_ptr<detail::section_impl> impl_;
};

/// @name Recording calls, named after the mail.log record codes.
/// Sizes are given in bytes and converted to blocks (rounded up) by the library.
/// All are noexcept, lock-free and never block; a default or overflowed handle is ignored.
///@{

/// E: a message with @p recipients recipients and @p bytes bytes was enqueued by channel
/// @p from to channel @p to: from.Submitted, to.Received and to.Stored grow.
COUNTERS_API void enqueued(const channel& from, const channel& to, std::uint64_t recipients,
              std::uint64_t bytes) noexcept;
/// D: channel @p ch dequeued a message (delivered it onward or returned it to its sender)
/// after @p seconds_in_queue seconds: Delivered grows, Stored shrinks, the queue time grows;
/// with @p first_attempt the first-attempt figures grow too.
COUNTERS_API void dequeued(const channel& ch, std::uint64_t recipients, std::uint64_t bytes,
              std::int64_t seconds_in_queue, bool first_attempt) noexcept;
/// Q or Z: a dequeue attempt of channel @p ch failed temporarily: Attempted grows.
COUNTERS_API void deferred(const channel& ch, std::uint64_t recipients, std::uint64_t bytes) noexcept;
/// J: channel @p ch (the server side) refused to enqueue a message: Rejected grows.
COUNTERS_API void rejected(const channel& ch, std::uint64_t recipients, std::uint64_t bytes) noexcept;
/// R: a dequeue attempt of channel @p ch failed permanently: Failed grows. The message
/// still leaves the queue: record that with dequeued(), and the bounce with enqueued().
COUNTERS_API void failed(const channel& ch, std::uint64_t recipients, std::uint64_t bytes) noexcept;
/// O: an association of channel @p ch opened: its total and current count grow and the
/// last-activity time of that direction is stamped.
COUNTERS_API void association_opened(const channel& ch, direction d) noexcept;
/// C: an association of @p ch closed: the current count shrinks, last activity stamped.
COUNTERS_API void association_closed(const channel& ch, direction d) noexcept;
/// X: an inbound association of @p ch was rejected.
COUNTERS_API void association_rejected(const channel& ch) noexcept;
/// Y: an outbound association attempt of @p ch failed to connect.
COUNTERS_API void association_failed(const channel& ch) noexcept;
///@}

} // namespace counters

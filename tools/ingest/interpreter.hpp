// SPDX-License-Identifier: MIT
/// @file interpreter.hpp
/// counters-ingest's line interpreter: turns the lines of an MTA's log (Postfix, Exim,
/// Sendmail, Messaging Server mail.log) into the library's recording calls.
///
/// This header is the contract between the two halves of counters-ingest:
/// - the follower (sources, tail -F, state file, the `ingest` registry object, main) hands
///   complete lines to an interpreter and asks it for its counts and in-flight state;
/// - the grammars (one per log format) and the in-flight table live behind it.
///
/// Not thread-safe: one interpreter is used by one thread.
#pragma once

#include <counters/section.hpp>

#include <cstddef>
#include <cstdint>
#include <istream>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace counters::ingest {

/// The log formats; `automatic` decides from the first lines it recognises.
enum class log_format { automatic, postfix, exim, sendmail, msgserver };

/// Parses "auto", "postfix", "exim", "sendmail" or "msgserver" (case-insensitive).
/// Throws std::invalid_argument naming the word and the accepted values.
log_format parse_log_format(std::string_view word);
/// The word parse_log_format() accepts for @p f.
std::string_view format_name(log_format f) noexcept;

/// Renames channels: the default channel a grammar derives (e.g. Postfix's `smtpd`) to the
/// channel recorded (e.g. `tcp_local`). Loaded from a `--channel-map` file.
class channel_map {
public:
    /// The file holds `FROM TO` pairs, one per line; `#` starts a comment; blank lines are
    /// ignored. Throws std::runtime_error naming the file, the line number and the cause
    /// (unreadable file, missing field, invalid channel name, FROM given twice).
    static channel_map load(const std::string& path);
    void add(std::string from, std::string to);
    /// The channel recorded for @p name (@p name itself when not mapped).
    std::string_view map(std::string_view name) const noexcept;

private:
    std::map<std::string, std::string, std::less<>> map_;
};

/// What happened to lines, for `--once --stats` and the `ingest` registry object.
struct ingest_counts {
    std::uint64_t lines = 0;     ///< lines handed to line()
    std::uint64_t recorded = 0;  ///< lines that produced at least one recording call
    std::uint64_t ignored = 0;   ///< understood, but carry no counter (e.g. Postfix `cleanup`)
    /// Lines not understood or refused, by reason ("unknown", "too_long", "invalid_utf8",
    /// "binary", "truncated", "bad_number", "evicted", ...); every reason an interpreter
    /// can produce is present, with 0, from construction on.
    std::map<std::string, std::uint64_t> skipped;
};

/// Interprets log lines of one format and records them into one section.
class interpreter {
public:
    /// Throws counters::error when the section cannot be attached.
    /// @p max_in_flight caps the per-queue-id state (oldest evicted first; counted as
    /// skipped "evicted" when an evicted id shows up again).
    interpreter(counters::section& section, log_format format, channel_map map,
                std::size_t max_in_flight = 100000);
    ~interpreter();
    interpreter(const interpreter&) = delete;
    interpreter& operator=(const interpreter&) = delete;

    /// One complete line, without its newline (the follower never passes a partial line;
    /// it passes an over-long line cut at its limit with @p truncated set).
    /// With @p record false, only the in-flight state is updated (replaying lines already
    /// recorded before a crash, see save()). Never throws; bad lines are counted.
    void line(std::string_view text, bool record = true, bool truncated = false) noexcept;
    /// Records what a grammar holds back: the Messaging Server grammar groups consecutive
    /// records of one message (one line per recipient) and records the group when a line of
    /// another message arrives. Call at the end of a `--once` run, before the last save()
    /// (a saved state holds the group back, so a state saved before flush() would record it
    /// a second time after a restart); not at an ordinary exit, whose saved state carries the
    /// group to the next run. Other formats hold nothing back. Never throws.
    void flush() noexcept;

    /// The format in use (the detected one once `automatic` has decided).
    log_format format() const noexcept;
    /// Replayed lines (record false) are counted like the others: "recorded" then means
    /// "carries counters", so that lines = recorded + ignored + the skipped total.
    const ingest_counts& counts() const noexcept;

    /// In-flight state (per-queue-id recipients, sizes, first-attempt flags, open
    /// associations, ...) as text, so a restarted ingester continues exactly: the follower
    /// writes it into its state file with the position of the last line given to line().
    void save(std::ostream& out) const;
    /// Restores what save() wrote, re-opening the associations that were open (their
    /// current gauge belonged to the dead process). Returns false, leaving the state empty,
    /// when the text is not a valid saved state.
    bool load(std::istream& in);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace counters::ingest

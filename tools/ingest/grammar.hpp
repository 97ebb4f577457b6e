// SPDX-License-Identifier: MIT
// counters-ingest, private: what the grammars share. The recorder (channel handles through the
// channel map, the record flag, which reasons a line was skipped for), the bounded in-flight
// table, and small parsers (numbers, key=value fields, syslog headers, timestamps).
// Not thread-safe; nothing here throws out of a grammar's parse() except std::bad_alloc.
#pragma once

#include "interpreter.hpp"

#include <counters/section.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <iosfwd>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace counters::ingest::detail {

/// Every reason a line can be skipped for, in the order --once --stats prints them.
inline constexpr std::string_view skip_reasons[] = {
    "unknown", "foreign", "too_long", "invalid_utf8", "binary", "truncated", "bad_number", "bad_channel", "evicted",
};

/// What one line came to.
struct outcome {
    enum kind_t { events, ignored, skipped } kind = ignored;
    std::string_view reason; ///< for skipped: one of skip_reasons
    static outcome ok() { return {events, {}}; }
    static outcome ignore() { return {ignored, {}}; }
    static outcome skip(std::string_view why) { return {skipped, why}; }
};

/// Resolves default channel names through the channel map and makes the recording calls
/// (or not, when the line is replayed with record=false).
class recorder {
public:
    recorder(counters::section& s, channel_map m) : section_(s), map_(std::move(m)) {}
    /// The handle of the channel recorded for the grammar's default name @p name; a null
    /// handle (and bad_channel() set) when the mapped name is not a valid channel name.
    counters::channel channel(std::string_view name);
    bool record = true;
    bool bad_channel = false;
    std::uint32_t block_size() const noexcept { return section_.block_size(); }

    void enqueued(std::string_view from, std::string_view to, std::uint64_t r, std::uint64_t b);
    void dequeued(std::string_view ch, std::uint64_t r, std::uint64_t b, std::int64_t secs, bool first);
    void deferred(std::string_view ch, std::uint64_t r, std::uint64_t b);
    void rejected(std::string_view ch, std::uint64_t r, std::uint64_t b);
    void failed(std::string_view ch, std::uint64_t r, std::uint64_t b);
    void opened(std::string_view ch, counters::direction d);
    /// Closes one open association of @p ch; false (nothing recorded) when none is open.
    /// Replayed (record false), it closes a ghost first, else one this process opened (that
    /// close is recorded even then: load() re-opened it in this process's gauge).
    bool closed(std::string_view ch, counters::direction d);
    void assoc_rejected(std::string_view ch);
    void assoc_failed(std::string_view ch);

    /// Records the associations that replayed lines (record false) left open, as opened by
    /// this process: called before the first recorded line after a replay.
    void reopen_ghosts();
    bool has_ghosts() const noexcept { return !ghost_in.empty() || !ghost_out.empty(); }

    /// Open associations per default channel name, as recorded by this process.
    std::map<std::string, std::int64_t, std::less<>> open_in, open_out;
    /// Open associations seen in replayed lines only (recorded by a process that is gone).
    std::map<std::string, std::int64_t, std::less<>> ghost_in, ghost_out;

private:
    counters::section& section_;
    channel_map map_;
    std::map<std::string, counters::channel, std::less<>> cache_; ///< by default name
};

/// Per-recipient state of a message.
struct rcpt_state {
    std::string channel;   ///< default name of the channel that received or last attempted it (Postfix:
                           ///< before any Received, the error/retry/qmgr channel that deferred it)
    bool received = false; ///< Received already recorded on that channel
    bool deferred = false; ///< a temporary failure was recorded (no first-attempt figures)
};

/// Per-queue-id state. Which fields a grammar uses is its own business.
struct message_state {
    std::string source;          ///< default name of the channel that enqueued it ("" unknown)
    std::uint64_t size = 0;      ///< bytes
    std::uint64_t nrcpt = 0;     ///< recipients announced at enqueue
    bool submitted = false;      ///< Submitted recorded
    bool deferred = false;       ///< message-level deferral (msgserver)
    std::int64_t enqueued_at = 0; ///< seconds since the epoch (msgserver)
    std::map<std::string, rcpt_state, std::less<>> rcpts;
};

/// The in-flight table: at most `cap` queue ids; adding one more evicts the oldest (by
/// creation), whose id is remembered (up to `cap` of them) so that its later lines are
/// counted as skipped "evicted" instead of being recorded with a wrong history.
class inflight {
public:
    explicit inflight(std::size_t cap) : cap_(cap == 0 ? 1 : cap) {}
    message_state* find(std::string_view id);
    /// The entry of @p id, created when missing (evicting the oldest at the cap).
    message_state& get(std::string_view id);
    void erase(std::string_view id);
    bool evicted(std::string_view id) const;
    std::size_t size() const noexcept { return map_.size(); }
    void clear();
    void save(std::ostream& out) const;
    /// Reads one `id` or `evicted` line's words (after the keyword); false when malformed.
    bool load_id(const std::vector<std::string>& words);
    bool load_evicted(const std::string& id);

private:
    struct node {
        message_state m;
        std::list<std::string>::iterator pos;
    };
    void remember_evicted(std::string id);
    std::size_t cap_;
    std::list<std::string> order_; // oldest first
    std::unordered_map<std::string, node> map_;
    std::deque<std::string> evicted_order_;
    std::unordered_set<std::string> evicted_;
};

/// One log format.
class grammar {
public:
    virtual ~grammar() = default;
    /// Cheap syntactic check used by `automatic`: does @p line look like this format?
    virtual bool recognises(std::string_view line) const = 0;
    virtual outcome parse(std::string_view line, recorder& rec, inflight& table) = 0;
    /// Emits what is held back (msgserver groups consecutive records); default nothing.
    virtual bool flush(recorder& /*rec*/, inflight& /*table*/) { return false; }
    /// Grammar-private state beyond the table (one `x ...` line each), and its reader.
    virtual void save_extra(std::ostream& /*out*/) const {}
    virtual bool load_extra(const std::vector<std::string>& /*words*/) { return false; }
    virtual void clear_extra() {}
};

std::unique_ptr<grammar> make_postfix();
std::unique_ptr<grammar> make_exim();
std::unique_ptr<grammar> make_sendmail();
std::unique_ptr<grammar> make_msgserver();

// ---- small parsers ----

/// Whether @p name is a valid channel name (1..32 printable ASCII bytes, no space).
bool valid_channel(std::string_view name) noexcept;
/// Decimal unsigned integer, the whole of @p s, at most @p max.
std::optional<std::uint64_t> parse_uint(std::string_view s, std::uint64_t max);
/// Non-negative decimal seconds with an optional fraction ("0.04", "12"), rounded; at most
/// ten years.
std::optional<std::int64_t> parse_seconds(std::string_view s);
/// Days since 1970-01-01 of a proleptic Gregorian date.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept;
/// "Jan".."Dec" to 1..12, 0 when not a month.
unsigned month_number(std::string_view m) noexcept;

/// `key=value` fields of a Postfix/Sendmail message: separated by ", " where the next word is
/// `name=`; a value may hold commas and spaces. Returns the value of @p key or nullopt.
std::optional<std::string_view> field(std::string_view msg, std::string_view key);

/// A syslog line split: [timestamp host] tag[pid]: message.
struct syslog_line {
    std::string_view tag; ///< e.g. "postfix/smtpd"
    std::string_view pid; ///< digits, or empty
    std::string_view msg; ///< after ": "
};
/// Parses the three forms: classic `Mmm dd hh:mm:ss host`, RFC 3339 `yyyy-mm-ddThh:mm:ss[.f]zone
/// host`, and a bare `tag[pid]: message` (what the follower passes for journal entries).
std::optional<syslog_line> parse_syslog(std::string_view line);

/// Splits on single spaces (runs of spaces count as one).
std::vector<std::string_view> words(std::string_view s);
/// Percent-escapes spaces, '%' and bytes outside printable ASCII, for the state text.
std::string escape(std::string_view s);
/// Reverses escape(); nullopt when malformed.
std::optional<std::string> unescape(std::string_view s);

inline bool starts_with(std::string_view s, std::string_view p) noexcept { return s.substr(0, p.size()) == p; }

} // namespace counters::ingest::detail

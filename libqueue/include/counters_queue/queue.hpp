// SPDX-License-Identifier: MIT
/// @file queue.hpp
/// The MTA queue directory tree: `ROOT/<channel>/[<subdir>/]<AA><id>.NN[.HELD]` and
/// `<AA><id>.HELD` message files (format in counters-queue(5)), `$`-prefixed temporaries, the attempt-count prefix, the
/// envelope at the head of each file, an atomic writer and a defensive scanner.
///
/// Error contract: parse functions return std::nullopt or throw queue::format_error (never
/// crash on hostile input); writer calls and scan_tree() throw std::system_error naming the
/// path; nothing here touches shared memory. Several processes may write one tree at once
/// as long as their message ids differ (the writer never replaces an existing file).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace counters::queue {

/// Environment variable naming the queue root when no option gives one.
inline constexpr const char* queue_env = "COUNTERS_QUEUE";

/// The compiled-in queue root (the CMake option COUNTERS_DEFAULT_QUEUE_DIR, by default
/// `${localstatedir}/spool/counters/queue`); "" when the build configured none.
const char* default_queue_root() noexcept;

/// The queue root to use: @p explicit_root when not empty, else `COUNTERS_QUEUE` when set and
/// not empty, else default_queue_root() (which may be "": no queue configured).
std::string queue_root(const std::string& explicit_root = {});

// --- attempt prefixes -------------------------------------------------------------------

/// The 36 symbols of an attempt prefix, for 0 to 35: the attempt count is written in base 36
/// with digits counting down from 'Z' through the letters, then from '9' through the digits.
inline constexpr const char attempt_digits[] = "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210";
/// Largest attempt count a prefix can carry ("00").
inline constexpr unsigned max_attempts = 36 * 36 - 1;

/// The two-character prefix of @p attempts: 0 "ZZ", 1 "ZY", ..., 25 "ZA", 26 "Z9", ...,
/// 35 "Z0", 36 "YZ", ... Counts above max_attempts give "00".
std::string attempt_prefix(unsigned attempts);

/// The attempt count of a two-character prefix (upper-case A-Z and 0-9), or std::nullopt.
std::optional<unsigned> attempts_of(std::string_view prefix) noexcept;

// --- file names -------------------------------------------------------------------------

/// A decoded message file name.
struct file_name {
    unsigned attempts = 0; ///< from the two-letter prefix
    std::string id;        ///< the hexadecimal id (1..64 digits)
    std::string part = "00"; ///< the two digits after the dot; "" only in the `AA<hex>.HELD` form
    bool held = false;     ///< ends with ".HELD"
};

/// Decodes `AA<hex>.NN`, `AA<hex>.NN.HELD` or `AA<hex>.HELD` (the form the hold channel
/// writes: part is then ""); std::nullopt for anything else (including `$` temporaries,
/// dot files and other names).
std::optional<file_name> parse_file_name(std::string_view name) noexcept;

/// Encodes @p f; throws std::invalid_argument when the id or part is not valid (an empty
/// part is valid only for a held file).
std::string make_file_name(const file_name& f);

/// True when @p name is a temporary (starts with `$`).
inline bool is_temporary(std::string_view name) noexcept { return !name.empty() && name[0] == '$'; }

// --- envelope ---------------------------------------------------------------------------

/// The first line of every message file.
inline constexpr const char* envelope_magic = "%counters-queue 1";
/// An envelope (magic line through the empty line) is at most this many bytes.
inline constexpr std::size_t max_envelope = std::size_t{64} * 1024;
/// Bounds checked by the parser.
inline constexpr std::uint64_t max_size = std::uint64_t{1} << 50;
inline constexpr std::uint64_t max_recipients = 1000000;

/// What the envelope of a message file says.
struct envelope {
    std::uint64_t size = 0;        ///< message size in bytes (what the counters account)
    std::uint64_t recipients = 0;  ///< envelope recipients of this copy (1..max_recipients)
    std::int64_t created = 0;      ///< seconds since the epoch when first enqueued (0: unknown)
    std::string id;                ///< message id (informational)
    std::string from;              ///< envelope sender (may be empty: a bounce)
    std::string owner;             ///< local user who enqueued it (may be empty: unknown)
    std::vector<std::string> to;   ///< envelope recipients (empty, or exactly `recipients`)
};

/// A malformed envelope; what() says what is wrong, e.g. `bad magic line`.
class format_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The envelope text of @p e, ending with the empty line. Throws format_error when a field
/// cannot be written (out of range, a line break or control character in a text field).
std::string format_envelope(const envelope& e);

/// Parses the envelope at the start of @p data (the whole file or at least its first
/// max_envelope bytes). Throws format_error on anything unexpected.
envelope parse_envelope(std::string_view data);

// --- writer -----------------------------------------------------------------------------

/// Writes message files into a tree the way an MTA does: a `$` temporary in the target
/// directory, then a rename that never replaces an existing file. Each call is atomic as
/// seen by a scanner. All calls throw std::system_error naming the path on failure.
/// Paths returned and taken are relative to the root: `<channel>/[<subdir>/]<name>`.
class writer {
public:
    explicit writer(std::string root);

    /// Writes a new message (attempt 0) to @p channel (and @p subdir when not empty) with
    /// envelope @p e followed by @p body; creates the directories as needed.
    std::string put(const std::string& channel, const std::string& id, const envelope& e,
                    std::string_view body = {}, const std::string& subdir = {});
    /// Renames @p path to the next attempt prefix (saturating at max_attempts).
    std::string retry(const std::string& path);
    /// Renames @p path to `<path>.HELD`.
    std::string hold(const std::string& path);
    /// Removes @p path (the message was dequeued).
    void remove(const std::string& path);

    const std::string& root() const noexcept { return root_; }

private:
    std::string rename_to(const std::string& path, const std::string& to);
    std::string root_;
};

// --- scanner ----------------------------------------------------------------------------

/// Totals of a set of message files.
struct totals {
    std::uint64_t messages = 0;
    std::uint64_t recipients = 0;
    std::uint64_t blocks = 0;
    std::int64_t oldest = 0; ///< smallest `created` (0: no message)
    void add(const totals& o) noexcept;
};

/// One channel of a tree: its queued (not held) and held messages.
struct channel_summary {
    totals queued;
    totals held;
    /// Everything in the channel's queue, held included (what Stored counts).
    totals all() const noexcept {
        totals t = queued;
        t.add(held);
        return t;
    }
};

/// One message file.
struct message_entry {
    std::string channel;
    std::string file;        ///< relative to the channel directory: `[<subdir>/]<name>`
    unsigned attempts = 0;
    bool held = false;
    std::uint64_t size = 0;
    std::uint64_t recipients = 0;
    std::uint64_t blocks = 0;
    std::int64_t created = 0; ///< from the envelope, else the file's modification time
};

/// A file or directory that was skipped, and why.
struct problem {
    std::string path;    ///< relative to the root
    std::string message; ///< e.g. `corrupt envelope: no "size" line`
};

struct scan_options {
    std::uint32_t block_size = 1024; ///< bytes per block (rounded up per message)
    bool entries = false;            ///< fill scan_result::messages
    /// Channels to look at (nullptr: all). Called with the directory name.
    std::function<bool(const std::string&)> channel_filter;
};

struct scan_result {
    std::map<std::string, channel_summary> channels; ///< every channel directory seen
    std::vector<message_entry> messages;             ///< when requested, sorted by channel, file
    std::vector<problem> problems;                   ///< in the order found
    std::uint64_t temporaries = 0;                   ///< `$` files seen (not counted)
    /// Entries that are not part of the layout, relative to the root, sorted:
    /// files (dot files included) that are neither message files nor `$` temporaries, at any
    /// level, and directories that are not channel or subdirectories (a dot directory, a
    /// directory inside a subdirectory; these end with '/', and are not looked into). Never
    /// counted; qm reports them.
    std::vector<std::string> unmatched;
};

/// Blocks of a message of @p bytes: rounded up, 0 for an empty message (as libcounters).
std::uint64_t blocks_of(std::uint64_t bytes, std::uint32_t block_size) noexcept;

/// Scans the tree at @p root. Files that cannot be read or whose envelope is corrupt, and
/// directories that cannot be opened or are not channel names, are listed in problems and
/// skipped; entries whose names are not part of the layout are listed in unmatched.
/// Nothing is skipped without being listed, except `$` temporaries (counted) and channels
/// that the channel filter leaves out (not looked into). Throws std::system_error only when @p root itself cannot be opened.
/// Safe while writers work on the tree, but then not exact: a file renamed or removed
/// under the scanner may be missed or seen under both names. Scan a quiet tree for totals.
scan_result scan_tree(const std::string& root, const scan_options& options = {});

} // namespace counters::queue

// SPDX-License-Identifier: MIT
/// @file follow.hpp
/// counters-ingest's follower: reads a log file like `tail -F` and hands out complete lines,
/// each with the position of the line after it, so that no line is lost or read twice across
/// rotations and restarts. Knows nothing about log formats (see interpreter.hpp).
///
/// What it does about each event (counters-ingest(8), FOLLOWING A FILE, says the same):
/// - rotation by rename: noticed by device/inode of the path; the old file is read to its end
///   first (while following, until the new file has data or one second has passed), then the
///   new one from its beginning;
/// - copy-and-truncate: the file is smaller than the position, or its first line changed
///   (checked every second): read again from 0;
/// - a compressed rotated file: read at most once, only by start(), when the saved file is gone
///   (rotated and compressed while stopped): the `.gz` file of the directory whose name starts
///   with the log's name and whose decompressed first line has the saved fingerprint is read
///   from the saved offset (in decompressed bytes) to its end, then the file at the path; any
///   other compressed file is never read (only its head, to compare fingerprints);
/// - a file that disappears: the open descriptor is read to its end; the path is watched
///   until a file appears there again, read from its beginning;
/// - a partial last line: kept until its newline arrives (never passed while following; see
///   flush_partial() for the end of a stream and of a rotated file);
/// - an over-long line: its first max_line bytes are passed with truncated = true when its
///   newline arrives; the rest is skipped;
/// - a file that cannot be opened: reported once per change of cause, retried every second.
///
/// Not thread-safe: one follower is used by one thread. Calls throw only std::bad_alloc unless
/// documented otherwise.
#pragma once

#include <sys/types.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace counters::ingest {

/// Longest line passed whole, in bytes (without its newline). Longer lines are cut here.
inline constexpr std::size_t max_line_bytes = 16384;
/// At most this many bytes of a file's first line make its fingerprint.
inline constexpr std::size_t fingerprint_bytes = 4096;

/// FNV-1a (64-bit) of @p bytes; never 0 (0 means "no fingerprint yet").
std::uint64_t fingerprint_of(std::string_view bytes) noexcept;

/// The fingerprint of the open file @p fd: of its first line including the newline, or of its
/// first fingerprint_bytes when the first line is longer; 0 when the file holds neither a
/// newline nor fingerprint_bytes bytes yet (or cannot be read).
std::uint64_t file_fingerprint(int fd) noexcept;

/// Where a file source stands: the file (device, inode, fingerprint) and the offset of the
/// first byte of the next unread line.
struct file_position {
    std::uint64_t device = 0;
    std::uint64_t inode = 0;
    std::uint64_t offset = 0;
    std::uint64_t fingerprint = 0; ///< 0: the file had no complete first line yet
    bool operator==(const file_position& o) const noexcept {
        return device == o.device && inode == o.inode && offset == o.offset && fingerprint == o.fingerprint;
    }
};

/// Receives what a follower reads.
class line_handler {
public:
    virtual ~line_handler() = default;
    /// One line without its newline. @p truncated: an over-long line cut at the limit, or an
    /// incomplete last line the writer will never finish. @p next: the position right after
    /// the line (its newline included), i.e. where a restart continues.
    virtual void line(std::string_view text, bool truncated, const file_position& next) = 0;
    /// The follower moved to another file, or to offset 0 of a truncated one, before the
    /// first line read there. @p now is the new position.
    virtual void switched(const file_position& now) { static_cast<void>(now); }
};

/// Splits a byte stream into lines and keeps the offset of the first unconsumed byte.
class line_splitter {
public:
    explicit line_splitter(std::uint64_t offset = 0, std::size_t max_line = max_line_bytes) noexcept
        : offset_(offset), read_(offset), max_line_(max_line) {}
    /// Feeds @p bytes (the bytes that follow what was fed before); calls @p emit(text,
    /// truncated, next_offset) for each complete line.
    template <class Emit>
    void feed(std::string_view bytes, Emit&& emit);
    /// Passes the pending incomplete line, if any, as truncated; true when there was one.
    template <class Emit>
    bool flush_partial(Emit&& emit);
    /// Offset of the first byte of the pending (incomplete) line, or of what comes next.
    std::uint64_t offset() const noexcept { return offset_; }
    /// Offset after the last byte fed.
    std::uint64_t read_offset() const noexcept { return read_; }
    bool has_partial() const noexcept { return read_ > offset_; }
    /// Forgets everything and continues at @p offset.
    void reset(std::uint64_t offset) noexcept;

private:
    std::string pending_;     // the first max_line_ bytes of the incomplete line
    std::uint64_t offset_;    // where the incomplete line starts
    std::uint64_t read_;      // end of what was fed
    std::size_t max_line_;
};

/// Where to start a file that has no saved position.
enum class start_at { beginning, end };

struct follow_options {
    /// Interval of the retries to open a file that cannot be read, and of the messages' "N s".
    std::chrono::milliseconds retry{1000};
    /// How long a renamed file is still read after a new one appeared at the path (while the
    /// new one is empty), for a writer that has not reopened its log yet.
    std::chrono::milliseconds rotate_grace{1000};
    /// How often the head of the file is compared with its fingerprint, to notice a file
    /// truncated and written past the position between two looks (copy-and-truncate).
    std::chrono::milliseconds verify_interval{1000};
    std::size_t max_line = max_line_bytes;
};

/// Follows one log file by path.
class file_follower {
public:
    /// @p report receives the messages an operator must see (without the program name).
    file_follower(std::string path, std::function<void(const std::string&)> report, follow_options options = {});
    ~file_follower();
    file_follower(const file_follower&) = delete;
    file_follower& operator=(const file_follower&) = delete;

    /// Opens the file and chooses where to start, once, before poll():
    /// - @p saved matches the file at the path (same device and inode, the same fingerprint
    ///   unless the saved offset is 0, and not smaller than the saved offset): continue there;
    /// - @p saved names a file that was renamed away (a regular file in the same directory
    ///   with the saved device, inode and fingerprint): read it from the saved offset to its
    ///   end, then the file at the path from its beginning;
    /// - @p saved names a file that is gone, or was truncated, and a compressed file of the
    ///   directory (find_compressed()) holds it: that file, decompressed, from the saved offset
    ///   to its end, with the saved device, inode and fingerprint as its position; then the file
    ///   at the path from its beginning;
    /// - @p saved names a file that is gone, or was truncated, and no compressed file holds it:
    ///   the file at the path from its beginning (reported);
    /// - no @p saved: @p where (the end means after the last complete line).
    /// A file that cannot be opened yet is reported and retried by poll().
    void start(const std::optional<file_position>& saved, start_at where);

    /// Reads what is there and passes every complete line to @p h. With @p once, a rotated
    /// file is left for the new one as soon as it is read to its end (no grace period).
    /// Reads at most about 1 MiB per call: more() tells whether data is waiting.
    /// Returns the number of lines passed.
    std::size_t poll(line_handler& h, bool once = false);
    /// True when the last poll() stopped before the end of the file.
    bool more() const noexcept { return more_; }

    /// Where a restart would continue: the current file and the start of its pending line.
    file_position position() const noexcept;
    /// True when a file is open (or a compressed rotated file is being read, or was read to
    /// its end and the file at the path is not there yet).
    bool is_open() const noexcept { return fd_ >= 0 || gz_ != nullptr; }
    /// True when the path could not be opened at the last attempt.
    bool failing() const noexcept { return last_errno_ != 0; }
    const std::string& path() const noexcept { return path_; }
    /// Bytes of an incomplete last line kept back (counters-ingest --once reports them).
    std::uint64_t pending_bytes() const noexcept { return split_.read_offset() - split_.offset(); }

private:
    struct identity {
        std::uint64_t device = 0, inode = 0;
    };
    struct compressed; // a compressed rotated file being read (zlib's gzFile)
    int open_path(identity* id);           // opens path_; reports failures; -1
    void try_start();
    void adopt(int fd, const identity& id, std::uint64_t offset);
    std::size_t drain(line_handler& h);    // reads fd_ to its end
    /// Hands the complete lines of the first @p n bytes of buf_ to @p h; returns how many.
    std::size_t feed(line_handler& h, std::size_t n);
    void refresh_fingerprint() noexcept;
    void note_error(int err);
    bool rewritten(std::chrono::steady_clock::time_point now); // truncated (and maybe refilled)
    bool start_compressed(int path_fd);    // saved_ is in a compressed file: read it first
    std::size_t drain_compressed(line_handler& h);
    std::size_t poll_compressed(line_handler& h, std::chrono::steady_clock::time_point now);

    std::string path_;
    std::function<void(const std::string&)> report_;
    follow_options opt_;
    int fd_ = -1;
    identity id_;
    std::uint64_t fingerprint_ = 0;
    line_splitter split_;
    std::vector<char> buf_;
    int last_errno_ = 0;                    // of the last failed open (0: none)
    bool gone_reported_ = false;
    std::chrono::steady_clock::time_point next_try_{};
    std::chrono::steady_clock::time_point rotated_at_{}; // when a new file was first seen
    std::chrono::steady_clock::time_point next_verify_{};
    bool rotation_seen_ = false;
    bool switch_pending_ = false;           // start(): a renamed file first, then the path
    bool started_ = false;                  // a file was adopted once
    bool more_ = false;
    std::optional<file_position> saved_;
    start_at where_ = start_at::end;
    std::unique_ptr<compressed> gz_;        // start(): the saved file, compressed, first
};

/// The device and inode of the file at @p path (following symbolic links), or std::nullopt.
std::optional<std::pair<std::uint64_t, std::uint64_t>> identity_of(const std::string& path) noexcept;

/// A regular file in the directory of @p path whose device and inode are those given, other
/// than @p path itself, or "".
std::string find_by_inode(const std::string& path, std::uint64_t device, std::uint64_t inode);

/// The compressed files (names ending in `.gz`) of the directory of @p path whose names start
/// with the last component of @p path and are longer (`maillog.1.gz`,
/// `maillog.20261203-113000.gz`), regular files, sorted by name.
std::vector<std::string> compressed_candidates(const std::string& path);

/// The fingerprint of @p head, the first bytes of a file (at least fingerprint_bytes of them
/// unless the file is shorter), as file_fingerprint() computes it.
std::uint64_t head_fingerprint(std::string_view head) noexcept;

// ---- line_splitter templates ----

template <class Emit>
void line_splitter::feed(std::string_view bytes, Emit&& emit) {
    std::size_t at = 0;
    while (at < bytes.size()) {
        const std::size_t nl = bytes.find('\n', at);
        if (nl == std::string_view::npos) {
            // Keep at most max_line_ bytes of the incomplete line; the rest is skipped.
            const std::size_t room = max_line_ > pending_.size() ? max_line_ - pending_.size() : 0;
            pending_.append(bytes.data() + at, std::min(room, bytes.size() - at));
            read_ += bytes.size() - at;
            return;
        }
        const std::size_t piece = nl - at;
        read_ += piece + 1;
        const std::uint64_t line_bytes = read_ - offset_ - 1; // without the newline
        offset_ = read_;
        const bool truncated = line_bytes > max_line_;
        if (pending_.empty()) {
            emit(std::string_view(bytes.data() + at, std::min<std::size_t>(piece, max_line_)), truncated, offset_);
        } else {
            const std::size_t room = max_line_ > pending_.size() ? max_line_ - pending_.size() : 0;
            pending_.append(bytes.data() + at, std::min(room, piece));
            const std::string line = std::move(pending_);
            pending_.clear();
            emit(std::string_view(line), truncated, offset_);
        }
        at = nl + 1;
    }
}

template <class Emit>
bool line_splitter::flush_partial(Emit&& emit) {
    if (!has_partial()) return false;
    const std::string line = std::move(pending_);
    pending_.clear();
    offset_ = read_;
    emit(std::string_view(line), true, offset_);
    return true;
}

inline void line_splitter::reset(std::uint64_t offset) noexcept {
    pending_.clear();
    offset_ = read_ = offset;
}

} // namespace counters::ingest

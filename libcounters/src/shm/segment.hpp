// SPDX-License-Identifier: MIT
// A named segment mapped into this process: a POSIX shared-memory object, or, for a name
// that starts with '/', a file at that absolute path (a persistent segment: open(2) instead
// of shm_open(), unlink(2) instead of shm_unlink(); everything else is the same). Private;
// the engine under both wire formats. Objects are opened without following links and without blocking, must
// be regular files, are mapped with a Boost.Interprocess mapped_region, and have their
// space reserved when created (so a full /dev/shm is an error, never a SIGBUS later).
// Every failure throws counters::error of the given kind, naming the segment.
#pragma once

#include <counters/error.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <sys/stat.h>

namespace counters::detail::shm {

class segment {
public:
    /// read_only: readers. read_write: writers (the segment must be trusted). for_delete:
    /// read-write to retire it before it goes; root may delete an untrusted one (removing
    /// a planted section is what an operator needs), others must trust it.
    enum class access { read_only, read_write, for_delete };

    /// Creates @p name exclusively with @p size bytes (zero-filled, every page reserved) and
    /// mode @p mode (the umask does not apply), gives it to @p group when >= 0, and maps it
    /// read-write. Returns nullopt when the name exists. On failure nothing is left behind.
    /// Throws errc::no_space (a full /dev/shm; the message gives the size needed),
    /// permission, invalid_argument, system.
    static std::optional<segment> create(const std::string& name, object_kind kind, std::size_t size,
                                         unsigned mode, long group);
    /// Opens and maps an existing segment, never blocking (a FIFO at the name is refused, not
    /// waited on) and never following a symbolic link. A segment of size 0 (its creator has
    /// not sized it yet) is returned unmapped: data() is null and size() 0. Opened for
    /// writing, the segment must be trusted (see trust_problem()) and its pages are reserved
    /// (a sparse segment made by an older version is backed now, or errc::no_space).
    /// Throws errc::not_found, permission, foreign (not a regular file: says what it is),
    /// no_space, system.
    static segment open(const std::string& name, object_kind kind, access how);
    /// Unlinks @p name; returns false when it did not exist. Throws on other failures.
    static bool remove(const std::string& name, object_kind kind);
    /// Unlinks this segment's name when it still refers to this very segment (same device
    /// and inode; needs the descriptor); returns false otherwise. Throws as remove().
    bool remove_if_same(object_kind kind);
    /// True when this segment's creator is gone: nobody holds the lock a creator takes from
    /// create() until it has published the segment and closed its descriptor. Meaningful
    /// only for a segment found unpublished (a creator that died, or a file left half-made
    /// when the system went down). Needs the descriptor; false without it.
    bool creator_gone() const noexcept;
    /// True when something exists at @p name (whatever it is). Never blocks.
    static bool exists(const std::string& name);
    /// What is at @p name when it is not a regular file ("a FIFO", "a directory", "a
    /// socket", "a character device", "a block device", "a symbolic link"), or "" (a regular
    /// file, or nothing). Never follows a link.
    static std::string non_regular(const std::string& name);

    segment(segment&&) noexcept;
    segment& operator=(segment&&) noexcept;
    ~segment();

    /// True when the name no longer refers to this segment (it was deleted); false after
    /// close_descriptor().
    bool unlinked() const noexcept;
    /// Closes the descriptor, keeping the mapping: a process re-attaching after many
    /// deletes must not run out of descriptors.
    void close_descriptor() noexcept;

    void* data() const noexcept;
    std::size_t size() const noexcept;
    const std::string& name() const noexcept;
    /// Why a writer would not trust this segment ("" when it would): see trust_problem().
    const std::string& distrust() const noexcept;

private:
    struct impl;
    explicit segment(std::unique_ptr<impl> p) noexcept;
    std::unique_ptr<impl> p_;
};

/// The trust rule for writers, "" when a segment with these owner and mode bits is trusted,
/// else why not. A writer trusts a segment owned by itself, by root or by the MTA user;
/// owned by anybody else, only when it is not world-writable and its group is one of the
/// writer's groups or the MTA group. The MTA user and group come from the environment
/// (COUNTERS_MTA_USER, COUNTERS_MTA_GROUP: a name or a number) or else from the build
/// (CMake COUNTERS_MTA_USER, COUNTERS_MTA_GROUP); unset, there is none. Root is no exception.
std::string trust_problem(const struct stat& st);

/// Longest file name (absolute path) of a file-backed segment, in bytes.
inline constexpr std::size_t max_file_name = 1024;
/// True when @p name names a file-backed segment (it starts with '/').
bool is_file_name(const std::string& name) noexcept;
/// Why @p name is not a usable file name for a segment ("" when it is): it must be an
/// absolute path of at most max_file_name bytes, without a trailing '/', an empty, "." or
/// ".." component, a component over 255 bytes, or control characters.
std::string file_name_problem(const std::string& name);

/// Maps an errno value to an errc.
errc errc_from_errno(int e) noexcept;

} // namespace counters::detail::shm

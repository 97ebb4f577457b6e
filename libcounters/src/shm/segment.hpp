// SPDX-License-Identifier: MIT
// A named POSIX shared-memory segment mapped into this process (Boost.Interprocess
// shared_memory_object + mapped_region). Private; the engine under both wire formats.
// Every failure throws counters::error of the given kind, naming the segment.
#pragma once

#include <counters/error.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

namespace counters::detail::shm {

class segment {
public:
    enum class access { read_only, read_write };

    /// Creates @p name exclusively with @p size bytes (zero-filled) and mode @p mode, gives
    /// it to @p group when >= 0, and maps it read-write. Returns nullopt when the name exists.
    static std::optional<segment> create(const std::string& name, object_kind kind, std::size_t size,
                                         unsigned mode, long group);
    /// Opens and maps an existing segment. A segment of size 0 (its creator has not sized it
    /// yet) is returned unmapped: data() is null and size() 0.
    /// Throws errc::not_found, errc::permission, errc::system.
    static segment open(const std::string& name, object_kind kind, access how);
    /// Unlinks @p name; returns false when it did not exist. Throws on other failures.
    static bool remove(const std::string& name, object_kind kind);
    /// True when @p name exists.
    static bool exists(const std::string& name);

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

private:
    struct impl;
    explicit segment(std::unique_ptr<impl> p) noexcept;
    std::unique_ptr<impl> p_;
};

/// Maps an errno value to an errc.
errc errc_from_errno(int e) noexcept;

} // namespace counters::detail::shm

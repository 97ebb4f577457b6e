// SPDX-License-Identifier: MIT
// Creating a segment and publishing it ready last; attaching to one once it is ready;
// deleting one (unlink, then retire). Shared by both wire formats. Private.
#pragma once

#include "header.hpp"
#include "segment.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

namespace counters::detail::shm {

/// How to create a missing segment.
struct create_spec {
    std::size_t size;  ///< bytes, zero-filled
    unsigned mode;     ///< permission bits
    long group;        ///< group to give it to, or -1
    /// Fills the header in (everything but the state word, which attach() publishes last,
    /// with release order, after init returns).
    std::function<void(void*)> init;
};

struct attached {
    segment seg;
    bool created = false;
};

/// Opens segment @p name read-write once it is ready, creating it with @p create when it is
/// missing (when @p create is null, a missing segment throws not_found). Exactly one of
/// several racing creators wins; the others wait until it is ready, at most @p ready_wait.
/// @p check validates a mapped image (throwing not_ready while it is still initialising)
/// and is called before the state word is trusted. A segment that was deleted while being
/// created or opened is looked up again, so a caller never ends up with an orphan. One
/// left unpublished by a creator that is gone (see segment::creator_gone(): killed
/// mid-creation, or a file half-made when the system went down) is removed and created
/// again (without @p create: not_ready, saying so).
/// The descriptor is closed once mapped. Throws counters::error of @p f's kind.
attached attach(const std::string& name, const format_id& f, const create_spec* create,
                const std::function<void(const void*, std::size_t)>& check,
                std::chrono::milliseconds ready_wait);

/// Deletes segment @p name: unlinks it (if that fails nothing has changed), then marks the
/// still-mapped segment retired so that attached writers move to a new one. A segment
/// that is not a valid, ready one of format @p f is unlinked as well (nobody can be
/// attached to it). Needs write access. Returns false when it did not exist.
bool unlink_and_retire(const std::string& name, const format_id& f,
                       const std::function<void(const void*, std::size_t)>& check);

} // namespace counters::detail::shm

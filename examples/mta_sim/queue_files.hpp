// SPDX-License-Identifier: MIT
// mta-sim: the queue as real files (--queue DIR), through counters_queue: each entry of the
// in-memory store is mirrored by DIR/<channel>/<prefix><id>.00, written via a `$` temporary,
// renamed to the next attempt prefix on each retry, renamed to .HELD when held and removed
// when dequeued. The file format is counters-queue(5).
#pragma once

#include "channels.hpp"
#include "message.hpp"

#include <counters_queue/queue.hpp>

#include <cstdint>
#include <string>

namespace mta_sim {

class queue_files {
public:
    /// Files of worker @p worker go under @p root (created when missing). Ids carry the pid
    /// and the worker index, so workers and successive runs never collide.
    /// Throws std::system_error when @p root cannot be created.
    queue_files(const std::string& root, unsigned worker);

    /// Writes the file of @p m, just enqueued to @p ch; returns its path under the root.
    std::string put(chan ch, const message& m);
    /// The entry failed temporarily: its prefix counts one more attempt.
    std::string retry(const std::string& path) { return w_.retry(path); }
    /// The entry is sidelined (looping): renamed to .HELD, never tried again.
    std::string hold(const std::string& path) { return w_.hold(path); }
    /// The entry was dequeued.
    void remove(const std::string& path) { w_.remove(path); }

    /// True for the entries the simulated MTA sidelines as looping (about 1 in 500, chosen
    /// from the message id so that the random draws of the run are not disturbed).
    static bool looping(std::uint64_t id) noexcept {
        return ((id * 0x9E3779B97F4A7C15ull) >> 54) < 2;
    }

private:
    counters::queue::writer w_;
    std::string id_prefix_;
};

} // namespace mta_sim

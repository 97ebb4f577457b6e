// SPDX-License-Identifier: MIT
// mta-sim: the channel queues of one simulated MTA and their delivery schedule.
//
// Every entry waits in one channel's queue until its next delivery attempt is due. The
// store is in memory; with `--queue DIR` (use_files()) every entry is also mirrored as a
// real queue file through queue_files (DIR/<channel>/ZZ<id>.00, the two-letter prefix
// counting the attempts, .HELD when sidelined; format in counters-queue(5)).
#pragma once

#include "channels.hpp"
#include "message.hpp"
#include "queue_files.hpp"

#include <array>
#include <cstdint>
#include <queue>
#include <string>
#include <vector>

namespace mta_sim {

class queue_store {
public:
    using ref = std::uint32_t;

    /// Mirrors every entry as a file through @p f (--queue); nullptr: memory only.
    void use_files(queue_files* f) noexcept { files_ = f; }
    bool has_files() const noexcept { return files_ != nullptr; }

    /// @p m enters the queue of @p ch; its first attempt is due at @p due.
    ref put(chan ch, const message& m, double due);
    /// @p m enters the queue of @p ch held (sidelined as looping): it stays queued, counted
    /// in depth(), and is never attempted. Its file, if any, is renamed to .HELD.
    ref put_held(chan ch, const message& m);
    /// Takes the earliest attempt due at or before @p until off the schedule.
    bool next_due(double until, ref& r, double& due);
    /// Schedules another attempt of entry @p r at @p due.
    void retry(ref r, double due);
    /// The entry leaves its queue (dequeued).
    void remove(ref r);

    message& at(ref r) noexcept { return slots_[r].msg; }
    chan channel_of(ref r) const noexcept { return slots_[r].ch; }
    /// Entries in @p ch's queue now.
    std::int64_t depth(chan ch) const noexcept { return depth_[idx(ch)]; }

private:
    struct slot {
        message msg;
        chan ch = chan::tcp_local;
        bool used = false;
        std::string path; ///< its file under the queue root (with --queue)
    };
    struct attempt {
        double due;
        std::uint64_t seq; // FIFO among equal times: keeps runs reproducible
        ref r;
        bool operator>(const attempt& o) const noexcept {
            return due != o.due ? due > o.due : seq > o.seq;
        }
    };
    std::vector<slot> slots_;
    std::vector<ref> free_;
    std::priority_queue<attempt, std::vector<attempt>, std::greater<attempt>> schedule_;
    std::uint64_t seq_ = 0;
    std::array<std::int64_t, chan_count> depth_{};
    queue_files* files_ = nullptr;
};

} // namespace mta_sim

// SPDX-License-Identifier: MIT
// mta-sim: in-memory queue store.
#include "queue_store.hpp"

#include <stdexcept>

namespace mta_sim {

queue_store::ref queue_store::put(chan ch, const message& m, double due) {
    ref r;
    if (!free_.empty()) {
        r = free_.back();
        free_.pop_back();
    } else {
        r = static_cast<ref>(slots_.size());
        slots_.emplace_back();
    }
    slots_[r] = slot{m, ch, true, files_ != nullptr ? files_->put(ch, m) : std::string()};
    ++depth_[idx(ch)];
    schedule_.push(attempt{due, seq_++, r});
    return r;
}

queue_store::ref queue_store::put_held(chan ch, const message& m) {
    ref r;
    if (!free_.empty()) {
        r = free_.back();
        free_.pop_back();
    } else {
        r = static_cast<ref>(slots_.size());
        slots_.emplace_back();
    }
    std::string path;
    if (files_ != nullptr) path = files_->hold(files_->put(ch, m));
    slots_[r] = slot{m, ch, true, std::move(path)};
    ++depth_[idx(ch)];
    return r;
}

bool queue_store::next_due(double until, ref& r, double& due) {
    if (schedule_.empty() || schedule_.top().due > until) return false;
    r = schedule_.top().r;
    due = schedule_.top().due;
    schedule_.pop();
    return true;
}

void queue_store::retry(ref r, double due) {
    if (files_ != nullptr) slots_[r].path = files_->retry(slots_[r].path);
    schedule_.push(attempt{due, seq_++, r});
}

void queue_store::remove(ref r) {
    if (!slots_[r].used) throw std::logic_error("queue_store: entry removed twice");
    if (files_ != nullptr) files_->remove(slots_[r].path);
    slots_[r].used = false;
    slots_[r].path.clear();
    --depth_[idx(slots_[r].ch)];
    free_.push_back(r);
}

} // namespace mta_sim

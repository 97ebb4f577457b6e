// SPDX-License-Identifier: MIT
// Operator actions on a whole section: create, clear, delete, reset Stored.
#include "../shm/publish.hpp"
#include "mapping.hpp"

#include <counters/admin.hpp>
#include <counters/error.hpp>
#include <counters/section.hpp>

namespace counters {

namespace {

// The clear group of each counter comes from the counter table (counter.hpp).
bool is_association(std::size_t i) {
    return info(static_cast<counter>(i)).group == counter_group::associations;
}

std::unique_ptr<detail::mapping> open_existing(const std::string& name) {
    return detail::open_or_create(name, create_options{}, false);
}

} // namespace

bool create_section(const std::string& requested, const create_options& options) {
    const std::string name = section_name(requested);
    bool created = false;
    detail::open_or_create(name, options, true, &created);
    return created;
}

void clear_section(const std::string& requested, clear_what what) {
    const std::string name = section_name(requested);
    auto m = open_existing(name);
    const detail::section_view& v = m->view;
    detail::header& h = *m->hdr;
    const bool chans = (static_cast<unsigned>(what) & static_cast<unsigned>(clear_what::channels)) != 0;
    const bool assocs = (static_cast<unsigned>(what) & static_cast<unsigned>(clear_what::associations)) != 0;
    for (std::uint32_t i = 0; i < v.max_channels; ++i) {
        detail::channel_slot& s = *v.slot(i);
        const std::uint64_t c = s.claim.load(std::memory_order_acquire);
        if (c == detail::claim_free) break;
        for (std::size_t k = 0; k < counter_count; ++k) {
            if (is_association(k) ? !assocs : !chans) continue;
            s.value[k].store(0, std::memory_order_relaxed);
            s.minimum[k].store(0, std::memory_order_relaxed);
        }
        if (assocs) {
            s.last_in.store(0, std::memory_order_relaxed);
            s.last_out.store(0, std::memory_order_relaxed);
        }
    }
    h.clear_time.store(detail::now_seconds(), std::memory_order_relaxed);
    h.clear_count.fetch_add(1, std::memory_order_release);
}

void delete_section(const std::string& requested) {
    const std::string name = section_name(requested);
    validate_section_name(name);
    const bool removed = detail::shm::unlink_and_retire(
        name, detail::section_format,
        [&](const void* data, std::size_t size) { detail::check_section(data, size, name); });
    if (!removed) throw error(errc::not_found, name, "does not exist");
}

bool section_exists(const std::string& requested) {
    const std::string name = section_name(requested);
    validate_section_name(name);
    return detail::shm::segment::exists(name);
}

void reset_stored(const std::string& requested, const std::map<std::string, stored_values>& stored) {
    const std::string name = section_name(requested);
    section writer(name); // registers channels that are queued but not yet known
    for (const auto& kv : stored) writer.get(kv.first);
    auto m = open_existing(name);
    const detail::section_view& view = m->view;
    for (std::uint32_t i = 0; i < view.max_channels; ++i) {
        detail::channel_slot& s = *view.slot(i);
        const std::uint64_t c = s.claim.load(std::memory_order_acquire);
        if (c == detail::claim_free) break;
        if (c != detail::claim_ready) continue;
        std::string chan;
        if (!detail::slot_name(s, chan)) continue;
        stored_values v;
        if (auto it = stored.find(chan); it != stored.end()) v = it->second;
        const std::int64_t vals[3] = {v.messages, v.recipients, v.blocks};
        const std::size_t first = index(counter::stored_messages);
        // The reset value is what is really queued: it becomes the new base of -absolute
        // (value minus minimum), so the minimum restarts at 0, or at the value when it is
        // negative, as after a clear. Keeping the old minimum would over-state -absolute
        // by however far Stored had drifted below zero.
        for (std::size_t k = 0; k < 3; ++k) {
            s.minimum[first + k].store(vals[k] < 0 ? vals[k] : 0, std::memory_order_relaxed);
            s.value[first + k].store(vals[k], std::memory_order_relaxed);
        }
    }
}

} // namespace counters

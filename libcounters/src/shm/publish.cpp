// SPDX-License-Identifier: MIT
// Create, publish ready last, attach once ready; unlink then retire.
#include "publish.hpp"

#include <optional>
#include <thread>

namespace counters::detail::shm {

namespace {
using namespace std::chrono_literals;
constexpr auto orphan_grace = 20ms;
} // namespace

attached attach(const std::string& name, const format_id& f, const create_spec* create,
                const std::function<void(const void*, std::size_t)>& check,
                std::chrono::milliseconds ready_wait) {
    using namespace std::chrono_literals;
    auto deadline = std::chrono::steady_clock::now() + ready_wait;
    // When an unpublished segment was first seen: one whose creator is gone is an orphan
    // only after this grace (a creator takes its lock just after creating the name).
    std::optional<std::chrono::steady_clock::time_point> unpublished_since;
    for (;;) {
        if (create != nullptr) {
            if (auto seg = segment::create(name, f.kind, create->size, create->mode, create->group)) {
                create->init(seg->data());
                state_word(seg->data()).store(state_ready, std::memory_order_release); // published last
                // Deleted while we were creating it (before it was ready, so the deleter
                // could not retire it)? Then nobody can find it: start again.
                if (seg->unlinked()) continue;
                seg->close_descriptor();
                return {std::move(*seg), true};
            }
        }
        std::optional<segment> opened;
        try {
            opened.emplace(segment::open(name, f.kind, segment::access::read_write));
        } catch (const error& e) {
            // Deleted between our create attempt and this open: try again.
            if (e.code() != errc::not_found || create == nullptr || std::chrono::steady_clock::now() > deadline)
                throw;
            continue;
        }
        segment& seg = *opened;
        bool unpublished = true; // size 0, or still initialising
        if (seg.data() != nullptr && seg.size() >= f.header_size) {
            try {
                check(seg.data(), seg.size());
                const std::uint32_t st = state_word(seg.data()).load(std::memory_order_acquire);
                if (st == state_ready) {
                    // Unlinked by a delete that found it still initialising (and so could
                    // not retire it)? Then nobody would ever tell us: look up the name again.
                    // A delete that unlinks after this check sees it ready and retires it.
                    if (seg.unlinked()) continue;
                    seg.close_descriptor();
                    return {std::move(seg), false};
                }
                if (st != state_retired) corrupt(f, name, "bad state word");
                unpublished = false;
            } catch (const error& e) {
                if (e.code() != errc::not_ready) throw;
            }
        }
        // Unpublished with its creator gone (killed mid-creation, or a file left half-made
        // when the system went down): an orphan nobody will ever publish. Its name goes, if
        // it still refers to it, and the segment is created again.
        if (unpublished) {
            const auto now = std::chrono::steady_clock::now();
            if (!unpublished_since) unpublished_since = now;
            if (now - *unpublished_since >= orphan_grace && seg.creator_gone()) {
                if (create == nullptr)
                    throw error(errc::not_ready, f.kind, name,
                                std::string(to_string(f.kind)) +
                                    " was left half-made by a creator that is gone (delete it, or let a writer "
                                    "create it again)");
                seg.remove_if_same(f.kind);
                unpublished_since.reset();
                deadline = now + ready_wait;
                continue;
            }
        } else {
            unpublished_since.reset();
        }
        // Being created (size 0 or not yet ready) or retired (being deleted): wait briefly.
        if (std::chrono::steady_clock::now() > deadline)
            throw error(errc::not_ready, f.kind, name,
                        std::string(to_string(f.kind)) +
                            " never became ready (its creator may have died; delete it and create it again)");
        std::this_thread::sleep_for(1ms);
    }
}

bool unlink_and_retire(const std::string& name, const format_id& f,
                       const std::function<void(const void*, std::size_t)>& check) {
    // Write access is required: attached writers must be told (through the state word) to
    // re-attach, or they would go on recording into an orphaned segment.
    std::optional<segment> seg;
    try {
        seg.emplace(segment::open(name, f.kind, segment::access::for_delete));
    } catch (const error& e) {
        if (e.code() == errc::not_found) return false;
        // Something else than a segment at the name (a FIFO, a socket, a device): nobody can
        // be attached to it, so it is only unlinked. A symbolic link is never followed nor
        // removed; a directory cannot be (the unlink says why).
        const std::string what = segment::non_regular(name);
        if (e.code() == errc::foreign && !what.empty() && what != "a symbolic link") return segment::remove(name, f.kind);
        throw;
    }
    // Unlink first: if that fails nothing has changed (a segment retired but still linked
    // would refuse every writer). Then retire the still-mapped segment.
    if (!segment::remove(name, f.kind)) return false;
    if (seg->data() != nullptr && seg->size() >= f.header_size) {
        try {
            check(seg->data(), seg->size());
            state_word(seg->data()).store(state_retired, std::memory_order_release);
        } catch (const error&) {
            // Not a valid (or not yet ready) segment: nobody can be attached to it.
        }
    }
    return true;
}

} // namespace counters::detail::shm

// SPDX-License-Identifier: MIT
// Threads of one process sharing one `counters::section`: concurrent resolution of the same
// channel names and concurrent recording through shared handles give exact totals.
// Built and run under ThreadSanitizer by scripts/test.sh (tests tagged [threads]).
#include "catch.hpp"
#include "support.hpp"

#include <counters/counters.hpp>

#include <array>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

using namespace counters;
using testing_support::temp_section;

namespace {

constexpr int thread_count = 4;
constexpr int events_per_thread = 5000;


/// Starts @p body(i) on thread_count threads at once (released together) and joins them.
template <class F>
void run_threads(F body) {
    std::atomic<int> ready{0};
    std::vector<std::thread> threads;
    threads.reserve(thread_count);
    for (int i = 0; i < thread_count; ++i)
        threads.emplace_back([&, i] {
            ready.fetch_add(1);
            while (ready.load() < thread_count) std::this_thread::yield();
            body(i);
        });
    for (auto& t : threads) t.join();
}

} // namespace

TEST_CASE("threads resolving the same names at once share one row per name", "[threads]") {
    temp_section t("thr");
    section sec(t.name());
    const std::array<std::string, 6> names = {"tcp_local", "tcp_intranet", "ims-ms", "l", "bitbucket", "conversion"};
    std::array<std::array<channel, names.size()>, thread_count> got{};
    run_threads([&](int i) {
        // Each thread walks the names in its own order so that every name is raced.
        for (std::size_t k = 0; k < names.size(); ++k) {
            const std::size_t n = (k + static_cast<std::size_t>(i)) % names.size();
            got[static_cast<std::size_t>(i)][n] = sec.get(names[n]);
        }
    });
    for (std::size_t n = 0; n < names.size(); ++n)
        for (int i = 0; i < thread_count; ++i) {
            CHECK(got[static_cast<std::size_t>(i)][n].recording());
            CHECK(got[static_cast<std::size_t>(i)][n].name() == names[n]);
        }
    const snapshot s = read_snapshot(t.name());
    CHECK(s.channels.size() == names.size());
    for (const auto& n : names) CHECK(s.find(n) != nullptr);
}

TEST_CASE("threads recording through shared handles give exact totals", "[threads]") {
    temp_section t("thr");
    create_options o;
    o.block_size = 1000;
    section sec(t.name(), o);
    const channel in = sec.get("tcp_local");
    const channel out = sec.get("ims-ms");
    run_threads([&](int i) {
        // Resolve again on this thread too: the same handles, no new rows.
        const channel my_in = sec.get("tcp_local");
        const channel my_out = sec.get("ims-ms");
        const channel mine = sec.get("thread_" + std::to_string(i));
        for (int k = 0; k < events_per_thread; ++k) {
            const channel& from = (k % 2 == 0) ? in : my_in;
            const channel& to = (k % 2 == 0) ? out : my_out;
            enqueued(from, to, 2, 1500);                  // 2 blocks
            dequeued(to, 2, 1500, 3, k % 4 == 0);
            deferred(to, 1, 1000);
            association_opened(from, direction::inbound);
            association_closed(from, direction::inbound);
            association_opened(mine, direction::outbound);
            association_closed(mine, direction::outbound);
        }
    });
    const snapshot s = read_snapshot(t.name());
    REQUIRE(s.channels.size() == 2 + thread_count);
    const std::int64_t events = std::int64_t{thread_count} * events_per_thread;
    const channel_values* a = s.find("tcp_local");
    const channel_values* b = s.find("ims-ms");
    REQUIRE(a != nullptr);
    REQUIRE(b != nullptr);
    CHECK(a->get(counter::submitted_messages) == events);
    CHECK(a->get(counter::submitted_recipients) == 2 * events);
    CHECK(a->get(counter::submitted_blocks) == 2 * events);
    CHECK(a->get(counter::in_assocs) == events);
    CHECK(a->current_in == 0);
    CHECK(b->get(counter::received_messages) == events);
    CHECK(b->get(counter::received_blocks) == 2 * events);
    CHECK(b->get(counter::delivered_messages) == events);
    CHECK(b->get(counter::delivered_recipients) == 2 * events);
    CHECK(b->get(counter::delivered_first_messages) == events / 4);
    CHECK(b->get(counter::queue_time) == 3 * events);
    CHECK(b->get(counter::queue_count) == events);
    CHECK(b->get(counter::stored_messages) == 0);
    CHECK(b->get(counter::stored_blocks) == 0);
    CHECK(b->get(counter::attempted_messages) == events);
    CHECK(b->get(counter::attempted_blocks) == events);
    for (int i = 0; i < thread_count; ++i) {
        const channel_values* m = s.find("thread_" + std::to_string(i));
        REQUIRE(m != nullptr);
        CHECK(m->get(counter::out_assocs) == events_per_thread);
        CHECK(m->current_out == 0);
    }
}

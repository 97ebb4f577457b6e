// SPDX-License-Identifier: MIT
// The counter table of counter.hpp: every attribute is present, consistent and unique where
// it must be, so that renderers, clears and exporters can be derived from it.
#include "catch.hpp"

#include <counters/counter.hpp>

#include <map>
#include <regex>
#include <set>
#include <string>
#include <tuple>

using namespace counters;

namespace {

const counter_info& at(std::size_t k) { return info(static_cast<counter>(k)); }

bool ends_with(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

} // namespace

TEST_CASE("counter table: keys, kinds and descriptions", "[counter]") {
    std::set<std::string> keys;
    for (std::size_t k = 0; k < counter_count; ++k) {
        const counter_info& c = at(k);
        INFO("counter " << k);
        CHECK(index(c.id) == k);
        REQUIRE(c.key != nullptr);
        CHECK(std::regex_match(c.key, std::regex("[a-z][a-z_]*[a-z]")));
        CHECK(keys.insert(c.key).second);
        CHECK(c.gauge == (c.kind == counter_kind::gauge));
        REQUIRE(c.help != nullptr);
        CHECK(std::string(c.help).size() > 10);
        CHECK((c.kind == counter_kind::time) == (c.unit == counter_unit::seconds));
    }
    CHECK(info(counter::queue_time).kind == counter_kind::time);
    CHECK(info(counter::queue_count).kind == counter_kind::counter);
    CHECK(info(counter::stored_recipients).unit == counter_unit::recipients);
    CHECK(info(counter::failed_blocks).unit == counter_unit::blocks);
    CHECK(info(counter::out_assocs).unit == counter_unit::associations);
    CHECK(std::string(to_string(counter_kind::gauge)) == "gauge");
    CHECK(std::string(to_string(counter_unit::associations)) == "associations");
}

TEST_CASE("counter table: clear groups", "[counter]") {
    for (std::size_t k = 0; k < counter_count; ++k) {
        const auto c = static_cast<counter>(k);
        const bool assoc = c == counter::in_assocs || c == counter::out_assocs ||
                           c == counter::in_assocs_rejected || c == counter::out_assocs_failed;
        INFO("counter " << info(c).key);
        CHECK(info(c).group == (assoc ? counter_group::associations : counter_group::channels));
    }
}

TEST_CASE("counter table: text table rows and columns", "[counter]") {
    const char* const labels[row_count] = {"Received",  "Stored",   "Delivered", "Submitted",
                                           "Attempted", "Rejected", "Failed"};
    for (std::size_t r = 0; r < row_count; ++r) {
        const std::size_t first = index(first_counter(static_cast<row>(r)));
        const text_column columns[3] = {text_column::messages, text_column::recipients, text_column::blocks};
        for (std::size_t i = 0; i < 3; ++i) {
            CHECK(std::string(at(first + i).text_row) == labels[r]);
            CHECK(at(first + i).column == columns[i]);
        }
    }
    CHECK(std::string(info(counter::delivered_first_messages).text_row) == "Delivered");
    CHECK(info(counter::delivered_first_messages).column == text_column::first_time);
    CHECK(std::string(info(counter::queue_first_time).text_row) == "Queue first time/count");
    CHECK(info(counter::queue_first_count).column == text_column::count);
    CHECK(std::string(info(counter::in_assocs).text_row) == "Total In Assocs");
    CHECK(info(counter::in_assocs_rejected).text_row == nullptr);
    CHECK(info(counter::out_assocs_failed).column == text_column::none);
}

TEST_CASE("counter table: MTA-MIB mtaGroupTable columns", "[counter]") {
    const std::map<counter, unsigned> expected = {
        {counter::received_messages, 2},      {counter::rejected_messages, 3},
        {counter::stored_messages, 4},        {counter::delivered_messages, 5},
        {counter::received_blocks, 6},        {counter::stored_blocks, 7},
        {counter::delivered_blocks, 8},       {counter::received_recipients, 9},
        {counter::stored_recipients, 10},     {counter::delivered_recipients, 11},
        {counter::in_assocs, 15},             {counter::out_assocs, 16},
        {counter::in_assocs_rejected, 19},    {counter::out_assocs_failed, 20},
    };
    for (std::size_t k = 0; k < counter_count; ++k) {
        const auto c = static_cast<counter>(k);
        const auto it = expected.find(c);
        INFO("counter " << info(c).key);
        CHECK(info(c).mib_column == (it == expected.end() ? 0U : it->second));
    }
}

TEST_CASE("counter table: Prometheus names", "[counter]") {
    std::set<std::tuple<std::string, std::string, std::string>> samples;
    std::map<std::string, std::string> sum_labels, count_labels;
    for (std::size_t k = 0; k < counter_count; ++k) {
        const counter_info& c = at(k);
        INFO("counter " << c.key);
        REQUIRE(c.prometheus_family != nullptr);
        REQUIRE(c.prometheus_sample != nullptr);
        REQUIRE(c.prometheus_labels != nullptr);
        const std::string family = c.prometheus_family, sample = c.prometheus_sample,
                          labels = c.prometheus_labels;
        CHECK(std::regex_match(family, std::regex("mta_channel_[a-z_]*[a-z]")));
        CHECK(std::regex_match(labels, std::regex(R"(|[a-z_]+="[a-z_]+"(,[a-z_]+="[a-z_]+")*)")));
        CHECK(samples.insert({family, sample, labels}).second);
        if (sample.empty()) {
            // A counter's family ends with _total, a gauge's does not.
            CHECK(ends_with(family, "_total") == (c.kind != counter_kind::gauge));
            CHECK(c.kind != counter_kind::time);
        } else {
            // The two halves of a summary in base units.
            CHECK(ends_with(family, "_seconds"));
            CHECK((sample == "_sum" || sample == "_count"));
            CHECK((sample == "_sum") == (c.kind == counter_kind::time));
            (sample == "_sum" ? sum_labels : count_labels)[family] = labels;
        }
        if (c.unit == counter_unit::blocks && c.kind != counter_kind::gauge)
            CHECK(family == "mta_channel_blocks_total");
    }
    CHECK(sum_labels == count_labels);
    CHECK(std::string(prometheus_block_size_family) == "mta_section_block_size_bytes");
    CHECK(std::string(info(counter::received_messages).prometheus_family) == "mta_channel_messages_total");
    CHECK(std::string(info(counter::received_messages).prometheus_labels) == "event=\"received\"");
    CHECK(std::string(info(counter::queue_count).prometheus_family) == "mta_channel_queue_time_seconds");
    CHECK(std::string(info(counter::queue_count).prometheus_sample) == "_count");
}

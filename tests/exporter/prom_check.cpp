// SPDX-License-Identifier: MIT
// Checks of the real-Prometheus test (prometheus_live.sh), on documents saved from
// Prometheus's HTTP API and from `counters -show -format=json`. The expected series are
// generated from the library's counter table (counter.hpp), never spelled here, except the
// current associations, which are not table counters.
//   prom_check values COUNTERS_JSON QUERY_JSON   every channel counter Prometheus holds (an
//        instant query of {__name__=~"mta_.*"}) equals the JSON's raw value, series
//        for series, none missing and none extra; and the section's figures (up, block size,
//        channels, clears, overflow, creation time)
//   prom_check targets TARGETS_JSON              one active target, health "up", lastError ""
//   prom_check metadata METADATA_JSON EXPOSITION every family the exporter served (its # HELP
//        and # TYPE lines) has that type and help in Prometheus's metadata; the types of the
//        channel families are those of the counter table
//   prom_check names                             the names of the channel series that only
//        grow between clears (counters, summary halves), one a line
//   prom_check resets BEFORE_JSON RESETS_JSON... resets(...) of every such series is 1 where
//        it held a value above 0 before the clear (BEFORE_JSON, counters JSON), 0 elsewhere;
//        the RESETS_JSON are instant queries, one per name, with __name__ put back by
//        label_replace() (resets() drops it)
//   prom_check value QUERY_JSON                  prints the value of a one-sample result
//        (nothing when the result is empty)
// Exit status 0 when everything holds, 1 otherwise (one line per problem on stderr).
#include <counters/counter.hpp>

#include <nlohmann/json.hpp>

#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

using nlohmann::json;

namespace {

int problems = 0;
void problem(const std::string& what) {
    if (++problems <= 40) std::cerr << "prom_check: " << what << '\n';
}

json load(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    return json::parse(in);
}

/// A series key: the name and the labels that matter, sorted ("name{a=\"x\",b=\"y\"}").
using labels = std::map<std::string, std::string>;
std::string key_of(const std::string& name, const labels& l) {
    std::string k = name + "{";
    bool first = true;
    for (const auto& [n, v] : l) {
        if (!first) k += ",";
        first = false;
        k.append(n).append("=\"").append(v).append("\"");
    }
    return k + "}";
}

/// `event="received"` -> {event: received} (the table's label syntax; values have no quotes).
labels parse_labels(const std::string& text) {
    labels l;
    std::size_t i = 0;
    while (i < text.size()) {
        const auto eq = text.find('=', i);
        const auto q2 = text.find('"', eq + 2);
        l[text.substr(i, eq - i)] = text.substr(eq + 2, q2 - eq - 2);
        i = q2 + 1;
        if (i < text.size() && text[i] == ',') ++i;
    }
    return l;
}

/// The channel series expected from a counters JSON document: key -> value.
std::map<std::string, double> expected_channels(const json& doc) {
    std::map<std::string, double> want;
    for (const auto& ch : doc.at("channels")) {
        const std::string name = ch.at("name").get<std::string>();
        for (std::size_t i = 0; i < counters::counter_count; ++i) {
            const auto& ci = counters::info(static_cast<counters::counter>(i));
            labels l = parse_labels(ci.prometheus_labels);
            l["channel"] = name;
            const json& group = ci.gauge ? ch.at("gauges") : ch.at("counters");
            want[key_of(std::string(ci.prometheus_family) + ci.prometheus_sample, l)] =
                group.at(ci.key).get<double>();
        }
        for (const char* dir : {"inbound", "outbound"}) {
            const labels l{{"channel", name}, {"direction", dir}};
            want[key_of("mta_channel_current_associations", l)] =
                ch.at("gauges").at(std::string("current_") + dir + "_associations").get<double>();
        }
    }
    return want;
}

/// The names of the series expected_channels() makes.
std::set<std::string> channel_series_names() {
    std::set<std::string> names{"mta_channel_current_associations"};
    for (std::size_t i = 0; i < counters::counter_count; ++i) {
        const auto& ci = counters::info(static_cast<counters::counter>(i));
        names.insert(std::string(ci.prometheus_family) + ci.prometheus_sample);
    }
    return names;
}

/// An instant query's vector: key -> value, only the series named in @p names; the labels
/// Prometheus adds (job, instance) are dropped.
std::map<std::string, double> query_result(const json& doc, const std::set<std::string>& names) {
    if (doc.at("status") != "success") throw std::runtime_error("query failed: " + doc.dump());
    std::map<std::string, double> got;
    for (const auto& s : doc.at("data").at("result")) {
        labels l;
        std::string name;
        for (const auto& [n, v] : s.at("metric").items()) {
            if (n == "__name__")
                name = v.get<std::string>();
            else if (n != "job" && n != "instance")
                l[n] = v.get<std::string>();
        }
        if (!names.empty() && names.count(name) == 0) continue;
        got[key_of(name, l)] = std::stod(s.at("value").at(1).get<std::string>());
    }
    return got;
}

/// The section's figures: the name of each series and its place in the counters JSON (the
/// section's families are not table counters).
std::map<std::string, double> expected_section(const json& doc) {
    const json& s = doc.at("section");
    const labels l{{"section", s.at("name").get<std::string>()}};
    return {
        {key_of("mta_section_up", l), 1},
        {key_of("mta_section_block_size_bytes", l), s.at("block_size").get<double>()},
        {key_of("mta_section_channels", l), s.at("channels").get<double>()},
        {key_of("mta_section_clears_total", l), s.at("clear_count").get<double>()},
        {key_of("mta_section_overflow_total", l), s.at("overflow").get<double>()},
        {key_of("mta_section_created_timestamp_seconds", l), s.at("created").get<double>()},
    };
}

int values(const json& counters_doc, const json& query) {
    auto want = expected_channels(counters_doc);
    auto names = channel_series_names();
    for (auto& [k, v] : expected_section(counters_doc)) {
        names.insert(k.substr(0, k.find('{')));
        want[k] = v;
    }
    const auto got = query_result(query, names);
    for (const auto& [k, v] : want) {
        const auto it = got.find(k);
        if (it == got.end())
            problem("missing in Prometheus: " + k);
        else if (it->second != v)
            problem(k + ": Prometheus has " + std::to_string(it->second) + ", counters -show " + std::to_string(v));
    }
    for (const auto& [k, v] : got)
        if (want.count(k) == 0) problem("in Prometheus but not in counters -show: " + k);
    if (problems == 0)
        std::cout << "values: " << want.size() << " series of " << counters_doc.at("channels").size()
                  << " channels equal\n";
    return problems == 0 ? 0 : 1;
}

int targets(const json& doc) {
    const auto& active = doc.at("data").at("activeTargets");
    if (active.size() != 1) problem("active targets: " + std::to_string(active.size()) + ", want 1");
    for (const auto& t : active) {
        if (t.at("health") != "up") problem("target health " + t.at("health").dump() + ", want \"up\"");
        if (t.at("lastError") != "") problem("target lastError " + t.at("lastError").dump());
    }
    if (problems == 0) std::cout << "targets: up, no error\n";
    return problems == 0 ? 0 : 1;
}

int metadata(const json& doc, const std::string& exposition) {
    std::ifstream in(exposition);
    if (!in) throw std::runtime_error("cannot open " + exposition);
    std::map<std::string, std::pair<std::string, std::string>> served; // family -> (type, help)
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("# HELP ", 0) == 0) {
            const auto sp = line.find(' ', 7);
            served[line.substr(7, sp - 7)].second = line.substr(sp + 1);
        } else if (line.rfind("# TYPE ", 0) == 0) {
            const auto sp = line.find(' ', 7);
            served[line.substr(7, sp - 7)].first = line.substr(sp + 1);
        }
    }
    const auto& data = doc.at("data");
    std::size_t checked = 0;
    for (const auto& [family, th] : served) {
        if (!data.contains(family)) {
            problem("no metadata for " + family);
            continue;
        }
        bool found = false;
        for (const auto& m : data.at(family))
            found = found || (m.at("type") == th.first && m.at("help") == th.second);
        if (!found) problem(family + ": metadata " + data.at(family).dump() + ", served " + th.first + " \"" + th.second + "\"");
        ++checked;
    }
    for (std::size_t i = 0; i < counters::counter_count; ++i) {
        const auto& ci = counters::info(static_cast<counters::counter>(i));
        const std::string want = *ci.prometheus_sample != '\0' ? "summary" : ci.gauge ? "gauge" : "counter";
        const auto it = served.find(ci.prometheus_family);
        if (it == served.end())
            problem(std::string("the exposition lacks ") + ci.prometheus_family);
        else if (it->second.first != want)
            problem(std::string(ci.prometheus_family) + " is served as " + it->second.first + ", the table says " + want);
    }
    if (problems == 0) std::cout << "metadata: " << checked << " families with their type and help\n";
    return problems == 0 ? 0 : 1;
}

/// The series names of the channel values that only grow between clears.
std::set<std::string> growing_names() {
    std::set<std::string> names;
    for (std::size_t i = 0; i < counters::counter_count; ++i) {
        const auto& ci = counters::info(static_cast<counters::counter>(i));
        if (!ci.gauge) names.insert(std::string(ci.prometheus_family) + ci.prometheus_sample);
    }
    return names;
}

int resets(const json& before_doc, const std::vector<json>& resets_docs) {
    const auto before = expected_channels(before_doc);
    const auto names = growing_names();
    std::map<std::string, double> got;
    for (const auto& d : resets_docs) got.merge(query_result(d, names));
    std::size_t counted = 0;
    for (const auto& [k, v] : before) {
        if (names.count(k.substr(0, k.find('{'))) == 0) continue; // gauges: resets() is not for them
        const auto it = got.find(k);
        if (it == got.end()) {
            problem("no resets() result for " + k);
            continue;
        }
        const double want = v > 0 ? 1 : 0;
        if (it->second != want)
            problem(k + ": resets() " + std::to_string(it->second) + ", want " + std::to_string(want) + " (value " +
                    std::to_string(v) + " before the clear)");
        ++counted;
    }
    if (problems == 0) std::cout << "resets: " << counted << " counter series, one reset each that had a value\n";
    return problems == 0 ? 0 : 1;
}

int value(const json& doc) {
    const auto got = query_result(doc, {});
    if (got.size() == 1) std::cout << std::setprecision(17) << got.begin()->second << '\n';
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    try {
        const std::string mode = argc > 1 ? argv[1] : "";
        if (mode == "values" && argc == 4) return values(load(argv[2]), load(argv[3]));
        if (mode == "targets" && argc == 3) return targets(load(argv[2]));
        if (mode == "metadata" && argc == 4) return metadata(load(argv[2]), argv[3]);
        if (mode == "names" && argc == 2) {
            for (const auto& n : growing_names()) std::cout << n << '\n';
            return 0;
        }
        if (mode == "resets" && argc >= 4) {
            std::vector<json> docs;
            for (int i = 3; i < argc; ++i) docs.push_back(load(argv[i]));
            return resets(load(argv[2]), docs);
        }
        if (mode == "value" && argc == 3) return value(load(argv[2]));
        std::cerr << "usage: prom_check values|targets|metadata|resets|value FILE...\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "prom_check: " << e.what() << '\n';
        return 1;
    }
}

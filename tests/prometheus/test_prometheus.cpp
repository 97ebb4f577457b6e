// SPDX-License-Identifier: MIT
// Unit tests of render_prometheus(), from synthetic snapshots (no shared memory involved):
// the families come from the counter table, each once; label values escaped; the summary
// shape; the registry mapping; a missing section.
#include "catch.hpp"

#include <counters_tools/prometheus.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace counters;
using counters::tools::exposition_input;
using counters::tools::render_prometheus;

namespace {

/// A channel whose counter i holds base + i (and minimum i, so absolute() is base).
channel_values numbered_channel(const std::string& name, std::int64_t base) {
    channel_values c;
    c.name = name;
    for (std::size_t i = 0; i < counter_count; ++i) {
        c.value[i] = base + static_cast<std::int64_t>(i);
        c.minimum[i] = static_cast<std::int64_t>(i);
    }
    c.current_in = 3;
    c.current_out = 4;
    c.last_in = 1700000000;
    c.last_out = 0; // never: no sample
    return c;
}

snapshot sample_section(const std::vector<std::string>& names) {
    snapshot s;
    s.section.name = "imta_counters";
    s.section.version_major = 1;
    s.section.version_minor = 1;
    s.section.block_size = 2048;
    s.section.max_channels = 512;
    s.section.channels = static_cast<std::uint32_t>(names.size());
    s.section.created = 1600000000;
    s.section.cleared = 0;
    s.section.overflow = 7;
    std::int64_t base = 1000;
    for (const std::string& n : names) {
        s.channels.push_back(numbered_channel(n, base));
        base += 1000;
    }
    return s;
}

std::string render(const exposition_input& in) {
    std::string out;
    render_prometheus(in, out);
    return out;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) lines.push_back(line);
    return lines;
}

/// The name of the family a sample line belongs to: its metric name less a summary suffix
/// when the family so named is a summary.
std::string metric_of(const std::string& line) { return line.substr(0, line.find_first_of("{ ")); }

/// Checks the text format's structure: every line a HELP, TYPE or sample line; each family
/// has one HELP and one TYPE, HELP first, and all its samples follow them without another
/// family in between; no sample line twice (same name and labels). Returns family -> type.
std::map<std::string, std::string> check_structure(const std::string& text) {
    REQUIRE(!text.empty());
    REQUIRE(text.back() == '\n');
    static const std::regex sample(
        R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")*\})? -?[0-9]+$)");
    static const std::regex help(R"(^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \S.*$)");
    static const std::regex type(R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|summary)$)");
    std::map<std::string, std::string> types;
    std::set<std::string> helped;
    std::set<std::string> series;
    std::string current;
    std::smatch m;
    for (const std::string& line : lines_of(text)) {
        INFO(line);
        if (std::regex_match(line, m, help)) {
            REQUIRE(helped.insert(m[1]).second); // one HELP per family
            current = m[1];
        } else if (std::regex_match(line, m, type)) {
            REQUIRE(m[1] == current); // TYPE right after its HELP
            REQUIRE(types.emplace(m[1], m[2]).second);
        } else {
            REQUIRE(std::regex_match(line, sample));
            std::string name = metric_of(line);
            REQUIRE(types.count(current) == 1);
            if (types[current] == "summary") {
                REQUIRE((name == current + "_sum" || name == current + "_count"));
            } else {
                REQUIRE(name == current); // no sample of another family here
            }
            REQUIRE(series.insert(line.substr(0, line.rfind(' '))).second);
        }
    }
    return types;
}

/// The value of the sample whose name and labels are @p key (`name{...}`), or -1 when absent
/// (no test value is -1).
long long value_of(const std::string& text, const std::string& key) {
    for (const std::string& line : lines_of(text))
        if (line.compare(0, key.size() + 1, key + " ") == 0) return std::stoll(line.substr(key.size() + 1));
    return -1;
}

std::size_t count_prefix(const std::string& text, const std::string& prefix) {
    std::size_t n = 0;
    for (const std::string& line : lines_of(text))
        if (line.compare(0, prefix.size(), prefix) == 0) ++n;
    return n;
}

} // namespace

TEST_CASE("every counter of the table is exposed under its family, sample and labels") {
    const snapshot s = sample_section({"tcp_local", "ims-ms"});
    exposition_input in;
    in.section = &s;
    const std::string out = render(in);
    const auto types = check_structure(out);
    for (std::size_t i = 0; i < counter_count; ++i) {
        const counter_info& inf = info(static_cast<counter>(i));
        const std::string labels = *inf.prometheus_labels != '\0' ? std::string(",") + inf.prometheus_labels : "";
        INFO(inf.key);
        CHECK(types.count(inf.prometheus_family) == 1);
        CHECK(value_of(out, std::string(inf.prometheus_family) + inf.prometheus_sample + "{channel=\"tcp_local\"" +
                                labels + "}") == 1000 + static_cast<long long>(i));
        CHECK(value_of(out, std::string(inf.prometheus_family) + inf.prometheus_sample + "{channel=\"ims-ms\"" +
                                labels + "}") == 2000 + static_cast<long long>(i));
        const std::string want_type = *inf.prometheus_sample != '\0' ? "summary"
                                      : inf.kind == counter_kind::gauge ? "gauge"
                                                                        : "counter";
        CHECK(types.at(inf.prometheus_family) == want_type);
    }
    // Counters end in _total, nothing else does.
    for (const auto& [family, type] : types) {
        INFO(family);
        const bool total = family.size() > 6 && family.compare(family.size() - 6, 6, "_total") == 0;
        CHECK(total == (type == "counter"));
    }
}

TEST_CASE("each family once, section families and their values") {
    const snapshot s = sample_section({"a", "b", "c"});
    exposition_input in;
    in.section = &s;
    const std::string out = render(in);
    const auto types = check_structure(out);
    CHECK(count_prefix(out, "# TYPE mta_channel_messages_total ") == 1);
    CHECK(value_of(out, "mta_section_up{section=\"imta_counters\"}") == 1);
    CHECK(value_of(out, "mta_section_info{section=\"imta_counters\",format_version=\"1.1\",max_channels=\"512\"}") ==
          1);
    CHECK(value_of(out, "mta_section_block_size_bytes{section=\"imta_counters\"}") == 2048);
    CHECK(value_of(out, "mta_section_channels{section=\"imta_counters\"}") == 3);
    CHECK(value_of(out, "mta_section_overflow_total{section=\"imta_counters\"}") == 7);
    // Never cleared: the creation time.
    CHECK(value_of(out, "mta_section_cleared_timestamp_seconds{section=\"imta_counters\"}") == 1600000000);
    CHECK(value_of(out, "mta_section_trusted{section=\"imta_counters\"}") == 1);
    CHECK(value_of(out, "mta_channel_current_associations{channel=\"b\",direction=\"inbound\"}") == 3);
    CHECK(value_of(out, "mta_channel_current_associations{channel=\"b\",direction=\"outbound\"}") == 4);
    CHECK(value_of(out, "mta_channel_last_activity_timestamp_seconds{channel=\"c\",direction=\"inbound\"}") ==
          1700000000);
    CHECK(value_of(out, "mta_channel_last_activity_timestamp_seconds{channel=\"c\",direction=\"outbound\"}") == -1);
    CHECK(types.at("mta_section_up") == "gauge");
    CHECK(out.find("_created ") == std::string::npos);

    snapshot cleared = s;
    cleared.section.cleared = 1650000000;
    cleared.section.distrust = "world-writable";
    in.section = &cleared;
    const std::string out2 = render(in);
    CHECK(value_of(out2, "mta_section_cleared_timestamp_seconds{section=\"imta_counters\"}") == 1650000000);
    CHECK(value_of(out2, "mta_section_trusted{section=\"imta_counters\"}") == 0);
}

TEST_CASE("the queue times are summaries: _sum and _count per channel, no quantiles") {
    const snapshot s = sample_section({"tcp_local"});
    exposition_input in;
    in.section = &s;
    const std::string out = render(in);
    const auto types = check_structure(out);
    for (const std::string fam :
         {"mta_channel_queue_time_seconds", "mta_channel_first_attempt_queue_time_seconds"}) {
        INFO(fam);
        CHECK(types.at(fam) == "summary");
        CHECK(count_prefix(out, fam + "_sum{") == 1);
        CHECK(count_prefix(out, fam + "_count{") == 1);
        CHECK(count_prefix(out, fam + "{") == 0);
    }
    CHECK(out.find("quantile") == std::string::npos);
    CHECK(value_of(out, "mta_channel_queue_time_seconds_sum{channel=\"tcp_local\"}") ==
          1000 + static_cast<long long>(index(counter::queue_time)));
    CHECK(value_of(out, "mta_channel_queue_time_seconds_count{channel=\"tcp_local\"}") ==
          1000 + static_cast<long long>(index(counter::queue_count)));
}

TEST_CASE("hostile channel names: label values escaped, valid UTF-8, no control character") {
    const std::vector<std::string> names = {
        "quo\"te", "back\\slash", "new\nline", std::string("nul\0x", 5), "tab\tdel\x7f", "c1\xc2\x9b",
        "bad\xff\xfe", "short\xc3", "caf\xc3\xa9", "emoji\xf0\x9f\x98\x80", "over\xc0\xaf", "sur\xed\xa0\x80"};
    const snapshot s = sample_section(names);
    exposition_input in;
    in.section = &s;
    const std::string out = render(in);
    check_structure(out);
    const std::string fam = "mta_channel_stored_messages{channel=\"";
    const auto has = [&](const std::string& label) { return count_prefix(out, fam + label + "\"}") == 1; };
    CHECK(has(R"(quo\"te)"));
    CHECK(has(R"(back\\slash)"));
    CHECK(has(R"(new\\x0aline)"));
    CHECK(has(R"(nul\\x00x)"));
    CHECK(has(R"(tab\\x09del\\x7f)"));
    CHECK(has(R"(c1\\xc2\\x9b)"));
    CHECK(has(R"(bad\\xff\\xfe)"));
    CHECK(has(R"(short\\xc3)"));
    CHECK(has("caf\xc3\xa9"));
    CHECK(has("emoji\xf0\x9f\x98\x80"));
    CHECK(has(R"(over\\xc0\\xaf)"));
    CHECK(has(R"(sur\\xed\\xa0\\x80)"));
    // Nothing but printable ASCII, newline and well-formed UTF-8 of U+00A0 and above.
    for (std::size_t i = 0; i < out.size(); ++i) {
        const auto u = static_cast<unsigned char>(out[i]);
        INFO(i);
        CHECK((u == '\n' || (u >= 0x20 && u < 0x7f) || u >= 0xa0 || (u >= 0x80 && i > 0)));
        CHECK(u != 0x7f);
    }
}

TEST_CASE("a channel whose label value repeats an earlier one is left out") {
    const snapshot s = sample_section({"dup", "x\x01", "dup", "x\\x01"});
    exposition_input in;
    in.section = &s;
    const std::string out = render(in);
    check_structure(out); // no duplicate series
    CHECK(value_of(out, "mta_channel_stored_messages{channel=\"dup\"}") ==
          1000 + static_cast<long long>(index(counter::stored_messages)));
    CHECK(value_of(out, "mta_channel_stored_messages{channel=\"x\\\\x01\"}") ==
          2000 + static_cast<long long>(index(counter::stored_messages)));
}

TEST_CASE("pattern and absolute apply") {
    const snapshot s = sample_section({"tcp_local", "tcp_intranet", "ims-ms"});
    exposition_input in;
    in.section = &s;
    in.pattern = "TCP_*";
    in.absolute = true;
    const std::string out = render(in);
    check_structure(out);
    CHECK(count_prefix(out, "mta_channel_stored_blocks{") == 2);
    CHECK(out.find("ims-ms") == std::string::npos);
    CHECK(value_of(out, "mta_channel_stored_blocks{channel=\"tcp_intranet\"}") == 2000);
    CHECK(value_of(out, "mta_channel_messages_total{channel=\"tcp_local\",event=\"received\"}") == 1000);
}

TEST_CASE("missing section: mta_section_up 0 and nothing of a section") {
    exposition_input in;
    in.section_name = "gone\"away";
    const std::string out = render(in);
    check_structure(out);
    CHECK(out ==
          "# HELP mta_section_up 1 when the section could be read, 0 when not.\n"
          "# TYPE mta_section_up gauge\n"
          "mta_section_up{section=\"gone\\\"away\"} 0\n");
}

namespace {

registry_snapshot sample_registry() {
    registry_snapshot r;
    r.info.name = "counters_registry";
    const auto add = [&](const std::string& name, const object_schema& schema,
                         const std::vector<std::string>& instances) {
        object_values o;
        o.name = name;
        o.schema = schema;
        std::int64_t v = 10;
        for (const std::string& in : instances) {
            instance_values iv;
            iv.name = in;
            for (const field_def& f : schema) {
                field_value fv;
                fv.name = f.name;
                fv.kind = f.kind;
                fv.size = f.size;
                fv.per_process = f.per_process;
                fv.number = f.kind == field_kind::string ? 0 : v++;
                if (f.kind == field_kind::string) fv.text = "/var/mail \"x\"";
                iv.fields.push_back(fv);
            }
            o.instances.push_back(iv);
        }
        r.objects.push_back(o);
    };
    add("imapstat", *builtin_schema("imapstat"), {"global"});
    add("diskusage", *builtin_schema("diskusage"), {"primary", "sec\"ond"});
    add("alarm", *builtin_schema("alarm"), {"diskavail"});
    add("my-app.v2",
        {{"requestsTotal", field_kind::counter, 8, false},
         {"queue.count", field_kind::gauge, 8, false},
         {"lastHTTPTime", field_kind::time, 8, false},
         {"requests_total", field_kind::counter, 8, false}, // the family of requestsTotal: left out
         {"note", field_kind::string, 64, false}},
        {"a", "b"});
    return r;
}

} // namespace

TEST_CASE("registry objects are mapped from their schema") {
    registry_snapshot reg = sample_registry();
    // A TIME never set has no sample.
    reg.objects[3].instances[1].fields[2].number = 0;
    exposition_input in;
    in.registry = &reg;
    in.section_name = "imta_counters";
    const std::string out = render(in);
    const auto types = check_structure(out);
    CHECK(value_of(out, "mta_section_up{section=\"imta_counters\"}") == 0);
    // imapstat: the schema order, 10 upwards.
    CHECK(types.at("mta_imapstat_current_start_timestamp_seconds") == "gauge");
    CHECK(value_of(out, "mta_imapstat_current_start_timestamp_seconds{object_instance=\"global\"}") == 10);
    CHECK(value_of(out, "mta_imapstat_last_connection_timestamp_seconds{object_instance=\"global\"}") == 11);
    CHECK(types.at("mta_imapstat_max_connections") == "gauge");
    CHECK(value_of(out, "mta_imapstat_max_connections{object_instance=\"global\"}") == 12);
    CHECK(types.at("mta_imapstat_num_connections_total") == "counter");
    CHECK(value_of(out, "mta_imapstat_num_connections_total{object_instance=\"global\"}") == 13);
    CHECK(types.at("mta_imapstat_num_current_connections") == "gauge");
    CHECK(value_of(out, "mta_imapstat_num_current_connections{object_instance=\"global\"}") == 14);
    CHECK(value_of(out, "mta_imapstat_num_good_logins_total{object_instance=\"global\"}") == 17);
    // diskusage: its STRING is left out, instances escaped.
    CHECK(out.find("mail_partition_path") == std::string::npos);
    CHECK(out.find("/var/mail") == std::string::npos);
    CHECK(value_of(out, "mta_diskusage_avail_space{object_instance=\"sec\\\"ond\"}") >= 10);
    CHECK(types.at("mta_diskusage_last_stat_timestamp_seconds") == "gauge");
    // alarm: time_ prefixes dropped.
    CHECK(types.count("mta_alarm_last_set_timestamp_seconds") == 1);
    CHECK(types.count("mta_alarm_count_over_threshold_total") == 1);
    CHECK(types.at("mta_alarm_warning_state") == "gauge");
    // A custom object: names sanitized to snake case, reserved suffixes avoided, collisions
    // left out.
    CHECK(types.at("mta_my_app_v2_requests_total") == "counter");
    CHECK(count_prefix(out, "mta_my_app_v2_requests_total{") == 2);
    CHECK(types.at("mta_my_app_v2_queue_count_value") == "gauge");
    CHECK(types.at("mta_my_app_v2_last_http_timestamp_seconds") == "gauge");
    CHECK(count_prefix(out, "mta_my_app_v2_last_http_timestamp_seconds{") == 1);
    CHECK(out.find("note") == std::string::npos);
    // Never the target labels.
    CHECK(out.find("instance=") == out.find("object_instance=") + 7);
    CHECK(out.find(",instance=") == std::string::npos);
    CHECK(out.find("{instance=") == std::string::npos);
    CHECK(out.find("job=") == std::string::npos);
}

TEST_CASE("a registry field never takes the name of a section or channel family") {
    registry_snapshot reg;
    object_values o;
    o.name = "channel";
    o.schema = {{"stored_messages", field_kind::gauge, 8, false}, {"messages", field_kind::counter, 8, false}};
    instance_values iv;
    iv.name = "x";
    iv.fields = {{"stored_messages", field_kind::gauge, 8, false, 5, {}, false},
                 {"messages", field_kind::counter, 8, false, 6, {}, false}};
    o.instances.push_back(iv);
    reg.objects.push_back(o);
    const snapshot s = sample_section({"tcp_local"});
    exposition_input in;
    in.section = &s;
    in.registry = &reg;
    const std::string out = render(in);
    check_structure(out); // would fail on a second HELP of the family
    CHECK(out.find("object_instance") == std::string::npos);
}

TEST_CASE("the output is appended to what the string holds") {
    const snapshot s = sample_section({"tcp_local"});
    exposition_input in;
    in.section = &s;
    std::string out = "# earlier\n";
    render_prometheus(in, out);
    CHECK(out.compare(0, 10, "# earlier\n") == 0);
    CHECK(out.substr(10) == render(in));
}

// SPDX-License-Identifier: MIT
// Unit tests of the renderers, from synthetic snapshots (no shared memory involved).
#include "catch.hpp"

#include <counters_tools/json.hpp>
#include <counters_tools/render.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <sstream>
#include <string>

using namespace counters;
using counters::tools::render_json;
using counters::tools::render_options;
using counters::tools::render_text;

namespace {

void set_row(channel_values& c, row r, std::int64_t m, std::int64_t rc, std::int64_t b) {
    const auto first = static_cast<std::size_t>(first_counter(r));
    c.value[first] = m;
    c.value[first + 1] = rc;
    c.value[first + 2] = b;
}

/// The tcp_local sample of the administration guide, section 27.8.5.
snapshot guide_sample() {
    snapshot s;
    s.section.name = "imta_counters";
    s.section.version_major = 1;
    s.section.block_size = 1024;
    s.section.max_channels = 512;
    s.section.channels = 1;
    s.section.instance_id = 0xabc;
    channel_values c;
    c.name = "tcp_local";
    set_row(c, row::received, 29379, 79714, 982252);
    set_row(c, row::stored, 61, 113, -2004);
    set_row(c, row::delivered, 29369, 79723, 983903);
    set_row(c, row::submitted, 13698, 13699, 18261);
    set_row(c, row::attempted, 0, 0, 0);
    set_row(c, row::rejected, 1, 10, 0);
    set_row(c, row::failed, 104, 104, 4681);
    c.value[index(counter::delivered_first_messages)] = 29369;
    c.value[index(counter::queue_time)] = 16425;
    c.value[index(counter::queue_count)] = 29440;
    c.value[index(counter::queue_first_time)] = 16425;
    c.value[index(counter::queue_first_count)] = 29440;
    c.value[index(counter::in_assocs)] = 297637;
    c.value[index(counter::out_assocs)] = 28306;
    c.minimum[index(counter::stored_blocks)] = -2500;
    s.channels.push_back(c);
    return s;
}

const char* const guide_text = R"(Channel                Messages   Recipients Blocks
---------------------- ---------- ---------- ----------
tcp_local
   Received              29379      79714     982252
   Stored                   61        113      -2004
   Delivered             29369      79723     983903 (29369 first time)
   Submitted             13698      13699      18261
   Attempted                 0          0          0
   Rejected                  1         10          0
   Failed                  104        104       4681

   Queue time/count        16425/29440 = 0.56
   Queue first time/count  16425/29440 = 0.56

   Total In Assocs           297637
   Total Out Assocs           28306
)";

std::string text(const snapshot& s, const render_options& o = {}) {
    std::ostringstream out;
    render_text(s, o, out);
    return out.str();
}

} // namespace

TEST_CASE("render_text reproduces the administration guide's layout byte for byte", "[render]") {
    CHECK(text(guide_sample()) == guide_text);
}

TEST_CASE("render_text -absolute subtracts minimums", "[render]") {
    render_options o;
    o.absolute = true;
    o.headers = false;
    o.associations = false;
    const std::string t = text(guide_sample(), o);
    CHECK(t.find("   Stored                   61        113        496\n") != std::string::npos);
    CHECK(t.find("Total") == std::string::npos);
}

TEST_CASE("render_text escapes names, separates channels, reports overflow", "[render]") {
    snapshot s = guide_sample();
    s.channels[0].name = "ev\x1b[2Jil";
    channel_values second;
    second.name = "l";
    s.channels.push_back(second);
    s.section.overflow = 3;
    render_options o;
    o.headers = false;
    o.channels = false;
    CHECK(text(s, o) == "ev\\x1b[2Jil\n"
                        "   Total In Assocs           297637\n"
                        "   Total Out Assocs           28306\n"
                        "\n"
                        "l\n"
                        "   Total In Assocs                0\n"
                        "   Total Out Assocs               0\n"
                        "\n"
                        "Channel table full: 3 registrations refused (max_channels=512)\n");
    o.pattern = "L";
    o.associations = false;
    CHECK(text(s, o) == "l\n\nChannel table full: 3 registrations refused (max_channels=512)\n");
}

TEST_CASE("render_text of an empty section is the two header lines", "[render]") {
    snapshot s;
    CHECK(text(s) == "Channel                Messages   Recipients Blocks\n"
                     "---------------------- ---------- ---------- ----------\n");
    render_options o;
    o.headers = false;
    CHECK(text(s, o).empty());
}

TEST_CASE("render_text widens a column, on every line and in the header, for a value that does not fit",
          "[render][wide]") {
    snapshot s = guide_sample();
    channel_values big;
    big.name = "big";
    big.value[index(counter::stored_blocks)] = INT64_MIN;             // 20 characters: Blocks grows by 10
    big.value[index(counter::received_recipients)] = 12345678901;     // 11: Recipients grows by 1
    big.value[index(counter::out_assocs)] = 1234567890123456;         // 16: the totals grow by 1
    s.channels.push_back(big);
    const std::string t = text(s);
    CHECK(t.rfind("Channel                Messages   Recipients  Blocks\n"
                  "---------------------- ---------- ----------- --------------------\n"
                  "tcp_local\n"
                  "   Received              29379       79714               982252\n"
                  "   Stored                   61         113                -2004\n",
                  0) == 0);
    CHECK(t.find("   Total In Assocs            297637\n"
                 "   Total Out Assocs            28306\n") != std::string::npos);
    CHECK(t.find("   Received                  0 12345678901                    0\n"
                 "   Stored                    0           0 -9223372036854775808\n") != std::string::npos);
    CHECK(t.find("   Total Out Assocs 1234567890123456\n") != std::string::npos);
    // The guide's channel alone keeps the documented layout: only the channels shown count.
    render_options o;
    o.pattern = "tcp_*";
    CHECK(text(s, o) == guide_text);
}

TEST_CASE("render_text -minimums adds a minimum line below each line, in its columns", "[render][minimums]") {
    render_options o;
    o.minimums = true;
    snapshot s = guide_sample();
    s.channels[0].minimum[index(counter::delivered_first_messages)] = -7;
    s.channels[0].minimum[index(counter::queue_first_count)] = -3;
    s.channels[0].minimum[index(counter::in_assocs)] = -1;
    const std::string t = text(s, o);
    CHECK(t.find("   Stored                   61        113      -2004\n"
                 "     minimum                 0          0      -2500\n"
                 "   Delivered             29369      79723     983903 (29369 first time)\n"
                 "     minimum                 0          0          0 (-7 first time)\n") != std::string::npos);
    CHECK(t.find("   Queue first time/count  16425/29440 = 0.56\n"
                 "     minimum               0/-3\n") != std::string::npos);
    CHECK(t.find("   Total In Assocs           297637\n"
                 "     minimum                     -1\n"
                 "   Total Out Assocs           28306\n"
                 "     minimum                      0\n") != std::string::npos);
    // -absolute changes the values, not the minimums below them.
    o.absolute = true;
    CHECK(text(s, o).find("   Stored                   61        113        496\n"
                          "     minimum                 0          0      -2500\n") != std::string::npos);
    // Without it, no minimum line at all.
    CHECK(text(s).find("minimum") == std::string::npos);
}

TEST_CASE("render_json writes the versioned document", "[render]") {
    snapshot s = guide_sample();
    s.channels[0].current_in = 4;
    s.channels[0].last_out = 1700000000;
    std::ostringstream out;
    render_json(s, {}, out);
    const std::string str = out.str();
    REQUIRE(!str.empty());
    CHECK(str.back() == '\n');
    const auto j = nlohmann::json::parse(str);
    CHECK(j["format_version"] == 1);
    CHECK(j["absolute"] == false);
    CHECK(j["section"]["name"] == "imta_counters");
    CHECK(j["section"]["format"] == "1.0");
    CHECK(j["section"]["instance_id"] == "0000000000000abc");
    CHECK(j["section"].size() == 10);
    const auto& c = j["channels"][0];
    CHECK(c["name"] == "tcp_local");
    CHECK(c["counters"]["received_messages"] == 29379);
    CHECK(c["counters"]["queue_time_seconds"] == 16425);
    CHECK(c["gauges"]["stored_blocks"] == -2004);
    CHECK(c["gauges"]["current_inbound_associations"] == 4);
    CHECK(c["minimums"]["stored_blocks"] == -2500);
    CHECK(c["minimums"].size() == counter_count);
    CHECK(c["counters"].size() + c["gauges"].size() == counter_count + 2);
    CHECK(c["times"]["last_outbound_activity"] == 1700000000);
    CHECK(c["times"]["last_inbound_activity"] == 0);

    render_options o;
    o.absolute = true;
    o.pattern = "nomatch";
    std::ostringstream out2;
    render_json(s, o, out2);
    const auto j2 = nlohmann::json::parse(out2.str());
    CHECK(j2["absolute"] == true);
    CHECK(j2["channels"].empty());
    o.pattern = "*";
    std::ostringstream out3;
    render_json(s, o, out3);
    CHECK(nlohmann::json::parse(out3.str())["channels"][0]["gauges"]["stored_blocks"] == 496);
}

TEST_CASE("render_json never throws on bytes that are not UTF-8", "[render]") {
    snapshot s;
    channel_values c;
    c.name = "bad\xff\xfe";
    s.channels.push_back(c);
    std::ostringstream out;
    CHECK_NOTHROW(render_json(s, {}, out));
    CHECK_NOTHROW(nlohmann::json::parse(out.str()));
}

TEST_CASE("render_json and render_text escape hostile names by the one rule", "[render][escape]") {
    snapshot s;
    const std::string names[] = {"a\nb", "\x1b]0;X\x07", "\x1b[2J", "del\x7f", "c1\xc2\x9b\xc2\x9d",
                                 std::string("\x80\x8f\x9f", 3), "bad\xff\xfe", "ok"};
    for (const std::string& n : names) {
        channel_values c;
        c.name = n;
        s.channels.push_back(c);
    }
    std::ostringstream json_out;
    render_json(s, {}, json_out);
    const std::string doc = json_out.str();
    for (char ch : doc) { // pure ASCII; no control character but the layout's newlines
        const auto u = static_cast<unsigned char>(ch);
        CHECK(((u >= 0x20 && u < 0x7f) || u == '\n'));
    }
    CHECK(doc.find("\"c1\\u009b\\u009d\"") != std::string::npos);
    CHECK(doc.find("\"del\\u007f\"") != std::string::npos);
    CHECK(doc.find("\"\\u001b]0;X\\u0007\"") != std::string::npos);
    CHECK(doc.find("\"\\ufffd\\ufffd\\ufffd\"") != std::string::npos);
    CHECK(doc.find("\"bad\\ufffd\\ufffd\"") != std::string::npos);
    const nlohmann::json parsed = nlohmann::json::parse(doc);
    CHECK(parsed["channels"][0]["name"] == "a\nb");
    CHECK(parsed["channels"][4]["name"] == "c1\xc2\x9b\xc2\x9d"); // valid UTF-8 comes back as it was
    CHECK(parsed["channels"][7]["name"] == "ok");

    const std::string text = counters::tools::render_text(s, {});
    for (char ch : text) {
        const auto u = static_cast<unsigned char>(ch);
        CHECK(((u >= 0x20 && u < 0x7f) || u == '\n'));
    }
    CHECK(text.find("\na\\x0ab\n") != std::string::npos);
    CHECK(text.find("\nc1\\xc2\\x9b\\xc2\\x9d\n") != std::string::npos);
}

TEST_CASE("dump_json lays a document out as nlohmann's dump() does", "[render]") {
    nlohmann::ordered_json doc;
    doc["a"] = 1;
    doc["b"] = {{"x", true}, {"y", nullptr}, {"z", -5}};
    doc["c"] = nlohmann::ordered_json::array();
    doc["d"] = nlohmann::ordered_json::object();
    doc["e"] = {1, "two", 2.5};
    doc["f"] = "plain \"quoted\" \\ text\n";
    CHECK(counters::tools::dump_json(doc, 2) == doc.dump(2));
    CHECK(counters::tools::dump_json(doc, -1) == doc.dump());
    const nlohmann::json sorted = nlohmann::json::parse(doc.dump());
    CHECK(counters::tools::dump_json(sorted, 4) == sorted.dump(4));
    CHECK(counters::tools::dump_json(nlohmann::json("s\x7f"), -1) == "\"s\\u007f\"");
}

// SPDX-License-Identifier: MIT
// The oracle of the real-snmpd test (snmpd_live.sh): what counters-snmpd must serve, worked
// out from `counters -show -format=json` by the rules of counters-snmpd(8), compared with
// what snmpwalk/snmpbulkwalk printed through a real snmpd.
//
//   walk_check JSON WALK [--now LO HI] [--agent-start LO HI]
//
// WALK: the output of `snmpbulkwalk -On -Oe -Ot` of .1.3.6.1.2.1.28 and .1.3.6.1.2.1.27
// (lines "OID = TYPE: VALUE"; TimeTicks print as a bare number with -Ot). JSON: the section
// at the same moment (nothing writes to it in between). --now: the seconds (since the
// epoch) between which the subagent took its snapshot (TimeInterval columns count from
// then); --agent-start: between which the subagent started (TimeStamp columns count from
// then). Without them, time columns must be present but any value is accepted.
//
// Every value served must be expected and every expected value must be served, with its
// type: the MTA-MIB tables (mtaTable, mtaGroupTable, mtaGroupErrorTable; no
// mtaGroupAssociationTable rows) and the MTA's applTable row (applIndex 1). A column the
// section cannot fill must be absent from the walk (noSuchInstance: a walk skips it).
// Rows of the registry's services (applIndex 2..4) are ignored here.
//
// Exit status 0 (prints "ok: N values"), 1 with one line per difference, 2 on bad usage.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

using nlohmann::json;

namespace {

__extension__ typedef __int128 wide;
__extension__ typedef unsigned __int128 uwide;

struct expected {
    std::string type; ///< "Counter32", "Gauge32", "INTEGER", "Timeticks", "STRING"
    wide lo = 0, hi = 0; ///< numbers: the accepted range (equal unless a time)
    std::string text;    ///< STRING
    bool any = false;    ///< a time column without bounds given: any number; a STRING: text is a prefix
    std::string suffix;  ///< a STRING with any: its end
};

/// The concatenation of @p parts (strings, string literals).
template <class... T>
std::string cat(const T&... parts) {
    std::string s;
    ((s += parts), ...);
    return s;
}

std::string num(wide v) {
    if (v == 0) return "0";
    const bool neg = v < 0;
    uwide u = neg ? static_cast<uwide>(-v) : static_cast<uwide>(v);
    std::string s;
    while (u != 0) {
        s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
        u /= 10;
    }
    return neg ? "-" + s : s;
}

// The conversions of counters-snmpd(8), written again from the man page.
wide counter32(wide v) { return static_cast<wide>(static_cast<uwide>(v) & 0xffffffffU); }
wide gauge32(wide v) { return v < 0 ? 0 : v > 0xffffffffLL ? 0xffffffffLL : v; }
/// K-octets: blocks * block_size / 1024, rounded towards minus infinity.
wide kilo(wide blocks, wide block_size) {
    const wide o = blocks * block_size;
    return o >= 0 ? o / 1024 : -((-o + 1023) / 1024);
}

expected c32(wide v) { return {"Counter32", counter32(v), counter32(v), {}, false, {}}; }
expected g32(wide v) { return {"Gauge32", gauge32(v), gauge32(v), {}, false, {}}; }
expected integer(wide v) { return {"INTEGER", v, v, {}, false, {}}; }
expected string(const std::string& s) { return {"STRING", 0, 0, s, false, {}}; }

struct window {
    bool given = false;
    wide lo = 0, hi = 0;
};

/// TimeInterval from @p event to "now" (hundredths, 0 before, clamped at 2^31-1).
expected interval(wide event, const window& now) {
    if (!now.given) return {"INTEGER", 0, 0, {}, true, {}};
    const auto f = [&](wide n) {
        const wide d = (n - event) * 100;
        return d < 0 ? wide{0} : d > 0x7fffffff ? wide{0x7fffffff} : d;
    };
    return {"INTEGER", f(now.lo), f(now.hi), {}, false, {}};
}

/// TimeStamp of @p event: hundredths of a second since the subagent started, 0 before.
expected stamp(wide event, const window& start) {
    if (!start.given) return {"Timeticks", 0, 0, {}, true, {}};
    const auto f = [&](wide s) {
        const wide d = (event - s) * 100;
        return d < 0 ? wide{0} : counter32(d);
    };
    return {"Timeticks", f(start.hi), f(start.lo), {}, false, {}};
}

wide get(const json& j, const char* group, const char* key) {
    const json& v = j.at(group).at(key);
    if (v.is_number_unsigned()) return static_cast<wide>(v.get<std::uint64_t>());
    return static_cast<wide>(v.get<std::int64_t>());
}

/// Parses "OID = TYPE: VALUE" (or "OID = VALUE" for -Ot TimeTicks, "OID = \"\"").
bool parse_line(const std::string& line, std::string& oid, std::string& type, std::string& val) {
    const auto eq = line.find(" = ");
    if (eq == std::string::npos) return false;
    oid = line.substr(0, eq);
    std::string rest = line.substr(eq + 3);
    if (rest == "\"\"") {
        type = "STRING";
        val.clear();
        return true;
    }
    const auto colon = rest.find(": ");
    if (colon == std::string::npos) {
        type = "Timeticks";
        val = rest;
        return true;
    }
    type = rest.substr(0, colon);
    val = rest.substr(colon + 2);
    if (type == "STRING" && val.size() >= 2 && val.front() == '"' && val.back() == '"') {
        std::string s;
        for (std::size_t i = 1; i + 1 < val.size(); ++i) {
            if (val[i] == '\\' && i + 2 < val.size()) ++i;
            s += val[i];
        }
        val = s;
    }
    return true;
}

bool parse_wide(const std::string& s, wide& out) {
    if (s.empty()) return false;
    std::size_t i = 0;
    bool neg = false;
    if (s[0] == '-') {
        neg = true;
        i = 1;
    }
    if (i == s.size()) return false;
    wide v = 0;
    for (; i < s.size(); ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    out = neg ? -v : v;
    return true;
}

int run(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: walk_check JSON WALK [--now LO HI] [--agent-start LO HI]\n";
        return 2;
    }
    window now, start;
    for (int i = 3; i < argc; i += 3) {
        const std::string opt = argv[i];
        if (i + 2 >= argc || (opt != "--now" && opt != "--agent-start")) {
            std::cerr << "walk_check: bad option " << opt << '\n';
            return 2;
        }
        window& w = opt == "--now" ? now : start;
        w.given = parse_wide(argv[i + 1], w.lo) && parse_wide(argv[i + 2], w.hi);
        if (!w.given) {
            std::cerr << "walk_check: bad numbers after " << opt << '\n';
            return 2;
        }
    }
    std::ifstream jf(argv[1]);
    if (!jf) {
        std::cerr << "walk_check: cannot open " << argv[1] << '\n';
        return 2;
    }
    const json doc = json::parse(jf);
    const json& sec = doc.at("section");
    const wide block_size = sec.at("block_size").get<std::int64_t>();

    std::map<std::string, expected> want;
    const std::string mta = ".1.3.6.1.2.1.28.1.1.", grp = ".1.3.6.1.2.1.28.2.1.", err = ".1.3.6.1.2.1.28.5.1.",
                      appl = ".1.3.6.1.2.1.27.1.1.";
    // Totals over the channels (mtaTable and the MTA's applTable row).
    std::map<std::string, wide> total;
    wide last_in = 0, last_out = 0;
    unsigned slot = 0;
    for (const json& ch : doc.at("channels")) {
        ++slot; // the channels come in slot order; the group index is slot + 1
        for (const auto& [k, v] : ch.at("counters").items()) total[k] += get(ch, "counters", k.c_str());
        for (const auto& [k, v] : ch.at("gauges").items()) total[k] += get(ch, "gauges", k.c_str());
        const std::string row = "1." + std::to_string(slot);
        const auto col = [&](int c) { return cat(grp, std::to_string(c), ".", row); };
        const auto cnt = [&](const char* k) { return get(ch, "counters", k); };
        const auto gau = [&](const char* k) { return get(ch, "gauges", k); };
        want[col(2)] = c32(cnt("received_messages"));
        want[col(3)] = c32(cnt("rejected_messages"));
        want[col(4)] = g32(gau("stored_messages"));
        want[col(5)] = c32(cnt("delivered_messages"));
        want[col(6)] = c32(kilo(cnt("received_blocks"), block_size));
        want[col(7)] = g32(kilo(gau("stored_blocks"), block_size));
        want[col(8)] = c32(kilo(cnt("delivered_blocks"), block_size));
        want[col(9)] = c32(cnt("received_recipients"));
        want[col(10)] = g32(gau("stored_recipients"));
        want[col(11)] = c32(cnt("delivered_recipients"));
        // 12 OldestMessageStored: not known (noSuchInstance)
        want[col(13)] = g32(gau("current_inbound_associations"));
        want[col(14)] = g32(gau("current_outbound_associations"));
        want[col(15)] = c32(cnt("inbound_associations"));
        want[col(16)] = c32(cnt("outbound_associations"));
        const wide in = get(ch, "times", "last_inbound_activity"), out = get(ch, "times", "last_outbound_activity");
        if (in != 0) want[col(17)] = interval(in, now);
        if (out != 0) want[col(18)] = interval(out, now);
        last_in = std::max(last_in, in);
        last_out = std::max(last_out, out);
        want[col(19)] = c32(cnt("rejected_inbound_associations"));
        want[col(20)] = c32(cnt("failed_outbound_associations"));
        // 21-24 reasons, retry, protocol: not known
        want[col(25)] = string(ch.at("name").get<std::string>());
        // 26-30 conversions, description, URL, creation time: not known
        want[col(31)] = integer(0); // Hierarchy: 0, "not implemented" in RFC 2789's words
        // 32-34: not known
        // mtaGroupErrorTable: outbound errors, 4.0.0 temporary (Attempted), 5.0.0 permanent (Failed)
        want[cat(err, "3.", row, ".4000000")] = c32(cnt("attempted_messages"));
        want[cat(err, "3.", row, ".5000000")] = c32(cnt("failed_messages"));
    }
    const auto t = [&](const char* k) { return total[k]; };
    want[mta + "1.1"] = c32(t("received_messages"));
    want[mta + "2.1"] = g32(t("stored_messages"));
    want[mta + "3.1"] = c32(t("delivered_messages"));
    want[mta + "4.1"] = c32(kilo(t("received_blocks"), block_size));
    want[mta + "5.1"] = g32(kilo(t("stored_blocks"), block_size));
    want[mta + "6.1"] = c32(kilo(t("delivered_blocks"), block_size));
    want[mta + "7.1"] = c32(t("received_recipients"));
    want[mta + "8.1"] = g32(t("stored_recipients"));
    want[mta + "9.1"] = c32(t("delivered_recipients"));
    // 10-12 conversions and loops: not known

    // applTable, the MTA's row (applIndex 1).
    const wide created = sec.at("created").get<std::int64_t>(), cleared = sec.at("cleared").get<std::int64_t>();
    want[appl + "2.1"] = string(sec.at("name").get<std::string>());
    want[appl + "3.1"] = string("");
    // "libcounters VERSION, section format MAJOR.MINOR": the version varies
    want[appl + "4.1"] = {"STRING", 0, 0, "libcounters ", true, ", section format " + sec.at("format").get<std::string>()};
    want[appl + "5.1"] = stamp(created, start);
    want[appl + "6.1"] = integer(1); // up
    want[appl + "7.1"] = stamp(std::max(created, cleared), start);
    want[appl + "8.1"] = g32(t("current_inbound_associations"));
    want[appl + "9.1"] = g32(t("current_outbound_associations"));
    want[appl + "10.1"] = c32(t("inbound_associations"));
    want[appl + "11.1"] = c32(t("outbound_associations"));
    if (last_in != 0) want[appl + "12.1"] = stamp(last_in, start);
    if (last_out != 0) want[appl + "13.1"] = stamp(last_out, start);
    want[appl + "14.1"] = c32(t("rejected_inbound_associations"));
    want[appl + "15.1"] = c32(t("failed_outbound_associations"));
    want[appl + "16.1"] = {"STRING", 0, 0, "", true, {}}; // applDescription: any text
    // 17 applURL: not known

    std::ifstream wf(argv[2]);
    if (!wf) {
        std::cerr << "walk_check: cannot open " << argv[2] << '\n';
        return 2;
    }
    int problems = 0, seen = 0;
    const auto bad = [&](const std::string& m) {
        std::cout << "walk_check: " << m << '\n';
        ++problems;
    };
    std::map<std::string, bool> got;
    std::string line;
    while (std::getline(wf, line)) {
        std::string oid, type, val;
        if (!parse_line(line, oid, type, val)) {
            bad("unreadable line: " + line);
            continue;
        }
        // the registry's service rows (applIndex 2..4) are not the section's
        if (oid.rfind(appl, 0) == 0 && oid.substr(oid.rfind('.')) != ".1") continue;
        if (oid.rfind(".1.3.6.1.2.1.28.", 0) != 0 && oid.rfind(".1.3.6.1.2.1.27.", 0) != 0) {
            bad("outside the MIBs: " + line);
            continue;
        }
        ++seen;
        if (got[oid]) bad("served twice: " + oid);
        got[oid] = true;
        const auto it = want.find(oid);
        if (it == want.end()) {
            bad("served but must be noSuchInstance: " + line);
            continue;
        }
        const expected& e = it->second;
        if (type != e.type) {
            bad(cat(oid, ": type ", type, ", want ", e.type, " (", line, ")"));
            continue;
        }
        if (e.type == "STRING") {
            const bool ends = val.size() >= e.suffix.size() && val.compare(val.size() - e.suffix.size(), e.suffix.size(), e.suffix) == 0;
            if (e.any ? val.rfind(e.text, 0) != 0 || !ends : val != e.text)
                bad(cat(oid, ": \"", val, "\", want \"", e.text, e.any ? cat("...\"", e.suffix) : std::string("\"")));
            continue;
        }
        wide v = 0;
        if (!parse_wide(val, v)) {
            bad(cat(oid, ": not a number: ", val));
        } else if (!e.any && (v < e.lo || v > e.hi)) {
            bad(oid + ": " + num(v) + ", want " + (e.lo == e.hi ? num(e.lo) : num(e.lo) + ".." + num(e.hi)));
        }
    }
    for (const auto& [oid, e] : want)
        if (!got[oid]) bad(oid + ": not served, want " + e.type + " " + (e.type == "STRING" ? e.text : num(e.lo)));
    if (problems != 0) return 1;
    std::cout << "ok: " << seen << " values equal the section\n";
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "walk_check: " << e.what() << '\n';
        return 2;
    }
}

// SPDX-License-Identifier: MIT
// msprobe's configuration file: `key = value` lines with the original's parameter names,
// every problem reported as `FILE:LINE: KEY: what is wrong`.
#include "checks.hpp"
#include "msprobe.hpp"

#include <counters/registry.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string_view>
#include <system_error>
#include <utility>

namespace counters::msprobe {

const char* to_string(service s) noexcept {
    switch (s) {
    case service::smtp: return "smtp";
    case service::lmtp: return "lmtp";
    case service::imap: return "imap";
    case service::pop: return "pop";
    case service::http: return "http";
    case service::ldap: return "ldap";
    }
    return "?";
}

std::string probe_settings::instance() const {
    return std::string(to_string(svc)) + "_" + host + "_" + std::to_string(port);
}

namespace {

constexpr service all_services[] = {service::smtp, service::lmtp, service::imap,
                                    service::pop,  service::http, service::ldap};

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string trim(std::string_view s) {
    const auto* ws = " \t\r\n\f\v";
    const auto b = s.find_first_not_of(ws);
    if (b == std::string_view::npos) return {};
    const auto e = s.find_last_not_of(ws);
    return std::string(s.substr(b, e - b + 1));
}

/// A value shown in a message: quoted, control bytes as \xNN.
std::string shown(const std::string& v) {
    std::string out = "\"";
    for (char ch : v) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
            static const char hex[] = "0123456789abcdef";
            out += "\\x";
            out += hex[c >> 4U];
            out += hex[c & 0xfU];
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

bool has_control_or_space(const std::string& v) {
    return std::any_of(v.begin(), v.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return c <= 0x20 || c == 0x7f;
    });
}

bool has_control(const std::string& v) {
    return std::any_of(v.begin(), v.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return c < 0x20 || c == 0x7f;
    });
}

/// The parser: one instance per file.
class parser {
public:
    explicit parser(std::string file) : file_(std::move(file)) {}

    void line(std::size_t number, const std::string& raw) {
        number_ = number;
        const std::string text = trim(raw);
        if (text.empty() || text[0] == '#') return;
        const auto eq = text.find('=');
        if (eq == std::string::npos) {
            problem(shown(text), "not a `key = value` line");
            return;
        }
        const std::string given_key = trim(std::string_view(text).substr(0, eq));
        std::string value = trim(std::string_view(text).substr(eq + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
        if (given_key.empty()) {
            problem("(no key)", "a line starting with `=`");
            return;
        }
        key_ = given_key;
        const std::string key = lower(given_key);
        auto [it, fresh] = seen_.emplace(canonical(key, given_key), number);
        if (!fresh) {
            problem("given twice (first at line " + std::to_string(it->second) + ")");
            return;
        }
        assign(key, given_key, value);
    }

    config finish() {
        // Probe settings without a port: the probe is off, and the line would do nothing.
        for (const auto& [svc, lines] : probe_lines_) {
            if (probes_[svc].port != 0) continue;
            for (const auto& [line, key] : lines) {
                number_ = line;
                key_ = key;
                problem(std::string("set, but local.probe.") + to_string(svc) +
                        ".port is not (a probe is on when its port is set)");
            }
        }
        for (auto svc : all_services) {
            auto& p = probes_[svc];
            if (p.port == 0) continue;
            p.svc = svc;
            if (p.instance().size() > max_registry_name) {
                number_ = host_line_[svc];
                key_ = std::string("local.probe.") + to_string(svc) + ".host";
                problem("the instance name " + shown(p.instance()) + " is longer than " +
                        std::to_string(max_registry_name) + " bytes (use a shorter name or the address)");
            }
            cfg_.probes.push_back(p);
        }
        // Partitions and the queue directory become diskusage instances: their names must differ.
        std::map<std::string, std::string> instances;
        for (const auto& [name, entry] : partitions_) {
            cfg_.partitions.push_back(partition_settings{name, entry.second});
            const auto inst = disk_instance(name);
            auto [it, fresh] = instances.emplace(inst, name);
            if (!fresh) {
                number_ = entry.first;
                key_ = "store.partition." + name + ".path";
                problem("its diskusage instance " + shown(inst) + " is also that of partition " + shown(it->second));
            }
        }
        if (!cfg_.queuedir.empty() && instances.count("queue") != 0) {
            number_ = queuedir_line_;
            key_ = "local.queuedir";
            problem("its diskusage instance \"queue\" is also that of partition " + shown(instances["queue"]));
        }
        if (!problems_.empty()) {
            std::string all;
            for (const auto& p : problems_) all += p + "\n";
            all.pop_back();
            throw config_error(all);
        }
        return cfg_;
    }

private:
    std::string file_;
    std::size_t number_ = 0;
    std::string key_;
    config cfg_;
    std::vector<std::string> problems_;
    std::map<std::string, std::size_t> seen_;
    std::map<service, probe_settings> probes_;
    std::map<service, std::vector<std::pair<std::size_t, std::string>>> probe_lines_; // non-port keys
    std::map<service, std::size_t> host_line_;
    std::map<std::string, std::pair<std::size_t, std::string>> partitions_; // name -> line, path
    std::size_t queuedir_line_ = 0;

    void problem(const std::string& what) { problems_.push_back(file_ + ":" + std::to_string(number_) + ": " + key_ + ": " + what); }
    void problem(const std::string& key, const std::string& what) {
        problems_.push_back(file_ + ":" + std::to_string(number_) + ": " + key + ": " + what);
    }

    /// The key as compared for duplicates: lower case, except a partition's NAME.
    static std::string canonical(const std::string& key, const std::string& given) {
        if (key.rfind("store.partition.", 0) == 0) return "store.partition." + given.substr(16);
        return key;
    }

    std::optional<double> number(const std::string& v, double lo, double hi, const char* unit) {
        double d = 0;
        const char* b = v.data();
        const char* e = v.data() + v.size();
        auto [ptr, ec] = std::from_chars(b, e, d);
        if (v.empty() || ec != std::errc() || ptr != e || !std::isfinite(d)) {
            problem(shown(v) + " is not a number");
            return std::nullopt;
        }
        if (d < lo || d > hi) {
            std::ostringstream range;
            range << lo << ".." << hi;
            problem(shown(v) + " is out of range (" + range.str() + unit + ")");
            return std::nullopt;
        }
        return d;
    }

    std::optional<std::int64_t> integer(const std::string& v, std::int64_t lo, std::int64_t hi, const char* unit) {
        std::int64_t n = 0;
        const char* b = v.data();
        const char* e = v.data() + v.size();
        if (!v.empty() && *b == '+') ++b;
        auto [ptr, ec] = std::from_chars(b, e, n);
        if (v.empty() || ec == std::errc::invalid_argument || ptr != e) {
            problem(shown(v) + " is not a whole number");
            return std::nullopt;
        }
        if (ec == std::errc::result_out_of_range || n < lo || n > hi) {
            problem(shown(v) + " is out of range (" + std::to_string(lo) + ".." + std::to_string(hi) + unit + ")");
            return std::nullopt;
        }
        return n;
    }

    bool text(const std::string& v, std::string& out, bool allow_spaces) {
        if (v.empty()) {
            problem("an empty value is not allowed");
            return false;
        }
        if (allow_spaces ? has_control(v) : has_control_or_space(v)) {
            problem(shown(v) + (allow_spaces ? " holds a control character" : " holds a space or control character"));
            return false;
        }
        out = v;
        return true;
    }

    void address(const std::string& v, std::string& out) {
        std::string a;
        if (!text(v, a, false)) return;
        if (a.find_first_of("<>,;") != std::string::npos) {
            problem(shown(v) + " is not a single mail address (no <, >, comma or semicolon)");
            return;
        }
        out = a;
    }

    void path(const std::string& v, std::string& out) {
        std::string p;
        if (!text(v, p, true)) return;
        if (p[0] != '/') {
            problem(shown(v) + " is not an absolute path");
            return;
        }
        if (p.size() >= 256) {
            problem(shown(v) + " is longer than 255 bytes (mailPartitionPath holds 255)");
            return;
        }
        out = p;
    }

    void port(const std::string& v, std::uint16_t& out) {
        if (auto n = integer(v, 1, 65535, "")) out = static_cast<std::uint16_t>(*n);
    }

    void yes_no(const std::string& v, bool& out) {
        const auto l = lower(v);
        if (l == "yes" || l == "true" || l == "on" || l == "1") {
            out = true;
        } else if (l == "no" || l == "false" || l == "off" || l == "0") {
            out = false;
        } else {
            problem(shown(v) + " is not yes or no");
        }
    }

    void alarm_key(const std::string& field, const std::string& v, alarm_settings& a, bool percent) {
        if (field == "msgalarmthreshold") {
            if (auto d = percent ? number(v, 0, 100, " percent") : number(v, 0, 86400, " seconds")) a.threshold = *d;
        } else if (field == "statinterval") {
            if (auto n = integer(v, 0, 31536000, " seconds; 0 turns the check off")) a.statinterval = *n;
        } else if (field == "thresholddirection") {
            if (v == "-1") {
                a.dir = direction::below;
            } else if (v == "1" || v == "+1") {
                a.dir = direction::above;
            } else {
                problem(shown(v) + " is not a direction (-1: below the threshold, 1: above it)");
            }
        } else if (field == "warninginterval") {
            if (auto n = integer(v, 0, 87600, " hours")) a.warninginterval = *n;
        } else if (field == "description") {
            std::string d;
            if (text(v, d, true)) a.description = d;
        } else {
            unknown();
        }
    }

    void unknown() { problem("unknown key (see msprobe(8) for the keys)"); }

    void assign(const std::string& key, const std::string& given, const std::string& v) {
        auto& n = cfg_.notice;
        if (key == "alarm.msgalarmnoticehost") {
            text(v, n.host, false);
        } else if (key == "alarm.msgalarmnoticeport") {
            port(v, n.port);
        } else if (key == "alarm.msgalarmnoticercpt") {
            address(v, n.rcpt);
        } else if (key == "alarm.msgalarmnoticesender") {
            address(v, n.sender);
        } else if (key == "alarm.msgalarmnoticetimeout") {
            if (auto d = number(v, 0.001, 3600, " seconds")) n.timeout = *d;
        } else if (key.rfind("alarm.diskavail.", 0) == 0) {
            alarm_key(key.substr(16), v, cfg_.diskavail, true);
        } else if (key.rfind("alarm.serverresponse.", 0) == 0) {
            alarm_key(key.substr(21), v, cfg_.serverresponse, false);
        } else if (key == "local.probe.warningthreshold") {
            if (auto d = number(v, 0, 86400, " seconds")) cfg_.warningthreshold = *d;
        } else if (key.rfind("local.probe.", 0) == 0) {
            probe_key(key.substr(12), v);
        } else if (key == "local.queuedir") {
            queuedir_line_ = number_;
            path(v, cfg_.queuedir);
        } else if (key.rfind("store.partition.", 0) == 0 && key.size() > 21 &&
                   key.compare(key.size() - 5, 5, ".path") == 0) {
            const std::string name = given.substr(16, given.size() - 21);
            if (name.empty() || has_control_or_space(name)) {
                problem("the partition name " + shown(name) + " is empty or holds a space or control character");
                return;
            }
            std::string p;
            path(v, p);
            if (!p.empty()) partitions_[name] = {number_, p};
        } else if (key == "local.autorestart") {
            yes_no(v, cfg_.autorestart);
        } else if (key == "local.autorestart.timeout") {
            if (auto t = integer(v, 0, 31536000, " seconds")) cfg_.autorestart_timeout = *t;
        } else if (key == "local.msprobe.statedir") {
            path(v, cfg_.statedir);
        } else if (key == "local.serverroot") {
            text(v, cfg_.server_instance, true);
        } else if (key == "local.schedule.msprobe" || key == "local.schedule.msprobe.enable" ||
                   key == "local.watcher.enable") {
            problem("not supported: msprobe runs each check at its statinterval (0 turns it off), and "
                    "service supervision is systemd's");
        } else {
            unknown();
        }
    }

    void probe_key(const std::string& rest, const std::string& v) {
        const auto dot = rest.find('.');
        const std::string name = rest.substr(0, dot);
        const std::string field = dot == std::string::npos ? std::string() : rest.substr(dot + 1);
        std::optional<service> svc;
        for (auto s : all_services)
            if (name == to_string(s)) svc = s;
        if (!svc) {
            if (field == "host" || field == "port" || field == "timeout" || field == "warningthreshold" ||
                field == "restart")
                problem("unknown service " + shown(name) + " (smtp, lmtp, imap, pop, http or ldap)");
            else
                unknown();
            return;
        }
        auto& p = probes_[*svc];
        const std::size_t before = problems_.size();
        if (field == "port") {
            port(v, p.port);
            return;
        }
        if (field == "host") {
            text(v, p.host, false);
            host_line_[*svc] = number_;
        } else if (field == "timeout") {
            if (auto d = number(v, 0.001, 3600, " seconds")) p.timeout = *d;
        } else if (field == "warningthreshold") {
            if (auto d = number(v, 0, 86400, " seconds")) p.warningthreshold = *d;
        } else if (field == "restart") {
            text(v, p.restart_command, true);
        } else {
            unknown();
            return;
        }
        if (problems_.size() == before) probe_lines_[*svc].emplace_back(number_, key_);
    }
};

} // namespace

config parse_config(std::istream& in, const std::string& file) {
    parser p(file);
    std::string raw;
    std::size_t number = 0;
    while (std::getline(in, raw)) p.line(++number, raw);
    return p.finish();
}

config load_config(const std::string& file) {
    std::ifstream in(file);
    if (!in) throw config_error(file + ": cannot read: " + std::strerror(errno));
    return parse_config(in, file);
}

} // namespace counters::msprobe

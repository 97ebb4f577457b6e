// SPDX-License-Identifier: MIT
// counters-ingest: the Exim 4 main log grammar. The mapping table is in counters-ingest(8), LOG FORMATS.
// T= (transport) is the destination channel, P= (protocol) the source channel; SMTP
// connections and rejections land on the channel "smtp".
#include "grammar.hpp"

namespace counters::ingest::detail {
namespace {

constexpr std::uint64_t max_size = 1ULL << 50;
constexpr std::string_view inbound = "smtp";

bool alnum(char c) noexcept { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool digits(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

/// An Exim message id: 6-6-2 (before 4.97) or 6-11-4 base-62 characters.
bool message_id(std::string_view s) noexcept {
    const std::size_t a = s.find('-');
    const std::size_t b = s.rfind('-');
    if (a != 6 || b == a || b - a - 1 < 6 || b - a - 1 > 11 || s.size() - b - 1 < 2 || s.size() - b - 1 > 4)
        return false;
    for (std::size_t i = 0; i < s.size(); ++i)
        if (i != a && i != b && !alnum(s[i])) return false;
    return true;
}

/// Cuts `YYYY-MM-DD HH:MM:SS[.mmm] [+ZZZZ] [[pid]] ` off @p line; false when absent.
bool strip_stamp(std::string_view& line) {
    if (line.size() < 20) return false;
    const std::string_view d = line.substr(0, 10);
    const std::string_view t = line.substr(11, 8);
    if (!digits(d.substr(0, 4)) || d[4] != '-' || !digits(d.substr(5, 2)) || d[7] != '-' || !digits(d.substr(8, 2)) ||
        line[10] != ' ' || !digits(t.substr(0, 2)) || t[2] != ':' || !digits(t.substr(3, 2)) || t[5] != ':' ||
        !digits(t.substr(6, 2)))
        return false;
    line.remove_prefix(19);
    if (!line.empty() && line[0] == '.') {
        std::size_t n = 1;
        while (n < line.size() && line[n] >= '0' && line[n] <= '9') ++n;
        line.remove_prefix(n);
    }
    if (line.empty() || line[0] != ' ') return false;
    line.remove_prefix(1);
    if (line.size() >= 6 && (line[0] == '+' || line[0] == '-') && digits(line.substr(1, 4)) && line[5] == ' ')
        line.remove_prefix(6);
    if (!line.empty() && line[0] == '[') {
        const std::size_t e = line.find("] ");
        if (e == std::string_view::npos || !digits(line.substr(1, e - 1))) return false;
        line.remove_prefix(e + 2);
    }
    return true;
}

/// The value of the top-level word `KEY=value` (quoted values skipped), trailing ':' removed.
std::optional<std::string_view> exim_field(std::string_view msg, std::string_view key) {
    std::size_t i = 0;
    while (i < msg.size()) {
        while (i < msg.size() && msg[i] == ' ') ++i;
        const std::size_t b = i;
        bool quoted = false;
        while (i < msg.size() && (quoted || msg[i] != ' ')) {
            if (msg[i] == '"') quoted = !quoted;
            ++i;
        }
        std::string_view w = msg.substr(b, i - b);
        if (w.size() > key.size() && starts_with(w, key) && w[key.size()] == '=') {
            w.remove_prefix(key.size() + 1);
            while (!w.empty() && (w.back() == ':' || w.back() == ',')) w.remove_suffix(1);
            return w;
        }
    }
    return std::nullopt;
}

/// Exim's time format: `1d2h3m4s`, `4s`, `0.123s`, `2w`; rounded to seconds.
std::optional<std::int64_t> exim_time(std::string_view s) {
    if (s.empty()) return std::nullopt;
    double total = 0;
    std::size_t i = 0;
    while (i < s.size()) {
        const std::size_t b = i;
        while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
        if (i == b || i == s.size()) return std::nullopt;
        const auto whole = parse_seconds(s.substr(b, i - b));
        if (!whole) return std::nullopt;
        double unit = 0;
        switch (s[i]) {
        case 'w': unit = 604800; break;
        case 'd': unit = 86400; break;
        case 'h': unit = 3600; break;
        case 'm': unit = 60; break;
        case 's': unit = 1; break;
        default: return std::nullopt;
        }
        // the fraction only matters for seconds: parse_seconds already rounded it
        total += static_cast<double>(*whole) * unit;
        ++i;
    }
    if (total > 10.0 * 366 * 86400) return std::nullopt;
    return static_cast<std::int64_t>(total);
}

std::string_view first_word(std::string_view s) { return s.substr(0, std::min(s.find(' '), s.size())); }

class exim final : public grammar {
public:
    bool recognises(std::string_view line) const override {
        if (!strip_stamp(line)) return false;
        const std::string_view w = first_word(line);
        return message_id(w) || starts_with(line, "SMTP connection from ") || starts_with(line, "H=") ||
               starts_with(line, "Start queue run") || starts_with(line, "exim ");
    }

    outcome parse(std::string_view line, recorder& rec, inflight& table) override {
        if (!strip_stamp(line)) return outcome::skip("unknown");
        const std::string_view w = first_word(line);
        if (!message_id(w)) return no_id(line, rec);
        const std::string_view id = w;
        std::string_view msg = line.substr(std::min(w.size() + 1, line.size()));
        if (table.evicted(id)) return outcome::skip("evicted");
        if (msg == "Completed" || starts_with(msg, "Completed ")) {
            table.erase(id);
            return outcome::ignore();
        }
        if (msg.size() < 3 || msg[2] != ' ') {
            if (msg.find(" rejected ") != std::string_view::npos && starts_with(msg, "H=")) return no_id(msg, rec);
            return outcome::ignore();
        }
        const std::string_view flag = msg.substr(0, 2);
        msg.remove_prefix(3);
        if (flag == "<=") return arrival(msg, id, rec, table);
        if (flag == "=>" || flag == "->" || flag == "==" || flag == "**") return delivery(flag, msg, id, rec, table);
        return outcome::ignore(); // *> (fake deliveries), ...
    }

private:
    static outcome no_id(std::string_view msg, recorder& rec) {
        if (starts_with(msg, "SMTP connection from ")) {
            if (msg.find("(TCP/IP connection count") != std::string_view::npos) {
                rec.opened(inbound, counters::direction::inbound);
                return outcome::ok();
            }
            return rec.closed(inbound, counters::direction::inbound) ? outcome::ok() : outcome::ignore();
        }
        if (starts_with(msg, "unexpected disconnection while reading SMTP command from ") ||
            starts_with(msg, "SMTP command timeout on connection from ") ||
            starts_with(msg, "SMTP data timeout (message abandoned) on connection from "))
            return rec.closed(inbound, counters::direction::inbound) ? outcome::ok() : outcome::ignore();
        if (starts_with(msg, "Connection from ") && msg.find(" refused") != std::string_view::npos) {
            rec.assoc_rejected(inbound);
            return outcome::ok();
        }
        if (starts_with(msg, "H=") || starts_with(msg, "F=") || starts_with(msg, "U=")) {
            if (msg.find(" rejected connection in ") != std::string_view::npos) {
                rec.assoc_rejected(inbound);
                return outcome::ok();
            }
            for (const std::string_view r : {" rejected RCPT ", " rejected MAIL ", " rejected after DATA"}) {
                if (msg.find(r) != std::string_view::npos) {
                    rec.rejected(inbound, 1, 0);
                    return outcome::ok();
                }
            }
        }
        return outcome::ignore();
    }

    static outcome arrival(std::string_view msg, std::string_view id, recorder& rec, inflight& table) {
        const auto p = exim_field(msg, "P");
        const auto s = exim_field(msg, "S");
        if (!s) return outcome::skip("truncated");
        const auto size = parse_uint(*s, max_size);
        if (!size) return outcome::skip("bad_number");
        std::uint64_t n = 1; // without +received_recipients the count is unknown: 1
        if (const std::size_t f = msg.rfind(" for "); f != std::string_view::npos) {
            const auto list = words(msg.substr(f + 5));
            if (!list.empty()) n = list.size();
        }
        message_state& m = table.get(id);
        if (m.submitted) return outcome::ignore();
        m.submitted = true;
        m.size = *size;
        m.nrcpt = n;
        m.source = p ? std::string(*p) : "local";
        rec.enqueued(m.source, {}, n, *size);
        return outcome::ok();
    }

    static outcome delivery(std::string_view flag, std::string_view msg, std::string_view id, recorder& rec,
                            inflight& table) {
        const std::string_view addr = first_word(msg);
        if (addr.empty()) return outcome::skip("truncated");
        std::string ch;
        if (const auto t = exim_field(msg, "T")) ch = *t;
        else if (const auto r = exim_field(msg, "R")) ch = *r;
        else if (addr == ":blackhole:") ch = "blackhole";
        else if (flag == "**") ch = "unroutable";
        else return outcome::skip("truncated");
        std::int64_t qt = 0;
        if (const auto q = exim_field(msg, "QT")) {
            const auto v = exim_time(*q);
            if (!v) return outcome::skip("bad_number");
            qt = *v;
        }
        message_state& m = table.get(id);
        std::string key(addr);
        if (key.back() == ':') key.pop_back();
        if (key.empty()) return outcome::skip("truncated");
        rcpt_state& r = m.rcpts[key];
        if (!r.received) {
            rec.enqueued({}, ch, 1, m.size);
            r.received = true;
            r.channel = ch;
        }
        if (flag == "==") {
            rec.deferred(ch, 1, m.size);
            if (msg.find("Connection refused") != std::string_view::npos ||
                msg.find("Connection timed out") != std::string_view::npos)
                rec.assoc_failed(ch);
            r.deferred = true;
            return outcome::ok();
        }
        if (flag == "=>" && exim_field(msg, "H")) {
            rec.opened(ch, counters::direction::outbound);
            rec.closed(ch, counters::direction::outbound);
        }
        if (flag == "**") rec.failed(ch, 1, m.size);
        rec.dequeued(ch, 1, m.size, qt, !r.deferred);
        m.rcpts.erase(key);
        return outcome::ok();
    }
};

} // namespace

std::unique_ptr<grammar> make_exim() { return std::make_unique<exim>(); }

} // namespace counters::ingest::detail

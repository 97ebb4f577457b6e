// SPDX-License-Identifier: MIT
// counters-ingest: the Sendmail grammar (syslog lines of sendmail, sm-mta, sm-msp-queue). The
// mapping table is in counters-ingest(8), LOG FORMATS. mailer= is the destination channel; the
// source channel is daemon= (e.g. MTA, MSA), "local" without it; rejections land on "smtp",
// delivery status notifications are submitted by "bounce".
#include "grammar.hpp"

namespace counters::ingest::detail {
namespace {

constexpr std::uint64_t max_size = 1ULL << 50;
constexpr std::uint64_t max_nrcpt = 10'000'000;
constexpr std::string_view inbound = "smtp";

bool queue_id(std::string_view s) noexcept {
    if (s.size() < 8 || s.size() > 24) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return false;
    return true;
}

/// `[D+]HH:MM:SS`.
std::optional<std::int64_t> sendmail_delay(std::string_view s) {
    std::int64_t days = 0;
    if (const std::size_t plus = s.find('+'); plus != std::string_view::npos) {
        const auto d = parse_uint(s.substr(0, plus), 3660);
        if (!d) return std::nullopt;
        days = static_cast<std::int64_t>(*d);
        s.remove_prefix(plus + 1);
    }
    if (s.size() != 8 || s[2] != ':' || s[5] != ':') return std::nullopt;
    const auto h = parse_uint(s.substr(0, 2), 23);
    const auto m = parse_uint(s.substr(3, 2), 59);
    const auto sec = parse_uint(s.substr(6, 2), 60);
    if (!h || !m || !sec) return std::nullopt;
    return days * 86400 + static_cast<std::int64_t>(*h * 3600 + *m * 60 + *sec);
}

std::vector<std::string> split_list(std::string_view s) {
    std::vector<std::string> out;
    std::size_t b = 0;
    while (b <= s.size()) {
        std::size_t e = s.find(',', b);
        if (e == std::string_view::npos) e = s.size();
        std::string_view a = s.substr(b, e - b);
        if (a.size() >= 2 && a.front() == '<' && a.back() == '>') a = a.substr(1, a.size() - 2);
        if (!a.empty()) out.emplace_back(a);
        b = e + 1;
    }
    return out;
}

class sendmail final : public grammar {
public:
    bool recognises(std::string_view line) const override {
        const auto s = parse_syslog(line);
        return s && ours(s->tag);
    }

    outcome parse(std::string_view line, recorder& rec, inflight& table) override {
        const auto s = parse_syslog(line);
        if (!s) return outcome::skip("unknown");
        if (!ours(s->tag)) return outcome::skip("foreign");
        std::string_view msg = s->msg;
        if (starts_with(msg, "ruleset=check_relay") && field(msg, "reject")) {
            rec.assoc_rejected(inbound);
            return outcome::ok();
        }
        const std::size_t colon = msg.find(": ");
        if (colon == std::string_view::npos || !queue_id(msg.substr(0, colon))) return outcome::ignore();
        const std::string_view id = msg.substr(0, colon);
        msg.remove_prefix(colon + 2);
        if (table.evicted(id)) return outcome::skip("evicted");
        if (starts_with(msg, "ruleset=")) {
            if (!field(msg, "reject")) return outcome::ignore();
            if (starts_with(msg, "ruleset=check_relay")) rec.assoc_rejected(inbound);
            else rec.rejected(inbound, 1, 0);
            return outcome::ok();
        }
        if (starts_with(msg, "from=")) return from_line(msg, id, rec, table);
        if (starts_with(msg, "to=")) return to_line(msg, id, rec, table);
        // QUEUEID: NEWID: DSN: ...  /  QUEUEID: NEWID: return to sender: ...
        const std::size_t c2 = msg.find(": ");
        if (c2 != std::string_view::npos && queue_id(msg.substr(0, c2))) {
            const std::string_view rest = msg.substr(c2 + 2);
            if (starts_with(rest, "DSN: ") || starts_with(rest, "return to sender: ") ||
                starts_with(rest, "postmaster notify: ")) {
                const std::string_view nid = msg.substr(0, c2);
                if (table.evicted(nid)) return outcome::skip("evicted");
                message_state& m = table.get(nid);
                if (m.submitted) return outcome::ignore();
                m.submitted = true;
                m.source = "bounce";
                m.nrcpt = 1;
                rec.enqueued(m.source, {}, 1, 0);
                return outcome::ok();
            }
        }
        return outcome::ignore();
    }

private:
    static bool ours(std::string_view tag) {
        return tag == "sendmail" || tag == "sm-mta" || tag == "sm-msp-queue" || tag == "sendmail-msp";
    }

    static outcome from_line(std::string_view msg, std::string_view id, recorder& rec, inflight& table) {
        const auto size_f = field(msg, "size");
        const auto n_f = field(msg, "nrcpts");
        if (!size_f || !n_f) return outcome::skip("truncated");
        const auto size = parse_uint(*size_f, max_size);
        const auto n = parse_uint(*n_f, max_nrcpt);
        if (!size || !n) return outcome::skip("bad_number");
        message_state& m = table.get(id);
        if (m.submitted) return outcome::ignore();
        m.submitted = true;
        m.size = *size;
        m.nrcpt = *n;
        const auto daemon = field(msg, "daemon");
        m.source = daemon ? std::string(*daemon) : "local";
        rec.enqueued(m.source, {}, *n, *size);
        return outcome::ok();
    }

    static outcome to_line(std::string_view msg, std::string_view id, recorder& rec, inflight& table) {
        const auto to_f = field(msg, "to");
        const auto mailer = field(msg, "mailer");
        const auto stat = field(msg, "stat");
        const auto delay_f = field(msg, "delay");
        if (!to_f || !mailer || !stat || !delay_f) return outcome::skip("truncated");
        const auto delay = sendmail_delay(*delay_f);
        if (!delay) return outcome::skip("bad_number");
        const std::vector<std::string> to = split_list(*to_f);
        if (to.empty()) return outcome::skip("truncated");
        if (starts_with(*stat, "queued")) return outcome::ignore(); // not an attempt
        const std::string ch(*mailer);
        message_state& m = table.get(id);
        std::uint64_t fresh = 0;
        bool deferred_before = false;
        for (const auto& a : to) {
            rcpt_state& r = m.rcpts[a];
            if (!r.received) ++fresh;
            r.received = true;
            r.channel = ch;
            deferred_before = deferred_before || r.deferred;
        }
        const auto n = static_cast<std::uint64_t>(to.size());
        if (fresh != 0) rec.enqueued({}, ch, fresh, m.size);
        const bool network = ch == "esmtp" || ch == "smtp" || ch == "relay" || ch == "smtp8" || ch == "dsmtp";
        if (starts_with(*stat, "Deferred")) {
            rec.deferred(ch, n, m.size);
            if (network && (stat->find("Connection refused") != std::string_view::npos ||
                            stat->find("Connection timed out") != std::string_view::npos))
                rec.assoc_failed(ch);
            for (const auto& a : to) m.rcpts[a].deferred = true;
            return outcome::ok();
        }
        const bool sent = starts_with(*stat, "Sent");
        if (sent && network) {
            const auto relay = field(msg, "relay");
            if (relay && relay->find('[') != std::string_view::npos) {
                rec.opened(ch, counters::direction::outbound);
                rec.closed(ch, counters::direction::outbound);
            }
        }
        if (!sent) rec.failed(ch, n, m.size);
        rec.dequeued(ch, n, m.size, *delay, !deferred_before);
        for (const auto& a : to) m.rcpts.erase(a);
        return outcome::ok();
    }
};

} // namespace

std::unique_ptr<grammar> make_sendmail() { return std::make_unique<sendmail>(); }

} // namespace counters::ingest::detail

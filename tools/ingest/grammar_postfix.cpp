// SPDX-License-Identifier: MIT
// counters-ingest: the Postfix 3.x grammar. The mapping table is in counters-ingest(8), LOG FORMATS.
// Channels are named after the service tag (smtpd, smtp, local, pickup, bounce, ...; the
// master.cf service for `postfix/SERVICE/program`; `INSTANCE/...` for another instance).
#include "grammar.hpp"

#include <map>
#include <ostream>

namespace counters::ingest::detail {
namespace {

constexpr std::uint64_t max_size = 1ULL << 50;
constexpr std::uint64_t max_nrcpt = 10'000'000;
constexpr std::size_t max_pids = 4096;

/// A Postfix queue id: 6+ upper-case hex digits (short ids) or 10+ [0-9B-DF-HJ-NP-TV-Zb-df-hj-np-tv-z]
/// (long ids): letters and digits, at least 6 of them.
bool queue_id(std::string_view s) noexcept {
    if (s.size() < 6 || s.size() > 32) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return false;
    return true;
}

std::string_view strip_angles(std::string_view s) {
    if (s.size() >= 2 && s.front() == '<' && s.back() == '>') return s.substr(1, s.size() - 2);
    return s;
}

std::string_view first_word(std::string_view s) { return s.substr(0, std::min(s.find(' '), s.size())); }

class postfix final : public grammar {
public:
    bool recognises(std::string_view line) const override {
        const auto s = parse_syslog(line);
        return s && service(s->tag).has_value();
    }

    outcome parse(std::string_view line, recorder& rec, inflight& table) override {
        const auto s = parse_syslog(line);
        if (!s) return outcome::skip("unknown");
        const auto svc = service(s->tag);
        if (!svc) return outcome::skip("foreign");
        const std::string& ch = svc->channel;
        const std::string_view program = svc->program;
        std::string_view msg = s->msg;

        if (starts_with(msg, "connect from ")) {
            if (program == "smtpd") {
                rec.opened(ch, counters::direction::inbound);
                return outcome::ok();
            }
            return outcome::ignore();
        }
        if (starts_with(msg, "disconnect from ")) {
            if (program == "smtpd" && rec.closed(ch, counters::direction::inbound)) return outcome::ok();
            return outcome::ignore();
        }
        if (starts_with(msg, "connect to ") && (program == "smtp" || program == "lmtp")) {
            // an outbound connection attempt that failed
            rec.assoc_failed(ch);
            return outcome::ok();
        }
        if (starts_with(msg, "NOQUEUE: ")) return reject(msg.substr(9), ch, nullptr, rec, table);

        // QUEUEID: ...
        const std::size_t colon = msg.find(": ");
        if (colon == std::string_view::npos || !queue_id(msg.substr(0, colon))) return outcome::ignore();
        const std::string_view id = msg.substr(0, colon);
        msg.remove_prefix(colon + 2);
        if (table.evicted(id)) return outcome::skip("evicted");

        if (starts_with(msg, "reject: ") || starts_with(msg, "milter-reject: ") || starts_with(msg, "discard: "))
            return reject(msg, ch, &id, rec, table);
        if (program == "smtpd" && starts_with(msg, "client=")) {
            table.get(id).source = ch;
            return outcome::ignore();
        }
        if (program == "pickup" && (starts_with(msg, "uid=") || starts_with(msg, "sender="))) {
            table.get(id).source = ch;
            return outcome::ignore();
        }
        if (program == "bounce") {
            for (const std::string_view what :
                 {"sender non-delivery notification: ", "sender delay notification: ",
                  "postmaster non-delivery notification: ", "sender delivery status notification: ",
                  "postmaster delay notification: "}) {
                if (!starts_with(msg, what)) continue;
                const std::string_view notice = first_word(msg.substr(what.size()));
                if (!queue_id(notice)) return outcome::skip("truncated");
                table.get(notice).source = ch;
                return outcome::ignore();
            }
            return outcome::ignore();
        }
        if (msg == "removed") {
            table.erase(id);
            return outcome::ignore();
        }
        if (starts_with(msg, "from=")) return from_line(msg, id, ch, program, rec, table);
        if (starts_with(msg, "to=") || starts_with(msg, "orig_to=")) return to_line(msg, id, ch, program, s->pid, rec, table);
        return outcome::ignore();
    }

    // x lastid PID QUEUEID: the message each smtp/lmtp process last delivered (one
    // association per process and message).
    void save_extra(std::ostream& out) const override {
        for (const auto& [pid, id] : last_id_of_pid_) out << "x lastid " << escape(pid) << ' ' << escape(id) << '\n';
    }
    bool load_extra(const std::vector<std::string>& w) override {
        if (w.size() != 3 || w[0] != "lastid" || last_id_of_pid_.size() >= max_pids) return false;
        const auto pid = unescape(w[1]);
        const auto id = unescape(w[2]);
        if (!pid || !id || !queue_id(*id)) return false;
        return last_id_of_pid_.emplace(*pid, *id).second;
    }
    void clear_extra() override { last_id_of_pid_.clear(); }

private:
    struct svc_t {
        std::string channel;
        std::string_view program;
    };
    static std::optional<svc_t> service(std::string_view tag) {
        if (!starts_with(tag, "postfix")) return std::nullopt;
        const std::size_t first = tag.find('/');
        const std::size_t last = tag.rfind('/');
        if (first == std::string_view::npos || first == 0 || last + 1 == tag.size()) return std::nullopt;
        const std::string_view instance = tag.substr(0, first);
        if (instance != "postfix" && instance[7] != '-') return std::nullopt;
        svc_t s;
        s.program = tag.substr(last + 1);
        const std::string_view svc = first == last ? s.program : tag.substr(first + 1, last - first - 1);
        s.channel = instance == "postfix" ? std::string(svc) : std::string(instance) + "/" + std::string(svc);
        return s;
    }

    /// `reject: RCPT from ...` and friends (after `NOQUEUE: ` or `QUEUEID: `).
    static outcome reject(std::string_view msg, const std::string& ch, const std::string_view* id, recorder& rec,
                          inflight& table) {
        std::string_view what;
        for (const std::string_view p : {"reject: ", "milter-reject: ", "discard: "})
            if (starts_with(msg, p)) what = msg.substr(p.size());
        if (what.empty()) return outcome::ignore(); // NOQUEUE: filter:, warn:, ...
        if (starts_with(msg, "discard: ")) return outcome::ignore(); // accepted, then dropped
        if (starts_with(what, "CONNECT ")) {
            rec.assoc_rejected(ch);
            return outcome::ok();
        }
        // cleanup rejects (header/body checks) a message whose queue file is then deleted:
        // it lands on the channel that was submitting it.
        std::string source = ch;
        if (id != nullptr) {
            if (message_state* m = table.find(*id); m != nullptr && !m->source.empty() && ch == "cleanup")
                source = m->source;
            if (!starts_with(what, "RCPT ")) table.erase(*id);
        }
        rec.rejected(source, 1, 0);
        return outcome::ok();
    }

    static outcome from_line(std::string_view msg, std::string_view id, const std::string& ch, std::string_view program,
                             recorder& rec, inflight& table) {
        if (program != "qmgr") return outcome::ignore();
        const auto from = field(msg, "from");
        const auto status = field(msg, "status");
        if (status && starts_with(*status, "expired")) return expired(id, rec, table);
        const auto size_f = field(msg, "size");
        const auto nrcpt_f = field(msg, "nrcpt");
        if (!from || !size_f || !nrcpt_f) return outcome::skip("truncated");
        const auto size = parse_uint(*size_f, max_size);
        const auto nrcpt = parse_uint(first_word(*nrcpt_f), max_nrcpt);
        if (!size || !nrcpt) return outcome::skip("bad_number");
        message_state& m = table.get(id);
        if (m.submitted) return outcome::ignore(); // qmgr logs it again at each retry
        m.submitted = true;
        m.size = *size;
        m.nrcpt = *nrcpt;
        if (m.source.empty()) m.source = strip_angles(*from).empty() ? "bounce" : ch;
        rec.enqueued(m.source, {}, *nrcpt, *size);
        return outcome::ok();
    }

    /// `QUEUEID: from=<...>, status=expired, returned to sender`: every recipient still
    /// queued fails, on the channel that received it (or, never received, that last deferred it).
    static outcome expired(std::string_view id, recorder& rec, inflight& table) {
        message_state* m = table.find(id);
        if (m == nullptr) return outcome::ignore();
        bool any = false;
        for (auto it = m->rcpts.begin(); it != m->rcpts.end();) {
            // deferred by error/retry/qmgr only: received now, on the channel that deferred it
            if (!it->second.received && !it->second.channel.empty()) {
                rec.enqueued({}, it->second.channel, 1, m->size);
                it->second.received = true;
            }
            if (it->second.received) {
                rec.failed(it->second.channel, 1, m->size);
                rec.dequeued(it->second.channel, 1, m->size, 0, false);
                any = true;
            }
            it = m->rcpts.erase(it);
        }
        return any ? outcome::ok() : outcome::ignore();
    }

    outcome to_line(std::string_view msg, std::string_view id, const std::string& ch, std::string_view program,
                    std::string_view pid, recorder& rec, inflight& table) {
        const auto to_f = field(msg, "to");
        const auto status_f = field(msg, "status");
        if (!to_f || to_f->empty() || !status_f) return outcome::skip("truncated");
        const std::string_view status = first_word(*status_f);
        const auto delay_f = field(msg, "delay");
        std::int64_t delay = 0;
        if (delay_f) {
            const auto d = parse_seconds(*delay_f);
            if (!d) return outcome::skip("bad_number");
            delay = *d;
        } else if (status == "sent" || status == "bounced") {
            return outcome::skip("truncated");
        }
        const bool final_status = status == "sent" || status == "bounced" || status == "expired";
        if (!final_status && status != "deferred") return outcome::ignore(); // deliverable, undeliverable (verify)

        message_state& m = table.get(id);
        std::string_view to = strip_angles(*to_f);
        if (to.empty()) to = *to_f; // "<>": kept as is (the state has no empty names)
        rcpt_state& r = m.rcpts[std::string(to)];
        // qmgr, error(8) and retry(8) defer a recipient without trying it (a dead destination,
        // an unavailable transport): Attempted on their own channel, and the recipient is not
        // received anywhere yet; r.channel remembers that channel for an expiry that follows.
        const bool pseudo = program == "qmgr" || program == "error" || program == "retry";
        if (pseudo && status == "deferred") {
            rec.deferred(ch, 1, m.size);
            r.deferred = true;
            if (!r.received) r.channel = ch;
            return outcome::ok();
        }
        std::string dest = ch;
        if (pseudo && !r.channel.empty()) dest = r.channel;
        if (!r.received) {
            rec.enqueued({}, dest, 1, m.size);
            r.received = true;
            r.channel = dest;
        }
        if (const auto relay = field(msg, "relay");
            relay && *relay != "none" && !field(msg, "conn_use") && (program == "smtp" || program == "lmtp")) {
            bool same = false;
            if (!pid.empty()) {
                std::string& last = last_id_of_pid_[std::string(pid)];
                same = last == id;
                last = std::string(id);
            }
            if (!same) {
                rec.opened(dest, counters::direction::outbound);
                rec.closed(dest, counters::direction::outbound);
            }
            if (last_id_of_pid_.size() > max_pids) last_id_of_pid_.clear();
        }
        if (status == "deferred") {
            rec.deferred(dest, 1, m.size);
            r.deferred = true;
            return outcome::ok();
        }
        if (status != "sent") rec.failed(dest, 1, m.size);
        rec.dequeued(dest, 1, m.size, delay, !r.deferred);
        m.rcpts.erase(std::string(to));
        // local(8) forwarding: the new message was submitted by this channel.
        if (const auto fwd = status_f->find("(forwarded as "); fwd != std::string_view::npos) {
            std::string_view nid = status_f->substr(fwd + 14);
            nid = nid.substr(0, std::min(nid.find(')'), nid.size()));
            if (queue_id(nid)) table.get(nid).source = ch;
        }
        return outcome::ok();
    }

    std::map<std::string, std::string> last_id_of_pid_;
};

} // namespace

std::unique_ptr<grammar> make_postfix() { return std::make_unique<postfix>(); }

} // namespace counters::ingest::detail

// SPDX-License-Identifier: MIT
// The Postfix log generator of postfix_loggen.hpp. The model: two instances (postfix with
// smtpd, submission/smtpd, pickup, smtp, relay/smtp, local, bounce; postfix-mx with smtpd,
// smtp, local, bounce) on one host; SMTP sessions carry rejected recipients and messages of
// 1 to 8 recipients; each recipient is delivered, deferred (connection refused or a 4xx reply)
// or bounced (5xx reply or an unresolvable domain); deferred messages are retried later in the
// log (qmgr logs from= again), and expire after three tries; every bounce produces a notice
// (a message of the bounce service) delivered to the sender. A refused connection makes the
// destination dead for a while: its next recipients are deferred by error(8) ("delivery
// temporarily suspended") without being tried. The tally follows the mapping of
// counters-ingest(8), LOG FORMATS line by line.
#include "postfix_loggen.hpp"

#include <counters/options.hpp>

#include <cinttypes>
#include <cstdio>
#include <deque>
#include <iterator>
#include <utility>
#include <vector>

namespace bench {

std::int64_t& postfix_tally::at(const std::string& channel, counters::counter c) {
    auto it = channels.find(channel);
    if (it == channels.end()) it = channels.emplace(channel, values{}).first;
    return it->second[static_cast<std::size_t>(c)];
}

void postfix_tally::write_json(std::ostream& out) const {
    out << "{\"lines\": " << lines << ", \"messages\": " << messages << ", \"notices\": " << notices
        << ", \"recipients\": " << recipients << ", \"rejected\": " << rejected << ", \"deferrals\": " << deferrals
        << ", \"suspended\": " << suspended << ", \"bounced\": " << bounced << ", \"delivered\": " << delivered << ", \"connections\": " << connections
        << ", \"block_size\": " << counters::default_block_size << ",\n \"channels\": {";
    const char* sep = "\n";
    for (const auto& [name, v] : channels) {
        out << sep << "  \"" << name << "\": {";
        for (std::size_t i = 0; i < counters::counter_count; ++i)
            out << (i == 0 ? "" : ", ") << '"' << counters::info(static_cast<counters::counter>(i)).key
                << "\": " << v[i];
        out << '}';
        sep = ",\n";
    }
    out << "\n }\n}\n";
}

namespace {

using counters::counter;

/// splitmix64: the same numbers everywhere (std:: distributions differ between libraries).
class rng {
public:
    explicit rng(std::uint64_t seed) : s_(seed) {}
    std::uint64_t next() noexcept {
        std::uint64_t z = (s_ += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31U);
    }
    /// 0 .. n-1
    std::uint64_t below(std::uint64_t n) noexcept { return next() % n; }
    bool percent(std::uint64_t p) noexcept { return below(100) < p; }

private:
    std::uint64_t s_;
};

/// A service: its syslog tag, the channel counters-ingest names after it, its process ids.
struct service {
    std::string tag;
    std::string channel;
    std::vector<unsigned> pids;
    bool smtp = false; ///< the smtp(8) program: relay= opens outbound associations
};

struct instance {
    bool mx = false;
    service smtpd, submission, pickup, smtp, relay, local, bounce, qmgr, cleanup, anvil, error;
};

struct rcpt {
    std::string addr;
    const service* dest = nullptr;
    std::size_t di = 0; ///< index of the domain in remote_domains (and its MX in relays)
    bool received = false;
    bool deferred = false;
    const service* suspended = nullptr; ///< error(8) deferred it before any Received
};

struct message {
    std::string id;
    const instance* in = nullptr;
    std::string sender;
    bool local_sender = false;
    std::uint64_t size = 0;
    std::uint64_t nrcpt = 0;
    std::int64_t t0 = 0;
    int tries = 0;
    std::vector<rcpt> pending;
};

constexpr std::string_view remote_domains[] = {"gmail.com", "outlook.com", "yahoo.com", "example.net",
                                               "lists.debian.org", "web.de", "orange.fr", "corp.example.com"};
constexpr std::string_view relays[] = {"gmail-smtp-in.l.google.com[142.250.102.27]:25",
                                       "outlook-com.olc.protection.outlook.com[52.101.68.10]:25",
                                       "mta7.am0.yahoodns.net[67.195.204.72]:25",
                                       "mx.example.net[198.51.100.25]:25",
                                       "bendel.debian.org[82.195.75.100]:25",
                                       "mx-ha03.web.de[212.227.17.8]:25",
                                       "smtp-in.orange.fr[193.252.22.65]:25",
                                       "mx1.corp.example.com[203.0.113.80]:25"};
constexpr std::string_view clients[] = {"mail-ej1-f41.google.com[209.85.218.41]", "unknown[185.220.101.7]",
                                        "mx.example.net[198.51.100.25]", "localhost[127.0.0.1]",
                                        "ws12.example.org[10.0.3.12]", "mta-out.example.com[192.0.2.14]",
                                        "unknown[45.142.120.9]", "outbound.mailhop.org[54.174.63.113]"};
constexpr std::string_view users[] = {"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi",
                                      "ivan", "judy", "mallory", "niaj", "olivia", "peggy", "rupert", "sybil"};

/// The concatenation of @p parts (strings, string views, literals) in one allocation.
template <class... T>
std::string cat(const T&... parts) {
    const std::string_view v[] = {std::string_view(parts)...};
    std::size_t n = 0;
    for (const auto p : v) n += p.size();
    std::string out;
    out.reserve(n);
    for (const auto p : v) out.append(p);
    return out;
}

class generator {
public:
    generator(std::uint64_t target, std::uint64_t seed, const std::function<void(std::string_view)>& out)
        : r_(seed), out_(out), target_(target), id_salt_(rng(seed ^ 0x5A17ULL).next()) {
        unsigned pid = 1200;
        const auto mk = [&pid](const std::string& inst, const std::string& svc, const std::string& prog,
                                unsigned npids) {
            service s;
            s.tag = svc.empty() ? inst + "/" + prog : inst + "/" + svc + "/" + prog;
            const std::string name = svc.empty() ? prog : svc;
            s.channel = inst == "postfix" ? name : inst + "/" + name;
            s.smtp = prog == "smtp";
            for (unsigned i = 0; i < npids; ++i) s.pids.push_back(pid += 7);
            return s;
        };
        for (int i = 0; i < 2; ++i) {
            instance& in = inst_[i];
            in.mx = i == 1;
            const std::string n = in.mx ? "postfix-mx" : "postfix";
            in.smtpd = mk(n, "", "smtpd", 24);
            in.submission = mk(n, "submission", "smtpd", 6);
            in.pickup = mk(n, "", "pickup", 1);
            in.smtp = mk(n, "", "smtp", 20);
            in.relay = mk(n, "relay", "smtp", 6);
            in.local = mk(n, "", "local", 6);
            in.bounce = mk(n, "", "bounce", 3);
            in.qmgr = mk(n, "", "qmgr", 1);
            in.cleanup = mk(n, "", "cleanup", 8);
            in.anvil = mk(n, "", "anvil", 1);
            in.error = mk(n, "", "error", 2);
        }
    }

    postfix_tally run() {
        while (t_.lines < target_) {
            if (!retry_.empty() && (retry_.size() > 300 || r_.percent(12))) {
                message m = std::move(retry_.front());
                retry_.pop_front();
                retry(m);
                continue;
            }
            const std::uint64_t p = r_.below(100);
            if (p < 50) session(inst_[0], inst_[0].smtpd);
            else if (p < 62) session(inst_[0], inst_[0].submission);
            else if (p < 72) pickup(inst_[0]);
            else session(inst_[1], inst_[1].smtpd);
            if (r_.percent(1)) {
                const instance& in = inst_[r_.below(2)];
                emit(in.anvil, in.anvil.pids[0],
                     "statistics: max connection rate 3/60s for (smtp:" + std::string(ip(clients[r_.below(8)])) +
                         ") at " + stamp());
            }
        }
        while (!retry_.empty()) { // finish what is in flight
            message m = std::move(retry_.front());
            retry_.pop_front();
            retry(m);
        }
        return std::move(t_);
    }

private:
    // ---- output
    std::string stamp() const {
        const std::int64_t s = clock_;
        char b[32];
        std::snprintf(b, sizeof b, "Dec %2d %02d:%02d:%02d", static_cast<int>(3 + s / 86400),
                      static_cast<int>(s / 3600 % 24), static_cast<int>(s / 60 % 60), static_cast<int>(s % 60));
        return b;
    }
    void emit(const service& s, unsigned pid, std::string_view msg) {
        if (r_.below(12) == 0) ++clock_;
        line_ = stamp();
        line_ += " mx1 ";
        line_ += s.tag;
        line_ += '[';
        line_ += std::to_string(pid);
        line_ += "]: ";
        line_ += msg;
        out_(line_);
        ++t_.lines;
    }
    unsigned pid_of(const service& s) { return s.pids[r_.below(s.pids.size())]; }
    static std::string_view ip(std::string_view client) {
        const auto b = client.find('[');
        return client.substr(b + 1, client.size() - b - 2);
    }
    std::string new_id() {
        const std::uint64_t v = ((++ids_ * 0x9E3779B97F4A7C15ULL) + id_salt_) & ((1ULL << 44U) - 1);
        char b[16];
        std::snprintf(b, sizeof b, "%011" PRIX64, v);
        return b;
    }
    /// delay= in hundredths of a second and what counters-ingest rounds it to.
    std::pair<std::string, std::int64_t> delay(const message& m) {
        const std::int64_t cs = (clock_ - m.t0) * 100 + static_cast<std::int64_t>(r_.below(400));
        char b[32];
        std::snprintf(b, sizeof b, "%" PRId64 ".%02d", cs / 100, static_cast<int>(cs % 100));
        return {b, cs / 100 + (cs % 100 >= 50 ? 1 : 0)};
    }

    // ---- tally (the recording calls of counters-ingest(8), LOG FORMATS)
    static std::int64_t blocks(std::uint64_t size) { return counters::to_blocks(size, counters::default_block_size); }
    void add_row(const std::string& ch, counter m, counter r, counter b, std::int64_t n, std::uint64_t size) {
        t_.at(ch, m) += n;
        t_.at(ch, r) += n;
        t_.at(ch, b) += n * blocks(size);
    }
    void submitted(const std::string& ch, std::uint64_t nrcpt, std::uint64_t size) {
        t_.at(ch, counter::submitted_messages) += 1;
        t_.at(ch, counter::submitted_recipients) += static_cast<std::int64_t>(nrcpt);
        t_.at(ch, counter::submitted_blocks) += blocks(size);
    }
    void received(const std::string& ch, std::uint64_t size) {
        add_row(ch, counter::received_messages, counter::received_recipients, counter::received_blocks, 1, size);
        add_row(ch, counter::stored_messages, counter::stored_recipients, counter::stored_blocks, 1, size);
    }
    void dequeued(const std::string& ch, std::uint64_t size, std::int64_t seconds, bool first) {
        add_row(ch, counter::delivered_messages, counter::delivered_recipients, counter::delivered_blocks, 1, size);
        add_row(ch, counter::stored_messages, counter::stored_recipients, counter::stored_blocks, -1, size);
        t_.at(ch, counter::queue_time) += seconds;
        t_.at(ch, counter::queue_count) += 1;
        if (first) {
            t_.at(ch, counter::delivered_first_messages) += 1;
            t_.at(ch, counter::queue_first_time) += seconds;
            t_.at(ch, counter::queue_first_count) += 1;
        }
    }

    // ---- scenarios
    void session(const instance& in, const service& sd) {
        const unsigned pid = pid_of(sd);
        const std::string client(clients[r_.below(std::size(clients))]);
        emit(sd, pid, "connect from " + client);
        t_.at(sd.channel, counter::in_assocs) += 1;
        ++t_.connections;
        if (in.mx && r_.percent(8)) {
            emit(sd, pid, "NOQUEUE: reject: CONNECT from " + client + ": 554 5.7.1 <" + client +
                              ">: Client host rejected: Access denied; proto=SMTP");
            t_.at(sd.channel, counter::in_assocs_rejected) += 1;
            emit(sd, pid, "disconnect from " + client + " commands=0/0");
            return;
        }
        if (r_.percent(4)) {
            emit(sd, pid, "lost connection after EHLO from " + client);
            emit(sd, pid, "disconnect from " + client + " ehlo=1 commands=1");
            return;
        }
        if (r_.percent(30))
            emit(sd, pid, "Anonymous TLS connection established from " + client +
                              ": TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)");
        const unsigned nmsg = r_.percent(15) ? 2 : 1;
        unsigned rcpts = 0;
        unsigned rejects = 0;
        for (unsigned k = 0; k < nmsg; ++k) {
            const bool local_sender = &sd == &in.submission;
            const std::string sender = local_sender ? address(users[r_.below(16)], "example.org", 0)
                                                    : address(users[r_.below(16)], remote_domains[r_.below(8)], 0);
            const unsigned nrej = r_.percent(12) ? 1 + static_cast<unsigned>(r_.below(2)) : 0;
            for (unsigned j = 0; j < nrej; ++j) {
                static constexpr std::string_view why[] = {
                    "554 5.7.1 <%s>: Relay access denied",
                    "450 4.1.2 <%s>: Recipient address rejected: Domain not found",
                    "550 5.1.1 <%s>: Recipient address rejected: User unknown in local recipient table"};
                const std::string to = address("nobody", j == 0 ? "example.invalid" : "example.org", j);
                std::string text(why[r_.below(3)]);
                text.replace(text.find("%s"), 2, to);
                emit(sd, pid, cat("NOQUEUE: reject: RCPT from ", client, ": ", text, "; from=<", sender, "> to=<", to,
                                  "> proto=ESMTP helo=<", std::string_view(client).substr(0, client.find('[')), ">"));
                t_.at(sd.channel, counter::rejected_messages) += 1;
                t_.at(sd.channel, counter::rejected_recipients) += 1;
                ++t_.rejected;
                ++rejects;
            }
            if (nrej > 0 && r_.percent(25)) continue; // every recipient refused: no queue file
            message m = new_message(in, sender, local_sender);
            emit(sd, pid, m.id + ": client=" + client +
                              (local_sender ? ", sasl_method=PLAIN, sasl_username=" + sender : std::string()));
            add_recipients(m, sd);
            rcpts += static_cast<unsigned>(m.nrcpt);
            enqueue(m, sd.channel);
        }
        emit(sd, pid, "disconnect from " + client + " ehlo=1 mail=" + std::to_string(nmsg) + " rcpt=" +
                          std::to_string(rcpts) + "/" + std::to_string(rcpts + rejects) + " data=" +
                          std::to_string(nmsg) + " quit=1 commands=" + std::to_string(3 + 2 * nmsg + rcpts) + "/" +
                          std::to_string(3 + 2 * nmsg + rcpts + rejects));
    }

    void pickup(const instance& in) {
        const std::string user(users[r_.below(16)]);
        message m = new_message(in, address(user, "example.org", 0), true);
        emit(in.pickup, in.pickup.pids[0], m.id + ": uid=" + std::to_string(1000 + r_.below(40)) + " from=<" + user + ">");
        add_recipients(m, in.pickup);
        enqueue(m, in.pickup.channel);
    }

    static std::string address(std::string_view user, std::string_view domain, std::uint64_t n) {
        std::string a(user);
        if (n != 0) a += std::to_string(n);
        a += '@';
        a += domain;
        return a;
    }

    message new_message(const instance& in, std::string sender, bool local_sender) {
        message m;
        m.id = new_id();
        m.in = &in;
        m.sender = std::move(sender);
        m.local_sender = local_sender;
        const std::uint64_t p = r_.below(100);
        m.size = p < 60 ? 600 + r_.below(8000) : p < 95 ? 8000 + r_.below(120000) : 200000 + r_.below(4000000);
        m.t0 = clock_;
        return m;
    }

    void add_recipients(message& m, const service& source) {
        const std::uint64_t p = r_.below(100);
        const std::uint64_t n = p < 70 ? 1 : p < 85 ? 2 : p < 95 ? 3 : 4 + r_.below(5);
        const instance& in = *m.in;
        for (std::uint64_t k = 0; k < n; ++k) {
            rcpt r;
            bool local = false;
            if (in.mx) local = r_.percent(35);
            else if (&source == &in.smtpd) local = r_.percent(55);
            else if (&source == &in.submission) local = r_.percent(20);
            else local = r_.percent(40);
            const std::string user(users[r_.below(16)]);
            if (local) {
                r.addr = address(user, "example.org", k + 1);
                r.dest = &in.local;
            } else {
                r.di = r_.below(std::size(remote_domains));
                r.addr = address(user, in.mx ? std::string_view("hub.example.org") : remote_domains[r.di], k + 1);
                r.dest = &source == &in.submission ? &in.relay : &in.smtp;
            }
            m.pending.push_back(std::move(r));
        }
        m.nrcpt = n;
    }

    /// cleanup and qmgr lines of a new message, Submitted on @p source, then a first pass.
    void enqueue(message& m, const std::string& source) {
        const instance& in = *m.in;
        emit(in.cleanup, pid_of(in.cleanup), m.id + ": message-id=<" + std::to_string(20261203000000 + clock_) + "." +
                                                m.id + "@" + (m.local_sender ? "example.org" : "mail.example.net") + ">");
        emit(in.qmgr, in.qmgr.pids[0], from_line(m));
        submitted(source, m.nrcpt, m.size);
        ++t_.messages;
        t_.recipients += m.nrcpt;
        pass(m);
    }

    std::string from_line(const message& m) const {
        return m.id + ": from=<" + m.sender + ">, size=" + std::to_string(m.size) + ", nrcpt=" + std::to_string(m.nrcpt) +
               " (queue active)";
    }

    /// One delivery attempt for every pending recipient, grouped by delivering service (one
    /// process each); then the notice, and removed when nothing is left.
    void pass(message& m) {
        ++m.tries;
        bool bounced = false;
        std::vector<rcpt> left;
        std::vector<std::pair<const service*, unsigned>> procs;
        for (rcpt& r : m.pending) {
            unsigned pid = 0;
            for (const auto& [s, p] : procs)
                if (s == r.dest) pid = p;
            if (pid == 0) {
                pid = pid_of(*r.dest);
                procs.emplace_back(r.dest, pid);
            }
            const int fate = attempt(m, r, pid);
            if (fate == 1) left.push_back(std::move(r));
            if (fate == 2) bounced = true;
        }
        m.pending = std::move(left);
        if (bounced) notice(m);
        if (m.pending.empty()) {
            emit(m.in->qmgr, m.in->qmgr.pids[0], m.id + ": removed");
            flush_notices();
        } else {
            retry_.push_back(std::move(m));
        }
    }

    /// 0 sent, 1 deferred, 2 bounced.
    int attempt(const message& m, rcpt& r, unsigned pid) {
        const service& s = *r.dest;
        const std::string& ch = s.channel;
        if (s.smtp) {
            const auto dead = dead_until_.find(s.tag + relay_addr(m, r.di));
            if (dead != dead_until_.end() && clock_ < dead->second) return suspended(m, r, dead->first.substr(s.tag.size()));
        }
        if (!r.received) {
            received(ch, m.size);
            r.received = true;
        }
        const std::uint64_t p = r_.below(100);
        int fate = 0;
        if (!s.smtp) fate = p < 97 ? 0 : 2;
        else if (m.tries == 1) fate = p < 86 ? 0 : p < 93 ? 1 : 2;
        else fate = p < 70 ? 0 : p < 85 ? 1 : 2;
        const std::size_t di = r.di;
        std::string relay = s.smtp ? std::string(m.in->mx ? "hub.example.org[10.0.0.5]:25" : relays[di]) : "local";
        std::string tail;
        const bool refused = fate == 1 && r_.percent(50);
        const bool unresolvable = fate == 2 && s.smtp && r_.percent(50);
        if (refused || unresolvable) relay = "none";
        if (refused) {
            const std::string host = relay_addr(m, di);
            emit(s, pid, "connect to " + host + ": Connection refused");
            t_.at(ch, counter::out_assocs_failed) += 1;
            // qmgr now sends this transport's mail for the host to error(8) for a while
            dead_until_[s.tag + host] = clock_ + 1 + static_cast<std::int64_t>(r_.below(4));
            tail = "dsn=4.4.1, status=deferred (connect to " + host + ": Connection refused)";
        } else if (fate == 1) {
            tail = "dsn=4.7.1, status=deferred (host " + relay.substr(0, relay.find(':')) +
                   " said: 451 4.7.1 Greylisted, please try again later (in reply to RCPT TO command))";
        } else if (unresolvable) {
            tail = "dsn=5.4.4, status=bounced (Host or domain name not found. Name service error for name=nx" +
                   std::to_string(r_.below(1000)) + ".invalid type=MX: Host not found)";
        } else if (fate == 2) {
            tail = s.smtp ? "dsn=5.1.1, status=bounced (host " + relay.substr(0, relay.find(':')) + " said: 550 5.1.1 <" +
                                r.addr + ">: Recipient address rejected: User unknown (in reply to RCPT TO command))"
                          : "dsn=5.1.1, status=bounced (unknown user: \"" + r.addr.substr(0, r.addr.find('@')) + "\")";
        } else {
            tail = s.smtp ? "dsn=2.0.0, status=sent (250 2.0.0 OK " + std::to_string(1700000000 + clock_) + " " + m.id + ")"
                          : "dsn=2.0.0, status=sent (delivered to mailbox)";
        }
        bool conn_use = false;
        if (s.smtp && relay != "none" && fate == 0 && r_.percent(25)) conn_use = true;
        if (s.smtp && relay != "none" && !conn_use) { // one association per process and message
            std::string& last = last_id_of_pid_[pid];
            if (last != m.id) t_.at(ch, counter::out_assocs) += 1;
            last = m.id;
        }
        const auto [d, secs] = delay(m);
        std::string text = m.id + ": to=<" + r.addr + ">, relay=" + relay;
        if (conn_use) text += ", conn_use=" + std::to_string(2 + r_.below(20));
        text += ", delay=" + d + ", delays=" + d + "/0.01/0.1/0.2, " + tail;
        emit(s, pid, text);
        if (fate == 1) {
            add_row(ch, counter::attempted_messages, counter::attempted_recipients, counter::attempted_blocks, 1, m.size);
            r.deferred = true;
            ++t_.deferrals;
            return 1;
        }
        if (fate == 2) {
            add_row(ch, counter::failed_messages, counter::failed_recipients, counter::failed_blocks, 1, m.size);
            ++t_.bounced;
        } else {
            ++t_.delivered;
        }
        dequeued(ch, m.size, secs, !r.deferred);
        return fate;
    }

    /// A destination found dead: error(8) defers the recipient without trying it. Attempted
    /// on the error channel, not Received anywhere (the later real attempt receives it).
    int suspended(const message& m, rcpt& r, std::string_view host) {
        const service& e = m.in->error;
        const auto [d, secs] = delay(m);
        (void)secs;
        emit(e, pid_of(e), cat(m.id, ": to=<", r.addr, ">, relay=none, delay=", d, ", delays=", d,
                               "/0/0/0, dsn=4.4.1, status=deferred (delivery temporarily suspended: connect to ", host,
                               ": Connection refused)"));
        add_row(e.channel, counter::attempted_messages, counter::attempted_recipients, counter::attempted_blocks, 1,
                m.size);
        r.deferred = true;
        if (!r.received) r.suspended = &e;
        ++t_.deferrals;
        ++t_.suspended;
        return 1;
    }

    static std::string relay_addr(const message& m, std::size_t di) {
        return std::string(m.in->mx ? std::string_view("hub.example.org[10.0.0.5]:25") : relays[di]);
    }

    void retry(message& m) {
        if (m.tries >= 3) {
            emit(m.in->qmgr, m.in->qmgr.pids[0], m.id + ": from=<" + m.sender + ">, status=expired, returned to sender");
            for (const rcpt& r : m.pending) {
                // never tried by smtp (error deferrals only): received now, on error
                const std::string& ch = r.received ? r.dest->channel : r.suspended->channel;
                if (!r.received) received(ch, m.size);
                add_row(ch, counter::failed_messages, counter::failed_recipients, counter::failed_blocks, 1, m.size);
                dequeued(ch, m.size, 0, false);
                ++t_.bounced;
            }
            m.pending.clear();
            notice(m);
            emit(m.in->qmgr, m.in->qmgr.pids[0], m.id + ": removed");
            flush_notices();
            return;
        }
        emit(m.in->qmgr, m.in->qmgr.pids[0], from_line(m));
        pass(m);
    }

    /// The bounce service's line; the notice itself is queued after the original's removed.
    void notice(const message& m) {
        const instance& in = *m.in;
        message n;
        n.id = new_id();
        n.in = &in;
        n.sender = "";
        n.size = 2000 + m.size / 4 + r_.below(500);
        n.t0 = clock_;
        n.nrcpt = 1;
        rcpt r;
        r.addr = m.sender;
        for (std::size_t i = 0; i < std::size(remote_domains); ++i)
            if (m.sender.substr(m.sender.find('@') + 1) == remote_domains[i]) r.di = i;
        r.dest = m.local_sender ? &in.local : &in.smtp;
        n.pending.push_back(std::move(r));
        emit(in.bounce, pid_of(in.bounce), m.id + ": sender non-delivery notification: " + n.id);
        notices_.push_back(std::move(n));
    }

    void flush_notices() {
        std::vector<message> ns;
        ns.swap(notices_);
        for (message& n : ns) {
            const instance& in = *n.in;
            emit(in.cleanup, pid_of(in.cleanup), n.id + ": message-id=<" + std::to_string(20261203000000 + clock_) + "." +
                                                    n.id + "@mx1.example.org>");
            emit(in.qmgr, in.qmgr.pids[0], from_line(n));
            submitted(in.bounce.channel, 1, n.size);
            ++t_.messages;
            ++t_.notices;
            ++t_.recipients;
            // a notice is delivered at its first attempt (never bounced again)
            rcpt& r = n.pending.front();
            const service& s = *r.dest;
            const unsigned pid = pid_of(s);
            received(s.channel, n.size);
            const std::string relay = s.smtp ? relay_addr(n, r.di) : "local";
            if (s.smtp) {
                std::string& last = last_id_of_pid_[pid];
                if (last != n.id) t_.at(s.channel, counter::out_assocs) += 1;
                last = n.id;
            }
            const auto [d, secs] = delay(n);
            emit(s, pid, cat(n.id, ": to=<", r.addr, ">, relay=", relay, ", delay=", d, ", delays=", d,
                             "/0/0/0, dsn=2.0.0, status=sent (", s.smtp ? "250 2.0.0 OK" : "delivered to mailbox", ")"));
            dequeued(s.channel, n.size, secs, true);
            ++t_.delivered;
            emit(in.qmgr, in.qmgr.pids[0], n.id + ": removed");
        }
    }

    rng r_;
    const std::function<void(std::string_view)>& out_;
    std::uint64_t target_;
    std::uint64_t id_salt_;
    std::uint64_t ids_ = 0;
    std::int64_t clock_ = 5 * 3600 + 37 * 60;
    std::string line_;
    instance inst_[2];
    std::deque<message> retry_;
    std::vector<message> notices_;
    std::map<unsigned, std::string> last_id_of_pid_;
    std::map<std::string, std::int64_t> dead_until_; ///< smtp tag + host: refused until then
    postfix_tally t_;
};

} // namespace

postfix_tally generate_postfix_log(std::uint64_t lines, std::uint64_t seed,
                                   const std::function<void(std::string_view)>& out) {
    generator g(lines, seed, out);
    return g.run();
}

} // namespace bench

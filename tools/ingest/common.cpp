// SPDX-License-Identifier: MIT
// counters-ingest: the recorder, the bounded in-flight table and the small parsers shared by
// the grammars (see grammar.hpp).
#include "grammar.hpp"

#include <charconv>
#include <cmath>
#include <ostream>
#include <utility>

namespace counters::ingest::detail {

// ---- recorder ----

counters::channel recorder::channel(std::string_view name) {
    if (const auto it = cache_.find(name); it != cache_.end()) return it->second;
    const std::string_view mapped = map_.map(name);
    if (!valid_channel(mapped)) {
        bad_channel = true;
        return {};
    }
    counters::channel h;
    try {
        h = section_.get(std::string(mapped));
    } catch (...) { // a registration held by a stuck process: nothing recorded, said so
        bad_channel = true;
        return {};
    }
    cache_.emplace(std::string(name), h);
    return h;
}

// Replayed lines (record false) resolve no handle: the section is not touched (no channel
// is registered); an invalid mapped name is still noticed.
#define COUNTERS_INGEST_REPLAY(name)                                                                                   \
    if (!record) {                                                                                                     \
        if (!valid_channel(map_.map(name))) bad_channel = true;                                                        \
        return;                                                                                                        \
    }

void recorder::enqueued(std::string_view from, std::string_view to, std::uint64_t r, std::uint64_t b) {
    if (!record) {
        if ((!from.empty() && !valid_channel(map_.map(from))) || (!to.empty() && !valid_channel(map_.map(to))))
            bad_channel = true;
        return;
    }
    const counters::channel f = from.empty() ? counters::channel{} : channel(from);
    const counters::channel t = to.empty() ? counters::channel{} : channel(to);
    counters::enqueued(f, t, r, b);
}
void recorder::dequeued(std::string_view ch, std::uint64_t r, std::uint64_t b, std::int64_t secs, bool first) {
    COUNTERS_INGEST_REPLAY(ch)
    counters::dequeued(channel(ch), r, b, secs, first);
}
void recorder::deferred(std::string_view ch, std::uint64_t r, std::uint64_t b) {
    COUNTERS_INGEST_REPLAY(ch)
    counters::deferred(channel(ch), r, b);
}
void recorder::rejected(std::string_view ch, std::uint64_t r, std::uint64_t b) {
    COUNTERS_INGEST_REPLAY(ch)
    counters::rejected(channel(ch), r, b);
}
void recorder::failed(std::string_view ch, std::uint64_t r, std::uint64_t b) {
    COUNTERS_INGEST_REPLAY(ch)
    counters::failed(channel(ch), r, b);
}
void recorder::opened(std::string_view ch, counters::direction d) {
    if (!valid_channel(map_.map(ch))) {
        bad_channel = true;
        return;
    }
    const bool in = d == counters::direction::inbound;
    if (!record) {
        ++(in ? ghost_in : ghost_out)[std::string(ch)];
        return;
    }
    const counters::channel c = channel(ch);
    ++(in ? open_in : open_out)[std::string(ch)];
    counters::association_opened(c, d);
}
bool recorder::closed(std::string_view ch, counters::direction d) {
    const bool in = d == counters::direction::inbound;
    if (!record) {
        auto& ghost = in ? ghost_in : ghost_out;
        if (const auto g = ghost.find(ch); g != ghost.end()) {
            if (--g->second <= 0) ghost.erase(g);
            return true;
        }
    }
    auto& open = in ? open_in : open_out;
    const auto it = open.find(ch);
    if (it == open.end() || it->second <= 0) return false;
    const counters::channel c = channel(ch);
    if (--it->second == 0) open.erase(it);
    counters::association_closed(c, d);
    return true;
}
void recorder::reopen_ghosts() {
    for (const auto d : {counters::direction::inbound, counters::direction::outbound}) {
        auto& ghost = d == counters::direction::inbound ? ghost_in : ghost_out;
        auto& open = d == counters::direction::inbound ? open_in : open_out;
        for (const auto& [ch, n] : ghost) {
            const counters::channel c = channel(ch);
            open[ch] += n;
            for (std::int64_t i = 0; i < n; ++i) counters::association_opened(c, d);
        }
        ghost.clear();
    }
}
void recorder::assoc_rejected(std::string_view ch) {
    COUNTERS_INGEST_REPLAY(ch)
    counters::association_rejected(channel(ch));
}
void recorder::assoc_failed(std::string_view ch) {
    COUNTERS_INGEST_REPLAY(ch)
    counters::association_failed(channel(ch));
}
#undef COUNTERS_INGEST_REPLAY

// ---- in-flight table ----

message_state* inflight::find(std::string_view id) {
    const auto it = map_.find(std::string(id));
    return it == map_.end() ? nullptr : &it->second.m;
}

message_state& inflight::get(std::string_view id) {
    std::string key(id);
    if (const auto it = map_.find(key); it != map_.end()) return it->second.m;
    while (map_.size() >= cap_ && !order_.empty()) {
        std::string oldest = std::move(order_.front());
        order_.pop_front();
        map_.erase(oldest);
        remember_evicted(std::move(oldest));
    }
    if (evicted_.erase(key) != 0) { // an id reused after its eviction is a new message
        for (auto it = evicted_order_.begin(); it != evicted_order_.end(); ++it) {
            if (*it == key) {
                evicted_order_.erase(it);
                break;
            }
        }
    }
    order_.push_back(key);
    node& n = map_[key];
    n.pos = std::prev(order_.end());
    return n.m;
}

void inflight::erase(std::string_view id) {
    const auto it = map_.find(std::string(id));
    if (it == map_.end()) return;
    order_.erase(it->second.pos);
    map_.erase(it);
}

bool inflight::evicted(std::string_view id) const { return evicted_.count(std::string(id)) != 0; }

void inflight::remember_evicted(std::string id) {
    if (evicted_.insert(id).second) evicted_order_.push_back(std::move(id));
    while (evicted_order_.size() > cap_) {
        evicted_.erase(evicted_order_.front());
        evicted_order_.pop_front();
    }
}

void inflight::clear() {
    order_.clear();
    map_.clear();
    evicted_order_.clear();
    evicted_.clear();
}

// id ID SOURCE SIZE NRCPT FLAGS ENQUEUED_AT NR [ADDR CHANNEL RFLAGS]...
// FLAGS: s submitted, d deferred, - none; RFLAGS: r received, d deferred, - none.
void inflight::save(std::ostream& out) const {
    for (const auto& id : order_) {
        const message_state& m = map_.at(id).m;
        out << "id " << escape(id) << ' ' << (m.source.empty() ? "-" : escape(m.source)) << ' ' << m.size << ' '
            << m.nrcpt << ' ' << (m.submitted ? "s" : "") << (m.deferred ? "d" : "")
            << (!m.submitted && !m.deferred ? "-" : "") << ' ' << m.enqueued_at << ' ' << m.rcpts.size();
        for (const auto& [addr, r] : m.rcpts)
            out << ' ' << escape(addr) << ' ' << (r.channel.empty() ? "-" : escape(r.channel)) << ' '
                << (r.received ? "r" : "") << (r.deferred ? "d" : "") << (!r.received && !r.deferred ? "-" : "");
        out << '\n';
    }
    for (const auto& id : evicted_order_) out << "evicted " << escape(id) << '\n';
}

namespace {
std::optional<std::string> opt_name(const std::string& w) {
    if (w == "-") return std::string();
    return unescape(w);
}
bool flags(const std::string& w, bool& a, char ca, bool& b, char cb) {
    a = b = false;
    if (w == "-") return true;
    for (char c : w) {
        if (c == ca && !a) a = true;
        else if (c == cb && !b) b = true;
        else return false;
    }
    return !w.empty();
}
} // namespace

bool inflight::load_id(const std::vector<std::string>& w) {
    if (w.size() < 7) return false;
    const auto id = unescape(w[0]);
    const auto source = opt_name(w[1]);
    const auto size = parse_uint(w[2], UINT64_MAX);
    const auto nrcpt = parse_uint(w[3], UINT64_MAX);
    const auto n = parse_uint(w[6], 1u << 24);
    if (!id || id->empty() || !source || !size || !nrcpt || !n || w.size() != 7 + 3 * *n || map_.count(*id) != 0)
        return false;
    std::int64_t at = 0;
    const auto* b = w[5].data();
    const auto [p, ec] = std::from_chars(b, b + w[5].size(), at);
    if (ec != std::errc() || p != b + w[5].size()) return false;
    message_state m;
    m.source = *source;
    m.size = *size;
    m.nrcpt = *nrcpt;
    m.enqueued_at = at;
    if (!flags(w[4], m.submitted, 's', m.deferred, 'd')) return false;
    for (std::size_t i = 7; i < w.size(); i += 3) {
        const auto addr = unescape(w[i]);
        const auto ch = opt_name(w[i + 1]);
        if (!addr || !ch) return false;
        rcpt_state r;
        r.channel = *ch;
        if (!flags(w[i + 2], r.received, 'r', r.deferred, 'd')) return false;
        if (!m.rcpts.emplace(*addr, std::move(r)).second) return false;
    }
    if (map_.size() >= cap_) return false;
    get(*id) = std::move(m);
    return true;
}

bool inflight::load_evicted(const std::string& w) {
    const auto id = unescape(w);
    if (!id || id->empty()) return false;
    remember_evicted(*id);
    return true;
}

// ---- parsers ----

bool valid_channel(std::string_view name) noexcept {
    if (name.empty() || name.size() > 32) return false;
    for (char c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f) return false;
    }
    return true;
}

std::optional<std::uint64_t> parse_uint(std::string_view s, std::uint64_t max) {
    if (s.empty()) return std::nullopt;
    std::uint64_t v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v > max) return std::nullopt;
    return v;
}

std::optional<std::int64_t> parse_seconds(std::string_view s) {
    const auto dot = s.find('.');
    const auto whole = parse_uint(s.substr(0, dot), 10ULL * 366 * 86400);
    if (!whole) return std::nullopt;
    auto v = static_cast<std::int64_t>(*whole);
    if (dot != std::string_view::npos) {
        const std::string_view frac = s.substr(dot + 1);
        if (frac.empty() || frac.size() > 9 || !parse_uint(frac, UINT64_MAX)) return std::nullopt;
        if (frac[0] >= '5') ++v;
    }
    return v;
}

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

unsigned month_number(std::string_view m) noexcept {
    static constexpr std::string_view names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (unsigned i = 0; i < 12; ++i)
        if (m == names[i]) return i + 1;
    return 0;
}

namespace {
bool ident_char(char c) noexcept { return (c >= 'a' && c <= 'z') || c == '_' || (c >= 'A' && c <= 'Z'); }
/// Whether a `name=` starts at @p at.
bool key_at(std::string_view s, std::size_t at) noexcept {
    std::size_t i = at;
    while (i < s.size() && ident_char(s[i])) ++i;
    return i > at && i < s.size() && s[i] == '=';
}
bool digits(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}
} // namespace

std::optional<std::string_view> field(std::string_view msg, std::string_view key) {
    std::size_t from = 0;
    while (true) {
        const std::size_t at = msg.find(key, from);
        if (at == std::string_view::npos) return std::nullopt;
        const std::size_t eq = at + key.size();
        const bool before_ok = at == 0 || msg[at - 1] == ' ' || msg[at - 1] == ',';
        if (before_ok && eq < msg.size() && msg[eq] == '=') {
            const std::size_t v = eq + 1;
            std::size_t end = v;
            while (end < msg.size()) {
                if (msg[end] == ' ' && key_at(msg, end + 1)) break;
                if (msg[end] == ',' && end + 1 < msg.size() && msg[end + 1] == ' ' && key_at(msg, end + 2)) break;
                ++end;
            }
            return msg.substr(v, end - v);
        }
        from = at + 1;
    }
}

std::vector<std::string_view> words(std::string_view s) {
    std::vector<std::string_view> w;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && s[i] == ' ') ++i;
        const std::size_t b = i;
        while (i < s.size() && s[i] != ' ') ++i;
        if (i > b) w.push_back(s.substr(b, i - b));
    }
    return w;
}

namespace {
/// Cuts the first space-delimited word off @p s.
std::string_view take_word(std::string_view& s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    const std::size_t e = std::min(s.find(' '), s.size());
    const std::string_view w = s.substr(0, e);
    s.remove_prefix(e);
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    return w;
}
bool clock_time(std::string_view t) noexcept { // hh:mm:ss
    return t.size() == 8 && digits(t.substr(0, 2)) && t[2] == ':' && digits(t.substr(3, 2)) && t[5] == ':' &&
           digits(t.substr(6, 2));
}
bool rfc3339(std::string_view t) noexcept {
    if (t.size() < 20 || !digits(t.substr(0, 4)) || t[4] != '-' || !digits(t.substr(5, 2)) || t[7] != '-' ||
        !digits(t.substr(8, 2)) || t[10] != 'T' || !clock_time(t.substr(11, 8)))
        return false;
    std::string_view z = t.substr(19);
    if (!z.empty() && z.front() == '.') {
        z.remove_prefix(1);
        std::size_t n = 0;
        while (n < z.size() && z[n] >= '0' && z[n] <= '9') ++n;
        if (n == 0) return false;
        z.remove_prefix(n);
    }
    if (z == "Z") return true;
    return z.size() == 6 && (z[0] == '+' || z[0] == '-') && digits(z.substr(1, 2)) && z[3] == ':' &&
           digits(z.substr(4, 2));
}
} // namespace

std::optional<syslog_line> parse_syslog(std::string_view line) {
    std::string_view rest = line;
    if (line.size() >= 4 && month_number(line.substr(0, 3)) != 0 && line[3] == ' ') {
        rest.remove_prefix(4);
        const std::string_view day = take_word(rest);
        const auto d = parse_uint(day, 31);
        if (!d || *d == 0 || !clock_time(take_word(rest))) return std::nullopt;
        if (take_word(rest).empty()) return std::nullopt; // host
    } else if (!line.empty() && line[0] >= '0' && line[0] <= '9') {
        if (!rfc3339(take_word(rest)) || take_word(rest).empty()) return std::nullopt;
    }
    // tag[pid]: message
    const std::size_t colon = rest.find(": ");
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    std::string_view tag = rest.substr(0, colon);
    syslog_line s;
    if (tag.back() == ']') {
        const std::size_t lb = tag.find('[');
        if (lb == std::string_view::npos || lb == 0) return std::nullopt;
        s.pid = tag.substr(lb + 1, tag.size() - lb - 2);
        if (!digits(s.pid)) return std::nullopt;
        tag = tag.substr(0, lb);
    }
    if (tag.find(' ') != std::string_view::npos) return std::nullopt;
    s.tag = tag;
    s.msg = rest.substr(colon + 2);
    return s;
}

std::string escape(std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    if (s == "-") return "%2D"; // "-" alone stands for an empty name in the state text
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f || c == '%') {
            out += '%';
            out += hex[u >> 4];
            out += hex[u & 15];
        } else {
            out += c;
        }
    }
    return out;
}

std::optional<std::string> unescape(std::string_view s) {
    auto val = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto u = static_cast<unsigned char>(s[i]);
        if (u <= 0x20 || u >= 0x7f) return std::nullopt;
        if (s[i] != '%') {
            out += s[i];
            continue;
        }
        if (i + 2 >= s.size()) return std::nullopt;
        const int hi = val(s[i + 1]);
        const int lo = val(s[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

} // namespace counters::ingest::detail

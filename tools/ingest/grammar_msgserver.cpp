// SPDX-License-Identifier: MIT
// counters-ingest: the Messaging Server mail.log grammar. The mapping table is
// in counters-ingest(8), LOG FORMATS. One record is one recipient; consecutive records of one message
// (same code, channels, time, size, sender and message id) are one message of several
// recipients, recorded when a record of another message arrives (or at flush()).
#include "grammar.hpp"

#include <algorithm>
#include <charconv>
#include <ostream>

namespace counters::ingest::detail {
namespace {

constexpr std::uint64_t max_blocks = 1ULL << 40;

bool digits(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

/// `DD-Mon-YYYY` and `HH:MM:SS[.ss]` to seconds since the epoch (UTC; only differences matter).
std::optional<std::int64_t> stamp(std::string_view date, std::string_view time) {
    if (date.size() != 11 || date[2] != '-' || date[6] != '-' || time.size() < 8 || time[2] != ':' || time[5] != ':')
        return std::nullopt;
    const auto d = parse_uint(date.substr(0, 2), 31);
    const unsigned mon = month_number(date.substr(3, 3));
    const auto y = parse_uint(date.substr(7, 4), 9999);
    const auto h = parse_uint(time.substr(0, 2), 23);
    const auto m = parse_uint(time.substr(3, 2), 59);
    const auto s = parse_uint(time.substr(6, 2), 60);
    if (!d || *d == 0 || mon == 0 || !y || !h || !m || !s) return std::nullopt;
    if (time.size() > 8 && (time[8] != '.' || !digits(time.substr(9)))) return std::nullopt;
    return days_from_civil(static_cast<std::int64_t>(*y), mon, static_cast<unsigned>(*d)) * 86400 +
           static_cast<std::int64_t>(*h * 3600 + *m * 60 + *s);
}

bool code_letter(std::string_view w) noexcept {
    return w.size() == 1 && std::string_view("EDQZJRKWOCXY").find(w[0]) != std::string_view::npos;
}
bool two_channels(char code) noexcept { return code == 'E' || code == 'J'; }

struct group {
    char code = 0;
    std::string src, dst; ///< dst empty for one-channel records
    std::string msgkey;   ///< message id, or sender and size without one
    std::string gkey;     ///< what consecutive records of the group share
    std::uint64_t rcpts = 0;
    std::uint64_t blocks = 0;
    std::int64_t at = 0;
};

class msgserver final : public grammar {
public:
    bool recognises(std::string_view line) const override {
        const auto w = words(line);
        return w.size() >= 5 && stamp(w[0], w[1]).has_value();
    }

    outcome parse(std::string_view line, recorder& rec, inflight& table) override {
        const auto w = words(line);
        if (w.size() < 2) return outcome::skip("unknown");
        const auto at = stamp(w[0], w[1]);
        if (!at) return outcome::skip("unknown");
        // [pid] channel [channel] CODE SIZE FROM ...
        std::size_t p = 0;
        for (std::size_t i = 3; i <= 5 && i < w.size(); ++i) {
            if (!code_letter(w[i])) continue;
            const std::size_t chans = i - 2;
            const std::size_t want = two_channels(w[i][0]) ? 2 : 1;
            if (chans == want || chans == want + 1) {
                p = i;
                break;
            }
        }
        if (p == 0) return outcome::skip(w.size() < 5 ? "truncated" : "unknown");
        const char code = w[p][0];
        if (code == 'W' || code == 'O' || code == 'C' || code == 'X' || code == 'Y') return outcome::ignore();
        if (w.size() < p + 3) return outcome::skip("truncated");
        const auto blocks = parse_uint(w[p + 1], max_blocks);
        if (!blocks) return outcome::skip("bad_number");
        group g;
        g.code = code;
        if (two_channels(code)) {
            g.src = std::string(w[p - 2]);
            g.dst = std::string(w[p - 1]);
        } else {
            g.src = std::string(w[p - 1]);
        }
        g.blocks = *blocks;
        g.at = *at;
        g.rcpts = 1;
        const std::string_view from = w[p + 2];
        std::string_view mid;
        for (std::size_t i = p + 3; i < w.size(); ++i) {
            if (w[i].front() == '<') {
                mid = w[i].substr(0, w[i].find('>') == std::string_view::npos ? w[i].size() : w[i].find('>') + 1);
                break;
            }
        }
        g.msgkey = mid.empty() ? std::string(from) + "/" + std::to_string(*blocks) : std::string(mid);
        g.gkey = std::string(1, code) + " " + g.src + " " + g.dst + " " + std::string(w[0]) + " " +
                 std::string(w[1]) + " " + std::to_string(*blocks) + " " + g.msgkey;
        if (pending_ && pending_->gkey == g.gkey) {
            ++pending_->rcpts;
            return outcome::ok();
        }
        emit(rec, table);
        pending_ = std::move(g);
        return outcome::ok();
    }

    bool flush(recorder& rec, inflight& table) override { return emit(rec, table); }

    void save_extra(std::ostream& out) const override {
        if (!pending_) return;
        const group& g = *pending_;
        out << "x pending " << g.code << ' ' << escape(g.src) << ' ' << (g.dst.empty() ? "-" : escape(g.dst)) << ' '
            << escape(g.msgkey) << ' ' << escape(g.gkey) << ' ' << g.rcpts << ' ' << g.blocks << ' ' << g.at << '\n';
    }
    bool load_extra(const std::vector<std::string>& w) override {
        if (pending_ || w.size() != 9 || w[0] != "pending" || w[1].size() != 1 || !code_letter(w[1])) return false;
        group g;
        g.code = w[1][0];
        const auto src = unescape(w[2]);
        const auto dst = w[3] == "-" ? std::optional<std::string>(std::string()) : unescape(w[3]);
        const auto mk = unescape(w[4]);
        const auto gk = unescape(w[5]);
        const auto n = parse_uint(w[6], 1u << 24);
        const auto b = parse_uint(w[7], max_blocks);
        if (!src || !dst || !mk || !gk || !n || !b || src->empty() || two_channels(g.code) == dst->empty()) return false;
        const auto [ptr, ec] = std::from_chars(w[8].data(), w[8].data() + w[8].size(), g.at);
        if (ec != std::errc() || ptr != w[8].data() + w[8].size()) return false;
        g.src = *src;
        g.dst = *dst;
        g.msgkey = *mk;
        g.gkey = *gk;
        g.rcpts = *n;
        g.blocks = *b;
        pending_ = std::move(g);
        return true;
    }
    void clear_extra() override { pending_.reset(); }

private:
    /// Records the pending group; the in-flight key is "CHANNEL MESSAGEKEY".
    bool emit(recorder& rec, inflight& table) {
        if (!pending_) return false;
        const group g = std::move(*pending_);
        pending_.reset();
        const std::uint64_t bytes = g.blocks * rec.block_size();
        switch (g.code) {
        case 'E': {
            rec.enqueued(g.src, g.dst, g.rcpts, bytes);
            message_state& m = table.get(g.dst + " " + g.msgkey);
            if (!m.submitted) m.enqueued_at = g.at;
            m.submitted = true;
            m.nrcpt += g.rcpts;
            break;
        }
        case 'J': rec.rejected(g.src, g.rcpts, bytes); break;
        case 'Q':
        case 'Z': {
            rec.deferred(g.src, g.rcpts, bytes);
            message_state& m = table.get(g.src + " " + g.msgkey);
            m.deferred = true;
            break;
        }
        case 'D':
        case 'R':
        case 'K': {
            const std::string key = g.src + " " + g.msgkey;
            message_state* m = table.find(key);
            // Without its E record (log started later, or evicted) the queue time is unknown:
            // 0 seconds, and not counted as a first attempt.
            const bool known = m != nullptr && m->submitted;
            const std::int64_t secs = known ? std::max<std::int64_t>(0, g.at - m->enqueued_at) : 0;
            const bool first = known && !m->deferred;
            if (g.code != 'D') rec.failed(g.src, g.rcpts, bytes);
            rec.dequeued(g.src, g.rcpts, bytes, secs, first);
            if (m != nullptr && m->nrcpt > g.rcpts) m->nrcpt -= g.rcpts;
            else table.erase(key);
            break;
        }
        default: break;
        }
        return true;
    }

    std::optional<group> pending_;
};

} // namespace

std::unique_ptr<grammar> make_msgserver() { return std::make_unique<msgserver>(); }

} // namespace counters::ingest::detail

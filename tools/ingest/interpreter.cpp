// SPDX-License-Identifier: MIT
// counters-ingest: the interpreter. Checks each line (length, bytes, UTF-8), picks the grammar
// (`automatic`: the first that recognises a line), counts outcomes, saves and restores the
// in-flight state. See interpreter.hpp for the contract and grammar.hpp for the parts.
#include "interpreter.hpp"

#include "grammar.hpp"

#include <cctype>
#include <cstdint>
#include <cstring>
#include <istream>
#include <ostream>
#include <stdexcept>
#include <utility>

namespace counters::ingest {

using detail::outcome;

log_format parse_log_format(std::string_view word) {
    std::string w(word);
    for (char& c : w) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const log_format f : {log_format::automatic, log_format::postfix, log_format::exim, log_format::sendmail,
                               log_format::msgserver})
        if (w == format_name(f)) return f;
    throw std::invalid_argument("unknown log format '" + std::string(word) +
                                "' (expected auto, postfix, exim, sendmail or msgserver)");
}

std::string_view format_name(log_format f) noexcept {
    switch (f) {
    case log_format::automatic: return "auto";
    case log_format::postfix: return "postfix";
    case log_format::exim: return "exim";
    case log_format::sendmail: return "sendmail";
    case log_format::msgserver: return "msgserver";
    }
    return "auto";
}

namespace {

std::unique_ptr<detail::grammar> make(log_format f) {
    switch (f) {
    case log_format::postfix: return detail::make_postfix();
    case log_format::exim: return detail::make_exim();
    case log_format::sendmail: return detail::make_sendmail();
    case log_format::msgserver: return detail::make_msgserver();
    case log_format::automatic: break;
    }
    return nullptr;
}

/// Whether @p s is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool valid_utf8(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t n = 0;
        unsigned lo = 0x80;
        unsigned hi = 0xbf;
        if (c >= 0xc2 && c <= 0xdf) n = 1;
        else if (c == 0xe0) n = 2, lo = 0xa0;
        else if (c == 0xed) n = 2, hi = 0x9f;
        else if (c >= 0xe1 && c <= 0xef) n = 2;
        else if (c == 0xf0) n = 3, lo = 0x90;
        else if (c >= 0xf1 && c <= 0xf3) n = 3;
        else if (c == 0xf4) n = 3, hi = 0x8f;
        else return false;
        if (i + n >= s.size()) return false;
        for (std::size_t k = 1; k <= n; ++k) {
            const auto b = static_cast<unsigned char>(s[i + k]);
            if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xbf)) return false;
        }
        i += n + 1;
    }
    return true;
}

/// Length of the leading run of printable ASCII (0x20..0x7e) in @p s, eight bytes at a time:
/// almost every log line is all of it, and then needs no further byte checks.
std::size_t printable_prefix(std::string_view s) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101ULL;
    constexpr std::uint64_t highs = 0x8080808080808080ULL;
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t w = 0;
        std::memcpy(&w, s.data() + i, 8);
        const std::uint64_t below_space = (w - ones * 0x20) & ~w & highs;
        const std::uint64_t x = w ^ (ones * 0x7f);
        const std::uint64_t del = (x - ones) & ~x & highs;
        if (((w & highs) | below_space | del) != 0) break;
    }
    return i;
}

bool binary(std::string_view s) noexcept {
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c < 0x20 && c != '\t') || c == 0x7f) return true;
    }
    return false;
}

} // namespace

struct interpreter::impl {
    impl(counters::section& s, log_format f, channel_map m, std::size_t cap)
        : rec(s, std::move(m)), table(cap), format(f), g(make(f)) {
        for (const auto r : detail::skip_reasons) counts.skipped[std::string(r)] = 0;
    }
    detail::recorder rec;
    detail::inflight table;
    log_format format;
    std::unique_ptr<detail::grammar> g;
    ingest_counts counts;

    void count(const outcome& o) {
        switch (o.kind) {
        case outcome::events: ++counts.recorded; break;
        case outcome::ignored: ++counts.ignored; break;
        case outcome::skipped: ++counts.skipped[std::string(o.reason)]; break;
        }
    }
    outcome interpret(std::string_view text, bool record, bool truncated) {
        if (truncated) return outcome::skip("too_long");
        if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
        const std::string_view rest = text.substr(printable_prefix(text));
        if (binary(rest)) return outcome::skip("binary");
        if (!valid_utf8(rest)) return outcome::skip("invalid_utf8");
        if (text.find_first_not_of(" \t") == std::string_view::npos) return outcome::ignore();
        if (!g) {
            for (const log_format f :
                 {log_format::msgserver, log_format::exim, log_format::postfix, log_format::sendmail}) {
                auto candidate = make(f);
                if (candidate->recognises(text)) {
                    g = std::move(candidate);
                    format = f;
                    break;
                }
            }
            if (!g) return outcome::skip("unknown");
        }
        rec.record = record;
        rec.bad_channel = false;
        if (record && rec.has_ghosts()) rec.reopen_ghosts();
        outcome o = g->parse(text, rec, table);
        if (rec.bad_channel && o.kind == outcome::events) o = outcome::skip("bad_channel");
        return o;
    }
    void close_all() {
        rec.record = true;
        for (const auto d : {counters::direction::inbound, counters::direction::outbound}) {
            auto& open = d == counters::direction::inbound ? rec.open_in : rec.open_out;
            while (!open.empty()) {
                const std::string ch = open.begin()->first;
                while (rec.closed(ch, d)) {
                }
                open.erase(ch);
            }
        }
    }
};

interpreter::interpreter(counters::section& section, log_format format, channel_map map, std::size_t max_in_flight)
    : impl_(std::make_unique<impl>(section, format, std::move(map), max_in_flight)) {}

interpreter::~interpreter() {
    try {
        impl_->close_all();
    } catch (...) {
    }
}

void interpreter::line(std::string_view text, bool record, bool truncated) noexcept {
    ++impl_->counts.lines;
    outcome o;
    try {
        o = impl_->interpret(text, record, truncated);
    } catch (...) { // std::bad_alloc: the line is lost, and said so
        o = outcome::skip("unknown");
    }
    impl_->count(o);
}

void interpreter::flush() noexcept {
    if (!impl_->g) return;
    try {
        impl_->rec.record = true;
        impl_->rec.bad_channel = false;
        impl_->g->flush(impl_->rec, impl_->table);
    } catch (...) {
    }
}

log_format interpreter::format() const noexcept { return impl_->format; }
const ingest_counts& interpreter::counts() const noexcept { return impl_->counts; }

namespace {
constexpr std::string_view magic = "counters-ingest-state";
constexpr int state_version = 1;
} // namespace

void interpreter::save(std::ostream& out) const {
    out << magic << ' ' << state_version << '\n' << "format " << format_name(impl_->format) << '\n';
    // Open associations, whether this process recorded them or only replayed them.
    for (const auto d : {counters::direction::inbound, counters::direction::outbound}) {
        const bool in = d == counters::direction::inbound;
        std::map<std::string, std::int64_t, std::less<>> open = in ? impl_->rec.open_in : impl_->rec.open_out;
        for (const auto& [ch, n] : in ? impl_->rec.ghost_in : impl_->rec.ghost_out) open[ch] += n;
        for (const auto& [ch, n] : open)
            out << "assoc " << (in ? "in " : "out ") << detail::escape(ch) << ' ' << n << '\n';
    }
    if (impl_->g) impl_->g->save_extra(out);
    impl_->table.save(out);
    out << "end\n";
}

bool interpreter::load(std::istream& in) {
    impl& m = *impl_;
    auto fail = [&m] {
        m.table.clear();
        if (m.g) m.g->clear_extra();
        return false;
    };
    m.table.clear();
    if (m.g) m.g->clear_extra();
    std::map<std::string, std::int64_t, std::less<>> open_in;
    std::map<std::string, std::int64_t, std::less<>> open_out;
    std::string text;
    if (!std::getline(in, text) || text != std::string(magic) + " " + std::to_string(state_version)) return fail();
    if (!std::getline(in, text) || !detail::starts_with(text, "format ")) return fail();
    log_format f{};
    try {
        f = parse_log_format(std::string_view(text).substr(7));
    } catch (const std::invalid_argument&) {
        return fail();
    }
    if (m.format != log_format::automatic && f != m.format) return fail();
    std::unique_ptr<detail::grammar> g = make(f);
    bool ended = false;
    while (std::getline(in, text)) {
        const auto w = detail::words(text);
        if (w.empty()) return fail();
        std::vector<std::string> rest(w.begin() + 1, w.end());
        if (w[0] == "end" && rest.empty()) {
            ended = true;
            break;
        }
        if (w[0] == "assoc") {
            if (rest.size() != 3 || (rest[0] != "in" && rest[0] != "out")) return fail();
            const auto ch = detail::unescape(rest[1]);
            const auto n = detail::parse_uint(rest[2], 1u << 20);
            if (!ch || ch->empty() || !n || *n == 0) return fail(); // a default name, mapped on use
            auto& open = rest[0] == "in" ? open_in : open_out;
            if (!open.emplace(*ch, static_cast<std::int64_t>(*n)).second) return fail();
        } else if (w[0] == "id") {
            if (!m.table.load_id(rest)) return fail();
        } else if (w[0] == "evicted") {
            if (rest.size() != 1 || !m.table.load_evicted(rest[0])) return fail();
        } else if (w[0] == "x") {
            if (!g || !g->load_extra(rest)) return fail();
        } else {
            return fail();
        }
    }
    if (!ended) return fail();
    if (f != log_format::automatic) {
        m.g = std::move(g);
        m.format = f;
    }
    // The associations open at save time were counted in the current gauge of the process
    // that saved; that process is gone, so they are opened again here (see the man page).
    m.rec.record = true;
    m.rec.ghost_in.clear();
    m.rec.ghost_out.clear();
    for (const auto d : {counters::direction::inbound, counters::direction::outbound})
        for (const auto& [ch, n] : d == counters::direction::inbound ? open_in : open_out)
            for (std::int64_t i = 0; i < n; ++i) m.rec.opened(ch, d);
    return true;
}

} // namespace counters::ingest

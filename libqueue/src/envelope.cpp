// SPDX-License-Identifier: MIT
// The envelope at the head of a message file: writing it and parsing it defensively.
#include <counters_queue/queue.hpp>

#include <cstdlib>
#include <set>

namespace counters::queue {

namespace {

bool is_text(std::string_view s) noexcept {
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) return false;
    }
    return true;
}

bool is_keyword(std::string_view s) noexcept {
    if (s.empty() || s.size() > 32) return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
    return true;
}

/// Decimal without sign, leading '+' or spaces; at most 19 digits.
std::uint64_t number(std::string_view key, std::string_view v, std::uint64_t lo, std::uint64_t hi) {
    if (v.empty() || v.size() > 19) throw format_error("bad \"" + std::string(key) + "\" value");
    std::uint64_t n = 0;
    for (char c : v) {
        if (c < '0' || c > '9') throw format_error("bad \"" + std::string(key) + "\" value");
        n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (n < lo || n > hi)
        throw format_error("\"" + std::string(key) + "\" out of range (" + std::to_string(n) + ")");
    return n;
}

} // namespace

std::string format_envelope(const envelope& e) {
    if (e.size > max_size) throw format_error("size out of range");
    if (e.recipients < 1 || e.recipients > max_recipients) throw format_error("recipients out of range");
    if (e.created < 0) throw format_error("created out of range");
    if (!e.to.empty() && e.to.size() != e.recipients)
        throw format_error("the number of \"to\" lines differs from recipients");
    for (const std::string* s : {&e.id, &e.from, &e.owner})
        if (!is_text(*s)) throw format_error("control character in a text field");
    std::string out = envelope_magic;
    out += '\n';
    if (!e.id.empty()) out += "id " + e.id + '\n';
    if (e.created > 0) out += "created " + std::to_string(e.created) + '\n';
    out += "size " + std::to_string(e.size) + '\n';
    out += "recipients " + std::to_string(e.recipients) + '\n';
    out += "from " + e.from + '\n';
    if (!e.owner.empty()) out += "owner " + e.owner + '\n';
    for (const std::string& t : e.to) {
        if (!is_text(t) || t.empty()) throw format_error("bad \"to\" address");
        out += "to " + t + '\n';
    }
    out += '\n';
    if (out.size() > max_envelope) throw format_error("envelope too large");
    return out;
}

envelope parse_envelope(std::string_view data) {
    if (data.size() > max_envelope) data = data.substr(0, max_envelope);
    const std::size_t magic_end = data.find('\n');
    if (magic_end == std::string_view::npos) {
        if (data.empty()) throw format_error("empty file");
        throw format_error("no end of envelope");
    }
    const std::string_view magic = data.substr(0, magic_end);
    const std::string_view expected = "%counters-queue ";
    if (magic.substr(0, expected.size()) != expected) throw format_error("bad magic line");
    if (magic != envelope_magic) throw format_error("unsupported envelope version");

    envelope e;
    std::set<std::string, std::less<>> seen;
    bool have_size = false, have_recipients = false, ended = false;
    std::size_t pos = magic_end + 1;
    while (pos < data.size()) {
        const std::size_t nl = data.find('\n', pos);
        if (nl == std::string_view::npos) break;
        std::string_view line = data.substr(pos, nl - pos);
        pos = nl + 1;
        if (line.empty()) {
            ended = true;
            break;
        }
        if (!is_text(line)) throw format_error("control character in the envelope");
        const std::size_t sp = line.find(' ');
        const std::string_view key = line.substr(0, sp);
        const std::string_view value = sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
        if (!is_keyword(key)) throw format_error("bad envelope line");
        if (key != "to" && !seen.emplace(key).second)
            throw format_error("duplicate \"" + std::string(key) + "\" line");
        if (key == "size") {
            e.size = number(key, value, 0, max_size);
            have_size = true;
        } else if (key == "recipients") {
            e.recipients = number(key, value, 1, max_recipients);
            have_recipients = true;
        } else if (key == "created") {
            e.created = static_cast<std::int64_t>(number(key, value, 0, std::uint64_t{1} << 40));
        } else if (key == "id") {
            e.id = std::string(value);
        } else if (key == "from") {
            e.from = std::string(value);
        } else if (key == "owner") {
            e.owner = std::string(value);
        } else if (key == "to") {
            if (value.empty()) throw format_error("empty \"to\" line");
            if (e.to.size() >= max_recipients) throw format_error("too many \"to\" lines");
            e.to.emplace_back(value);
        }
        // Other keywords are ignored: later versions may add them.
    }
    if (!ended) throw format_error("no end of envelope");
    if (!have_size) throw format_error("no \"size\" line");
    if (!have_recipients) throw format_error("no \"recipients\" line");
    if (!e.to.empty() && e.to.size() != e.recipients)
        throw format_error("recipients is " + std::to_string(e.recipients) + " but there are " +
                           std::to_string(e.to.size()) + " \"to\" lines");
    return e;
}

} // namespace counters::queue

// SPDX-License-Identifier: MIT
/// @file output.hpp
/// What the renderers of tools/common (render.cpp, prometheus.cpp) and the escaping
/// (escape.cpp) share: UTF-8 decoding and writing a large output through a raw pointer.
/// Internal to counters_tools_common. No global state: safe from several threads on
/// different strings.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace counters::tools::detail {

/// Decodes the well-formed UTF-8 sequence (RFC 3629: no overlong form, no surrogate, at
/// most U+10FFFF) that starts at @p i of @p s; returns its length and sets @p cp, or
/// returns 0 (also when the sequence is cut by the end of @p s).
std::size_t utf8_at(std::string_view s, std::size_t i, std::uint32_t& cp) noexcept;

/// Reserves @p bytes in @p s and, for a large output (megabytes written once, start to
/// end), asks for transparent huge pages on its 2 MiB-aligned part: a fresh block of
/// malloc's otherwise takes a page fault per 4 KiB written. Only a hint: ignored when the
/// kernel has transparent huge pages off; errno is kept. Throws std::bad_alloc.
void reserve_output(std::string& s, std::size_t bytes);

/// Writes @p v in decimal at @p p; returns the end. At most 20 bytes. Two digits at a time
/// from a table, one- and two-digit numbers (most counters) without a loop.
inline char* put_decimal(char* p, std::int64_t v) noexcept {
    static constexpr char pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                    "8081828384858687888990919293949596979899";
    auto u = static_cast<std::uint64_t>(v);
    if (v < 0) {
        *p++ = '-';
        u = 0 - u;
    }
    if (u < 10) {
        *p = static_cast<char>('0' + u);
        return p + 1;
    }
    if (u < 100) {
        std::memcpy(p, pairs + 2 * u, 2);
        return p + 2;
    }
    char tmp[20];
    char* t = tmp + sizeof tmp;
    while (u >= 100) {
        t -= 2;
        std::memcpy(t, pairs + 2 * (u % 100), 2);
        u /= 100;
    }
    if (u >= 10) {
        t -= 2;
        std::memcpy(t, pairs + 2 * u, 2);
    } else {
        *--t = static_cast<char>('0' + u);
    }
    const auto n = static_cast<std::size_t>(tmp + sizeof tmp - t);
    std::memcpy(p, t, n);
    return p + n;
}

/// Bytes made writable at a time by raw_writer::room(): the zero-filling of
/// std::string::resize() then touches memory that is written right after, still in cache.
inline constexpr std::size_t output_chunk = std::size_t{64} << 10;

/// Appends to a string through a raw pointer: room() makes at least n bytes writable at
/// the current end, growing the string by whole chunks (so the zero-filling of resize()
/// happens once per chunk, not per line); finish() trims it to what was written.
class raw_writer {
public:
    explicit raw_writer(std::string& s) : s_(s), p_(s.data() + s.size()), end_(p_) {}
    raw_writer(const raw_writer&) = delete;
    raw_writer& operator=(const raw_writer&) = delete;
    ~raw_writer() = default;

    /// Where writing starts: the string's end when the writer was made (or restarted).
    char* begin() const noexcept { return p_; }
    /// @p p (the current end) or, when fewer than @p n bytes are writable there, the same
    /// place in the grown string. Throws std::bad_alloc.
    char* room(char* p, std::size_t n) {
        if (static_cast<std::size_t>(end_ - p) >= n) return p;
        const auto used = static_cast<std::size_t>(p - s_.data());
        s_.resize(used + std::max(n, output_chunk));
        end_ = s_.data() + s_.size();
        return s_.data() + used;
    }
    /// Trims the string to what was written, up to @p p.
    void finish(const char* p) { s_.resize(static_cast<std::size_t>(p - s_.data())); }
    /// After the string was emptied (or changed) from outside: continue at its end.
    char* restart() noexcept {
        p_ = end_ = s_.data() + s_.size();
        return p_;
    }

private:
    std::string& s_;
    char* p_;
    char* end_;
};

} // namespace counters::tools::detail

// SPDX-License-Identifier: MIT
// The service probes: connect, read the greeting within the timeout, close politely.
//
// Plain non-blocking sockets with poll() and one deadline, not libcurl: a probe must tell
// a refused connection, a timeout and a garbage greeting apart exactly, and time the
// greeting alone. libcurl's SMTP, IMAP and POP3 support goes on past the greeting (EHLO,
// CAPABILITY, a login) before a transfer can end, folds a server that answers nonsense
// into the same errors as some protocol failures, and has no LDAP without OpenLDAP; the
// exchange a probe needs is one line each way, which sockets do in a few lines with no
// dependency. LDAP is an anonymous simple bind written as its 14 BER bytes (RFC 4511).
#include "checks.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

namespace counters::msprobe {

const char* to_string(probe_outcome o) noexcept {
    switch (o) {
    case probe_outcome::ok: return "ok";
    case probe_outcome::refused: return "refused";
    case probe_outcome::timeout: return "timeout";
    case probe_outcome::garbage: return "garbage";
    case probe_outcome::error: return "error";
    }
    return "?";
}

std::int64_t response_ms(const probe_result& r) noexcept {
    switch (r.outcome) {
    case probe_outcome::ok:
    case probe_outcome::timeout: return static_cast<std::int64_t>(std::llround(r.seconds * 1000.0));
    case probe_outcome::refused: return refused_value;
    case probe_outcome::garbage: return garbage_value;
    case probe_outcome::error: return error_value;
    }
    return error_value;
}

double response_seconds(const probe_result& r) noexcept {
    switch (r.outcome) {
    case probe_outcome::ok:
    case probe_outcome::timeout: return r.seconds;
    case probe_outcome::refused: return static_cast<double>(refused_value);
    case probe_outcome::garbage: return static_cast<double>(garbage_value);
    case probe_outcome::error: return static_cast<double>(error_value);
    }
    return static_cast<double>(error_value);
}

namespace {

using clock = std::chrono::steady_clock;

/// A socket closed on destruction.
class socket_fd {
public:
    explicit socket_fd(int fd = -1) noexcept : fd_(fd) {}
    ~socket_fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    socket_fd(const socket_fd&) = delete;
    socket_fd& operator=(const socket_fd&) = delete;
    socket_fd& operator=(socket_fd&& o) noexcept {
        if (this != &o) {
            if (fd_ >= 0) ::close(fd_);
            fd_ = o.fd_;
            o.fd_ = -1;
        }
        return *this;
    }
    socket_fd(socket_fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    int get() const noexcept { return fd_; }

private:
    int fd_;
};

/// Waits for @p events on @p fd until @p deadline: 1 ready, 0 deadline passed, -1 error.
int wait_for(int fd, short events, clock::time_point deadline) {
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
        if (left <= 0) return 0;
        pollfd pfd{fd, events, 0};
        const int r = ::poll(&pfd, 1, static_cast<int>(std::min<long long>(left + 1, 60000)));
        if (r > 0) return 1;
        if (r < 0 && errno != EINTR) return -1;
    }
}

double since(clock::time_point start) {
    return std::chrono::duration<double>(clock::now() - start).count();
}

/// Bytes as one printable line for the log: control bytes as \xNN, at most 80 shown.
std::string printable(const std::string& bytes) {
    std::string out;
    std::size_t n = 0;
    for (char ch : bytes) {
        const auto c = static_cast<unsigned char>(ch);
        if (++n > 80) {
            out += "...";
            break;
        }
        if (c == '\r' || (c == '\n' && n == bytes.size())) continue;
        if (c < 0x20 || c >= 0x7f || c == '\\') {
            static const char hex[] = "0123456789abcdef";
            out += "\\x";
            out += hex[c >> 4U];
            out += hex[c & 0xfU];
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// An anonymous simple bind (messageID 1, version 3, empty name and password) and an unbind
// (messageID 2), RFC 4511.
constexpr std::array<unsigned char, 14> ldap_bind{0x30, 0x0c, 0x02, 0x01, 0x01, 0x60, 0x07,
                                                  0x02, 0x01, 0x03, 0x04, 0x00, 0x80, 0x00};
constexpr std::array<unsigned char, 7> ldap_unbind{0x30, 0x05, 0x02, 0x01, 0x02, 0x42, 0x00};

/// What the bytes received so far say about an LDAP answer: 1 a complete BindResponse to
/// message 1 (its resultCode in @p code), 0 incomplete, -1 not an LDAP BindResponse.
int ldap_answer(const std::string& b, int& code) {
    const auto at = [&b](std::size_t i) { return static_cast<unsigned char>(b[i]); };
    if (b.empty()) return 0;
    if (at(0) != 0x30) return -1;
    if (b.size() < 2) return 0;
    std::size_t len = 0;
    std::size_t pos = 2;
    if (at(1) < 0x80) {
        len = at(1);
    } else {
        const std::size_t n = at(1) & 0x7fU;
        if (n == 0 || n > 3) return -1;
        if (b.size() < 2 + n) return 0;
        for (std::size_t i = 0; i < n; ++i) len = (len << 8U) | at(2 + i);
        pos = 2 + n;
    }
    if (len > 4096) return -1;
    if (b.size() < pos + len) return 0;
    // messageID: INTEGER 1
    if (pos + 3 > b.size() || at(pos) != 0x02 || at(pos + 1) != 0x01 || at(pos + 2) != 0x01) return -1;
    pos += 3;
    if (pos + 2 > b.size() || at(pos) != 0x61) return -1;
    // the BindResponse's length (short or long form), then resultCode: ENUMERATED
    std::size_t p2 = pos + 1;
    if (at(p2) >= 0x80) p2 += at(p2) & 0x7fU;
    ++p2;
    if (p2 + 3 > b.size() || at(p2) != 0x0a || at(p2 + 1) != 0x01) return -1;
    code = at(p2 + 2);
    return 1;
}

/// What the first line (or the bytes so far) says: 1 the protocol's greeting, 0 not yet
/// known (no complete line and a possible start of one), -1 not the greeting.
int text_answer(service svc, const std::string& b, bool complete) {
    std::string line = b.substr(0, b.find('\n'));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto expect = [&](const char* good) {
        const std::string g = good;
        if (!complete) return g.compare(0, std::min(g.size(), line.size()), line, 0, std::min(g.size(), line.size())) == 0 ? 0 : -1;
        return starts_with(line, good) ? 1 : -1;
    };
    switch (svc) {
    case service::smtp:
    case service::lmtp: {
        const int r = expect("220");
        if (r != 1) return r;
        return line.size() == 3 || line[3] == ' ' || line[3] == '-' ? 1 : -1;
    }
    case service::imap: {
        const int ok = expect("* OK");
        if (ok != -1) return ok;
        return expect("* PREAUTH");
    }
    case service::pop: return expect("+OK");
    case service::http: {
        const int r = expect("HTTP/1.");
        if (r != 1) return r;
        // HTTP/1.x NNN
        return line.size() >= 12 && line[8] == ' ' && std::isdigit(static_cast<unsigned char>(line[9])) &&
                       std::isdigit(static_cast<unsigned char>(line[10])) &&
                       std::isdigit(static_cast<unsigned char>(line[11]))
                   ? 1
                   : -1;
    }
    case service::ldap: return -1;
    }
    return -1;
}

bool send_all(int fd, const void* data, std::size_t size, clock::time_point deadline) {
    const auto* p = static_cast<const char*>(data);
    while (size > 0) {
        const ssize_t n = ::send(fd, p, size, MSG_NOSIGNAL);
        if (n > 0) {
            p += n;
            size -= static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (wait_for(fd, POLLOUT, deadline) != 1) return false;
            continue;
        }
        return false;
    }
    return true;
}

/// The polite end: QUIT, LOGOUT or an unbind, and a short wait for the answer (not timed).
void say_goodbye(int fd, service svc) {
    const auto deadline = clock::now() + std::chrono::milliseconds(500);
    switch (svc) {
    case service::smtp:
    case service::lmtp:
    case service::pop: send_all(fd, "QUIT\r\n", 6, deadline); break;
    case service::imap: send_all(fd, "a LOGOUT\r\n", 10, deadline); break;
    case service::ldap: send_all(fd, ldap_unbind.data(), ldap_unbind.size(), deadline); return;
    case service::http: return;
    }
    ::shutdown(fd, SHUT_WR);
    std::array<char, 512> buf{};
    while (wait_for(fd, POLLIN, deadline) == 1) {
        const ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
        if (n <= 0) break;
    }
}

/// Connects to one address. Returns the connected socket, or sets @p r and returns -1.
socket_fd connect_one(const addrinfo* ai, clock::time_point start, clock::time_point deadline, probe_result& r) {
    socket_fd s(::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol));
    if (s.get() < 0) {
        r = {probe_outcome::error, since(start), std::string("socket: ") + std::strerror(errno)};
        return socket_fd();
    }
    int rc = ::connect(s.get(), ai->ai_addr, ai->ai_addrlen);
    int err = rc == 0 ? 0 : errno;
    if (rc != 0 && err == EINPROGRESS) {
        const int w = wait_for(s.get(), POLLOUT, deadline);
        if (w == 0) {
            r = {probe_outcome::timeout, since(start), "no connection within the timeout"};
            return socket_fd();
        }
        socklen_t len = sizeof err;
        if (w < 0 || ::getsockopt(s.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    }
    if (err == 0) return s;
    if (err == ECONNREFUSED)
        r = {probe_outcome::refused, since(start), "connection refused"};
    else
        r = {probe_outcome::error, since(start), std::string("connect: ") + std::strerror(err)};
    return socket_fd();
}

} // namespace

probe_result run_probe(const probe_settings& p) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const std::string port = std::to_string(p.port);
    // Name resolution comes before the clock starts (getaddrinfo() cannot be given a deadline).
    const int g = ::getaddrinfo(p.host.c_str(), port.c_str(), &hints, &found);
    if (g != 0) return {probe_outcome::error, 0, "cannot resolve " + printable(p.host) + ": " + ::gai_strerror(g)};
    const std::unique_ptr<addrinfo, void (*)(addrinfo*)> addresses(found, ::freeaddrinfo);

    const auto start = clock::now();
    const auto deadline = start + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(p.timeout));
    probe_result r;
    socket_fd s;
    for (const addrinfo* ai = addresses.get(); ai != nullptr; ai = ai->ai_next) {
        s = connect_one(ai, start, deadline, r);
        if (s.get() >= 0 || r.outcome == probe_outcome::timeout) break;
    }
    if (s.get() < 0) return r;

    if (p.svc == service::http) {
        const std::string req = "HEAD / HTTP/1.0\r\nHost: " + p.host + "\r\nUser-Agent: msprobe\r\n\r\n";
        if (!send_all(s.get(), req.data(), req.size(), deadline))
            return {clock::now() >= deadline ? probe_outcome::timeout : probe_outcome::garbage, since(start),
                    "the request could not be sent"};
    } else if (p.svc == service::ldap) {
        if (!send_all(s.get(), ldap_bind.data(), ldap_bind.size(), deadline))
            return {clock::now() >= deadline ? probe_outcome::timeout : probe_outcome::garbage, since(start),
                    "the bind request could not be sent"};
    }

    std::string got;
    std::array<char, 512> buf{};
    for (;;) {
        int verdict = 0;
        int code = 0;
        if (p.svc == service::ldap) {
            verdict = ldap_answer(got, code);
        } else {
            verdict = text_answer(p.svc, got, got.find('\n') != std::string::npos);
        }
        if (verdict == 1) {
            r.outcome = probe_outcome::ok;
            r.seconds = since(start);
            r.detail = p.svc == service::ldap ? "bind result " + std::to_string(code)
                                              : printable(got.substr(0, got.find('\n')));
            say_goodbye(s.get(), p.svc);
            return r;
        }
        if (verdict < 0 || got.size() >= 1024)
            return {probe_outcome::garbage, since(start), "not a greeting: " + printable(got)};
        const int w = wait_for(s.get(), POLLIN, deadline);
        if (w == 0) {
            return {probe_outcome::timeout, since(start),
                    got.empty() ? "no greeting within the timeout"
                                : "no complete greeting within the timeout: " + printable(got)};
        }
        const ssize_t n = w < 0 ? -1 : ::recv(s.get(), buf.data(), buf.size(), 0);
        if (n > 0) {
            got.append(buf.data(), static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == ECONNRESET && got.empty())
            return {probe_outcome::refused, since(start), "connection reset before a greeting"};
        if (n < 0) return {probe_outcome::error, since(start), std::string("recv: ") + std::strerror(errno)};
        return {probe_outcome::garbage, since(start),
                got.empty() ? "connection closed without a greeting" : "not a greeting: " + printable(got)};
    }
}

} // namespace counters::msprobe

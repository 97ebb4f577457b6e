// SPDX-License-Identifier: MIT
// The service probes against servers in this process on 127.0.0.1 (ephemeral ports, so
// parallel runs do not collide): a good greeting per protocol, a port that accepts and never
// answers, a closed port, garbage, and the values recorded for each.
#include "checks.hpp"
#include "msprobe.hpp"

#include "catch.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace counters::msprobe;

namespace {

/// A listening socket on 127.0.0.1 with an ephemeral port. With @p listen false, the port is
/// bound but not listening: connections to it are refused, and no other test can take it.
class local_port {
public:
    explicit local_port(bool listening = true) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd_ < 0) throw std::runtime_error("socket");
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("bind");
        if (listening && ::listen(fd_, 8) != 0) throw std::runtime_error("listen");
        socklen_t len = sizeof a;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
    }
    ~local_port() { ::close(fd_); }
    local_port(const local_port&) = delete;
    local_port& operator=(const local_port&) = delete;
    int fd() const { return fd_; }
    std::uint16_t port() const { return port_; }

private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

/// Serves one connection: waits @p delay_ms, sends @p greeting, then keeps what the client
/// says until it closes (or 3 s), so the polite close can be checked.
class one_shot_server {
public:
    explicit one_shot_server(std::string greeting, int delay_ms = 0, bool close_at_once = false)
        : thread_([this, g = std::move(greeting), delay_ms, close_at_once] {
              const int c = ::accept(port_.fd(), nullptr, nullptr);
              if (c < 0) return;
              std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
              if (!g.empty()) (void)::send(c, g.data(), g.size(), MSG_NOSIGNAL);
              if (!close_at_once) {
                  std::array<char, 256> buf{};
                  pollfd p{c, POLLIN, 0};
                  while (::poll(&p, 1, 3000) > 0) {
                      const ssize_t n = ::recv(c, buf.data(), buf.size(), 0);
                      if (n <= 0) break;
                      heard_.append(buf.data(), static_cast<std::size_t>(n));
                      if (heard_.find("QUIT") != std::string::npos || heard_.find("LOGOUT") != std::string::npos)
                          (void)::send(c, "221 bye\r\n", 9, MSG_NOSIGNAL);
                  }
              }
              ::close(c);
          }) {}
    ~one_shot_server() { join(); }
    one_shot_server(const one_shot_server&) = delete;
    one_shot_server& operator=(const one_shot_server&) = delete;
    std::uint16_t port() const { return port_.port(); }
    /// What the client sent (after the thread ended).
    const std::string& heard() {
        join();
        return heard_;
    }

private:
    local_port port_;
    std::string heard_;
    std::thread thread_;
    void join() {
        if (thread_.joinable()) thread_.join();
    }
};

probe_settings settings(service s, std::uint16_t port, double timeout = 2) {
    probe_settings p;
    p.svc = s;
    p.host = "127.0.0.1";
    p.port = port;
    p.timeout = timeout;
    return p;
}

} // namespace

TEST_CASE("msprobe probe: SMTP 220 greeting, then QUIT") {
    one_shot_server srv("220 mta.test ESMTP\r\n", 100);
    const auto r = run_probe(settings(service::smtp, srv.port()));
    CHECK(r.outcome == probe_outcome::ok);
    CHECK(r.detail == "220 mta.test ESMTP");
    CHECK(r.seconds >= 0.09);
    CHECK(r.seconds < 1.5);
    CHECK(response_ms(r) >= 90);
    CHECK(srv.heard() == "QUIT\r\n");
}

TEST_CASE("msprobe probe: LMTP and a multi-line 220") {
    one_shot_server srv("220-mta.test first\r\n220 mta.test LMTP\r\n");
    const auto r = run_probe(settings(service::lmtp, srv.port()));
    CHECK(r.outcome == probe_outcome::ok);
    CHECK(srv.heard() == "QUIT\r\n");
}

TEST_CASE("msprobe probe: IMAP * OK, then a LOGOUT") {
    one_shot_server srv("* OK [CAPABILITY IMAP4rev1] ready\r\n");
    const auto r = run_probe(settings(service::imap, srv.port()));
    CHECK(r.outcome == probe_outcome::ok);
    CHECK(srv.heard() == "a LOGOUT\r\n");
}

TEST_CASE("msprobe probe: POP3 +OK, then QUIT") {
    one_shot_server srv("+OK POP3 ready\r\n");
    const auto r = run_probe(settings(service::pop, srv.port()));
    CHECK(r.outcome == probe_outcome::ok);
    CHECK(srv.heard() == "QUIT\r\n");
}

TEST_CASE("msprobe probe: HTTP status line for a HEAD request") {
    one_shot_server srv("HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n", 0, false);
    const auto r = run_probe(settings(service::http, srv.port()));
    CHECK(r.outcome == probe_outcome::ok);
    CHECK(r.detail == "HTTP/1.0 404 Not Found");
    CHECK(srv.heard().rfind("HEAD / HTTP/1.0\r\nHost: 127.0.0.1\r\n", 0) == 0);
}

TEST_CASE("msprobe probe: LDAP anonymous bind, result and unbind") {
    // BindResponse, messageID 1, resultCode 0 (success), empty matchedDN and message
    const std::string resp("\x30\x0c\x02\x01\x01\x61\x07\x0a\x01\x00\x04\x00\x04\x00", 14);
    one_shot_server srv(resp, 0, false);
    const auto r = run_probe(settings(service::ldap, srv.port()));
    CHECK(r.outcome == probe_outcome::ok);
    CHECK(r.detail == "bind result 0");
    const std::string heard = srv.heard();
    CHECK(heard == std::string("\x30\x0c\x02\x01\x01\x60\x07\x02\x01\x03\x04\x00\x80\x00"
                               "\x30\x05\x02\x01\x02\x42\x00",
                               21));
}

TEST_CASE("msprobe probe: a closed port is refused and records -1") {
    local_port closed(false);
    const auto r = run_probe(settings(service::smtp, closed.port()));
    CHECK(r.outcome == probe_outcome::refused);
    CHECK(response_ms(r) == -1);
    CHECK(response_seconds(r) == -1);
}

TEST_CASE("msprobe probe: a port that accepts and never answers records the time waited") {
    local_port silent; // listening, never accepting: the kernel completes the connection
    const auto r = run_probe(settings(service::smtp, silent.port(), 0.3));
    CHECK(r.outcome == probe_outcome::timeout);
    CHECK(r.detail == "no greeting within the timeout");
    CHECK(response_ms(r) >= 300);
    CHECK(response_ms(r) < 1000);
    CHECK(response_seconds(r) >= 0.3);
}

TEST_CASE("msprobe probe: garbage is told apart and records -2") {
    SECTION("a line that is not the greeting") {
        one_shot_server srv("SSH-2.0-OpenSSH_9.2\r\n");
        const auto r = run_probe(settings(service::smtp, srv.port()));
        CHECK(r.outcome == probe_outcome::garbage);
        CHECK(r.detail == "not a greeting: SSH-2.0-OpenSSH_9.2");
        CHECK(response_ms(r) == -2);
    }
    SECTION("a wrong start is garbage at once, before any newline") {
        one_shot_server srv("xyz");
        const auto r = run_probe(settings(service::imap, srv.port(), 1));
        CHECK(r.outcome == probe_outcome::garbage);
        CHECK(r.seconds < 0.9);
    }
    SECTION("a good start without the end of the line is a timeout") {
        one_shot_server srv("220 half a gree");
        const auto r = run_probe(settings(service::smtp, srv.port(), 0.3));
        CHECK(r.outcome == probe_outcome::timeout);
        CHECK(r.detail == "no complete greeting within the timeout: 220 half a gree");
    }
    SECTION("an SMTP refusal (421) is not a greeting") {
        one_shot_server srv("421 too busy\r\n");
        CHECK(run_probe(settings(service::smtp, srv.port())).outcome == probe_outcome::garbage);
    }
    SECTION("a connection closed without a word") {
        one_shot_server srv("", 0, true);
        const auto r = run_probe(settings(service::pop, srv.port()));
        CHECK(r.outcome == probe_outcome::garbage);
        CHECK(r.detail == "connection closed without a greeting");
    }
    SECTION("control bytes are shown escaped") {
        one_shot_server srv(std::string("\x01\x02junk\n", 7));
        const auto r = run_probe(settings(service::http, srv.port()));
        CHECK(r.outcome == probe_outcome::garbage);
        CHECK(r.detail == "not a greeting: \\x01\\x02junk");
    }
    SECTION("LDAP: an answer that is not a BindResponse") {
        one_shot_server srv("220 not ldap\r\n");
        CHECK(run_probe(settings(service::ldap, srv.port())).outcome == probe_outcome::garbage);
    }
}

TEST_CASE("msprobe probe: a host that does not resolve is an error (-3)") {
    auto p = settings(service::smtp, 25);
    p.host = "no-such-host.invalid";
    const auto r = run_probe(p);
    CHECK(r.outcome == probe_outcome::error);
    CHECK(response_ms(r) == -3);
}

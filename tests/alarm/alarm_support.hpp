// SPDX-License-Identifier: MIT
// Test helpers for msprobe's alarm side: a private directory removed at the end, and a
// scripted SMTP server on 127.0.0.1 (an ephemeral port: parallel-safe) that records what the
// client said.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace alarm_testing {

/// A directory of its own under $TMPDIR (mkdtemp), removed with everything in it.
class temp_dir {
public:
    temp_dir() {
        const char* base = std::getenv("TMPDIR");
        std::string templ = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/alarm-test-XXXXXX";
        if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = templ;
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

/// What fake_smtp answers to each command (a reply may hold several lines).
struct smtp_script {
    std::string greeting = "220 fake.test ESMTP";
    std::string ehlo = "250-fake.test\r\n250-PIPELINING\r\n250 8BITMIME";
    std::string helo = "250 fake.test";
    std::string mail = "250 2.1.0 Ok";
    std::string rcpt = "250 2.1.5 Ok";
    std::string data = "354 End data with <CR><LF>.<CR><LF>";
    std::string end = "250 2.0.0 Ok: queued";
    std::string rset = "250 2.0.0 Ok";
    bool silent = false; ///< accepts and never says anything
};

/// A scripted SMTP server. Its socket is bound at construction (port() is known) but refuses
/// connections until start(): "the mail server is down, then back on the same port".
class fake_smtp {
public:
    using script = smtp_script;

    explicit fake_smtp(script s = script{}) : script_(std::move(s)) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd_ < 0) throw std::runtime_error("socket failed");
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("bind failed");
        socklen_t len = sizeof a;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
    }
    ~fake_smtp() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
        ::close(fd_);
    }
    fake_smtp(const fake_smtp&) = delete;
    fake_smtp& operator=(const fake_smtp&) = delete;

    void start() {
        if (::listen(fd_, 8) != 0) throw std::runtime_error("listen failed");
        thread_ = std::thread([this] { serve(); });
    }
    std::uint16_t port() const { return port_; }

    /// Every command line the client sent (without CRLF), DATA text excluded.
    std::vector<std::string> commands() const {
        const std::lock_guard<std::mutex> g(m_);
        return commands_;
    }
    /// Each message's DATA text exactly as received (CRLFs, dot-stuffing), without the final ".\r\n".
    std::vector<std::string> messages() const {
        const std::lock_guard<std::mutex> g(m_);
        return messages_;
    }
    int connections() const { return connections_; }

private:
    void serve() {
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            const int c = ::accept(fd_, nullptr, nullptr);
            if (c < 0) continue;
            ++connections_;
            session(c);
            ::close(c);
        }
    }

    bool say(int c, const std::string& reply) {
        const std::string text = reply + "\r\n";
        return ::send(c, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size());
    }

    // One line (without CRLF); false at the end or when stopping.
    bool line(int c, std::string& buf, std::string& out) {
        for (;;) {
            const auto eol = buf.find("\r\n");
            if (eol != std::string::npos) {
                out = buf.substr(0, eol);
                buf.erase(0, eol + 2);
                return true;
            }
            pollfd p{c, POLLIN, 0};
            if (stop_) return false;
            const int r = ::poll(&p, 1, 50);
            if (r <= 0) continue;
            char chunk[4096];
            const ssize_t n = ::recv(c, chunk, sizeof chunk, 0);
            if (n <= 0) return false;
            buf.append(chunk, static_cast<std::size_t>(n));
        }
    }

    static bool starts(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

    void session(int c) {
        std::string buf, l;
        if (script_.silent) {
            while (line(c, buf, l)) {
            }
            return;
        }
        if (!say(c, script_.greeting) || script_.greeting[0] != '2') return;
        while (line(c, buf, l)) {
            {
                const std::lock_guard<std::mutex> g(m_);
                commands_.push_back(l);
            }
            if (starts(l, "EHLO")) {
                say(c, script_.ehlo);
            } else if (starts(l, "HELO")) {
                say(c, script_.helo);
            } else if (starts(l, "MAIL FROM:")) {
                say(c, script_.mail);
            } else if (starts(l, "RCPT TO:")) {
                say(c, script_.rcpt);
            } else if (l == "DATA") {
                say(c, script_.data);
                if (script_.data[0] != '3') continue;
                std::string text;
                while (line(c, buf, l) && l != ".") text += l + "\r\n";
                {
                    const std::lock_guard<std::mutex> g(m_);
                    messages_.push_back(text);
                }
                say(c, script_.end);
            } else if (l == "RSET") {
                say(c, script_.rset);
            } else if (l == "QUIT") {
                say(c, "221 2.0.0 Bye");
                return;
            } else {
                say(c, "502 5.5.2 Error: command not recognized");
            }
        }
    }

    script script_;
    int fd_ = -1;
    std::uint16_t port_ = 0;
    std::thread thread_;
    std::atomic<bool> stop_{false};
    std::atomic<int> connections_{0};
    mutable std::mutex m_;
    std::vector<std::string> commands_;
    std::vector<std::string> messages_;
};

} // namespace alarm_testing

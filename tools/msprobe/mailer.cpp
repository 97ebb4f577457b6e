// SPDX-License-Identifier: MIT
// msprobe's SMTP client: one session over a TCP socket with a deadline on the connection and
// on every reply; every reply code checked (RFC 5321).
#include "alarm_side.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

namespace counters::msprobe {

namespace {

using clock_type = std::chrono::steady_clock;

// A failed session: the message that says what and why.
struct smtp_failure {
    std::string what;
};

class connection {
public:
    connection(const smtp_options& opt) : opt_(opt) {}
    ~connection() {
        if (fd_ >= 0) ::close(fd_);
    }
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    // Connects to the first address of host:port that answers; false with error() set.
    bool open() {
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        addrinfo* res = nullptr;
        const std::string port = std::to_string(opt_.port);
        const int rc = ::getaddrinfo(opt_.host.c_str(), port.c_str(), &hints, &res);
        if (rc != 0) {
            error_ = "cannot resolve " + opt_.host + ": " + ::gai_strerror(rc);
            return false;
        }
        std::string last = "no address";
        for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
            const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
            if (fd < 0) {
                last = std::strerror(errno);
                continue;
            }
            int err = 0;
            if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
                err = errno;
                if (err == EINPROGRESS) {
                    pollfd p{fd, POLLOUT, 0};
                    const int n = ::poll(&p, 1, ms_left(clock_type::now() + timeout()));
                    if (n == 0) {
                        err = ETIMEDOUT;
                    } else if (n < 0) {
                        err = errno;
                    } else {
                        socklen_t len = sizeof err;
                        if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
                    }
                }
            }
            if (err == 0) {
                fd_ = fd;
                break;
            }
            last = err == ETIMEDOUT ? "no answer in " + seconds() : std::strerror(err);
            ::close(fd);
        }
        ::freeaddrinfo(res);
        if (fd_ < 0) {
            error_ = "cannot connect to " + where() + ": " + last;
            return false;
        }
        return true;
    }

    // Sends @p text; throws smtp_failure.
    void send(const std::string& text, const std::string& step) {
        const auto deadline = clock_type::now() + timeout();
        std::size_t done = 0;
        while (done < text.size()) {
            const ssize_t n = ::send(fd_, text.data() + done, text.size() - done, MSG_NOSIGNAL);
            if (n > 0) {
                done += static_cast<std::size_t>(n);
                continue;
            }
            if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                throw smtp_failure{step + ": " + where() + ": " + std::strerror(errno)};
            }
            pollfd p{fd_, POLLOUT, 0};
            const int r = ::poll(&p, 1, ms_left(deadline));
            if (r == 0) throw smtp_failure{step + ": " + where() + ": could not send in " + seconds()};
            if (r < 0 && errno != EINTR) throw smtp_failure{step + ": " + where() + ": " + std::strerror(errno)};
        }
    }

    // Reads one reply (all its lines); returns its code and its text (lines joined by " ").
    // Throws smtp_failure on a timeout, a closed connection or a reply that is not SMTP.
    int reply(const std::string& step, std::string& text) {
        const auto deadline = clock_type::now() + timeout();
        text.clear();
        for (;;) {
            const std::string line = read_line(step, deadline);
            if (line.size() < 3 || !digit(line[0]) || !digit(line[1]) || !digit(line[2]) ||
                (line.size() > 3 && line[3] != ' ' && line[3] != '-')) {
                throw smtp_failure{step + ": " + where() + ": not an SMTP reply: \"" + shown(line) + "\""};
            }
            if (!text.empty()) text += ' ';
            text += shown(line);
            if (line.size() == 3 || line[3] == ' ') {
                return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
            }
        }
    }

    std::string where() const { return opt_.host + ":" + std::to_string(opt_.port); }

    // The EHLO argument: the configured name when it is a domain (has a dot), else this end's
    // address literal ("[127.0.0.1]", "[IPv6:::1]"), which servers that want a fully
    // qualified name also take (RFC 5321 4.1.4).
    std::string helo_name() const {
        if (opt_.helo.find('.') != std::string::npos) return opt_.helo;
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        std::array<char, INET6_ADDRSTRLEN> buf{};
        if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
            if (ss.ss_family == AF_INET &&
                ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&ss)->sin_addr, buf.data(), buf.size()) != nullptr) {
                return std::string("[") + buf.data() + "]";
            }
            if (ss.ss_family == AF_INET6 &&
                ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&ss)->sin6_addr, buf.data(), buf.size()) !=
                    nullptr) {
                return std::string("[IPv6:") + buf.data() + "]";
            }
        }
        return opt_.helo.empty() ? "localhost" : opt_.helo;
    }
    const std::string& error() const { return error_; }

private:
    static bool digit(char c) { return c >= '0' && c <= '9'; }

    // What a server said, safe for a log line.
    static std::string shown(const std::string& s) {
        std::string out = s.substr(0, 400);
        for (char& c : out) {
            const auto u = static_cast<unsigned char>(c);
            if (u < 0x20 || u >= 0x7f) c = '?';
        }
        return out;
    }

    std::chrono::milliseconds timeout() const {
        const double t = opt_.timeout > 0 ? opt_.timeout : 30;
        return std::chrono::milliseconds(static_cast<std::int64_t>(t * 1000));
    }
    std::string seconds() const {
        std::string s = std::to_string(opt_.timeout);
        while (s.find('.') != std::string::npos && (s.back() == '0' || s.back() == '.')) s.pop_back();
        return s + " s";
    }
    static int ms_left(clock_type::time_point deadline) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now()).count();
        if (left <= 0) return 0;
        return left > 3600000 ? 3600000 : static_cast<int>(left);
    }

    std::string read_line(const std::string& step, clock_type::time_point deadline) {
        for (;;) {
            const auto eol = buf_.find('\n');
            if (eol != std::string::npos) {
                std::string line = buf_.substr(0, eol);
                buf_.erase(0, eol + 1);
                if (!line.empty() && line.back() == '\r') line.pop_back();
                return line;
            }
            if (buf_.size() > 4096) throw smtp_failure{step + ": " + where() + ": reply line too long"};
            pollfd p{fd_, POLLIN, 0};
            const int r = ::poll(&p, 1, ms_left(deadline));
            if (r == 0) throw smtp_failure{step + ": " + where() + ": no reply in " + seconds()};
            if (r < 0) {
                if (errno == EINTR) continue;
                throw smtp_failure{step + ": " + where() + ": " + std::strerror(errno)};
            }
            char chunk[1024];
            const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
            if (n == 0) throw smtp_failure{step + ": " + where() + ": connection closed by the server"};
            if (n < 0) {
                if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
                throw smtp_failure{step + ": " + where() + ": " + std::strerror(errno)};
            }
            buf_.append(chunk, static_cast<std::size_t>(n));
        }
    }

    const smtp_options& opt_;
    int fd_ = -1;
    std::string buf_;
    std::string error_;
};

// The DATA text: CRLF line ends (a lone CR or LF becomes CRLF), a '.' starting a line
// doubled, a final CRLF, then the terminating ".".
std::string data_text(const std::string& message) {
    std::string out;
    out.reserve(message.size() + message.size() / 32 + 8);
    bool line_start = true;
    for (std::size_t i = 0; i < message.size(); ++i) {
        const char c = message[i];
        if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < message.size() && message[i + 1] == '\n') ++i;
            out += "\r\n";
            line_start = true;
            continue;
        }
        if (line_start && c == '.') out += '.';
        out += c;
        line_start = false;
    }
    if (!line_start) out += "\r\n";
    out += ".\r\n";
    return out;
}

// An address fit for MAIL FROM/RCPT TO: no line breaks, controls, spaces or angle brackets.
bool plain_address(const std::string& a) {
    for (const char c : a) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f || c == '<' || c == '>') return false;
    }
    return true;
}

// Expects @p want (or @p also when not 0); throws smtp_failure with the reply otherwise.
struct refused {
    std::string what;
};

void expect(connection& c, const std::string& step, int want, int also = 0) {
    std::string text;
    const int code = c.reply(step, text);
    if (code != want && (also == 0 || code != also)) throw refused{step + ": " + c.where() + " answered " + text};
}

} // namespace

std::vector<std::string> smtp_send(const smtp_options& opt, const std::vector<outgoing>& messages) {
    std::vector<std::string> result(messages.size());
    if (messages.empty()) return result;
    connection c(opt);
    std::size_t next = 0; // the first message not settled yet
    try {
        if (!c.open()) throw smtp_failure{c.error()};
        try {
            expect(c, "greeting", 220);
            const std::string helo = c.helo_name();
            c.send("EHLO " + helo + "\r\n", "EHLO");
            std::string text;
            const int code = c.reply("EHLO", text);
            if (code != 250) {
                c.send("HELO " + helo + "\r\n", "HELO");
                expect(c, "HELO", 250);
            }
        } catch (const refused& r) {
            throw smtp_failure{r.what};
        }
        for (; next < messages.size(); ++next) {
            const outgoing& m = messages[next];
            if (!plain_address(m.sender) || !plain_address(m.rcpt) || m.rcpt.empty()) {
                result[next] = "bad envelope address <" + m.sender + "> or <" + m.rcpt + ">";
                continue;
            }
            try {
                c.send("MAIL FROM:<" + m.sender + ">\r\n", "MAIL FROM");
                expect(c, "MAIL FROM:<" + m.sender + ">", 250);
                c.send("RCPT TO:<" + m.rcpt + ">\r\n", "RCPT TO");
                expect(c, "RCPT TO:<" + m.rcpt + ">", 250, 251);
                c.send("DATA\r\n", "DATA");
                expect(c, "DATA", 354);
                c.send(data_text(m.message), "message text");
                expect(c, "end of message text", 250);
            } catch (const refused& r) {
                result[next] = r.what;
                c.send("RSET\r\n", "RSET");
                try {
                    expect(c, "RSET", 250);
                } catch (const refused& rr) {
                    ++next;
                    throw smtp_failure{rr.what};
                }
            }
        }
        try {
            c.send("QUIT\r\n", "QUIT");
            expect(c, "QUIT", 221);
        } catch (...) {
            // Every message is settled: a QUIT that goes wrong changes nothing.
        }
    } catch (const smtp_failure& f) {
        for (std::size_t i = next; i < messages.size(); ++i) {
            if (result[i].empty()) result[i] = f.what;
        }
    } catch (const refused& r) {
        for (std::size_t i = next; i < messages.size(); ++i) {
            if (result[i].empty()) result[i] = r.what;
        }
    }
    return result;
}

} // namespace counters::msprobe

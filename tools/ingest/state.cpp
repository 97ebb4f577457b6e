// SPDX-License-Identifier: MIT
// counters-ingest's state file: text format and atomic writes (see state.hpp).
#include "state.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace counters::ingest {

namespace {

constexpr const char* magic = "counters-ingest state 1";

// Bytes that would break the one-line-per-source layout are written as %XX.
std::string encode(const std::string& s) {
    static const char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == '%' || u == 0x7f) {
            out += '%';
            out += hex[u >> 4U];
            out += hex[u & 0xfU];
        } else {
            out += c;
        }
    }
    return out;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

std::string decode(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out += s[i];
            continue;
        }
        const int hi = i + 2 < s.size() ? hex_digit(s[i + 1]) : -1;
        const int lo = i + 2 < s.size() ? hex_digit(s[i + 2]) : -1;
        if (hi < 0 || lo < 0) throw std::runtime_error("bad %-escape in \"" + s + "\"");
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

std::uint64_t number(const std::string& word, const char* what) {
    if (word.empty() || word.find_first_not_of("0123456789") != std::string::npos || word.size() > 20)
        throw std::runtime_error(std::string("bad ") + what + " \"" + word + "\"");
    errno = 0;
    const unsigned long long v = std::strtoull(word.c_str(), nullptr, 10);
    if (errno == ERANGE) throw std::runtime_error(std::string("bad ") + what + " \"" + word + "\"");
    return v;
}

std::uint64_t hex_number(const std::string& word) {
    if (word.empty() || word.size() > 16 || word.find_first_not_of("0123456789abcdef") != std::string::npos)
        throw std::runtime_error("bad fingerprint \"" + word + "\"");
    return std::strtoull(word.c_str(), nullptr, 16);
}

std::string hex_of(std::uint64_t v) {
    std::ostringstream o;
    o << std::hex << v;
    return o.str();
}

} // namespace

const source_state* ingest_state::find(const std::string& source) const noexcept {
    for (const auto& s : sources)
        if (s.source == source) return &s;
    return nullptr;
}

std::string format_state(const ingest_state& s) {
    std::string out = std::string(magic) + "\n";
    for (const auto& src : s.sources) {
        if (src.file) {
            const file_position& p = *src.file;
            out += "file " + std::to_string(p.device) + " " + std::to_string(p.inode) + " " + std::to_string(p.offset) +
                   " " + hex_of(p.fingerprint) + " " + encode(src.source) + "\n";
        } else {
            out += "journal " + (src.cursor.empty() ? std::string("-") : encode(src.cursor)) + " " +
                   encode(src.source) + "\n";
        }
    }
    out += "interpreter " + std::to_string(s.interpreter.size()) + "\n";
    out += s.interpreter;
    return out;
}

ingest_state parse_state(const std::string& text) {
    ingest_state s;
    std::size_t at = 0;
    auto next_line = [&](std::string* line) {
        const auto nl = text.find('\n', at);
        if (nl == std::string::npos) return false;
        *line = text.substr(at, nl - at);
        at = nl + 1;
        return true;
    };
    std::string line;
    if (!next_line(&line) || line != magic) throw std::runtime_error("not a counters-ingest state file");
    while (next_line(&line)) {
        std::istringstream in(line);
        std::string kind;
        in >> kind;
        if (kind == "file") {
            std::string dev, ino, off, fp, name;
            in >> dev >> ino >> off >> fp >> name;
            if (name.empty()) throw std::runtime_error("incomplete line \"" + line + "\"");
            source_state src;
            src.source = decode(name);
            src.file = file_position{number(dev, "device"), number(ino, "inode"), number(off, "offset"),
                                     hex_number(fp)};
            s.sources.push_back(std::move(src));
        } else if (kind == "journal") {
            std::string cursor, name;
            in >> cursor >> name;
            if (name.empty()) throw std::runtime_error("incomplete line \"" + line + "\"");
            source_state src;
            src.source = decode(name);
            src.cursor = cursor == "-" ? std::string() : decode(cursor);
            s.sources.push_back(std::move(src));
        } else if (kind == "interpreter") {
            std::string bytes;
            in >> bytes;
            const std::uint64_t n = number(bytes, "interpreter length");
            if (n != text.size() - at) throw std::runtime_error("interpreter state of the wrong length (truncated file?)");
            s.interpreter = text.substr(at);
            return s;
        } else {
            throw std::runtime_error("unknown line \"" + line + "\"");
        }
    }
    throw std::runtime_error("no interpreter line (truncated file?)");
}

std::optional<ingest_state> read_state(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (errno == ENOENT) return std::nullopt;
        throw std::runtime_error("state file " + path + ": " + std::strerror(errno));
    }
    std::ostringstream all;
    all << in.rdbuf();
    if (in.bad()) throw std::runtime_error("state file " + path + ": read error");
    try {
        return parse_state(all.str());
    } catch (const std::runtime_error& e) {
        throw std::runtime_error("state file " + path + ": " + e.what());
    }
}

void write_state(const std::string& path, const ingest_state& s) {
    const std::string text = format_state(s);
    const std::string tmp = path + ".tmp";
    auto fail = [&](const std::string& what) {
        const int err = errno;
        throw std::runtime_error("cannot write state file " + path + ": " + what + ": " + std::strerror(err));
    };
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) fail("open " + tmp);
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            ::close(fd);
            ::unlink(tmp.c_str());
            errno = err;
            fail("write " + tmp);
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) {
        const int err = errno;
        ::close(fd);
        ::unlink(tmp.c_str());
        errno = err;
        fail("fsync " + tmp);
    }
    ::close(fd);
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        errno = err;
        fail("rename");
    }
    const auto slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

} // namespace counters::ingest

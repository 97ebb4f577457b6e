// SPDX-License-Identifier: MIT
// counters-ingest's follower: tail -F with positions exact to the line (see follow.hpp).
#include "follow.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

namespace counters::ingest {

namespace {

constexpr std::size_t chunk_bytes = 65536;
constexpr std::size_t bytes_per_poll = 16 * chunk_bytes;

std::string seconds_text(std::chrono::milliseconds ms) {
    const auto s = ms.count() / 1000;
    if (ms.count() % 1000 == 0) return std::to_string(s);
    return std::to_string(s) + "." + std::to_string((ms.count() % 1000) / 100);
}

int open_read(const std::string& path) noexcept {
    return ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
}

std::uint64_t size_of(int fd) noexcept {
    struct stat st {};
    if (::fstat(fd, &st) != 0) return 0;
    return static_cast<std::uint64_t>(st.st_size);
}

std::string directory_of(const std::string& path) {
    const auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

} // namespace

std::uint64_t fingerprint_of(std::string_view bytes) noexcept {
    std::uint64_t h = 14695981039346656037ULL;
    for (const char c : bytes) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ULL;
    }
    return h == 0 ? 1 : h;
}

std::uint64_t head_fingerprint(std::string_view head) noexcept {
    head = head.substr(0, fingerprint_bytes);
    const auto nl = head.find('\n');
    if (nl != std::string_view::npos) return fingerprint_of(head.substr(0, nl + 1));
    if (head.size() == fingerprint_bytes) return fingerprint_of(head);
    return 0;
}

std::uint64_t file_fingerprint(int fd) noexcept {
    char head[fingerprint_bytes];
    std::size_t have = 0;
    while (have < sizeof head) {
        const ssize_t n = ::pread(fd, head + have, sizeof head - have, static_cast<off_t>(have));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        have += static_cast<std::size_t>(n);
    }
    return head_fingerprint(std::string_view(head, have));
}

std::optional<std::pair<std::uint64_t, std::uint64_t>> identity_of(const std::string& path) noexcept {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return std::nullopt;
    return std::make_pair(static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino));
}

std::string find_by_inode(const std::string& path, std::uint64_t device, std::uint64_t inode) {
    const std::string dir = directory_of(path);
    const std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
    if (!d) return {};
    while (const dirent* e = ::readdir(d.get())) {
        if (static_cast<std::uint64_t>(e->d_ino) != inode) continue;
        std::string candidate = (dir == "/" ? std::string() : dir) + "/" + e->d_name;
        struct stat st {};
        if (::stat(candidate.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        if (static_cast<std::uint64_t>(st.st_dev) != device || static_cast<std::uint64_t>(st.st_ino) != inode)
            continue;
        const auto self = identity_of(path);
        if (self && self->first == device && self->second == inode) continue;
        return candidate;
    }
    return {};
}

std::vector<std::string> compressed_candidates(const std::string& path) {
    const std::string dir = directory_of(path);
    const auto slash = path.rfind('/');
    const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
    std::vector<std::string> out;
    const std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
    if (!d || base.empty()) return out;
    static constexpr std::string_view suffix = ".gz";
    while (const dirent* e = ::readdir(d.get())) {
        const std::string_view name(e->d_name);
        if (name.size() <= base.size() || name.compare(0, base.size(), base) != 0) continue;
        if (name.size() < base.size() + suffix.size() ||
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
            continue;
        std::string candidate = (dir == "/" ? std::string() : dir) + "/" + std::string(name);
        struct stat st {};
        if (::stat(candidate.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        out.push_back(std::move(candidate));
    }
    std::sort(out.begin(), out.end());
    return out;
}

/// A compressed rotated file read by the follower: open while it is read, closed (null) once
/// read to its end.
struct file_follower::compressed {
    gzFile gz = nullptr;
    std::string name;
    compressed() = default;
    compressed(const compressed&) = delete;
    compressed& operator=(const compressed&) = delete;
    ~compressed() { close(); }
    void close() noexcept {
        if (gz != nullptr) ::gzclose(gz);
        gz = nullptr;
    }
};

namespace {

/// The compressed file @p name opened and positioned at decompressed byte @p offset, when its
/// decompressed first line has @p fingerprint and it holds at least @p offset bytes; else null.
gzFile open_compressed_at(const std::string& name, std::uint64_t fingerprint, std::uint64_t offset) {
    const int fd = open_read(name);
    if (fd < 0) return nullptr;
    gzFile gz = ::gzdopen(fd, "rb");
    if (gz == nullptr) {
        ::close(fd);
        return nullptr;
    }
    ::gzbuffer(gz, static_cast<unsigned>(2 * chunk_bytes));
    std::vector<char> buf(chunk_bytes);
    int n = ::gzread(gz, buf.data(), static_cast<unsigned>(fingerprint_bytes));
    if (n < 0 || head_fingerprint(std::string_view(buf.data(), static_cast<std::size_t>(n))) != fingerprint ||
        ::gzrewind(gz) != 0) {
        ::gzclose(gz);
        return nullptr;
    }
    // Skip to the offset, reading (a compressed file cannot seek); an end before it: another file.
    std::uint64_t left = offset;
    while (left > 0) {
        const auto want = static_cast<unsigned>(std::min<std::uint64_t>(left, buf.size()));
        n = ::gzread(gz, buf.data(), want);
        if (n <= 0) {
            ::gzclose(gz);
            return nullptr;
        }
        left -= static_cast<std::uint64_t>(n);
    }
    return gz;
}

} // namespace

file_follower::file_follower(std::string path, std::function<void(const std::string&)> report,
                             follow_options options)
    : path_(std::move(path)), report_(std::move(report)), opt_(options), split_(0, options.max_line),
      buf_(chunk_bytes) {}

file_follower::~file_follower() {
    if (fd_ >= 0) ::close(fd_);
}

void file_follower::note_error(int err) {
    if (err == last_errno_) return;
    last_errno_ = err;
    if (err != 0)
        report_("cannot read " + path_ + ": " + std::strerror(err) + " (retrying every " + seconds_text(opt_.retry) +
                " s)");
}

int file_follower::open_path(identity* id) {
    const int fd = open_read(path_);
    if (fd < 0) {
        note_error(errno);
        return -1;
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        const int err = S_ISDIR(st.st_mode) ? EISDIR : (S_ISREG(st.st_mode) ? errno : EINVAL);
        ::close(fd);
        note_error(err);
        return -1;
    }
    if (last_errno_ != 0) {
        last_errno_ = 0;
        report_(path_ + ": can be read again");
    }
    id->device = static_cast<std::uint64_t>(st.st_dev);
    id->inode = static_cast<std::uint64_t>(st.st_ino);
    return fd;
}

void file_follower::adopt(int fd, const identity& id, std::uint64_t offset) {
    if (fd_ >= 0 && fd_ != fd) ::close(fd_);
    fd_ = fd;
    id_ = id;
    ::lseek(fd_, static_cast<off_t>(offset), SEEK_SET);
    split_.reset(offset);
    fingerprint_ = file_fingerprint(fd_);
    started_ = true;
    gone_reported_ = false;
    rotation_seen_ = false;
}

void file_follower::refresh_fingerprint() noexcept {
    if (fingerprint_ == 0 && fd_ >= 0) fingerprint_ = file_fingerprint(fd_);
}

void file_follower::start(const std::optional<file_position>& saved, start_at where) {
    saved_ = saved;
    where_ = where;
    try_start();
}

void file_follower::try_start() {
    identity id;
    const int fd = open_path(&id);
    if (saved_ && (fd < 0 || id.device != saved_->device || id.inode != saved_->inode)) {
        // The saved file is not at the path: renamed away (rotation while stopped)?
        const std::string old = find_by_inode(path_, saved_->device, saved_->inode);
        const int ofd = old.empty() ? -1 : open_read(old);
        if (ofd >= 0) {
            if ((saved_->fingerprint == 0 || file_fingerprint(ofd) == saved_->fingerprint) &&
                size_of(ofd) >= saved_->offset) {
                if (fd >= 0) ::close(fd);
                report_(path_ + ": rotated while stopped; reading " + old + " from offset " +
                        std::to_string(saved_->offset) + " to its end first");
                adopt(ofd, identity{saved_->device, saved_->inode}, saved_->offset);
                switch_pending_ = true;
                return;
            }
            ::close(ofd);
        }
        if (start_compressed(fd)) return;
        if (fd < 0) {
            next_try_ = std::chrono::steady_clock::now() + opt_.retry;
            return;
        }
        if (saved_->offset > 0)
            report_(path_ + ": the file read before the stop (inode " + std::to_string(saved_->inode) +
                    ") is gone: lines after offset " + std::to_string(saved_->offset) +
                    " in it are lost; reading the new file from its beginning");
        adopt(fd, id, 0);
        return;
    }
    if (fd < 0) {
        next_try_ = std::chrono::steady_clock::now() + opt_.retry;
        return;
    }
    if (saved_) {
        if ((saved_->fingerprint == 0 || file_fingerprint(fd) == saved_->fingerprint) && size_of(fd) >= saved_->offset) {
            adopt(fd, id, saved_->offset);
        } else if (!start_compressed(fd)) {
            report_(path_ + ": not the file read before the stop (truncated or rewritten); reading it from its beginning");
            adopt(fd, id, 0);
        }
        return;
    }
    std::uint64_t offset = 0;
    if (where_ == start_at::end) {
        // After the last complete line: a partial one is read once its writer ends it.
        const std::uint64_t size = size_of(fd);
        const std::uint64_t window = std::min<std::uint64_t>(size, opt_.max_line + 1);
        std::string tail(static_cast<std::size_t>(window), '\0');
        const ssize_t n = ::pread(fd, tail.data(), tail.size(), static_cast<off_t>(size - window));
        offset = size;
        if (n == static_cast<ssize_t>(window)) {
            const auto nl = tail.rfind('\n');
            if (nl != std::string::npos)
                offset = size - window + nl + 1;
            else if (window == size)
                offset = 0;
        }
    }
    adopt(fd, id, offset);
}

bool file_follower::start_compressed(int path_fd) {
    if (!saved_ || saved_->fingerprint == 0) return false;
    for (const std::string& name : compressed_candidates(path_)) {
        auto found = std::make_unique<compressed>();
        found->gz = open_compressed_at(name, saved_->fingerprint, saved_->offset);
        if (found->gz == nullptr) continue;
        found->name = name;
        if (path_fd >= 0) ::close(path_fd);
        report_(path_ + ": rotated and compressed while stopped; reading " + name + " from offset " +
                std::to_string(saved_->offset) + " (decompressed) to its end first");
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
        gz_ = std::move(found);
        // Its lines carry the saved file's identity: a state written meanwhile names it, and a
        // restart finds this compressed file again by the same fingerprint.
        id_ = identity{saved_->device, saved_->inode};
        fingerprint_ = saved_->fingerprint;
        split_.reset(saved_->offset);
        started_ = true;
        gone_reported_ = false;
        rotation_seen_ = false;
        return true;
    }
    return false;
}

std::size_t file_follower::feed(line_handler& h, std::size_t n) {
    std::size_t lines = 0;
    const file_position base = position();
    split_.feed(std::string_view(buf_.data(), n), [&](std::string_view text, bool truncated, std::uint64_t next) {
        file_position p = base;
        p.offset = next;
        h.line(text, truncated, p);
        ++lines;
    });
    return lines;
}

std::size_t file_follower::drain_compressed(line_handler& h) {
    std::size_t lines = 0;
    std::size_t read_now = 0;
    more_ = false;
    while (gz_->gz != nullptr) {
        if (read_now >= bytes_per_poll) {
            more_ = true;
            break;
        }
        const int n = ::gzread(gz_->gz, buf_.data(), static_cast<unsigned>(buf_.size()));
        if (n < 0) {
            int code = Z_OK;
            const char* why = ::gzerror(gz_->gz, &code);
            report_("cannot decompress " + gz_->name + ": " + (why != nullptr ? why : "error") +
                    "; lines after offset " + std::to_string(split_.offset()) + " in it are lost");
            gz_->close();
            break;
        }
        if (n == 0) { // its end: an incomplete last line will never be finished
            gz_->close();
            const file_position end = position();
            split_.flush_partial([&](std::string_view text, bool truncated, std::uint64_t next) {
                file_position p = end;
                p.offset = next;
                h.line(text, truncated, p);
                ++lines;
            });
            break;
        }
        read_now += static_cast<std::size_t>(n);
        lines += feed(h, static_cast<std::size_t>(n));
    }
    return lines;
}

std::size_t file_follower::poll_compressed(line_handler& h, std::chrono::steady_clock::time_point now) {
    std::size_t lines = drain_compressed(h);
    if (more_ || gz_->gz != nullptr) return lines;
    // Read to its end (the position stays there until then): the file at the path from its
    // beginning, whatever its inode (it may reuse the one of the compressed file's original).
    if (last_errno_ != 0 && now < next_try_) return lines;
    identity id;
    const int fd = open_path(&id);
    if (fd < 0) {
        next_try_ = now + opt_.retry;
        return lines;
    }
    gz_.reset();
    switch_pending_ = false;
    adopt(fd, id, 0);
    h.switched(position());
    lines += drain(h);
    return lines;
}

std::size_t file_follower::drain(line_handler& h) {
    std::size_t lines = 0;
    std::size_t read_now = 0;
    more_ = false;
    while (fd_ >= 0) {
        if (read_now >= bytes_per_poll) {
            more_ = true;
            break;
        }
        const ssize_t n = ::read(fd_, buf_.data(), buf_.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            break; // EAGAIN or a read error: try again at the next poll
        }
        if (n == 0) break;
        read_now += static_cast<std::size_t>(n);
        refresh_fingerprint();
        lines += feed(h, static_cast<std::size_t>(n));
    }
    return lines;
}

std::size_t file_follower::poll(line_handler& h, bool once) {
    const auto now = std::chrono::steady_clock::now();
    if (!started_) {
        if (now < next_try_) return 0;
        try_start();
        if (!started_) return 0;
        h.switched(position());
    }
    if (gz_) return poll_compressed(h, now);
    std::size_t lines = 0;
    if (rewritten(now)) {
        report_(path_ + ": truncated; reading it again from its beginning");
        adopt(fd_, id_, 0);
        h.switched(position());
    }
    lines += drain(h);
    if (more_) return lines;

    const auto at_path = identity_of(path_);
    if (!at_path) {
        if (!gone_reported_) {
            gone_reported_ = true;
            report_(path_ + ": has disappeared; waiting for it to come back");
        }
        return lines;
    }
    if (at_path->first == id_.device && at_path->second == id_.inode) return lines;
    // Another file at the path: rotation (or the file came back).
    if (!rotation_seen_) {
        rotation_seen_ = true;
        rotated_at_ = now;
    }
    if (!once && !switch_pending_) {
        struct stat st {};
        if (::stat(path_.c_str(), &st) == 0 && st.st_size == 0 && now - rotated_at_ < opt_.rotate_grace)
            return lines; // the writer may still append to the renamed file
    }
    if (last_errno_ != 0 && now < next_try_) return lines;
    identity id;
    const int fd = open_path(&id);
    if (fd < 0) {
        next_try_ = now + opt_.retry;
        return lines;
    }
    lines += drain(h);
    if (more_) { // the old file grew meanwhile: switch at a later poll
        ::close(fd);
        return lines;
    }
    const file_position end_of_old = position();
    split_.flush_partial([&](std::string_view text, bool truncated, std::uint64_t next) {
        file_position p = end_of_old;
        p.offset = next;
        h.line(text, truncated, p);
        ++lines;
    });
    if (!switch_pending_)
        report_(path_ + (gone_reported_ ? ": is back; reading it from its beginning"
                                        : ": replaced (rotated); following the new file"));
    switch_pending_ = false;
    adopt(fd, id, 0);
    h.switched(position());
    lines += drain(h);
    return lines;
}

bool file_follower::rewritten(std::chrono::steady_clock::time_point now) {
    if (fd_ < 0) return false;
    if (size_of(fd_) < split_.read_offset()) return true;
    if (fingerprint_ == 0 || split_.read_offset() == 0 || now < next_verify_) return false;
    next_verify_ = now + opt_.verify_interval;
    const std::uint64_t fp = file_fingerprint(fd_);
    return fp != 0 && fp != fingerprint_;
}

file_position file_follower::position() const noexcept {
    return file_position{id_.device, id_.inode, split_.offset(), fingerprint_};
}

} // namespace counters::ingest

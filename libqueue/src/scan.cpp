// SPDX-License-Identifier: MIT
// Scanning a queue tree into per-channel totals and per-message entries, defensively: every
// unreadable or malformed file is listed as a problem and skipped, never fatal.
#include <counters_queue/queue.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace counters::queue {

void totals::add(const totals& o) noexcept {
    messages += o.messages;
    recipients += o.recipients;
    blocks += o.blocks;
    if (o.oldest != 0 && (oldest == 0 || o.oldest < oldest)) oldest = o.oldest;
}

std::uint64_t blocks_of(std::uint64_t bytes, std::uint32_t block_size) noexcept {
    if (bytes == 0 || block_size == 0) return 0;
    return (bytes - 1) / block_size + 1;
}

namespace {

/// Owns a DIR* opened from a directory descriptor.
class dir_handle {
public:
    dir_handle(int parent, const char* name) {
        const int fd = ::openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
            err_ = errno;
            return;
        }
        d_ = ::fdopendir(fd);
        if (d_ == nullptr) {
            err_ = errno;
            ::close(fd);
        }
    }
    ~dir_handle() {
        if (d_ != nullptr) ::closedir(d_);
    }
    dir_handle(const dir_handle&) = delete;
    dir_handle& operator=(const dir_handle&) = delete;
    bool ok() const noexcept { return d_ != nullptr; }
    int error() const noexcept { return err_; }
    int fd() const noexcept { return ::dirfd(d_); }
    /// Next entry name other than "." and "..", or nullptr at the end.
    const dirent* next() noexcept {
        for (;;) {
            errno = 0;
            const dirent* e = ::readdir(d_);
            if (e == nullptr) return nullptr;
            if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) return e;
        }
    }

private:
    DIR* d_ = nullptr;
    int err_ = 0;
};

bool is_dir(int dirfd, const dirent* e) noexcept {
    if (e->d_type == DT_DIR) return true;
    if (e->d_type != DT_UNKNOWN) return false;
    struct stat st {};
    return ::fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

bool is_channel_name(const std::string& s) noexcept {
    if (s.empty() || s.size() > 32) return false;
    for (char c : s)
        if (c <= 0x20 || c >= 0x7f) return false;
    return true;
}

struct scanner {
    const scan_options& opt;
    scan_result& out;

    void problem(const std::string& path, const std::string& message) { out.problems.push_back({path, message}); }

    /// Reads at most max_envelope bytes of the file, enough to hold its envelope.
    bool read_head(int fd, std::string& buf, const std::string& path) {
        buf.resize(4096);
        std::size_t have = 0;
        for (;;) {
            if (have == buf.size()) {
                if (buf.size() >= max_envelope) break;
                buf.resize(std::min(buf.size() * 4, max_envelope));
            }
            const ssize_t n = ::read(fd, &buf[have], buf.size() - have);
            if (n < 0) {
                if (errno == EINTR) continue;
                problem(path, std::string("cannot read: ") + std::strerror(errno));
                return false;
            }
            if (n == 0) break;
            const std::size_t from = have > 0 ? have - 1 : 0;
            have += static_cast<std::size_t>(n);
            // Stop as soon as the envelope's empty line is in: the body is never read.
            if (std::string_view(buf.data() + from, have - from).find("\n\n") != std::string_view::npos) break;
        }
        buf.resize(have);
        return true;
    }

    void file(int dirfd, const std::string& channel, const std::string& rel, const char* name,
              channel_summary& sum) {
        const std::string path = channel + "/" + rel;
        const auto fname = parse_file_name(name);
        if (!fname) {
            out.unmatched.push_back(path); // not a message file: listed, not counted
            return;
        }
        const int fd = ::openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
            if (errno == ENOENT) return; // renamed or dequeued meanwhile
            problem(path, std::string("cannot open: ") + std::strerror(errno));
            return;
        }
        struct stat st {};
        std::string head;
        bool ok = false;
        if (::fstat(fd, &st) != 0) {
            problem(path, std::string("cannot stat: ") + std::strerror(errno));
        } else if (!S_ISREG(st.st_mode)) {
            problem(path, "not a regular file");
        } else {
            ok = read_head(fd, head, path);
        }
        ::close(fd);
        if (!ok) return;
        envelope env;
        try {
            env = parse_envelope(head);
        } catch (const format_error& e) {
            problem(path, std::string("corrupt envelope: ") + e.what());
            return;
        }
        const std::uint64_t blocks = blocks_of(env.size, opt.block_size);
        const std::int64_t created = env.created != 0 ? env.created : static_cast<std::int64_t>(st.st_mtime);
        totals one;
        one.messages = 1;
        one.recipients = env.recipients;
        one.blocks = blocks;
        one.oldest = created;
        (fname->held ? sum.held : sum.queued).add(one);
        if (opt.entries) {
            out.messages.push_back(
                {channel, rel, fname->attempts, fname->held, env.size, env.recipients, blocks, created});
        }
    }

    /// The files of a channel directory (@p depth 0) or of one of its subdirectories (1).
    void directory(int parentfd, const char* dname, const std::string& channel, const std::string& prefix,
                   int depth, channel_summary& sum) {
        dir_handle d(parentfd, dname);
        const std::string shown = channel + (prefix.empty() ? "" : "/" + prefix.substr(0, prefix.size() - 1));
        if (!d.ok()) {
            if (d.error() != ENOENT) problem(shown, std::string("cannot open directory: ") + std::strerror(d.error()));
            return;
        }
        while (const dirent* e = d.next()) {
            const char* n = e->d_name;
            if (n[0] == '$') {
                ++out.temporaries;
                continue;
            }
            if (is_dir(d.fd(), e)) {
                if (depth == 0 && n[0] != '.') {
                    directory(d.fd(), n, channel, prefix + n + "/", 1, sum);
                } else {
                    // A dot directory, or one level deeper than the layout: listed, not read.
                    std::string path = channel;
                    path += '/';
                    path += prefix;
                    path += n;
                    path += '/';
                    out.unmatched.push_back(std::move(path));
                }
                continue;
            }
            file(d.fd(), channel, prefix + n, n, sum);
        }
        if (errno != 0) problem(shown, std::string("cannot read directory: ") + std::strerror(errno));
    }
};

} // namespace

scan_result scan_tree(const std::string& root, const scan_options& options) {
    scan_result out;
    dir_handle top(AT_FDCWD, root.c_str());
    if (!top.ok()) throw std::system_error(top.error(), std::generic_category(), "cannot open queue directory " + root);
    scanner s{options, out};
    while (const dirent* e = top.next()) {
        const std::string name = e->d_name;
        const bool dir = is_dir(top.fd(), e);
        if (!dir || name[0] == '.') {
            // A file beside the channel directories, or a dot directory: not part of the layout.
            s.out.unmatched.push_back(dir ? name + "/" : name);
            continue;
        }
        if (!is_channel_name(name)) {
            s.problem(name, "not a channel name");
            continue;
        }
        if (options.channel_filter && !options.channel_filter(name)) continue;
        channel_summary& sum = out.channels[name];
        s.directory(top.fd(), e->d_name, name, "", 0, sum);
    }
    std::sort(out.unmatched.begin(), out.unmatched.end());
    if (options.entries) {
        std::sort(out.messages.begin(), out.messages.end(), [](const message_entry& a, const message_entry& b) {
            return a.channel != b.channel ? a.channel < b.channel : a.file < b.file;
        });
    }
    return out;
}

} // namespace counters::queue

// SPDX-License-Identifier: MIT
// Writing message files: `$` temporary + rename that never replaces, retry and hold renames.
#include <counters_queue/queue.hpp>

#include <cerrno>
#include <cstdio>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace counters::queue {

namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path, int err = errno) {
    throw std::system_error(err, std::generic_category(), what + " " + path);
}

void make_dir(const std::string& path) {
    if (::mkdir(path.c_str(), 0750) != 0 && errno != EEXIST) fail("cannot create directory", path);
}

/// rename() that fails with EEXIST instead of replacing @p to.
void rename_noreplace(const std::string& from, const std::string& to) {
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return;
    if (errno != EINVAL && errno != ENOSYS) fail("cannot rename " + from + " to", to);
    // File systems without RENAME_NOREPLACE: link + unlink gives the same guarantee.
    if (::link(from.c_str(), to.c_str()) != 0) fail("cannot rename " + from + " to", to);
    if (::unlink(from.c_str()) != 0) fail("cannot remove", from);
}

void write_all(int fd, std::string_view data, const std::string& path) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("cannot write", path);
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

std::pair<std::string, std::string> split_last(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    if (slash == std::string::npos) return {std::string(), path};
    return {path.substr(0, slash + 1), path.substr(slash + 1)};
}

} // namespace

writer::writer(std::string root) : root_(std::move(root)) {
    if (root_.empty()) throw std::invalid_argument("queue root must not be empty");
    make_dir(root_);
}

std::string writer::put(const std::string& channel, const std::string& id, const envelope& e,
                        std::string_view body, const std::string& subdir) {
    if (channel.empty() || channel.find('/') != std::string::npos || channel[0] == '.')
        throw std::invalid_argument("bad channel directory name: " + channel);
    if (subdir.find('/') != std::string::npos || (!subdir.empty() && (subdir[0] == '.' || subdir[0] == '$')))
        throw std::invalid_argument("bad queue subdirectory name: " + subdir);
    file_name f;
    f.id = id;
    const std::string name = make_file_name(f);
    const std::string text = format_envelope(e);

    std::string rel = channel + "/";
    make_dir(root_ + "/" + channel);
    if (!subdir.empty()) {
        rel += subdir + "/";
        make_dir(root_ + "/" + rel);
    }
    const std::string tmp = root_ + "/" + rel + "$" + name;
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0) fail("cannot create", tmp);
    try {
        write_all(fd, text, tmp);
        write_all(fd, body, tmp);
    } catch (...) {
        ::close(fd);
        ::unlink(tmp.c_str());
        throw;
    }
    if (::close(fd) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        fail("cannot write", tmp, err);
    }
    try {
        rename_noreplace(tmp, root_ + "/" + rel + name);
    } catch (...) {
        ::unlink(tmp.c_str());
        throw;
    }
    return rel + name;
}

std::string writer::rename_to(const std::string& path, const std::string& to) {
    rename_noreplace(root_ + "/" + path, root_ + "/" + to);
    return to;
}

std::string writer::retry(const std::string& path) {
    auto [dir, name] = split_last(path);
    auto f = parse_file_name(name);
    if (!f) throw std::invalid_argument("not a queue file name: " + path);
    if (f->attempts < max_attempts) ++f->attempts;
    else return path;
    return rename_to(path, dir + make_file_name(*f));
}

std::string writer::hold(const std::string& path) {
    auto [dir, name] = split_last(path);
    auto f = parse_file_name(name);
    if (!f) throw std::invalid_argument("not a queue file name: " + path);
    if (f->held) return path;
    f->held = true;
    return rename_to(path, dir + make_file_name(*f));
}

void writer::remove(const std::string& path) {
    const std::string full = root_ + "/" + path;
    if (::unlink(full.c_str()) != 0) fail("cannot remove", full);
}

} // namespace counters::queue

// SPDX-License-Identifier: MIT
// Named segments: POSIX shared-memory objects, or files at an absolute path (a persistent
// segment). Opened by hand (no blocking, no links, regular files only), space reserved at
// creation, mapped with Boost.Interprocess. Both kinds share everything but the open,
// unlink and stat calls.
#include "segment.hpp"

#include <boost/interprocess/mapped_region.hpp>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

#ifndef COUNTERS_MTA_USER_DEFAULT
#define COUNTERS_MTA_USER_DEFAULT ""
#endif
#ifndef COUNTERS_MTA_GROUP_DEFAULT
#define COUNTERS_MTA_GROUP_DEFAULT ""
#endif

namespace bip = boost::interprocess;

namespace counters::detail::shm {

errc errc_from_errno(int e) noexcept {
    switch (e) {
    case ENOENT: return errc::not_found;
    case EEXIST: return errc::exists;
    case EACCES:
    case EPERM: return errc::permission;
    case EINVAL:
    case ENAMETOOLONG: return errc::invalid_argument;
    case ENOSPC: return errc::no_space;
    default: return errc::system;
    }
}

namespace {

/// The name shm_open() takes for a shared-memory segment.
std::string shm_name_of(const std::string& name) { return "/" + name; }
/// Where the object behind @p name lives in the file system (for lstat).
std::string fs_path_of(const std::string& name) { return is_file_name(name) ? name : "/dev/shm/" + name; }

/// Opens @p name: a file (open(2)) or a shared-memory object (shm_open()), never following
/// a link at the last component. Returns -1 with errno set.
int open_object(const std::string& name, int flags, mode_t mode) noexcept {
    if (is_file_name(name)) return ::open(name.c_str(), flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, mode);
    return ::shm_open(shm_name_of(name).c_str(), flags, mode);
}

int unlink_object(const std::string& name) noexcept {
    return is_file_name(name) ? ::unlink(name.c_str()) : ::shm_unlink(shm_name_of(name).c_str());
}

/// The directory part of an absolute path ("/" for "/x").
std::string parent_of(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    return slash == 0 || slash == std::string::npos ? std::string("/") : path.substr(0, slash);
}

/// Why a file could not be created or opened at @p path with errno @p e when the cause lies
/// in its directory (missing, not a directory, not searchable), or "".
std::string directory_problem(const std::string& path, int e) {
    if (e != ENOENT && e != ENOTDIR && e != EACCES) return {};
    const std::string dir = parent_of(path);
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) {
        const int de = errno;
        return "its directory " + dir + " cannot be used: " + std::strerror(de);
    }
    if (!S_ISDIR(st.st_mode)) return "its parent " + dir + " is not a directory: " + std::strerror(ENOTDIR);
    if (e == EACCES && ::faccessat(AT_FDCWD, dir.c_str(), X_OK, AT_EACCESS) != 0)
        return "its directory " + dir + " cannot be used: " + std::strerror(EACCES);
    return {};
}

/// A descriptor closed on destruction.
class descriptor {
public:
    descriptor() noexcept = default;
    explicit descriptor(int fd) noexcept : fd_(fd) {}
    descriptor(descriptor&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    descriptor& operator=(descriptor&& o) noexcept {
        if (this != &o) {
            reset();
            fd_ = o.fd_;
            o.fd_ = -1;
        }
        return *this;
    }
    descriptor(const descriptor&) = delete;
    descriptor& operator=(const descriptor&) = delete;
    ~descriptor() { reset(); }
    int get() const noexcept { return fd_; }
    void reset() noexcept {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

private:
    int fd_ = -1;
};

/// Lets mapped_region map a descriptor we opened ourselves.
class mappable {
public:
    mappable(int fd, bip::mode_t mode) noexcept : fd_(fd), mode_(mode) {}
    bip::mapping_handle_t get_mapping_handle() const noexcept {
        return bip::ipcdetail::mapping_handle_from_file_handle(fd_);
    }
    bip::mode_t get_mode() const noexcept { return mode_; }

private:
    int fd_;
    bip::mode_t mode_;
};

const char* type_name(mode_t m) noexcept {
    if (S_ISFIFO(m)) return "a FIFO";
    if (S_ISDIR(m)) return "a directory";
    if (S_ISSOCK(m)) return "a socket";
    if (S_ISCHR(m)) return "a character device";
    if (S_ISBLK(m)) return "a block device";
    if (S_ISLNK(m)) return "a symbolic link";
    return "not a regular file";
}

[[noreturn]] void fail(errc code, object_kind kind, const std::string& name, const std::string& what, int e) {
    throw error(code, kind, name, what + ": " + std::strerror(e));
}

/// Reserves every page of [0, size): afterwards no access to the mapping can fault for want
/// of memory. tmpfs (/dev/shm) supports fallocate. Elsewhere a @p fresh segment, which
/// nobody uses yet, is written with zeros instead (which also reserves); a segment in use is
/// left as it is, since writing it could undo other processes' updates.
int reserve(int fd, std::size_t size, bool fresh) noexcept {
    const int r = ::posix_fallocate(fd, 0, static_cast<off_t>(size));
    if (r != EOPNOTSUPP && r != EINVAL) return r;
    if (!fresh) return 0;
    static const char zeros[4096] = {};
    for (std::size_t at = 0; at < size; at += sizeof zeros) {
        const std::size_t n = size - at < sizeof zeros ? size - at : sizeof zeros;
        if (::pwrite(fd, zeros, n, static_cast<off_t>(at)) < 0) return errno;
    }
    return 0;
}

[[noreturn]] void no_space(object_kind kind, const std::string& name, std::size_t size, int e) {
    const std::string where = is_file_name(name) ? "the file system of " + parent_of(name) : std::string("/dev/shm");
    throw error(errc::no_space, kind, name,
                "not enough space in " + where + " for its " + std::to_string(size) + " bytes (" + std::strerror(e) +
                    "): free some, or make " + (is_file_name(name) ? "it" : "/dev/shm") + " larger");
}

/// What a segment that is something else is called in messages.
const char* segment_word(const std::string& name) noexcept {
    return is_file_name(name) ? "not a regular file" : "not a shared-memory segment";
}

/// A user or group named by the environment or the build: a name or a number.
std::optional<long> id_from(const char* env, const char* built, bool group) {
    const char* v = std::getenv(env);
    if (v == nullptr || *v == '\0') v = built;
    if (v == nullptr || *v == '\0') return std::nullopt;
    char* end = nullptr;
    const long n = std::strtol(v, &end, 10);
    if (end != v && *end == '\0' && n >= 0) return n;
    std::vector<char> buf(16384);
    if (group) {
        struct group g {};
        struct group* out = nullptr;
        if (::getgrnam_r(v, &g, buf.data(), buf.size(), &out) == 0 && out != nullptr) return long{out->gr_gid};
    } else {
        struct passwd pw {};
        struct passwd* out = nullptr;
        if (::getpwnam_r(v, &pw, buf.data(), buf.size(), &out) == 0 && out != nullptr) return long{out->pw_uid};
    }
    return std::nullopt; // an unknown name trusts nobody extra
}

bool in_my_groups(gid_t g) {
    if (g == ::getegid()) return true;
    std::vector<gid_t> groups(static_cast<std::size_t>(NGROUPS_MAX));
    const int n = ::getgroups(static_cast<int>(groups.size()), groups.data());
    for (int i = 0; i < n; ++i)
        if (groups[static_cast<std::size_t>(i)] == g) return true;
    return false;
}

} // namespace

std::string trust_problem(const struct stat& st) {
    const std::optional<long> mta_user = id_from("COUNTERS_MTA_USER", COUNTERS_MTA_USER_DEFAULT, false);
    const std::optional<long> mta_group = id_from("COUNTERS_MTA_GROUP", COUNTERS_MTA_GROUP_DEFAULT, true);
    const uid_t me = ::geteuid();
    if (st.st_uid == me || st.st_uid == 0 || (mta_user && static_cast<long>(st.st_uid) == *mta_user)) return {};
    const bool group_ok = in_my_groups(st.st_gid) || (mta_group && static_cast<long>(st.st_gid) == *mta_group);
    if ((st.st_mode & S_IWOTH) == 0 && group_ok) return {};
    std::string who = "neither this user, root";
    if (mta_user) who += ", the MTA user (uid " + std::to_string(*mta_user) + ")";
    who += ", nor one of this user's groups";
    if (mta_group) who += " or the MTA group (gid " + std::to_string(*mta_group) + ")";
    return "owned by uid " + std::to_string(st.st_uid) + " and group " + std::to_string(st.st_gid) + ", " + who +
           " (or world-writable)";
}

struct segment::impl {
    std::string name;
    descriptor fd;
    bip::mapped_region region;
    std::string distrust;
};

segment::segment(std::unique_ptr<impl> p) noexcept : p_(std::move(p)) {}
segment::segment(segment&&) noexcept = default;
segment& segment::operator=(segment&&) noexcept = default;
segment::~segment() = default;

bool segment::unlinked() const noexcept {
    if (p_->fd.get() < 0) return false;
    struct stat st {};
    return ::fstat(p_->fd.get(), &st) == 0 && st.st_nlink == 0;
}

void segment::close_descriptor() noexcept { p_->fd.reset(); }

void* segment::data() const noexcept { return p_->region.get_size() ? p_->region.get_address() : nullptr; }
std::size_t segment::size() const noexcept { return p_->region.get_size(); }
const std::string& segment::name() const noexcept { return p_->name; }
const std::string& segment::distrust() const noexcept { return p_->distrust; }

std::optional<segment> segment::create(const std::string& name, object_kind kind, std::size_t size, unsigned mode,
                                       long group) {
    auto p = std::make_unique<impl>();
    p->name = name;
    const int fd = open_object(name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                               static_cast<mode_t>(mode & 07777));
    if (fd < 0) {
        const int e = errno;
        if (e == EEXIST) return std::nullopt;
        if (is_file_name(name)) {
            if (const std::string why = directory_problem(name, e); !why.empty())
                throw error(e == EACCES ? errc::permission : errc::not_found, kind, name, "cannot create: " + why);
            if (e == ELOOP) throw error(errc::permission, kind, name, "refusing to create: a symbolic link is in the way");
        }
        fail(errc_from_errno(e), kind, name, "cannot create", e);
    }
    p->fd = descriptor(fd);
    // Whatever fails from here on, the half-made object goes: nobody may wait on it.
    struct undo {
        const std::string& name;
        bool armed = true;
        ~undo() {
            if (armed) unlink_object(name);
        }
    } undo_create{name};
    // The creator holds this lock until it has published the segment and closed the
    // descriptor: a segment found unpublished with the lock free was left by a creator that
    // died (or by the system before a reboot, for a file), see creator_gone().
    (void)::flock(fd, LOCK_EX | LOCK_NB);
    if (::fchmod(fd, static_cast<mode_t>(mode & 07777)) != 0) // the umask does not apply
        fail(errc_from_errno(errno), kind, name, "cannot set mode", errno);
    if (group >= 0 && ::fchown(fd, static_cast<uid_t>(-1), static_cast<gid_t>(group)) != 0) {
        const int e = errno;
        fail(errc_from_errno(e), kind, name, "cannot set group " + std::to_string(group), e);
    }
    if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
        const int e = errno;
        if (e == ENOSPC || e == EFBIG) no_space(kind, name, size, e);
        fail(errc_from_errno(e), kind, name, "cannot size new segment", e);
    }
    if (const int e = reserve(fd, size, true); e != 0) {
        if (e == ENOSPC || e == ENOMEM) no_space(kind, name, size, e);
        fail(errc_from_errno(e), kind, name, "cannot reserve space for new segment", e);
    }
    try {
        p->region = bip::mapped_region(mappable(fd, bip::read_write), bip::read_write, 0, size);
    } catch (const bip::interprocess_exception& ex) {
        const int e = ex.get_native_error();
        throw error(e != 0 ? errc_from_errno(e) : errc::system, kind, name,
                    std::string("cannot map new segment: ") + (e != 0 ? std::strerror(e) : ex.what()));
    }
    undo_create.armed = false;
    return segment(std::move(p));
}

segment segment::open(const std::string& name, object_kind kind, access how) {
    auto p = std::make_unique<impl>();
    p->name = name;
    const bool writable = how != access::read_only;
    // O_NONBLOCK: a FIFO at the name must not hold us in open(); O_NOCTTY: nor may a
    // terminal become ours. shm_open adds O_NOFOLLOW and O_CLOEXEC; open_object() adds
    // them for a file.
    const int fd = open_object(name, (writable ? O_RDWR : O_RDONLY) | O_NONBLOCK | O_NOCTTY, 0);
    if (fd < 0) {
        const int e = errno;
        if (is_file_name(name)) {
            if (const std::string why = directory_problem(name, e); !why.empty())
                throw error(e == EACCES ? errc::permission : errc::not_found, kind, name,
                            (e == EACCES ? "cannot open: " : "does not exist: ") + why);
        }
        if (e == ENOENT) throw error(errc::not_found, kind, name, "does not exist");
        if (e == ELOOP) throw error(errc::permission, kind, name, "refusing to open: it is a symbolic link");
        // glibc's shm_open() reports a directory as EINVAL (the kernel said EISDIR).
        const std::string what = (e == ENXIO || e == EISDIR || e == ENODEV || e == ETXTBSY || e == EINVAL)
                                     ? non_regular(name)
                                     : std::string();
        if (!what.empty() || e == ENXIO || e == EISDIR)
            throw error(errc::foreign, kind, name,
                        "is " + (what.empty() ? std::string("not a regular file") : what) + ", " +
                            segment_word(name));
        fail(errc_from_errno(e), kind, name, "cannot open", e);
    }
    p->fd = descriptor(fd);
    struct stat st {};
    if (::fstat(fd, &st) != 0) fail(errc_from_errno(errno), kind, name, "cannot stat", errno);
    if (!S_ISREG(st.st_mode))
        throw error(errc::foreign, kind, name,
                    std::string("is ") + type_name(st.st_mode) + ", " + segment_word(name));
    p->distrust = trust_problem(st);
    const bool must_trust = how == access::read_write || (how == access::for_delete && ::geteuid() != 0);
    if (must_trust && !p->distrust.empty())
        throw error(errc::permission, kind, name, "refusing to write: " + p->distrust);
    if (st.st_size > 0) {
        const auto size = static_cast<std::size_t>(st.st_size);
        // A segment made by an older version may be sparse: back it before writing into it,
        // so that a full /dev/shm is this error rather than a SIGBUS in the middle of an event.
        if (how == access::read_write && static_cast<std::uint64_t>(st.st_blocks) * 512 < size) {
            if (const int e = reserve(fd, size, false); e != 0) {
                if (e == ENOSPC || e == ENOMEM) no_space(kind, name, size, e);
                fail(errc_from_errno(e), kind, name, "cannot reserve space", e);
            }
        }
        const bip::mode_t m = writable ? bip::read_write : bip::read_only;
        try {
            p->region = bip::mapped_region(mappable(fd, m), m, 0, size);
        } catch (const bip::interprocess_exception& ex) {
            const int e = ex.get_native_error();
            throw error(e != 0 ? errc_from_errno(e) : errc::system, kind, name,
                        std::string("cannot map: ") + (e != 0 ? std::strerror(e) : ex.what()));
        }
    }
    return segment(std::move(p));
}

bool segment::remove(const std::string& name, object_kind kind) {
    if (unlink_object(name) == 0) return true;
    const int e = errno;
    if (e == ENOENT) return false;
    fail(errc_from_errno(e), kind, name, "cannot delete", e);
}

bool segment::remove_if_same(object_kind kind) {
    struct stat mine {};
    struct stat there {};
    if (p_->fd.get() < 0 || ::fstat(p_->fd.get(), &mine) != 0) return false;
    if (::lstat(fs_path_of(p_->name).c_str(), &there) != 0) return false;
    if (mine.st_dev != there.st_dev || mine.st_ino != there.st_ino) return false;
    return remove(p_->name, kind);
}

bool segment::creator_gone() const noexcept {
    if (p_->fd.get() < 0) return false;
    if (::flock(p_->fd.get(), LOCK_SH | LOCK_NB) != 0) return false; // held: its creator lives
    (void)::flock(p_->fd.get(), LOCK_UN);
    return true;
}

bool segment::exists(const std::string& name) {
    struct stat st {};
    if (::lstat(fs_path_of(name).c_str(), &st) == 0) return true;
    if (errno != ENOENT) return true; // something is there that we may not look at
    if (is_file_name(name)) return false;
    const int fd = ::shm_open(shm_name_of(name).c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);
    if (fd >= 0) {
        ::close(fd);
        return true;
    }
    return errno != ENOENT;
}

std::string segment::non_regular(const std::string& name) {
    struct stat st {};
    if (::lstat(fs_path_of(name).c_str(), &st) != 0 || S_ISREG(st.st_mode)) return {};
    return type_name(st.st_mode);
}

bool is_file_name(const std::string& name) noexcept { return !name.empty() && name[0] == '/'; }

std::string file_name_problem(const std::string& name) {
    if (!is_file_name(name)) return "not an absolute path";
    if (name.size() > max_file_name) return "longer than " + std::to_string(max_file_name) + " bytes";
    if (name.size() > 1 && name.back() == '/') return "ends with '/'";
    if (name == "/") return "names the root directory";
    std::size_t start = 1;
    while (start <= name.size()) {
        const std::size_t end = std::min(name.find('/', start), name.size());
        const std::string part = name.substr(start, end - start);
        if (part.empty()) return "has an empty component ('//')";
        if (part == "." || part == "..") return "has a '" + part + "' component";
        if (part.size() > 255) return "has a component longer than 255 bytes";
        for (const char c : part) {
            const auto u = static_cast<unsigned char>(c);
            if (u < 0x20 || u == 0x7f) return "control characters are not allowed";
        }
        start = end + 1;
    }
    return {};
}

} // namespace counters::detail::shm

// SPDX-License-Identifier: MIT
// Named shared-memory segments through Boost.Interprocess.
#include "segment.hpp"

#include <boost/interprocess/mapped_region.hpp>
#include <boost/interprocess/shared_memory_object.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <climits>
#include <unistd.h>
#include <vector>

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
    default: return errc::system;
    }
}

namespace {

[[noreturn]] void rethrow(const std::string& name, object_kind kind, const char* what_failed,
                          const bip::interprocess_exception& ex) {
    int e = ex.get_native_error();
    std::string cause = e != 0 ? std::strerror(e) : ex.what();
    throw error(e != 0 ? errc_from_errno(e) : errc::system, kind, name,
                std::string(what_failed) + ": " + cause);
}

/// Whether a writer may trust a segment: root trusts everything; others trust a segment made
/// by themselves or root, or one of their own groups' segments that is not world-writable
/// (the MTA's group shares a section created with mode 0660). Anything else could have been
/// planted by another user to have the MTA write into (and believe) it.
bool trusted_for_writing(const struct stat& st) {
    const uid_t me = ::geteuid();
    if (me == 0 || st.st_uid == me || st.st_uid == 0) return true;
    if ((st.st_mode & S_IWOTH) != 0) return false;
    if (st.st_gid == ::getegid()) return true;
    std::vector<gid_t> groups(static_cast<std::size_t>(NGROUPS_MAX));
    const int n = ::getgroups(static_cast<int>(groups.size()), groups.data());
    for (int i = 0; i < n; ++i)
        if (groups[static_cast<std::size_t>(i)] == st.st_gid) return true;
    return false;
}

} // namespace

struct segment::impl {
    std::string name;
    bip::shared_memory_object shm;
    bip::mapped_region region;
    bool has_descriptor = true;
};

segment::segment(std::unique_ptr<impl> p) noexcept : p_(std::move(p)) {}
segment::segment(segment&&) noexcept = default;
segment& segment::operator=(segment&&) noexcept = default;
segment::~segment() = default;

bool segment::unlinked() const noexcept {
    if (!p_->has_descriptor) return false;
    struct stat st {};
    return ::fstat(p_->shm.get_mapping_handle().handle, &st) == 0 && st.st_nlink == 0;
}

void segment::close_descriptor() noexcept {
    if (!p_->has_descriptor) return;
    bip::shared_memory_object().swap(p_->shm); // closes it; the mapped region stays valid
    p_->has_descriptor = false;
}

void* segment::data() const noexcept { return p_->region.get_size() ? p_->region.get_address() : nullptr; }
std::size_t segment::size() const noexcept { return p_->region.get_size(); }
const std::string& segment::name() const noexcept { return p_->name; }

std::optional<segment> segment::create(const std::string& name, object_kind kind, std::size_t size,
                                       unsigned mode, long group) {
    auto p = std::make_unique<impl>();
    p->name = name;
    try {
        bip::permissions perm(static_cast<int>(mode));
        p->shm = bip::shared_memory_object(bip::create_only, name.c_str(), bip::read_write, perm);
    } catch (const bip::interprocess_exception& ex) {
        if (ex.get_native_error() == EEXIST || ex.get_error_code() == bip::already_exists_error)
            return std::nullopt;
        rethrow(name, kind, "cannot create", ex);
    }
    try {
        if (group >= 0 && ::fchown(p->shm.get_mapping_handle().handle, static_cast<uid_t>(-1),
                                   static_cast<gid_t>(group)) != 0) {
            int e = errno;
            bip::shared_memory_object::remove(name.c_str());
            throw error(errc_from_errno(e), kind, name,
                        "cannot set group " + std::to_string(group) + ": " + std::strerror(e));
        }
        p->shm.truncate(static_cast<bip::offset_t>(size));
        p->region = bip::mapped_region(p->shm, bip::read_write, 0, size);
    } catch (const bip::interprocess_exception& ex) {
        bip::shared_memory_object::remove(name.c_str());
        rethrow(name, kind, "cannot size or map new segment", ex);
    }
    return segment(std::move(p));
}

segment segment::open(const std::string& name, object_kind kind, access how) {
    auto p = std::make_unique<impl>();
    p->name = name;
    const bool writable = how == access::read_write;
    bip::mode_t m = writable ? bip::read_write : bip::read_only;
    try {
        p->shm = bip::shared_memory_object(bip::open_only, name.c_str(), m);
    } catch (const bip::interprocess_exception& ex) {
        if (ex.get_error_code() == bip::not_found_error && ex.get_native_error() == 0)
            throw error(errc::not_found, kind, name, "does not exist");
        if (ex.get_native_error() == ENOENT) throw error(errc::not_found, kind, name, "does not exist");
        if (ex.get_native_error() == ELOOP)
            throw error(errc::permission, kind, name, "refusing to open: it is a symbolic link");
        rethrow(name, kind, "cannot open", ex);
    }
    struct stat st {};
    if (::fstat(p->shm.get_mapping_handle().handle, &st) != 0) {
        int e = errno;
        throw error(errc_from_errno(e), kind, name, std::string("cannot stat: ") + std::strerror(e));
    }
    if (!S_ISREG(st.st_mode)) throw error(errc::foreign, kind, name, "is not a regular shared-memory object");
    if (writable && !trusted_for_writing(st))
        throw error(errc::permission, kind, name,
                    "refusing to write: owned by uid " + std::to_string(st.st_uid) + " and group " +
                        std::to_string(st.st_gid) +
                        ", neither this user, root, nor one of this user's groups (or world-writable)");
    if (st.st_size > 0) {
        try {
            p->region = bip::mapped_region(p->shm, m, 0, static_cast<std::size_t>(st.st_size));
        } catch (const bip::interprocess_exception& ex) {
            rethrow(name, kind, "cannot map", ex);
        }
    }
    return segment(std::move(p));
}

bool segment::remove(const std::string& name, object_kind kind) {
    std::string path = "/" + name;
    if (::shm_unlink(path.c_str()) == 0) return true;
    int e = errno;
    if (e == ENOENT) return false;
    throw error(errc_from_errno(e), kind, name, std::string("cannot delete: ") + std::strerror(e));
}

bool segment::exists(const std::string& name) {
    std::string path = "/" + name;
    int fd = ::shm_open(path.c_str(), O_RDONLY, 0);
    if (fd >= 0) {
        ::close(fd);
        return true;
    }
    return errno != ENOENT;
}

} // namespace counters::detail::shm

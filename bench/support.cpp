// SPDX-License-Identifier: MIT
// Helpers shared by the benchmark program and bench_fill_channels.
#include "support.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <stdexcept>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace bench {

void strip_name_index(const std::string& name) {
    const std::string path = "/" + name;
    const int fd = ::shm_open(path.c_str(), O_RDWR, 0);
    if (fd < 0) throw std::runtime_error("strip_name_index: cannot open " + name);
    void* p = ::mmap(nullptr, 256, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    ::close(fd);
    if (p == MAP_FAILED) throw std::runtime_error("strip_name_index: cannot map " + name);
    auto* h = static_cast<unsigned char*>(p);
    const std::uint16_t minor = 0;
    const std::uint64_t index_offset = 0;
    const std::uint32_t buckets = 0;
    std::memcpy(h + 10, &minor, sizeof minor);
    std::memcpy(h + 120, &index_offset, sizeof index_offset);
    std::memcpy(h + 128, &buckets, sizeof buckets);
    ::munmap(p, 256);
}

namespace {

// Fixed storage so that the signal handler touches no allocator.
constexpr std::size_t max_entries = 1024;
constexpr std::size_t max_path = 256;
struct entry {
    char path[max_path];
    enum kind_t : unsigned char { shm, file, dir } kind;
};
entry g_entries[max_entries];
std::atomic<std::size_t> g_count{0};
pid_t g_owner = 0;
bool g_installed = false;

void add_entry(const std::string& path, entry::kind_t kind) {
    if (path.size() >= max_path) throw std::runtime_error("bench: name too long: " + path);
    std::size_t i = 0; // reuse the entry of a name already removed
    const std::size_t n = g_count.load();
    while (i < n && g_entries[i].path[0] != '\0') ++i;
    if (i >= max_entries) throw std::runtime_error("bench: too many names to clean up");
    if (i < n) {
        g_entries[i].kind = kind;
        std::memcpy(g_entries[i].path, path.c_str(), path.size() + 1);
        return;
    }
    std::memcpy(g_entries[i].path, path.c_str(), path.size() + 1);
    g_entries[i].kind = kind;
    g_count.store(i + 1);
}

void on_signal(int sig) {
    if (::getpid() == g_owner) cleanup_now();
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

} // namespace

void cleanup_now() noexcept {
    if (g_owner != 0 && ::getpid() != g_owner) return; // forked children leave it to the parent
    // Newest first, so that files go before their directory.
    for (std::size_t i = g_count.load(); i-- > 0;) {
        entry& e = g_entries[i];
        if (e.path[0] == '\0') continue;
        switch (e.kind) {
        case entry::shm: ::shm_unlink(e.path); break;
        case entry::file: ::unlink(e.path); break;
        case entry::dir: ::rmdir(e.path); break;
        }
        e.path[0] = '\0';
    }
}

void install_cleanup() {
    if (g_installed) return;
    g_installed = true;
    g_owner = ::getpid();
    std::atexit([] { cleanup_now(); });
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
    ::sigaction(SIGHUP, &sa, nullptr);
}

std::string unique_section(const std::string& tag) {
    static unsigned serial = 0;
    std::string name = fmt::format("cbench-{}-{}-{}", ::getpid(), serial++, tag);
    add_entry("/" + name, entry::shm);
    return name;
}

void delete_section(const std::string& name) noexcept {
    try {
        if (counters::section_exists(name)) counters::delete_section(name);
    } catch (...) {
        ::shm_unlink(("/" + name).c_str());
    }
    const std::string path = "/" + name;
    for (std::size_t i = 0; i < g_count.load(); ++i)
        if (path == g_entries[i].path) g_entries[i].path[0] = '\0';
}

void remove_at_exit(const std::string& path, bool dir) { add_entry(path, dir ? entry::dir : entry::file); }

const std::string& temp_dir() {
    static const std::string dir = [] {
        const char* base = std::getenv("TMPDIR");
        std::string tmpl = fmt::format("{}/cbench-XXXXXX", base && *base ? base : "/tmp");
        if (::mkdtemp(tmpl.data()) == nullptr)
            throw std::runtime_error("bench: cannot create a temporary directory: " +
                                     std::string(std::strerror(errno)));
        remove_at_exit(tmpl, true);
        return tmpl;
    }();
    return dir;
}

std::int64_t now_ns() noexcept {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

plain_mapping::plain_mapping(const std::string& tag, std::size_t size) : size_(size) {
    name_ = "/" + unique_section(tag); // registered for removal by unique_section
    const int fd = ::shm_open(name_.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0) throw std::runtime_error("bench: shm_open " + name_ + ": " + std::strerror(errno));
    if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
        const int e = errno;
        ::close(fd);
        throw std::runtime_error("bench: ftruncate " + name_ + ": " + std::strerror(e));
    }
    data_ = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    ::close(fd);
    if (data_ == MAP_FAILED) {
        data_ = nullptr;
        throw std::runtime_error("bench: mmap " + name_ + ": " + std::strerror(errno));
    }
    std::memset(data_, 0, size); // touch every page now, not inside a timed loop
}

plain_mapping::~plain_mapping() {
    if (data_ != nullptr) ::munmap(data_, size_);
    ::shm_unlink(name_.c_str());
}

std::string fill_name(std::uint32_t i) { return fmt::format("ch{:05}", i); }

void fill_section(counters::section& s, std::uint32_t n, unsigned events) {
    if (n == 0) return;
    const counters::channel from = s.get(fill_name(0)); // exactly n channels in all
    for (std::uint32_t i = 0; i < n; ++i) {
        const counters::channel to = s.get(fill_name(i));
        for (unsigned k = 0; k < events; ++k) {
            counters::enqueued(from, to, 1 + k % 3, 1000 + 4000 * k);
            if (k % 2 == 0) counters::dequeued(to, 1 + k % 3, 1000 + 4000 * k, 5 + k, k == 0);
        }
    }
}

} // namespace bench

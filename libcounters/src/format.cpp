// Section image validation and process helpers.
#include "format.hpp"

#include <counters/error.hpp>
#include <counters/options.hpp>
#include <counters/version.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <pthread.h>
#include <random>
#include <signal.h>
#include <unistd.h>

namespace counters::detail {

namespace {
[[noreturn]] void corrupt(const std::string& name, const std::string& what) {
    throw error(errc::corrupt, name, "corrupt section: " + what);
}
} // namespace

const header& check_header(const void* data, std::size_t size, const std::string& name) {
    if (data == nullptr || size == 0) throw error(errc::not_ready, name, "section is empty (not initialised)");
    if (reinterpret_cast<std::uintptr_t>(data) % alignof(header) != 0)
        throw error(errc::invalid_argument, name, "section image is not aligned");
    if (size >= sizeof(header)) {
        // A creator fills the header in before it publishes the state word (release): until
        // then the other fields are meaningless, so look at the state word first.
        const auto& hh = *static_cast<const header*>(data);
        if (hh.state.load(std::memory_order_acquire) == state_initialising &&
            magic_in_progress(hh.magic, section_magic, sizeof section_magic))
            throw error(errc::not_ready, name,
                        "section is not ready (still being created, or its creator died)");
    }
    if (size < sizeof(section_magic) || std::memcmp(data, section_magic, sizeof section_magic) != 0) {
        if (size >= sizeof(header)) throw error(errc::foreign, name, "bad magic (not a counters section)");
        throw error(errc::corrupt, name, "truncated section (" + std::to_string(size) + " bytes)");
    }
    if (size < sizeof(header))
        corrupt(name, "truncated header (" + std::to_string(size) + " bytes)");
    const auto& h = *static_cast<const header*>(data);
    if (h.major != format_major)
        throw error(errc::version, name,
                    "unsupported format version " + std::to_string(h.major) + "." +
                        std::to_string(h.minor) + " (this program reads " +
                        std::to_string(format_major) + ".x)");
    if (h.header_size < sizeof(header) || h.header_size % 64 != 0)
        corrupt(name, "bad header size " + std::to_string(h.header_size));
    if (h.slot_size < sizeof(channel_slot) || h.slot_size % 64 != 0)
        corrupt(name, "bad slot size " + std::to_string(h.slot_size));
    if (h.name_size != name_field) corrupt(name, "bad name size " + std::to_string(h.name_size));
    if (h.counter_count != counter_count) corrupt(name, "bad counter count " + std::to_string(h.counter_count));
    if (h.block_size == 0 || h.block_size > max_block_size)
        corrupt(name, "bad block size " + std::to_string(h.block_size));
    if (h.max_channels == 0 || h.max_channels > max_max_channels)
        corrupt(name, "bad channel table size " + std::to_string(h.max_channels));
    if (h.process_slots > 65536) corrupt(name, "bad process slot count " + std::to_string(h.process_slots));
    if (h.process_slot_size < sizeof(process_slot) || h.process_slot_size % 64 != 0)
        corrupt(name, "bad process slot size " + std::to_string(h.process_slot_size));
    // All quantities are bounded above, so these products cannot overflow 64 bits.
    const std::uint64_t chan_end = h.channels_offset + std::uint64_t{h.max_channels} * h.slot_size;
    const std::uint64_t proc_end =
        h.processes_offset + std::uint64_t{h.process_slots} * h.process_slot_size;
    if (h.channels_offset < h.header_size || h.channels_offset % 64 != 0 ||
        h.channels_offset > size || chan_end > size)
        corrupt(name, "channel table outside the segment");
    if (h.processes_offset < chan_end || h.processes_offset % 64 != 0 || h.processes_offset > size ||
        proc_end > size)
        corrupt(name, "process table outside the segment");
    if (h.total_size > size || h.total_size < proc_end)
        corrupt(name, "recorded size " + std::to_string(h.total_size) + " does not match segment size " +
                          std::to_string(size));
    return h;
}

bool magic_in_progress(const char* field, const char* expected, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i)
        if (field[i] != expected[i] && field[i] != '\0') return false;
    return true;
}

bool slot_name(const channel_slot& s, std::string& out) {
    const void* nul = std::memchr(s.name, '\0', sizeof s.name);
    if (nul == nullptr) return false;
    out.assign(s.name, static_cast<const char*>(nul));
    return !out.empty();
}

std::uint64_t random_id() {
    std::random_device rd;
    return (std::uint64_t{rd()} << 32) ^ rd();
}

std::uint64_t new_claim() noexcept {
    return (std::uint64_t(static_cast<std::uint32_t>(current_pid())) << 32) |
           (static_cast<std::uint64_t>(now_seconds()) & 0xffffffffu);
}

bool claim_is_dead(std::uint64_t c) noexcept {
    if (!process_alive(static_cast<pid_t>(c >> 32), -1)) return true;
    const auto then = static_cast<std::uint32_t>(c & 0xffffffffu);
    const auto now = static_cast<std::uint32_t>(static_cast<std::uint64_t>(now_seconds()) & 0xffffffffu);
    return static_cast<std::int32_t>(now - then) > stale_claim_seconds;
}

std::int64_t now_seconds() noexcept {
    struct timespec ts {};
    ::clock_gettime(CLOCK_REALTIME_COARSE, &ts);
    return static_cast<std::int64_t>(ts.tv_sec);
}

std::int64_t now_millis() noexcept {
    struct timespec ts {};
    ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

namespace {
/// Reads /proc/PID/stat: the state letter (field 3) and the start time (field 22).
bool read_proc_stat(pid_t pid, char& state, std::int64_t& start) noexcept {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
    std::FILE* f = std::fopen(path, "re");
    if (f == nullptr) return false;
    char buf[1024];
    std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    buf[n] = '\0';
    // The command name (field 2) may hold spaces and parentheses: skip to the last ')'.
    char* p = std::strrchr(buf, ')');
    if (p == nullptr || p[1] != ' ' || p[2] == '\0') return false;
    state = p[2];
    ++p;
    for (int field = 3; field < 22; ++field) { // fields after the name start at 3
        p = std::strchr(p + 1, ' ');
        if (p == nullptr) return false;
    }
    char* end = nullptr;
    const long long v = std::strtoll(p + 1, &end, 10);
    if (end == p + 1) return false;
    start = v;
    return true;
}
} // namespace

std::int64_t process_start_ticks(pid_t pid) noexcept {
    char state = 0;
    std::int64_t start = -1;
    return read_proc_stat(pid, state, start) ? start : -1;
}

bool process_alive(pid_t pid, std::int64_t start_ticks) noexcept {
    if (pid <= 0) return false;
    if (::kill(pid, 0) != 0 && errno == ESRCH) return false;
    char state = 0;
    std::int64_t start = -1;
    if (read_proc_stat(pid, state, start)) {
        if (state == 'Z' || state == 'X') return false;           // killed, not yet reaped
        if (start_ticks >= 0 && start != start_ticks) return false; // the pid was reused
    }
    return true;
}

namespace {
std::atomic<pid_t> g_pid{0};
void after_fork_child() { g_pid.store(::getpid(), std::memory_order_relaxed); }
} // namespace

pid_t current_pid() noexcept {
    pid_t p = g_pid.load(std::memory_order_relaxed);
    if (p != 0) return p;
    static const bool registered = [] {
        ::pthread_atfork(nullptr, nullptr, after_fork_child);
        return true;
    }();
    (void)registered;
    p = ::getpid();
    g_pid.store(p, std::memory_order_relaxed);
    return p;
}

} // namespace counters::detail

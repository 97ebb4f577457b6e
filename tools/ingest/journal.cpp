// SPDX-License-Identifier: MIT
// counters-ingest's journal source through libsystemd's sd-journal (see journal.hpp).
#include "journal.hpp"

#include <systemd/sd-journal.h>

#include <cstring>
#include <ctime>
#include <stdexcept>
#include <utility>

namespace counters::ingest {

namespace {

constexpr std::size_t entries_per_poll = 10000;
constexpr std::size_t max_replay_scan = 1000000;

std::string field(sd_journal* j, const char* name) {
    const void* data = nullptr;
    std::size_t length = 0;
    if (sd_journal_get_data(j, name, &data, &length) < 0) return {};
    const std::size_t skip = std::strlen(name) + 1; // "NAME="
    if (length < skip) return {};
    return std::string(static_cast<const char*>(data) + skip, length - skip);
}

std::string cursor_of(sd_journal* j) {
    char* c = nullptr;
    if (sd_journal_get_cursor(j, &c) < 0 || c == nullptr) return {};
    std::string s(c);
    std::free(c); // NOLINT(cppcoreguidelines-no-malloc): sd-journal allocates it with malloc
    return s;
}

// 2026-12-03T05:37:11.123456+01:00 in local time.
std::string timestamp(std::uint64_t usec) {
    const auto secs = static_cast<std::time_t>(usec / 1000000);
    std::tm tm{};
    ::localtime_r(&secs, &tm);
    char base[32];
    std::strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    const long off = tm.tm_gmtoff;
    const long aoff = off < 0 ? -off : off;
    char out[64];
    std::snprintf(out, sizeof out, "%s.%06u%c%02ld:%02ld", base, static_cast<unsigned>(usec % 1000000),
                  off < 0 ? '-' : '+', aoff / 3600, (aoff % 3600) / 60);
    return out;
}

} // namespace

bool identifier_matches(std::string_view identifier, const std::vector<std::string>& prefixes) noexcept {
    for (const auto& p : prefixes) {
        if (identifier.size() < p.size() || identifier.compare(0, p.size(), p) != 0) continue;
        if (identifier.size() == p.size()) return true;
        const char c = identifier[p.size()];
        if (c == '/' || c == '-') return true;
    }
    return false;
}

struct journal_source::impl {
    sd_journal* j = nullptr;
    ~impl() {
        if (j != nullptr) sd_journal_close(j);
    }
    // Moves to the next entry of one of our identifiers; false at the end.
    bool next(const std::vector<std::string>& prefixes) {
        for (;;) {
            const int r = sd_journal_next(j);
            if (r <= 0) return false;
            if (identifier_matches(field(j, "SYSLOG_IDENTIFIER"), prefixes)) return true;
        }
    }
    std::string line() {
        std::uint64_t usec = 0;
        sd_journal_get_realtime_usec(j, &usec);
        std::string pid = field(j, "SYSLOG_PID");
        if (pid.empty()) pid = field(j, "_PID");
        std::string msg = field(j, "MESSAGE");
        for (char& c : msg)
            if (c == '\n' || c == '\r') c = ' ';
        std::string host = field(j, "_HOSTNAME");
        if (host.empty()) host = "localhost";
        std::string out = timestamp(usec) + " " + host + " " + field(j, "SYSLOG_IDENTIFIER");
        if (!pid.empty()) out += "[" + pid + "]";
        out += ": " + msg;
        return out;
    }
};

journal_source::journal_source(std::vector<std::string> prefixes, std::string directory)
    : impl_(std::make_unique<impl>()), prefixes_(std::move(prefixes)), directory_(std::move(directory)) {}

journal_source::~journal_source() = default;

void journal_source::start(const std::string& cursor, start_at where, const std::string& applied) {
    const int r = directory_.empty() ? sd_journal_open(&impl_->j, SD_JOURNAL_LOCAL_ONLY)
                                     : sd_journal_open_directory(&impl_->j, directory_.c_str(), 0);
    if (r < 0)
        throw std::runtime_error("cannot open the journal" + (directory_.empty() ? std::string() : " in " + directory_) +
                                 ": " + std::strerror(-r));
    cursor_ = cursor;
    bool placed = false;
    if (!cursor.empty() && sd_journal_seek_cursor(impl_->j, cursor.c_str()) >= 0 && sd_journal_next(impl_->j) > 0 &&
        sd_journal_test_cursor(impl_->j, cursor.c_str()) > 0) {
        placed = true; // next() continues after the saved entry
    }
    if (!placed) {
        if (!cursor.empty() || where == start_at::beginning) {
            sd_journal_seek_head(impl_->j);
        } else {
            sd_journal_seek_tail(impl_->j);
            sd_journal_previous(impl_->j); // next() gives the entries written from now on
        }
    }
    if (placed && !applied.empty() && applied != cursor) {
        // Count the entries up to the applied one: they are replayed without recording.
        std::size_t n = 0;
        bool found = false;
        while (n < max_replay_scan && impl_->next(prefixes_)) {
            ++n;
            if (sd_journal_test_cursor(impl_->j, applied.c_str()) > 0) {
                found = true;
                break;
            }
        }
        sd_journal_seek_cursor(impl_->j, cursor.c_str());
        sd_journal_next(impl_->j);
        replay_left_ = found ? n : 0;
    }
    fd_ = sd_journal_get_fd(impl_->j);
    if (fd_ < 0) fd_ = -1;
}

std::size_t journal_source::poll(journal_handler& h) {
    if (impl_->j == nullptr) return 0;
    sd_journal_process(impl_->j);
    std::size_t n = 0;
    more_ = false;
    while (impl_->next(prefixes_)) {
        cursor_ = cursor_of(impl_->j);
        const bool replay = replay_left_ > 0;
        if (replay) --replay_left_;
        h.entry(impl_->line(), cursor_, replay);
        if (++n >= entries_per_poll) {
            more_ = true;
            break;
        }
    }
    return n;
}

} // namespace counters::ingest

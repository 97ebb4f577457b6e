// SPDX-License-Identifier: MIT
// counters-ingest's run(): the sources, the interpreter, the state file, the ingest registry
// object, and the loop that ties them (counters-ingest(8) describes what each does).
#include "ingest.hpp"
#include "interpreter.hpp"
#include "journal.hpp"
#include "state.hpp"

#include <counters/registry.hpp>
#include <counters/registry_snapshot.hpp>
#include <counters/section.hpp>
#include <counters_tools/cli.hpp>
#include <counters_tools/text.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace counters::ingest {

namespace {

namespace ct = counters::tools;
constexpr const char* prog = "counters-ingest";
constexpr int wait_ms = 250; // the polling fallback's interval (and the longest wait)

// ingest_counts::skipped's reasons, in the order of the registry's skipped* fields; any other
// reason lands in skippedOther.
constexpr std::array<const char*, 7> reasons = {"unknown",   "too_long",   "invalid_utf8", "binary",
                                                "truncated", "bad_number", "evicted"};
constexpr std::array<const char*, 7> reason_fields = {"skippedUnknown",   "skippedTooLong",   "skippedInvalidUtf8",
                                                      "skippedBinary",    "skippedTruncated", "skippedBadNumber",
                                                      "skippedEvicted"};

enum class kind { file, standard_input, journal };

/// A registry instance name for @p source: its last path component, stdin or journal; only
/// printable ASCII without spaces, at most 32 bytes.
std::string instance_name(const std::string& source) {
    if (source == "-") return "stdin";
    if (source == "journal") return "journal";
    std::string base = source;
    while (base.size() > 1 && base.back() == '/') base.pop_back();
    if (const auto slash = base.rfind('/'); slash != std::string::npos && slash + 1 < base.size())
        base = base.substr(slash + 1);
    std::string out;
    for (const char c : base) {
        const auto u = static_cast<unsigned char>(c);
        out += (u > 0x20 && u < 0x7f) ? c : '_';
    }
    if (out.size() > max_registry_name) out = out.substr(out.size() - max_registry_name);
    return out.empty() ? "file" : out;
}

std::vector<std::string> journal_identifiers(const std::string& format) {
    if (format == "postfix") return {"postfix"};
    if (format == "exim") return {"exim", "exim4"};
    if (format == "sendmail") return {"sendmail", "sm-mta", "sm-msp-queue"};
    return {"postfix", "exim", "exim4", "sendmail", "sm-mta", "sm-msp-queue"};
}

/// One source and its instance of the ingest object.
struct source {
    std::string name; // as given
    kind k = kind::file;
    std::unique_ptr<file_follower> file;
    std::unique_ptr<journal_source> journal;
    line_splitter input{0};
    bool finished = false; // standard input at its end
    std::optional<file_position> replay_to; // file: lines up to here were recorded before a crash
    bool reset_registry = false;            // set the registry's position after the first state write
    std::uint64_t fingerprint_set = 0;      // the value last stored in the fingerprint field
    // The ingest registry object's fields.
    counter_field lines_read, lines_recorded, lines_ignored, skipped_other;
    std::array<counter_field, reasons.size()> skipped;
    gauge_field position, inode, fingerprint;
    time_field last_line_time;
    string_field cursor;
};

class runner final : public line_handler, public journal_handler {
public:
    runner(const options& opt, std::ostream& err)
        : opt_(opt), err_(err), section_(opt.section), registry_(opt.registry),
          interpreter_(section_, parse_log_format(opt.format),
                       opt.channel_map.empty() ? channel_map{} : channel_map::load(opt.channel_map),
                       opt.max_in_flight) {}

    int go(std::ostream& out) {
        ct::install_stop_handlers();
        ct::stop_ends_ok();
        const ct::stop_deferred hold; // a stop signal is noticed in the loop, after a state write
        set_up();
        now_ = std::time(nullptr);
        write_state_now(); // fails early when the state file cannot be written
        for (auto& s : sources_) {
            if (!s->reset_registry) continue;
            current_ = s.get();
            switched(s->file->position());
        }
        current_ = nullptr;
        inotify_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        watch_directories();
        int status = ct::exit_ok;
        for (;;) {
            now_ = std::time(nullptr);
            bool more = false;
            for (auto& s : sources_) {
                current_ = s.get();
                poll_source(*s);
                more = more || source_has_more(*s);
            }
            current_ = nullptr;
            if (ct::stop_requested()) break; // SIGTERM or SIGINT: the state is written below
            if (opt_.once && !more) break;
            if (all_finished()) break;
            const auto t = std::chrono::steady_clock::now();
            if (dirty_ && t - last_write_ >= std::chrono::seconds(1)) try_write_state();
            if (!more) wait();
        }
        // A --once run ends here: record what the grammar holds back (Messaging Server's last
        // message group) before the state is written, so that it is neither lost nor, after a
        // later run resumes from this state, recorded twice. A stopped daemon keeps it in the
        // state instead.
        if (opt_.once && !ct::stop_requested()) interpreter_.flush();
        write_state_now(); // at exit, a failure is the run's failure (status 1)
        if (opt_.once) {
            for (auto& s : sources_) {
                if (s->k != kind::file) continue;
                if (!s->file->is_open()) {
                    ct::report(err_, prog, ct::escape_name(s->name) + ": not read");
                    status = ct::exit_failure;
                }
                if (const auto p = s->file->pending_bytes(); p > 0)
                    ct::report(err_, prog,
                               s->name + ": an incomplete last line (" + std::to_string(p) +
                                   " bytes) is left for the next run");
            }
        }
        if (opt_.stats) print_stats(out);
        out.flush();
        if (inotify_ >= 0) ::close(inotify_);
        return status; // after a stop signal, stop_deferred's end exits 0 at once
    }

    // ---- line_handler (files) ----
    void line(std::string_view text, bool truncated, const file_position& next) override {
        source& s = *current_;
        bool record = true;
        if (s.replay_to) {
            // The same file: device, inode and fingerprint (a file that reuses the inode of a
            // rotated and compressed one is another file).
            if (same_file(*s.replay_to, next) && next.offset <= s.replay_to->offset)
                record = false;
            if (record || next.offset == s.replay_to->offset) s.replay_to.reset();
        }
        interpreter_.line(text, record, truncated);
        if (!record) {
            rebase();
            dirty_ = true;
            return; // the registry still holds the applied position
        }
        publish(s);
        if (next.fingerprint != s.fingerprint_set) {
            s.fingerprint.set(static_cast<std::int64_t>(next.fingerprint));
            s.fingerprint_set = next.fingerprint;
        }
        s.position.set(static_cast<std::int64_t>(next.offset));
        dirty_ = true;
    }

    void switched(const file_position& now) override {
        source& s = *current_;
        if (s.replay_to && !same_file(*s.replay_to, now)) s.replay_to.reset();
        if (s.replay_to) return; // replaying the saved file: the registry keeps its position
        // The state file first: a kill between the two leaves a registry entry that does not
        // match the state's file, which a restart ignores.
        try_write_state();
        s.position.set(-1);
        s.inode.set(static_cast<std::int64_t>(now.inode));
        s.fingerprint.set(static_cast<std::int64_t>(now.fingerprint));
        s.fingerprint_set = now.fingerprint;
        s.position.set(static_cast<std::int64_t>(now.offset));
    }

    // ---- journal_handler ----
    void entry(std::string_view text, const std::string& cursor, bool replay) override {
        source& s = *current_;
        interpreter_.line(text, !replay, false);
        dirty_ = true;
        if (replay) {
            rebase();
            return;
        }
        publish(s);
        s.cursor.set(cursor);
    }

private:
    static bool same_file(const file_position& a, const file_position& b) noexcept {
        return a.device == b.device && a.inode == b.inode && a.fingerprint == b.fingerprint;
    }

    void publish(source& s) {
        const ingest_counts& c = interpreter_.counts();
        s.lines_read.add(static_cast<std::int64_t>(c.lines - baseline_.lines));
        if (c.recorded != baseline_.recorded) s.lines_recorded.add(static_cast<std::int64_t>(c.recorded - baseline_.recorded));
        if (c.ignored != baseline_.ignored) s.lines_ignored.add(static_cast<std::int64_t>(c.ignored - baseline_.ignored));
        // The reasons that grew: the interpreter's map nodes are watched through pointers (a
        // std::map never moves its nodes), rebuilt only when a reason appears.
        if (c.skipped.size() != watched_.size()) watch_reasons(c);
        for (auto& w : watched_) {
            if (*w.value == w.seen) continue;
            (w.known ? s.skipped[w.index] : s.skipped_other).add(static_cast<std::int64_t>(*w.value - w.seen));
            w.seen = *w.value;
        }
        s.last_line_time.set(now_);
        baseline_.lines = c.lines;
        baseline_.recorded = c.recorded;
        baseline_.ignored = c.ignored;
    }

    /// Everything counted so far counts as published (lines replayed after a restart).
    void rebase() {
        const ingest_counts& c = interpreter_.counts();
        baseline_.lines = c.lines;
        baseline_.recorded = c.recorded;
        baseline_.ignored = c.ignored;
        if (c.skipped.size() != watched_.size()) {
            watched_.clear();
            watch_reasons(c);
        }
        for (auto& w : watched_) w.seen = *w.value;
    }

    /// Watches every reason of @p c; one not watched yet starts from its current value when
    /// nothing is watched (after rebase()), else from 0 (it appeared with this line).
    void watch_reasons(const ingest_counts& c) {
        const bool fresh = watched_.empty();
        std::vector<watched_reason> now;
        for (const auto& [reason, n] : c.skipped) {
            watched_reason w{&n, fresh ? n : 0, 0, false};
            for (const auto& old : watched_)
                if (old.value == &n) w.seen = old.seen;
            for (std::size_t i = 0; i < reasons.size(); ++i)
                if (reason == reasons[i]) {
                    w.index = i;
                    w.known = true;
                }
            now.push_back(w);
        }
        watched_ = std::move(now);
    }

    void set_up() {
        counter_object obj = registry_.object("ingest");
        std::set<std::string> names;
        const std::optional<ingest_state> saved = read_state(opt_.state_file);
        last_state_ = saved;
        std::optional<registry_snapshot> applied_snapshot;
        if (saved && !saved->interpreter.empty()) {
            std::istringstream in(saved->interpreter);
            if (!interpreter_.load(in))
                ct::report(err_, prog,
                           "state file " + opt_.state_file +
                               ": the interpreter state is not valid; in-flight messages start empty");
        }
        const start_at where = opt_.start ? *opt_.start : (opt_.once ? start_at::beginning : start_at::end);
        for (const auto& name : opt_.sources) {
            auto s = std::make_unique<source>();
            s->name = name;
            s->k = name == "-" ? kind::standard_input : name == "journal" ? kind::journal : kind::file;
            const std::string base = instance_name(name);
            std::string inst = base;
            for (int n = 2; names.count(inst) != 0; ++n) {
                const std::string suffix = "-" + std::to_string(n);
                inst = base.substr(0, std::min(base.size(), max_registry_name - suffix.size()));
                inst += suffix;
            }
            names.insert(inst);
            const counter_instance ci = obj.instance(inst);
            s->lines_read = ci.counter("linesRead");
            s->lines_recorded = ci.counter("linesRecorded");
            s->lines_ignored = ci.counter("linesIgnored");
            s->skipped_other = ci.counter("skippedOther");
            for (std::size_t i = 0; i < reasons.size(); ++i) s->skipped[i] = ci.counter(reason_fields[i]);
            s->position = ci.gauge("position");
            s->inode = ci.gauge("inode");
            s->fingerprint = ci.gauge("fingerprint");
            s->last_line_time = ci.time("lastLineTime");
            s->cursor = ci.string("cursor");
            const source_state* entry = saved ? saved->find(name) : nullptr;
            current_ = s.get();
            if (s->k == kind::file) {
                s->file = std::make_unique<file_follower>(
                    name, [this](const std::string& m) { ct::report(err_, prog, ct::escape_name(m)); });
                const std::optional<file_position> from =
                    entry != nullptr && entry->file ? entry->file : std::optional<file_position>{};
                s->file->start(from, where);
                if (s->file->is_open()) {
                    const file_position p = s->file->position();
                    // What the registry says was applied after the state was written: lines
                    // up to there are replayed without recording.
                    const std::int64_t applied = s->position.get();
                    if (from && p.device == from->device && p.inode == from->inode && p.offset == from->offset &&
                        applied > static_cast<std::int64_t>(p.offset) &&
                        static_cast<std::uint64_t>(s->inode.get()) == p.inode &&
                        static_cast<std::uint64_t>(s->fingerprint.get()) == p.fingerprint && p.fingerprint != 0) {
                        s->replay_to = file_position{p.device, p.inode, static_cast<std::uint64_t>(applied), p.fingerprint};
                    } else {
                        s->reset_registry = true;
                    }
                }
            } else if (s->k == kind::journal) {
                const char* dir = std::getenv("COUNTERS_INGEST_JOURNAL_DIRECTORY");
                s->journal = std::make_unique<journal_source>(journal_identifiers(opt_.format),
                                                              dir != nullptr ? std::string(dir) : std::string());
                if (!applied_snapshot) applied_snapshot = read_registry(opt_.registry);
                std::string applied;
                if (const object_values* o = applied_snapshot->find("ingest"))
                    if (const instance_values* i = o->find(inst))
                        if (const field_value* f = i->find("cursor")) applied = f->text;
                s->journal->start(entry != nullptr ? entry->cursor : std::string(), where, applied);
            } else {
                ::fcntl(STDIN_FILENO, F_SETFL, ::fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
            }
            sources_.push_back(std::move(s));
        }
        current_ = nullptr;
        rebase();
    }

    void poll_source(source& s) {
        switch (s.k) {
        case kind::file: s.file->poll(*this, opt_.once); break;
        case kind::journal: s.journal->poll(*this); break;
        case kind::standard_input: read_input(s); break;
        }
    }

    static bool source_has_more(const source& s) {
        switch (s.k) {
        case kind::file: return s.file->more();
        case kind::journal: return s.journal->more();
        case kind::standard_input: return false;
        }
        return false;
    }

    bool all_finished() const {
        for (const auto& s : sources_)
            if (s->k != kind::standard_input || !s->finished) return false;
        return true;
    }

    void read_input(source& s) {
        if (s.finished) return;
        std::vector<char> buf(65536);
        auto emit = [&](std::string_view text, bool truncated, std::uint64_t next) {
            interpreter_.line(text, true, truncated);
            publish(s);
            s.position.set(static_cast<std::int64_t>(next));
        };
        for (;;) {
            const ssize_t n = ::read(STDIN_FILENO, buf.data(), buf.size());
            if (n < 0) {
                if (errno == EINTR && !ct::stop_requested()) continue;
                if (errno == EAGAIN || errno == EINTR) return;
                ct::report(err_, prog, std::string("cannot read standard input: ") + std::strerror(errno));
                s.finished = true;
                return;
            }
            if (n == 0) {
                s.input.flush_partial(emit); // the stream ends: its last line never will
                s.finished = true;
                return;
            }
            s.input.feed(std::string_view(buf.data(), static_cast<std::size_t>(n)), emit);
        }
    }

    void watch_directories() {
        if (inotify_ < 0) return;
        for (const auto& s : sources_) {
            if (s->k != kind::file) continue;
            const auto slash = s->name.rfind('/');
            const std::string dir =
                slash == std::string::npos ? "." : (slash == 0 ? "/" : s->name.substr(0, slash));
            ::inotify_add_watch(inotify_, dir.c_str(),
                                IN_MODIFY | IN_CREATE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE | IN_ATTRIB |
                                    IN_CLOSE_WRITE | IN_ONLYDIR);
        }
    }

    void wait() {
        std::vector<pollfd> fds;
        if (inotify_ >= 0) fds.push_back({inotify_, POLLIN, 0});
        for (const auto& s : sources_) {
            if (s->k == kind::journal && s->journal->fd() >= 0) fds.push_back({s->journal->fd(), POLLIN, 0});
            if (s->k == kind::standard_input && !s->finished) fds.push_back({STDIN_FILENO, POLLIN, 0});
        }
        ::poll(fds.data(), fds.size(), wait_ms);
        if (inotify_ >= 0) {
            alignas(inotify_event) char drain[4096];
            while (::read(inotify_, drain, sizeof drain) > 0) {
            }
        }
    }

    void write_state_now() {
        ingest_state st;
        for (const auto& s : sources_) {
            if (s->k == kind::file) {
                source_state e;
                e.source = s->name;
                // Replaying: the state keeps the position reached (lines up to it are in the
                // interpreter's state), which is before the registry's.
                if (s->file->is_open()) {
                    e.file = s->file->position();
                    st.sources.push_back(std::move(e));
                } else if (const auto* old = saved_entry(s->name)) {
                    st.sources.push_back(*old);
                }
            } else if (s->k == kind::journal) {
                source_state e;
                e.source = s->name;
                e.cursor = s->journal->cursor();
                st.sources.push_back(std::move(e));
            }
        }
        std::ostringstream text;
        interpreter_.save(text);
        st.interpreter = text.str();
        write_state(opt_.state_file, st);
        last_state_ = std::move(st);
        dirty_ = false;
        last_write_ = std::chrono::steady_clock::now();
    }

    /// write_state_now() while following: a failure (a full disk) is reported once per
    /// cause and retried at the next chance; recording goes on.
    void try_write_state() {
        try {
            write_state_now();
            if (!state_error_.empty()) {
                state_error_.clear();
                ct::report(err_, prog, "state file " + ct::escape_name(opt_.state_file) + ": written again");
            }
        } catch (const std::runtime_error& e) {
            if (state_error_ != e.what()) {
                state_error_ = e.what();
                ct::report(err_, prog, ct::escape_name(state_error_) + " (retrying every second)");
            }
            last_write_ = std::chrono::steady_clock::now();
        }
    }

    const source_state* saved_entry(const std::string& name) const {
        return last_state_ ? last_state_->find(name) : nullptr;
    }

    void print_stats(std::ostream& out) const {
        const ingest_counts& c = interpreter_.counts();
        out << "lines read: " << c.lines << "\n"
            << "lines recorded: " << c.recorded << "\n"
            << "lines ignored: " << c.ignored << "\n";
        for (const auto& [reason, n] : c.skipped) out << "skipped " << reason << ": " << n << "\n";
    }

    const options& opt_;
    std::ostream& err_;
    counters::section section_;
    counters::registry registry_;
    interpreter interpreter_;
    std::vector<std::unique_ptr<source>> sources_;
    source* current_ = nullptr;
    ingest_counts baseline_; // the counts already published (lines, recorded, ignored; skipped: watched_)
    struct watched_reason {
        const std::uint64_t* value; // in interpreter_.counts().skipped
        std::uint64_t seen;         // published
        std::size_t index;          // in reasons, when known
        bool known;
    };
    std::vector<watched_reason> watched_;
    std::optional<ingest_state> last_state_;
    std::int64_t now_ = 0;
    bool dirty_ = false;
    std::chrono::steady_clock::time_point last_write_{};
    int inotify_ = -1;
    std::string state_error_; // the last failure to write the state file ("" none)
};

} // namespace

int run(const options& opt, std::ostream& out, std::ostream& err) {
    runner r(opt, err);
    return r.go(out);
}

} // namespace counters::ingest

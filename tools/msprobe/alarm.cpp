// SPDX-License-Identifier: MIT
// msprobe's alarm_keeper: the `alarm` registry instances, the threshold state machine, and the
// queue of notices (a spool file, so that no notice is lost to a mail server that is down, a
// --once run that ends, or a restart). msprobe(8), ALARMS, says what each field means.
#include "alarm_side.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <ctime>
#include <istream>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace counters::msprobe {

namespace {

// One queued notice. Spool file: the line "msprobe-notices 1", then per notice the line
// "notice KIND INSTANCE QUEUED LENGTH" (KIND alarm or normal, INSTANCE the `alarm` registry
// instance, QUEUED the epoch second it was queued, LENGTH the message's bytes), the message,
// and a newline.
struct queued {
    notice_kind kind = notice_kind::alarm;
    std::string instance; // the `alarm` registry instance name
    std::int64_t queued_at = 0;
    std::string message;
};

constexpr const char* spool_magic = "msprobe-notices 1";

// The most notices kept unsent (in the file, or in memory when the file cannot be used):
// beyond it the oldest are dropped, and the log says how many, so that a mail server that
// stays down for weeks while alarms repeat cannot make the file grow without end (it is
// rewritten whole for each notice). 1,000 notices are about half a megabyte.
constexpr std::size_t max_unsent_notices = 1000;

// Drops the oldest notices of @p all beyond max_unsent_notices; returns how many.
std::size_t drop_oldest(std::vector<queued>& all) {
    if (all.size() <= max_unsent_notices) return 0;
    const std::size_t excess = all.size() - max_unsent_notices;
    all.erase(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(excess));
    return excess;
}

std::string dropped_text(std::size_t n) {
    return std::to_string(n) + " oldest unsent alarm notice(s) dropped: at most " +
           std::to_string(max_unsent_notices) + " are kept";
}

std::string errno_text() {
    return std::strerror(errno);
}

struct spool_error {
    std::string what;
};

// A file descriptor closed on scope exit.
class fd_guard {
public:
    explicit fd_guard(int fd) : fd_(fd) {}
    ~fd_guard() {
        if (fd_ >= 0) ::close(fd_);
    }
    fd_guard(const fd_guard&) = delete;
    fd_guard& operator=(const fd_guard&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

std::string dir_of(const std::string& path) {
    const auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

// The spool file, guarded by an flock on its directory (several msprobe processes, a daemon
// and a manual --once, may share it). Each change rewrites the file through a temporary file
// and rename(), so a crash leaves the old or the new queue, never half of one.
class spool {
public:
    explicit spool(std::string path) : path_(std::move(path)), dir_(dir_of(path_)) {}

    const std::string& path() const { return path_; }

    // Locks the directory; @p create makes a missing /var/lib/msprobe (only the last
    // component). Returns -1 (no lock) when the directory does not exist and !create.
    int lock(bool create) const {
        int fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT && create) {
            if (::mkdir(dir_.c_str(), 0750) != 0 && errno != EEXIST) {
                throw spool_error{"cannot create " + dir_ + ": " + errno_text()};
            }
            fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        }
        if (fd < 0) {
            if (errno == ENOENT && !create) return -1;
            throw spool_error{"cannot open " + dir_ + ": " + errno_text()};
        }
        while (::flock(fd, LOCK_EX) != 0) {
            if (errno != EINTR) {
                const std::string why = errno_text();
                ::close(fd);
                throw spool_error{std::string("cannot lock ").append(dir_).append(": ").append(why)};
            }
        }
        return fd;
    }

    // Parses a spool file's text; false when it is damaged.
    static bool parse(std::istream& in, std::vector<queued>& out) {
        std::string line;
        if (!std::getline(in, line) || line != spool_magic) return false;
        while (std::getline(in, line)) {
            std::istringstream head(line);
            std::string word, kind, rest;
            queued q;
            std::size_t length = 0;
            if (!(head >> word >> kind >> q.instance >> q.queued_at >> length) || word != "notice" ||
                (kind != "alarm" && kind != "normal") || length > (1U << 20U) || (head >> rest)) {
                return false;
            }
            q.kind = kind == "alarm" ? notice_kind::alarm : notice_kind::normal;
            q.message.resize(length);
            if (!in.read(q.message.data(), static_cast<std::streamsize>(length)) || in.get() != '\n') return false;
            out.push_back(std::move(q));
        }
        return true;
    }

    // The queued notices; a file that cannot be parsed is moved aside (PATH.corrupt-EPOCH,
    // kept for the operator) and reported through @p aside.
    std::vector<queued> load(std::string& aside) const {
        std::vector<queued> out;
        std::ifstream in(path_, std::ios::binary);
        if (!in) {
            if (errno == ENOENT) return out;
            throw spool_error{"cannot read " + path_ + ": " + errno_text()};
        }
        if (!parse(in, out)) {
            aside = path_ + ".corrupt-" + std::to_string(::time(nullptr));
            if (::rename(path_.c_str(), aside.c_str()) != 0) {
                throw spool_error{path_ + " is damaged and cannot be moved aside: " + errno_text()};
            }
            out.clear();
        }
        return out;
    }

    // How many notices the file holds (no lock needed: the file is replaced by rename(),
    // never rewritten in place); 0 when missing or damaged.
    std::size_t count() const {
        std::vector<queued> out;
        std::ifstream in(path_, std::ios::binary);
        if (!in || !parse(in, out)) return 0;
        return out.size();
    }

    // Writes @p all (removes the file when empty).
    void store(const std::vector<queued>& all) const {
        if (all.empty()) {
            if (::unlink(path_.c_str()) != 0 && errno != ENOENT) {
                throw spool_error{"cannot remove " + path_ + ": " + errno_text()};
            }
            return;
        }
        std::string text = std::string(spool_magic) + "\n";
        for (const queued& q : all) {
            text += std::string("notice ") + (q.kind == notice_kind::alarm ? "alarm " : "normal ") + q.instance +
                    " " + std::to_string(q.queued_at) + " " + std::to_string(q.message.size()) + "\n";
            text += q.message;
            text += "\n";
        }
        const std::string tmp = path_ + ".tmp" + std::to_string(::getpid());
        {
            const fd_guard fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
            if (fd.get() < 0) throw spool_error{"cannot create " + tmp + ": " + errno_text()};
            std::size_t done = 0;
            while (done < text.size()) {
                const ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
                if (n < 0 && errno == EINTR) continue;
                if (n <= 0) {
                    const std::string why = errno_text();
                    ::unlink(tmp.c_str());
                    throw spool_error{std::string("cannot write ").append(tmp).append(": ").append(why)};
                }
                done += static_cast<std::size_t>(n);
            }
            if (::fsync(fd.get()) != 0) {
                const std::string why = errno_text();
                ::unlink(tmp.c_str());
                throw spool_error{std::string("cannot write ").append(tmp).append(": ").append(why)};
            }
        }
        if (::rename(tmp.c_str(), path_.c_str()) != 0) {
            const std::string why = errno_text();
            ::unlink(tmp.c_str());
            throw spool_error{std::string("cannot rename ").append(tmp).append(" to ").append(path_).append(": ").append(why)};
        }
        const fd_guard dir(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (dir.get() >= 0) ::fsync(dir.get());
    }

private:
    std::string path_;
    std::string dir_;
};

// The fields of one `alarm` instance, read from the registry at each measurement (so that an
// operator's reset and an earlier --once run count) and mirrored in memory for an instance the
// registry could not hold (table full): its notices still go out.
struct alarm_slot {
    bool bound = false;
    bool bind_failure_logged = false; // said once, not every round
    counter_field count_over, count_sent;
    gauge_field current, high, low, state;
    time_field last_set, last_warning, reset, state_changed;
    // The mirror (the values when not bound).
    std::int64_t m_count_over = 0, m_current = 0, m_high = 0, m_low = 0, m_state = 0;
    std::int64_t m_last_set = 0, m_last_warning = 0, m_reset = 0, m_state_changed = 0;

    void bind(const counter_instance& inst) {
        count_over = inst.counter("countOverThreshold");
        count_sent = inst.counter("countWarningSent");
        current = inst.gauge("current");
        high = inst.gauge("high");
        low = inst.gauge("low");
        state = inst.gauge("warningState");
        last_set = inst.time("timeLastSet");
        last_warning = inst.time("timeLastWarning");
        reset = inst.time("timeReset");
        state_changed = inst.time("timeStateChanged");
        bound = true;
    }
    void load() {
        if (!bound) return;
        m_count_over = count_over.get();
        m_current = current.get();
        m_high = high.get();
        m_low = low.get();
        m_state = state.get();
        m_last_set = last_set.get();
        m_last_warning = last_warning.get();
        m_reset = reset.get();
        m_state_changed = state_changed.get();
    }
};

std::string host_name() {
    std::array<char, 256> buf{};
    if (::gethostname(buf.data(), buf.size() - 1) != 0 || buf[0] == '\0') return "localhost";
    return buf.data();
}

} // namespace

struct alarm_keeper::impl {
    registry reg;
    counter_object object;
    config cfg;
    log_fn log;
    spool file;
    std::map<std::string, alarm_slot> slots;
    std::vector<queued> memory; // notices the spool file could not take
    std::string host = host_name();
    std::uint64_t sequence = 0;

    impl(registry& r, const config& c, log_fn l)
        : reg(r), object(reg.object("alarm")), cfg(c), log(std::move(l)),
          file(notice_spool_path(c, reg.name())) {}

    void say(log_level level, const std::string& line) const {
        if (log) log(level, line);
    }

    alarm_slot& slot(const std::string& name) {
        auto it = slots.find(name);
        if (it != slots.end()) {
            if (!it->second.bound) try_bind(name, it->second);
            return it->second;
        }
        alarm_slot& s = slots[name];
        try_bind(name, s);
        return s;
    }

    void try_bind(const std::string& name, alarm_slot& s) {
        try {
            s.bind(object.instance(name));
        } catch (const std::exception& e) {
            if (!s.bind_failure_logged) {
                say(log_level::error, "alarm " + name + ": cannot record it in the registry (" + e.what() +
                                          "); its state is kept in memory only");
                s.bind_failure_logged = true;
            }
        }
    }

    void queue(queued q) {
        try {
            const fd_guard lock(file.lock(true));
            std::string aside;
            std::vector<queued> all = file.load(aside);
            if (!aside.empty()) say(log_level::error, file.path() + " was damaged: moved to " + aside);
            all.push_back(q);
            const std::size_t dropped = drop_oldest(all);
            file.store(all);
            if (dropped > 0) say(log_level::error, dropped_text(dropped));
        } catch (const spool_error& e) {
            say(log_level::error, "alarm notice kept in memory only (" + e.what +
                                      "): it is lost if msprobe exits before it is sent");
            memory.push_back(std::move(q));
            if (const std::size_t dropped = drop_oldest(memory); dropped > 0)
                say(log_level::error, dropped_text(dropped));
        }
    }

    void add_sent(const queued& q) {
        if (q.kind != notice_kind::alarm) return;
        alarm_slot& s = slot(q.instance);
        if (s.bound) s.count_sent.add();
    }
};

alarm_keeper::alarm_keeper(registry& reg, const config& cfg, log_fn log)
    : impl_(std::make_unique<impl>(reg, cfg, std::move(log))) {
    const std::size_t waiting = pending();
    if (waiting > 0) {
        impl_->say(log_level::info, std::to_string(waiting) + " alarm notice(s) not yet sent are waiting in " +
                                        impl_->file.path() + ": sent with the next round");
    }
}

alarm_keeper::~alarm_keeper() {
    // Notices the spool file could not take: one last try, else say plainly they are lost.
    try {
        impl& d = *impl_;
        if (d.memory.empty()) return;
        const std::size_t n = d.memory.size();
        std::string why;
        try {
            const fd_guard lock(d.file.lock(true));
            std::string aside;
            std::vector<queued> all = d.file.load(aside);
            for (queued& q : d.memory) all.push_back(std::move(q));
            const std::size_t dropped = drop_oldest(all);
            d.file.store(all);
            if (dropped > 0) d.say(log_level::error, dropped_text(dropped));
            return;
        } catch (const spool_error& e) {
            why = e.what;
        }
        d.say(log_level::error, std::to_string(n) + " alarm notice(s) lost: " + why);
    } catch (...) {
        // A destructor must not throw; nothing more can be done.
    }
}

void alarm_keeper::reconfigure(const config& cfg) {
    const std::string path = notice_spool_path(cfg, impl_->reg.name());
    if (path != impl_->file.path()) {
        impl_->say(log_level::warning, "the file of unsent alarm notices stays " + impl_->file.path() +
                                           " until msprobe restarts (the configuration now names " + path + ")");
    }
    impl_->cfg = cfg;
}

void alarm_keeper::record(const measurement& m) {
    impl& d = *impl_;
    const alarm_settings& set = m.id == alarm_id::diskavail ? d.cfg.diskavail : d.cfg.serverresponse;
    const std::string name = alarm_instance_name(m.id, m.instance);
    alarm_slot& s = d.slot(name);
    s.load();

    const std::int64_t v = alarm_value(m.value);
    if (s.m_reset == 0) {
        // A new instance, or an operator reset timeReset: the high/low window starts here.
        s.m_reset = m.when;
        s.m_high = v;
        s.m_low = v;
    } else {
        if (v > s.m_high) s.m_high = v;
        if (v < s.m_low) s.m_low = v;
    }
    s.m_current = v;
    s.m_last_set = m.when;

    const bool over = over_threshold(m.id, set, m.value);
    if (over) ++s.m_count_over;

    std::optional<notice_kind> send;
    if (over && s.m_state == 0) {
        s.m_state = 1;
        s.m_state_changed = m.when;
        s.m_last_warning = m.when;
        send = notice_kind::alarm;
    } else if (over) {
        const std::int64_t interval = set.warninginterval * 3600;
        const std::int64_t since = m.when - s.m_last_warning;
        // A clock stepped back (since < 0) counts as the interval passed: one repeat, then
        // the interval runs from the new time.
        if (set.warninginterval > 0 && (since >= interval || since < 0)) {
            s.m_last_warning = m.when;
            send = notice_kind::alarm;
        }
    } else if (s.m_state != 0) {
        s.m_state = 0;
        s.m_state_changed = m.when;
        send = notice_kind::normal;
    }

    if (s.bound) {
        s.reset.set(s.m_reset);
        s.high.set(s.m_high);
        s.low.set(s.m_low);
        s.current.set(s.m_current);
        s.last_set.set(s.m_last_set);
        if (over) s.count_over.add();
        s.state.set(s.m_state);
        s.state_changed.set(s.m_state_changed);
        s.last_warning.set(s.m_last_warning);
    }
    if (!send) return;

    notice n;
    n.kind = *send;
    n.id = m.id;
    n.instance = m.instance;
    n.description = set.description;
    n.server_instance = d.cfg.server_instance.empty() ? d.host : d.cfg.server_instance;
    n.from = d.cfg.notice.sender;
    n.to = d.cfg.notice.rcpt;
    n.message_id = "<msprobe." + std::to_string(m.when) + "." + std::to_string(::getpid()) + "." +
                   std::to_string(d.sequence++) + "@" + d.host + ">";
    n.when = m.when;
    n.current = s.m_current;
    n.low = s.m_low;
    n.high = s.m_high;
    n.statinterval = set.statinterval;
    n.threshold = set.threshold;
    n.dir = set.dir;
    n.count_over = s.m_count_over;

    const std::string what = std::string(to_string(m.id)) + " of " + m.instance + " is " + std::to_string(v);
    d.say(*send == notice_kind::alarm ? log_level::warning : log_level::info,
          *send == notice_kind::alarm ? "alarm: " + what + ", " + (set.dir == direction::above ? "over" : "under") +
                                            " the threshold: notice queued"
                                      : "alarm over: " + what + ", back to normal: notice queued");
    d.queue(queued{*send, name, m.when, format_notice(n)});
}

std::size_t alarm_keeper::flush(std::int64_t now) {
    impl& d = *impl_;
    std::vector<queued> all;
    int lock_fd = -1;
    try {
        lock_fd = d.file.lock(!d.memory.empty());
        if (lock_fd >= 0) {
            std::string aside;
            all = d.file.load(aside);
            if (!aside.empty()) d.say(log_level::error, d.file.path() + " was damaged: moved to " + aside);
        }
    } catch (const spool_error& e) {
        d.say(log_level::error, "cannot read the unsent alarm notices: " + e.what);
    }
    const fd_guard lock(lock_fd);
    const std::size_t from_file = all.size();
    for (queued& q : d.memory) all.push_back(std::move(q));
    d.memory.clear();
    if (all.empty()) return 0;

    std::vector<outgoing> out;
    out.reserve(all.size());
    for (const queued& q : all) out.push_back(outgoing{d.cfg.notice.sender, d.cfg.notice.rcpt, q.message});
    smtp_options opt;
    opt.host = d.cfg.notice.host;
    opt.port = d.cfg.notice.port;
    opt.helo = d.host;
    opt.timeout = d.cfg.notice.timeout;
    const std::vector<std::string> result = smtp_send(opt, out);

    std::vector<queued> kept;
    std::size_t sent = 0;
    std::string last_error;
    std::int64_t oldest = now;
    for (std::size_t i = 0; i < all.size(); ++i) {
        if (result[i].empty()) {
            ++sent;
            d.add_sent(all[i]);
        } else {
            if (all[i].queued_at < oldest) oldest = all[i].queued_at;
            if (result[i] != last_error) {
                d.say(log_level::error, "alarm notice to " + d.cfg.notice.rcpt + " not sent: " + result[i]);
                last_error = result[i];
            }
            kept.push_back(std::move(all[i]));
        }
    }
    if (sent > 0) {
        d.say(log_level::info, std::to_string(sent) + " alarm notice(s) sent to " + d.cfg.notice.rcpt + " via " +
                                   d.cfg.notice.host + ":" + std::to_string(d.cfg.notice.port));
    }
    if (!kept.empty()) {
        d.say(log_level::warning, std::to_string(kept.size()) + " alarm notice(s) kept for the next round (oldest " +
                                      std::to_string(now - oldest) + " s old)");
    }
    const std::size_t left = kept.size();
    if (left == 0 && from_file == 0 && lock_fd < 0) return 0;
    try {
        const fd_guard relock(lock_fd >= 0 ? -1 : d.file.lock(true));
        d.file.store(kept);
    } catch (const spool_error& e) {
        d.say(log_level::error, "alarm notices kept in memory only (" + e.what +
                                    "): they are lost if msprobe exits before they are sent");
        d.memory = std::move(kept);
    }
    return left;
}

std::size_t alarm_keeper::pending() const noexcept {
    try {
        return impl_->memory.size() + impl_->file.count();
    } catch (...) {
        return impl_->memory.size();
    }
}

} // namespace counters::msprobe

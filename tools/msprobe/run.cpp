// SPDX-License-Identifier: MIT
// msprobe's run loop: each check at its statinterval (or once), SIGHUP reloads, SIGTERM stops.
#include "checks.hpp"
#include "msprobe.hpp"

#include <counters/error.hpp>
#include <counters/registry.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sstream>
#include <stdexcept>
#include <utility>
#include <unistd.h>

namespace counters::msprobe {

namespace {

void write_line(const std::string& line) {
    const char* p = line.data();
    std::size_t left = line.size();
    while (left > 0) {
        const ssize_t n = ::write(2, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        p += n;
        left -= static_cast<std::size_t>(n);
    }
}

/// msprobe's log: one `msprobe: [warning: |error: ]message` line on stderr per call, written
/// at once (journald takes stderr under systemd).
void log_line(log_level level, const std::string& message) {
    std::string line = "msprobe: ";
    if (level == log_level::warning) line += "warning: ";
    if (level == log_level::error) line += "error: ";
    for (char c : message) line += (c == '\n' || c == '\r') ? ' ' : c;
    line += '\n';
    write_line(line);
}

std::string seconds_text(double s) {
    std::ostringstream o;
    o.precision(s < 10 ? 3 : 4);
    o << s;
    return o.str();
}

std::int64_t now_s() { return static_cast<std::int64_t>(std::time(nullptr)); }

/// Puts msprobe in the background: fork (the parent exits 0), a new session, / as the
/// working directory, /dev/null as standard input. The log stays on stderr.
void daemonize() {
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error(std::string("cannot fork: ") + std::strerror(errno));
    if (pid > 0) ::_exit(0);
    ::setsid();
    if (::chdir("/") != 0) {
        // "/" always exists; nothing to do
    }
    const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null >= 0) {
        ::dup2(null, 0);
        ::close(null);
    }
}

/// One daemon: the configuration in use, the recorder, the alarm side and the restarts.
class prober {
public:
    prober(registry& reg, config cfg, const log_fn& log)
        : cfg_(std::move(cfg)), rec_(reg), keeper_(reg, cfg_, log), restarts_(log), log_(log) {
        restarts_.reconfigure(cfg_);
    }

    const config& cfg() const { return cfg_; }

    /// Takes a configuration read after SIGHUP.
    void reconfigure(config cfg) {
        cfg_ = std::move(cfg);
        keeper_.reconfigure(cfg_);
        restarts_.reconfigure(cfg_);
    }

    /// Probes every configured service; returns the number of values recorded.
    std::size_t probe_round() {
        std::size_t recorded = 0;
        for (const auto& p : cfg_.probes) {
            const probe_result r = run_probe(p);
            const std::int64_t now = now_s();
            const std::string inst = p.instance();
            try {
                rec_.probe(p, r, now);
                keeper_.record(measurement{alarm_id::serverresponse, inst, response_seconds(r), now});
                ++recorded;
            } catch (const std::exception& e) {
                log_(log_level::error, inst + ": cannot record: " + e.what());
            }
            report(p, r);
            restarts_.observe(p, r.outcome, now);
        }
        return recorded;
    }

    /// Checks every partition and the queue directory; returns the number recorded.
    std::size_t disk_round() {
        std::size_t recorded = 0;
        for (const auto& t : disk_targets(cfg_)) {
            std::string why;
            const auto u = stat_disk(t.path, why);
            const std::int64_t now = now_s();
            if (!u) {
                log_(log_level::error, "disk " + t.instance + ": cannot stat " + t.path + ": " + why + " (nothing recorded)");
                continue;
            }
            try {
                rec_.disk(t, *u, now);
                keeper_.record(measurement{alarm_id::diskavail, t.path, u->percent_avail, now});
                ++recorded;
            } catch (const std::exception& e) {
                log_(log_level::error, "disk " + t.instance + ": cannot record: " + e.what());
                continue;
            }
            std::ostringstream o;
            o.setf(std::ios::fixed);
            o.precision(1);
            o << "disk " << t.instance << " (" << t.path << "): " << u->percent_avail << " % available ("
              << u->avail_kb << " of " << u->total_kb << " KiB)";
            log_(log_level::info, o.str());
        }
        return recorded;
    }

    /// Mails what the alarm side has queued; reaps ended restart commands.
    void flush() {
        try {
            keeper_.flush(now_s()); // it logs what it could not send
        } catch (const std::exception& e) {
            log_(log_level::error, std::string("cannot mail the notices: ") + e.what());
        }
        restarts_.reap();
    }

    std::size_t restarts_running() { return restarts_.reap(); }
    void wait_restarts(double seconds) { restarts_.wait_all(seconds); }

private:
    config cfg_;
    recorder rec_;
    alarm_keeper keeper_;
    restarter restarts_;
    log_fn log_;

    void report(const probe_settings& p, const probe_result& r) {
        const std::string inst = p.instance();
        const double warn = p.warningthreshold >= 0 ? p.warningthreshold : cfg_.warningthreshold;
        switch (r.outcome) {
        case probe_outcome::ok:
            if (r.seconds > warn)
                log_(log_level::warning, inst + ": answered in " + seconds_text(r.seconds) +
                                             " s, over the warning threshold of " + seconds_text(warn) + " s");
            else
                log_(log_level::info, inst + ": answered in " + std::to_string(response_ms(r)) + " ms: " + r.detail);
            break;
        case probe_outcome::timeout:
            log_(log_level::warning, inst + ": timeout: " + r.detail + " (" + seconds_text(p.timeout) +
                                         " s; recorded " + std::to_string(response_ms(r)) + " ms)");
            break;
        case probe_outcome::refused:
            log_(log_level::warning, inst + ": refused: " + r.detail + " (recorded " + std::to_string(refused_value) + ")");
            break;
        case probe_outcome::garbage:
            log_(log_level::warning, inst + ": garbage: " + r.detail + " (recorded " + std::to_string(garbage_value) + ")");
            break;
        case probe_outcome::error:
            log_(log_level::error, inst + ": " + r.detail + " (recorded " + std::to_string(error_value) + ")");
            break;
        }
    }
};

void log_config_error(const log_fn& log, const config_error& e) {
    std::istringstream lines(e.what());
    std::string line;
    while (std::getline(lines, line)) log(log_level::error, line);
}

} // namespace

int run(const options& opt) {
    const log_fn log = log_line;
    config cfg;
    try {
        cfg = load_config(opt.config_file);
    } catch (const config_error& e) {
        log_config_error(log, e);
        log(log_level::error, "not started: the configuration " + opt.config_file + " cannot be used");
        return 1;
    }
    cfg.registry = opt.registry;
    if (!opt.once && cfg.diskavail.statinterval == 0 && cfg.serverresponse.statinterval == 0)
        log(log_level::warning, "both checks are off (statinterval 0): msprobe only waits for a reload");
    if (!opt.once && !opt.foreground) daemonize();

    // The daemon takes the signals that steer it synchronously with sigtimedwait(), between
    // rounds: a stop or reload that arrives during a check takes effect when it ends. A
    // --once round keeps their default actions (SIGINT and SIGTERM end it at once).
    sigset_t steer;
    sigemptyset(&steer);
    sigaddset(&steer, SIGHUP);
    sigaddset(&steer, SIGTERM);
    sigaddset(&steer, SIGINT);
    if (!opt.once) ::sigprocmask(SIG_BLOCK, &steer, nullptr);
    ::signal(SIGPIPE, SIG_IGN);

    registry reg(cfg.registry);
    prober pr(reg, cfg, log);
    log(log_level::info, std::string(opt.once ? "one round" : "started") + ": " + std::to_string(cfg.probes.size()) +
                             " probe(s), " + std::to_string(disk_targets(cfg).size()) +
                             " disk(s), registry " + cfg.registry);

    if (opt.once) {
        std::size_t recorded = 0;
        if (pr.cfg().diskavail.statinterval > 0) recorded += pr.disk_round();
        if (pr.cfg().serverresponse.statinterval > 0) recorded += pr.probe_round();
        pr.flush();
        pr.wait_restarts(60);
        if (recorded == 0) {
            log(log_level::error, "nothing recorded: no check is configured, or every check failed");
            return 1;
        }
        return 0;
    }

    std::int64_t next_disk = now_s();
    std::int64_t next_probe = next_disk;
    for (;;) {
        const std::int64_t now = now_s();
        bool ran = false;
        const auto& c = pr.cfg();
        if (c.diskavail.statinterval > 0 && now >= next_disk) {
            pr.disk_round();
            next_disk = now + c.diskavail.statinterval;
            ran = true;
        }
        if (c.serverresponse.statinterval > 0 && now >= next_probe) {
            pr.probe_round();
            next_probe = now_s() + c.serverresponse.statinterval;
            ran = true;
        }
        if (ran) pr.flush();

        std::int64_t wake = now_s() + 3600;
        if (c.diskavail.statinterval > 0) wake = std::min(wake, next_disk);
        if (c.serverresponse.statinterval > 0) wake = std::min(wake, next_probe);
        std::int64_t wait = std::max<std::int64_t>(0, wake - now_s());
        if (pr.restarts_running() > 0) wait = std::min<std::int64_t>(wait, 1);
        const timespec ts{static_cast<std::time_t>(wait), wait == 0 ? 1000000L : 0L};
        const int sig = ::sigtimedwait(&steer, nullptr, &ts);
        if (sig == SIGTERM || sig == SIGINT) {
            log(log_level::info, std::string("stopping (") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") + ")");
            pr.restarts_running();
            return 0;
        }
        if (sig == SIGHUP) {
            try {
                config fresh = load_config(opt.config_file);
                fresh.registry = opt.registry;
                const auto old_disk = pr.cfg().diskavail.statinterval;
                const auto old_probe = pr.cfg().serverresponse.statinterval;
                pr.reconfigure(std::move(fresh));
                const auto t = now_s();
                const auto& n = pr.cfg();
                // A check turned on runs now; a shorter interval takes effect at once.
                if (old_disk == 0 || n.diskavail.statinterval < old_disk)
                    next_disk = std::min(next_disk, old_disk == 0 ? t : t + n.diskavail.statinterval);
                if (old_probe == 0 || n.serverresponse.statinterval < old_probe)
                    next_probe = std::min(next_probe, old_probe == 0 ? t : t + n.serverresponse.statinterval);
                log(log_level::info, "configuration reloaded from " + opt.config_file + ": " +
                                         std::to_string(n.probes.size()) + " probe(s), " +
                                         std::to_string(disk_targets(n).size()) + " disk(s)");
            } catch (const config_error& e) {
                log_config_error(log, e);
                log(log_level::error, "reload refused: " + opt.config_file + " cannot be used; keeping the previous configuration");
            } catch (const std::exception& e) {
                log(log_level::error, std::string("reload failed: ") + e.what() + "; keeping the previous configuration");
            }
        }
    }
}

} // namespace counters::msprobe

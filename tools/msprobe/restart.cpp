// SPDX-License-Identifier: MIT
// Restarting a service whose probe fails (local.autorestart), in the background, with the
// original's rule: more than two failures within local.autorestart.timeout stop the restarts.
#include "checks.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <utility>

namespace counters::msprobe {

namespace {

void write_all_fd(int fd, const std::string& s) {
    const char* p = s.data();
    std::size_t left = s.size();
    while (left > 0) {
        const ssize_t n = ::write(fd, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        p += n;
        left -= static_cast<std::size_t>(n);
    }
}

/// The runner process: starts `/bin/sh -c COMMAND` with its output on a pipe, copies each
/// line to stderr as `msprobe: restart INSTANCE: LINE`, and ends with the command's status.
[[noreturn]] void runner(const std::string& instance, const std::string& command) {
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGPIPE}) ::signal(sig, SIG_DFL);
    int fds[2];
    if (::pipe(fds) != 0) ::_exit(126);
    const pid_t child = ::fork();
    if (child < 0) ::_exit(126);
    if (child == 0) {
        const int null = ::open("/dev/null", O_RDONLY);
        if (null >= 0) ::dup2(null, 0);
        ::dup2(fds[1], 1);
        ::dup2(fds[1], 2);
        ::close(fds[0]);
        ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(fds[1]);
    const std::string prefix = "msprobe: restart " + instance + ": ";
    std::string pending;
    char buf[512];
    for (;;) {
        const ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        pending.append(buf, static_cast<std::size_t>(n));
        std::size_t nl = 0;
        while ((nl = pending.find('\n')) != std::string::npos) {
            write_all_fd(2, prefix + pending.substr(0, nl) + "\n");
            pending.erase(0, nl + 1);
        }
        if (pending.size() > 1024) {
            write_all_fd(2, prefix + pending + "\n");
            pending.clear();
        }
    }
    if (!pending.empty()) write_all_fd(2, prefix + pending + "\n");
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status)) ::_exit(WEXITSTATUS(status));
    ::_exit(128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0));
}

} // namespace

restarter::restarter(log_fn log) : log_(std::move(log)) {}

restarter::~restarter() = default;

void restarter::reconfigure(const config& cfg) {
    enabled_ = cfg.autorestart;
    window_ = cfg.autorestart_timeout;
    states_.clear();
}

bool restarter::observe(const probe_settings& p, probe_outcome o, std::int64_t now) {
    if (!enabled_ || p.restart_command.empty()) return false;
    const std::string inst = p.instance();
    auto& st = states_[inst];
    if (o != probe_outcome::timeout && o != probe_outcome::refused) {
        if (o == probe_outcome::ok && (st.given_up || !st.failures.empty())) {
            if (st.given_up) log_(log_level::info, "restart " + inst + ": the service answers again; restarts resumed");
            st = state{};
        }
        return false;
    }
    if (st.given_up) return false;
    st.failures.erase(std::remove_if(st.failures.begin(), st.failures.end(),
                                     [&](std::int64_t t) { return t <= now - window_; }),
                      st.failures.end());
    st.failures.push_back(now);
    if (st.failures.size() > 2) {
        st.given_up = true;
        log_(log_level::error, "restart " + inst + ": " + std::to_string(st.failures.size()) + " failures within " +
                                   std::to_string(window_) +
                                   " s (local.autorestart.timeout): no more restarts until it answers again");
        return false;
    }
    for (const auto& [pid, who] : running_) {
        if (who == inst) {
            log_(log_level::warning, "restart " + inst + ": the previous restart command (pid " +
                                         std::to_string(pid) + ") is still running: not started again");
            return false;
        }
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
        log_(log_level::error, "restart " + inst + ": cannot fork: " + std::strerror(errno));
        return false;
    }
    if (pid == 0) runner(inst, p.restart_command);
    running_[pid] = inst;
    log_(log_level::warning, "restart " + inst + ": the service did not answer (" + to_string(o) + "): running " +
                                 p.restart_command + " (pid " + std::to_string(pid) + ")");
    return true;
}

std::size_t restarter::reap() {
    for (auto it = running_.begin(); it != running_.end();) {
        int status = 0;
        const pid_t r = ::waitpid(it->first, &status, WNOHANG);
        if (r == 0 || (r < 0 && errno == EINTR)) {
            ++it;
            continue;
        }
        if (r > 0) {
            const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
            if (code == 0)
                log_(log_level::info, "restart " + it->second + ": the command ended (status 0)");
            else
                log_(log_level::error, "restart " + it->second + ": the command failed (status " +
                                           std::to_string(code) + ")");
        }
        it = running_.erase(it);
    }
    return running_.size();
}

void restarter::wait_all(double seconds) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (reap() > 0 && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

} // namespace counters::msprobe

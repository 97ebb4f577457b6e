// SPDX-License-Identifier: MIT
// Helpers of the fault tests: unique registry names, raw read-write mappings of a segment,
// and forked children that never outlive their test (SIGKILLed and reaped on destruction).
#pragma once

#include "catch.hpp"
#include "support.hpp"

#include <counters/registry.hpp>

#include <atomic>
#include <chrono>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <exception>
#include <fcntl.h>
#include <functional>
#include <string>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fault_support {

using temp_reg = testing_support::temp_registry;
using testing_support::raw_map;

/// A forked child, SIGCONTed, SIGKILLed and reaped on destruction unless reaped before.
class child {
public:
    explicit child(const std::function<int()>& body) {
        pid_ = testing_support::spawn_child(body);
        REQUIRE(pid_ >= 0);
    }
    ~child() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGKILL);
        ::kill(pid_, SIGCONT);
        int st = 0;
        while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
        }
    }
    child(const child&) = delete;
    child& operator=(const child&) = delete;
    pid_t pid() const { return pid_; }
    /// Stops the child and waits until it is stopped. False when it is gone.
    bool stop() {
        if (pid_ <= 0 || ::kill(pid_, SIGSTOP) != 0) return false; // never kill(-1, ...)
        int st = 0;
        for (;;) {
            const pid_t r = ::waitpid(pid_, &st, WUNTRACED);
            if (r == pid_) break;
            if (r < 0 && errno != EINTR) return false;
        }
        if (!WIFSTOPPED(st)) { // it exited meanwhile: reaped
            pid_ = -1;
            status_ = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 255;
            return false;
        }
        return true;
    }
    void resume() const {
        if (pid_ > 0) ::kill(pid_, SIGCONT);
    }
    /// Waits at most @p bound for the child: its exit status, 128 + signal, or -1 when it
    /// had to be killed (a hang).
    int reap_within(std::chrono::milliseconds bound) {
        if (pid_ <= 0) return status_;
        const auto end = std::chrono::steady_clock::now() + bound;
        int st = 0;
        for (;;) {
            const pid_t r = ::waitpid(pid_, &st, WNOHANG);
            if (r == pid_ && (WIFEXITED(st) || WIFSIGNALED(st))) break;
            if (r < 0 && errno != EINTR) break;
            if (std::chrono::steady_clock::now() > end) {
                ::kill(pid_, SIGKILL);
                reap();
                return -1;
            }
            ::usleep(1000);
        }
        pid_ = -1;
        if (WIFEXITED(st)) return WEXITSTATUS(st);
        if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
        return 255;
    }
    /// Waits for the child; its exit status, or 128 + signal.
    int reap() {
        if (pid_ <= 0) return status_;
        int st = 0;
        for (;;) {
            const pid_t r = ::waitpid(pid_, &st, 0);
            if (r == pid_ && (WIFEXITED(st) || WIFSIGNALED(st))) break;
            if (r < 0 && errno != EINTR) break;
        }
        pid_ = -1;
        if (WIFEXITED(st)) return WEXITSTATUS(st);
        if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
        return 255;
    }

private:
    pid_t pid_ = -1;
    int status_ = 255; ///< exit status once reaped by stop()
};

} // namespace fault_support

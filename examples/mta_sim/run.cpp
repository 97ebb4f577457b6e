// SPDX-License-Identifier: MIT
// mta-sim: the parent: forks the workers, collects their tallies, checks and reports; then,
// with --linger, runs the IMAP and POP servers in real time for a while.
#include "linger.hpp"
#include "options.hpp"
#include "report.hpp"
#include "tally.hpp"
#include "worker.hpp"

#include <counters/admin.hpp>
#include <counters/registry.hpp>
#include <counters/registry_snapshot.hpp>
#include <counters/snapshot.hpp>

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace mta_sim {

namespace {

struct child {
    unsigned index = 0;
    pid_t pid = -1;
    int fd = -1;       ///< read end of its tally pipe
    bool reported = false;
};

std::string errno_text(const char* what) { return fmt::format("{}: {}", what, std::strerror(errno)); }

/// Reads exactly @p size bytes; false on end-of-file or error before that.
bool read_all(int fd, void* data, std::size_t size) {
    char* p = static_cast<char*>(data);
    while (size > 0) {
        const ssize_t n = ::read(fd, p, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        p += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

std::string describe_status(int status) {
    if (WIFEXITED(status)) return fmt::format("exited with status {}", WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return fmt::format("was killed by signal {} ({})", WTERMSIG(status), ::strsignal(WTERMSIG(status)));
    return fmt::format("ended with wait status {}", status);
}

/// Prints the verdict on the registry's change; returns false on a mismatch.
bool report_registry(const counters::registry_snapshot& before, const counters::registry_snapshot& after,
                     const tally& t, const char* what) {
    const std::vector<std::string> mismatches = verify_registry(before, after, t);
    if (mismatches.empty()) {
        std::printf("verify: OK (%s: imapstat and popstat of registry %s match, no connection open, %s)\n",
                    what, after.info.name.c_str(), registry_peaks(after).c_str());
        return true;
    }
    for (const std::string& m : mismatches) std::printf("%s\n", m.c_str());
    std::printf("verify: FAILED (%s: %zu mismatches in registry %s)\n", what, mismatches.size(),
                after.info.name.c_str());
    return false;
}

/// The --linger phase, in this process; returns false when its verification failed.
bool run_linger(const options& o) {
    counters::registry reg(o.registry);
    std::optional<counters::registry_snapshot> before;
    if (o.verify) before = counters::read_registry(o.registry);
    if (!o.quiet) {
        std::printf("\nlinger: IMAP and POP in real time for %u s (registry \"%s\", pid %d)\n", o.linger,
                    o.registry.c_str(), static_cast<int>(::getpid()));
        std::fflush(stdout);
    }
    const linger_result r = linger(o, reg);
    if (!o.quiet) {
        std::printf("linger: %.1f s%s, %llu messages delivered into the store\n", r.seconds,
                    r.interrupted ? " (interrupted)" : "",
                    static_cast<unsigned long long>(r.counts.store_deliveries));
        print_services(stdout, r.counts);
    }
    const std::vector<std::string> problems = check_tally(r.counts);
    for (const std::string& p : problems) std::printf("%s\n", p.c_str());
    bool ok = problems.empty();
    if (o.verify) ok = report_registry(*before, counters::read_registry(o.registry), r.counts, "linger") && ok;
    std::fflush(stdout);
    return ok;
}

} // namespace

int run(const options& o) {
    // The section must exist before the first snapshot; the workers would create it anyway.
    counters::create_section(o.section);
    std::optional<counters::snapshot> before;
    if (o.verify) before = counters::read_snapshot(o.section);
    // Likewise the registry and its two objects (a short attachment: the parent records
    // nothing before --linger, and the workers attach on their own).
    std::optional<counters::registry_snapshot> reg_before;
    if (o.servers) {
        {
            counters::registry reg(o.registry);
            for (const char* object : service_objects) reg.object(object).instance("global");
        }
        if (o.verify) reg_before = counters::read_registry(o.registry);
    }

    int release[2];
    if (::pipe(release) != 0) throw std::runtime_error(errno_text("pipe"));
    std::fflush(stdout);
    std::fflush(stderr);

    const auto start = std::chrono::steady_clock::now();
    std::vector<child> kids;
    bool failed = false;
    for (unsigned i = 0; i < o.processes; ++i) {
        int p[2];
        if (::pipe(p) != 0) {
            std::fprintf(stderr, "mta-sim: %s\n", errno_text("pipe").c_str());
            failed = true;
            break;
        }
        const pid_t pid = ::fork();
        if (pid < 0) {
            std::fprintf(stderr, "mta-sim: %s\n", errno_text("fork").c_str());
            ::close(p[0]);
            ::close(p[1]);
            failed = true;
            break;
        }
        if (pid == 0) {
            // Keep only this worker's ends: the release pipe must reach EOF when the parent
            // closes it, and earlier workers' tally pipes are none of our business.
            ::close(release[1]);
            ::close(p[0]);
            for (const child& k : kids) ::close(k.fd);
            ::_exit(worker_main(o, i, p[1], release[0]));
        }
        ::close(p[1]);
        kids.push_back(child{i, pid, p[0], false});
    }
    ::close(release[0]);

    tally total;
    unsigned received = 0;
    for (child& k : kids) {
        tally t;
        if (!read_all(k.fd, &t, sizeof t)) {
            failed = true; // the reason is reported by waitpid below
        } else if (t.magic != tally::magic_value || t.worker != k.index) {
            std::fprintf(stderr, "mta-sim: worker %u sent a malformed tally\n", k.index);
            failed = true;
        } else {
            total += t;
            ++received;
        }
        ::close(k.fd);
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    // Every worker that sent its tally is still alive and attached: read the section now.
    std::optional<counters::snapshot> after;
    std::optional<counters::registry_snapshot> reg_after;
    std::string snapshot_error;
    if (o.verify && !failed) {
        try {
            after = counters::read_snapshot(o.section);
            if (o.servers) reg_after = counters::read_registry(o.registry);
        } catch (const std::exception& e) {
            snapshot_error = e.what();
        }
    }
    ::close(release[1]); // let the workers go

    for (child& k : kids) {
        int status = 0;
        pid_t r;
        while ((r = ::waitpid(k.pid, &status, 0)) < 0 && errno == EINTR) {
        }
        if (r < 0) {
            std::fprintf(stderr, "mta-sim: worker %u (pid %d): %s\n", k.index, static_cast<int>(k.pid),
                         errno_text("waitpid").c_str());
            failed = true;
        } else if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
            std::fprintf(stderr, "mta-sim: worker %u (pid %d) %s\n", k.index, static_cast<int>(k.pid),
                         describe_status(status).c_str());
            failed = true;
        }
    }
    if (failed || received != o.processes) {
        std::fprintf(stderr, "mta-sim: %u of %u workers completed; no summary\n", received, o.processes);
        return 1;
    }

    const std::vector<std::string> problems = check_tally(total);
    if (!o.quiet) print_summary(stdout, o, total, seconds, problems.empty());
    for (const std::string& p : problems) std::fprintf(stdout, "%s\n", p.c_str());
    int status = problems.empty() ? 0 : 1;

    if (o.verify) {
        if (!after || (o.servers && !reg_after)) {
            std::fprintf(stderr, "mta-sim: %s\n", snapshot_error.c_str());
            return 1;
        }
        const std::vector<std::string> mismatches = verify_section(*before, *after, total);
        if (mismatches.empty()) {
            std::printf("verify: OK (%zu channels x %zu counters match the section)\n",
                        static_cast<std::size_t>(chan_count), counters::counter_count);
        } else {
            for (const std::string& m : mismatches) std::printf("%s\n", m.c_str());
            std::printf("verify: FAILED (%zu mismatches)\n", mismatches.size());
            status = 1;
        }
        if (o.servers && !report_registry(*reg_before, *reg_after, total, "run")) status = 1;
    }
    std::fflush(stdout);
    if (o.linger > 0 && !run_linger(o)) status = 1;
    return status;
}

} // namespace mta_sim

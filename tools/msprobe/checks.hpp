// SPDX-License-Identifier: MIT
/// @file checks.hpp
/// The probe side's parts below the run loop: the service probes (probe.cpp), the disk
/// check (disk.cpp), recording both in the registry (record.cpp), the restart of a hung
/// service (restart.cpp), and the run loop and command line (run.cpp, command_line.cpp).
/// Internal to msprobe.
#pragma once

#include "msprobe.hpp"

#include <counters/registry.hpp>

#include <cstdint>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace counters::msprobe {

// ---------------------------------------------------------------------------------------
// Probes (probe.cpp)

/// How a probe ended.
enum class probe_outcome {
    ok,       ///< the greeting (or status line) came within the timeout
    refused,  ///< nothing listens: the connection was refused (or reset before a greeting)
    timeout,  ///< no complete greeting within the timeout (connect or greeting)
    garbage,  ///< something answered, but not the protocol's greeting
    error,    ///< the host does not resolve, or another system error
};
/// "ok", "refused", "timeout", "garbage", "error".
const char* to_string(probe_outcome o) noexcept;

/// What a probe found.
struct probe_result {
    probe_outcome outcome = probe_outcome::error;
    double seconds = 0;  ///< from the start of the connect to the greeting, or the time waited
    std::string detail;  ///< the greeting line, or why it failed (escaped, one line)
};

/// The values recorded for refused, garbage and failed probes (the registry's responseTime
/// in milliseconds, and the seconds handed to the alarm side): a real time is never negative.
inline constexpr std::int64_t refused_value = -1;
inline constexpr std::int64_t garbage_value = -2;
inline constexpr std::int64_t error_value = -3;

/// Connects to the service and reads its greeting within @p p.timeout: SMTP and LMTP `220`
/// then QUIT (a `221` awaited briefly), IMAP `* OK` then `a LOGOUT`, POP3 `+OK` then QUIT,
/// HTTP a `HTTP/1.x NNN` status line for `HEAD / HTTP/1.0`, LDAP a successful or refused
/// anonymous bind (BER, no library) then an unbind. Plain non-blocking sockets, poll() and
/// one deadline; never throws except std::bad_alloc.
probe_result run_probe(const probe_settings& p);

/// The value recorded for @p r: milliseconds for ok and timeout (rounded to nearest), or
/// refused_value, garbage_value, error_value.
std::int64_t response_ms(const probe_result& r) noexcept;

/// The value handed to alarm_keeper::record(): seconds, or the negative values above.
double response_seconds(const probe_result& r) noexcept;

// ---------------------------------------------------------------------------------------
// Disk (disk.cpp)

/// One statvfs() of a watched directory. Sizes in KiB (1024 bytes).
struct disk_usage {
    std::int64_t avail_kb = 0;  ///< available to unprivileged users (f_bavail)
    std::int64_t total_kb = 0;  ///< the file system's size (f_blocks)
    double percent_avail = 0;   ///< avail / (used + avail) * 100, as df(1) counts
};

/// statvfs() of @p path; std::nullopt with @p why set when it fails.
std::optional<disk_usage> stat_disk(const std::string& path, std::string& why);

/// The `diskusage` instance of partition @p name ("queue" for local.queuedir): the name
/// with every byte outside [A-Za-z0-9_.-] replaced by '_', cut to 32 bytes.
std::string disk_instance(const std::string& name);

/// One thing the disk check watches: the partitions, then the queue directory.
struct disk_target {
    std::string instance; ///< disk_instance() of its name
    std::string path;
};
std::vector<disk_target> disk_targets(const config& cfg);

// ---------------------------------------------------------------------------------------
// Recording (record.cpp)

/// Writes measurements into the `serverresponse` and `diskusage` objects of a registry.
class recorder {
public:
    /// Registers both objects in @p reg. Throws counters::error.
    explicit recorder(registry& reg);
    /// serverresponse instance p.instance(): responseTime (response_ms), lastStatTime.
    void probe(const probe_settings& p, const probe_result& r, std::int64_t now);
    /// diskusage instance t.instance: availSpace, totalSpace (KiB), percentAvail (whole
    /// percent, rounded down), lastStatTime, mailPartitionPath.
    void disk(const disk_target& t, const disk_usage& u, std::int64_t now);

private:
    counter_object serverresponse_;
    counter_object diskusage_;
};

// ---------------------------------------------------------------------------------------
// Restarting a hung service (restart.cpp)

/// Runs a service's restart command when its probe fails (local.autorestart), with the
/// original's rule: more than two failures within local.autorestart.timeout seconds stop
/// the restarts (logged) until the service answers again or the configuration is reloaded.
/// Commands run through `/bin/sh -c` in the background; their output goes to the log, one
/// line at a time, and their end is logged when reap() sees it.
class restarter {
public:
    explicit restarter(log_fn log);
    ~restarter();
    restarter(const restarter&) = delete;
    restarter& operator=(const restarter&) = delete;

    /// Takes the settings of @p cfg; forgets the failures counted so far.
    void reconfigure(const config& cfg);
    /// Handles one probe of @p p at @p now: a timeout or refused connection counts as a
    /// failure and, when allowed, starts the restart command. Returns true when it started one.
    bool observe(const probe_settings& p, probe_outcome o, std::int64_t now);
    /// Collects the commands that ended (non-blocking). Returns how many are still running.
    std::size_t reap();
    /// Waits at most @p seconds for the running commands to end.
    void wait_all(double seconds);

private:
    struct state {
        std::vector<std::int64_t> failures; ///< times of the failures in the window
        bool given_up = false;
    };
    log_fn log_;
    bool enabled_ = false;
    std::int64_t window_ = 600;
    std::map<std::string, state> states_;   ///< by probe instance
    std::map<pid_t, std::string> running_;  ///< command runner pid -> instance
};

// ---------------------------------------------------------------------------------------
// Command line and run loop (command_line.cpp, run.cpp)

struct options {
    std::string config_file = "/etc/msprobe.conf";
    std::string registry;  ///< as given ("" = default)
    bool registry_given = false;
    bool once = false;
    bool foreground = false;
};

/// The --help text; its usage lines are the man page's SYNOPSIS.
const std::string& help_text();

/// Parses the command line; std::nullopt to go on, or the exit code to return now.
std::optional<int> parse_command_line(int argc, const char* const* argv, options& opt, std::ostream& out,
                                      std::ostream& err);

/// Reads and parses @p file. Throws config_error (every problem) or config_error for a file
/// that cannot be read.
config load_config(const std::string& file);

/// Runs msprobe: one round (--once) or the daemon loop. Returns the exit code.
int run(const options& opt);

} // namespace counters::msprobe

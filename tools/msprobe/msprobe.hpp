// SPDX-License-Identifier: MIT
/// @file msprobe.hpp
/// msprobe's two halves and the interface between them:
/// - the probe side (config.cpp, probe.cpp, disk.cpp, run.cpp, main.cpp): reads the
///   configuration file, measures each configured service's response time and each mail
///   partition's free space, records them in the registry objects `serverresponse` and
///   `diskusage`, and hands every measurement to the alarm side;
/// - the alarm side (alarm.cpp, notice.cpp, mailer.cpp): keeps one `alarm` registry instance
///   per watched thing, decides when a value crosses its threshold, formats the notice in the
///   documented layout and mails it over SMTP, keeping unsent notices for the next round.
/// Internal to the msprobe executable (not installed).
#pragma once

#include <counters/registry.hpp>

#include <cstdint>
#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace counters::msprobe {

// ---------------------------------------------------------------------------------------
// Configuration (config.cpp)

/// Which way a value must cross its threshold to raise an alarm (`...thresholddirection`):
/// -1 below, 1 above.
enum class direction : int { below = -1, above = 1 };

/// One alarm kind's settings: `alarm.diskavail.*` or `alarm.serverresponse.*`.
struct alarm_settings {
    std::string description;              ///< `...description`
    std::int64_t statinterval = 0;        ///< `...statinterval`, seconds between checks; 0: off
    double threshold = 0;                 ///< `...msgalarmthreshold`
    direction dir = direction::above;     ///< `...thresholddirection`
    std::int64_t warninginterval = 24;    ///< `...warninginterval`, HOURS between repeated notices
};

/// Where notices go: `alarm.msgalarmnotice{host,port,rcpt,sender}`.
struct notice_settings {
    std::string host = "localhost";
    std::uint16_t port = 25;
    std::string rcpt = "Postmaster@localhost";
    std::string sender = "Postmaster@localhost";
    /// Seconds the mailer waits for the connection and for each SMTP reply (not one of the
    /// original's parameters; `alarm.msgalarmnoticetimeout` if the parser offers it).
    double timeout = 30;
};

/// The services msprobe can probe.
enum class service { smtp, lmtp, imap, pop, http, ldap };
/// "smtp", "lmtp", "imap", "pop", "http", "ldap".
const char* to_string(service s) noexcept;

/// One probed service: `local.probe.SERVICE.*`. A probe is on when its port is set.
struct probe_settings {
    service svc = service::smtp;
    std::string host = "localhost";       ///< `local.probe.SERVICE.host`
    std::uint16_t port = 0;               ///< `local.probe.SERVICE.port`
    double timeout = 10;                  ///< `local.probe.SERVICE.timeout`, seconds
    double warningthreshold = -1;         ///< `local.probe.SERVICE.warningthreshold`; <0: global
    std::string restart_command;          ///< `local.probe.SERVICE.restart` ("" = none)
    /// The registry instance name: SERVICE_HOST_PORT, e.g. "smtp_127.0.0.1_25".
    std::string instance() const;
};

/// One watched mail partition: `store.partition.NAME.path`.
struct partition_settings {
    std::string name; ///< NAME ("primary")
    std::string path;
};

/// The whole configuration, defaults as documented.
struct config {
    notice_settings notice;
    alarm_settings diskavail{"percentage mail partition diskspace available", 3600, 10, direction::below, 24};
    alarm_settings serverresponse{"server response time in seconds", 600, 10, direction::above, 24};
    double warningthreshold = 5;             ///< `local.probe.warningthreshold`, seconds
    std::vector<probe_settings> probes;      ///< the probes that are on
    std::vector<partition_settings> partitions;
    std::string queuedir;                    ///< `local.queuedir` ("" = none)
    bool autorestart = false;                ///< `local.autorestart`
    std::int64_t autorestart_timeout = 600;  ///< `local.autorestart.timeout`, seconds
    std::string server_instance;             ///< `local.serverroot`: "Server instance:" line
    std::string registry;                    ///< registry name ("" = default)
    /// Directory of the file of unsent alarm notices (`local.msprobe.statedir`); "" = beside
    /// a file-backed registry, else /var/lib/msprobe (alarm_side.hpp: notice_spool_path()).
    std::string statedir;
};

/// A configuration file that cannot be used. what() lists every problem, one per line, as
/// `FILE:LINE: KEY: what is wrong`.
struct config_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Parses `key = value` lines (`#` comments, blank lines) of @p in, named @p file in
/// messages. Throws config_error on any unknown key or bad value (all of them listed).
config parse_config(std::istream& in, const std::string& file);

// ---------------------------------------------------------------------------------------
// Log (run.cpp provides it to the alarm side)

enum class log_level { info, warning, error };
/// Writes one line to msprobe's log (stderr or the journal).
using log_fn = std::function<void(log_level, const std::string&)>;

// ---------------------------------------------------------------------------------------
// Alarm side (alarm.cpp, notice.cpp, mailer.cpp)

/// The alarm kinds, the `Alarmid:` of a notice.
enum class alarm_id { diskavail, serverresponse };

/// One measurement handed to the alarm side.
struct measurement {
    alarm_id id = alarm_id::serverresponse;
    std::string instance;   ///< "smtp_127.0.0.1_25", or the partition's path
    double value = 0;       ///< seconds (serverresponse) or percent available (diskavail)
    std::int64_t when = 0;  ///< seconds since the epoch
};

/// Keeps the `alarm` registry objects and the notices. Not thread-safe (one per process).
class alarm_keeper {
public:
    /// Registers the `alarm` object in @p reg. Throws counters::error.
    alarm_keeper(registry& reg, const config& cfg, log_fn log);
    ~alarm_keeper();
    alarm_keeper(const alarm_keeper&) = delete;
    alarm_keeper& operator=(const alarm_keeper&) = delete;

    /// Takes a new configuration (thresholds, notice settings) after a reload.
    void reconfigure(const config& cfg);
    /// Records @p m in its alarm instance; queues a notice when the value crosses the
    /// threshold, when it stays over it past the warning interval, and when it returns.
    void record(const measurement& m);
    /// Mails the queued notices; those that cannot be sent stay queued (logged). Returns
    /// the number still queued.
    std::size_t flush(std::int64_t now);
    /// Notices still queued.
    std::size_t pending() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace counters::msprobe

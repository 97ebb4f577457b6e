// SPDX-License-Identifier: MIT
/// @file exporter.hpp
/// counters-exporter: its options and command line, the collector that makes one scrape's
/// exposition (collector.cpp), and run() (run.cpp), which serves it over HTTP (http.cpp).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

namespace counters::exporter {

/// The port of the default listen address: not one that a well-known exporter uses (see
/// counters-exporter(8), "LISTEN ADDRESS").
inline constexpr std::uint16_t default_port = 9842;
/// The default --web.listen-address: every interface, as Prometheus exporters do.
inline constexpr const char* default_listen_address = ":9842";
/// The default --web.telemetry-path.
inline constexpr const char* default_telemetry_path = "/metrics";
/// The default --web.max-connections.
inline constexpr std::size_t default_max_connections = 128;

/// The fixed limits of the HTTP server (counters-exporter(8), "LIMITS").
struct http_limits {
    std::size_t max_connections = default_max_connections; ///< open at once; more are closed at once
    std::size_t header_limit = 8192;                       ///< request line and header fields, bytes (431)
    std::size_t body_limit = 65536;                        ///< request body, bytes (413)
    /// A request must arrive whole within this time of its first byte (or of the
    /// connection, for the first request): half-open and slowloris clients are closed.
    std::chrono::milliseconds request_timeout{5000};
    /// A kept-alive connection may wait this long for the first byte of its next request.
    std::chrono::milliseconds idle_timeout{30000};
    /// A response must be written within this time (a client that does not read is closed).
    std::chrono::milliseconds write_timeout{30000};
};

/// A listen address as given: host ("" for every interface) and port.
struct listen_address {
    std::string host; ///< "" (every interface), a name, an IPv4 or an IPv6 address (without brackets)
    std::uint16_t port = default_port;
};

/// Parses `[host]:port`, `[v6]:port` or `host:port` (port 0..65535; 0: a port the system
/// chooses). Throws std::invalid_argument with the reason. Does not resolve names.
listen_address parse_listen_address(const std::string& text);

struct options {
    std::string section;  ///< resolved section name
    std::string registry; ///< resolved registry name
    listen_address listen;
    std::string listen_text = default_listen_address; ///< as given, for messages
    std::string telemetry_path = default_telemetry_path;
    http_limits limits;
};

/// The usage text (--help; its first lines are the SYNOPSIS of counters-exporter(8)).
const std::string& help_text();

/// Parses the command line into @p opt. Returns std::nullopt to go on, or the exit code
/// (--help, --version, a usage error reported on @p err).
std::optional<int> parse_command_line(int argc, const char* const* argv, options& opt, std::ostream& out,
                                      std::ostream& err);

/// Counters of the HTTP side, kept by the server and exposed by the collector. Updated and
/// read from several threads (relaxed atomics: each figure is exact, a scrape need not see
/// them all at one instant).
struct http_stats {
    /// The status codes counted in counters_exporter_http_requests_total, in this order.
    static constexpr std::array<unsigned, 7> codes{200, 400, 404, 405, 413, 431, 500};
    std::array<std::atomic<std::uint64_t>, codes.size()> responses{}; ///< by code, in codes' order
    std::atomic<std::uint64_t> connections_open{0};      ///< open now
    std::atomic<std::uint64_t> connections_accepted{0};  ///< since start, refused ones included
    std::atomic<std::uint64_t> connections_refused{0};   ///< closed at once: the connection limit
    std::atomic<std::uint64_t> connections_timed_out{0}; ///< closed by a request, idle or write timeout
    /// Counts one response with status @p code (a code not in codes is not counted).
    void count_response(unsigned code) noexcept {
        for (std::size_t i = 0; i < codes.size(); ++i)
            if (codes[i] == code) responses[i].fetch_add(1, std::memory_order_relaxed);
    }
};

/// Makes the exposition of one scrape: a fresh snapshot of the section and the registry,
/// rendered, followed by the exporter's own families. Safe to call from several threads at
/// once. Logs a change of the section's or the registry's state (readable, missing, not
/// trusted, ...) as one line on the log stream. May throw std::bad_alloc only.
class collector {
public:
    collector(std::string section, std::string registry, std::ostream& log);
    ~collector();
    collector(const collector&) = delete;
    collector& operator=(const collector&) = delete;

    /// The body of a scrape of the telemetry path.
    std::string scrape();
    /// The HTTP side's counters, shown by scrape().
    http_stats& http() noexcept;

    const std::string& section() const noexcept;
    const std::string& registry() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// Serves @p source on the address of @p opt until the process is stopped by a signal.
/// Throws std::runtime_error `cannot listen on ADDR: why` (exit_failure) when the address
/// cannot be resolved or bound.
void serve(const options& opt, collector& source, std::ostream& log);

/// Sets up and serves (never returns normally: SIGTERM or SIGINT end the process with
/// exit_ok). Throws on set-up failures (guarded() reports them).
int run(const options& opt, std::ostream& out, std::ostream& err);

/// Writes `counters-exporter: MESSAGE` and a newline on @p log in one write, so that lines
/// written from several threads (on std::cerr, which is synchronised with stdio) never mix.
void log_line(std::ostream& log, const std::string& message);

/// The version of counters-exporter.
const char* version() noexcept;

} // namespace counters::exporter

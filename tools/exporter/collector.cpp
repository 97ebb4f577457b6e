// SPDX-License-Identifier: MIT
// counters-exporter's collector: one scrape = a fresh snapshot of the section and of the
// registry, rendered by render_prometheus(), then the exporter's own families.
#include "exporter.hpp"

#include <counters/error.hpp>
#include <counters/registry_snapshot.hpp>
#include <counters/snapshot.hpp>
#include <counters_tools/cli.hpp>
#include <counters_tools/prometheus.hpp>
#include <counters_tools/text.hpp>

#include <fmt/format.h>

#include <chrono>
#include <map>
#include <mutex>
#include <new>
#include <optional>
#include <ostream>
#include <utility>

namespace counters::exporter {

namespace {
namespace ct = counters::tools;

/// The `reason` label of a failure: the library's name of the error code, with '_' for
/// blanks ("not found" -> not_found).
std::string reason_of(counters::errc code) {
    std::string r = counters::to_string(code);
    for (char& c : r)
        if (c == ' ' || c == '-') c = '_';
    return r;
}

/// What one read of an object gave, for the log: "" when readable and trusted.
struct read_state {
    std::string text; ///< "" ok; otherwise the message to log (already escaped)
    bool missing = false;
};
} // namespace

void log_line(std::ostream& log, const std::string& message) {
    const std::string line = "counters-exporter: " + message + "\n";
    log.write(line.data(), static_cast<std::streamsize>(line.size()));
    log.flush();
}

struct collector::impl {
    std::string section;
    std::string registry;
    std::ostream& log;
    http_stats http;
    std::atomic<std::uint64_t> scrapes{0};

    std::mutex errors_mutex;
    std::map<std::pair<std::string, std::string>, std::uint64_t> errors; ///< (object, reason) -> count

    std::mutex log_mutex;
    std::optional<std::string> section_said; ///< the state last logged (nullopt: none yet)
    std::optional<std::string> registry_said;

    impl(std::string s, std::string r, std::ostream& l) : section(std::move(s)), registry(std::move(r)), log(l) {}

    void count_error(const char* object, const std::string& reason) {
        const std::lock_guard<std::mutex> hold(errors_mutex);
        ++errors[{object, reason}];
    }

    /// Logs a change of an object's state: a new problem, or readable again after one.
    void note(std::optional<std::string>& said, const std::string& now, const std::string& again) {
        const std::lock_guard<std::mutex> hold(log_mutex);
        if (said && *said == now) return;
        if (!now.empty())
            log_line(log, now);
        else if (said)
            log_line(log, again);
        said = now;
    }

    void append_own(std::string& out, double seconds) {
        out += "# HELP counters_exporter_build_info The version of counters-exporter (always 1).\n"
               "# TYPE counters_exporter_build_info gauge\n";
        // The version is PROJECT_VERSION (digits and dots): nothing to escape in a label value.
        out += fmt::format("counters_exporter_build_info{{version=\"{}\"}} 1\n", version());
        out += "# HELP counters_exporter_scrapes_total Scrapes of the telemetry path answered since the start.\n"
               "# TYPE counters_exporter_scrapes_total counter\n";
        out += fmt::format("counters_exporter_scrapes_total {}\n", scrapes.load(std::memory_order_relaxed));
        out += "# HELP counters_exporter_scrape_errors_total Scrapes that could not read the section or the "
               "registry, by object and reason (a missing registry is not counted).\n"
               "# TYPE counters_exporter_scrape_errors_total counter\n";
        {
            const std::lock_guard<std::mutex> hold(errors_mutex);
            for (const auto& [key, n] : errors)
                out += fmt::format("counters_exporter_scrape_errors_total{{object=\"{}\",reason=\"{}\"}} {}\n", key.first,
                                   key.second, n);
        }
        out += "# HELP counters_exporter_http_requests_total HTTP requests answered, by status code.\n"
               "# TYPE counters_exporter_http_requests_total counter\n";
        for (std::size_t i = 0; i < http_stats::codes.size(); ++i)
            out += fmt::format("counters_exporter_http_requests_total{{code=\"{}\"}} {}\n", http_stats::codes[i],
                               http.responses[i].load(std::memory_order_relaxed));
        out += "# HELP counters_exporter_connections Connections open now.\n"
               "# TYPE counters_exporter_connections gauge\n";
        out += fmt::format("counters_exporter_connections {}\n", http.connections_open.load(std::memory_order_relaxed));
        out += "# HELP counters_exporter_connections_accepted_total Connections accepted since the start.\n"
               "# TYPE counters_exporter_connections_accepted_total counter\n";
        out += fmt::format("counters_exporter_connections_accepted_total {}\n",
                           http.connections_accepted.load(std::memory_order_relaxed));
        out += "# HELP counters_exporter_connections_refused_total Connections closed at once because "
               "--web.max-connections were open.\n"
               "# TYPE counters_exporter_connections_refused_total counter\n";
        out += fmt::format("counters_exporter_connections_refused_total {}\n",
                           http.connections_refused.load(std::memory_order_relaxed));
        out += "# HELP counters_exporter_connections_timed_out_total Connections closed because a request, an "
               "idle wait or a response took too long.\n"
               "# TYPE counters_exporter_connections_timed_out_total counter\n";
        out += fmt::format("counters_exporter_connections_timed_out_total {}\n",
                           http.connections_timed_out.load(std::memory_order_relaxed));
        out += "# HELP counters_exporter_scrape_duration_seconds Seconds this scrape spent reading and rendering "
               "the section and the registry.\n"
               "# TYPE counters_exporter_scrape_duration_seconds gauge\n";
        out += fmt::format("counters_exporter_scrape_duration_seconds {:.6f}\n", seconds);
    }
};

collector::collector(std::string section, std::string registry, std::ostream& log)
    : impl_(std::make_unique<impl>(std::move(section), std::move(registry), log)) {}

collector::~collector() = default;

http_stats& collector::http() noexcept { return impl_->http; }
const std::string& collector::section() const noexcept { return impl_->section; }
const std::string& collector::registry() const noexcept { return impl_->registry; }

std::string collector::scrape() {
    impl& d = *impl_;
    const auto start = std::chrono::steady_clock::now();
    std::optional<counters::snapshot> section;
    std::optional<counters::registry_snapshot> registry;
    std::string section_state, registry_state;
    try {
        section = counters::read_snapshot(d.section);
        if (!section->section.distrust.empty())
            section_state = "warning: " + ct::untrusted_warning("section", d.section, section->section.distrust);
    } catch (const counters::error& e) {
        d.count_error("section", reason_of(e.code()));
        section_state = ct::escape_name(e.what()) + ": exported as mta_section_up 0 until it can be read";
    } catch (const std::bad_alloc&) {
        throw;
    } catch (const std::exception& e) {
        d.count_error("section", "other");
        section_state = "section \"" + ct::escape_name(d.section) + "\": " + ct::escape_name(e.what()) +
                        ": exported as mta_section_up 0 until it can be read";
    }
    try {
        registry = counters::read_registry(d.registry);
        if (!registry->info.distrust.empty())
            registry_state = "warning: " + ct::untrusted_warning("registry", d.registry, registry->info.distrust);
    } catch (const counters::error& e) {
        // A site without the registry is normal: only other failures count as errors.
        if (e.code() != counters::errc::not_found) d.count_error("registry", reason_of(e.code()));
        registry_state = ct::escape_name(e.what()) + ": its families are left out until it can be read";
    } catch (const std::bad_alloc&) {
        throw;
    } catch (const std::exception& e) {
        d.count_error("registry", "other");
        registry_state = "registry \"" + ct::escape_name(d.registry) + "\": " + ct::escape_name(e.what()) +
                         ": its families are left out until it can be read";
    }
    d.note(d.section_said, section_state, "section \"" + ct::escape_name(d.section) + "\" is read again");
    d.note(d.registry_said, registry_state, "registry \"" + ct::escape_name(d.registry) + "\" is read again");

    ct::exposition_input in;
    in.section = section ? &*section : nullptr;
    in.section_name = d.section;
    in.registry = registry ? &*registry : nullptr;
    std::string out;
    ct::render_prometheus(in, out);
    d.scrapes.fetch_add(1, std::memory_order_relaxed);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    d.append_own(out, took.count());
    return out;
}

} // namespace counters::exporter

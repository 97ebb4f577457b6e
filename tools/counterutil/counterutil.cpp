// SPDX-License-Identifier: MIT
// counterutil: list the registry, monitor one counter object, reset one counter.
#include "counterutil.hpp"

#include <counters/error.hpp>
#include <counters/options.hpp>
#include <counters/registry.hpp>
#include <counters/registry_snapshot.hpp>
#include <counters_tools/cli.hpp>
#include <counters_tools/json.hpp>
#include <counters_tools/text.hpp>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdio>
#include <cstdint>
#include <ctime>
#include <ostream>
#include <stdexcept>
#include <time.h>

namespace counterutil {

namespace {

using counters::field_kind;
using counters::field_value;
using counters::object_values;
using counters::registry_snapshot;

/// Names and strings come from shared memory (and error texts may quote them): printable
/// ASCII is kept, a backslash doubled, anything else shown as \xHH.
std::string escape(const std::string& s) { return counters::tools::escape_name(s); }

/// `17/Oct/2000:12:44:23 -0700` in the local time zone; `-` for 0 (never set).
std::string format_time(std::int64_t t) {
    if (t == 0) return "-";
    const auto tt = static_cast<std::time_t>(t);
    struct tm tm {};
    if (::localtime_r(&tt, &tm) == nullptr) return std::to_string(t);
    static const char* const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const long off = tm.tm_gmtoff;
    const long aoff = off < 0 ? -off : off;
    char buf[96];
    std::snprintf(buf, sizeof buf, "%02d/%s/%04d:%02d:%02d:%02d %c%02ld%02ld", tm.tm_mday,
                  months[tm.tm_mon >= 0 && tm.tm_mon < 12 ? tm.tm_mon : 0], tm.tm_year + 1900, tm.tm_hour,
                  tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+', aoff / 3600, (aoff % 3600) / 60);
    return buf;
}

std::string value_text(const field_value& v) {
    switch (v.kind) {
    case field_kind::time: return format_time(v.number);
    case field_kind::string: return v.torn ? "<unavailable: rewritten continuously>" : escape(v.text);
    default: return std::to_string(v.number);
    }
}

nlohmann::json value_json(const field_value& v) {
    nlohmann::json f = {{"name", v.name}, {"kind", counters::to_string(v.kind)}, {"size", v.size}};
    if (v.per_process) f["per_process"] = true;
    if (v.kind == field_kind::string) {
        if (v.torn) {
            f["value"] = nullptr;
            f["torn"] = true;
        } else {
            f["value"] = v.text;
        }
    } else {
        f["value"] = v.number;
    }
    return f;
}

/// Strings from shared memory escaped by the one rule: valid, pure-ASCII JSON.
std::string dump(const nlohmann::json& j, int indent) { return counters::tools::dump_json(j, indent); }

// ---- -l ----

void list(const std::string& name, bool json, std::ostream& out) {
    const registry_snapshot snap = counters::read_registry(name);
    counters::tools::warn_untrusted(std::cerr, "counterutil", "registry", name, snap.info.distrust);
    const auto& i = snap.info;
    if (json) {
        nlohmann::json objects = nlohmann::json::array();
        for (const auto& o : snap.objects) {
            nlohmann::json fields = nlohmann::json::array();
            for (const auto& f : o.schema) {
                nlohmann::json fj = {{"name", f.name}, {"kind", counters::to_string(f.kind)}, {"size", f.size}};
                if (f.per_process) fj["per_process"] = true;
                fields.push_back(std::move(fj));
            }
            nlohmann::json instances = nlohmann::json::array();
            for (const auto& in : o.instances) instances.push_back(in.name);
            objects.push_back({{"name", o.name}, {"created", o.created}, {"fields", std::move(fields)},
                               {"instances", std::move(instances)}});
        }
        nlohmann::json doc = {
            {"format_version", 1},
            {"registry",
             {{"name", i.name},
              {"version", std::to_string(i.version_major) + "." + std::to_string(i.version_minor)},
              {"numobjects", i.numobjects},
              {"refcount", i.refcount},
              {"created", i.created},
              {"modified", i.modified},
              {"max_objects", i.max_objects},
              {"max_instances", i.max_instances},
              {"size", i.size}}},
            {"objects", std::move(objects)}};
        out << dump(doc, 2) << '\n';
        return;
    }
    out << "Listing registry (" << escape(i.name) << ")\n"
        << "numobjects = " << i.numobjects << "\n"
        << "refcount = " << i.refcount << "\n"
        << "created = " << format_time(i.created) << "\n"
        << "modified = " << format_time(i.modified) << "\n";
    for (const auto& o : snap.objects) out << "     entry = " << escape(o.name) << "\n";
}

// ---- -o ----

const object_values& find_object(const registry_snapshot& snap, const std::string& object) {
    const object_values* o = snap.find(object);
    if (o == nullptr)
        throw std::runtime_error("registry \"" + escape(snap.info.name) + "\": no counter object \"" + escape(object) +
                                 "\" (counterutil -l lists them)");
    return *o;
}

void print_sample(const object_values& o, long k, std::int64_t when, bool json, const std::string& reg,
                  std::ostream& out) {
    if (json) {
        nlohmann::json instances = nlohmann::json::array();
        for (const auto& in : o.instances) {
            nlohmann::json fields = nlohmann::json::array();
            for (const auto& f : in.fields) fields.push_back(value_json(f));
            instances.push_back({{"name", in.name}, {"fields", std::move(fields)}});
        }
        nlohmann::json doc = {{"format_version", 1}, {"registry", reg},   {"object", o.name},
                              {"count", k},          {"time", when},      {"instances", std::move(instances)}};
        out << dump(doc, -1) << '\n';
    } else {
        // As the original: `count = K at EPOCH rh = 0x.. oh = 0x..`, here the offsets of the
        // registry header (0) and of the object's slot in the segment.
        char handles[64];
        std::snprintf(handles, sizeof handles, " rh = 0x%x oh = 0x%llx", 0u,
                      static_cast<unsigned long long>(o.offset));
        out << "\ncount = " << k << " at " << when << handles << "\n\n";
        for (const auto& in : o.instances)
            for (const auto& f : in.fields)
                out << escape(in.name) << '.' << escape(f.name) << " [" << f.size
                    << " bytes]: " << value_text(f) << '\n';
    }
    out.flush();
}

/// Sleeps until @p deadline (CLOCK_MONOTONIC). A stop signal does not return here: its
/// handler ends the process (install_stop_handlers()).
void sleep_until(const struct timespec& deadline) {
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, nullptr) == EINTR) {
    }
}

int monitor(const options& opt, const std::string& name, bool json, std::ostream& out) {
    const long interval = opt.interval, count = opt.count;
    // SIGINT and SIGTERM end the monitor at once wherever it is (waiting, or in a read of a
    // registry that does not return), except while a sample is written: that one is
    // completed first. Exit status 0 once a sample was written, 130 or 143 before.
    counters::tools::install_stop_handlers();
    registry_snapshot snap = counters::read_registry(name);
    counters::tools::warn_untrusted(std::cerr, "counterutil", "registry", name, snap.info.distrust);
    find_object(snap, opt.object);
    for (long k = 1;; ++k) {
        if (k > 1) snap = counters::read_registry(name);
        const object_values& o = find_object(snap, opt.object);
        struct timespec deadline {};
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_sec += interval;
        {
            const counters::tools::stop_deferred hold;
            if (k == 1 && !json)
                out << "Monitor counterobject (" << escape(opt.object) << ")\n"
                    << "registry " << escape(name) << " opened\n"
                    << "counterobject " << escape(opt.object) << " opened\n";
            const std::int64_t when = static_cast<std::int64_t>(std::time(nullptr));
            print_sample(o, k, when, json, name, out); // flushes
            if (!out) throw std::runtime_error("cannot write the output");
            counters::tools::stop_ends_ok();
        }
        if (count != 0 && k >= count) break;
        sleep_until(deadline);
    }
    return counters::tools::exit_ok;
}

// ---- -s ----

int reset(const options& opt, const std::string& name, bool json, std::ostream& out) {
    const std::size_t n = counters::reset_registry_counter(name, opt.object, opt.counter);
    if (json)
        out << dump({{"format_version", 1}, {"registry", name}, {"object", opt.object},
                     {"counter", opt.counter}, {"instances_reset", n}}, -1)
            << '\n';
    else
        out << "counter " << escape(opt.object) << '.' << escape(opt.counter) << " reset in " << n
            << (n == 1 ? " instance\n" : " instances\n");
    return counters::tools::exit_ok;
}

} // namespace

std::string usage() {
    return "usage: counterutil -l [-r registry] [-f text | json]\n"
           "       counterutil -o counterobject [-i interval] [-n numiterations] [-r registry]\n"
           "                   [-f text | json]\n"
           "       counterutil -s -o counterobject -c counter [-r registry] [-f text | json]\n"
           "       counterutil --help | --version\n"
           "\n"
           "  -l, --list              list the registry and its counter objects\n"
           "  -o, --object NAME       monitor counter object NAME (with -s: the object to reset)\n"
           "  -i, --interval SECONDS  seconds between samples (1..86400, default 5)\n"
           "  -n, --count N           number of samples (default: until interrupted)\n"
           "  -s, --reset             reset counter -c of object -o to 0\n"
           "  -c, --counter NAME      the counter to reset: FIELD (every instance) or INSTANCE.FIELD\n"
           "  -r, --registry NAME     registry name (default: $COUNTERS_REGISTRY or counters_registry)\n"
           "  -f, --format FORMAT     text (default) or json (format_version 1)\n"
           "  -h, --help              show this help\n"
           "      --version           show the version\n";
}

int run(const options& opt, std::ostream& out) {
    try {
        switch (opt.what) {
        case options::mode::list: list(opt.registry, opt.json, out); return counters::tools::exit_ok;
        case options::mode::reset: return reset(opt, opt.registry, opt.json, out);
        case options::mode::monitor: break;
        }
        return monitor(opt, opt.registry, opt.json, out);
    } catch (const counters::error& e) {
        // The names were checked by the parse; a counter the registry does not have, or one
        // that cannot be reset, is a run-time failure (exit 1), not a usage error.
        if (e.code() != counters::errc::invalid_argument) throw;
        throw std::runtime_error(escape(e.what()));
    }
}

} // namespace counterutil

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

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdint>
#include <ctime>
#include <iostream>
#include <ostream>
#include <stdexcept>
#include <string_view>
#include <vector>
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

/// An object's name, creation time, schema and instance names, as `-l -json` and
/// `-l -o OBJ -json` list it.
nlohmann::json object_json(const object_values& o) {
    nlohmann::json fields = nlohmann::json::array();
    for (const auto& f : o.schema) {
        nlohmann::json fj = {{"name", f.name}, {"kind", counters::to_string(f.kind)}, {"size", f.size}};
        if (f.per_process) fj["per_process"] = true;
        fields.push_back(std::move(fj));
    }
    nlohmann::json instances = nlohmann::json::array();
    for (const auto& in : o.instances) instances.push_back(in.name);
    return {{"name", o.name}, {"created", o.created}, {"fields", std::move(fields)}, {"instances", std::move(instances)}};
}

void list(const std::string& name, bool json, std::ostream& out) {
    const registry_snapshot snap = counters::read_registry(name);
    counters::tools::warn_untrusted(std::cerr, "counterutil", "registry", name, snap.info.distrust);
    const auto& i = snap.info;
    if (json) {
        nlohmann::json objects = nlohmann::json::array();
        for (const auto& o : snap.objects) objects.push_back(object_json(o));
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

// ---- names: matched without regard to case, shown as the registry spells them ----

bool same_name(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
        if (std::tolower(x) != std::tolower(y)) return false;
    }
    return true;
}

/// The element of @p items whose name @p given spells: the exact spelling first, else the
/// one that matches without regard to case; nullptr when none does. Several that differ
/// only in case (possible for objects a site defines) and none exact: an error naming them.
template <class T, class Name>
const T* pick(const std::vector<T>& items, std::string_view given, Name name_of, const std::string& what) {
    const T* found = nullptr;
    std::string clash;
    for (const T& item : items) {
        const std::string& n = name_of(item);
        if (n == given) return &item;
        if (!same_name(n, given)) continue;
        if (found != nullptr) {
            if (clash.empty()) clash = escape(name_of(*found));
            clash.append(", ").append(escape(n));
        }
        found = &item;
    }
    if (!clash.empty())
        throw std::runtime_error(what + " \"" + escape(std::string(given)) + "\" is ambiguous: " + clash +
                                 " differ only in case (spell it exactly)");
    return found;
}

const object_values& find_object(const registry_snapshot& snap, const std::string& object) {
    const object_values* o =
        pick(snap.objects, object, [](const object_values& v) -> const std::string& { return v.name; }, "counter object");
    if (o == nullptr)
        throw std::runtime_error("registry \"" + escape(snap.info.name) + "\": no counter object \"" + escape(object) +
                                 "\" (counterutil -l lists them)");
    return *o;
}

/// A counter of object @p o as -c spells it, `FIELD` or `INSTANCE.FIELD` (the original's
/// `global.maxConnections`), in the registry's spelling: "INSTANCE.FIELD" or "FIELD".
/// Instance names may hold dots (ldap_host.example.com_389): each dot is tried.
std::string find_counter(const registry_snapshot& snap, const object_values& o, const std::string& given) {
    const std::string where = "registry \"" + escape(snap.info.name) + "\": ";
    auto field_named = [&](std::string_view n) {
        return pick(o.schema, n, [](const counters::field_def& f) -> const std::string& { return f.name; }, "counter");
    };
    auto instance_named = [&](std::string_view n) {
        return pick(o.instances, n, [](const counters::instance_values& i) -> const std::string& { return i.name; },
                    "instance");
    };
    const std::string_view g = given;
    std::vector<std::string> found; // distinct readings, in the registry's spelling
    std::string missing_instance;
    auto consider = [&](std::string spelled) {
        if (std::find(found.begin(), found.end(), spelled) == found.end()) found.push_back(std::move(spelled));
    };
    if (const auto* f = field_named(g)) consider(f->name);
    for (auto dot = g.find('.'); dot != std::string_view::npos; dot = g.find('.', dot + 1)) {
        const auto* f = field_named(g.substr(dot + 1));
        if (f == nullptr) continue;
        if (const auto* in = instance_named(g.substr(0, dot)))
            consider(in->name + "." + f->name);
        else if (missing_instance.empty())
            missing_instance = std::string(g.substr(0, dot));
    }
    if (std::find(found.begin(), found.end(), given) != found.end()) return given;
    if (found.size() == 1) return found.front();
    if (found.size() > 1)
        throw std::runtime_error(where + "counter " + escape(given) + " of object " + escape(o.name) +
                                 " is ambiguous (spell it exactly)");
    if (!missing_instance.empty())
        throw std::runtime_error(where + "object " + escape(o.name) + " has no instance " + escape(missing_instance));
    throw std::runtime_error(where + "object " + escape(o.name) + " has no counter " + escape(given));
}

// ---- -l -o ----

void list_object(const std::string& name, const std::string& object, bool json, std::ostream& out) {
    const registry_snapshot snap = counters::read_registry(name);
    counters::tools::warn_untrusted(std::cerr, "counterutil", "registry", name, snap.info.distrust);
    const object_values& o = find_object(snap, object);
    if (json) {
        const nlohmann::json doc = {{"format_version", 1}, {"registry", snap.info.name}, {"object", object_json(o)}};
        out << dump(doc, 2) << '\n';
        return;
    }
    out << "Listing counterobject (" << escape(o.name) << ") in registry (" << escape(snap.info.name) << ")\n"
        << "numinstances = " << o.instances.size() << "\n"
        << "numcounters = " << o.schema.size() << "\n"
        << "created = " << format_time(o.created) << "\n";
    for (const auto& in : o.instances) out << "     instance = " << escape(in.name) << "\n";
    for (const auto& f : o.schema)
        out << "     counter = " << escape(f.name) << " [" << f.size << " bytes] " << counters::to_string(f.kind)
            << (f.per_process ? " (per process)" : "") << "\n";
}

// ---- -o ----

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
            if (k == 1 && !json) // the object as the registry spells it
                out << "Monitor counterobject (" << escape(o.name) << ")\n"
                    << "registry " << escape(name) << " opened\n"
                    << "counterobject " << escape(o.name) << " opened\n";
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
    // The names as given, matched without regard to case, become the registry's spelling.
    const registry_snapshot snap = counters::read_registry(name);
    const object_values& o = find_object(snap, opt.object);
    const std::string counter = find_counter(snap, o, opt.counter);
    const std::size_t n = counters::reset_registry_counter(name, o.name, counter);
    if (json)
        out << dump({{"format_version", 1}, {"registry", name}, {"object", o.name},
                     {"counter", counter}, {"instances_reset", n}}, -1)
            << '\n';
    else
        out << "counter " << escape(o.name) << '.' << escape(counter) << " reset in " << n
            << (n == 1 ? " instance\n" : " instances\n");
    return counters::tools::exit_ok;
}

} // namespace

std::string usage() {
    return "usage: counterutil -l [-o counterobject] [-r registry] [-f text | json]\n"
           "       counterutil -o counterobject [-i interval] [-n numiterations] [-r registry]\n"
           "                   [-f text | json]\n"
           "       counterutil -s -o counterobject -c counter [-r registry] [-f text | json]\n"
           "       counterutil --help | --version\n"
           "\n"
           "  -l, --list              list the registry and its counter objects (with -o: the\n"
           "                          instances and counters of that object)\n"
           "  -o, --object NAME       monitor counter object NAME (with -s: the object to reset);\n"
           "                          object and counter names are matched without regard to case\n"
           "  -i, --interval SECONDS  seconds between samples (1..86400, default 5)\n"
           "  -n, --count N           number of samples (default: until interrupted)\n"
           "  -s, --reset             reset counter -c of object -o to 0\n"
           "  -c, --counter NAME      the counter to reset: FIELD (every instance) or INSTANCE.FIELD\n"
           "  -r, --registry NAME     registry name, or an absolute path for a file-backed registry\n"
           "                          (default: $COUNTERS_REGISTRY or counters_registry)\n"
           "  -f, --format FORMAT     text (default) or json (format_version 1)\n"
           "  -h, --help              show this help\n"
           "      --version           show the version\n";
}

int run(const options& opt, std::ostream& out) {
    try {
        switch (opt.what) {
        case options::mode::list:
            if (opt.object.empty())
                list(opt.registry, opt.json, out);
            else
                list_object(opt.registry, opt.object, opt.json, out);
            return counters::tools::exit_ok;
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

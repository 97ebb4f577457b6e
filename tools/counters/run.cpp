// SPDX-License-Identifier: MIT
// run() of `counters`: carry out one action on a channel-counter section.
#include "counters_tool.hpp"

#include <counters/admin.hpp>
#include <counters/error.hpp>
#include <counters/snapshot.hpp>
#include <counters/registry_snapshot.hpp>
#include <counters_tools/cli.hpp>
#include <counters_tools/prometheus.hpp>
#include <counters_tools/text.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <grp.h>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace counters::tools::counters_cmd {

namespace {

/// -show -format=prometheus. A section that cannot be read still gives an exposition, with
/// `mta_section_up 0`, so that a textfile collector sees the failure instead of stale
/// figures; the error is reported and the exit status is 1 all the same. A registry that
/// cannot be read fails the whole -show (nothing is written).
int show_prometheus(const options& opts) {
    std::optional<registry_snapshot> reg;
    if (!opts.registry.empty()) {
        reg = read_registry(opts.registry);
        warn_untrusted(std::cerr, opts.prog, "registry", reg->info.name, reg->info.distrust);
    }
    std::optional<snapshot> snap;
    std::optional<std::string> failure;
    try {
        snap = read_snapshot(opts.section);
    } catch (const counters::error& e) {
        failure = escape_name(e.what());
    }
    if (snap) warn_untrusted(std::cerr, opts.prog, "section", snap->section.name, snap->section.distrust);
    exposition_input in;
    in.section = snap ? &*snap : nullptr;
    in.section_name = opts.section;
    in.registry = reg ? &*reg : nullptr;
    in.pattern = opts.render.pattern;
    in.absolute = opts.render.absolute;
    std::string text;
    render_prometheus(in, text);
    write_all(std::cout, opts.output, text);
    if (failure) {
        report(std::cerr, opts.prog, *failure);
        return exit_failure;
    }
    return exit_ok;
}

/// Group name or number to a gid; throws std::runtime_error for an unknown name.
long resolve_group(const std::string& g) {
    if (g.find_first_not_of("0123456789") == std::string::npos && g.size() <= 9) return std::stol(g);
    std::vector<char> buf(16384);
    struct group gr {};
    struct group* res = nullptr;
    int rc = 0;
    while ((rc = ::getgrnam_r(g.c_str(), &gr, buf.data(), buf.size(), &res)) == ERANGE && buf.size() < (1u << 22))
        buf.resize(buf.size() * 2);
    if (rc != 0)
        throw std::runtime_error("-group: cannot look up \"" + escape_name(g) + "\": " + std::strerror(rc));
    if (res == nullptr) throw std::runtime_error("-group: unknown group \"" + escape_name(g) + "\"");
    return static_cast<long>(gr.gr_gid);
}

/// The directory where Linux keeps POSIX shared-memory objects (shm_open("/NAME")).
constexpr const char* shm_directory = "/dev/shm/";

/// A section name starting with '/' is a file at that path (a persistent section).
bool is_file(const std::string& section) { return !section.empty() && section[0] == '/'; }
/// Where the section's object lives in the file system.
std::string object_path(const std::string& section) { return is_file(section) ? section : shm_directory + section; }

/// -delete of something at the name that is not a regular file: the library would refuse
/// it (or, before it checks the type, block in open() on a FIFO). A directory cannot be
/// removed by shm_unlink(); a FIFO, socket or device is unlinked. Reports what it was on
/// stderr. (A symbolic link never comes here: the library refuses it.)
void remove_foreign_object(const options& opts, const std::string& what) {
    const std::string shown = "section \"" + escape_name(opts.section) + "\": not a counters section (" + what + ")";
    if (what == "a directory")
        throw std::runtime_error(shown + "; not removed: " +
                                 (is_file(opts.section) ? "a directory is never removed"
                                                        : "shm_unlink() cannot remove a directory") +
                                 " (remove " + escape_name(object_path(opts.section)) + " by hand)");
    const std::string path = "/" + opts.section;
    if ((is_file(opts.section) ? ::unlink(opts.section.c_str()) : ::shm_unlink(path.c_str())) != 0) {
        const int e = errno;
        if (e == ENOENT) throw error(errc::not_found, opts.section, "does not exist");
        throw std::runtime_error(shown + "; cannot remove it: " + std::strerror(e));
    }
    report(std::cerr, opts.prog, shown + "; removed");
}

} // namespace

std::optional<std::string> non_regular_object(const std::string& section) {
    const std::string path = object_path(section);
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || S_ISREG(st.st_mode)) return std::nullopt;
    if (S_ISFIFO(st.st_mode)) return "a FIFO";
    if (S_ISSOCK(st.st_mode)) return "a socket";
    if (S_ISCHR(st.st_mode)) return "a character device";
    if (S_ISBLK(st.st_mode)) return "a block device";
    if (S_ISLNK(st.st_mode)) return "a symbolic link";
    if (S_ISDIR(st.st_mode)) return "a directory";
    return "an object of unknown type";
}

int run(const options& opts) {
    switch (opts.what) {
    case options::action::create: {
        create_options co = opts.create;
        if (!opts.group.empty()) co.group = resolve_group(opts.group);
        if (!create_section(opts.section, co) && (opts.max_channels_given || opts.block_size_given)) {
            // A healthy section existed and was left untouched: say so when its size is not
            // what was asked for. Still a success: the section works (counters(1), EXIT STATUS).
            const section_info have = read_snapshot(opts.section).section;
            const std::string note = kept_section_note(
                opts.section, have.max_channels, have.block_size,
                opts.max_channels_given ? std::optional{co.max_channels} : std::nullopt,
                opts.block_size_given ? std::optional{co.block_size} : std::nullopt);
            if (!note.empty()) report(std::cerr, opts.prog, "warning: " + note);
        }
        return exit_ok;
    }
    case options::action::remove:
        // A symbolic link is left to the library, which refuses it (never followed, never
        // removed: it may be a trap pointing elsewhere, and the operator should look at it).
        if (const auto what = non_regular_object(opts.section); what && *what != "a symbolic link") {
            remove_foreign_object(opts, *what);
            return exit_ok;
        }
        delete_section(opts.section); // a section, or a foreign regular file (removed too)
        return exit_ok;
    case options::action::clear: {
        unsigned what = 0;
        if (opts.clear_channels) what |= static_cast<unsigned>(clear_what::channels);
        if (opts.clear_associations) what |= static_cast<unsigned>(clear_what::associations);
        clear_section(opts.section, static_cast<clear_what>(what));
        return exit_ok;
    }
    case options::action::show: {
        if (opts.output_format == options::format::prometheus) return show_prometheus(opts);
        if (opts.output.empty()) {
            // Streamed as the section is read: neither the section nor the text is ever held
            // in memory whole (a 10,000-channel section is 5.6 MB of values, 5.5 MB of text).
            const section_reader reader(opts.section);
            warn_untrusted(std::cerr, opts.prog, "section", reader.info().name, reader.info().distrust);
            write_streamed(std::cout, [&](std::ostream& out) {
                if (opts.output_format == options::format::json)
                    render_json(reader, opts.render, out);
                else
                    render_text(reader, opts.render, out);
            });
            return exit_ok;
        }
        // Read first: a missing section must not truncate an existing output file.
        const snapshot snap = read_snapshot(opts.section);
        warn_untrusted(std::cerr, opts.prog, "section", snap.section.name, snap.section.distrust);
        if (opts.output_format == options::format::json) {
            write_all(std::cout, opts.output, render_json(snap, opts.render));
        } else {
            write_all(std::cout, opts.output, render_text(snap, opts.render));
        }
        return exit_ok;
    }
    }
    return exit_failure;
}

} // namespace counters::tools::counters_cmd

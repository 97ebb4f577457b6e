// SPDX-License-Identifier: MIT
// run() of `counters`: carry out one action on a channel-counter section.
#include "counters_tool.hpp"

#include <counters/admin.hpp>
#include <counters/snapshot.hpp>
#include <counters_tools/cli.hpp>
#include <counters_tools/text.hpp>

#include <cerrno>
#include <cstring>
#include <grp.h>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace counters::tools::counters_cmd {

namespace {

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

} // namespace

int run(const options& opts) {
    switch (opts.what) {
    case options::action::create: {
        create_options co = opts.create;
        if (!opts.group.empty()) co.group = resolve_group(opts.group);
        create_section(opts.section, co); // false: a healthy section existed, left untouched
        return exit_ok;
    }
    case options::action::remove:
        delete_section(opts.section);
        return exit_ok;
    case options::action::clear: {
        unsigned what = 0;
        if (opts.clear_channels) what |= static_cast<unsigned>(clear_what::channels);
        if (opts.clear_associations) what |= static_cast<unsigned>(clear_what::associations);
        clear_section(opts.section, static_cast<clear_what>(what));
        return exit_ok;
    }
    case options::action::show: {
        // Read first: a missing section must not truncate an existing output file.
        const snapshot snap = read_snapshot(opts.section);
        if (opts.output_format == options::format::json) {
            std::ostringstream text;
            render_json(snap, opts.render, text);
            write_all(std::cout, opts.output, text.str());
        } else {
            write_all(std::cout, opts.output, render_text(snap, opts.render));
        }
        return exit_ok;
    }
    }
    return exit_failure;
}

} // namespace counters::tools::counters_cmd

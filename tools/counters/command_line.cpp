// SPDX-License-Identifier: MIT
// The command line of `counters`: original single-dash spellings, `--` spellings, checks.
#include "counters_tool.hpp"

#include <counters/error.hpp>
#include <counters/registry.hpp>
#include <counters_tools/cli.hpp>
#include <counters_tools/text.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <ostream>
#include <vector>

#ifndef COUNTERS_TOOL_VERSION
#define COUNTERS_TOOL_VERSION "unknown"
#endif

namespace counters::tools::counters_cmd {

std::string help_text(const std::string& prog) {
    const std::string pad(prog.size() + 8, ' ');
    std::string s;
    s += "usage: " + prog + " [--section name] -create [-max_channels=n] [-block_size=n]\n";
    s += pad + "[-mode=octal] [-group=group]\n";
    s += "       " + prog + " [--section name] -delete\n";
    s += "       " + prog + " [--section name] -clear [-channels] [-associations]\n";
    s += "       " + prog + " [--section name] -show [-associations | -noassociations]\n";
    s += pad + "[-channels | -nochannels] [-headers | -noheaders] [-output=file]\n";
    s += pad + "[-format=text|json|prometheus] [-registry=name] [-absolute]\n";
    s += pad + "[-minimums] [pattern]\n";
    s += "       " + prog + " --help\n";
    s += "       " + prog + " --version\n";
    s += R"(
Create, delete, clear or show the MTA channel counters kept in a shared-memory section.
Options may be spelled with one dash or two, in any case, and abbreviated to a unique prefix.

Actions (exactly one):
  -create            create the section (does nothing if a healthy one exists)
  -delete            delete the section
  -clear             zero the counters and their minimums (channels and associations)
  -show              print the counters of the channels matching pattern (default *)

Options:
  --section name     section to use, or /path for a file-backed (persistent) one
                     (default: $COUNTERS_SECTION, else imta_counters)
  -max_channels=n    -create: size of the channel table, 1..65536 (default 512)
  -block_size=n      -create: bytes per block, 1..1048576 (default 1024)
  -mode=octal        -create: permission bits of the section (default 0660)
  -group=group       -create: group name or number to give the section to
  -channels          -clear: zero the message rows; -show: print them (default)
  -associations      -clear: zero the association figures; -show: print them (default)
  -nochannels        -show: leave out the message rows and queue times
  -noassociations    -show: leave out the association totals
  -headers           -show: print the two header lines (default)
  -noheaders         -show: leave them out
  -output=file       -show: write to file instead of standard output (a temporary
                     file in the same directory, renamed over it when complete)
  -format=text|json|prometheus
                     -show: the text table (default), one JSON document, or the
                     Prometheus text exposition (for node_exporter's textfile collector)
  -registry=name     -show -format=prometheus: add the objects of this counter registry
  -absolute          -show: print each value minus its minimum since create/clear
  -minimums          -show: below each line, the minimums of its counters (text format)
  pattern            -show: channel names to print; * and ? are wildcards, case ignored
  -h, --help         print this help and exit
  --version          print the version and exit

Exit status: 0 success, 1 failure (section missing, permission, corrupt, I/O), 2 usage.
)";
    return s;
}

namespace {

using action = options::action;

/// The command line as CLI11 binds it, before the checks; each option's CLI::Option says
/// whether it was given.
struct raw_line {
    bool create = false, remove = false, clear = false, show = false;
    shared_options shared; ///< --section, --format
    std::string max_channels, block_size, mode, group, output;
    bool channels = true, associations = true, headers = true, absolute = false, minimums = false;
    std::string pattern = "*";
    CLI::Option *o_max = nullptr, *o_block = nullptr, *o_mode = nullptr, *o_group = nullptr;
    CLI::Option *o_chan = nullptr, *o_assoc = nullptr, *o_head = nullptr, *o_output = nullptr;
    CLI::Option *o_abs = nullptr, *o_min = nullptr, *o_pattern = nullptr;
};

/// Declares every option of `counters` on @p app, bound to @p r.
void declare_options(CLI::App& app, raw_line& r, const std::string& prog) {
    app.set_help_flag("-h,--help");
    app.set_version_flag("--version", prog + " (libcounters) " COUNTERS_TOOL_VERSION);
    app.add_flag("--create", r.create);
    app.add_flag("--delete", r.remove);
    app.add_flag("--clear", r.clear);
    app.add_flag("--show", r.show);
    add_shared_options(app, r.shared, opt_section | opt_registry | opt_format);
    r.o_max = app.add_option("--max_channels", r.max_channels);
    r.o_block = app.add_option("--block_size", r.block_size);
    r.o_mode = app.add_option("--mode", r.mode);
    r.o_group = app.add_option("--group", r.group);
    r.o_chan = app.add_flag("--channels,!--nochannels", r.channels);
    r.o_assoc = app.add_flag("--associations,!--noassociations", r.associations);
    r.o_head = app.add_flag("--headers,!--noheaders", r.headers);
    r.o_output = app.add_option("--output", r.output);
    r.o_abs = app.add_flag("--absolute", r.absolute);
    r.o_min = app.add_flag("--minimums", r.minimums);
    r.o_pattern = app.add_option("pattern", r.pattern);
}

/// The one action asked for; throws usage_error when there is none or more than one.
action pick_action(const raw_line& r, const std::string& prog) {
    const int n = int(r.create) + int(r.remove) + int(r.clear) + int(r.show);
    if (n != 1)
        throw usage_error("exactly one of -create, -delete, -clear or -show is required (see " + prog + " --help)");
    return r.create ? action::create : r.remove ? action::remove : r.clear ? action::clear : action::show;
}

const char* action_name(action a) {
    switch (a) {
    case action::create: return "-create";
    case action::remove: return "-delete";
    case action::clear: return "-clear";
    case action::show: break;
    }
    return "-show";
}

/// Throws usage_error `-X is not valid with -ACTION` for an option given to an action it does
/// not apply to.
void check_options_fit(const raw_line& r, action what) {
    struct rule {
        const CLI::Option* opt;
        std::string name;
        std::vector<action> allowed;
    };
    const std::vector<action> clear_or_show{action::clear, action::show};
    const std::vector<rule> rules = {
        {r.o_max, "-max_channels", {action::create}},
        {r.o_block, "-block_size", {action::create}},
        {r.o_mode, "-mode", {action::create}},
        {r.o_group, "-group", {action::create}},
        {r.o_chan, r.channels ? "-channels" : "-nochannels", r.channels ? clear_or_show : std::vector{action::show}},
        {r.o_assoc, r.associations ? "-associations" : "-noassociations",
         r.associations ? clear_or_show : std::vector{action::show}},
        {r.o_head, r.headers ? "-headers" : "-noheaders", {action::show}},
        {r.o_output, "-output", {action::show}},
        {r.shared.format_option, "-format", {action::show}},
        {r.shared.registry_option, "-registry", {action::show}},
        {r.o_abs, "-absolute", {action::show}},
        {r.o_min, "-minimums", {action::show}},
        {r.o_pattern, "pattern \"" + escape_name(r.pattern) + "\"", {action::show}},
    };
    for (const rule& x : rules) {
        if (x.opt->count() == 0) continue;
        if (std::find(x.allowed.begin(), x.allowed.end(), what) == x.allowed.end())
            throw usage_error(x.name + " is not valid with " + action_name(what));
    }
}

/// -create: sizes, mode and group.
void resolve_create(const raw_line& r, options& opts) {
    opts.max_channels_given = r.o_max->count() != 0;
    opts.block_size_given = r.o_block->count() != 0;
    if (r.o_max->count() != 0)
        opts.create.max_channels =
            static_cast<std::uint32_t>(parse_number("max_channels", r.max_channels, 1, max_max_channels));
    if (r.o_block->count() != 0)
        opts.create.block_size = static_cast<std::uint32_t>(parse_number("block_size", r.block_size, 1, max_block_size));
    if (r.o_mode->count() != 0) opts.create.mode = parse_mode("mode", r.mode);
    if (r.o_group->count() != 0 && r.group.empty()) throw usage_error("-group: empty group name");
    opts.group = r.group;
}

/// -clear: -channels and -associations pick what to zero (both when neither is given).
void resolve_clear(const raw_line& r, options& opts) {
    if (r.o_chan->count() == 0 && r.o_assoc->count() == 0) return;
    opts.clear_channels = r.o_chan->count() != 0;
    opts.clear_associations = r.o_assoc->count() != 0;
}

/// -show: what to print, in which format, where.
void resolve_show(const raw_line& r, options& opts) {
    opts.render.channels = r.channels;
    opts.render.associations = r.associations;
    opts.render.headers = r.headers;
    opts.render.absolute = r.absolute;
    opts.render.minimums = r.minimums;
    opts.render.pattern = r.pattern;
    if (lower(r.shared.format) == "prometheus") {
        opts.output_format = options::format::prometheus;
    } else {
        const auto f = format_named(r.shared.format);
        if (!f)
            throw usage_error("-format: unknown format \"" + escape_name(r.shared.format) +
                                  "\" (text, json or prometheus)",
                              usage_kind::bad_format);
        opts.output_format = *f == output_format::json ? options::format::json : options::format::text;
    }
    if (r.shared.registry_option->count() != 0) {
        if (opts.output_format != options::format::prometheus)
            throw usage_error("-registry is only valid with -format=prometheus");
        if (r.shared.registry.empty()) throw usage_error("-registry: empty registry name");
        opts.registry = counters::registry_name(r.shared.registry);
        counters::validate_registry_name(opts.registry);
    }
    if (r.o_output->count() != 0 && r.output.empty()) throw usage_error("-output: empty file name");
    opts.output = r.output;
}

/// The checks after parsing; throws usage_error or counters::error (a bad section name).
void resolve(const raw_line& r, options& opts, const std::string& prog) {
    opts.prog = prog;
    opts.what = pick_action(r, prog);
    check_options_fit(r, opts.what);
    opts.section = resolve_section(r.shared.section, r.shared.section_option->count() != 0);
    resolve_create(r, opts);
    resolve_clear(r, opts);
    resolve_show(r, opts);
}

} // namespace

std::optional<int> parse_command_line(int argc, const char* const* argv, options& opts, std::ostream& out,
                                      std::ostream& err, const std::string& prog) {
    CLI::App app{"", prog};
    raw_line r;
    declare_options(app, r, prog);
    if (auto code = tools::parse_command_line(app, argc, argv, out, err, help_text(prog))) return code;
    return checked(err, prog, [&] { resolve(r, opts, prog); });
}

} // namespace counters::tools::counters_cmd

// The command line of `counters`: original single-dash spellings, `--` spellings, checks.
#include "counters_tool.hpp"

#include <counters/error.hpp>
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
    s += pad + "[-format=text|json] [-absolute] [pattern]\n";
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
  --section name     section to use (default: $COUNTERS_SECTION, else imta_counters)
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
  -output=file       -show: write to file (overwritten) instead of standard output
  -format=text|json  -show: the text table (default) or one JSON document
  -absolute          -show: print each value minus its minimum since create/clear
  pattern            -show: channel names to print; * and ? are wildcards, case ignored
  -h, --help         print this help and exit
  --version          print the version and exit

Exit status: 0 success, 1 failure (section missing, permission, corrupt, I/O), 2 usage.
)";
    return s;
}

namespace {

struct action_flags {
    bool create = false, remove = false, clear = false, show = false;
};

} // namespace

std::optional<int> parse_command_line(int argc, const char* const* argv, options& opts, std::ostream& out,
                                      std::ostream& err, const std::string& prog) {
    CLI::App app{"", prog};
    app.set_help_flag("-h,--help");
    app.set_version_flag("--version", prog + " (libcounters) " COUNTERS_TOOL_VERSION);

    action_flags act;
    std::string section, max_channels, block_size, mode, format = "text";
    bool channels = true, associations = true, headers = true;
    std::string pattern = "*";

    CLI::Option* o_create = app.add_flag("--create", act.create);
    CLI::Option* o_delete = app.add_flag("--delete", act.remove);
    CLI::Option* o_clear = app.add_flag("--clear", act.clear);
    CLI::Option* o_show = app.add_flag("--show", act.show);
    CLI::Option* o_section = app.add_option("--section", section);
    CLI::Option* o_max = app.add_option("--max_channels", max_channels);
    CLI::Option* o_block = app.add_option("--block_size", block_size);
    CLI::Option* o_mode = app.add_option("--mode", mode);
    CLI::Option* o_group = app.add_option("--group", opts.group);
    CLI::Option* o_chan = app.add_flag("--channels,!--nochannels", channels);
    CLI::Option* o_assoc = app.add_flag("--associations,!--noassociations", associations);
    CLI::Option* o_head = app.add_flag("--headers,!--noheaders", headers);
    CLI::Option* o_output = app.add_option("--output", opts.output);
    CLI::Option* o_format = app.add_option("--format", format);
    CLI::Option* o_abs = app.add_flag("--absolute", opts.render.absolute);
    CLI::Option* o_pattern = app.add_option("pattern", pattern);
    (void)o_section;

    if (auto code = tools::parse_command_line(app, argc, argv, out, err, help_text(prog))) return code;

    try {
        const int n = int(act.create) + int(act.remove) + int(act.clear) + int(act.show);
        if (n != 1)
            throw usage_error("exactly one of -create, -delete, -clear or -show is required (see " + prog +
                              " --help)");
        using A = options::action;
        opts.what = act.create ? A::create : act.remove ? A::remove : act.clear ? A::clear : A::show;
        const char* const action_name = act.create ? "-create" : act.remove ? "-delete" : act.clear ? "-clear" : "-show";

        // Which options each action accepts; anything else is a mistake worth reporting.
        struct rule {
            const CLI::Option* opt;
            std::string name;
            std::vector<A> allowed;
        };
        const std::vector<rule> rules = {
            {o_max, "-max_channels", {A::create}},
            {o_block, "-block_size", {A::create}},
            {o_mode, "-mode", {A::create}},
            {o_group, "-group", {A::create}},
            {o_chan, channels ? "-channels" : "-nochannels", channels ? std::vector<A>{A::clear, A::show} : std::vector<A>{A::show}},
            {o_assoc, associations ? "-associations" : "-noassociations",
             associations ? std::vector<A>{A::clear, A::show} : std::vector<A>{A::show}},
            {o_head, headers ? "-headers" : "-noheaders", {A::show}},
            {o_output, "-output", {A::show}},
            {o_format, "-format", {A::show}},
            {o_abs, "-absolute", {A::show}},
            {o_pattern, "pattern \"" + escape_name(pattern) + "\"", {A::show}},
        };
        for (const rule& r : rules) {
            if (r.opt->count() == 0) continue;
            if (std::find(r.allowed.begin(), r.allowed.end(), opts.what) == r.allowed.end())
                throw usage_error(r.name + " is not valid with " + action_name);
        }
        (void)o_create, (void)o_delete, (void)o_clear, (void)o_show;

        opts.section = counters::section_name(section);
        counters::validate_section_name(opts.section);

        if (o_max->count() != 0)
            opts.create.max_channels =
                static_cast<std::uint32_t>(parse_number("max_channels", max_channels, 1, max_max_channels));
        if (o_block->count() != 0)
            opts.create.block_size =
                static_cast<std::uint32_t>(parse_number("block_size", block_size, 1, max_block_size));
        if (o_mode->count() != 0) opts.create.mode = parse_mode("mode", mode);
        if (o_group->count() != 0 && opts.group.empty()) throw usage_error("-group: empty group name");

        if (opts.what == A::clear && (o_chan->count() != 0 || o_assoc->count() != 0)) {
            opts.clear_channels = o_chan->count() != 0;
            opts.clear_associations = o_assoc->count() != 0;
        }

        opts.render.channels = channels;
        opts.render.associations = associations;
        opts.render.headers = headers;
        opts.render.pattern = pattern;
        std::string f = format;
        std::transform(f.begin(), f.end(), f.begin(),
                       [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; });
        if (f == "text")
            opts.output_format = options::format::text;
        else if (f == "json")
            opts.output_format = options::format::json;
        else
            throw usage_error("-format: unknown format \"" + escape_name(format) + "\" (text or json)");
        if (o_output->count() != 0 && opts.output.empty()) throw usage_error("-output: empty file name");
    } catch (const usage_error& e) {
        report(err, prog, e.what());
        return exit_usage;
    } catch (const counters::error& e) { // a bad section name
        report(err, prog, e.what());
        return exit_usage;
    }
    return std::nullopt;
}

} // namespace counters::tools::counters_cmd

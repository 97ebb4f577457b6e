// SPDX-License-Identifier: MIT
// qm: the option parser of each sub-command, all through the tools' front door.
#include "qm_commands.hpp"
#include "qm_internal.hpp"

#include <counters/options.hpp>

#include <CLI/CLI.hpp>

namespace counters::tools::qm {

void add_place_options(CLI::App& app, place_options& p) {
    p.queue_option = app.add_option("--queue", p.queue);
    add_shared_options(app, p.shared, opt_section);
}

place resolve_place(const place_options& p) {
    place where;
    if (p.queue_option->count() != 0) {
        if (p.queue.empty()) throw usage_error("-queue: empty directory name", usage_kind::bad_option);
        where.queue = p.queue;
    }
    if (p.shared.section_option->count() != 0) where.section = resolve_section(p.shared.section, true);
    return where;
}

namespace {

/// Adds -queue, -section and -verbose to @p app, parses @p words, and returns the place they
/// name. A sub-command has no help flag: `-h` is a prefix like any other.
place parse_with_place(CLI::App& app, const std::vector<std::string>& words) {
    place_options p;
    add_place_options(app, p);
    bool verbose = false;
    app.add_flag("--verbose", verbose);
    app.set_help_flag();
    parse_words(app, words);
    place where = resolve_place(p);
    where.verbose = verbose;
    return where;
}

/// parse_with_place() for a command that takes an optional channel-name pattern (`*` when
/// it is missing or empty).
place parse_with_pattern(CLI::App& app, const std::vector<std::string>& words, std::string& pattern) {
    app.add_option("channel-name", pattern);
    place where = parse_with_place(app, words);
    if (pattern.empty()) pattern = "*";
    return where;
}

} // namespace

clear_request parse_counters_clear(const std::vector<std::string>& words) {
    CLI::App app{"", "counters clear"};
    bool channels = false, associations = false;
    app.add_flag("--channels", channels);
    app.add_flag("--associations", associations);
    clear_request r;
    r.where = parse_with_place(app, words);
    if (channels || associations) {
        r.channels = channels;
        r.associations = associations;
    }
    return r;
}

create_request parse_counters_create(const std::vector<std::string>& words) {
    CLI::App app{"", "counters create"};
    std::string max_channels;
    CLI::Option* om = app.add_option("--max_channels", max_channels);
    create_request r;
    r.where = parse_with_place(app, words);
    if (om->count() != 0)
        r.max_channels = static_cast<std::uint32_t>(parse_number("max_channels", max_channels, 1, max_max_channels));
    return r;
}

delete_request parse_counters_delete(const std::vector<std::string>& words) {
    CLI::App app{"", "counters delete"};
    delete_request r;
    r.where = parse_with_place(app, words);
    return r;
}

show_request parse_counters_show(const std::vector<std::string>& words) {
    CLI::App app{"", "counters show"};
    show_request r;
    shared_options shared;
    app.add_flag("--headers,!--noheaders", r.render.headers);
    app.add_flag("--absolute", r.render.absolute);
    app.add_flag("--minimums", r.render.minimums);
    CLI::Option* oo = app.add_option("--output", r.output);
    add_shared_options(app, shared, opt_format);
    r.where = parse_with_pattern(app, words, r.render.pattern);
    r.format = resolve_format(shared.format);
    if (oo->count() != 0 && r.output.empty())
        throw usage_error("-output: empty file name", usage_kind::bad_option);
    return r;
}

summarize_request parse_summarize(const std::vector<std::string>& words) {
    CLI::App app{"", "summarize"};
    summarize_request r;
    app.add_flag("--heading,!--noheading", r.heading);
    app.add_flag("--held,!--noheld", r.held);
    app.add_flag("--trailing,!--notrailing", r.trailing);
    r.where = parse_with_pattern(app, words, r.pattern);
    return r;
}

directory_request parse_directory(const std::vector<std::string>& words) {
    CLI::App app{"", "directory"};
    directory_request r;
    app.add_flag("--held,!--noheld", r.held);
    app.add_flag("--total,!--nototal", r.total);
    r.where = parse_with_pattern(app, words, r.pattern);
    return r;
}

held_request parse_held(const std::vector<std::string>& words) {
    CLI::App app{"", "held"};
    held_request r;
    app.add_flag("--total,!--nototal", r.total);
    r.where = parse_with_pattern(app, words, r.pattern);
    return r;
}

} // namespace counters::tools::qm

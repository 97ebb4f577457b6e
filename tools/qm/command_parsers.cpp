// SPDX-License-Identifier: MIT
// qm: the option parser of each sub-command, all through the tools' front door.
#include "qm_commands.hpp"
#include "qm_internal.hpp"

#include <counters/options.hpp>
#include <counters_tools/text.hpp>

#include <CLI/CLI.hpp>

#include <initializer_list>

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

/// An abbreviation that the original accepted for an option whose prefix is otherwise
/// ambiguous: `word` (lower case, without dashes) means `option`.
struct abbreviation {
    const char* word;
    const char* option;
};

/// Rewrites the words of @p words that are, in any case and with one or two dashes, one of
/// the documented abbreviations of @p table to `--option` (keeping any `=value`). Every other
/// word is left to the front door's rules: an exact name wins, a unique prefix is accepted,
/// any other ambiguous prefix is an error naming the candidates.
void apply_abbreviations(std::vector<std::string>& words, std::initializer_list<abbreviation> table) {
    for (std::string& w : words) {
        if (w == "--") break;
        if (w.size() < 2 || w[0] != '-') continue;
        const std::size_t start = w[1] == '-' ? 2 : 1;
        const std::size_t eq = w.find('=', start);
        const std::string name = lower(w.substr(start, eq == std::string::npos ? std::string::npos : eq - start));
        for (const abbreviation& a : table) {
            if (name == a.word) {
                w = std::string("--") + a.option + (eq == std::string::npos ? std::string() : w.substr(eq));
                break;
            }
        }
    }
}

/// The -database and -directory_tree flags of @p app; resolve_source() reads them.
struct source_flags {
    bool database = false;
    bool directory_tree = false;
};

void add_source_flags(CLI::App& app, source_flags& f) {
    app.add_flag("--database", f.database);
    app.add_flag("--directory_tree", f.directory_tree);
}

std::optional<view_source> resolve_source(const source_flags& f) {
    if (f.database && f.directory_tree)
        throw usage_error("-database and -directory_tree exclude each other", usage_kind::bad_option);
    if (f.database) return view_source::database;
    if (f.directory_tree) return view_source::directory_tree;
    return std::nullopt;
}

/// Channel-name patterns given as several words and/or separated by commas; `*` when none.
std::vector<std::string> split_patterns(const std::vector<std::string>& given) {
    std::vector<std::string> out;
    for (const std::string& g : given) {
        std::size_t start = 0;
        for (;;) {
            const std::size_t comma = g.find(',', start);
            std::string p = g.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            if (!p.empty()) out.push_back(std::move(p));
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    }
    if (out.empty()) out.emplace_back("*");
    return out;
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
    source_flags src;
    add_source_flags(app, src);
    app.add_flag("--heading,!--noheading", r.heading);
    app.add_flag("--held,!--noheld", r.held);
    app.add_flag("--trailing,!--notrailing", r.trailing);
    // As the original accepted them: `su -noh -he` is `summarize -noheading -held`.
    std::vector<std::string> w = words;
    apply_abbreviations(w, {{"he", "held"}, {"noh", "noheading"}});
    r.where = parse_with_pattern(app, w, r.pattern);
    r.source = resolve_source(src);
    return r;
}

directory_request parse_directory(const std::vector<std::string>& words) {
    CLI::App app{"", "directory"};
    directory_request r;
    source_flags src;
    add_source_flags(app, src);
    std::string owner, from, to, match;
    app.add_flag("--envelope", r.envelope);
    CLI::Option* oo = app.add_option("--owner", owner);
    CLI::Option* of = app.add_option("--from", from);
    CLI::Option* ot = app.add_option("--to", to);
    CLI::Option* om = app.add_option("--match", match);
    app.add_flag("--file_info,!--nofile_info", r.file_info);
    app.add_flag("--held,!--noheld", r.held);
    app.add_flag("--total,!--nototal", r.total);
    std::vector<std::string> patterns;
    app.add_option("channel-name", patterns);
    r.where = parse_with_place(app, words);
    r.source = resolve_source(src);
    r.patterns = split_patterns(patterns);
    if (oo->count() != 0) {
        if (owner.empty()) throw usage_error("-owner: empty user name", usage_kind::bad_option);
        r.owner = owner;
    }
    if (of->count() != 0) r.from = from;
    if (ot->count() != 0) {
        if (to.empty()) throw usage_error("-to: empty address", usage_kind::bad_option);
        r.to = to;
    }
    if (om->count() != 0) {
        const std::string m = lower(match);
        if (m == "or") r.match = match_mode::match_or;
        else if (m == "and") r.match = match_mode::match_and;
        else throw usage_error("-match: \"" + escape_name(match) + "\" is neither and nor or");
    }
    if (r.from || r.to) r.envelope = true;
    return r;
}

held_request parse_held(const std::vector<std::string>& words) {
    CLI::App app{"", "held"};
    held_request r;
    app.add_flag("--total,!--nototal", r.total);
    r.where = parse_with_pattern(app, words, r.pattern);
    return r;
}

messages_request parse_messages(const std::vector<std::string>& words) {
    CLI::App app{"", "messages"};
    messages_request r;
    app.add_option("channel-name", r.pattern);
    r.where = parse_with_place(app, words);
    if (r.pattern.empty()) throw usage_error("messages needs a channel name", usage_kind::unexpected_argument);
    return r;
}

view_request parse_view(const std::vector<std::string>& words) {
    CLI::App app{"", "view"};
    app.set_help_flag();
    source_flags src;
    add_source_flags(app, src);
    parse_words(app, words);
    const std::optional<view_source> s = resolve_source(src);
    if (!s) throw usage_error("view needs -database or -directory_tree", usage_kind::bad_value);
    return view_request{*s};
}

} // namespace counters::tools::qm

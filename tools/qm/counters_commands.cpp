// qm counters clear | create | delete | show: the channel-counter section, with Stored reset
// from the queue directory tree when one is configured.
#include "qm_internal.hpp"

#include <counters/admin.hpp>
#include <counters/snapshot.hpp>
#include <counters_queue/queue.hpp>
#include <counters_tools/cli.hpp>
#include <counters_tools/render.hpp>
#include <counters_tools/text.hpp>

#include <algorithm>
#include <sstream>
#include <system_error>

namespace counters::tools::qm {

namespace {

std::string in_quotes(const std::string& s) { return "\"" + escape_name(s) + "\""; }

/// Creates the section when it is missing (with @p co), saying so.
void ensure_section(const context& ctx, const create_options& co = {}) {
    if (create_section(ctx.section, co)) say(ctx, 'I', "CREATED", "created section " + in_quotes(ctx.section));
}

/// Sets every channel's Stored counters from the queue tree, when a queue is configured:
/// messages, recipients and blocks of every message file, held ones included.
void reset_from_queue(const context& ctx) {
    if (ctx.queue.empty()) return;
    queue::scan_options so;
    so.block_size = read_snapshot(ctx.section).section.block_size;
    queue::scan_result r;
    try {
        r = queue::scan_tree(ctx.queue, so);
    } catch (const std::system_error& e) {
        throw qm_error("QUEUEDIR", escape_name(e.what()), exit_failure);
    }
    for (const queue::problem& p : r.problems)
        say(ctx, 'W', "SKIPPED", escape_name(p.path) + ": " + escape_name(p.message));
    std::map<std::string, stored_values> stored;
    for (const auto& [name, sum] : r.channels) {
        const queue::totals all = sum.all();
        stored[name] = stored_values{static_cast<std::int64_t>(all.messages), static_cast<std::int64_t>(all.recipients),
                                     static_cast<std::int64_t>(all.blocks)};
    }
    reset_stored(ctx.section, stored);
    say(ctx, 'I', "STORED", "set Stored of " + std::to_string(stored.size()) + " channel" +
                                (stored.size() == 1 ? "" : "s") + " from queue " + in_quotes(ctx.queue));
}

} // namespace

int counters_clear(context& ctx, const std::vector<std::string>& args) {
    CLI::App app{"", "counters clear"};
    bool channels = false, associations = false;
    app.add_flag("--channels", channels);
    app.add_flag("--associations", associations);
    parse_args(app, args, ctx);
    if (!channels && !associations) channels = associations = true;
    ensure_section(ctx);
    unsigned what = 0;
    if (channels) what |= static_cast<unsigned>(clear_what::channels);
    if (associations) what |= static_cast<unsigned>(clear_what::associations);
    clear_section(ctx.section, static_cast<clear_what>(what));
    const char* which = channels && associations ? "channel and association" : channels ? "channel" : "association";
    say(ctx, 'I', "CLEARED", std::string("cleared the ") + which + " counters of section " + in_quotes(ctx.section));
    if (channels) reset_from_queue(ctx);
    return exit_ok;
}

int counters_create(context& ctx, const std::vector<std::string>& args) {
    CLI::App app{"", "counters create"};
    std::string max_channels;
    CLI::Option* om = app.add_option("--max_channels", max_channels);
    parse_args(app, args, ctx);
    create_options co;
    if (om->count() != 0)
        co.max_channels = static_cast<std::uint32_t>(parse_number("max_channels", max_channels, 1, max_max_channels));
    if (create_section(ctx.section, co))
        say(ctx, 'I', "CREATED", "created section " + in_quotes(ctx.section));
    else
        say(ctx, 'I', "EXISTS", "section " + in_quotes(ctx.section) + " already exists");
    reset_from_queue(ctx);
    return exit_ok;
}

int counters_delete(context& ctx, const std::vector<std::string>& args) {
    CLI::App app{"", "counters delete"};
    parse_args(app, args, ctx);
    delete_section(ctx.section);
    say(ctx, 'I', "DELETED", "deleted section " + in_quotes(ctx.section));
    return exit_ok;
}

int counters_show(context& ctx, const std::vector<std::string>& args) {
    CLI::App app{"", "counters show"};
    render_options ro;
    std::string output, format = "text";
    app.add_flag("--headers,!--noheaders", ro.headers);
    CLI::Option* oo = app.add_option("--output", output);
    app.add_option("--format", format);
    app.add_option("channel-name", ro.pattern);
    parse_args(app, args, ctx);
    std::string f = format;
    std::transform(f.begin(), f.end(), f.begin(),
                   [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; });
    if (f != "text" && f != "json")
        throw qm_error("BADFORMAT", "-format: unknown format " + in_quotes(format) + " (text or json)", exit_usage);
    if (oo->count() != 0 && output.empty()) throw qm_error("BADOPTION", "-output: empty file name", exit_usage);
    if (ro.pattern.empty()) ro.pattern = "*";

    ensure_section(ctx);
    reset_from_queue(ctx);
    const snapshot snap = read_snapshot(ctx.section);
    if (f == "json") {
        std::ostringstream text;
        render_json(snap, ro, text);
        emit(ctx, text.str(), output);
    } else {
        emit(ctx, render_text(snap, ro), output);
    }
    return exit_ok;
}

} // namespace counters::tools::qm

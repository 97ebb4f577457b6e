// SPDX-License-Identifier: MIT
// qm counters clear | create | delete | show: the channel-counter section, with Stored reset
// from the queue directory tree when one is configured.
#include "qm_internal.hpp"

#include <counters/admin.hpp>
#include <counters/snapshot.hpp>
#include <counters_queue/queue.hpp>
#include <counters_tools/cli.hpp>
#include <counters_tools/render.hpp>
#include <counters_tools/text.hpp>

#include <sstream>
#include <system_error>

namespace counters::tools::qm {

namespace {

std::string in_quotes(const std::string& s) { return "\"" + escape_name(s) + "\""; }

/// Creates the section when it is missing (with @p co), saying so.
void ensure_section(const context& ctx, const create_options& co = {}) {
    if (create_section(ctx.section, co)) say(ctx, 'I', "CREATED", "created section " + in_quotes(ctx.section));
}

/// Sets every channel's Stored counters from the queue tree: messages, recipients and blocks
/// of every message file, held ones included. When there is no tree to read (none configured,
/// or its root cannot be opened), says so in one `%QM-W-NOTRESET` line and leaves Stored as
/// it is: the command itself has done what it was asked.
void reset_from_queue(const context& ctx) {
    if (ctx.queue.empty()) {
        say(ctx, 'W', "NOTRESET", "Stored not reset: no queue directory; use -queue=DIR or set COUNTERS_QUEUE");
        return;
    }
    queue::scan_options so;
    so.block_size = read_snapshot(ctx.section).section.block_size;
    queue::scan_result r;
    try {
        r = queue::scan_tree(ctx.queue, so);
    } catch (const std::system_error& e) {
        say(ctx, 'W', "NOTRESET", "Stored not reset: " + escape_name(e.what()));
        return;
    }
    report_scan(ctx, r);
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
    const clear_request r = parse_counters_clear(args);
    use(ctx, r.where);
    const bool channels = r.channels, associations = r.associations;
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
    const create_request r = parse_counters_create(args);
    use(ctx, r.where);
    create_options co;
    if (r.max_channels) co.max_channels = *r.max_channels;
    if (create_section(ctx.section, co)) {
        say(ctx, 'I', "CREATED", "created section " + in_quotes(ctx.section));
    } else {
        // Kept as it is; a warning when -max_channels asked for another size (exit still 0).
        const section_info have = read_snapshot(ctx.section).section;
        const std::string note =
            kept_section_note(ctx.section, have.max_channels, have.block_size, r.max_channels, std::nullopt);
        if (note.empty())
            say(ctx, 'I', "EXISTS", "section " + in_quotes(ctx.section) + " already exists");
        else
            say(ctx, 'W', "EXISTS", note);
    }
    reset_from_queue(ctx);
    return exit_ok;
}

int counters_delete(context& ctx, const std::vector<std::string>& args) {
    use(ctx, parse_counters_delete(args).where);
    delete_section(ctx.section);
    say(ctx, 'I', "DELETED", "deleted section " + in_quotes(ctx.section));
    return exit_ok;
}

int counters_show(context& ctx, const std::vector<std::string>& args) {
    const show_request r = parse_counters_show(args);
    use(ctx, r.where);

    ensure_section(ctx);
    reset_from_queue(ctx);
    const snapshot snap = read_snapshot(ctx.section);
    if (!snap.section.distrust.empty())
        say(ctx, 'W', "UNTRUSTED", untrusted_warning("section", snap.section.name, snap.section.distrust));
    if (r.format == output_format::json) {
        std::ostringstream text;
        render_json(snap, r.render, text);
        write_all(ctx.out, r.output, text.str());
    } else {
        write_all(ctx.out, r.output, render_text(snap, r.render));
    }
    return exit_ok;
}

} // namespace counters::tools::qm

// SPDX-License-Identifier: MIT
// qm summarize | directory | held: reports on the queue directory tree.
#include "qm_internal.hpp"

#include <counters_queue/queue.hpp>
#include <counters_tools/cli.hpp>
#include <counters_tools/text.hpp>

#include <fmt/format.h>

#include <ctime>
#include <system_error>

namespace counters::tools::qm {

namespace {

queue::scan_result scan(const context& ctx, bool entries, const std::string& pattern) {
    const std::string& root = require_queue(ctx);
    queue::scan_options so;
    so.block_size = block_size_for(ctx);
    so.entries = entries;
    if (pattern != "*") so.channel_filter = [&pattern](const std::string& ch) { return wildcard_match(pattern, ch); };
    queue::scan_result r;
    try {
        r = queue::scan_tree(root, so);
    } catch (const std::system_error& e) {
        throw qm_error("QUEUEDIR", escape_name(e.what()), exit_failure);
    }
    report_scan(ctx, r);
    return r;
}

/// Age of a message created at @p created: `H:MM:SS`, or `Nd HH:MM:SS` from one day on.
std::string age(std::int64_t created, std::int64_t now) {
    if (created == 0) return "-";
    std::int64_t s = now > created ? now - created : 0;
    const std::int64_t d = s / 86400;
    s %= 86400;
    if (d > 0) return fmt::format("{}d {:02}:{:02}:{:02}", d, s / 3600, s / 60 % 60, s % 60);
    return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
}

/// Local time `YYYY-MM-DD HH:MM:SS`.
std::string local_time(std::int64_t t) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    if (::localtime_r(&tt, &tm) == nullptr) return std::to_string(t);
    char buf[32];
    if (std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm) == 0) return std::to_string(t);
    return buf;
}

std::string plural(std::uint64_t n, const char* word) {
    return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

/// The per-message listing shared by `directory` and `held`.
int list_messages(context& ctx, bool queued, bool held, bool total, const std::string& pattern) {
    const queue::scan_result r = scan(ctx, true, pattern);
    std::string out;
    std::string channel;
    std::uint64_t n = 0, blocks = 0, all_n = 0, all_blocks = 0, shown_channels = 0;
    const auto close_channel = [&] {
        if (channel.empty()) return;
        if (total) out += fmt::format("\nTotal: {}, {}\n", plural(n, "message"), plural(blocks, "block"));
        all_n += n;
        all_blocks += blocks;
        n = blocks = 0;
    };
    for (const queue::message_entry& m : r.messages) {
        if (m.held ? !held : !queued) continue;
        if (m.channel != channel) {
            close_channel();
            if (shown_channels++ > 0) out += '\n';
            channel = m.channel;
            out += fmt::format("Channel: {}\n\n", escape_name(channel));
            out += fmt::format("{:<40} {:>10} {:<19} {:>8}\n", "File", "Blocks", "Queued since", "Attempts");
            out += fmt::format("{:-<40} {:->10} {:-<19} {:->8}\n", "", "", "", "");
        }
        out += fmt::format("{:<40} {:>10} {:<19} {:>8}\n", escape_name(m.file), m.blocks, local_time(m.created),
                           m.attempts);
        ++n;
        blocks += m.blocks;
    }
    close_channel();
    if (total && shown_channels > 1)
        out += fmt::format("\nGrand total: {}, {} in {}\n", plural(all_n, "message"), plural(all_blocks, "block"),
                           plural(shown_channels, "channel"));
    write_all(ctx.out, {}, out);
    if (shown_channels == 0)
        say(ctx, 'I', "NOMSGS", held && !queued ? "no held messages" : "no messages queued");
    return exit_ok;
}

} // namespace

int summarize(context& ctx, const std::vector<std::string>& args) {
    const summarize_request req = parse_summarize(args);
    use(ctx, req.where);
    const bool heading = req.heading, held = req.held, trailing = req.trailing;
    const queue::scan_result r = scan(ctx, false, req.pattern);
    const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));

    const auto line = [held](const std::string& c, const std::string& m, const std::string& h, const std::string& b,
                             const std::string& o) {
        return held ? fmt::format("{:<22} {:>10} {:>10} {:>10} {}\n", c, m, h, b, o)
                    : fmt::format("{:<22} {:>10} {:>10} {}\n", c, m, b, o);
    };
    const std::string dashes =
        held ? fmt::format("{:-<22} {:->10} {:->10} {:->10} {:-<15}\n", "", "", "", "", "")
             : fmt::format("{:-<22} {:->10} {:->10} {:-<15}\n", "", "", "", "");
    std::string out;
    if (heading) {
        out += held ? fmt::format("{:<22} {:<10} {:<10} {:<10} {}\n", "Channel", "Messages", "Held", "Blocks", "Oldest")
                    : fmt::format("{:<22} {:<10} {:<10} {}\n", "Channel", "Messages", "Blocks", "Oldest");
        out += dashes;
    }
    queue::totals sum_all;
    std::uint64_t sum_held = 0;
    for (const auto& [name, s] : r.channels) {
        const queue::totals t = held ? s.all() : s.queued;
        out += line(escape_name(name), std::to_string(t.messages), std::to_string(s.held.messages),
                    std::to_string(t.blocks), age(t.oldest, now));
        sum_all.add(t);
        sum_held += s.held.messages;
    }
    if (trailing) {
        out += dashes;
        out += line("Total", std::to_string(sum_all.messages), std::to_string(sum_held), std::to_string(sum_all.blocks),
                    age(sum_all.oldest, now));
    }
    write_all(ctx.out, {}, out);
    return exit_ok;
}

int directory(context& ctx, const std::vector<std::string>& args) {
    const directory_request r = parse_directory(args);
    use(ctx, r.where);
    return list_messages(ctx, true, r.held, r.total, r.pattern);
}

int held(context& ctx, const std::vector<std::string>& args) {
    const held_request r = parse_held(args);
    use(ctx, r.where);
    return list_messages(ctx, false, true, r.total, r.pattern);
}

} // namespace counters::tools::qm

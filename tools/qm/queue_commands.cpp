// SPDX-License-Identifier: MIT
// qm summarize | directory | held | messages | view: reports on the queue directory tree.
#include "qm_internal.hpp"

#include <counters_queue/queue.hpp>
#include <counters_tools/cli.hpp>
#include <counters_tools/text.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace counters::tools::qm {

namespace {

/// True when @p name matches one of @p patterns.
bool matches_any(const std::vector<std::string>& patterns, const std::string& name) {
    return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& p) { return wildcard_match(p, name); });
}

queue::scan_result scan(const context& ctx, bool entries, const std::vector<std::string>& patterns) {
    const std::string& root = require_queue(ctx);
    queue::scan_options so;
    so.block_size = block_size_for(ctx);
    so.entries = entries;
    if (!(patterns.size() == 1 && patterns[0] == "*"))
        so.channel_filter = [&patterns](const std::string& ch) { return matches_any(patterns, ch); };
    queue::scan_result r;
    try {
        r = queue::scan_tree(root, so);
    } catch (const std::system_error& e) {
        throw qm_error("QUEUEDIR", escape_name(e.what()), exit_failure);
    }
    report_scan(ctx, r);
    return r;
}

/// The envelope of message @p m, read again from its file (the scanner keeps only totals), or
/// std::nullopt after a %QM-W-SKIPPED line when the file changed or vanished since the scan.
std::optional<queue::envelope> read_envelope(const context& ctx, const queue::message_entry& m) {
    const std::string rel = m.channel + "/" + m.file;
    const std::string path = ctx.queue + "/" + rel;
    const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        say(ctx, 'W', "SKIPPED", escape_name(rel) + ": cannot open: " + std::strerror(errno));
        return std::nullopt;
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        say(ctx, 'W', "SKIPPED", escape_name(rel) + ": not a regular file");
        return std::nullopt;
    }
    std::string head(queue::max_envelope, '\0');
    std::size_t have = 0;
    while (have < head.size()) {
        const ssize_t n = ::read(fd, &head[have], head.size() - have);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        have += static_cast<std::size_t>(n);
    }
    ::close(fd);
    head.resize(have);
    try {
        return queue::parse_envelope(head);
    } catch (const queue::format_error& e) {
        say(ctx, 'W', "SKIPPED", escape_name(rel) + ": corrupt envelope: " + escape_name(e.what()));
    }
    return std::nullopt;
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

/// Local time @p t in strftime @p format, or the number of seconds when it cannot be shown.
std::string local_time(std::int64_t t, const char* format) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    if (::localtime_r(&tt, &tm) == nullptr) return std::to_string(t);
    char buf[64];
    if (std::strftime(buf, sizeof buf, format, &tm) == 0) return std::to_string(t);
    return buf;
}

/// `24-Feb-1999 11:52:29`, as the original's listing shows a queued-since date.
std::string queued_since(std::int64_t t) { return local_time(t, "%d-%b-%Y %H:%M:%S"); }

/// An address without the angle brackets around it (`<>` is the empty sender).
std::string bare_address(std::string a) {
    if (a.size() >= 2 && a.front() == '<' && a.back() == '>') a = a.substr(1, a.size() - 2);
    return a;
}

/// True when envelope address @p address is what -from= or -to= @p wanted names: the same
/// address ignoring case and angle brackets, `*` and `?` being wildcards.
bool address_matches(const std::string& wanted, const std::string& address) {
    return wildcard_match(bare_address(wanted), bare_address(address));
}

/// What a listing shows and selects.
struct listing_options {
    bool queued = true;    ///< list queued (not held) files
    bool held = false;     ///< list held files
    bool total = true;
    bool file_info = true;
    bool envelope = false;
    std::optional<std::string> owner, from, to;
    match_mode match = match_mode::match_or;
    std::vector<std::string> patterns{"*"};
};

/// True when envelope @p e passes the -owner, -from and -to selections of @p o.
bool selected(const listing_options& o, const queue::envelope& e) {
    if (o.owner && e.owner != *o.owner) return false;
    if (!o.from && !o.to) return true;
    const bool from_ok = o.from && address_matches(*o.from, e.from);
    const bool to_ok = o.to && std::any_of(e.to.begin(), e.to.end(),
                                           [&](const std::string& t) { return address_matches(*o.to, t); });
    if (o.from && o.to) return o.match == match_mode::match_and ? from_ok && to_ok : from_ok || to_ok;
    return o.from ? from_ok : to_ok;
}

/// One listed message.
struct listed {
    const queue::message_entry* entry;
    std::optional<queue::envelope> env;
};

/// The listing of `directory` and `held`, in the original's layout (see qm(1)).
int list_messages(context& ctx, const listing_options& o) {
    const queue::scan_result r = scan(ctx, true, o.patterns);
    const bool read_env = o.envelope || o.owner || o.from || o.to;
    std::vector<listed> shown;
    for (const queue::message_entry& m : r.messages) {
        if (m.held ? !o.held : !o.queued) continue;
        listed l{&m, std::nullopt};
        if (read_env) {
            l.env = read_envelope(ctx, m);
            if (!l.env || !selected(o, *l.env)) continue;
        }
        shown.push_back(std::move(l));
    }
    if (shown.empty()) {
        say(ctx, 'I', "NOMSGS", o.held && !o.queued ? "no held messages" : "no messages queued");
        return exit_ok;
    }
    // Columns of the original's example, widened when a number or a name needs it.
    const std::size_t num_w = std::to_string(shown.size()).size();
    std::size_t name_w = 19, size_w = 13;
    for (const listed& l : shown) {
        name_w = std::max(name_w, escape_name(l.entry->file).size());
        size_w = std::max(size_w, std::to_string(l.entry->blocks).size() + 1);
    }
    const std::size_t size_at = num_w + 1 + name_w + size_w; // where "Size" starts
    const std::string rule = std::string(size_at + 28, '-') + "\n";
    const char* const total_label = o.file_info ? "size:" : "messages:";
    const auto total_line = [&](const std::string& label, std::uint64_t v) {
        // The value ends under the end of "Size", at least one blank after the label.
        const std::string n = std::to_string(v);
        const std::size_t end = std::max(size_at + 4, label.size() + 1 + n.size());
        return label + std::string(end - label.size() - n.size(), ' ') + n + "\n";
    };
    const std::string indent(num_w + 1, ' ');

    std::string out = local_time(static_cast<std::int64_t>(std::time(nullptr)), "%a, %d %b %Y %H:%M:%S %z (%Z)");
    out += "\nData gathered from the queue directory tree\n";
    std::string channel;
    std::uint64_t n = 0, sum = 0, grand = 0, number = 0;
    const auto close_channel = [&] {
        if (channel.empty()) return;
        out += rule;
        if (o.total) out += total_line(std::string("Total ") + total_label, sum);
        grand += sum;
        n = sum = 0;
    };
    for (const listed& l : shown) {
        const queue::message_entry& m = *l.entry;
        if (m.channel != channel || channel.empty()) {
            close_channel();
            channel = m.channel;
            const std::string head = "Channel: " + escape_name(channel);
            out += "\n";
            if (o.file_info)
                out += fmt::format("{:<{}}Size Queued since\n", head + (head.size() < size_at ? "" : " "), size_at);
            else
                out += head + "\n";
            out += rule;
        }
        ++number;
        ++n;
        if (o.file_info) {
            out += fmt::format("{:>{}} {:<{}}{:>{}} {}\n", number, num_w, escape_name(m.file), name_w, m.blocks, size_w,
                               queued_since(m.created));
            sum += m.blocks;
        } else {
            out += fmt::format("{:>{}} {}\n", number, num_w, escape_name(m.file));
            ++sum;
        }
        if (o.envelope && l.env) {
            const queue::envelope& e = *l.env;
            out += indent + "From:  " + (e.from.empty() ? std::string("<>") : escape_name(e.from)) + "\n";
            for (std::size_t i = 0; i < e.to.size(); ++i)
                out += indent + (i == 0 ? "To:    " : "       ") + escape_name(e.to[i]) + "\n";
            if (!e.owner.empty()) out += indent + "Owner: " + escape_name(e.owner) + "\n";
        }
    }
    close_channel();
    if (o.total) out += "\n" + total_line(std::string("Grand total ") + total_label, grand);
    write_all(ctx.out, {}, out);
    return exit_ok;
}

/// The destination host of envelope recipient @p to: what follows its last `@`, in lower
/// case; `(local)` for an address without one.
std::string host_of(const std::string& to) {
    const std::string a = bare_address(to);
    const std::size_t at = a.rfind('@');
    if (at == std::string::npos || at + 1 == a.size()) return "(local)";
    return lower(a.substr(at + 1));
}

} // namespace

view_source require_tree(const context& ctx, const std::optional<view_source>& asked) {
    const view_source s = asked ? *asked : ctx.view != nullptr ? *ctx.view : view_source::directory_tree;
    if (s == view_source::database)
        throw qm_error("NODATABASE",
                       "there is no queue cache database: qm reads the queue directory tree; use -directory_tree "
                       "(the default)",
                       exit_failure);
    return s;
}

int summarize(context& ctx, const std::vector<std::string>& args) {
    const summarize_request req = parse_summarize(args);
    use(ctx, req.where);
    require_tree(ctx, req.source);
    const bool heading = req.heading, held = req.held, trailing = req.trailing;
    const queue::scan_result r = scan(ctx, false, {req.pattern});
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
    require_tree(ctx, r.source);
    listing_options o;
    o.held = r.held;
    o.total = r.total;
    o.file_info = r.file_info;
    o.envelope = r.envelope;
    o.owner = r.owner;
    o.from = r.from;
    o.to = r.to;
    o.match = r.match;
    o.patterns = r.patterns;
    return list_messages(ctx, o);
}

int held(context& ctx, const std::vector<std::string>& args) {
    const held_request r = parse_held(args);
    use(ctx, r.where);
    listing_options o;
    o.queued = false;
    o.held = true;
    o.total = r.total;
    o.patterns = {r.pattern};
    return list_messages(ctx, o);
}

int messages(context& ctx, const std::vector<std::string>& args) {
    const messages_request r = parse_messages(args);
    use(ctx, r.where);
    const queue::scan_result tree = scan(ctx, true, {r.pattern});
    if (tree.channels.empty())
        throw qm_error("NOSUCHCHAN", "no channel matches \"" + escape_name(r.pattern) + "\"", exit_failure);
    struct counts {
        std::uint64_t active = 0, delayed = 0;
    };
    std::map<std::string, counts> hosts;
    for (const queue::message_entry& m : tree.messages) {
        if (m.held) continue; // neither ready nor waiting for a retry
        const std::optional<queue::envelope> e = read_envelope(ctx, m);
        if (!e) continue;
        std::set<std::string> seen;
        for (const std::string& t : e->to) seen.insert(host_of(t));
        if (seen.empty()) seen.insert("(unknown)");
        for (const std::string& h : seen) {
            counts& c = hosts[h];
            ++(m.attempts == 0 ? c.active : c.delayed);
        }
    }
    std::size_t host_w = 32;
    for (const auto& [h, c] : hosts) host_w = std::max(host_w, escape_name(h).size());
    std::string out = fmt::format("{:<{}} {} {}\n", "host", host_w, "active messages", "delayed messages");
    out += fmt::format("{:-<{}} {:-<15} {:-<16}\n", "", host_w, "", "");
    for (const auto& [h, c] : hosts)
        out += fmt::format("{:<{}} {:>15} {:>16}\n", escape_name(h), host_w, c.active, c.delayed);
    write_all(ctx.out, {}, out);
    return exit_ok;
}

int view(context& ctx, const std::vector<std::string>& args) {
    const view_request r = parse_view(args);
    if (ctx.view != nullptr) *ctx.view = r.source; // one-shot: nothing outlives the command
    return exit_ok;
}

} // namespace counters::tools::qm

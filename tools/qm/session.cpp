// SPDX-License-Identifier: MIT
// qm: the sub-command table, dispatch with case-insensitive unique prefixes, help, the
// interactive loop (libedit on a terminal, plain lines otherwise) and one-shot mode.
#include "qm_internal.hpp"
#include "qm_tool.hpp"

#include <CLI/CLI.hpp>
#include <counters/error.hpp>
#include <counters/options.hpp>
#include <counters_queue/queue.hpp>
#include <counters_tools/cli.hpp>
#include <counters_tools/text.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <new>
#include <system_error>

#include <editline/readline.h>
#include <unistd.h>

namespace counters::tools::qm {

namespace {

using handler = int (*)(context&, const std::vector<std::string>&);

/// One sub-command: its words, the handler, its synopsis and its help.
struct command {
    const char* group; ///< first word ("counters"), or nullptr for a one-word command
    const char* name;
    handler run;
    const char* synopsis;
    const char* help;
};

const command commands[] = {
    {"counters", "clear", counters_clear, "counters clear [-channels] [-associations]",
     "Zero the channel counters (-channels), the association counters (-associations), or both\n"
     "when neither is given. Creates the section when it is missing. -channels then sets each\n"
     "channel's Stored counters from the message files of the queue directory tree.\n"},
    {"counters", "create", counters_create, "counters create [-max_channels=n]",
     "Create the section (default 512 channels, at most 65536); an existing healthy section is\n"
     "left as it is. Stored is then set from the message files of the queue directory tree.\n"},
    {"counters", "delete", counters_delete, "counters delete", "Delete the section.\n"},
    {"counters", "show", counters_show,
     "counters show [-headers | -noheaders] [-absolute] [-minimums] [-output=file]\n"
     "              [-format=text|json] [channel-name]",
     "Print the counters of the channels matching channel-name (* and ? are wildcards, case is\n"
     "ignored; default *), exactly as `counters -show` does. Creates the section when it is\n"
     "missing; Stored is first set from the message files of the queue directory tree.\n"
     "-absolute prints each value minus its minimum (a Stored reset restarts that minimum).\n"
     "-minimums adds below each line the minimums of its counters, as `counters -show\n"
     "-minimums` does.\n"
     "-output writes to a file (overwritten); -format=json prints the JSON document.\n"
     "Without a readable tree, one %QM-W-NOTRESET line says why Stored was not reset.\n"},
    {nullptr, "directory", directory,
     "directory [-database | -directory_tree] [-envelope] [-owner=user] [-from=address]\n"
     "          [-to=address] [-match=and|or] [-file_info | -nofile_info] [-held | -noheld]\n"
     "          [-total | -nototal] [channel-name ...]",
     "List the message files of the channels matching the channel-name patterns (several,\n"
     "or separated by commas): per channel a block with a number, the file, its size in\n"
     "blocks and when it was queued, then Total size; a Grand total size ends the listing.\n"
     "-envelope adds each message's envelope From, To and Owner; -owner, -from and -to list\n"
     "only the messages whose envelope owner, sender or a recipient matches (* and ? are\n"
     "wildcards, -from=<> is the empty sender; -from and -to imply -envelope; -match=or, the\n"
     "default, lists a message matching either, -match=and one matching both).\n"
     "-nofile_info leaves out sizes and dates (the totals then count messages); -held lists\n"
     "held (.HELD) files too; -nototal leaves out the totals. -database fails: there is no\n"
     "queue cache database, only the tree.\n"},
    {nullptr, "exit", nullptr, "exit", "Leave qm (also quit, or end of input).\n"},
    {nullptr, "held", held, "held [-total | -nototal] [channel-name]",
     "List the held message files (NAME.HELD, NAME.NN.HELD), as directory does.\n"},
    {nullptr, "help", nullptr, "help [sub-command]", "Describe all sub-commands, or one.\n"},
    {nullptr, "messages", messages, "messages channel-name",
     "Per destination host (the domain of each envelope recipient) of the channels matching\n"
     "channel-name: the active messages (never attempted: ready to go) and the delayed ones\n"
     "(attempted before: waiting for a retry). Held messages are not counted.\n"},
    {nullptr, "quit", nullptr, "quit", "Leave qm.\n"},
    {nullptr, "summarize", summarize,
     "summarize [-database | -directory_tree] [-heading | -noheading] [-held | -noheld]\n"
     "          [-trailing | -notrailing] [channel-name]",
     "One line per channel directory: messages queued, size in blocks and the age of the\n"
     "oldest message, then a totals line. -held counts held messages too and adds a Held\n"
     "column (how many of them are held); with -held the Messages column equals the Stored\n"
     "messages that `counters show` sets from the queue. -noheading and -notrailing leave\n"
     "out the header and the totals. -directory_tree (the default) reads the queue tree;\n"
     "-database fails: there is no queue cache database. -he is -held, -noh -noheading.\n"},
    {nullptr, "view", view, "view -database | -directory_tree",
     "Set the source of summarize and directory for the rest of the session. Only the\n"
     "directory tree exists: after view -database they fail until view -directory_tree.\n"},
};

/// The names among @p names that @p word (any case) equals or is a prefix of.
std::vector<std::string> matching(const std::string& word, const std::vector<std::string>& names) {
    const std::string w = lower(word);
    std::vector<std::string> out;
    for (const std::string& n : names) {
        if (n == w) return {n};
        if (n.compare(0, w.size(), w) == 0) out.push_back(n);
    }
    return out;
}

std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (std::size_t i = 0; i < v.size(); ++i) s += (i == 0 ? "" : i + 1 == v.size() ? " or " : ", ") + v[i];
    return s;
}

/// The first word of every command (a group name or a one-word command), each once.
std::vector<std::string> first_words() {
    std::vector<std::string> top;
    for (const command& c : commands) {
        const std::string n = c.group != nullptr ? c.group : c.name;
        if (std::find(top.begin(), top.end(), n) == top.end()) top.push_back(n);
    }
    return top;
}

/// Resolves the leading words of @p words to a command; @p used gets how many words it took.
/// Throws qm_error NOSUCHCMD / AMBIGCMD / NOSUBCMD (exit 2).
const command& resolve(const std::vector<std::string>& words, std::size_t& used) {
    const std::vector<std::string> m = matching(words[0], first_words());
    const std::string shown = escape_name(words[0]);
    if (m.empty()) throw qm_error("NOSUCHCMD", "no such command \"" + shown + "\"; type help", exit_usage);
    if (m.size() > 1) throw qm_error("AMBIGCMD", "ambiguous command \"" + shown + "\": " + join(m), exit_usage);
    std::vector<std::string> subs;
    for (const command& c : commands)
        if (c.group != nullptr && m[0] == c.group) subs.push_back(c.name);
    if (subs.empty()) {
        used = 1;
        for (const command& c : commands)
            if (c.group == nullptr && m[0] == c.name) return c;
    }
    if (words.size() < 2 || (!words[1].empty() && words[1][0] == '-'))
        throw qm_error("NOSUBCMD", m[0] + " needs a sub-command: " + join(subs), exit_usage);
    const std::vector<std::string> s = matching(words[1], subs);
    const std::string shown2 = escape_name(words[1]);
    if (s.empty()) throw qm_error("NOSUCHCMD", "no such command \"" + m[0] + " " + shown2 + "\"", exit_usage);
    if (s.size() > 1)
        throw qm_error("AMBIGCMD", "ambiguous command \"" + m[0] + " " + shown2 + "\": " + join(s), exit_usage);
    used = 2;
    for (const command& c : commands)
        if (c.group != nullptr && m[0] == c.group && s[0] == c.name) return c;
    throw std::logic_error("qm: command table");
}

void print_help(context& ctx, const std::vector<std::string>& topic) {
    std::string out;
    if (topic.empty()) {
        out += "Sub-commands (case is ignored; any unique prefix will do):\n";
        for (const command& c : commands) out += "  " + std::string(c.synopsis) + "\n";
        out += "Every sub-command also takes -queue=DIR, -section=NAME and -verbose (name each\n"
               "file of the tree that is not counted).\n";
        out += "Type help followed by a sub-command for details.\n";
    } else {
        // `help counters` describes the whole group; `help counters show` one command.
        const std::vector<std::string> g = matching(topic[0], first_words());
        const bool group = topic.size() == 1 && g.size() == 1 &&
                           std::any_of(std::begin(commands), std::end(commands),
                                       [&](const command& c) { return c.group != nullptr && g[0] == c.group; });
        if (group) {
            for (const command& c : commands)
                if (c.group != nullptr && g[0] == c.group)
                    out += (out.empty() ? "" : "\n") + std::string(c.synopsis) + "\n" + c.help;
        } else {
            std::size_t used = 0;
            const command& c = resolve(topic, used);
            if (used < topic.size())
                throw qm_error("BADARG", "unexpected argument \"" + escape_name(topic[used]) + "\"", exit_usage);
            out += std::string(c.synopsis) + "\n" + c.help;
        }
    }
    write_all(ctx.out, {}, out);
}

/// Splits an interactive line into words: blanks separate, double quotes group (a doubled
/// quote inside quotes is one quote). Throws qm_error on an unterminated quote.
std::vector<std::string> split(const std::string& line) {
    std::vector<std::string> words;
    std::string w;
    bool in_word = false, quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < line.size() && line[i + 1] == '"') {
                    w += '"';
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                w += c;
            }
        } else if (c == '"') {
            quoted = in_word = true;
        } else if (c == ' ' || c == '\t' || c == '\r') {
            if (in_word) words.push_back(std::move(w));
            w.clear();
            in_word = false;
        } else {
            w += c;
            in_word = true;
        }
    }
    if (quoted) throw qm_error("BADQUOTE", "missing closing quote", exit_usage);
    if (in_word) words.push_back(std::move(w));
    return words;
}

enum class outcome { proceed, leave };

/// Runs one command line (already split). Reports every failure; never throws.
int execute(const options& o, const std::vector<std::string>& words, outcome& next, view_source* view) {
    next = outcome::proceed;
    context ctx{o.section, o.queue, std::cout, std::cerr, false, view};
    try {
        std::size_t used = 0;
        const command& c = resolve(words, used);
        const std::vector<std::string> rest(words.begin() + static_cast<std::ptrdiff_t>(used), words.end());
        const std::string name = c.name;
        if (name == "exit" || name == "quit") {
            if (!rest.empty())
                throw qm_error("BADARG", "unexpected argument \"" + escape_name(rest[0]) + "\"", exit_usage);
            next = outcome::leave;
            return exit_ok;
        }
        if (name == "help" && c.group == nullptr) {
            print_help(ctx, rest);
            return exit_ok;
        }
        return c.run(ctx, rest);
    } catch (...) {
        return report_failure(ctx);
    }
}

constexpr const char* prompt = "qm.maint> ";

int interactive(const options& o) {
    const bool tty = ::isatty(0) != 0;
    if (tty) ::using_history();
    view_source view = view_source::directory_tree; // what `view` sets for the session
    for (;;) {
        std::string line;
        if (tty) {
            char* l = ::readline(prompt);
            if (l == nullptr) {
                std::cout << '\n';
                break;
            }
            line = l;
            std::free(l);
            if (line.find_first_not_of(" \t") != std::string::npos) ::add_history(line.c_str());
        } else if (!std::getline(std::cin, line)) {
            break;
        }
        std::vector<std::string> words;
        try {
            words = split(line);
        } catch (const qm_error& e) {
            context ctx{o.section, o.queue, std::cout, std::cerr};
            say(ctx, 'E', e.ident(), e.what());
            continue;
        }
        if (words.empty() || words[0][0] == '!' || words[0][0] == '#') continue; // blank or comment
        outcome next;
        execute(o, words, next, &view);
        if (next == outcome::leave) break;
    }
    std::cout << std::flush;
    return exit_ok;
}

} // namespace

std::string help_text(const std::string& prog) {
    const std::string pad(prog.size() + 8, ' ');
    std::string s;
    s += "usage: " + prog + " [-queue=dir] [-section=name]\n";
    s += "       " + prog + " [-queue=dir] [-section=name] sub-command [options] [arguments]\n";
    s += "       " + prog + " --help\n";
    s += "       " + prog + " --version\n";
    const std::string builtin = counters::queue::default_queue_root();
    s += R"(
Queue manager: reports on the MTA queue directory tree and manages the channel counters.
Without a sub-command, reads sub-commands from standard input (prompt qm.maint>, line
editing and history on a terminal) until exit, quit or end of input.

Options:
)";
    s += "  -queue=dir       queue directory tree (default: $COUNTERS_QUEUE, else " +
         (builtin.empty() ? std::string("none") : builtin) + ")\n";
    s += R"(  -section=name    counter section (default: $COUNTERS_SECTION, else imta_counters)
  -h, --help       print this help and exit
  --version        print the version and exit

Sub-commands (case is ignored; any unique prefix will do):
)";
    for (const command& c : commands) s += "  " + std::string(c.synopsis) + "\n";
    s += "\nExit status (one-shot): 0 success, 1 failure, 2 usage.\n";
    return s;
}

#ifndef COUNTERS_TOOL_VERSION
#define COUNTERS_TOOL_VERSION "unknown"
#endif

namespace {

/// Splits argv into the leading global words (dash words, and the value after a bare -queue
/// or -section) and the sub-command with its arguments, which qm parses itself.
void split_global(const CLI::App& app, int argc, const char* const* argv, std::vector<std::string>& global,
                  std::vector<std::string>& command) {
    int i = 1;
    for (; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--") {
            ++i;
            break;
        }
        if (a.size() < 2 || a[0] != '-') break;
        global.push_back(a);
        const std::vector<std::string> r = rewrite_single_dash(app, {a});
        if ((r[0] == "--queue" || r[0] == "--section") && i + 1 < argc) global.emplace_back(argv[++i]);
    }
    for (; i < argc; ++i) command.emplace_back(argv[i]);
}

} // namespace

std::optional<int> parse_command_line(int argc, const char* const* argv, options& opts, std::ostream& out,
                                      std::ostream& err, const std::string& prog) {
    opts.prog = prog;
    CLI::App app{"", prog};
    app.set_help_flag("-h,--help");
    app.set_version_flag("--version", prog + " (libcounters) " COUNTERS_TOOL_VERSION);
    place_options p;
    add_place_options(app, p);
    const context ctx{"", "", out, err};
    try {
        std::vector<std::string> global;
        split_global(app, argc, argv, global, opts.command);
        parse_words(app, global);
        const place where = resolve_place(p);
        opts.queue = counters::queue::queue_root(where.queue.value_or(std::string()));
        opts.section = where.section ? *where.section : resolve_section({}, false);
    } catch (const CLI::Success& call) {
        return answer(call, app, out, help_text(prog));
    } catch (...) {
        return report_failure(ctx);
    }
    return std::nullopt;
}

int run(const options& opts) {
    if (opts.command.empty()) return interactive(opts);
    outcome next;
    return execute(opts, opts.command, next, nullptr);
}

} // namespace counters::tools::qm

// Command-line handling shared by the tools: single-dash rewrite, parsing, errors, numbers.
#include <counters_tools/cli.hpp>
#include <counters_tools/text.hpp>

#include <counters/error.hpp>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <cstring>
#include <map>
#include <iostream>
#include <new>
#include <ostream>
#include <set>
#include <unistd.h>

namespace counters::tools {

namespace {

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/// What the rewrite needs to know about the options of an app tree.
struct option_table {
    std::map<std::string, std::string> longs; ///< lower-cased name -> name as declared
    std::set<std::string> long_values;        ///< lower-cased long names that take a value
    std::set<std::string> shorts;             ///< short names (case-sensitive)
    std::set<std::string> short_values;       ///< short names that take a value

    void add(const CLI::App& app) {
        for (const CLI::Option* opt : app.get_options()) {
            const bool value = opt->get_type_size_min() > 0 && opt->get_expected_min() > 0;
            for (const std::string& n : opt->get_lnames()) {
                longs.emplace(lower(n), n);
                if (value) long_values.insert(lower(n));
            }
            for (const std::string& n : opt->get_snames()) {
                shorts.insert(n);
                if (value) short_values.insert(n);
            }
        }
        for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) add(*sub);
    }

    /// Long names of which @p lname (lower-cased) is the exact name or a prefix.
    std::vector<std::string> candidates(const std::string& lname) const {
        if (auto it = longs.find(lname); it != longs.end()) return {it->second};
        std::vector<std::string> out;
        for (auto it = longs.lower_bound(lname); it != longs.end() && it->first.compare(0, lname.size(), lname) == 0;
             ++it)
            out.push_back(it->second);
        return out;
    }
};

struct scan_result {
    std::vector<std::string> args;
    std::vector<std::string> ambiguous;
};

scan_result scan(const CLI::App& app, std::vector<std::string> args) {
    option_table t;
    t.add(app);
    scan_result r;
    bool rest = false, expect_value = false;
    for (std::string& a : args) {
        if (rest || expect_value) {
            expect_value = false;
            continue;
        }
        if (a == "--") {
            rest = true;
            continue;
        }
        if (a.size() < 2 || a[0] != '-') continue;
        const bool dashdash = a[1] == '-';
        const std::size_t start = dashdash ? 2 : 1;
        const std::size_t eq = a.find('=', start);
        const std::string name = a.substr(start, eq == std::string::npos ? std::string::npos : eq - start);
        if (name.empty()) continue;
        const unsigned char c0 = static_cast<unsigned char>(name[0]);
        if (std::isdigit(c0) || c0 == '.') continue; // a negative number
        if (!dashdash && name.size() == 1 && t.shorts.count(name) != 0) {
            if (t.short_values.count(name) != 0 && eq == std::string::npos) expect_value = true;
            continue;
        }
        const std::string lname = lower(name);
        const std::vector<std::string> cands = t.candidates(lname);
        if (cands.size() == 1) {
            a = "--" + cands[0] + (eq == std::string::npos ? std::string() : a.substr(eq));
            if (t.long_values.count(lower(cands[0])) != 0 && eq == std::string::npos) expect_value = true;
        } else if (cands.size() > 1 && !dashdash) {
            std::string list;
            for (const auto& c : cands) list += (list.empty() ? "-" : ", -") + c;
            r.ambiguous.push_back(a.substr(0, eq) + " (" + list + ")");
        }
    }
    r.args = std::move(args);
    return r;
}

/// One line from a CLI11 parse error: lower-case first letter, no trailing newline.
std::string message_of(const CLI::Error& e) {
    std::string m = e.what();
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
    if (const auto nl = m.find('\n'); nl != std::string::npos) m.resize(nl);
    // "--output: 1 required TEXT missing" -> "-output: a value is required"
    if (const auto colon = m.find(": "); colon != std::string::npos && m.compare(0, 2, "--") == 0 &&
                                          m.size() > 8 && m.compare(m.size() - 8, 8, " missing") == 0 &&
                                          m.find(" required ", colon) != std::string::npos)
        return m.substr(1, colon - 1) + ": a value is required";
    if (m.size() > 1 && std::isupper(static_cast<unsigned char>(m[0])) &&
        !std::isupper(static_cast<unsigned char>(m[1])))
        m[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(m[0])));
    return m;
}

} // namespace

std::vector<std::string> long_option_names(const CLI::App& app) {
    option_table t;
    t.add(app);
    std::vector<std::string> out;
    for (const auto& kv : t.longs) out.push_back(kv.second);
    return out;
}

std::vector<std::string> rewrite_single_dash(const CLI::App& app, std::vector<std::string> args) {
    return scan(app, std::move(args)).args;
}

std::vector<std::string> ambiguous_options(const CLI::App& app, const std::vector<std::string>& args) {
    return scan(app, args).ambiguous;
}

std::optional<int> parse_command_line(CLI::App& app, int argc, const char* const* argv, std::ostream& out,
                                      std::ostream& err, const std::string& help) {
    const std::string prog = app.get_name();
    std::vector<std::string> args;
    for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
    scan_result s = scan(app, std::move(args));
    if (!s.ambiguous.empty()) {
        report(err, prog, "ambiguous option " + s.ambiguous.front());
        return exit_usage;
    }
    // CLI11 2.1 wants the arguments in reverse order.
    std::reverse(s.args.begin(), s.args.end());
    app.allow_extras(true);
    try {
        app.parse(s.args);
    } catch (const CLI::CallForHelp&) {
        out << (help.empty() ? app.help() : help);
        return exit_ok;
    } catch (const CLI::CallForAllHelp&) {
        out << (help.empty() ? app.help("", CLI::AppFormatMode::All) : help);
        return exit_ok;
    } catch (const CLI::CallForVersion& e) {
        out << e.what() << '\n';
        return exit_ok;
    } catch (const CLI::ParseError& e) {
        report(err, prog, message_of(e));
        return exit_usage;
    }
    std::vector<std::string> extra = app.remaining(true);
    // CLI11 records the `--` marker among the extras; it is not an error.
    extra.erase(std::remove(extra.begin(), extra.end(), "--"), extra.end());
    if (!extra.empty()) {
        const std::string& x = extra.front();
        if (x.size() > 1 && x[0] == '-')
            report(err, prog, "unknown option " + escape_name(x.substr(0, x.find('='))));
        else
            report(err, prog, "unexpected argument \"" + escape_name(x) + "\"");
        return exit_usage;
    }
    return std::nullopt;
}

void report(std::ostream& err, const std::string& prog, const std::string& message) {
    err << prog << ": " << message << '\n' << std::flush;
}

namespace {
char fault_message[256];
std::size_t fault_length = 0;

extern "C" void on_fault(int) {
    // Only async-signal-safe calls here.
    (void)!::write(STDERR_FILENO, fault_message, fault_length);
    ::_exit(exit_failure);
}
} // namespace

void install_fault_guard(const std::string& prog) {
    const std::string text = prog + ": a shared-memory segment shrank while being read\n";
    fault_length = std::min(text.size(), sizeof fault_message);
    std::memcpy(fault_message, text.data(), fault_length);
    struct sigaction sa {};
    sa.sa_handler = on_fault;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGBUS, &sa, nullptr);
}

int report_current_exception(const std::string& prog) {
    try {
        throw;
    } catch (const usage_error& e) {
        report(std::cerr, prog, e.what());
        return exit_usage;
    } catch (const counters::error& e) {
        report(std::cerr, prog, e.what());
        return e.code() == counters::errc::invalid_argument ? exit_usage : exit_failure;
    } catch (const std::bad_alloc&) {
        report(std::cerr, prog, "out of memory");
        return exit_failure;
    } catch (const std::exception& e) {
        report(std::cerr, prog, e.what());
        return exit_failure;
    } catch (...) {
        report(std::cerr, prog, "unknown error");
        return exit_failure;
    }
}

unsigned long parse_number(const std::string& option, const std::string& text, unsigned long lo, unsigned long hi) {
    const std::string shown = "\"" + text + "\"";
    if (text.empty() || text.size() > 19 ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        if (!text.empty() && text.size() <= 64 &&
            std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
            throw usage_error("-" + option + ": " + text + " is out of range (" + std::to_string(lo) + ".." +
                              std::to_string(hi) + ")");
        throw usage_error("-" + option + ": " + shown + " is not a number");
    }
    const unsigned long long v = std::stoull(text);
    if (v < lo || v > hi)
        throw usage_error("-" + option + ": " + text + " is out of range (" + std::to_string(lo) + ".." +
                          std::to_string(hi) + ")");
    return static_cast<unsigned long>(v);
}

unsigned parse_mode(const std::string& option, const std::string& text) {
    if (text.empty() || text.size() > 5 ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '7'; }))
        throw usage_error("-" + option + ": \"" + text + "\" is not an octal mode");
    const unsigned long v = std::stoul(text, nullptr, 8);
    if (v > 07777) throw usage_error("-" + option + ": " + text + " is out of range (0..7777)");
    return static_cast<unsigned>(v);
}

} // namespace counters::tools

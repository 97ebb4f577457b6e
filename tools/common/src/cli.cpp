// SPDX-License-Identifier: MIT
// The command-line front door of every tool: single-dash rewrite, parsing, the shared
// options, errors in the tools' own words, numbers, writing the output.
#include <CLI/CLI.hpp>
#include <counters_tools/cli.hpp>
#include <counters_tools/text.hpp>

#include <counters/error.hpp>
#include <counters/options.hpp>

#include <cstdlib>
#include <counters/options.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <map>
#include <iostream>
#include <new>
#include <ostream>
#include <set>
#include <pthread.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace counters::tools {

namespace {

/// What the rewrite needs to know about the options of an app tree.
struct option_table {
    std::map<std::string, std::string> longs; ///< lower-cased name -> name as declared
    std::set<std::string> long_values;        ///< lower-cased long names that take a value
    std::set<std::string> shorts;             ///< short names (case-sensitive)
    std::set<std::string> short_values;       ///< short names that take a value
    std::map<std::string, std::string> short_longs; ///< short name -> its long name, if any

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
                if (!opt->get_lnames().empty()) short_longs.emplace(n, opt->get_lnames().front());
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
            // `-r=NAME` is `--registry=NAME`; `-r NAME` and `-rNAME` are left to CLI11.
            if (const auto it = t.short_longs.find(name); it != t.short_longs.end() && eq != std::string::npos)
                a = "--" + it->second + a.substr(eq);
            else if (t.short_values.count(name) != 0 && eq == std::string::npos)
                expect_value = true;
            continue;
        }
        const std::string lname = lower(name);
        // As getopt reads it, `-rNAME` is a short option taking a value with the value attached:
        // only the exact long name (`-registry`) is rewritten, never a prefix of one.
        if (!dashdash && t.short_values.count(name.substr(0, 1)) != 0 && t.longs.count(lname) == 0) continue;
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

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// An option name as the tools spell it in messages: `--output` -> `-output`; escaped.
std::string shown_option(const std::string& name) {
    return escape_name(starts_with(name, "--") ? name.substr(1) : name);
}

/// `unknown option -x` or `unexpected argument "x"` for a word nothing took.
usage_error leftover(const std::string& word) {
    if (word.size() > 1 && word[0] == '-') // as typed: `unknown option --bogus`
        return usage_error("unknown option " + escape_name(word.substr(0, word.find('='))), usage_kind::bad_option);
    return usage_error("unexpected argument \"" + escape_name(word) + "\"", usage_kind::unexpected_argument);
}

/// A CLI11 message `NAME: detail` about one option, in the tools' words.
std::string option_message(const std::string& option, const std::string& detail) {
    const std::string opt = shown_option(option);
    if (ends_with(detail, " missing") && detail.find(" required ") != std::string::npos)
        return opt + ": a value is required";
    if (starts_with(detail, "At least ")) return opt + ": a value is required";
    if (starts_with(detail, "At Most ")) return opt + ": given more than once";
    if (starts_with(detail, "too many inputs for a flag") || starts_with(detail, "Should be true/false"))
        return opt + ": takes no value";
    std::string d = escape_name(detail);
    if (!d.empty()) d[0] = lower(d[0]);
    return opt + ": " + d;
}

/// A CLI11 parse error as a usage_error in the tools' words (see message_of()).
usage_error translated(const CLI::Error& e) {
    std::string m = e.what();
    if (const auto nl = m.find('\n'); nl != std::string::npos) m.resize(nl);
    while (!m.empty() && m.back() == ' ') m.pop_back();
    // "The following argument(s) was/were not expected: -x y"
    if (starts_with(m, "The following argument")) {
        const auto colon = m.find(": ");
        const std::string words = colon == std::string::npos ? std::string() : m.substr(colon + 2);
        return leftover(words.substr(0, words.find(' ')));
    }
    // "Could not convert: --list = abc"
    if (starts_with(m, "Could not convert: ")) {
        const std::string rest = m.substr(19);
        const auto eq = rest.find(" = ");
        if (eq != std::string::npos)
            return usage_error(
                shown_option(rest.substr(0, eq)) + ": bad value \"" + escape_name(rest.substr(eq + 3)) + "\"",
                usage_kind::bad_option);
    }
    if (const auto colon = m.find(": "); colon != std::string::npos && starts_with(m, "-"))
        return usage_error(option_message(m.substr(0, colon), m.substr(colon + 2)), usage_kind::bad_option);
    m = escape_name(m);
    if (!m.empty()) m[0] = lower(m[0]);
    return usage_error(m, usage_kind::bad_option);
}

} // namespace

std::string message_of(const CLI::Error& e) { return translated(e).what(); }

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

void parse_words(CLI::App& app, std::vector<std::string> args) {
    scan_result s = scan(app, std::move(args));
    if (!s.ambiguous.empty())
        throw usage_error("ambiguous option " + escape_name(s.ambiguous.front()), usage_kind::ambiguous_option);
    std::reverse(s.args.begin(), s.args.end()); // CLI11 2.1 wants the arguments in reverse order
    app.allow_extras(true);
    try {
        app.parse(s.args);
    } catch (const CLI::CallForHelp&) {
        throw;
    } catch (const CLI::CallForAllHelp&) {
        throw;
    } catch (const CLI::CallForVersion&) {
        throw;
    } catch (const CLI::ParseError& e) {
        throw translated(e);
    }
    std::vector<std::string> extra = app.remaining(true);
    // CLI11 records the `--` marker among the extras; it is not an error.
    extra.erase(std::remove(extra.begin(), extra.end(), "--"), extra.end());
    if (!extra.empty()) throw leftover(extra.front());
}

int answer(const CLI::Success& call, const CLI::App& app, std::ostream& out, const std::string& help) {
    if (dynamic_cast<const CLI::CallForVersion*>(&call) != nullptr)
        out << call.what() << '\n';
    else if (!help.empty())
        out << help;
    else
        out << app.help("", dynamic_cast<const CLI::CallForAllHelp*>(&call) != nullptr ? CLI::AppFormatMode::All
                                                                                      : CLI::AppFormatMode::Normal);
    return exit_ok;
}

std::optional<int> parse_command_line(CLI::App& app, int argc, const char* const* argv, std::ostream& out,
                                      std::ostream& err, const std::string& help) {
    std::vector<std::string> args;
    for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
    try {
        parse_words(app, std::move(args));
    } catch (const CLI::Success& call) {
        return answer(call, app, out, help);
    } catch (const usage_error& e) {
        report(err, app.get_name(), e.what());
        return exit_usage;
    }
    return std::nullopt;
}

int report_usage_exception(std::ostream& err, const std::string& prog) {
    try {
        throw;
    } catch (const usage_error& e) {
        report(err, prog, e.what());
        return exit_usage;
    } catch (const counters::error& e) {
        if (e.code() != counters::errc::invalid_argument) throw;
        report(err, prog, escape_name(e.what()));
        return exit_usage;
    }
}

void add_shared_options(CLI::App& app, shared_options& o, unsigned which, bool short_letters) {
    if ((which & opt_section) != 0) o.section_option = app.add_option("--section", o.section);
    if ((which & opt_registry) != 0)
        o.registry_option = app.add_option(short_letters ? "-r,--registry" : "--registry", o.registry);
    if ((which & opt_format) != 0)
        o.format_option = app.add_option(short_letters ? "-f,--format" : "--format", o.format);
}

std::string resolve_section(const std::string& given, bool was_given) {
    // An empty name never falls back to the default: an operator would touch the production
    // counters by mistake.
    if (was_given && given.empty())
        throw usage_error("--section: an empty name is not allowed (leave the option out for the default)");
    const char* env = std::getenv(counters::section_env);
    if (!was_given && env != nullptr && *env == '\0')
        throw usage_error(std::string(counters::section_env) + " is set but empty (unset it for the default)");
    std::string name = counters::section_name(given);
    counters::validate_section_name(name);
    return name;
}

std::optional<output_format> format_named(const std::string& text) {
    const std::string f = lower(text);
    if (f == "text") return output_format::text;
    if (f == "json") return output_format::json;
    return std::nullopt;
}

output_format resolve_format(const std::string& text) {
    if (const auto f = format_named(text)) return *f;
    throw usage_error("-format: unknown format \"" + escape_name(text) + "\" (text or json)", usage_kind::bad_format);
}

void report(std::ostream& err, const std::string& prog, const std::string& message) {
    err << prog << ": " << message << '\n' << std::flush;
}

std::string untrusted_warning(const char* kind, const std::string& name, const std::string& distrust) {
    return std::string(kind) + " \"" + escape_name(name) + "\" is not trusted (" + escape_name(distrust) +
           "): its figures may have been planted by another user";
}

std::string kept_section_note(const std::string& name, std::uint32_t have_max, std::uint32_t have_block,
                              std::optional<std::uint32_t> want_max, std::optional<std::uint32_t> want_block) {
    std::string have, want;
    auto differs = [&](const char* what, std::uint32_t h, std::optional<std::uint32_t> w) {
        if (!w || *w == h) return;
        have += (have.empty() ? "" : " and ") + std::string(what) + "=" + std::to_string(h);
        want += (want.empty() ? "" : " and ") + std::to_string(*w);
    };
    differs("max_channels", have_max, want_max);
    differs("block_size", have_block, want_block);
    if (have.empty()) return {};
    return "section \"" + escape_name(name) + "\" already exists with " + have + ", not " + want +
           ": kept as it is (delete it first to " + (want_max && *want_max != have_max ? "resize it)" : "change it)");
}

void warn_untrusted(std::ostream& err, const std::string& prog, const char* kind, const std::string& name,
                    const std::string& distrust) {
    if (!distrust.empty()) report(err, prog, "warning: " + untrusted_warning(kind, name, distrust));
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
    // SIGINT and SIGTERM end the tool at once, at any point (also in an open() that blocks),
    // even when it was started with them ignored or blocked, as a shell without job control
    // starts a background job. counterutil's monitor then installs its own handlers.
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    ::sigaction(SIGINT, &dfl, nullptr);
    ::sigaction(SIGTERM, &dfl, nullptr);
    sigset_t both;
    sigemptyset(&both);
    sigaddset(&both, SIGINT);
    sigaddset(&both, SIGTERM);
    ::pthread_sigmask(SIG_UNBLOCK, &both, nullptr);
}

namespace {
volatile std::sig_atomic_t stop_held = 0;    // a stop_deferred is alive
volatile std::sig_atomic_t stop_pending = 0; // the signal that arrived while held
volatile std::sig_atomic_t stop_ok = 0;      // end with exit_ok rather than 128 + N

[[noreturn]] void stop_now(int sig) { ::_exit(stop_ok != 0 ? static_cast<int>(exit_ok) : 128 + sig); }

extern "C" void on_stop(int sig) {
    // Only async-signal-safe operations here.
    if (stop_held != 0) {
        stop_pending = sig;
        return;
    }
    stop_now(sig);
}
} // namespace

void install_stop_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    sa.sa_flags = 0; // no SA_RESTART: a write that blocks is interrupted
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
    sigset_t both;
    sigemptyset(&both);
    sigaddset(&both, SIGINT);
    sigaddset(&both, SIGTERM);
    ::pthread_sigmask(SIG_UNBLOCK, &both, nullptr);
}

void stop_ends_ok() noexcept { stop_ok = 1; }

bool stop_requested() noexcept { return stop_pending != 0; }

stop_deferred::stop_deferred() noexcept { stop_held = 1; }

stop_deferred::~stop_deferred() {
    stop_held = 0;
    // A signal after this point finds stop_held == 0 and ends the process itself.
    if (const int sig = stop_pending; sig != 0) stop_now(sig);
}

int report_current_exception(const std::string& prog) {
    try {
        throw;
    } catch (const usage_error& e) {
        report(std::cerr, prog, e.what());
        return exit_usage;
    } catch (const counters::error& e) { // the library's text may quote names as given: escaped
        report(std::cerr, prog, escape_name(e.what()));
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

std::optional<unsigned long long> number_in(const std::string& text, unsigned long long lo,
                                            unsigned long long hi) noexcept {
    if (text.empty() || text.size() > 19 ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    unsigned long long v = 0;
    for (const char c : text) v = v * 10 + static_cast<unsigned long long>(c - '0');
    if (v < lo || v > hi) return std::nullopt;
    return v;
}

unsigned long parse_number(const std::string& option, const std::string& text, unsigned long lo, unsigned long hi) {
    if (const auto v = number_in(text, lo, hi)) return static_cast<unsigned long>(*v);
    const bool digits = !text.empty() && text.size() <= 64 &&
                        std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (digits)
        throw usage_error("-" + option + ": " + text + " is out of range (" + std::to_string(lo) + ".." +
                          std::to_string(hi) + ")");
    throw usage_error("-" + option + ": \"" + escape_name(text) + "\" is not a number");
}

unsigned parse_mode(const std::string& option, const std::string& text) {
    if (text.empty() || text.size() > 5 ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '7'; }))
        throw usage_error("-" + option + ": \"" + escape_name(text) + "\" is not an octal mode");
    const unsigned long v = std::stoul(text, nullptr, 8);
    if (v > 07777) throw usage_error("-" + option + ": " + text + " is out of range (0..7777)");
    return static_cast<unsigned>(v);
}

void write_streamed(std::ostream& standard_output, const std::function<void(std::ostream&)>& produce) {
    errno = 0;
    produce(standard_output);
    standard_output << std::flush;
    if (!standard_output) {
        const int e = errno != 0 ? errno : EIO;
        standard_output.clear();
        throw output_error(std::string("cannot write standard output: ") + std::strerror(e),
                           output_error::stage::write);
    }
}

namespace {

/// Writes all of @p text to descriptor @p fd; false with errno set on failure.
bool write_fd(int fd, const std::string& text) {
    const char* p = text.data();
    std::size_t left = text.size();
    while (left > 0) {
        const ssize_t n = ::write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
    return true;
}

/// Writes @p text to @p path in place (open, truncate, write): for what is not a regular
/// file (a device, a FIFO), which a rename must never replace.
void write_in_place(const std::string& path, const std::string& shown, const std::string& text) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw output_error("cannot open " + shown + ": " + std::strerror(errno), output_error::stage::open);
    errno = 0;
    const bool wrote = write_fd(fd, text);
    int e = errno;
    const bool closed = ::close(fd) == 0;
    if (!closed && e == 0) e = errno;
    if (!wrote || !closed)
        throw output_error("cannot write " + shown + ": " + std::strerror(e != 0 ? e : EIO), output_error::stage::write);
}

} // namespace

void write_all(std::ostream& standard_output, const std::string& path, const std::string& text) {
    if (path.empty()) {
        write_streamed(standard_output, [&](std::ostream& out) { out << text; });
        return;
    }
    const std::string shown = "\"" + escape_name(path) + "\"";
    // The file written is the target of a symbolic link (as writing through it would be).
    std::string target = path;
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
        if (char* real = ::realpath(path.c_str(), nullptr)) {
            target = real;
            std::free(real); // NOLINT(cppcoreguidelines-no-malloc): realpath's allocation
        }
    }
    const bool exists = ::stat(target.c_str(), &st) == 0;
    if (exists && !S_ISREG(st.st_mode)) {
        write_in_place(target, shown, text);
        return;
    }
    // A file we may not write is not replaced either (as opening it would have failed).
    if (exists && ::access(target.c_str(), W_OK) != 0)
        throw output_error("cannot open " + shown + ": " + std::strerror(errno), output_error::stage::open);
    // A temporary file in the same directory, renamed over the target when complete: a reader
    // (node_exporter's textfile collector) sees the old file or the new one, never half of one.
    // Its name starts with a dot and ends with ".tmp", so no `*.prom` glob picks it up.
    const std::size_t slash = target.rfind('/');
    const std::string dir = slash == std::string::npos ? std::string() : target.substr(0, slash + 1);
    const std::string base = slash == std::string::npos ? target : target.substr(slash + 1);
    std::string temp;
    int fd = -1;
    for (unsigned attempt = 0; fd < 0; ++attempt) {
        temp = dir;
        temp.append(".").append(base).append(".").append(std::to_string(::getpid()));
        temp.append(".").append(std::to_string(attempt)).append(".tmp");
        fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644); // 0644 less the umask
        if (fd < 0 && (errno != EEXIST || attempt >= 100))
            throw output_error("cannot open " + shown + ": " + std::strerror(errno), output_error::stage::open);
    }
    errno = 0;
    bool ok = write_fd(fd, text);
    int e = errno;
    // Replacing a file keeps its permission bits.
    if (ok && exists && ::fchmod(fd, st.st_mode & 07777) != 0) {
        ok = false;
        e = errno;
    }
    if (::close(fd) != 0 && ok) {
        ok = false;
        e = errno;
    }
    if (ok && ::rename(temp.c_str(), target.c_str()) != 0) {
        ok = false;
        e = errno;
    }
    if (!ok) {
        ::unlink(temp.c_str());
        throw output_error("cannot write " + shown + ": " + std::strerror(e != 0 ? e : EIO), output_error::stage::write);
    }
}

} // namespace counters::tools

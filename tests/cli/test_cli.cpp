// SPDX-License-Identifier: MIT
// Unit tests of tools/common command-line handling: the single-dash rewrite and numbers.
#include "catch.hpp"

#include <CLI/CLI.hpp>
#include <counters/error.hpp>
#include <counters_tools/cli.hpp>

#include <cstdio>
#include <sstream>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <string>
#include <vector>

using namespace counters::tools;
using strings = std::vector<std::string>;

namespace {

/// An app shaped like the tools: flags, options with values, a subcommand, a positional.
struct app_fixture {
    CLI::App app{"test", "prog"};
    bool show = false, clear = false, channels = true;
    std::string output, section, pattern;
    int level = 0;
    app_fixture() {
        app.add_flag("--show", show);
        app.add_flag("--clear", clear);
        app.add_flag("--channels,!--nochannels", channels);
        app.add_option("--output", output);
        app.add_option("--section", section);
        app.add_option("pattern", pattern);
        CLI::App* sub = app.add_subcommand("counters", "sub");
        sub->add_option("--max_channels", level);
    }
};

} // namespace

TEST_CASE_METHOD(app_fixture, "long_option_names collects the app and its subcommands", "[cli]") {
    const strings names = long_option_names(app);
    CHECK(names == strings{"channels", "clear", "help", "max_channels", "nochannels", "output", "section", "show"});
}

TEST_CASE_METHOD(app_fixture, "rewrite: exact names, any case, with and without =value", "[cli]") {
    CHECK(rewrite_single_dash(app, {"-show"}) == strings{"--show"});
    CHECK(rewrite_single_dash(app, {"-SHOW"}) == strings{"--show"});
    CHECK(rewrite_single_dash(app, {"-output=f.txt"}) == strings{"--output=f.txt"});
    CHECK(rewrite_single_dash(app, {"-OUTPUT=F.txt"}) == strings{"--output=F.txt"});
    CHECK(rewrite_single_dash(app, {"-max_channels=5"}) == strings{"--max_channels=5"});
    CHECK(rewrite_single_dash(app, {"--SHOW"}) == strings{"--show"});
}

TEST_CASE_METHOD(app_fixture, "rewrite: unique prefixes, not ambiguous ones", "[cli]") {
    CHECK(rewrite_single_dash(app, {"-sh"}) == strings{"--show"});
    CHECK(rewrite_single_dash(app, {"-noc"}) == strings{"--nochannels"});
    CHECK(rewrite_single_dash(app, {"-o=x"}) == strings{"--output=x"});
    CHECK(rewrite_single_dash(app, {"-c"}) == strings{"-c"});
    CHECK(rewrite_single_dash(app, {"-s"}) == strings{"-s"});
    CHECK(ambiguous_options(app, {"-c"}) == strings{"-c (-channels, -clear)"});
    CHECK(ambiguous_options(app, {"-s=1"}) == strings{"-s (-section, -show)"});
    CHECK(ambiguous_options(app, {"-sh"}).empty());
}

TEST_CASE_METHOD(app_fixture, "rewrite leaves unknown tokens, short options, numbers and values alone", "[cli]") {
    CHECK(rewrite_single_dash(app, {"-bogus"}) == strings{"-bogus"});
    CHECK(rewrite_single_dash(app, {"-h"}) == strings{"-h"});
    CHECK(rewrite_single_dash(app, {"-5"}) == strings{"-5"});
    CHECK(rewrite_single_dash(app, {"tcp_*"}) == strings{"tcp_*"});
    CHECK(rewrite_single_dash(app, {"-"}) == strings{"-"});
    // The value of an option that takes one is not an option, even when it looks like one.
    CHECK(rewrite_single_dash(app, {"-output", "-show", "-show"}) == strings{"--output", "-show", "--show"});
    CHECK(ambiguous_options(app, {"-section", "-c"}).empty());
    // Everything after -- stays as it is.
    CHECK(rewrite_single_dash(app, {"-show", "--", "-show", "-c"}) == strings{"--show", "--", "-show", "-c"});
    CHECK(ambiguous_options(app, {"--", "-c"}).empty());
}

TEST_CASE_METHOD(app_fixture, "parse_command_line: success, help, usage errors", "[cli]") {
    std::ostringstream out, err;
    SECTION("single-dash spellings parse") {
        const char* argv[] = {"prog", "-sh", "-noc", "-output=f", "tcp_*"};
        CHECK_FALSE(parse_command_line(app, 5, argv, out, err).has_value());
        CHECK(show);
        CHECK_FALSE(channels);
        CHECK(output == "f");
        CHECK(pattern == "tcp_*");
        CHECK(err.str().empty());
    }
    SECTION("help exits 0 with the given text") {
        const char* argv[] = {"prog", "-help"};
        CHECK(parse_command_line(app, 2, argv, out, err, "HELP\n") == exit_ok);
        CHECK(out.str() == "HELP\n");
    }
    SECTION("an unknown option is one line and exit 2") {
        const char* argv[] = {"prog", "-bogus"};
        CHECK(parse_command_line(app, 2, argv, out, err) == exit_usage);
        CHECK(err.str() == "prog: unknown option -bogus\n");
    }
    SECTION("an ambiguous option is one line and exit 2") {
        const char* argv[] = {"prog", "-c"};
        CHECK(parse_command_line(app, 2, argv, out, err) == exit_usage);
        CHECK(err.str() == "prog: ambiguous option -c (-channels, -clear)\n");
    }
    SECTION("a missing value") {
        const char* argv[] = {"prog", "-output"};
        CHECK(parse_command_line(app, 2, argv, out, err) == exit_usage);
        CHECK(err.str() == "prog: -output: a value is required\n");
    }
    SECTION("an extra positional") {
        const char* argv[] = {"prog", "a", "b"};
        CHECK(parse_command_line(app, 3, argv, out, err) == exit_usage);
        CHECK(err.str() == "prog: unexpected argument \"b\"\n");
    }
}

TEST_CASE_METHOD(app_fixture, "parse_words throws usage_error of each kind, in the tools' words", "[cli]") {
    const auto kind_of = [&](strings args) {
        try {
            parse_words(app, std::move(args));
        } catch (const usage_error& e) {
            return e.kind();
        }
        return usage_kind::bad_value;
    };
    CHECK(kind_of({"-bogus"}) == usage_kind::bad_option);
    CHECK(kind_of({"-c"}) == usage_kind::ambiguous_option);
    CHECK(kind_of({"a", "b"}) == usage_kind::unexpected_argument);
    CHECK(kind_of({"-output"}) == usage_kind::bad_option);
    CHECK_THROWS_WITH(parse_words(app, {"-output=a", "-output=b"}), "-output: given more than once");
    CHECK_THROWS_WITH(parse_words(app, {"--show=maybe"}), "-show: bad value \"maybe\"");
    CHECK_THROWS_WITH(parse_words(app, {"--bogus=1"}), "unknown option --bogus");
    CHECK_THROWS_WITH(parse_words(app, {"a", "\x1b"}), "unexpected argument \"\\x1b\"");
}

TEST_CASE("message_of never lets CLI11's capitalised text through", "[cli]") {
    CHECK(message_of(CLI::ArgumentMismatch::TypedAtLeast("--output", 1, "TEXT")) == "-output: a value is required");
    CHECK(message_of(CLI::ArgumentMismatch::AtMost("--object", 1, 2)) == "-object: given more than once");
    CHECK(message_of(CLI::ExtrasError({"-x"})) == "unknown option -x");
    // CLI11 keeps the words in reverse and lists them in the order given: the first is named.
    CHECK(message_of(CLI::ExtrasError({"b", "a"})) == "unexpected argument \"a\"");
    CHECK(message_of(CLI::ConversionError("--list", strings{"abc"})) == "-list: bad value \"abc\"");
    CHECK(message_of(CLI::RequiredError("--name")) == "--name is required");
}

TEST_CASE("short options with a value keep getopt's attached spelling", "[cli]") {
    CLI::App app{"test", "prog"};
    std::string registry, object;
    bool list = false, reset = false;
    app.add_flag("-l,--list", list);
    app.add_flag("-s,--reset", reset);
    app.add_option("-r,--registry", registry);
    app.add_option("-o,--object", object);
    CHECK(rewrite_single_dash(app, {"-list"}) == strings{"--list"});
    CHECK(rewrite_single_dash(app, {"-li"}) == strings{"--list"});
    CHECK(rewrite_single_dash(app, {"-registry", "x"}) == strings{"--registry", "x"});
    CHECK(rewrite_single_dash(app, {"-re"}) == strings{"-re"}); // -r with the value "e"
    CHECK(ambiguous_options(app, {"-re"}).empty());
    CHECK(rewrite_single_dash(app, {"-r=x"}) == strings{"--registry=x"});
    CHECK(rewrite_single_dash(app, {"-o", "-list"}) == strings{"-o", "-list"});
    parse_words(app, {"-list", "-rmine", "-oimapstat"});
    CHECK(list);
    CHECK(registry == "mine");
    CHECK(object == "imapstat");
}

TEST_CASE("format_named and resolve_format", "[cli]") {
    CHECK(format_named("text") == output_format::text);
    CHECK(format_named("JSON") == output_format::json);
    CHECK_FALSE(format_named("").has_value());
    CHECK_FALSE(format_named("xml").has_value());
    CHECK_THROWS_WITH(resolve_format("xml"), "-format: unknown format \"xml\" (text or json)");
    try {
        (void)resolve_format("");
    } catch (const usage_error& e) {
        CHECK(e.kind() == usage_kind::bad_format);
    }
}

TEST_CASE("write_all writes a file or the given stream, and names what failed", "[cli]") {
    std::ostringstream out;
    write_all(out, "", "hello\n");
    CHECK(out.str() == "hello\n");
    std::ostringstream bad;
    bad.setstate(std::ios::badbit);
    CHECK_THROWS_AS(write_all(bad, "", "x"), output_error);
    try {
        write_all(out, "/nonexistent-dir/f", "x");
        FAIL("no error");
    } catch (const output_error& e) {
        CHECK(e.at() == output_error::stage::open);
        CHECK(std::string(e.what()) == "cannot open \"/nonexistent-dir/f\": No such file or directory");
    }
}

TEST_CASE("number_in takes digits only, in range", "[cli]") {
    CHECK(number_in("5", 1, 10) == 5ULL);
    CHECK_FALSE(number_in("0", 1, 10).has_value());
    CHECK_FALSE(number_in("+5", 1, 10).has_value());
    CHECK_FALSE(number_in("99999999999999999999", 0, ~0ULL).has_value());
    CHECK(number_in("18446744073709551615", 0, ~0ULL) == std::nullopt); // 20 digits: refused
    CHECK(number_in("9999999999999999999", 0, ~0ULL) == 9999999999999999999ULL);
}

TEST_CASE("parse_number checks syntax and range", "[cli]") {
    CHECK(parse_number("n", "1", 1, 10) == 1);
    CHECK(parse_number("n", "10", 1, 10) == 10);
    CHECK(parse_number("n", "007", 1, 10) == 7);
    CHECK_THROWS_AS(parse_number("n", "0", 1, 10), usage_error);
    CHECK_THROWS_AS(parse_number("n", "11", 1, 10), usage_error);
    CHECK_THROWS_AS(parse_number("n", "", 1, 10), usage_error);
    CHECK_THROWS_AS(parse_number("n", "1x", 1, 10), usage_error);
    CHECK_THROWS_AS(parse_number("n", "-1", 1, 10), usage_error);
    CHECK_THROWS_AS(parse_number("n", " 1", 1, 10), usage_error);
    CHECK_THROWS_AS(parse_number("n", "99999999999999999999999999", 1, 10), usage_error);
    CHECK_THROWS_WITH(parse_number("n", "abc", 1, 10), "-n: \"abc\" is not a number");
    CHECK_THROWS_WITH(parse_number("n", "0", 1, 10), "-n: 0 is out of range (1..10)");
}

TEST_CASE("parse_mode takes octal up to 07777", "[cli]") {
    CHECK(parse_mode("mode", "0660") == 0660);
    CHECK(parse_mode("mode", "640") == 0640);
    CHECK(parse_mode("mode", "7777") == 07777);
    CHECK_THROWS_AS(parse_mode("mode", "8"), usage_error);
    CHECK_THROWS_AS(parse_mode("mode", "17777"), usage_error);
    CHECK_THROWS_AS(parse_mode("mode", ""), usage_error);
}

TEST_CASE("guarded maps exceptions to exit codes", "[cli]") {
    CHECK(guarded("p", [] { return 0; }) == exit_ok);
    CHECK(guarded("p", []() -> int { throw usage_error("u"); }) == exit_usage);
    CHECK(guarded("p", []() -> int { throw counters::error(counters::errc::not_found, "s", "does not exist"); }) ==
          exit_failure);
    CHECK(guarded("p", []() -> int { throw counters::error(counters::errc::invalid_argument, "s", "bad"); }) ==
          exit_usage);
    CHECK(guarded("p", []() -> int { throw std::runtime_error("x"); }) == exit_failure);
}

TEST_CASE("a segment that shrinks under a reader ends the tool with one line, not a crash",
          "[cli][fault]") {
    int err[2];
    REQUIRE(::pipe(err) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::dup2(err[1], STDERR_FILENO);
        install_fault_guard("prog");
        std::FILE* f = std::tmpfile();
        if (f == nullptr || ::ftruncate(::fileno(f), 8192) != 0) ::_exit(3);
        void* p = ::mmap(nullptr, 8192, PROT_READ, MAP_SHARED, ::fileno(f), 0);
        if (p == MAP_FAILED || ::ftruncate(::fileno(f), 0) != 0) ::_exit(4);
        volatile const char* c = static_cast<const char*>(p);
        (void)c[4096]; // beyond the end of the file now: SIGBUS
        ::_exit(5);
    }
    ::close(err[1]);
    char buf[256] = {};
    const ssize_t n = ::read(err[0], buf, sizeof buf - 1);
    ::close(err[0]);
    int st = 0;
    ::waitpid(pid, &st, 0);
    REQUIRE(WIFEXITED(st));
    CHECK(WEXITSTATUS(st) == exit_failure);
    CHECK(std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0) ==
          "prog: a shared-memory segment shrank while being read\n");
}

TEST_CASE("kept_section_note names each size that differs, and nothing else", "[cli][create]") {
    using counters::tools::kept_section_note;
    CHECK(kept_section_note("s", 512, 1024, std::nullopt, std::nullopt).empty());
    CHECK(kept_section_note("s", 512, 1024, 512u, 1024u).empty());
    CHECK(kept_section_note("s", 512, 1024, 1024u, std::nullopt) ==
          "section \"s\" already exists with max_channels=512, not 1024: kept as it is (delete it first to resize it)");
    CHECK(kept_section_note("s", 512, 1024, 512u, 4096u) ==
          "section \"s\" already exists with block_size=1024, not 4096: kept as it is (delete it first to change it)");
    CHECK(kept_section_note("a\nb", 512, 1024, 3u, 4096u) ==
          "section \"a\\x0ab\" already exists with max_channels=512 and block_size=1024, not 3 and 4096: kept as it "
          "is (delete it first to resize it)");
}

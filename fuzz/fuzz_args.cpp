// libFuzzer target: the tools' command-line parsing, never their actions.
// The input is split into words on NUL and newline; the words are given as argv to
//   - the `counters` tool's parse_command_line() (single-dash rewrite, checks, numbers, modes),
//   - qm's global parse_command_line(),
//   - qm's per-sub-command option parser parse_args() with the option sets of
//     `counters show`, `counters create` and `summarize` (copied from their handlers, which
//     themselves go on to touch shared memory or the queue and so are not called here).
// Parsing reports mistakes as exit codes or as qm_error / counters::error / usage_error;
// anything else escaping, a crash, a leak or undefined behaviour is a bug.
#include "counters_tool.hpp"
#include "qm_internal.hpp"
#include "qm_tool.hpp"

#include <counters/error.hpp>
#include <counters_tools/cli.hpp>

#include <CLI/CLI.hpp>

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace ct = counters::tools;

std::vector<std::string> split_words(const std::uint8_t* data, std::size_t size) {
    std::vector<std::string> words;
    std::string w;
    for (std::size_t i = 0; i < size; ++i) {
        const char c = static_cast<char>(data[i]);
        if (c == '\0' || c == '\n') {
            words.push_back(w);
            w.clear();
        } else {
            w += c;
        }
    }
    if (!w.empty()) words.push_back(w);
    return words;
}

void qm_sub_parsers(const std::vector<std::string>& args) {
    std::ostringstream out, err;
    {
        ct::qm::context ctx{"fuzz_section", "", out, err};
        CLI::App app{"", "counters show"};
        std::string output, format = "text", pattern = "*";
        bool headers = true;
        app.add_flag("--headers,!--noheaders", headers);
        app.add_option("--output", output);
        app.add_option("--format", format);
        app.add_option("channel-name", pattern);
        try {
            ct::qm::parse_args(app, args, ctx);
        } catch (const ct::qm::qm_error&) {
        } catch (const counters::error&) {
        }
    }
    {
        ct::qm::context ctx{"fuzz_section", "", out, err};
        CLI::App app{"", "counters create"};
        std::string max_channels;
        CLI::Option* om = app.add_option("--max_channels", max_channels);
        try {
            ct::qm::parse_args(app, args, ctx);
            if (om->count() != 0) (void)ct::parse_number("max_channels", max_channels, 1, 65536);
        } catch (const ct::qm::qm_error&) {
        } catch (const counters::error&) {
        } catch (const ct::usage_error&) {
        }
    }
    {
        ct::qm::context ctx{"fuzz_section", "", out, err};
        CLI::App app{"", "summarize"};
        bool heading = true, held = false, trailing = true;
        std::string pattern = "*";
        app.add_flag("--heading,!--noheading", heading);
        app.add_flag("--held,!--noheld", held);
        app.add_flag("--trailing,!--notrailing", trailing);
        app.add_option("channel-name", pattern);
        try {
            ct::qm::parse_args(app, args, ctx);
        } catch (const ct::qm::qm_error&) {
        } catch (const counters::error&) {
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 4096) return 0; // command lines, not files
    std::vector<std::string> words = split_words(data, size);
    if (words.size() > 64) return 0;

    std::vector<const char*> argv;
    argv.push_back("counters");
    for (const std::string& w : words) argv.push_back(w.c_str());
    const int argc = static_cast<int>(argv.size());
    argv.push_back(nullptr);

    {
        std::ostringstream out, err;
        ct::counters_cmd::options opts;
        (void)ct::counters_cmd::parse_command_line(argc, argv.data(), opts, out, err);
        // --mode is also parsed on its own: octal permission bits.
        if (!words.empty()) {
            try {
                (void)ct::parse_mode("mode", words.back());
            } catch (const ct::usage_error&) {
            }
        }
    }
    {
        std::ostringstream out, err;
        ct::qm::options opts;
        argv[0] = "qm";
        if (!ct::qm::parse_command_line(argc, argv.data(), opts, out, err) && !opts.command.empty()) {
            // Options of a sub-command: the words after the command name.
            qm_sub_parsers(std::vector<std::string>(opts.command.begin() + 1, opts.command.end()));
        }
    }
    qm_sub_parsers(words);
    return 0;
}

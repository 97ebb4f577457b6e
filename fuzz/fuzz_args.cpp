// SPDX-License-Identifier: MIT
// libFuzzer target: the tools' command-line parsing, never their actions.
// The input is split into words on NUL and newline; the words are given as argv to
//   - the `counters` tool's parse_command_line() (single-dash rewrite, checks, numbers, modes),
//   - qm's global parse_command_line(),
//   - the parse function of every qm sub-command (qm_commands.hpp), which only parse: the
//     handlers that go on to touch shared memory or the queue are not called here,
//   - counterutil's parse_command_line() (short options with attached values, checks).
// Parsing reports mistakes as exit codes or as usage_error / counters::error; anything else
// escaping, a crash, a leak or undefined behaviour is a bug.
#include "counters_tool.hpp"
#include "counterutil.hpp"
#include "qm_commands.hpp"
#include "qm_tool.hpp"

#include <counters/error.hpp>
#include <counters_tools/cli.hpp>

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

/// Runs one sub-command parser on @p args; its documented exceptions are expected.
template <class Parse>
void try_parse(Parse parse, const std::vector<std::string>& args) {
    try {
        (void)parse(args);
    } catch (const ct::usage_error&) {
    } catch (const counters::error&) {
    }
}

void qm_sub_parsers(const std::vector<std::string>& args) {
    try_parse(ct::qm::parse_counters_clear, args);
    try_parse(ct::qm::parse_counters_create, args);
    try_parse(ct::qm::parse_counters_delete, args);
    try_parse(ct::qm::parse_counters_show, args);
    try_parse(ct::qm::parse_summarize, args);
    try_parse(ct::qm::parse_directory, args);
    try_parse(ct::qm::parse_held, args);
    try_parse(ct::qm::parse_messages, args);
    try_parse(ct::qm::parse_view, args);
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
    {
        std::ostringstream out, err;
        counterutil::options opts;
        argv[0] = "counterutil";
        (void)counterutil::parse_command_line(argc, argv.data(), opts, out, err);
    }
    return 0;
}

// SPDX-License-Identifier: MIT
/// @file qm_commands.hpp
/// The options of each qm sub-command and the function that parses them. Parsing goes
/// through the tools' one front door (counters_tools/cli.hpp): single and double dash, any
/// case, unique prefixes. It touches neither shared memory nor the queue, so the fuzzer
/// calls these functions as they are. Each throws usage_error (its usage_kind says which
/// mistake; qm names it with its `%QM-E-` ident) or counters::error (errc::invalid_argument:
/// a bad -section name); std::bad_alloc aside, nothing else.
#pragma once

#include <counters_tools/cli.hpp>
#include <counters_tools/render.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace counters::tools::qm {

/// `-queue=DIR`, `-section=NAME` and `-verbose`, which every sub-command takes: when given,
/// the first two override the session's values for this command.
struct place {
    std::optional<std::string> queue;   ///< a non-empty directory name
    std::optional<std::string> section; ///< a valid section name
    bool verbose = false;               ///< -verbose: name each entry of the tree that was not counted
};

/// counters clear [-channels] [-associations]: both when neither is given.
struct clear_request {
    place where;
    bool channels = true;
    bool associations = true;
};

/// counters create [-max_channels=n]
struct create_request {
    place where;
    std::optional<std::uint32_t> max_channels;
};

/// counters delete
struct delete_request {
    place where;
};

/// counters show [-headers | -noheaders] [-absolute] [-minimums] [-output=file]
/// [-format=text|json] [channel-name]
struct show_request {
    place where;
    render_options render;
    output_format format = output_format::text;
    std::string output; ///< "" = standard output
};

/// summarize [-heading | -noheading] [-held | -noheld] [-trailing | -notrailing] [channel-name]
struct summarize_request {
    place where;
    bool heading = true;
    bool held = false;
    bool trailing = true;
    std::string pattern = "*";
};

/// directory [-held | -noheld] [-total | -nototal] [channel-name]
struct directory_request {
    place where;
    bool held = false;
    bool total = true;
    std::string pattern = "*";
};

/// held [-total | -nototal] [channel-name]
struct held_request {
    place where;
    bool total = true;
    std::string pattern = "*";
};

/// Parse the words that follow the sub-command's name.
clear_request parse_counters_clear(const std::vector<std::string>& words);
create_request parse_counters_create(const std::vector<std::string>& words);
delete_request parse_counters_delete(const std::vector<std::string>& words);
show_request parse_counters_show(const std::vector<std::string>& words);
summarize_request parse_summarize(const std::vector<std::string>& words);
directory_request parse_directory(const std::vector<std::string>& words);
held_request parse_held(const std::vector<std::string>& words);

} // namespace counters::tools::qm

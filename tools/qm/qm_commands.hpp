// SPDX-License-Identifier: MIT
/// @file qm_commands.hpp
/// The options of each qm sub-command and the function that parses them. Parsing goes
/// through the tools' one front door (counters_tools/cli.hpp): single and double dash, any
/// case, unique prefixes, and two ambiguous prefixes that the original accepted (summarize's
/// `-he` and `-noh`). It touches neither shared memory nor the queue, so the fuzzer calls
/// these functions as they are. Each throws usage_error (its usage_kind says which
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

/// Where the queue reports get their information: the queue directory tree (the only source
/// here) or the original's queue cache database (which this implementation does not have).
enum class view_source { directory_tree, database };

/// summarize [-database | -directory_tree] [-heading | -noheading] [-held | -noheld]
///           [-trailing | -notrailing] [channel-name]
struct summarize_request {
    place where;
    std::optional<view_source> source; ///< empty: the session's view
    bool heading = true;
    bool held = false;
    bool trailing = true;
    std::string pattern = "*";
};

/// How -from and -to combine.
enum class match_mode { match_or, match_and };

/// directory [-database | -directory_tree] [-envelope] [-owner=user] [-from=address]
///           [-to=address] [-match=and|or] [-file_info | -nofile_info] [-held | -noheld]
///           [-total | -nototal] [channel-name ...]
struct directory_request {
    place where;
    std::optional<view_source> source; ///< empty: the session's view
    bool envelope = false;             ///< true too when -from or -to is given
    std::optional<std::string> owner;
    std::optional<std::string> from;   ///< `<>` (or empty) selects an empty sender
    std::optional<std::string> to;
    match_mode match = match_mode::match_or;
    bool file_info = true;
    bool held = false;
    bool total = true;
    std::vector<std::string> patterns{"*"}; ///< never empty
};

/// held [-total | -nototal] [channel-name]
struct held_request {
    place where;
    bool total = true;
    std::string pattern = "*";
};

/// messages channel-name: active and delayed messages per destination host.
struct messages_request {
    place where;
    std::string pattern; ///< required, not empty
};

/// view -database | -directory_tree: the session's default source.
struct view_request {
    view_source source = view_source::directory_tree;
};

/// Parse the words that follow the sub-command's name.
clear_request parse_counters_clear(const std::vector<std::string>& words);
create_request parse_counters_create(const std::vector<std::string>& words);
delete_request parse_counters_delete(const std::vector<std::string>& words);
show_request parse_counters_show(const std::vector<std::string>& words);
summarize_request parse_summarize(const std::vector<std::string>& words);
directory_request parse_directory(const std::vector<std::string>& words);
held_request parse_held(const std::vector<std::string>& words);
messages_request parse_messages(const std::vector<std::string>& words);
view_request parse_view(const std::vector<std::string>& words);

} // namespace counters::tools::qm

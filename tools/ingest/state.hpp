// SPDX-License-Identifier: MIT
/// @file state.hpp
/// counters-ingest's state file: per source the position of the next unread line (file:
/// device, inode, offset, fingerprint; journal: cursor), and the interpreter's in-flight state
/// as of those positions. Written atomically (temporary file, fsync, rename, fsync of the
/// directory), so a reader sees the old or the new state, never a mix.
#pragma once

#include "follow.hpp"

#include <optional>
#include <string>
#include <vector>

namespace counters::ingest {

/// One source's saved position.
struct source_state {
    std::string source;                ///< the source as given: a path, or "journal"
    std::optional<file_position> file; ///< a file source
    std::string cursor;                ///< the journal's cursor ("" when none)
};

struct ingest_state {
    std::vector<source_state> sources;
    std::string interpreter; ///< interpreter::save() text
    /// The entry of @p source, or nullptr.
    const source_state* find(const std::string& source) const noexcept;
};

/// The state file's text (format version 1; counters-ingest(8) describes it).
std::string format_state(const ingest_state& s);
/// Parses format_state()'s text; throws std::runtime_error saying what is wrong.
ingest_state parse_state(const std::string& text);

/// Reads @p path: std::nullopt when it does not exist. Throws std::runtime_error
/// `state file PATH: why` when it cannot be read or is not a state file.
std::optional<ingest_state> read_state(const std::string& path);
/// Writes @p s to @p path atomically (PATH.tmp, fsync, rename, fsync of the directory).
/// Throws std::runtime_error `cannot write state file PATH: why`.
void write_state(const std::string& path, const ingest_state& s);

} // namespace counters::ingest

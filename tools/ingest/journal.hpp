// SPDX-License-Identifier: MIT
/// @file journal.hpp
/// counters-ingest's journal source: the entries of the local systemd journal whose
/// SYSLOG_IDENTIFIER belongs to the MTA, as classic syslog lines with an RFC 3339 timestamp
/// (`2026-12-03T05:37:11.123456+00:00 HOST IDENT[PID]: MESSAGE`), resumed by cursor.
/// Not thread-safe. Set-up calls throw std::runtime_error.
#pragma once

#include "follow.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace counters::ingest {

/// Receives the journal's lines.
class journal_handler {
public:
    virtual ~journal_handler() = default;
    /// One entry as a line; @p cursor is the entry's cursor (where a restart continues after);
    /// @p replay: the entry was already recorded before a crash (see journal_source::start()).
    virtual void entry(std::string_view line, const std::string& cursor, bool replay) = 0;
};

/// True when @p identifier (a SYSLOG_IDENTIFIER) is one of @p prefixes' programs: equal to a
/// prefix, or a prefix followed by '/' or '-' (postfix/smtpd, postfix-mx/qmgr).
bool identifier_matches(std::string_view identifier, const std::vector<std::string>& prefixes) noexcept;

class journal_source {
public:
    /// @p prefixes: the SYSLOG_IDENTIFIERs to read (see identifier_matches()).
    /// @p directory: read the journal files of this directory instead of the local journal
    /// ("" for the local journal).
    explicit journal_source(std::vector<std::string> prefixes, std::string directory = {});
    ~journal_source();
    journal_source(const journal_source&) = delete;
    journal_source& operator=(const journal_source&) = delete;

    /// Opens the local journal and positions it: after @p cursor when not empty (and still in
    /// the journal), else at its beginning or end (@p where). When @p applied (the cursor the
    /// registry holds, see counters-ingest(8)) is found after @p cursor, the entries up to it
    /// are passed with replay = true. Throws std::runtime_error when the journal cannot be
    /// opened.
    void start(const std::string& cursor, start_at where, const std::string& applied);
    /// A descriptor to wait on (POLLIN), or -1.
    int fd() const noexcept { return fd_; }
    /// Passes the new entries (at most about 10,000 per call; more() says whether more wait).
    std::size_t poll(journal_handler& h);
    bool more() const noexcept { return more_; }
    /// The cursor of the last entry passed (or the one start() was given).
    const std::string& cursor() const noexcept { return cursor_; }

private:
    struct impl;
    std::unique_ptr<impl> impl_;
    std::vector<std::string> prefixes_;
    std::string directory_;
    std::string cursor_;
    int fd_ = -1;
    bool more_ = false;
    std::size_t replay_left_ = 0;
};

} // namespace counters::ingest

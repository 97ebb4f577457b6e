// SPDX-License-Identifier: MIT
/// @file alarm_side.hpp
/// The alarm side's parts below alarm_keeper (msprobe.hpp): the registry instance names, the
/// notice (notice.cpp) and the SMTP client (mailer.cpp). Internal to msprobe; the tests use
/// them directly.
#pragma once

#include "msprobe.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace counters::msprobe {

/// "diskavail" or "serverresponse" (the notice's `Alarmid:`).
const char* to_string(alarm_id id) noexcept;

/// The `alarm` registry instance of a watched thing: "ALARMID.INSTANCE", each byte of
/// INSTANCE outside [A-Za-z0-9_.-] replaced by '_' ("serverresponse.smtp_127.0.0.1_25",
/// "diskavail._var_spool_postfix"). A name longer than 32 bytes keeps its first 23 bytes
/// and gets '-' and the 8 hex digits of the 32-bit FNV-1a hash of the unreplaced
/// "ALARMID.INSTANCE" ("serverresponse.imap_mai-0123abcd"): deterministic, and two long names
/// with the same beginning stay apart. Never throws (but std::bad_alloc).
std::string alarm_instance_name(alarm_id id, const std::string& instance);

/// The measured value as the `alarm` gauges and the notice hold it: rounded to the nearest
/// integer, halves away from zero (10.4 s -> 10, 9.5 % -> 10), clamped to the int64 range.
std::int64_t alarm_value(double value) noexcept;

/// True when @p value is over the threshold of @p s: above: value > threshold; below:
/// value < threshold (the raw value, not the rounded one). For serverresponse a negative
/// value (the probe's mark of a service that did not answer: refused, garbage) is over
/// the threshold whatever the direction.
bool over_threshold(alarm_id id, const alarm_settings& s, double value) noexcept;

/// What a notice says.
enum class notice_kind {
    alarm,  ///< crossed the threshold, or still over it a warning interval later
    normal, ///< back on the right side of the threshold
};

/// Everything a notice shows.
struct notice {
    notice_kind kind = notice_kind::alarm;
    alarm_id id = alarm_id::serverresponse;
    std::string instance;        ///< as measured, e.g. "smtp_127.0.0.1_25" (not shortened)
    std::string description;     ///< the alarm kind's `...description`
    std::string server_instance; ///< the `Server instance:` line
    std::string from;            ///< the From: header (`alarm.msgalarmnoticesender`)
    std::string to;              ///< the To: header (`alarm.msgalarmnoticercpt`)
    std::string message_id;      ///< the Message-ID: header's value, with its angle brackets
    std::int64_t when = 0;       ///< the measurement's time: Date: and "Current measured value (...)"
    std::int64_t current = 0;
    std::int64_t low = 0;
    std::int64_t high = 0;
    std::int64_t statinterval = 0; ///< seconds
    double threshold = 0;
    direction dir = direction::above;
    std::int64_t count_over = 0; ///< countOverThreshold
};

/// The notice as an RFC 5322 message, lines ending in "\n" (the mailer sends CRLF):
/// headers Subject, Date, From, To, Message-ID, a blank line, and the body of the
/// documented layout. The subject is `ALARM: DESCRIPTION of "INSTANCE" is VALUE` for an
/// alarm and `NORMAL: DESCRIPTION of "INSTANCE" is VALUE` for a return to normal (plain
/// ASCII quotes). Times are in the local time zone (TZ). Bytes outside printable ASCII in
/// the interpolated values become '?' (no header injection, no raw 8-bit text). No line is
/// longer than max_line octets (fold_line()); the usual notice has no folded line.
std::string format_notice(const notice& n);

/// The longest line of a message, CRLF not counted (RFC 5322 2.1.1, RFC 5321 4.5.3.1.6).
inline constexpr std::size_t max_line = 998;

/// @p line (no line end) and "\n", folded when longer than max_line octets: before its last
/// space that leaves at most max_line octets and some text on the line, as RFC 5322 2.2.3
/// folds a header (unfolding, the removal of each "\n", gives @p line back); a run of more
/// than max_line octets without such a space is cut after max_line octets and the next line
/// starts with an added space (unfolding then gives one space more). No line is made of
/// spaces alone: when folding, trailing spaces are dropped and a run of spaces that would
/// fill a whole line is shortened to one. In a body the same folding keeps every line within
/// SMTP's limit, the continuation lines starting with a space.
std::string fold_line(const std::string& line);

/// `Tue, 17 Jul 2001 16:37:08 -0700 (PDT)`: RFC 5322 date in the local time zone, the zone's
/// abbreviation as a comment; English names whatever the locale.
std::string rfc5322_date(std::int64_t when);
/// `17/Jul/2001:16:37:08 -0700`, the counterutil time layout, local time zone.
std::string clf_time(std::int64_t when);

/// Where notices go and how long to wait.
struct smtp_options {
    std::string host = "localhost";
    std::uint16_t port = 25;
    /// The EHLO/HELO argument when it is a domain (has a dot); otherwise this end's address
    /// literal ("[127.0.0.1]"), which servers that insist on a fully qualified name take.
    std::string helo = "localhost";
    double timeout = 30;            ///< seconds for the connection and for each reply
};

/// One message to send.
struct outgoing {
    std::string sender;  ///< envelope sender ("" for <>)
    std::string rcpt;    ///< envelope recipient
    std::string message; ///< RFC 5322 text, lines ending in "\n" or "\r\n"
};

/// Sends @p messages in one SMTP session (greeting 220, EHLO 250 or else HELO 250, then per
/// message MAIL FROM 250, RCPT TO 250/251, DATA 354, the text with CRLF line ends and
/// dot-stuffing, "." 250; RSET after a refused message; QUIT). Every reply code is checked.
/// Returns one entry per message: "" when the server accepted it, otherwise why not (the
/// step and the server's reply, or the connection error). Never throws (but std::bad_alloc).
std::vector<std::string> smtp_send(const smtp_options& opt, const std::vector<outgoing>& messages);

/// The file that holds the notices not yet sent (see alarm_keeper): `STATEDIR/NAME.notices`
/// when @p cfg.statedir is set (NAME: the registry name, '/' replaced by '_'),
/// `REGISTRY.notices` beside a file-backed registry (a name starting with '/'), else
/// `/var/lib/msprobe/NAME.notices`.
std::string notice_spool_path(const config& cfg, const std::string& registry_name);

} // namespace counters::msprobe

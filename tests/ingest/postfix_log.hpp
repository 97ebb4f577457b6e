// SPDX-License-Identifier: MIT
// A Postfix 3.7 log in the three timestamp forms (lines of a real private Postfix on
// loopback; see counters-ingest(8), LOG FORMATS), with what each line must record.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ingest_test {

inline std::vector<std::string> postfix_log() {
    return {
        // 1 smtpd: inbound association opened
        "Dec 03 05:37:11 mta postfix/smtpd[15459]: connect from localhost[127.0.0.1]",
        "Dec 03 05:37:11 mta postfix/smtpd[15459]: ACF94A76433: client=localhost[127.0.0.1]",
        "Dec 03 05:37:11 mta postfix/cleanup[15462]: ACF94A76433: message-id=<20261203053711.ACF94A76433@mta.test>",
        // 4 Submitted on smtpd: 1 message, 2 recipients, 339 bytes = 1 block (RFC 3339 form)
        std::string("2026-12-03T05:37:11.123456+00:00 mta postfix/qmgr[15454]: ACF94A76433: from=<sender@client.test>, size=339, ") +
        "nrcpt=2 (queue active)",
        // 5 Received + Delivered on smtp, first attempt, 0 s; an outbound association (bare journal form)
        std::string("postfix/smtp[15465]: ACF94A76433: to=<rcpt@sink.test>, relay=127.0.0.1[127.0.0.1]:10026, delay=0.04, ") +
        "delays=0.01/0.02/0/0, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
        // 6 same process, same message: the same association; 1.6 s rounds to 2
        std::string("Dec 03 05:37:11 mta postfix/smtp[15465]: ACF94A76433: to=<2rcpt@sink.test>, ") +
        "relay=127.0.0.1[127.0.0.1]:10026, delay=1.6, delays=0.01/0.02/0/1.5, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
        "Dec 03 05:37:11 mta postfix/qmgr[15454]: ACF94A76433: removed",
        // 8
        std::string("Dec 03 05:37:11 mta postfix/smtpd[15459]: disconnect from localhost[127.0.0.1] ehlo=1 mail=1 rcpt=2 data=1 ") +
        "quit=1 commands=6",
        "Dec 03 05:37:11 mta postfix/smtpd[15464]: connect from localhost[127.0.0.1]",
        // 10 Rejected on smtpd, per recipient
        std::string("Dec 03 05:37:11 mta postfix/smtpd[15464]: NOQUEUE: reject: RCPT from localhost[127.0.0.1]: 554 5.7.1 ") +
        "<z@reject.test>: Recipient address rejected: no such domain here; from=<a@client.test> to=<z@reject.test> " +
        "proto=ESMTP helo=<vm>",
        "Dec 03 05:37:11 mta postfix/smtpd[15464]: CE78DA76473: client=localhost[127.0.0.1]",
        // 12 2100 bytes = 3 blocks
        "Dec 03 05:37:11 mta postfix/qmgr[15454]: CE78DA76473: from=<a@client.test>, size=2100, nrcpt=1 (queue active)",
        // 13 failed outbound association
        "Dec 03 05:37:11 mta postfix/smtp[15466]: connect to 127.0.0.1[127.0.0.1]:10027: Connection refused",
        // 14 Received + Attempted on smtp
        std::string("Dec 03 05:37:11 mta postfix/smtp[15466]: CE78DA76473: to=<x@defer.test>, relay=none, delay=0.03, ") +
        "delays=0.01/0/0.02/0, dsn=4.4.1, status=deferred (connect to 127.0.0.1[127.0.0.1]:10027: Connection refused)",
        // 15 qmgr logs from= again at each retry: Submitted counts once
        "Dec 03 05:42:11 mta postfix/qmgr[15454]: CE78DA76473: from=<a@client.test>, size=2100, nrcpt=1 (queue active)",
        // 16 Delivered, not on the first attempt, 300 s
        std::string("Dec 03 05:42:11 mta postfix/smtp[15470]: CE78DA76473: to=<x@defer.test>, relay=127.0.0.1[127.0.0.1]:10026, ") +
        "delay=300, delays=300/0/0/0, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
        "Dec 03 05:42:11 mta postfix/qmgr[15454]: CE78DA76473: removed",
        // 18
        std::string("Dec 03 05:42:12 mta postfix/smtpd[15464]: disconnect from localhost[127.0.0.1] ehlo=1 mail=1 rcpt=1/2 data=1 ") +
        "quit=1 commands=5/6",
        "Dec 03 05:37:30 mta postfix/pickup[15453]: 24363A764F2: uid=0 from=<local@mta.test>",
        // 20 Submitted on pickup
        "Dec 03 05:37:30 mta postfix/qmgr[15454]: 24363A764F2: from=<local@mta.test>, size=500, nrcpt=1 (queue active)",
        // 21 Received + Failed + Delivered (returned) on smtp, first attempt
        std::string("Dec 03 05:37:30 mta postfix/smtp[15467]: 24363A764F2: to=<w@nowhere.example>, relay=none, delay=0, ") +
        "delays=0/0/0/0, dsn=5.4.4, status=bounced (unable to look up host nowhere.example: No address associated " +
        "with hostname)",
        "Dec 03 05:37:30 mta postfix/bounce[15496]: 24363A764F2: sender non-delivery notification: 28CC1A76519",
        "Dec 03 05:37:30 mta postfix/qmgr[15454]: 24363A764F2: removed",
        // 24 the notice: Submitted on bounce, 2345 bytes = 3 blocks
        "Dec 03 05:37:30 mta postfix/qmgr[15454]: 28CC1A76519: from=<>, size=2345, nrcpt=1 (queue active)",
        // 25 Received + Delivered on local (no association)
        std::string("Dec 03 05:37:30 mta postfix/local[15500]: 28CC1A76519: to=<local@mta.test>, relay=local, delay=0.01, ") +
        "delays=0/0/0/0.01, dsn=2.0.0, status=sent (delivered to mailbox)",
        "Dec 03 05:37:30 mta postfix/qmgr[15454]: 28CC1A76519: removed",
        // 27 master.cf service "submission" (syslog_name postfix/submission)
        "2026-12-03T05:37:38.000000+00:00 mta postfix/submission/smtpd[15785]: connect from localhost[127.0.0.1]",
        // 28..30 a second instance; a rejected connection
        "Dec  3 05:37:40 mta postfix-mx/smtpd[200]: connect from x.example[192.0.2.4]",
        std::string("Dec  3 05:37:40 mta postfix-mx/smtpd[200]: NOQUEUE: reject: CONNECT from x.example[192.0.2.4]: 554 5.7.1 ") +
        "<x.example[192.0.2.4]>: Client host rejected: Access denied; proto=SMTP",
        "Dec  3 05:37:40 mta postfix-mx/smtpd[200]: disconnect from x.example[192.0.2.4] commands=0/0",
        // 31 an id never seen (log started later): Received + Attempted on relay, size unknown
        std::string("Dec  3 05:37:41 mta postfix/relay/smtp[300]: 1D2E3F4A5B: to=<r@x.test>, relay=mx.x.test[198.51.100.8]:25, ") +
        "delay=5, delays=0/0/0/5, dsn=4.0.0, status=deferred (host mx.x.test said: 451 try later)",
        // 32 another program in the same syslog file
        "Dec  3 05:37:41 mta dovecot[12]: imap-login: Login: user=<u>",
        // 33 understood, no counter
        std::string("Dec  3 05:37:41 mta postfix/anvil[1]: statistics: max connection rate 1/60s for (smtp:127.0.0.1) at Dec  3 ") +
        "05:37:11",
    };
}

/// Recipients deferred by the error and retry agents (a destination found dead), then
/// delivered or expired; see counters-ingest(8), LOG FORMATS. Each message is 2100 bytes
/// (3 blocks) from pickup, with one recipient.
inline std::vector<std::string> postfix_error_log(const std::string& id, const std::vector<std::string>& steps) {
    const std::string p = "Dec 03 05:37:12 mta postfix/";
    std::vector<std::string> out = {
        p + "pickup[15453]: " + id + ": uid=0 from=<a@mta.test>",
        p + "qmgr[15454]: " + id + ": from=<a@mta.test>, size=2100, nrcpt=1 (queue active)",
    };
    // line(PROGRAM, TEXT): one line of PROGRAM about the message (appended, no temporaries).
    const auto line = [&](std::string_view program, std::string_view text) {
        std::string l = p;
        l.append(program).append(": ").append(id).append(": ").append(text);
        out.push_back(std::move(l));
    };
    for (const auto& s : steps) {
        if (s == "error" || s == "retry")
            line(s + "[15470]",
                 "to=<y@defer.test>, relay=none, delay=0.5, delays=0.5/0/0/0, dsn=4.4.1, status=deferred "
                 "(delivery temporarily suspended: connect to 127.0.0.1[127.0.0.1]:10027: Connection refused)");
        else if (s == "smtp-deferred")
            line("smtp[15466]", "to=<y@defer.test>, relay=none, delay=0.03, delays=0.01/0/0.02/0, dsn=4.4.1, "
                                "status=deferred (connect to 127.0.0.1[127.0.0.1]:10027: Connection refused)");
        else if (s == "smtp-sent")
            line("smtp[15471]", "to=<y@defer.test>, relay=127.0.0.1[127.0.0.1]:10026, delay=300, "
                                "delays=300/0/0/0, dsn=2.0.0, status=sent (250 2.0.0 Ok)");
        else if (s == "expired")
            line("qmgr[15454]", "from=<a@mta.test>, status=expired, returned to sender");
        else if (s == "again") // qmgr logs from= again at each retry
            line("qmgr[15454]", "from=<a@mta.test>, size=2100, nrcpt=1 (queue active)");
    }
    out.push_back(p + "qmgr[15454]: " + id + ": removed");
    return out;
}

/// The sequences of postfix_error_log() one after the other, each under its own queue id.
inline std::vector<std::string> postfix_error_logs() {
    std::vector<std::string> all;
    for (const auto& part : {postfix_error_log("E0000000001", {"error", "again", "smtp-sent"}),
                             postfix_error_log("E0000000002", {"error", "again", "expired"}),
                             postfix_error_log("E0000000003", {"smtp-deferred", "again", "error", "again", "smtp-sent"}),
                             postfix_error_log("E0000000004", {"retry", "again", "smtp-deferred", "expired"})})
        all.insert(all.end(), part.begin(), part.end());
    return all;
}

} // namespace ingest_test

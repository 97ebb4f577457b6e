// SPDX-License-Identifier: MIT
// A generated Sendmail syslog in the documented format (counters-ingest(8), LOG FORMATS).
#pragma once

#include <string>
#include <vector>

namespace ingest_test {

inline std::vector<std::string> sendmail_log() {
    return {
        std::string("Dec  3 05:37:11 mta sm-mta[100]: 0B35bB1a012345: from=<s@client.test>, size=1500, class=0, nrcpts=2, ") +
        "msgid=<m1@client.test>, proto=ESMTP, daemon=MTA-v4, relay=localhost [127.0.0.1]",
        std::string("Dec  3 05:37:12 mta sm-mta[101]: 0B35bB1a012345: to=<a@sink.test>,<b@sink.test>, delay=00:00:01, ") +
        "xdelay=00:00:01, mailer=esmtp, pri=120000, relay=sink.test. [127.0.0.1], dsn=2.0.0, stat=Sent (Ok)",
        std::string("Dec  3 05:37:13 mta sm-mta[102]: 0B35bC2b012346: from=<root@mta.test>, size=700, class=0, nrcpts=1, ") +
        "msgid=<m2@mta.test>, relay=root@localhost",
        std::string("Dec  3 05:37:14 mta sm-mta[103]: 0B35bC2b012346: to=<x@defer.test>, delay=00:00:01, xdelay=00:00:01, ") +
        "mailer=esmtp, pri=30000, relay=defer.test. [127.0.0.2], dsn=4.0.0, stat=Deferred: Connection refused by " +
        "defer.test.",
        std::string("2026-12-04T06:37:14+00:00 mta sm-mta[104]: 0B35bC2b012346: to=<x@defer.test>, delay=1+01:00:01, ") +
        "xdelay=00:00:01, mailer=esmtp, pri=120000, relay=defer.test. [127.0.0.2], dsn=2.0.0, stat=Sent (ok)",
        std::string("Dec  3 05:37:15 mta sm-mta[105]: 0B35bD3c012347: from=<s@client.test>, size=300, class=0, nrcpts=1, ") +
        "msgid=<m3@client.test>, proto=ESMTP, daemon=MTA-v4, relay=localhost [127.0.0.1]",
        std::string("Dec  3 05:37:15 mta sm-mta[106]: 0B35bD3c012347: to=<nobody@mta.test>, delay=00:00:00, xdelay=00:00:00, ") +
        "mailer=local, pri=30000, dsn=5.1.1, stat=User unknown",
        "Dec  3 05:37:15 mta sm-mta[106]: 0B35bD3c012347: 0B35bD3d012348: DSN: User unknown",
        std::string("Dec  3 05:37:15 mta sm-mta[106]: 0B35bD3d012348: to=<s@client.test>, delay=00:00:00, xdelay=00:00:00, ") +
        "mailer=esmtp, pri=30000, relay=client.test. [127.0.0.3], dsn=2.0.0, stat=Sent (ok)",
        std::string("Dec  3 05:37:16 mta sm-mta[107]: 0B35bE4e012349: ruleset=check_rcpt, arg1=<z@reject.test>, relay=localhost ") +
        "[127.0.0.1], reject=550 5.7.1 <z@reject.test>... Relaying denied",
        std::string("Dec  3 05:37:16 mta sm-mta[108]: ruleset=check_relay, arg1=bad.host, arg2=10.0.0.9, relay=bad.host ") +
        "[10.0.0.9], reject=550 5.7.1 Access denied",
        "Dec  3 05:37:16 mta sm-mta[109]: STARTTLS=client, relay=x, version=TLSv1.3, verify=OK",
    };
}

} // namespace ingest_test

// SPDX-License-Identifier: MIT
// A generated Exim main log in the documented format (counters-ingest(8), LOG FORMATS).
#pragma once

#include <string>
#include <vector>

namespace ingest_test {

inline std::vector<std::string> exim_log() {
    return {
        "2026-12-03 05:37:11 SMTP connection from [127.0.0.1]:40000 (TCP/IP connection count = 1)",
        std::string("2026-12-03 05:37:11 1tIXab-000123-Cd <= sender@client.test H=localhost [127.0.0.1] P=esmtp S=1500 ") +
        "id=abc@client.test for a@sink.test b@sink.test",
        std::string("2026-12-03 05:37:11 H=localhost [127.0.0.1] F=<sender@client.test> rejected RCPT <z@reject.test>: no such ") +
        "domain",
        "2026-12-03 05:37:12 SMTP connection from localhost [127.0.0.1]:40000 closed by QUIT",
        std::string("2026-12-03 05:37:12 1tIXab-000123-Cd => a@sink.test R=dnslookup T=remote_smtp H=sink.test [127.0.0.1] ") +
        "C=\"250 OK T=1 id=x\" QT=1s DT=0s",
        std::string("2026-12-03 05:37:12 1tIXab-000123-Cd -> b@sink.test R=dnslookup T=remote_smtp H=sink.test [127.0.0.1] ") +
        "C=\"250 OK\" QT=1s DT=0s",
        "2026-12-03 05:37:12 1tIXab-000123-Cd Completed QT=1s",
        "2026-12-03 05:37:13 [4242] 1tIXcd-000124-Ef <= local@mta.test U=root P=local S=800 for x@defer.test",
        std::string("2026-12-03 05:37:13.512 +0000 [4243] 1tIXcd-000124-Ef == x@defer.test R=dnslookup T=remote_smtp defer (111): ") +
        "Connection refused",
        std::string("2026-12-03 05:40:13 [4250] 1tIXcd-000124-Ef => x@defer.test R=dnslookup T=remote_smtp H=defer.test ") +
        "[127.0.0.2] C=\"250 OK\" QT=3m1s DT=1s",
        "2026-12-03 05:40:13 1tIXcd-000124-Ef Completed",
        std::string("2026-12-03 05:41:00 1tIXef-000125-Gh <= bad@client.test H=localhost [127.0.0.1] P=esmtps S=300 for ") +
        "w@nowhere.example",
        "2026-12-03 05:41:00 1tIXef-000125-Gh ** w@nowhere.example: Unrouteable address",
        std::string("2026-12-03 05:41:00 1tIXgh-000126-Ij <= <> R=1tIXef-000125-Gh U=Debian-exim P=local S=1800 for ") +
        "bad@client.test",
        "2026-12-03 05:41:00 1tIXgh-000126-Ij => bad@client.test R=localuser T=local_delivery QT=0s DT=0s",
        "2026-12-03 05:41:00 1tIXef-000125-Gh Completed",
        "2026-12-03 05:41:01 1tIXgh-000126-Ij Completed",
        "2026-12-03 05:41:02 Connection from [10.0.0.9] refused: too many connections",
        "2026-12-03 05:41:03 Start queue run: pid=4260",
    };
}

} // namespace ingest_test

// SPDX-License-Identifier: MIT
// msprobe's SMTP client against a scripted server: the exact dialogue, CRLF and dot-stuffing,
// multi-line replies, HELO after a refused EHLO, every refusal and a silent server reported
// with the step and the reply.
#include "alarm_side.hpp"
#include "alarm_support.hpp"

#include <catch.hpp>

#include <chrono>
#include <string>
#include <vector>

using namespace counters::msprobe;
using alarm_testing::fake_smtp;

namespace {

smtp_options to(const fake_smtp& s, double timeout = 5) {
    smtp_options o;
    o.host = "127.0.0.1";
    o.port = s.port();
    o.helo = "probe.test";
    o.timeout = timeout;
    return o;
}

} // namespace

TEST_CASE("mailer: the dialogue, CRLF line ends and dot-stuffing") {
    fake_smtp server;
    server.start();
    const std::vector<outgoing> m{
        {"a@x.test", "b@y.test", "Subject: one\n\n.leading dot\n..two dots\nbare\rCR\r\nlast line without end"},
        {"", "c@y.test", "Subject: two\r\n\r\n.\r\n"}};
    const std::vector<std::string> r = smtp_send(to(server), m);
    CHECK(r == std::vector<std::string>{"", ""});
    REQUIRE(server.messages().size() == 2);
    CHECK(server.messages()[0] ==
          "Subject: one\r\n\r\n..leading dot\r\n...two dots\r\nbare\r\nCR\r\nlast line without end\r\n");
    CHECK(server.messages()[1] == "Subject: two\r\n\r\n..\r\n");
    CHECK(server.commands() == std::vector<std::string>{"EHLO probe.test", "MAIL FROM:<a@x.test>",
                                                        "RCPT TO:<b@y.test>", "DATA", "MAIL FROM:<>",
                                                        "RCPT TO:<c@y.test>", "DATA", "QUIT"});
}

TEST_CASE("mailer: HELO when EHLO is refused, a 251 recipient is accepted") {
    fake_smtp::script s;
    s.ehlo = "502-5.5.2 no\r\n502 5.5.2 EHLO not here";
    s.rcpt = "251 2.1.5 will forward";
    fake_smtp server(s);
    server.start();
    CHECK(smtp_send(to(server), {{"a@x", "b@y", "x\n"}}) == std::vector<std::string>{""});
    CHECK(server.commands().at(1) == "HELO probe.test");
    CHECK(server.messages().size() == 1);
}

TEST_CASE("mailer: a host name without a dot greets with the address literal") {
    fake_smtp server;
    server.start();
    smtp_options o = to(server);
    o.helo = "vm";
    CHECK(smtp_send(o, {{"a@x", "b@y", "x\n"}}) == std::vector<std::string>{""});
    CHECK(server.commands().at(0) == "EHLO [127.0.0.1]");
}

TEST_CASE("mailer: each refusal names its step and the server's reply") {
    const auto port_of = [](const fake_smtp& f) { return "127.0.0.1:" + std::to_string(f.port()); };
    {
        fake_smtp::script s;
        s.greeting = "554 5.3.2 go away";
        fake_smtp server(s);
        server.start();
        CHECK(smtp_send(to(server), {{"a@x", "b@y", "x\n"}, {"a@x", "b@y", "y\n"}}) ==
              std::vector<std::string>(2, "greeting: " + port_of(server) + " answered 554 5.3.2 go away"));
    }
    {
        fake_smtp::script s;
        s.ehlo = "421 4.3.0 bye";
        s.helo = "421 4.3.0 bye";
        fake_smtp server(s);
        server.start();
        CHECK(smtp_send(to(server), {{"a@x", "b@y", "x\n"}})[0] == "HELO: " + port_of(server) + " answered 421 4.3.0 bye");
    }
    {
        fake_smtp::script s;
        s.mail = "451-4.3.0 first\r\n451 4.3.0 second line";
        fake_smtp server(s);
        server.start();
        CHECK(smtp_send(to(server), {{"a@x", "b@y", "x\n"}})[0] ==
              "MAIL FROM:<a@x>: " + port_of(server) + " answered 451-4.3.0 first 451 4.3.0 second line");
    }
    {
        fake_smtp::script s;
        s.data = "554 5.5.1 no valid recipients";
        fake_smtp server(s);
        server.start();
        CHECK(smtp_send(to(server), {{"a@x", "b@y", "x\n"}})[0] ==
              "DATA: " + port_of(server) + " answered 554 5.5.1 no valid recipients");
    }
    {
        fake_smtp::script s;
        s.end = "552 5.3.4 too big";
        fake_smtp server(s);
        server.start();
        CHECK(smtp_send(to(server), {{"a@x", "b@y", "x\n"}})[0] ==
              "end of message text: " + port_of(server) + " answered 552 5.3.4 too big");
        CHECK(server.messages().size() == 1); // the server got the text but did not take it
    }
    {
        fake_smtp::script s;
        s.greeting = "hello there";
        fake_smtp server(s);
        server.start();
        CHECK(smtp_send(to(server), {{"a@x", "b@y", "x\n"}})[0] ==
              "greeting: " + port_of(server) + ": not an SMTP reply: \"hello there\"");
    }
}

TEST_CASE("mailer: a bad envelope address is refused locally, the others still go") {
    fake_smtp server;
    server.start();
    const std::vector<std::string> r =
        smtp_send(to(server), {{"a@x", "b@y>\r\nRCPT TO:<evil@z", "x\n"}, {"a@x", "b@y", "y\n"}});
    CHECK(r[0].rfind("bad envelope address", 0) == 0);
    CHECK(r[1].empty());
    CHECK(server.messages().size() == 1);
}

TEST_CASE("mailer: a server that accepts and never answers: the timeout, not a hang") {
    fake_smtp::script s;
    s.silent = true;
    fake_smtp server(s);
    server.start();
    const auto start = std::chrono::steady_clock::now();
    const std::vector<std::string> r = smtp_send(to(server, 0.5), {{"a@x", "b@y", "x\n"}});
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK(r[0] == "greeting: 127.0.0.1:" + std::to_string(server.port()) + ": no reply in 0.5 s");
    CHECK(took < std::chrono::seconds(3));
}

TEST_CASE("mailer: nothing listens, a name that does not resolve") {
    fake_smtp closed; // bound, not listening: refused
    CHECK(smtp_send(to(closed), {{"a@x", "b@y", "x\n"}})[0] ==
          "cannot connect to 127.0.0.1:" + std::to_string(closed.port()) + ": Connection refused");
    smtp_options o;
    o.host = "nowhere.invalid";
    o.timeout = 2;
    CHECK(smtp_send(o, {{"a@x", "b@y", "x\n"}})[0].rfind("cannot resolve nowhere.invalid: ", 0) == 0);
    CHECK(smtp_send(o, {}).empty());
}

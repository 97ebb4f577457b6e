// SPDX-License-Identifier: MIT
// error.hpp and version.hpp: the error's kind, name, code and message, and the versions.
#include "catch.hpp"

#include <counters/error.hpp>
#include <counters/version.hpp>

#include <cstring>
#include <string>

using namespace counters;

TEST_CASE("an error names its object kind, the object and the cause", "[error]") {
    const error s(errc::corrupt, "imta_counters", "bad magic");
    CHECK(std::string(s.what()) == "section \"imta_counters\": bad magic");
    CHECK(s.kind() == object_kind::section);
    CHECK(s.name() == "imta_counters");
    CHECK(std::string(s.detail()) == "bad magic");
    CHECK(s.code() == errc::corrupt);

    const error r(errc::not_found, object_kind::registry, "counters_registry", "does not exist");
    CHECK(std::string(r.what()) == "registry \"counters_registry\": does not exist");
    CHECK(r.kind() == object_kind::registry);
    CHECK(std::string(r.detail()) == "does not exist");

    const error q(errc::permission, object_kind::queue, "/var/spool", "cannot read");
    CHECK(std::string(q.what()) == "queue \"/var/spool\": cannot read");
}

TEST_CASE("copies of an error share their text and stay valid", "[error]") {
    error copy(errc::system, "a", "first");
    {
        const error e(errc::table_full, object_kind::registry, "reg", "object table full");
        copy = e;
    }
    CHECK(copy.name() == "reg");
    CHECK(std::string(copy.detail()) == "object table full");
    CHECK(copy.code() == errc::table_full);
}

TEST_CASE("every code and kind has a lower-case name", "[error]") {
    for (errc c : {errc::not_found, errc::exists, errc::permission, errc::corrupt, errc::foreign, errc::version,
                   errc::not_ready, errc::retired, errc::invalid_argument, errc::table_full, errc::system, errc::no_space}) {
        const std::string n = to_string(c);
        CHECK_FALSE(n.empty());
        CHECK(n != "unknown error");
        for (char ch : n) CHECK_FALSE((ch >= 'A' && ch <= 'Z'));
    }
    CHECK(std::string(to_string(errc::not_found)) == "not found");
    CHECK(std::string(to_string(object_kind::section)) == "section");
    CHECK(std::string(to_string(object_kind::registry)) == "registry");
    CHECK(std::string(to_string(object_kind::queue)) == "queue");
}

TEST_CASE("the library and format versions", "[error][version]") {
    const std::string v = library_version();
    CHECK(v.find('.') != std::string::npos);
    CHECK(v != "unknown");
    CHECK(format_major == 1);
    CHECK(format_minor == 1);
}

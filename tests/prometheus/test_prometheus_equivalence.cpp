// SPDX-License-Identifier: MIT
// render_prometheus() against the former writer, kept as prometheus_reference.hpp:
// byte-identical output for random snapshots (values of every magnitude and sign, random,
// hostile, long and repeated names, patterns, -absolute, a registry, text already in the
// output) and for the edge cases, and for thousands of channels (many output chunks).
#include "catch.hpp"
#include "random_values.hpp"

#include "prometheus_reference.hpp"

#include <counters/registry.hpp>
#include <counters_tools/prometheus.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <utility>
#include <string>
#include <vector>

using namespace counters;
using counters::tools::exposition_input;

namespace {

using testing_random::random_value;

const std::vector<std::string>& hostile_names() {
    static const std::vector<std::string> names = {
        "a\nb", "\x1b]0;X\x07", "\x1b[2J", "del\x7f", "c1\xc2\x9b\xc2\x9d", std::string("\x80\x8f\x9f", 3),
        "bad\xff\xfe", "quote\"back\\slash", std::string("nul\0in", 6), "\xf0\x9f\x98\x80 emoji",
        "\xed\xa0\x80 surrogate", "\xe0\x80\xaf overlong", "tab\there", std::string(200, 'L'), "", "ok",
        "\xf4\x90\x80\x80 beyond", "\xc3\xa9t\xc3\xa9", std::string(31, 'x'), std::string(32, 'y'),
        std::string(33, 'z'), std::string(64, 'w'), std::string(65, 'v'), "x\x01", "x\\x01", "dup", "dup",
        std::string(20, '"'), std::string(17, '\\')};
    return names;
}

std::string random_name(std::mt19937_64& rng) { return testing_random::random_name(rng, hostile_names(), 48); }

snapshot random_snapshot(std::mt19937_64& rng, std::size_t channels) {
    snapshot s;
    s.section.name = rng() % 5 == 0 ? random_name(rng) : "imta_counters";
    s.section.version_major = static_cast<std::uint16_t>(rng() % 3);
    s.section.version_minor = static_cast<std::uint16_t>(rng() % 3);
    s.section.block_size = static_cast<std::uint32_t>(rng());
    s.section.max_channels = static_cast<std::uint32_t>(rng());
    s.section.channels = static_cast<std::uint32_t>(channels);
    s.section.created = random_value(rng);
    s.section.cleared = rng() % 3 == 0 ? 0 : random_value(rng);
    s.section.clear_count = random_value(rng);
    s.section.overflow = rng() % 3 == 0 ? random_value(rng) : 0;
    if (rng() % 4 == 0) s.section.distrust = "planted";
    for (std::size_t i = 0; i < channels; ++i) {
        channel_values c;
        c.name = random_name(rng);
        for (std::size_t k = 0; k < counter_count; ++k) {
            c.value[k] = random_value(rng);
            c.minimum[k] = rng() % 2 == 0 ? 0 : random_value(rng);
        }
        c.current_in = random_value(rng);
        c.current_out = random_value(rng);
        c.last_in = rng() % 3 == 0 ? 0 : random_value(rng);
        c.last_out = rng() % 3 == 0 ? 0 : random_value(rng);
        s.channels.push_back(std::move(c));
    }
    return s;
}

registry_snapshot random_registry(std::mt19937_64& rng) {
    registry_snapshot r;
    r.info.name = "counters_registry";
    const object_schema custom = {{"requestsTotal", field_kind::counter, 8, false},
                                  {"queue.count", field_kind::gauge, 8, false},
                                  {"lastHTTPTime", field_kind::time, 8, false},
                                  {"requests_total", field_kind::counter, 8, false},
                                  {"note", field_kind::string, 64, false}};
    const std::vector<std::pair<std::string, object_schema>> objects = {
        {"imapstat", *builtin_schema("imapstat")}, {"diskusage", *builtin_schema("diskusage")}, {"my-app.v2", custom}};
    for (const auto& [name, schema] : objects) {
        object_values o;
        o.name = name;
        o.schema = schema;
        const std::size_t instances = rng() % 4;
        for (std::size_t i = 0; i < instances; ++i) {
            instance_values iv;
            iv.name = random_name(rng);
            for (const field_def& f : schema) {
                field_value fv;
                fv.name = f.name;
                fv.kind = f.kind;
                fv.size = f.size;
                fv.per_process = f.per_process;
                fv.number = f.kind == field_kind::string || rng() % 5 == 0 ? 0 : random_value(rng);
                iv.fields.push_back(fv);
            }
            o.instances.push_back(iv);
        }
        r.objects.push_back(o);
    }
    return r;
}

std::string current(const exposition_input& in, const std::string& before = {}) {
    std::string out = before;
    tools::render_prometheus(in, out);
    return out;
}

std::string reference(const exposition_input& in, const std::string& before = {}) {
    std::string out = before;
    tools::test::render_prometheus_reference(in, out);
    return out;
}

} // namespace

TEST_CASE("render_prometheus writes what the former writer wrote, byte for byte", "[prometheus][equivalence]") {
    std::mt19937_64 rng(1406); // NOLINT(cert-msc51-cpp): the same cases on every run
    const char* const patterns[] = {"*", "*", "*", "a*", "*a*", "?*", "nomatch", "dup", "*\\*"};
    for (int round = 0; round < 400; ++round) {
        const snapshot s = random_snapshot(rng, rng() % 16);
        const registry_snapshot reg = random_registry(rng);
        exposition_input in;
        in.section = rng() % 8 == 0 ? nullptr : &s;
        in.section_name = random_name(rng);
        in.registry = rng() % 2 == 0 ? &reg : nullptr;
        in.pattern = patterns[rng() % (sizeof patterns / sizeof *patterns)];
        in.absolute = rng() % 2 == 0;
        const std::string before = rng() % 4 == 0 ? std::string("# already here\n") : std::string();
        INFO("round " << round << ", pattern " << in.pattern << ", absolute " << in.absolute);
        REQUIRE(current(in, before) == reference(in, before));
    }
}

TEST_CASE("render_prometheus matches the former writer on many channels and edge cases", "[prometheus][equivalence]") {
    std::mt19937_64 rng(99); // NOLINT(cert-msc51-cpp): the same cases on every run
    for (const std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{3000}}) {
        const snapshot s = random_snapshot(rng, n);
        for (const bool absolute : {false, true}) {
            exposition_input in;
            in.section = &s;
            in.absolute = absolute;
            INFO(n << " channels, absolute " << absolute);
            CHECK(current(in) == reference(in));
        }
    }
    // Every hostile name, extreme values, the missing section.
    snapshot s;
    s.section.name = "sec\"\x01\xff";
    for (const std::string& name : hostile_names()) {
        channel_values c;
        c.name = name;
        c.value[0] = std::numeric_limits<std::int64_t>::min();
        c.minimum[1] = std::numeric_limits<std::int64_t>::max();
        c.last_in = std::numeric_limits<std::int64_t>::min();
        s.channels.push_back(c);
    }
    exposition_input in;
    in.section = &s;
    CHECK(current(in) == reference(in));
    in.absolute = true;
    CHECK(current(in) == reference(in));
    in.section = nullptr;
    in.section_name = "gone\"away";
    CHECK(current(in) == reference(in));
}

// SPDX-License-Identifier: MIT
// libFuzzer target: counters::decode_snapshot() on arbitrary bytes, then what the tools do
// with an image that decodes: the text table (plain and -absolute), the JSON document and
// the Prometheus exposition (which must hold no control character but its newlines).
// A counters::error is the expected answer to a bad image; any other exception, a crash, a
// leak or undefined behaviour is a bug (libFuzzer aborts on an uncaught exception).
#include "fuzz_image.hpp"

#include <counters/error.hpp>
#include <counters/snapshot.hpp>
#if COUNTERS_FUZZ_RENDER
#include <counters_tools/prometheus.hpp>
#include <counters_tools/render.hpp>
#endif

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const counters_fuzz::aligned_image img(data, size);
    try {
        const counters::snapshot s = counters::decode_snapshot(img.data(), img.size(), "fuzz");
        // What a decoded snapshot promises: 1..32-byte names, never more channels than the
        // table holds, non-negative current associations.
        if (s.channels.size() > s.section.max_channels) __builtin_trap();
        for (const auto& c : s.channels)
            if (c.name.empty() || c.name.size() > 32 || c.current_in < 0 || c.current_out < 0) __builtin_trap();
#if COUNTERS_FUZZ_RENDER
        counters::tools::render_options o;
        for (const bool absolute : {false, true}) {
            o.absolute = absolute;
            std::ostringstream text;
            counters::tools::render_text(s, o, text);
            std::ostringstream json;
            counters::tools::render_json(s, o, json);
            counters::tools::exposition_input in;
            in.section = &s;
            in.absolute = absolute;
            std::string prom;
            counters::tools::render_prometheus(in, prom);
            for (const char ch : prom) {
                const auto u = static_cast<unsigned char>(ch);
                if ((u < 0x20 && u != '\n') || u == 0x7f) __builtin_trap();
            }
        }
#endif
    } catch (const counters::error&) {
    }
    return 0;
}

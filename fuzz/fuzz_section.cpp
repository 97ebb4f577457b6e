// libFuzzer target: counters::decode_snapshot() on arbitrary bytes. A counters::error is the
// expected answer to a bad image; any other exception, a crash, a leak or undefined behaviour
// is a bug (libFuzzer aborts on an uncaught exception).
#include "fuzz_image.hpp"

#include <counters/error.hpp>
#include <counters/snapshot.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const counters_fuzz::aligned_image img(data, size);
    try {
        const counters::snapshot s = counters::decode_snapshot(img.data(), img.size(), "fuzz");
        // Touch what a renderer would read.
        std::size_t n = s.section.name.size();
        for (const auto& c : s.channels) n += c.name.size() + static_cast<std::size_t>(c.value[0] != 0);
        (void)n;
    } catch (const counters::error&) {
    }
    return 0;
}

// SPDX-License-Identifier: MIT
// libFuzzer target: counters::decode_registry() on arbitrary bytes. A counters::error is the
// expected answer to a bad image; any other exception, a crash, a leak or undefined behaviour
// is a bug (libFuzzer aborts on an uncaught exception).
#include "fuzz_image.hpp"

#include <counters/error.hpp>
#include <counters/registry_snapshot.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const counters_fuzz::aligned_image img(data, size);
    try {
        const counters::registry_snapshot s = counters::decode_registry(img.data(), img.size(), "fuzz");
        // Touch what counterutil would read.
        std::size_t n = 0;
        for (const auto& o : s.objects)
            for (const auto& i : o.instances)
                for (const auto& f : i.fields) n += f.name.size() + f.text.size() + (f.number != 0 ? 1u : 0u);
        (void)n;
    } catch (const counters::error&) {
    }
    return 0;
}

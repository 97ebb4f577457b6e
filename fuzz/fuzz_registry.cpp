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
        // What a decoded registry promises (and counterutil relies on): 1..32-byte names of
        // objects, instances and fields, and no more of each than the header allows.
        auto bad_name = [](const std::string& n) { return n.empty() || n.size() > 32; };
        if (s.objects.size() > s.info.max_objects) __builtin_trap();
        for (const auto& o : s.objects) {
            if (bad_name(o.name) || o.instances.size() > s.info.max_instances) __builtin_trap();
            for (const auto& i : o.instances) {
                if (bad_name(i.name) || i.fields.size() > s.info.max_fields) __builtin_trap();
                for (const auto& f : i.fields)
                    if (bad_name(f.name)) __builtin_trap();
            }
        }
    } catch (const counters::error&) {
    }
    return 0;
}

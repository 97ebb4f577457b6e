// SPDX-License-Identifier: MIT
// Shared by fuzz_section and fuzz_registry: the fuzzer's bytes copied into a buffer of exactly
// that size (so that AddressSanitizer catches any read past the image) aligned like a mapping.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>

namespace counters_fuzz {

class aligned_image {
public:
    aligned_image(const std::uint8_t* data, std::size_t size)
        : size_(size), p_(::operator new(size == 0 ? 1 : size, std::align_val_t{64})) {
        if (size != 0) std::memcpy(p_, data, size);
    }
    ~aligned_image() { ::operator delete(p_, std::align_val_t{64}); }
    aligned_image(const aligned_image&) = delete;
    aligned_image& operator=(const aligned_image&) = delete;
    const void* data() const noexcept { return p_; }
    std::size_t size() const noexcept { return size_; }

private:
    std::size_t size_;
    void* p_;
};

} // namespace counters_fuzz

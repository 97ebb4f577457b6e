// SPDX-License-Identifier: MIT
/// @file export.hpp
/// COUNTERS_API marks what the shared library exports: the public API and nothing else.
/// The library is built with hidden visibility, so private code (namespace
/// counters::detail, Boost) stays inside it. Safe to include anywhere; no code.
#pragma once

#if defined(__GNUC__) || defined(__clang__)
#define COUNTERS_API __attribute__((visibility("default")))
#else
#define COUNTERS_API
#endif

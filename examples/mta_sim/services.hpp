// SPDX-License-Identifier: MIT
// mta-sim: the message-store access services (IMAP and POP) and their registry objects.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace mta_sim {

/// The servers users read their mail with. Each records into the registry object of the
/// same name (imapstat, popstat) through counters::service_stats.
enum class service : std::uint8_t { imap, pop };

inline constexpr std::size_t service_count = 2;

inline constexpr std::array<const char*, service_count> service_objects = {"imapstat", "popstat"};

constexpr std::size_t idx(service s) noexcept { return static_cast<std::size_t>(s); }
constexpr const char* object_of(service s) noexcept { return service_objects[idx(s)]; }

} // namespace mta_sim

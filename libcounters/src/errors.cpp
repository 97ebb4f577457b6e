// SPDX-License-Identifier: MIT
// The exception of every set-up call, and the names of its codes and object kinds.
#include <counters/error.hpp>

namespace counters {

const char* to_string(errc code) noexcept {
    switch (code) {
    case errc::not_found: return "not found";
    case errc::exists: return "exists";
    case errc::permission: return "permission denied";
    case errc::corrupt: return "corrupt";
    case errc::foreign: return "foreign";
    case errc::version: return "unsupported version";
    case errc::not_ready: return "not ready";
    case errc::retired: return "retired";
    case errc::invalid_argument: return "invalid argument";
    case errc::table_full: return "table full";
    case errc::system: return "system error";
    case errc::no_space: return "no space";
    }
    return "unknown error";
}

const char* to_string(object_kind kind) noexcept {
    switch (kind) {
    case object_kind::section: return "section";
    case object_kind::registry: return "registry";
    case object_kind::queue: return "queue";
    }
    return "object";
}

error::error(errc code, const std::string& name, const std::string& message)
    : error(code, object_kind::section, name, message) {}

namespace {
std::string prefix_of(object_kind kind, const std::string& name) {
    return std::string(to_string(kind)) + " \"" + name + "\": ";
}
} // namespace

error::error(errc code, object_kind kind, const std::string& name, const std::string& message)
    : std::runtime_error(prefix_of(kind, name) + message), code_(code), kind_(kind),
      prefix_(prefix_of(kind, name).size()), name_(std::make_shared<const std::string>(name)) {}

} // namespace counters

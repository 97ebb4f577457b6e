// SPDX-License-Identifier: MIT
// The built-in counter objects of the original counterutil, declared once, fields in the
// order counterutil prints them; the service objects' fields come from schemas.hpp.
#include "schemas.hpp"

#include <counters/registry.hpp>

#include <cstdlib>

namespace counters {

namespace {

using k = field_kind;

object_schema service_schema() {
    object_schema schema;
    for (const detail::service_field_def& f : detail::service_fields)
        schema.push_back({f.name, f.kind, 8, f.per_process});
    return schema;
}

struct builtin {
    const char* name;
    object_schema schema;
};

const std::vector<builtin>& table() {
    static const std::vector<builtin> t = {
        {"imapstat", service_schema()},
        {"popstat", service_schema()},
        {"httpstat", service_schema()},
        {"alarm",
         {
             {"countOverThreshold", k::counter, 8, false},
             {"countWarningSent", k::counter, 8, false},
             {"current", k::gauge, 8, false},
             {"high", k::gauge, 8, false},
             {"low", k::gauge, 8, false},
             {"timeLastSet", k::time, 8, false},
             {"timeLastWarning", k::time, 8, false},
             {"timeReset", k::time, 8, false},
             {"timeStateChanged", k::time, 8, false},
             {"warningState", k::gauge, 8, false},
         }},
        {"diskusage",
         {
             {"availSpace", k::gauge, 8, false},
             {"lastStatTime", k::time, 8, false},
             {"mailPartitionPath", k::string, 256, false},
             {"percentAvail", k::gauge, 8, false},
             {"totalSpace", k::gauge, 8, false},
         }},
        {"serverresponse",
         {
             {"lastStatTime", k::time, 8, false},
             {"responseTime", k::gauge, 8, false},
         }},
        // counters-ingest, one instance per source (counters-ingest(8)). position, inode and
        // fingerprint are the "applied up to" point a restart after SIGKILL resumes from;
        // cursor is the journal's.
        {"ingest",
         {
             {"linesRead", k::counter, 8, false},
             {"linesRecorded", k::counter, 8, false},
             {"linesIgnored", k::counter, 8, false},
             {"skippedUnknown", k::counter, 8, false},
             {"skippedTooLong", k::counter, 8, false},
             {"skippedInvalidUtf8", k::counter, 8, false},
             {"skippedBinary", k::counter, 8, false},
             {"skippedTruncated", k::counter, 8, false},
             {"skippedBadNumber", k::counter, 8, false},
             {"skippedEvicted", k::counter, 8, false},
             {"skippedOther", k::counter, 8, false},
             {"position", k::gauge, 8, false},
             {"inode", k::gauge, 8, false},
             {"fingerprint", k::gauge, 8, false},
             {"lastLineTime", k::time, 8, false},
             {"cursor", k::string, 256, false},
         }},
    };
    return t;
}

} // namespace

const object_schema* builtin_schema(std::string_view object) noexcept {
    for (const auto& b : table())
        if (object == b.name) return &b.schema;
    return nullptr;
}

std::vector<std::string> builtin_objects() {
    std::vector<std::string> v;
    for (const auto& b : table()) v.emplace_back(b.name);
    return v;
}

const char* to_string(field_kind kind) noexcept {
    switch (kind) {
    case field_kind::counter: return "COUNTER";
    case field_kind::gauge: return "GAUGE";
    case field_kind::time: return "TIME";
    case field_kind::string: return "STRING";
    }
    return "UNKNOWN";
}

std::string registry_name(const std::string& explicit_name) {
    if (!explicit_name.empty()) return explicit_name;
    const char* env = std::getenv(registry_env);
    if (env != nullptr && *env != '\0') return env;
    return default_registry;
}

} // namespace counters

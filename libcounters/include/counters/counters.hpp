// SPDX-License-Identifier: MIT
/// @file counters.hpp
/// Umbrella header of libcounters: include this to get the whole public API.
#pragma once

#include <counters/admin.hpp>
#include <counters/counter.hpp>
#include <counters/error.hpp>
#include <counters/options.hpp>
#include <counters/registry.hpp>
#include <counters/registry_snapshot.hpp>
#include <counters/section.hpp>
#include <counters/snapshot.hpp>
#include <counters/stats.hpp>
#include <counters/version.hpp>

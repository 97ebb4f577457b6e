#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Configures and builds libcounters, its tools, examples, tests and benchmarks in ./build.
# Set BUILD_DIR to build elsewhere; CI=true turns warnings into errors.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
werror=OFF
[ "${CI:-}" = "true" ] && werror=ON
launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCOUNTERS_WERROR=$werror "${launcher[@]}" >/dev/null
cmake --build "$build" -j "$(nproc)"

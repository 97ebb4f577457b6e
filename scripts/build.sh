#!/usr/bin/env bash
# Configures and builds libcounters, its tools, examples, tests and benchmarks in ./build.
# Set BUILD_DIR to build elsewhere; CI=true turns warnings into errors.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
werror=OFF
[ "${CI:-}" = "true" ] && werror=ON
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCOUNTERS_WERROR=$werror >/dev/null
cmake --build "$build" -j "$(nproc)"

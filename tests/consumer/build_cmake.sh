#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Consumer test, step 2: configure, build and run project/ with find_package(counters)
# against the private prefix.
# usage: build_cmake.sh CMAKE SOURCE_DIR PREFIX WORK_DIR CXX [CXXFLAGS [LDFLAGS]]
set -euo pipefail
if [ $# -lt 5 ]; then
    echo "usage: build_cmake.sh CMAKE SOURCE_DIR PREFIX WORK_DIR CXX [CXXFLAGS [LDFLAGS]]" >&2
    exit 2
fi
cmake=$1 src=$2 prefix=$3 work=$4 cxx=$5 cxxflags=${6:-} ldflags=${7:-}

section="consumer_cmake_$$"
cleanup() { rm -f -- "/dev/shm/$section"; }
trap cleanup EXIT

rm -rf -- "$work"
"$cmake" -S "$src" -B "$work" \
    -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
    -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF \
    -DCMAKE_CXX_COMPILER="$cxx" \
    -DCMAKE_CXX_FLAGS="$cxxflags" \
    -DCMAKE_EXE_LINKER_FLAGS="$ldflags"

# The package must come from the private prefix, not from a system-wide install.
found=$(sed -n 's/^counters_DIR:[A-Z]*=//p' "$work/CMakeCache.txt")
case $found in
"$prefix"/*) echo "build_cmake.sh: counters found in $found" ;;
*) echo "build_cmake.sh: counters was found in '$found', not under $prefix" >&2; exit 1 ;;
esac

"$cmake" --build "$work"
"$work/consumer" "$section"
if [ -e "/dev/shm/$section" ]; then
    echo "build_cmake.sh: /dev/shm/$section was left behind" >&2
    exit 1
fi

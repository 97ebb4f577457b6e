#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Consumer test, step 3: build project/main.cpp with the flags from pkg-config and run it.
# The compiler is $CXX (default c++), with $CXXFLAGS and $LDFLAGS.
# usage: build_pkgconfig.sh SOURCE_DIR PREFIX WORK_DIR
set -euo pipefail
if [ $# -ne 3 ]; then
    echo "usage: build_pkgconfig.sh SOURCE_DIR PREFIX WORK_DIR" >&2
    exit 2
fi
src=$1 prefix=$2 work=$3
cxx=${CXX:-c++}
pkg_config=${PKG_CONFIG:-pkg-config}

section="consumer_pc_$$"
cleanup() { rm -f -- "/dev/shm/$section"; }
trap cleanup EXIT

pc_file=$(find "$prefix" -path '*/pkgconfig/counters.pc' -print -quit)
if [ -z "$pc_file" ]; then
    echo "build_pkgconfig.sh: no pkgconfig/counters.pc under $prefix" >&2
    exit 1
fi
export PKG_CONFIG_PATH
PKG_CONFIG_PATH=$(dirname "$pc_file")

version=$("$pkg_config" --modversion counters)
case $version in
1.*) echo "build_pkgconfig.sh: counters $version from $pc_file" ;;
*) echo "build_pkgconfig.sh: counters.pc has version '$version', expected 1.x" >&2; exit 1 ;;
esac

pc=("$pkg_config")
flags=$("${pc[@]}" --cflags --libs counters)
libdir=$("${pc[@]}" --variable=libdir counters)
echo "build_pkgconfig.sh: flags: $flags"

rm -rf -- "$work"
mkdir -p -- "$work"
# shellcheck disable=SC2086 # the flags are word lists
"$cxx" ${CXXFLAGS:-} -Wall -Wextra -Wpedantic -Werror -o "$work/consumer" "$src/main.cpp" \
    $flags -Wl,-rpath,"$libdir" ${LDFLAGS:-}

"$work/consumer" "$section"
if [ -e "/dev/shm/$section" ]; then
    echo "build_pkgconfig.sh: /dev/shm/$section was left behind" >&2
    exit 1
fi

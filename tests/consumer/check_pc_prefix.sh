#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Consumer test: the installed counters.pc must point at the prefix it was installed to
# (`cmake --install --prefix P` or DESTDIR staging), without --define-variable.
# usage: check_pc_prefix.sh PREFIX
set -euo pipefail
prefix=$1
pc_file=$(find "$prefix" -path '*/pkgconfig/counters.pc' -print -quit)
[ -n "$pc_file" ] || { echo "check_pc_prefix.sh: no counters.pc under $prefix" >&2; exit 1; }
export PKG_CONFIG_PATH
PKG_CONFIG_PATH=$(dirname "$pc_file")
cflags=$(${PKG_CONFIG:-pkg-config} --cflags counters)
inc=$(printf '%s\n' $cflags | sed -n 's/^-I//p' | head -n 1)
if [ -z "$inc" ] || [ ! -f "$inc/counters/counters.hpp" ]; then
    echo "check_pc_prefix.sh: counters.pc gives '$cflags', which does not reach $prefix/include" >&2
    exit 1
fi
echo "check_pc_prefix.sh: ok ($cflags)"

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Consumer test, step 1: install the build tree into a fresh private prefix.
# usage: install.sh CMAKE BUILD_DIR PREFIX [CONFIG]
set -euo pipefail
if [ $# -lt 3 ]; then
    echo "usage: install.sh CMAKE BUILD_DIR PREFIX [CONFIG]" >&2
    exit 2
fi
cmake=$1 build=$2 prefix=$3 config=${4:-}

case $prefix in
"$build"/*) ;;
*) echo "install.sh: prefix $prefix is not inside the build tree $build" >&2; exit 2 ;;
esac

rm -rf -- "$prefix"
args=(--install "$build" --prefix "$prefix")
if [ -n "$config" ]; then args+=(--config "$config"); fi
"$cmake" "${args[@]}"

fail=0
for f in include/counters/counters.hpp; do
    [ -f "$prefix/$f" ] || { echo "install.sh: $prefix/$f was not installed" >&2; fail=1; }
done
config_file=$(find "$prefix" -name countersConfig.cmake -print -quit)
pc_file=$(find "$prefix" -path '*/pkgconfig/counters.pc' -print -quit)
[ -n "$config_file" ] || { echo "install.sh: no countersConfig.cmake under $prefix" >&2; fail=1; }
[ -n "$pc_file" ] || { echo "install.sh: no pkgconfig/counters.pc under $prefix" >&2; fail=1; }
exit $fail

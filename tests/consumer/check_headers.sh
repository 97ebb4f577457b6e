#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Consumer test: no installed public header may include a Boost header, and every
# installed header must compile on its own.
# usage: check_headers.sh PREFIX
# The compiler is $CXX (default c++).
set -euo pipefail
prefix=$1
inc=$prefix/include
cxx=${CXX:-c++}
if [ ! -f "$inc/counters/counters.hpp" ]; then
    echo "check_headers.sh: $inc/counters/counters.hpp is missing" >&2
    exit 1
fi
fail=0
if grep -rn 'boost/' "$inc"; then
    echo "check_headers.sh: installed headers refer to Boost (above)" >&2
    fail=1
fi
tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT
while IFS= read -r -d '' h; do
    rel=${h#"$inc"/}
    printf '#include <%s>\n' "$rel" > "$tmp/one.cpp"
    if ! "$cxx" -std=c++17 -fsyntax-only -Wall -Wextra -Wpedantic -I"$inc" "$tmp/one.cpp"; then
        echo "check_headers.sh: $rel does not compile on its own" >&2
        fail=1
    fi
done < <(find "$inc" -type f \( -name '*.hpp' -o -name '*.h' \) -print0 | sort -z)
exit $fail

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The shared library exports the public API and nothing else: every dynamic symbol it
# defines is in namespace counters (or its type information and vtables), none is in
# counters::detail or Boost, and the calls an MTA makes are there, versioned COUNTERS_1.
# usage: check_exports.sh LIBRARY
set -euo pipefail
if [ $# -ne 1 ]; then echo "usage: check_exports.sh LIBRARY" >&2; exit 2; fi
lib=$1
fail() { echo "check_exports.sh: $*" >&2; exit 1; }

soname=$(objdump -p "$lib" | awk '$1 == "SONAME" { print $2 }')
[ "$soname" = "libcounters.so.1" ] || fail "SONAME is '$soname', not libcounters.so.1"

symbols=$(nm -D --defined-only -C "$lib" | sed -E 's/^[0-9a-f]+ [A-Za-z] //' | grep -v '^COUNTERS_1$')
[ -n "$symbols" ] || fail "no symbols exported"
stray=$(printf '%s\n' "$symbols" |
    grep -Ev '^(counters::|typeinfo for counters::|typeinfo name for counters::|vtable for counters::)' || true)
[ -z "$stray" ] || fail "exports outside the public API:"$'\n'"$stray"
private=$(printf '%s\n' "$symbols" | grep -Ei 'counters::detail|boost' || true)
[ -z "$private" ] || fail "exports private or Boost symbols:"$'\n'"$private"

for want in 'counters::enqueued(' 'counters::dequeued(' 'counters::section::section(' \
    'counters::section::get(' 'counters::read_snapshot(' 'counters::delete_section(' \
    'counters::delete_registry(' 'counters::registry::registry(' 'counters::section_reader::read_channel(' \
    'typeinfo for counters::error'; do
    grep -qF -- "$want" <<<"$symbols" || fail "missing export: $want"
done
versioned=$(nm -D --defined-only "$lib" | grep -c '@@COUNTERS_1' || true)
[ "$versioned" -gt 0 ] || fail "symbols are not versioned COUNTERS_1"
echo "check_exports.sh: $(printf '%s\n' "$symbols" | wc -l) symbols, all public API, versioned COUNTERS_1"

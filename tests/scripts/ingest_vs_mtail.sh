#!/bin/bash
# SPDX-License-Identifier: MIT
# bench/ingest_vs_mtail.sh on a 5,000-line log, one run each: it times the three tools,
# prints lines/s and the ratios, and the counters of the counters-ingest run equal the
# generator's tally.
# usage: ingest_vs_mtail.sh SOURCE_DIR BUILD_DIR
set -u
src=$1 build=$2
. "$src/tests/lib/need.sh"
for t in mtail pflogsumm; do
    command -v "$t" >/dev/null 2>&1 || missing "$t is not installed"
done
out=$(mktemp)
trap 'rm -f "$out"' EXIT
LINES=5000 RUNS=1 bash "$src/bench/ingest_vs_mtail.sh" "$build" >"$out" 2>&1
rc=$?
cat "$out"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
[ "$rc" = 0 ] || fail "exit $rc"
for t in counters-ingest mtail pflogsumm; do
    grep -Eq "^$t +[0-9.]+ +[0-9.]+ +[0-9.]+ +([0-9]+|n/a) +([0-9]+|n/a)$" "$out" || fail "no timing line for $t"
done
grep -Eq '^counters-ingest / mtail: ([0-9.]+x|n/a \(under 10 ms\)) the rate' "$out" || fail "no ratio to mtail"
grep -Eq '^counters-ingest / pflogsumm: ([0-9.]+x|n/a \(under 10 ms\)) the rate' "$out" || fail "no ratio to pflogsumm"
grep -q '^ok: every counter of the 13 channels equals the generator' "$out" || fail "the ingest run is not exact"
grep -q '^log: 50[0-9][0-9] lines' "$out" || fail "log size"
[ "$fails" = 0 ] || exit 1
echo "PASS"

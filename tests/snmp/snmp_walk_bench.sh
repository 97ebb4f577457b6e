#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/snmp_walk.sh small (16 channels, one run per table): it walks mtaGroupTable through a
# real snmpd and counters-snmpd, and hrSWRunTable built into snmpd and through an `snmpd -X`
# subagent; every table line has its figures, the ratios are printed, the walk saw one
# mtaGroupName per channel (the script checks that itself), and nothing is left running.
# usage: snmp_walk_bench.sh SOURCE_DIR BUILD_DIR
set -u
src=$1 build=$2
. "$src/tests/lib/need.sh"
for t in snmpd snmpget snmpbulkwalk; do
    command -v "$t" >/dev/null 2>&1 || missing "$t is not installed (packages snmpd, snmp)"
done
out=$(mktemp)
trap 'rm -f "$out"' EXIT
CHANNELS=16 RUNS=1 bash "$src/bench/snmp_walk.sh" "$build" >"$out" 2>&1
rc=$?
cat "$out"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
[ "$rc" = 0 ] || fail "exit $rc"
num='[0-9]+\.[0-9]+'
for label in "mtaGroupTable, counters-snmpd \(16 channels\)" "hrSWRunTable, built into snmpd \([0-9]+ processes\)" \
    "mtaGroupTable, counters-snmpd \(phase 2\)" "hrSWRunTable, snmpd -X subagent \(AgentX\)"; do
    grep -Eq "^$label +[0-9]+ +$num +$num +$num +$num +[0-9]+ +([0-9]+|-)$" "$out" || fail "no figures for $label"
done
# 16 channels: one row each, every row the same columns
grep -Eq "^mtaGroupTable, counters-snmpd \(16 channels\) +$((16 * 18))|^mtaGroupTable, counters-snmpd \(16 channels\) +$((16 * 20)) " "$out" ||
    fail "mtaGroupTable: not 18 or 20 values per channel"
r='([0-9]+\.[0-9]+x|n/a)'
grep -Eq "^counters-snmpd / built-in table, per value: $r \(best\), $r \(median\), $r \(CPU\); target at most 2x \(best\): (met|NOT met)$" "$out" ||
    fail "no ratio to the built-in table"
grep -Eq "^counters-snmpd / the built-in table through AgentX \(snmpd -X\), per value: $r \(best\), $r \(median\), $r \(CPU\)$" "$out" ||
    fail "no ratio to the AgentX relay"
[ "$fails" = 0 ] || exit 1
echo PASS

#!/bin/bash
# SPDX-License-Identifier: MIT
# contrib/prometheus: `promtool check rules` finds nothing to report, `promtool test rules`
# passes every unit test, and every mta_ family the rules name exists in the exposition of
# a real section (so that a renamed family cannot leave a rule that never fires).
# usage: promtool_rules.sh CONTRIB_PROMETHEUS_DIR COUNTERS FILL_SECTION
set -u
dir=$1 counters=$2 fill=$3
. "$(dirname "$0")/../lib/need.sh"
command -v promtool >/dev/null || missing "promtool (Debian package prometheus)"
S="ctest_prom_rules_$$"
TMP=$(mktemp -d)
trap '"$counters" --section "$S" -delete >/dev/null 2>&1; rm -f "/dev/shm/$S"; rm -rf "$TMP"' EXIT
unset COUNTERS_SECTION
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

rules=("$dir"/*.rules.yml)
[ -e "${rules[0]}" ] || fail "no *.rules.yml in $dir"
out=$(promtool check rules "${rules[@]}" 2>&1)
rc=$?
[ "$rc" = 0 ] || fail "promtool check rules: exit $rc: $out"
# Anything but the per-file "Checking" and "SUCCESS: N rules found" lines is a finding.
extra=$(printf '%s\n' "$out" | grep -v -e '^Checking ' -e '^  SUCCESS: [0-9]* rules found$' -e '^$')
[ -z "$extra" ] || fail "promtool check rules reports: $extra"

tests=("$dir"/tests/*.test.yml)
[ -e "${tests[0]}" ] || fail "no tests/*.test.yml in $dir"
for t in "${tests[@]}"; do
    out=$(cd "$(dirname "$t")" && promtool test rules "$(basename "$t")" 2>&1)
    rc=$?
    [ "$rc" = 0 ] || fail "promtool test rules $(basename "$t"): exit $rc: $(printf '%s\n' "$out" | head -30)"
done

# The families the rules use exist in a real exposition.
"$fill" "$S" base || fail "fill_section"
"$counters" --section "$S" -show -format=prometheus >"$TMP/m.prom" || fail "counters -show -format=prometheus"
used=$(grep -v '^\s*#' "${rules[@]}" | grep -o '\bmta_[a-z0-9_]*' | sort -u)
[ -n "$used" ] || fail "the rules name no mta_ family"
for f in $used; do
    grep -q "^# TYPE $f " "$TMP/m.prom" || fail "the rules use $f, which the exposition does not have"
done

[ "$fails" = 0 ] || exit 1
echo "promtool rules: OK (${#rules[@]} rule files, ${#tests[@]} test files, $(echo "$used" | wc -l) families)"

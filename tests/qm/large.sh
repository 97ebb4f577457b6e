#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A large tree (QM_LARGE_FILES files, default 100000) summarized within QM_LARGE_LIMIT
# seconds (default 30); the totals must be exact. Prints the timings.
TAG=large
source "$(dirname "$0")/lib.sh"
N=${QM_LARGE_FILES:-100000}
LIMIT=${QM_LARGE_LIMIT:-30}
now() { date +%s.%N; }

t0=$(now)
"$MAKE_TREE" -l "$Q" "$N" 8 >"$TMP/want" || { echo "make_tree failed" >&2; exit 1; }
t1=$(now)
run "$QM" -queue="$Q" summarize -held -noheading; status "summarize" 0; err_empty "summarize"
t2=$(now)
run "$QM" -queue="$Q" summarize -held -noheading
t3=$(now)
awk '{ m += $2; h += $3; b += $5; printf "%s %d %d %d\n", $1, $2, $3, $5 } END { printf "Total %d %d %d\n", m, h, b }' \
    "$TMP/want" >"$TMP/want.sum"
grep -v '^---' "$TMP/out" | awk '{ printf "%s %s %s %s\n", $1, $2, $3, $4 }' >"$TMP/got.sum"
same "summarize totals" "$TMP/want.sum" "$TMP/got.sum"
# Stored from the same tree.
run "$QM" -queue="$Q" counters create; status "counters create" 0
run "$COUNTERS" -show -format=json
CHECKS=$((CHECKS + 1))
for c in $(awk '{print $1}' "$TMP/want"); do
    grep -q "\"name\": \"$c\"" "$TMP/out" || fail "channel $c not in the section"
done

sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
build=$(sub "$t1" "$t0"); cold=$(sub "$t2" "$t1"); warm=$(sub "$t3" "$t2")
echo "files=$N make_tree=${build}s summarize_first=${cold}s summarize_second=${warm}s limit=${LIMIT}s"
CHECKS=$((CHECKS + 1))
awk -v c="$cold" -v w="$warm" -v l="$LIMIT" 'BEGIN { exit !(c < l && w < l) }' || fail "summarize of $N files too slow: ${cold}s / ${warm}s"
finish

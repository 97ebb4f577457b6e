#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# mta-sim --queue DIR, then qm: per channel, the Stored messages/recipients/blocks that the
# simulation recorded equal what the queue tree holds (qm summarize -held counts messages
# and blocks; qm counters show resets Stored from the tree and must not change it).
# usage: queue_sim.sh MTA_SIM QM COUNTERS [mta-sim options...]
set -u
sim=$1 qm=$2 counters=$3
shift 3
S="ctest_sim_queue_$$"
TMP=$(mktemp -d)
trap '"$counters" --section "$S" -delete >/dev/null 2>&1; rm -f "/dev/shm/$S" "/dev/shm/${S}_reg"; rm -rf "$TMP"' EXIT
unset COUNTERS_QUEUE
export COUNTERS_SECTION="$S"
export COUNTERS_REGISTRY="${S}_reg"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$sim" --quiet --verify --queue "$TMP/Q" "$@" || fail "mta-sim exited $?"
find "$TMP/Q" -name '$*' | grep -q . && fail "temporaries left in the queue"
# Stored as the simulation recorded it, before qm touches the section.
"$counters" -show -format=json >"$TMP/before.json" || fail "counters -show"
stored() { # FILE: "channel messages recipients blocks" per channel, from the JSON document
    # (the gauges come before the minimums, which repeat the keys: take the first only)
    awk '/"name":/ { gsub(/[",]/, "", $2); n = $2; seen = 0 }
         /"stored_messages":/ { gsub(/,/, "", $2); m = $2 }
         /"stored_recipients":/ { gsub(/,/, "", $2); r = $2 }
         /"stored_blocks":/ && !seen++ { gsub(/,/, "", $2); print n, m, r, $2 }' "$1" | sort
}
stored "$TMP/before.json" >"$TMP/recorded"
"$qm" -queue="$TMP/Q" summarize -held -noheading -notrailing >"$TMP/summary" 2>"$TMP/err" || fail "qm summarize"
[ -s "$TMP/err" ] && fail "qm summarize complained: $(cat "$TMP/err")"
held=$(awk '{ h += $3 } END { print h + 0 }' "$TMP/summary")
[ "$held" -gt 0 ] || fail "no held messages in the tree"
# Channels with nothing stored may have no directory: compare messages and blocks per channel.
awk '$2 != 0 || $4 != 0 { print $1, $2, $4 }' "$TMP/recorded" >"$TMP/want"
awk '$2 != 0 || $4 != 0 { print $1, $2, $4 }' "$TMP/summary" | sort >"$TMP/got"
cmp -s "$TMP/want" "$TMP/got" || { fail "Stored (recorded) differs from summarize -held"; diff "$TMP/want" "$TMP/got"; }
# qm counters show sets Stored from the tree: nothing may change, recipients included.
"$qm" -queue="$TMP/Q" counters show >/dev/null 2>"$TMP/err" || fail "qm counters show"
"$counters" -show -format=json >"$TMP/after.json"
stored "$TMP/after.json" >"$TMP/reset"
cmp -s "$TMP/recorded" "$TMP/reset" || { fail "Stored reset from the tree differs from the recorded one"; diff "$TMP/recorded" "$TMP/reset"; }
echo "stored per channel:"; cat "$TMP/recorded"
echo "held: $held"
[ "$fails" -eq 0 ] && echo "queue agrees: OK" && exit 0
echo "queue agrees: FAILED ($fails)"
exit 1

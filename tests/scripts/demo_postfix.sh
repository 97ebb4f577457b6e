#!/bin/bash
# SPDX-License-Identifier: MIT
# scripts/demo-postfix.sh --no-build against the built tree: exit 0, the counters of what it
# sent (smtpd: 200 + 20 + 20 + 25 messages, 400 + 20 + 20 + 25 recipients, 25 rejected;
# pickup: 30; bounce: the 20 notices; relay: the 20 bounces), pflogsumm's summary beside
# them, and nothing left behind: the section, the registry, Postfix and the sink are gone.
# usage: demo_postfix.sh SOURCE_DIR BUILD_DIR COUNTERS
set -u
src=$1 build=$2 ctr=$3
. "$src/tests/lib/need.sh"
[ "$(id -u)" = 0 ] || missing "needs root (a private Postfix)"
for t in postfix smtp-source swaks pflogsumm; do
    command -v "$t" >/dev/null 2>&1 || [ -x "/usr/sbin/$t" ] || missing "$t is not installed"
done
section=ctest_demo_postfix_$$
out=$(mktemp)
trap 'rm -f "$out"; "$ctr" --section "$section" -delete >/dev/null 2>&1' EXIT
BUILD_DIR=$build DEMO_SECTION=$section bash "$src/scripts/demo-postfix.sh" --no-build >"$out" 2>&1
rc=$?
cat "$out"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
[ "$rc" = 0 ] || fail "exit $rc"
# ROW CHANNEL: "messages recipients" of that row of the channel in the counters -show output
row() {
    awk -v ch="$2" -v r="$1" '/^[^ ]/ { cur = $1 } cur == ch && $1 == r { print $2, $3; exit }' "$out"
}
[ "$(row Submitted smtpd)" = "265 465" ] || fail "smtpd Submitted: $(row Submitted smtpd), wanted 265 465"
[ "$(row Rejected smtpd)" = "25 25" ] || fail "smtpd Rejected: $(row Rejected smtpd), wanted 25 25"
[ "$(row Submitted pickup)" = "30 30" ] || fail "pickup Submitted: $(row Submitted pickup), wanted 30 30"
[ "$(row Submitted bounce)" = "20 20" ] || fail "bounce Submitted: $(row Submitted bounce), wanted 20 20"
[ "$(row Failed relay)" = "20 20" ] || fail "relay Failed: $(row Failed relay), wanted 20 20"
grep -q '^Grand Totals' "$out" || fail "no pflogsumm summary"
grep -Eq '^ +25 +rejected' "$out" || fail "pflogsumm: 25 rejected"
"$ctr" --section "$section" -show >/dev/null 2>&1 && fail "the section was left behind"
registry=$(sed -n 's/^\$ counterutil -r \([^ ]*\) -o ingest.*/\1/p' "$out")
[ -n "$registry" ] && [ -e "/dev/shm/$registry" ] && fail "the registry $registry was left behind"
port=$(sed -n 's/^demo-postfix: Postfix on 127.0.0.1:\([0-9]*\),.*/\1/p' "$out")
[ -n "$port" ] && ss -Htln "sport = :$port" | grep -q . && fail "Postfix still listens on $port"
[ "$fails" = 0 ] || exit 1
echo "PASS"

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# mta-sim --linger: after the message run the parent keeps the IMAP and POP servers busy in
# real time; counterutil sees imapstat move. Modes:
#   watch      --linger 2 in the background; `counterutil -o imapstat -i 1 -n 2` must see
#              numConnections grow between its two samples; then mta-sim ends by itself with
#              both verify lines OK, no process left and no connection counted open.
#   interrupt  --linger 60 in the background, SIGTERM once it lingers: it must stop within
#              seconds, exit 0, say "(interrupted)" and still verify.
# Private section and registry (ctest_sim_linger_<pid>*), removed when the script exits.
# usage: linger_sim.sh MODE MTA_SIM COUNTERUTIL
set -u
mode=$1 sim=$2 cu=$3
S="ctest_sim_linger_$$"
R="${S}_reg"
TMP=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -f "/dev/shm/$S" "/dev/shm/$R"
    rm -rf "$TMP"
}
trap cleanup EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
value() { awk -F': ' -v f="global.$2 " 'index($0, f) == 1 { print $2 }' "$1"; }

case $mode in
watch) seconds=2 ;;
interrupt) seconds=60 ;;
*) echo "usage: linger_sim.sh watch|interrupt MTA_SIM COUNTERUTIL"; exit 2 ;;
esac
"$sim" --section "$S" --registry "$R" --processes 2 --messages 500 --verify --linger "$seconds" >"$TMP/log" 2>&1 &
pid=$!
for _ in $(seq 100); do
    grep -q '^linger: IMAP' "$TMP/log" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
grep -q '^linger: IMAP' "$TMP/log" || fail "mta-sim did not start lingering"
started=$(date +%s.%N)

if [ "$mode" = watch ]; then
    "$cu" -r "$R" -o imapstat -i 1 -n 2 >"$TMP/cu" || fail "counterutil exited $?"
    mapfile -t n < <(value "$TMP/cu" numConnections)
    echo "numConnections samples: ${n[*]}"
    if [ "${#n[@]}" -ne 2 ]; then
        fail "expected 2 samples of numConnections"
    elif [ "${n[1]}" -le "${n[0]}" ]; then
        fail "numConnections did not grow: ${n[0]} then ${n[1]}"
    fi
else
    sleep 0.5
    kill -TERM "$pid"
fi
wait "$pid"
rc=$?
pid=
ended=$(date +%s.%N)
[ "$rc" -eq 0 ] || fail "mta-sim exited $rc"
took=$(awk -v a="$started" -v b="$ended" 'BEGIN { printf "%.1f", b - a }')
echo "lingered for ${took} s after the summary"
if [ "$mode" = interrupt ]; then
    awk -v t="$took" 'BEGIN { exit !(t < 5) }' || fail "SIGTERM took ${took} s to stop the linger phase"
    grep -q '^linger: [0-9.]* s (interrupted), ' "$TMP/log" || fail "no '(interrupted)' linger line"
else
    grep -q '^linger: [0-9.]* s, [0-9]* messages delivered' "$TMP/log" || fail "no linger summary line"
fi
grep -q '^verify: OK (run: ' "$TMP/log" || fail "the message run did not verify"
grep -q '^verify: OK (linger: ' "$TMP/log" || fail "the linger phase did not verify"
# The linger phase's own table: it made connections.
linger_conns=$(sed -n '/^linger: [0-9.]* s/,$p' "$TMP/log" | awk '$1 == "imapstat" { print $2 }')
[ "${linger_conns:-0}" -gt 0 ] || fail "the linger phase reports no IMAP connections"
# Gone: no mta-sim of ours is left, and nothing is counted open.
pgrep -f -- "--registry $R" >/dev/null && fail "an mta-sim process is still running"
"$cu" -r "$R" -o imapstat -n 1 >"$TMP/end" || fail "counterutil after the end"
[ "$(value "$TMP/end" numCurrentConnections)" = 0 ] || fail "numCurrentConnections is not 0 at the end"

[ "$fails" -eq 0 ] && echo "linger $mode: OK" && exit 0
echo "linger $mode: FAILED ($fails)"
cat "$TMP/log"
exit 1

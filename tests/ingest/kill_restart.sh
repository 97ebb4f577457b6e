#!/bin/bash
# SPDX-License-Identifier: MIT
# counters-ingest restarts exactly: a follower is SIGKILLed in the middle of a run (with lines
# recorded after its last state write, so the registry's applied position must be used), mail
# keeps arriving while it is down, the log is rotated (renamed, a compressed copy left
# behind; the last time renamed and compressed at once, as `postfix logrotate` does, so the
# lines after the state and the registry's applied position are inside the .gz), and it is
# restarted; at the end the section must equal that of one uninterrupted --once run over the
# same lines, counter for counter. Messaging Server mail.log format.
# usage: kill_restart.sh COUNTERS_INGEST COUNTERS COUNTERUTIL
set -u
ING=$1 CTR=$2 CU=$3
S="ctest_ingest_kill_$$"
REF="ctest_ingest_ref_$$"
REG="ctest_ingest_reg_$$"
REG2="ctest_ingest_reg2_$$"
TMP=$(mktemp -d)
PID=
cleanup() {
    [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    for s in "$S" "$REF"; do "$CTR" --section "$s" -delete >/dev/null 2>&1; rm -f "/dev/shm/$s"; done
    rm -f "/dev/shm/$REG" "/dev/shm/$REG2"
    rm -rf "$TMP"
}
trap cleanup EXIT
unset COUNTERS_SECTION COUNTERS_REGISTRY
export TZ=UTC0
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
LOG=$TMP/log/mail.log
mkdir -p "$TMP/log"
: >"$TMP/all.log" # every line written, in order: the reference run reads this

# lines FIRST COUNT: COUNT messages' records (enqueue, sometimes a deferral, dequeue,
# sometimes a rejection or a failure), appended to the live log and to all.log.
N=0
lines() {
    awk -v first="$1" -v n="$2" 'BEGIN {
        for (i = first; i < first + n; i++) {
            t = sprintf("06-Oct-2003 %02d:%02d:%02d.%02d", int(i / 3600) % 24, int(i / 60) % 60, i % 60, i % 100)
            size = i % 17 + 1
            from = "s" i "@client.test"; to = "rfc822;u" i "@example.test u" i "@example.test"
            src = (i % 3 == 0) ? "tcp_intranet" : "tcp_local"
            dst = (i % 5 == 0) ? "l" : "ims-ms"
            printf "%s %s %s E %d %s %s\n", t, src, dst, size, from, to
            if (i % 7 == 0) printf "%s %s Q %d %s %s Mailbox is busy\n", t, dst, size, from, to
            if (i % 11 == 0) printf "%s %s %s J %d %s %s 550 no such user\n", t, src, dst, size, from, to
            if (i % 13 == 0) printf "%s %s R %d %s %s 5.1.1 unknown\n", t, dst, size, from, to
            else printf "%s %s D %d %s %s\n", t, dst, size, from, to
        }
    }' | tee -a "$TMP/all.log" >>"$LOG"
    N=$((N + $2))
}

start() {
    "$ING" --section "$S" --registry "$REG" --state "$TMP/state" --format msgserver --from-start "$LOG" \
        2>>"$TMP/err" &
    PID=$!
}
applied() { "$CU" -o ingest -n 1 -r "$REG" 2>/dev/null | sed -n 's/^mail\.log\.position \[8 bytes\]: //p'; }
saved() { awk '$1 == "file" { print $4 }' "$TMP/state" 2>/dev/null; }
# Waits until the ingester has applied the whole live log.
caught_up() {
    local size
    for _ in $(seq 400); do
        size=$(stat -c %s "$LOG")
        [ "$(applied)" = "$size" ] && return 0
        sleep 0.05
    done
    fail "the ingester did not catch up (applied $(applied), size $size)"
    return 1
}

# --- run 1: follow, write in bursts, SIGKILL right after a burst (before the next state write)
start
gaps=0
gz_gap=no
for round in 1 2 3 4; do
    for _ in 1 2 3 4; do lines $((N + 1)) 50; sleep 0.1; done
    # A state write happens at most once a second: right after it, write a burst and kill at
    # once, so that lines are recorded after the state file's position. On a loaded machine
    # the next state write may come first (the burst took over a second to be applied): then
    # the ingester is started again and the kill tried again, up to 6 times.
    for try in 1 2 3 4 5 6; do
        for _ in $(seq 100); do
            before=$(stat -c %i "$TMP/state" 2>/dev/null)
            sleep 0.05
            [ "$(stat -c %i "$TMP/state" 2>/dev/null)" != "$before" ] && break
        done
        lines $((N + 1)) 40
        caught_up
        kill -9 "$PID"
        wait "$PID" 2>/dev/null
        PID=
        a=$(applied) s=$(saved)
        if [ -n "$a" ] && [ -n "$s" ] && [ "$a" -gt "$s" ]; then
            gaps=$((gaps + 1))
            [ "$round" = 4 ] && gz_gap=yes
            break
        fi
        [ "$try" = 6 ] && break
        echo "round $round: the state was written before kill $try landed; again"
        start
        caught_up
    done
    # --- while it is down: more mail, and (rounds 2 to 4) a rotation
    lines $((N + 1)) 30
    if [ "$round" = 4 ]; then
        mv "$LOG" "$LOG.20261203-113000"
        gzip "$LOG.20261203-113000" # renamed and compressed at once: the original is gone
        lines $((N + 1)) 20         # appended to the new file
    elif [ "$round" -ge 2 ]; then
        mv "$LOG" "$LOG.$round"
        lines $((N + 1)) 20     # appended to the new file
        gzip -c "$LOG.$round" >"$LOG.$round.old.gz" # a compressed copy left behind: never read
    fi
    start
    caught_up
done
[ "$gaps" -ge 1 ] || fail "no kill landed after lines recorded past the state file (the test proved nothing)"
[ "$gz_gap" = yes ] || fail "the kill before the compression did not land after lines recorded past the state file"

# --- a last burst, then SIGTERM: exit 0, state written
lines $((N + 1)) 25
caught_up
kill -TERM "$PID"
wait "$PID"
rc=$?
PID=
[ "$rc" = 0 ] || fail "SIGTERM: exit $rc"
[ "$(saved)" = "$(stat -c %s "$LOG")" ] || fail "SIGTERM: state at $(saved), log size $(stat -c %s "$LOG")"
# --- and a --once run with nothing new reads nothing
"$ING" --once --stats --section "$S" --registry "$REG" --state "$TMP/state" --format msgserver "$LOG" \
    >"$TMP/once" 2>>"$TMP/err" || fail "--once after the run failed"
grep -qx 'lines read: 0' "$TMP/once" || fail "--once re-read lines: $(cat "$TMP/once")"

# --- the reference: one uninterrupted run over every line written
"$ING" --once --section "$REF" --registry "$REG2" --state "$TMP/ref.state" --format msgserver "$TMP/all.log" \
    2>>"$TMP/err" || fail "reference run failed"
"$CTR" --section "$S" -show >"$TMP/got" 2>&1 || fail "counters -show $S"
"$CTR" --section "$REF" -show >"$TMP/want" 2>&1 || fail "counters -show $REF"
if ! cmp -s "$TMP/got" "$TMP/want"; then
    fail "the counters differ from one uninterrupted run:"
    diff "$TMP/want" "$TMP/got" | head -40
fi
grep -Eq 'Received +[1-9]' "$TMP/want" || fail "the reference recorded nothing: $(head -20 "$TMP/want")"
# every line was read once: the registry counts lines exactly too
read_total=$("$CU" -o ingest -n 1 -r "$REG" | sed -n 's/^mail\.log\.linesRead \[8 bytes\]: //p')
[ "$read_total" = "$(wc -l <"$TMP/all.log")" ] || fail "linesRead $read_total, lines written $(wc -l <"$TMP/all.log")"
grep -q 'rotated while stopped' "$TMP/err" || fail "no rotation while stopped was noticed: $(cat "$TMP/err")"
grep -q 'rotated and compressed while stopped' "$TMP/err" ||
    fail "the rotation with compression while stopped was not noticed: $(cat "$TMP/err")"
grep -q 'lost' "$TMP/err" && fail "lines reported lost: $(grep lost "$TMP/err")"

if [ "$fails" -ne 0 ]; then
    echo "stderr of the ingester:"
    cat "$TMP/err"
    echo "$fails failure(s)"
    exit 1
fi
echo "kill/restart: exact after $gaps kill(s) past the state file (before the compression: $gz_gap)," \
    "$(wc -l <"$TMP/all.log") lines"

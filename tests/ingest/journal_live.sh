#!/bin/bash
# SPDX-License-Identifier: MIT
# counters-ingest following the live systemd journal: Postfix log entries written to a real
# systemd-journald (with logger --journald) while the follower runs, while it is stopped
# (SIGTERM) and after a SIGKILL, are recorded exactly once: at the end the section equals
# that of one --once run over the same lines as a log file, counter for counter.
# The entries carry the syslog identifiers of a Postfix instance of the test's own
# (postfix-ctNNN/smtpd...), so their channels are the test's alone.
# A systemd-journald is started for the test when none runs (root needed; it is stopped and
# its files in /run removed at the end). Where one already runs, the test uses it only under
# CI=true (elsewhere it is skipped: it would write test entries into the system's journal).
# usage: journal_live.sh SOURCE_DIR COUNTERS_INGEST COUNTERS COUNTERUTIL
set -u
SRC=$1 ING=$2 CTR=$3 CU=$4
. "$SRC/tests/lib/need.sh"
PATH=$PATH:/usr/sbin:/sbin:/lib/systemd:/usr/lib/systemd
JOURNALD=$(command -v systemd-journald || echo /lib/systemd/systemd-journald)
command -v logger >/dev/null 2>&1 || missing "logger is not installed (util-linux)"
logger --help 2>&1 | grep -q -- --journald || missing "this logger cannot write to the journal (--journald)"

S="ctest_ingest_jl_$$"
REF="ctest_ingest_jlref_$$"
REG="ctest_ingest_jlreg_$$"
REG2="ctest_ingest_jlreg2_$$"
TAG="postfix-ct$$"
TMP=$(mktemp -d)
PID='' JPID='' MADE=()
cleanup() {
    [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    if [ -n "$JPID" ]; then
        kill "$JPID" 2>/dev/null
        wait "$JPID" 2>/dev/null
        local d
        for d in "${MADE[@]}"; do rm -rf "$d"; done
    fi
    for s in "$S" "$REF"; do "$CTR" --section "$s" -delete >/dev/null 2>&1; rm -f "/dev/shm/$s"; done
    rm -f "/dev/shm/$REG" "/dev/shm/$REG2"
    rm -rf "$TMP"
}
trap cleanup EXIT
unset COUNTERS_SECTION COUNTERS_REGISTRY COUNTERS_INGEST_JOURNAL_DIRECTORY
export TZ=UTC0
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# A journald: the running one, or one of the test's own. (logger --journald with no input
# writes nothing and fails whether one runs or not: the process is looked for instead.)
if pgrep -x systemd-journal >/dev/null 2>&1; then
    [ "${CI:-}" = true ] ||
        { echo "SKIP: a systemd-journald already runs here; the test writes entries into a journal only where it starts its own, or under CI=true"; exit 77; }
    echo "using the running systemd-journald"
else
    [ -x "$JOURNALD" ] || missing "systemd-journald is not installed (package systemd)"
    [ "$(id -u)" = 0 ] || missing "needs root to start a systemd-journald of its own (it listens in /run/systemd/journal)"
    for d in /run/systemd/journal /run/log/journal /run/log; do [ -e "$d" ] || MADE=("$d" "${MADE[@]}"); done
    "$JOURNALD" >"$TMP/journald.out" 2>&1 &
    JPID=$!
    for _ in $(seq 1 100); do [ -S /run/systemd/journal/socket ] && break; sleep 0.05; done
    [ -S /run/systemd/journal/socket ] || { echo "FAIL: systemd-journald did not start: $(cat "$TMP/journald.out")"; exit 1; }
fi

"$CTR" --section "$S" -create >/dev/null || { echo "FAIL: counters -create $S"; exit 1; }
"$CTR" --section "$REF" -create >/dev/null || { echo "FAIL: counters -create $REF"; exit 1; }

# entry PROGRAM PID MESSAGE: one Postfix log entry in the journal, and the same line in the
# log file of the reference run.
n=0
entry() {
    n=$((n + 1))
    printf 'SYSLOG_IDENTIFIER=%s/%s\nSYSLOG_PID=%s\nMESSAGE=%s\n' "$TAG" "$1" "$2" "$3" | logger --journald ||
        fail "logger --journald failed"
    printf '2026-12-03T12:00:%02d.000000+00:00 mta %s/%s[%s]: %s\n' $((n % 60)) "$TAG" "$1" "$2" "$3" >>"$TMP/all.log"
}
# A message received by SMTP from a client and relayed to RCPTS recipients (all delivered),
# or one submitted locally whose one recipient is deferred.
smtp_message() { # QUEUEID RCPTS
    local q=$1 r
    entry smtpd 100 "connect from client.test[127.0.0.1]"
    entry smtpd 100 "$q: client=client.test[127.0.0.1]"
    entry cleanup 101 "$q: message-id=<$q@client.test>"
    entry qmgr 102 "$q: from=<s@client.test>, size=1500, nrcpt=$2 (queue active)"
    entry smtpd 100 "disconnect from client.test[127.0.0.1] ehlo=1 mail=1 rcpt=$2 data=1 quit=1 commands=$((4 + $2))"
    for r in $(seq 1 "$2"); do
        entry smtp 103 "$q: to=<r$r@sink.test>, relay=sink.test[127.0.0.1]:2525, delay=0.2, delays=0.1/0/0.05/0.05, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 1$r)"
    done
    entry qmgr 102 "$q: removed"
}
local_deferred() { # QUEUEID
    entry pickup 104 "$1: uid=0 from=<local@mta.test>"
    entry cleanup 101 "$1: message-id=<$1@mta.test>"
    entry qmgr 102 "$1: from=<local@mta.test>, size=400, nrcpt=1 (queue active)"
    entry smtp 103 "$1: to=<x@defer.test>, relay=none, delay=1, delays=0.5/0/0.5/0, dsn=4.4.1, status=deferred (connect to defer.test[127.0.0.1]:2600: Connection refused)"
}

start() {
    "$ING" --section "$S" --registry "$REG" --state "$TMP/state" --format postfix journal >>"$TMP/ingest.out" 2>&1 &
    PID=$!
}
# stop WHAT: SIGTERM to the follower, which must exit 0 (it writes its state at exit).
stop() {
    kill -TERM "$PID"
    wait "$PID"
    local rc=$?
    PID=
    [ "$rc" = 0 ] || fail "$1: exit $rc"
}
# field NAME: the journal source's field NAME in the ingest object.
field() { "$CU" -o ingest -n 1 -r "$REG" 2>/dev/null | sed -n "s/^journal\.$1 \[[0-9]* bytes\]: //p"; }
# Waits until the follower has read every entry written: linesRead reaches $1.
caught_up() {
    for _ in $(seq 1 200); do
        [ "$(field linesRead)" = "$1" ] && return 0
        sleep 0.05
    done
    fail "the follower did not catch up: linesRead $(field linesRead), want $1"
    return 1
}

# 1. The follower starts at the journal's end: a line that it ignores is written until it
# has read one, so that nothing of the test is written before it follows.
start
ready=
for _ in $(seq 1 100); do
    printf 'SYSLOG_IDENTIFIER=%s/anvil\nSYSLOG_PID=99\nMESSAGE=statistics: test marker\n' "$TAG" | logger --journald
    sleep 0.1
    r=$(field linesRead)
    [ -n "$r" ] && [ "$r" -gt 0 ] && { ready=1; break; }
done
[ -n "$ready" ] || { echo "FAIL: the follower read none of the marker lines: $(cat "$TMP/ingest.out")"; exit 1; }
sleep 0.5 # a marker written just before may still be on its way
base=$(field linesRead)

# 2. Entries while it follows.
smtp_message 3F1A2B4C5D 2
local_deferred 7E8F9A0B1C
caught_up $((base + n)) || true

# 3. SIGTERM (the state is written at exit); entries while it is stopped; restarted.
stop SIGTERM
grep -q '^journal ' "$TMP/state" || fail "no journal cursor in the state file: $(cat "$TMP/state")"
smtp_message 4B5C6D7E8F 1
start
caught_up $((base + n)) || true

# 4. SIGKILL right after more entries were recorded (the state file may lag: the registry's
# applied cursor says what was recorded); entries while it is down; restarted.
smtp_message 5C6D7E8F90 3
caught_up $((base + n)) || true
kill -9 "$PID"
wait "$PID" 2>/dev/null
PID=
local_deferred 6D7E8F9001
smtp_message 7E8F900112 1
start
caught_up $((base + n)) || true
stop "the last SIGTERM"

# 5. The reference: one --once run over the same lines as a file.
"$ING" --once --section "$REF" --registry "$REG2" --state "$TMP/ref.state" --format postfix "$TMP/all.log" \
    2>>"$TMP/ingest.out" || fail "reference run failed"
"$CTR" --section "$S" -show "$TAG/*" >"$TMP/got" 2>&1 || fail "counters -show $S"
"$CTR" --section "$REF" -show "$TAG/*" >"$TMP/want" 2>&1 || fail "counters -show $REF"
if ! cmp -s "$TMP/got" "$TMP/want"; then
    fail "the counters differ from one --once run over the same lines:"
    diff "$TMP/want" "$TMP/got" | head -40
fi
grep -q "$TAG/smtpd" "$TMP/want" || fail "the reference has no $TAG/smtpd channel: $(head -20 "$TMP/want")"
grep -Eq 'Submitted +4 ' "$TMP/want" || fail "the reference did not count 4 messages submitted by smtpd: $(cat "$TMP/want")"
# Every entry was read once (after SIGKILL, the entries replayed up to the applied cursor
# are not counted twice), and recorded as often as by the reference.
[ "$(field linesRead)" = $((base + n)) ] || fail "linesRead $(field linesRead), entries written $((base + n))"
recorded_ref=$("$CU" -o ingest -n 1 -r "$REG2" 2>/dev/null | sed -n 's/^all\.log\.linesRecorded \[[0-9]* bytes\]: //p')
[ -n "$recorded_ref" ] && [ "$(field linesRecorded)" = "$recorded_ref" ] ||
    fail "linesRecorded $(field linesRecorded), the reference's $recorded_ref"

if [ "$fails" -ne 0 ]; then
    echo "--- follower output"
    cat "$TMP/ingest.out"
    echo "$fails failure(s)"
    exit 1
fi
echo "PASS: journal live ($n entries, $(wc -l <"$TMP/got") lines shown)"

#!/bin/bash
# SPDX-License-Identifier: MIT
# counters-ingest's command line: usage errors (exact text, exit 2), --help, --once --stats,
# standard input, an incomplete last line, state-file failures, a file that is missing or
# cannot be read while following (one loud message, retried, never an exit), SIGTERM/SIGINT.
# usage: cli.sh COUNTERS_INGEST COUNTERS COUNTERUTIL
set -u
ING=$1 CTR=$2 CU=$3
S="ctest_ingest_cli_$$"
REG="ctest_ingest_clireg_$$"
S2="ctest_ingest_cli2_$$"   # the follow part's, created by the user it runs as
REG2="ctest_ingest_clireg2_$$"
TMP=$(mktemp -d)
chmod 755 "$TMP"
PID=
cleanup() {
    [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    for s in "$S" "$S2"; do "$CTR" --section "$s" -delete >/dev/null 2>&1; rm -f "/dev/shm/$s"; done
    rm -f "/dev/shm/$REG" "/dev/shm/$REG2"
    rm -rf "$TMP"
}
trap cleanup EXIT
unset COUNTERS_SECTION COUNTERS_REGISTRY
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
common=(--section "$S" --registry "$REG" --format msgserver)
LINE='06-Oct-2003 00:24:03.66 tcp_local ims-ms E 5 a@x.test rfc822;b@y.test b@y.test'

# usage ARGS... -- LINE: exit 2, exactly LINE on stderr, nothing on stdout
usage() {
    local args=() line
    while [ "$1" != -- ]; do args+=("$1"); shift; done
    line=$2
    "$ING" "${args[@]}" >"$TMP/out" 2>"$TMP/err"
    local rc=$?
    [ "$rc" = 2 ] || fail "${args[*]}: exit $rc, wanted 2"
    printf '%s\n' "$line" | cmp -s - "$TMP/err" || fail "${args[*]}: stderr '$(cat "$TMP/err")', wanted '$line'"
    [ -s "$TMP/out" ] && fail "${args[*]}: unexpected stdout"
    return 0
}
see=" (see counters-ingest --help)"
usage -- "counters-ingest: no source given: a log file, - or journal$see"
usage --from-start --from-end x -- "counters-ingest: --from-start and --from-end exclude each other$see"
usage --format bogus x -- "counters-ingest: --format: unknown log format 'bogus' (expected auto, postfix, exim, sendmail or msgserver)"
usage --max-in-flight 0 x -- 'counters-ingest: -max-in-flight: 0 is out of range (1..100000000)'
usage --section '' x -- 'counters-ingest: --section: an empty name is not allowed (leave the option out for the default)'
usage x x -- "counters-ingest: source x is given twice$see"
usage - - -- "counters-ingest: a source is given twice$see"
usage --bogus x -- 'counters-ingest: unknown option --bogus'
"$ING" --help >"$TMP/out" 2>&1 || fail "--help: exit $?"
head -1 "$TMP/out" | grep -q '^usage: counters-ingest ' || fail "--help: $(head -1 "$TMP/out")"
"$ING" -once -help >/dev/null 2>&1 || fail "single-dash spellings"

# --- --once --stats over a file with an incomplete last line: left for the next run
printf '%s\n%s\n%s' "$LINE" "$LINE" "06-Oct-2003 00:24:04.00 tcp_local" >"$TMP/log"
"$ING" "${common[@]}" --state "$TMP/state" --once --stats "$TMP/log" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" = 0 ] || fail "--once: exit $rc: $(cat "$TMP/err")"
grep -qx 'lines read: 2' "$TMP/out" || fail "--once --stats: $(cat "$TMP/out")"
grep -q '^skipped unknown: ' "$TMP/out" || fail "--stats lists the skip reasons: $(cat "$TMP/out")"
grep -qx "counters-ingest: $TMP/log: an incomplete last line (33 bytes) is left for the next run" "$TMP/err" ||
    fail "partial line message: $(cat "$TMP/err")"
[ "$(awk '$1 == "file" { print $4 }' "$TMP/state")" = $(( ${#LINE} * 2 + 2 )) ] || fail "state offset: $(cat "$TMP/state")"
printf ' E 5 c@x.test rfc822;d@y.test d@y.test\n' >>"$TMP/log"
"$ING" "${common[@]}" --state "$TMP/state" --once --stats --from-start "$TMP/log" >"$TMP/out" 2>"$TMP/err"
grep -qx 'lines read: 1' "$TMP/out" || fail "second --once (the saved state wins over --from-start): $(cat "$TMP/out")"
"$CU" -o ingest -n 1 -r "$REG" >"$TMP/obj" 2>&1 || fail "counterutil -o ingest: $(cat "$TMP/obj")"
grep -qx 'log.linesRead \[8 bytes\]: 3' "$TMP/obj" || fail "ingest object linesRead: $(cat "$TMP/obj")"
grep -qx "log.position \[8 bytes\]: $(stat -c %s "$TMP/log")" "$TMP/obj" || fail "ingest object position"
grep -qx "log.inode \[8 bytes\]: $(stat -c %i "$TMP/log")" "$TMP/obj" || fail "ingest object inode"

# --- standard input: read to its end, the last incomplete line passed as truncated
printf '%s\n%s' "$LINE" "$LINE" | "$ING" "${common[@]}" --state "$TMP/state.stdin" --stats - >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" = 0 ] || fail "stdin: exit $rc: $(cat "$TMP/err")"
grep -qx 'lines read: 2' "$TMP/out" || fail "stdin --stats: $(cat "$TMP/out")"
"$CU" -o ingest -n 1 -r "$REG" >"$TMP/obj" 2>&1
grep -qx 'stdin.linesRead \[8 bytes\]: 2' "$TMP/obj" || fail "stdin instance: $(grep stdin "$TMP/obj")"
# every line read is recorded, ignored or skipped for one reason: the registry's fields add up
# to the --stats figures
sum=$(awk -F': ' '/^stdin\.(linesRecorded|linesIgnored|skipped[A-Za-z0-9]*) / { s += $2 } END { print s + 0 }' "$TMP/obj")
[ "$sum" = 2 ] || fail "stdin: recorded + ignored + skipped = $sum, wanted 2: $(grep stdin "$TMP/obj")"
stats_skipped=$(awk -F': ' '/^skipped / { s += $2 } END { print s + 0 }' "$TMP/out")
reg_skipped=$(awk -F': ' '/^stdin\.skipped[A-Za-z0-9]* / { s += $2 } END { print s + 0 }' "$TMP/obj")
[ "$stats_skipped" = "$reg_skipped" ] || fail "skipped: --stats $stats_skipped, registry $reg_skipped"

# --- state file failures: exit 1, one line
"$ING" "${common[@]}" --state "$TMP/no/such/dir/state" --once "$TMP/log" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" = 1 ] || fail "unwritable state: exit $rc"
grep -q "^counters-ingest: cannot write state file $TMP/no/such/dir/state: " "$TMP/err" || fail "unwritable state: $(cat "$TMP/err")"
echo junk >"$TMP/bad.state"
"$ING" "${common[@]}" --state "$TMP/bad.state" --once "$TMP/log" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" = 1 ] || fail "corrupt state: exit $rc"
grep -qx "counters-ingest: state file $TMP/bad.state: not a counters-ingest state file" "$TMP/err" ||
    fail "corrupt state: $(cat "$TMP/err")"
grep -qx junk "$TMP/bad.state" || fail "a corrupt state file was overwritten"

# --- a state file that cannot be written while following: said once, retried, recording goes on
printf '%s\n' "$LINE" >"$TMP/w.log"
"$ING" "${common[@]}" --state "$TMP/w.state" --from-start "$TMP/w.log" >"$TMP/out" 2>"$TMP/err" &
PID=$!
for _ in $(seq 50); do [ -s "$TMP/w.state" ] && break; sleep 0.1; done
# The next write cannot create its temporary file. (A write in progress has the name for a
# moment, as a file, until its rename: then mkdir is tried again.)
for _ in $(seq 100); do mkdir "$TMP/w.state.tmp" 2>/dev/null && break; sleep 0.01; done
[ -d "$TMP/w.state.tmp" ] || fail "could not put a directory where the state's temporary file goes"
for i in 1 2 3; do printf '%s\n' "$LINE" >>"$TMP/w.log"; sleep 0.7; done
kill -0 "$PID" 2>/dev/null || fail "the ingester exited when its state could not be written"
want="counters-ingest: cannot write state file $TMP/w.state: open $TMP/w.state.tmp: Is a directory (retrying every second)"
[ "$(grep -cxF "$want" "$TMP/err")" = 1 ] || fail "state write failure: wanted '$want' once: $(cat "$TMP/err")"
rmdir "$TMP/w.state.tmp"
printf '%s\n' "$LINE" >>"$TMP/w.log"
for _ in $(seq 40); do grep -q 'written again' "$TMP/err" && break; sleep 0.1; done
grep -qxF "counters-ingest: state file $TMP/w.state: written again" "$TMP/err" || fail "no 'written again': $(cat "$TMP/err")"
kill -TERM "$PID"
wait "$PID"
rc=$?
PID=
[ "$rc" = 0 ] || fail "SIGTERM after a state failure: exit $rc"
[ "$(awk '$1 == "file" { print $4 }' "$TMP/w.state")" = "$(stat -c %s "$TMP/w.log")" ] || fail "final state: $(cat "$TMP/w.state")"

# --- --once with a source that cannot be read: said, status 1
"$ING" "${common[@]}" --state "$TMP/state.missing" --once "$TMP/missing" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" = 1 ] || fail "--once missing file: exit $rc"
grep -q "^counters-ingest: cannot read $TMP/missing: No such file or directory" "$TMP/err" || fail "missing: $(cat "$TMP/err")"
grep -qx "counters-ingest: $TMP/missing: not read" "$TMP/err" || fail "missing: $(cat "$TMP/err")"

# --- following a file that cannot be read (logrotate recreating it mode 0600 root): one loud
# message per change, retried every second, never an exit; then read once readable.
# As root, the ingester runs as nobody so that the file mode binds.
as_user=()
if [ "$(id -u)" = 0 ]; then
    as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    chmod 777 "$TMP"
fi
F=$TMP/follow.log
printf '%s\n' "$LINE" >"$F"
chmod 000 "$F"
[ "$(id -u)" = 0 ] || chmod 000 "$F"
"${as_user[@]}" "$ING" --section "$S2" --registry "$REG2" --format msgserver --state "$TMP/state.follow" --from-start "$F" >"$TMP/out" 2>"$TMP/err" &
PID=$!
sleep 2.5
kill -0 "$PID" 2>/dev/null || fail "the ingester exited on an unreadable file: $(cat "$TMP/err")"
want="counters-ingest: cannot read $F: Permission denied (retrying every 1 s)"
[ "$(grep -cxF "$want" "$TMP/err")" = 1 ] || fail "unreadable: wanted '$want' once, got: $(cat "$TMP/err")"
chmod 644 "$F"
for _ in $(seq 60); do grep -q 'can be read again' "$TMP/err" && break; sleep 0.1; done
grep -qx "counters-ingest: $F: can be read again" "$TMP/err" || fail "no 'can be read again': $(cat "$TMP/err")"
for _ in $(seq 60); do
    "$CU" -o ingest -n 1 -r "$REG2" 2>/dev/null | grep -qx 'follow.log.linesRead \[8 bytes\]: 1' && break
    sleep 0.1
done
"$CU" -o ingest -n 1 -r "$REG2" 2>/dev/null | grep -qx 'follow.log.linesRead \[8 bytes\]: 1' || fail "line not read once readable"
# it disappears: said once, and it keeps waiting
rm -f "$F"
sleep 1.5
[ "$(grep -c 'has disappeared' "$TMP/err")" = 1 ] || fail "disappearance: $(cat "$TMP/err")"
kill -0 "$PID" 2>/dev/null || fail "the ingester exited when its file disappeared"
kill -INT "$PID"
wait "$PID"
rc=$?
PID=
[ "$rc" = 0 ] || fail "SIGINT: exit $rc"
grep -q '^file ' "$TMP/state.follow" || fail "SIGINT: no state written: $(cat "$TMP/state.follow")"

if [ "$fails" -ne 0 ]; then
    echo "$fails failure(s)"
    exit 1
fi
echo "counters-ingest CLI: all passed"

#!/bin/bash
# SPDX-License-Identifier: MIT
# Hostile objects and names (issue 10, items 5 and 6).
#  - A FIFO, a directory, a UNIX socket, a symbolic link to /dev/null, a character device
#    (as root, where mknod is permitted) and a junk file at the section or registry name:
#    `counters -show`, `counters -create` and `counterutil -l` end within 10 s with exit 1
#    and one line on stderr; `counters -delete` removes what can be removed and says what it
#    was; a symbolic link is refused and left. (The FIFO cases need the library to open without blocking: until it does, they fail
#    by timeout here instead of hanging.)
#  - SIGINT and SIGTERM end `counterutil -o imapstat -i 1 -n 100` at once, also while it is
#    blocked opening a FIFO, and end `counters -show` blocked the same way.
#  - Names with newline, ESC sequences, BEL, DEL, raw 0x80..0x9f, UTF-8 C1 and invalid UTF-8,
#    from the command line, the environment and shared memory, never reach the terminal raw;
#    JSON stays valid and pure ASCII.
# usage: test_hostile.sh COUNTERS FILL JSON_CHECK SRC TOP COUNTERUTIL IMSIMTA QM BIND_SOCKET PRODUCER
TAG=hostile
source "$(dirname "$0")/lib.sh"
CU=$6 IMSIMTA=$7 QM=$8 BIND=$9 PROD=${10}
R="ctest_cli_hostile_reg_$$"
unset COUNTERS_REGISTRY
PIDS=()
cleanup_hostile() {
    local p
    for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
    for n in "$S" "$S2" "$R"; do
        if [ -d "/dev/shm/$n" ] && [ ! -L "/dev/shm/$n" ]; then rmdir "/dev/shm/$n"; else rm -f "/dev/shm/$n"; fi
    done
    cleanup
}
trap cleanup_hostile EXIT

# plant KIND NAME: puts an object of KIND at /dev/shm/NAME (replacing what was there).
# Returns 1 when KIND cannot be made here (mknod not permitted).
plant() {
    local kind=$1 p="/dev/shm/$2"
    if [ -d "$p" ] && [ ! -L "$p" ]; then rmdir "$p"; else rm -f "$p"; fi
    case $kind in
    fifo) mkfifo "$p" ;;
    directory) mkdir "$p" ;;
    socket) "$BIND" "$p" ;;
    symlink) ln -s /dev/null "$p" ;;
    chardev) [ "$(id -u)" = 0 ] && mknod "$p" c 1 3 2>/dev/null ;;
    junk) printf 'JUNK%.0s' $(seq 100) >"$p" ;;
    esac
}

# one_line DESC NAME: the last run exited 1 with one line `prog: ...NAME...` on stderr,
# within the timeout (exit 124 or 137 is a timeout: the tool blocked).
one_line() {
    local desc=$1 name=$2
    CHECKS=$((CHECKS + 1))
    case $RC in
    124 | 137) fail "$desc: still running after 10 s (blocked)"; return ;;
    1) ;;
    *) fail "$desc: exit $RC, want 1; stderr: $(cat "$TMP/err")" ;;
    esac
    [ "$(wc -l <"$TMP/err")" = 1 ] || fail "$desc: want one line on stderr, got: $(cat "$TMP/err")"
    grep -q "^[a-z ]*: .*$name" "$TMP/err" || fail "$desc: stderr does not name $name: $(cat "$TMP/err")"
    LC_ALL=C grep -q '[^ -~]' "$TMP/err" && fail "$desc: a control or non-ASCII byte on stderr"
    return 0
}

T="timeout -k 2 10"

# --- item 5: objects that are not sections or registries at the name
for kind in fifo directory socket symlink chardev junk; do
    if ! plant "$kind" "$S"; then
        echo "note: $kind not tested (mknod not permitted here)"
        continue
    fi
    run $T "$COUNTERS" --section "$S" -show
    one_line "counters -show on a $kind" "$S"
    plant "$kind" "$S"
    run $T "$COUNTERS" --section "$S" -create
    one_line "counters -create on a $kind" "$S"
    plant "$kind" "$R"
    run $T "$CU" -l -r "$R"
    one_line "counterutil -l on a $kind" "$R"
    run $T "$CU" -o imapstat -n 1 -r "$R"
    one_line "counterutil -o on a $kind" "$R"

    plant "$kind" "$S"
    run $T "$COUNTERS" --section "$S" -delete
    CHECKS=$((CHECKS + 1))
    case $kind in
    directory)
        [ "$RC" = 1 ] || fail "counters -delete of a directory: exit $RC, want 1"
        want="counters: section \"$S\": not a counters section (a directory); not removed: shm_unlink() cannot remove a directory (remove /dev/shm/$S by hand)"
        [ "$(cat "$TMP/err")" = "$want" ] || fail "counters -delete of a directory: stderr $(cat "$TMP/err")"
        [ -d "/dev/shm/$S" ] || fail "counters -delete removed a directory"
        ;;
    symlink) # refused by the library, left in place, never followed
        [ "$RC" = 1 ] || fail "counters -delete of a symbolic link: exit $RC, want 1"
        want="counters: section \"$S\": refusing to open: it is a symbolic link"
        [ "$(cat "$TMP/err")" = "$want" ] || fail "counters -delete of a symbolic link: stderr $(cat "$TMP/err")"
        [ -L "/dev/shm/$S" ] || fail "counters -delete removed a symbolic link"
        ;;
    junk) # a foreign regular file: the library's delete, quietly, as before
        [ "$RC" = 0 ] || fail "counters -delete of a junk file: exit $RC; stderr: $(cat "$TMP/err")"
        [ -e "/dev/shm/$S" ] && fail "counters -delete left the junk file"
        ;;
    *)
        case $kind in
        fifo) what="a FIFO" ;; socket) what="a socket" ;;
        chardev) what="a character device" ;;
        esac
        [ "$RC" = 0 ] || fail "counters -delete of a $kind: exit $RC, want 0; stderr: $(cat "$TMP/err")"
        want="counters: section \"$S\": not a counters section ($what); removed"
        [ "$(cat "$TMP/err")" = "$want" ] || fail "counters -delete of a $kind: stderr $(cat "$TMP/err"), want $want"
        [ -e "/dev/shm/$S" ] || [ -L "/dev/shm/$S" ] && fail "counters -delete left the $kind"
        ;;
    esac
    [ -c /dev/null ] || fail "counters -delete of a symbolic link touched /dev/null"
    plant junk "$S"; rm -f "/dev/shm/$S"
    plant junk "$R"; rm -f "/dev/shm/$R"
done

# --- item 5: SIGINT and SIGTERM. A background job of this shell (no job control) starts with
# SIGINT ignored: the tools must end on it all the same.
# reap PID: waits at most 5 s for PID to end (SIGKILL after that), sets RC and MS (the time
# it took).
reap() {
    local pid=$1 t0 t1 i
    t0=$(date +%s%N)
    for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -9 "$pid" 2>/dev/null
    wait "$pid"; RC=$?
    t1=$(date +%s%N)
    MS=$(( (t1 - t0) / 1000000 ))
}
# stop_within SIG STATUS DESC CMD...: starts CMD in the background, sends SIG after 1.5 s; it
# must end within 2 s with STATUS, its output ending with a complete line.
stop_within() {
    local sig=$1 want=$2 desc=$3; shift 3
    CHECKS=$((CHECKS + 1))
    "$@" >"$TMP/sig_out" 2>"$TMP/sig_err" &
    local pid=$!
    PIDS+=("$pid")
    sleep 1.5
    kill -"$sig" "$pid"
    reap "$pid"
    [ "$RC" = "$want" ] || fail "$desc: SIG$sig: exit $RC, want $want ($(cat "$TMP/sig_err"))"
    [ "$MS" -lt 2000 ] || fail "$desc: SIG$sig took $MS ms"
    if [ -s "$TMP/sig_out" ] && [ "$(tail -c 1 "$TMP/sig_out" | od -An -c | tr -d ' ')" != '\n' ]; then
        fail "$desc: SIG$sig: a half-written line"
    fi
}
"$PROD" "$R" accept imapstat 2 login-ok imapstat 1 >/dev/null || fail "producer"
for sig in INT TERM; do
    stop_within "$sig" 0 "counterutil -o imapstat -i 1 -n 100" "$CU" -o imapstat -i 1 -n 100 -r "$R"
    grep -q '^global.numGoodLogins' "$TMP/sig_out" || fail "SIG$sig: no complete sample"
    stop_within "$sig" 0 "counterutil -o imapstat -i 1 -n 100 -f json" "$CU" -o imapstat -i 1 -n 100 -r "$R" -f json
    "$JSON_CHECK" - <"$(tail -1 "$TMP/sig_out" >"$TMP/last_sample"; echo "$TMP/last_sample")" ||
        fail "SIG$sig: the last JSON sample is not complete"
done
rm -f "/dev/shm/$R"
# Blocked in open() on a FIFO (until the library opens without blocking; then they end by
# themselves at once with exit 1, which is fine too): 130 or 143 once signalled.
mkfifo "/dev/shm/$R" "/dev/shm/$S"
for sig in INT TERM; do
    [ "$sig" = INT ] && code=130 || code=143
    for tool in "$CU -o imapstat -i 1 -n 100 -r $R" "$COUNTERS --section $S -show" "$CU -l -r $R" \
                "$IMSIMTA counters --section $S -show" "$QM -section=$S counters show"; do
        CHECKS=$((CHECKS + 1))
        $tool >"$TMP/sig_out" 2>"$TMP/sig_err" &
        pid=$!
        PIDS+=("$pid")
        sleep 1
        kill -"$sig" "$pid" 2>/dev/null
        reap "$pid"
        [ "$RC" = "$code" ] || [ "$RC" = 1 ] || fail "$tool on a FIFO: SIG$sig: exit $RC, want $code (or 1)"
        [ "$MS" -lt 2000 ] || fail "$tool on a FIFO: SIG$sig took $MS ms"
        [ -s "$TMP/sig_out" ] && fail "$tool on a FIFO: SIG$sig: output $(cat "$TMP/sig_out")"
    done
done
rm -f "/dev/shm/$R" "/dev/shm/$S"

# --- item 6: names from the command line and the environment
# no_raw DESC: the last run wrote one line on stderr, and no control or non-ASCII byte at all.
no_raw() {
    local desc=$1
    CHECKS=$((CHECKS + 1))
    [ "$(wc -l <"$TMP/err")" = 1 ] || fail "$desc: want one line on stderr, got $(od -c "$TMP/err" | head -5)"
    LC_ALL=C grep -q '[^ -~]' "$TMP/err" "$TMP/out" && fail "$desc: a raw control or non-ASCII byte: $(od -c "$TMP/err" | head -5)"
    return 0
}
NL=$'a\nb' OSC=$'\e]0;X\a' CSI=$'\e[2J' BEL=$'x\ay' DEL=$'d\x7f' RAWC1=$'\x80\x9b\x9d\x9f'
U8C1=$'\xc2\x9b\xc2\x9d' BADU8=$'\xff\xfe\xc2'
for name in "$NL" "$OSC" "$CSI" "$BEL" "$DEL" "$RAWC1" "$U8C1" "$BADU8"; do
    shown=$(printf '%q' "$name")
    run "$COUNTERS" --section "$name" -show; no_raw "counters --section $shown"
    [ "$RC" = 2 ] || fail "counters --section $shown: exit $RC, want 2"
    run env COUNTERS_SECTION="$name" "$COUNTERS" -show; no_raw "COUNTERS_SECTION=$shown counters"
    run "$IMSIMTA" counters --section "$name" -show; no_raw "imsimta counters --section $shown"
    run env COUNTERS_SECTION="$name" "$IMSIMTA" counters -show; no_raw "COUNTERS_SECTION=$shown imsimta counters"
    run "$QM" -section="$name" counters show; no_raw "qm -section=$shown"
    run "$CU" -l -r "$name"; no_raw "counterutil -l -r $shown"
    run env COUNTERS_REGISTRY="$name" "$CU" -l; no_raw "COUNTERS_REGISTRY=$shown counterutil -l"
    run "$COUNTERS" --section "$S" -show "$name" -bogus; no_raw "counters -show with pattern $shown"
    run "$COUNTERS" --section "$S" -create -mode="$name"; no_raw "counters -create -mode=$shown"
    run "$COUNTERS" --section "$S" -create -group="$name"; no_raw "counters -create -group=$shown"
    "$COUNTERS" --section "$S" -delete >/dev/null 2>&1
    run "$IMSIMTA" "$name"; head -1 "$TMP/err" >"$TMP/err1"; mv "$TMP/err1" "$TMP/err"; no_raw "imsimta $shown"
done
run "$COUNTERS" --section "$NL" -show
[ "$(cat "$TMP/err")" = "counters: section \"a\\x0ab\": bad section name: only letters, digits, '.', '_' and '-' are allowed" ] ||
    fail "counters --section \$'a\\nb': $(cat "$TMP/err")"

# --- item 6: names stored in shared memory (a hostile section: the library writes only
# printable ASCII, so the names are planted with dd)
"$FILL" "$S" register 3 >/dev/null || fail "fill_section"
# plant_name OLD BYTES: overwrites channel name OLD (first match) with BYTES (printf format).
plant_name() {
    local at
    at=$(LC_ALL=C grep -obUa "$1" "/dev/shm/$S" | head -1 | cut -d: -f1)
    [ -n "$at" ] || { fail "channel $1 not found in the section"; return; }
    printf "$2"'\0' | dd of="/dev/shm/$S" bs=1 seek="$at" conv=notrunc status=none
}
plant_name ch2 'A\nB\033]0;X\007\033[2J\177\302\233\302\235\377Z'
plant_name ch3 '\200\233\235\237'
run "$COUNTERS" --section "$S" -show
CHECKS=$((CHECKS + 1))
[ "$RC" = 0 ] || fail "counters -show of hostile names: exit $RC ($(cat "$TMP/err"))"
LC_ALL=C grep -q '[^ -~]' "$TMP/out" && fail "counters -show: a raw control or non-ASCII byte"
grep -Fqx 'A\x0aB\x1b]0;X\x07\x1b[2J\x7f\xc2\x9b\xc2\x9d\xffZ' "$TMP/out" || fail "counters -show: ch2 not escaped as wanted: $(sed -n 14p "$TMP/out")"
grep -Fqx '\x80\x9b\x9d\x9f' "$TMP/out" || fail "counters -show: ch3 not escaped as wanted"
for cmd in "$COUNTERS --section $S -show -format=json" "$QM -section=$S counters show -format=json"; do
    run $cmd
    CHECKS=$((CHECKS + 1))
    [ "$RC" = 0 ] || fail "$cmd: exit $RC ($(cat "$TMP/err"))"
    LC_ALL=C grep -q '[^ -~]' "$TMP/out" && fail "$cmd: a raw control or non-ASCII byte"
    "$JSON_CHECK" "$TMP/out" \
        '/channels/1/name="A\nB\u001b]0;X\u0007\u001b[2J\u007f\u009b\u009d\ufffdZ"' \
        '/channels/2/name="\ufffd\ufffd\ufffd\ufffd"' '/channels/0/name="ch1"' ||
        fail "$cmd: not the JSON wanted"
    grep -Fq '"A\nB\u001b]0;X\u0007\u001b[2J\u007f\u009b\u009d\ufffdZ"' "$TMP/out" || fail "$cmd: escapes not as documented"
done

# counterutil: a string field holding every kind of hostile byte
"$PROD" "$R" string diskusage ctl mailPartitionPath "$(printf 'p\nq\033]0;X\007\177\200\233\302\233\302\235\377')" >/dev/null ||
    fail "producer (string)"
run "$CU" -o diskusage -n 1 -r "$R"
CHECKS=$((CHECKS + 1))
[ "$RC" = 0 ] || fail "counterutil -o diskusage: exit $RC ($(cat "$TMP/err"))"
LC_ALL=C grep -q '[^ -~]' "$TMP/out" && fail "counterutil -o: a raw control or non-ASCII byte"
grep -Fq 'p\x0aq\x1b]0;X\x07\x7f\x80\x9b\xc2\x9b\xc2\x9d\xff' "$TMP/out" || fail "counterutil -o: not escaped as wanted: $(grep mailPartitionPath "$TMP/out")"
for args in "-o diskusage -n 1" "-l"; do
    run "$CU" $args -f json -r "$R"
    CHECKS=$((CHECKS + 1))
    [ "$RC" = 0 ] || fail "counterutil $args -f json: exit $RC ($(cat "$TMP/err"))"
    LC_ALL=C grep -q '[^ -~]' "$TMP/out" && fail "counterutil $args -f json: a raw control or non-ASCII byte"
    "$JSON_CHECK" "$TMP/out" || fail "counterutil $args -f json: not valid JSON"
done
run "$CU" -o diskusage -n 1 -f json -r "$R"
grep -Fq '"p\nq\u001b]0;X\u0007\u007f\ufffd\ufffd\u009b\u009d\ufffd"' "$TMP/out" ||
    fail "counterutil -f json: escapes not as documented: $(cat "$TMP/out")"

echo "$CHECKS checks, $FAILS failures"
[ "$FAILS" -eq 0 ]

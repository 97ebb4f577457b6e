#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs every command of every manual page's EXAMPLES section against the tools just built
# (issue 11, item 8), and fails on any exit status the example does not document.
#
# usage: examples.sh MAN_DIR TOOL_DIR...
#   TOOL_DIR: directories of the built counters, qm, counterutil, imsimta, mta-sim,
#   counters-ingest and counters-exporter; they
#   come first in PATH, so the examples run exactly as printed.
#
# What is a command (from the mdoc source, in EXAMPLES only):
#   - every .Dl line (a leading "$ " or "# " prompt is dropped);
#   - in a .Bd -literal block, every line starting with a "$ " or "# " prompt; a line ending
#     in a backslash goes on with the next one; the lines after it that start with the
#     session prompt "qm.maint> " are its standard input; every other line is output.
# Every command runs under bash -o pipefail in a private environment: its own
# COUNTERS_SECTION and COUNTERS_REGISTRY names (with this script's pid), a temporary
# COUNTERS_QUEUE tree and working directory, filled before each page by mta-sim; what it
# created in /dev/shm is removed at the end. The few names and paths the pages print that
# would reach outside that environment are rewritten by the SUBSTITUTIONS below (each must
# be used, so that the list stays true); examples that cannot run in a test are in SKIPPED
# with the reason, and a command with a documented non-zero status in EXPECTED_STATUS.
# A daemon runs until it is stopped: those listed in DAEMONS start in the background, and at
# the end of their page get SIGTERM and must then exit 0 (having run until then).
# Commands shown with the root prompt "# " run as the test's user: with the private names
# above none of them needs root.
set -u
MAN=$1
shift
for d in "$@"; do PATH="$d:$PATH"; done
export PATH
for tool in counters qm counterutil imsimta mta-sim counters-ingest counters-exporter; do
    command -v "$tool" >/dev/null || { echo "examples: $tool not found in the tool directories" >&2; exit 1; }
done

P="ctest_examples_$$"
T=$(mktemp -d)
export COUNTERS_SECTION="${P}_section" COUNTERS_REGISTRY="${P}_registry" COUNTERS_QUEUE="$T/queue"
export HOME="$T/home"
mkdir -p "$T/home" "$T/work" "$T/var/tmp"
BG=()
BG_WHAT=()
BG_DAEMON=()
existed_before=()
# The default names, and those the pages print before SUBSTITUTIONS: none may appear.
PRINTED_NAMES="imta_counters counters_registry demo demo_registry test_counters"
for name in $PRINTED_NAMES; do [ -e "/dev/shm/$name" ] && existed_before+=("$name"); done
cleanup() {
    for pid in "${BG[@]}"; do kill "$pid" 2>/dev/null; done
    wait 2>/dev/null
    # Only objects named with this run's prefix: nothing another test or the system owns.
    rm -f /dev/shm/"${P}"_*
    rm -rf "$T"
}
trap cleanup EXIT

# counters-exporter(8) listens on 127.0.0.1:9842 in its examples: here on a free port of a
# private range instead (checked with ss), so that parallel tests and a real exporter on the
# host do not collide.
EXPORTER_PORT=
for _ in 1 2 3 4 5 6 7 8 9 10; do
    EXPORTER_PORT=$((30000 + RANDOM % 10000))
    ss -Htln "sport = :$EXPORTER_PORT" 2>/dev/null | grep -q . || break
done

# Rewrites applied to every command before it runs: FROM (a sed -E pattern) and TO, with
# the reason. The pages print real-looking names; the test keeps to its own.
SUBSTITUTIONS=(
    # mta-sim(1): the demo section and registry, and the registry's file in /dev/shm
    'demo_registry' "${P}_demo_registry"
    '--section demo\b' "--section ${P}_demo"
    # counters(1): "work on a test section" names one
    'COUNTERS_SECTION=test_counters' "COUNTERS_SECTION=${P}_test"
    # counters(1): the JSON file for a monitoring job, in a shared directory
    '/var/tmp/' "$T/var/tmp/"
    # counters(1): the textfile collector's directory and the registry named there
    '/var/lib/prometheus/node-exporter/' "$T/var/tmp/"
    '-registry=counters_registry' "-registry=$COUNTERS_REGISTRY"
    # imsimta(1), qm(1): the queue root of a real installation, and the placeholder Q
    '/var/spool/mta' "$COUNTERS_QUEUE"
    '-queue=Q\b' "-queue=$COUNTERS_QUEUE"
    # counters-ingest(8): the channel map in /etc, the logs in /var/log and the current
    # directory (setup writes them), the replay section and its state file in /tmp
    '/etc/counters-ingest.map' "$T/counters-ingest.map"
    '/var/log/mail.log' "$T/work/mail.log"
    # counters-ingest(8): the daemons keep their state files in the test's directory, not in
    # /var/lib/counters-ingest
    '^counters-ingest --format postfix --channel-map' "counters-ingest --state $T/follow.state --format postfix --channel-map"
    '^counters-ingest --format postfix journal' "counters-ingest --state $T/journal.state --format postfix journal"
    '--section replay\b' "--section ${P}_replay"
    '/tmp/replay.state' "$T/replay.state"
    # counters-ingest(8): the ingester started just before registers its object in a moment
    '^counterutil -o ingest' 'sleep 1; counterutil -o ingest'
    # counters-exporter(8): a private port (above); the exporter started just before listens
    # in a moment
    '127\.0\.0\.1:9842' "127.0.0.1:$EXPORTER_PORT"
    '^curl -s http' 'sleep 1; curl -s http'
)
declare -A SUBST_USED=()

# Commands that cannot run here, each with the reason: PAGE, the command as printed (after
# the prompt), REASON.
SKIPPED=(
    'libcounters.3' 'c++ -std=c++17 prog.cpp $(pkg-config --cflags --libs counters)'
    'needs an installed libcounters (its pkg-config file) and the program of the example; the consumer test (tests/consumer) builds against the installed package'
)
declare -A SKIP_USED=()

# Daemons (see above): PAGE, the command as printed.
DAEMONS=(
    'counters-ingest.8' 'counters-ingest --format postfix --channel-map /etc/counters-ingest.map /var/log/mail.log'
    'counters-ingest.8' 'counters-ingest --format postfix journal &'
    'counters-exporter.8' 'counters-exporter --web.listen-address 127.0.0.1:9842 &'
)
declare -A DAEMON_USED=()

# Commands whose documented exit status is not 0: PAGE, COMMAND, STATUS. None so far.
EXPECTED_STATUS=()

FAILS=0
RAN=0
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }

# extract PAGE: one record per command on stdout: "cmd<TAB>LINE<TAB>TEXT" or
# "input<TAB>LINE<TAB>TEXT" (a line of standard input for the command before it).
extract() {
    awk '
        function unescape(s) {
            gsub(/\\&/, "", s); gsub(/\\\(dq/, "\"", s); gsub(/\\-/, "-", s); gsub(/\\e/, "\\", s)
            return s
        }
        function strip(s) { sub(/^[$#] /, "", s); return s }
        function emit(kind, line, s) { printf "%s\t%d\t%s\n", kind, line, s }
        /^\.Sh / { ex = ($2 == "EXAMPLES"); lit = 0; next }
        !ex { next }
        /^\.Bd / { lit = ($0 ~ /-literal/); cmd = 0; next }
        /^\.Ed/ { lit = 0; next }
        /^\.Dl / { s = unescape(substr($0, 5)); emit("cmd", NR, strip(s)); next }
        !lit { next }
        {
            s = unescape($0)
            if (cont != "") { s = cont " " s; sub(/^ +/, "", s) }
            if (cont == "" && s ~ /^[$#] /) start = NR
            else if (cont == "") {
                # a session line belongs to the last command, whatever output came between
                if (cmd && s ~ /^qm\.maint> /) { sub(/^qm\.maint> /, "", s); emit("input", NR, s) }
                next
            }
            if (s ~ /\\$/) { cont = substr(s, 1, length(s) - 1); next }
            cont = ""
            gsub(/ +/, " ", s)
            emit("cmd", start, strip(s)); cmd = 1
        }' "$1"
}

# rewrite TEXT: REWRITTEN is the command with SUBSTITUTIONS applied (recorded as used).
# (Not in a command substitution: the record must reach this shell.)
rewrite() {
    local i new
    REWRITTEN=$1
    for ((i = 0; i < ${#SUBSTITUTIONS[@]}; i += 2)); do
        new=$(printf '%s' "$REWRITTEN" | sed -E "s#${SUBSTITUTIONS[i]}#${SUBSTITUTIONS[i + 1]}#g")
        if [ "$new" != "$REWRITTEN" ]; then SUBST_USED[$i]=1; fi
        REWRITTEN=$new
    done
}

# skip_reason PAGE COMMAND: true, with SKIP_REASON set, when it is listed in SKIPPED.
skip_reason() {
    local i
    for ((i = 0; i < ${#SKIPPED[@]}; i += 3)); do
        if [ "${SKIPPED[i]}" = "$1" ] && [ "${SKIPPED[i + 1]}" = "$2" ]; then
            SKIP_USED[$i]=1
            SKIP_REASON=${SKIPPED[i + 2]}
            return 0
        fi
    done
    return 1
}

is_daemon() { # PAGE COMMAND
    local i
    for ((i = 0; i < ${#DAEMONS[@]}; i += 2)); do
        if [ "${DAEMONS[i]}" = "$1" ] && [ "${DAEMONS[i + 1]}" = "$2" ]; then
            DAEMON_USED[$i]=1
            return 0
        fi
    done
    return 1
}

expected_status() { # PAGE COMMAND
    local i
    for ((i = 0; i < ${#EXPECTED_STATUS[@]}; i += 3)); do
        if [ "${EXPECTED_STATUS[i]}" = "$1" ] && [ "${EXPECTED_STATUS[i + 1]}" = "$2" ]; then
            printf '%s' "${EXPECTED_STATUS[i + 2]}"
            return
        fi
    done
    printf 0
}

# A fresh environment for each page: what a site running the MTA has (a section and a
# registry with traffic, a queue tree with messages) and the test section of counters(1).
setup() {
    rm -f /dev/shm/"${P}"_*
    rm -rf "$COUNTERS_QUEUE" "$T/var/tmp" "$T/work"
    mkdir -p "$COUNTERS_QUEUE" "$T/var/tmp" "$T/work"
    if ! mta-sim --section "$COUNTERS_SECTION" --registry "$COUNTERS_REGISTRY" --queue "$COUNTERS_QUEUE" \
        --messages 2000 --seed 11 --quiet >"$T/setup.log" 2>&1; then
        echo "examples: setting up with mta-sim failed: $(cat "$T/setup.log")" >&2
        exit 1
    fi
    counters --section "${P}_test" -create >/dev/null || exit 1
    # The logs counters-ingest(8) reads: Postfix's (as /var/log/mail.log) and a day of
    # Messaging Server's mail.log in the working directory.
    cat >"$T/work/mail.log" <<'LOG'
Dec 03 05:37:11 mta postfix/smtpd[15459]: connect from localhost[127.0.0.1]
Dec 03 05:37:11 mta postfix/smtpd[15459]: ACF94A76433: client=localhost[127.0.0.1]
Dec 03 05:37:11 mta postfix/qmgr[15454]: ACF94A76433: from=<sender@client.test>, size=339, nrcpt=1 (queue active)
Dec 03 05:37:11 mta postfix/smtp[15465]: ACF94A76433: to=<rcpt@sink.test>, relay=127.0.0.1[127.0.0.1]:10026, delay=0.04, delays=0.01/0.02/0/0, dsn=2.0.0, status=sent (250 2.0.0 Ok)
Dec 03 05:37:11 mta postfix/qmgr[15454]: ACF94A76433: removed
LOG
    cat >"$T/work/mail.log_yesterday" <<'LOG'
06-Oct-2003 00:24:03.66 tcp_local ims-ms E 5 user@example.com rfc822;a@example.org a@example.org <1@example.com>
06-Oct-2003 00:24:04.10 ims-ms D 5 user@example.com rfc822;a@example.org a@example.org <1@example.com>
LOG
}

# run_command PAGE LINE COMMAND INPUT_FILE
run_command() {
    local page=$1 line=$2 shown=$3 input=$4 cmd want rc
    if skip_reason "$page" "$shown"; then
        echo "skipped: $page:$line: $shown ($SKIP_REASON)"
        return
    fi
    rewrite "$shown"
    cmd=$REWRITTEN
    want=$(expected_status "$page" "$shown")
    RAN=$((RAN + 1))
    local daemon=
    is_daemon "$page" "$shown" && daemon=1
    if [ -n "$daemon" ] || [[ "$cmd" =~ \&[[:space:]]*$ ]]; then
        cmd=${cmd%&*}
        (cd "$T/work" && exec timeout 300 bash -o pipefail -c "$cmd" <"$input" >"$T/bg.$RAN.out" 2>&1) &
        BG+=($!)
        BG_WHAT+=("$page:$line: $shown")
        BG_DAEMON+=("$daemon")
        echo "started: $page:$line: $shown"
        return
    fi
    (cd "$T/work" && exec timeout 300 bash -o pipefail -c "$cmd" <"$input" >"$T/out" 2>"$T/err")
    rc=$?
    if [ "$rc" -ne "$want" ]; then
        fail "$page:$line: \`$shown\` exited $rc (documented: $want); stderr: $(head -c 2000 "$T/err")"
    else
        echo "ok ($rc): $page:$line: $shown"
    fi
}

# wait_background: the background commands of a page must end with status 0.
wait_background() {
    local i rc
    for i in "${!BG[@]}"; do
        if [ -n "${BG_DAEMON[i]}" ]; then
            # Still running, as a daemon should; then stopped as its page says (SIGTERM,
            # which timeout(1) passes on to the command it runs).
            sleep 1
            kill -0 "${BG[i]}" 2>/dev/null ||
                fail "${BG_WHAT[i]}: the daemon stopped by itself: $(head -c 2000 "$T/bg.$((i + 1)).out" 2>/dev/null)"
            kill -TERM "${BG[i]}" 2>/dev/null
        fi
        wait "${BG[i]}"
        rc=$?
        [ "$rc" -eq 0 ] || fail "${BG_WHAT[i]}: the background command exited $rc: $(head -c 2000 "$T/bg.$((i + 1)).out" 2>/dev/null)"
    done
    BG=()
    BG_WHAT=()
    BG_DAEMON=()
}

pages=0
for page_path in "$MAN"/*.[0-9]; do
    page=$(basename "$page_path")
    extract "$page_path" >"$T/records" || { fail "$page: cannot read"; continue; }
    [ -s "$T/records" ] || continue
    pages=$((pages + 1))
    setup
    BG=()
    BG_WHAT=()
    BG_DAEMON=()
    # Commands with their input lines, in order.
    kinds=() lines=() texts=()
    while IFS=$'\t' read -r kind line text; do
        kinds+=("$kind") lines+=("$line") texts+=("$text")
    done <"$T/records"
    for ((i = 0; i < ${#kinds[@]}; i++)); do
        [ "${kinds[i]}" = cmd ] || continue
        : >"$T/input"
        j=$((i + 1))
        while [ "$j" -lt "${#kinds[@]}" ] && [ "${kinds[j]}" = input ]; do
            printf '%s\n' "${texts[j]}" >>"$T/input"
            j=$((j + 1))
        done
        cp "$T/input" "$T/input.$i"
        run_command "$page" "${lines[i]}" "${texts[i]}" "$T/input.$i"
    done
    wait_background
done

for ((i = 0; i < ${#SUBSTITUTIONS[@]}; i += 2)); do
    [ -n "${SUBST_USED[$i]:-}" ] || fail "substitution '${SUBSTITUTIONS[i]}' matches no example any more: remove it"
done
for ((i = 0; i < ${#DAEMONS[@]}; i += 2)); do
    [ -n "${DAEMON_USED[$i]:-}" ] || fail "daemon example '${DAEMONS[i + 1]}' of ${DAEMONS[i]} is no longer there: remove it"
done
for ((i = 0; i < ${#SKIPPED[@]}; i += 3)); do
    [ -n "${SKIP_USED[$i]:-}" ] || fail "skipped example '${SKIPPED[i + 1]}' of ${SKIPPED[i]} is no longer there: remove it"
done
for name in $PRINTED_NAMES; do
    if [ -e "/dev/shm/$name" ] && [[ " ${existed_before[*]:-} " != *" $name "* ]]; then
        fail "an example created /dev/shm/$name instead of a private object (left in place)"
    fi
done
[ "$pages" -gt 0 ] && [ "$RAN" -gt 0 ] || fail "no examples found in $MAN"
if [ "$FAILS" -ne 0 ]; then
    echo "$FAILS of $RAN examples failed" >&2
    exit 1
fi
echo "examples: OK ($RAN commands from $pages pages)"

#!/bin/bash
# SPDX-License-Identifier: MIT
# counters-snmpd's command line and its life without an snmpd: --help and --version, every
# usage error is one line `counters-snmpd: ...` and status 2; with no master listening on
# the AgentX socket and no section, it keeps running (and says so, prefixed), and SIGTERM
# and SIGINT end it with status 0. The real-snmpd behaviour is the integration test's.
# usage: cli.sh COUNTERS_SNMPD
set -u
SNMPD=$1
TMP=$(mktemp -d)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
unset COUNTERS_SECTION COUNTERS_REGISTRY
# net-snmp's configuration and persistent directories: the test's own (no counters-snmpd.conf
# of the machine, nothing written to /var/lib/snmp).
mkdir -p "$TMP/conf" "$TMP/persist"
export SNMPCONFPATH="$TMP/conf" SNMP_PERSISTENT_DIR="$TMP/persist"
FAILS=0
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }

"$SNMPD" --help >"$TMP/out" 2>"$TMP/err"
[ $? = 0 ] && [ ! -s "$TMP/err" ] && head -1 "$TMP/out" | grep -q '^usage: counters-snmpd ' ||
    fail "--help: $(cat "$TMP/err")"
"$SNMPD" --version >"$TMP/out" 2>"$TMP/err"
[ $? = 0 ] && grep -q '^counters-snmpd (libcounters) ' "$TMP/out" || fail "--version: $(cat "$TMP/out" "$TMP/err")"

usage() { # DESC WANTED-TEXT ARGS...
    local desc=$1 want=$2
    shift 2
    "$SNMPD" "$@" >"$TMP/out" 2>"$TMP/err"
    local rc=$?
    [ "$rc" = 2 ] || { fail "$desc: exit $rc, not 2"; return; }
    [ ! -s "$TMP/out" ] || fail "$desc: wrote on standard output"
    [ "$(wc -l <"$TMP/err")" = 1 ] && grep -q "^counters-snmpd: .*$want" "$TMP/err" ||
        fail "$desc: stderr is not one line 'counters-snmpd: ...$want': $(cat "$TMP/err")"
}
usage "unknown option" "bogus" --bogus
usage "stray argument" "extra" extra
usage "ping interval 0" "out of range" --ping-interval 0
usage "ping interval not a number" "not a number" --ping-interval 2s
usage "cache too long" "out of range" --cache 3601
usage "empty socket" "empty socket" --agentx ""
usage "empty section" "section" --section ""
usage "empty registry" "registry" --registry ""
usage "bad section name" "" --section "a/b"
usage "agentx without a value" "agentx" --agentx

# No master, no section: it runs, reports both, and ends with status 0 on each stop signal.
for sig in TERM INT; do
    log="$TMP/run.$sig.log"
    "$SNMPD" -f --section "ctest_snmp_cli_missing_$$" --registry "ctest_snmp_cli_reg_$$" \
        --agentx "$TMP/no-master" --ping-interval 1 >"$log" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    sleep 2.5
    kill -0 "$pid" 2>/dev/null || { fail "SIG$sig: it stopped by itself: $(cat "$log")"; continue; }
    kill -"$sig" "$pid"
    wait "$pid"
    rc=$?
    [ "$rc" = 0 ] || fail "SIG$sig: exit $rc, not 0: $(cat "$log")"
    grep -q '^counters-snmpd: AgentX subagent for section ctest_snmp_cli_missing_' "$log" ||
        fail "SIG$sig: no start line: $(cat "$log")"
    grep -q '^counters-snmpd: section "ctest_snmp_cli_missing_[0-9]*": does not exist: serving empty MTA-MIB tables, applOperStatus down' "$log" ||
        fail "SIG$sig: the missing section is not reported: $(cat "$log")"
    grep -q '^counters-snmpd: stopped' "$log" || fail "SIG$sig: no stop line: $(cat "$log")"
    # Retried every second: more than one failed connection in 2.5 s.
    [ "$(grep -c 'Failed to connect to the agentx master' "$log")" -ge 2 ] ||
        fail "SIG$sig: it does not retry every --ping-interval: $(cat "$log")"
done

# The options win over a counters-snmpd.conf that names another socket and interval.
cat >"$TMP/conf/counters-snmpd.conf" <<CONF
agentXSocket $TMP/conf-master
agentxPingInterval 15
CONF
log="$TMP/conf.log"
"$SNMPD" -f --section "ctest_snmp_cli_missing_$$" --agentx "$TMP/no-master" --ping-interval 1 >"$log" 2>&1 &
pid=$!
PIDS+=("$pid")
sleep 2.5
kill -TERM "$pid"
wait "$pid"
[ "$(grep -c "Failed to connect to the agentx master agent ($TMP/no-master)" "$log")" -ge 2 ] ||
    fail "with a counters-snmpd.conf: --agentx and --ping-interval are not what it uses: $(cat "$log")"
grep -q "conf-master" "$log" && fail "with a counters-snmpd.conf: its socket was used: $(cat "$log")"
rm -f "$TMP/conf/counters-snmpd.conf"

# A stop signal ends the wait at once, not at its next timeout (here 30 s away), however
# often it comes: a few runs, each stopped a random moment after its start.
for i in 1 2 3; do
    log="$TMP/prompt.$i.log"
    "$SNMPD" -f --section "ctest_snmp_cli_missing_$$" --agentx "$TMP/no-master" --ping-interval 30 >"$log" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    sleep "0.$((RANDOM % 9 + 1))"
    start=$(date +%s%N)
    kill -TERM "$pid"
    wait "$pid"
    rc=$?
    took=$((($(date +%s%N) - start) / 1000000))
    [ "$rc" = 0 ] || fail "prompt stop $i: exit $rc: $(cat "$log")"
    [ "$took" -lt 3000 ] || fail "prompt stop $i: SIGTERM took $took ms"
done

if [ "$FAILS" -ne 0 ]; then
    echo "$FAILS checks failed" >&2
    exit 1
fi
echo "snmpd cli: OK"

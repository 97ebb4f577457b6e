#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# counters-snmpd against a real net-snmp snmpd (scripts/lib/snmpd.sh: private, 127.0.0.1, own
# UDP port, config and AgentX socket). Through the master, with snmpbulkwalk, snmpwalk and
# snmpget (numeric OIDs: -On -Oe -Ot):
#   1. the section missing: empty MTA-MIB tables, applOperStatus down(2)
#   2. a section of block size 1000 filled by mta-sim (and its IMAP and POP servers, whose
#      registry objects are applTable rows 2 and 3, equal to counterutil's figures), plus a
#      channel set to 2^32 + 5 and one
#      set to -5: every served column equals `counters -show -format=json` converted as
#      counters-snmpd(8) says (walk_check), both with GETBULK and GETNEXT walks; the big values
#      wrap (Counter32) and clamp (Gauge32); columns the section cannot fill are
#      noSuchInstance
#   3. snmpd restarted: the rows are back within the ping interval (+ 2 s)
#   4. `counters -clear`: the counters drop, still equal to the section
#   5. `counters -delete`: empty tables, applOperStatus down, the subagent alive
#   6. `counters -create`: rows back within the cache interval + 1 s; filled again, equal
# Then SIGTERM: the subagent exits 0. Nothing is left behind (trap).
# usage: snmpd_live.sh SOURCE_DIR COUNTERS_SNMPD COUNTERS MTA_SIM FILL_SECTION WALK_CHECK COUNTERUTIL
set -u
src=$1 subagent=$2 counters_bin=$3 sim_bin=$4 fill_bin=$5 check_bin=$6 counterutil_bin=$7
. "$src/tests/lib/need.sh"
for t in snmpd snmpget snmpwalk snmpbulkwalk ss; do
    command -v "$t" >/dev/null 2>&1 || missing "$t is not installed (packages snmpd, snmp)"
done
. "$src/scripts/lib/snmpd.sh"
# A tool that hangs must fail the test, not run into ctest's timeout (which kills without
# the trap below, leaving snmpd and the section behind).
counters() { timeout 60 "$counters_bin" "$@"; }
sim() { timeout 60 "$sim_bin" "$@"; }
fill() { timeout 60 "$fill_bin" "$@"; }
check() { timeout 60 "$check_bin" "$@"; }
counterutil() { timeout 60 "$counterutil_bin" "$@"; }

S="ctest_snmp_live_$$"
R="ctest_snmp_live_reg_$$"
TMP=$(mktemp -d)
CACHE=1 PING=2
sub_pid=
unset COUNTERS_SECTION COUNTERS_REGISTRY
cleanup() {
    if [ -n "$sub_pid" ]; then kill "$sub_pid" 2>/dev/null; wait "$sub_pid" 2>/dev/null; fi
    snmpd_stop
    "$counters_bin" --section "$S" -delete >/dev/null 2>&1
    rm -f "/dev/shm/$S" "/dev/shm/$R"
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

MTA=.1.3.6.1.2.1.28 APPL=.1.3.6.1.2.1.27
get() { snmpget "${SNMPD_OPTS[@]}" -On -Oe -Ot -r 0 -t 2 "$SNMPD_TARGET" "$@"; }
# walk FILE [TOOL]: both MIBs (the MTA's row of applTable and the MTA-MIB) into FILE
walk() {
    local tool=${2:-snmpbulkwalk}
    { "$tool" "${SNMPD_OPTS[@]}" -On -Oe -Ot -r 1 -t 2 "$SNMPD_TARGET" $MTA &&
        "$tool" "${SNMPD_OPTS[@]}" -On -Oe -Ot -r 1 -t 2 "$SNMPD_TARGET" $APPL; } >"$1" 2>"$1.err"
}
# within SECONDS DESC CMD...: CMD must succeed within SECONDS (tried every 0.1 s); prints
# how long it took.
within() {
    local secs=$1 desc=$2 t0 deadline
    shift 2
    t0=$(now)
    deadline=$(awk -v a="$t0" -v s="$secs" 'BEGIN { printf "%.3f", a + s }')
    while :; do
        if "$@"; then
            echo "ok: $desc after $(since "$t0") s (limit $secs s)"
            return 0
        fi
        if awk -v d="$deadline" -v n="$(now)" 'BEGIN { exit !(n > d) }'; then
            fail "$desc: not within $secs s"
            return 1
        fi
        sleep 0.1
    done
}
is() { # is OID TEXT: snmpget prints exactly "OID = TEXT"
    local out
    out=$(get "$1" 2>&1)
    [ "$out" = "$1 = $2" ] && return 0
    LAST="$out"
    return 1
}
expect() { # expect OID TEXT DESC
    is "$1" "$2" || fail "$3: $LAST, want $1 = $2"
}
# equal DESC: within the cache interval + 1 s, a GETBULK walk equals the section's JSON (and
# then a GETNEXT walk too); the snapshot time lies between the last change ($changed) and now
equal() {
    local desc=$1
    counters --section "$S" -show -format=json >"$TMP/section.json" || { fail "$desc: counters -show"; return 1; }
    check_walk() {
        walk "$TMP/walk" "$1" || return 1
        check "$TMP/section.json" "$TMP/walk" --now "$((changed - 1))" "$(($(date +%s) + 1))" \
            --agent-start "$agent_lo" "$agent_hi" >"$TMP/check" 2>&1
    }
    if within $((CACHE + 1)) "$desc: snmpbulkwalk equals counters -show -format=json" check_walk snmpbulkwalk; then
        cat "$TMP/check"
        cp "$TMP/walk" "$TMP/bulk"
        check_walk snmpwalk || { fail "$desc: snmpwalk (GETNEXT) differs:"; cat "$TMP/check"; }
    else
        cat "$TMP/check" "$TMP/walk.err"
        return 1
    fi
}

snmpd_start "$TMP/snmpd" || { echo "FAIL: snmpd did not start"; exit 1; }
echo "snmpd: pid $SNMPD_PID, $SNMPD_TARGET, AgentX $SNMPD_AGENTX"

# 1. The subagent first, the section missing.
agent_lo=$(date +%s)
"$subagent" --section "$S" --registry "$R" --agentx "$SNMPD_AGENTX" -f --ping-interval "$PING" \
    --cache "$CACHE" 2>"$TMP/subagent.log" &
sub_pid=$!
within 10 "subagent registered (applOperStatus down: no section)" is $APPL.1.1.6.1 "INTEGER: 2" ||
    { cat "$TMP/subagent.log"; exit 1; }
agent_hi=$(date +%s)
expect $APPL.1.1.2.1 "STRING: \"$S\"" "applName without a section"
expect $APPL.1.1.5.1 "No Such Instance currently exists at this OID" "applUptime without a section"
expect $APPL.1.1.10.1 "No Such Instance currently exists at this OID" "applAccumulatedInboundAssociations without a section"
walk "$TMP/empty" || fail "walk without a section: $(cat "$TMP/empty.err")"
grep -q "^$MTA\." "$TMP/empty" && fail "MTA-MIB rows without a section: $(head -3 "$TMP/empty")"

# 2. A section: block size 1000 (K-octets are not blocks), mta-sim's mix, big values.
counters --section "$S" -create -block_size=1000 || fail "counters -create"
sim --section "$S" --registry "$R" --processes 2 --messages 300 --seed 7 -q || fail "mta-sim"
fill "$S" set big 4294967301 || fail "fill_section set big"   # 2^32 + 5
fill "$S" set neg -5 || fail "fill_section set neg"
changed=$(date +%s)
equal "filled" || { echo "subagent log:"; cat "$TMP/subagent.log"; }
# The registry's imapstat and popstat: applTable rows 2 and 3, as counterutil shows them.
for obj in imapstat:2 popstat:3; do
    name=${obj%:*} idx=${obj#*:}
    counterutil -o "$name" -n 1 -r "$R" >"$TMP/cu" 2>&1 || { fail "counterutil -o $name: $(cat "$TMP/cu")"; continue; }
    field() { awk -F': ' -v f="global.$1 " 'index($0, f) == 1 { print $2 }' "$TMP/cu"; }
    printf '%s\n' "$APPL.1.1.2.$idx = STRING: \"$name\"" "$APPL.1.1.3.$idx = \"\"" "$APPL.1.1.5.$idx = [0-9]+" \
        "$APPL.1.1.8.$idx = Gauge32: $(field numCurrentConnections)" \
        "$APPL.1.1.10.$idx = Counter32: $(field numConnections)" "$APPL.1.1.12.$idx = [0-9]+" >"$TMP/want_svc"
    grep -E "^\\$APPL\\.1\\.1\\.[0-9]+\\.$idx = " "$TMP/bulk" >"$TMP/got_svc"
    same_svc=1
    [ "$(wc -l <"$TMP/got_svc")" = 6 ] || same_svc=0
    while IFS=$'\t' read -r want got; do
        re=${want//./\\.}
        [[ $got =~ ^$re$ ]] || same_svc=0
    done < <(paste "$TMP/want_svc" "$TMP/got_svc")
    if [ "$same_svc" = 0 ]; then
        fail "applTable row $idx ($name) differs from counterutil:"
        diff "$TMP/want_svc" "$TMP/got_svc"
    else
        echo "ok: applTable row $idx equals counterutil -o $name"
    fi
done
slot_of() { # slot_of NAME: its group index (its position in the JSON, from 1)
    grep -o '"name": "[^"]*"' "$TMP/section.json" | tail -n +2 | grep -n "\"$1\"" | cut -d: -f1
}
big=$(slot_of big) neg=$(slot_of neg)
echo "channels: $(grep -c '^      "name"' "$TMP/section.json"), big is group $big, neg is group $neg"
G=$MTA.2.1
expect "$G.2.1.$big" "Counter32: 5" "mtaGroupReceivedMessages of 2^32+5 wraps"
expect "$G.6.1.$big" "Counter32: $(((4294967301 * 1000 / 1024) % 4294967296))" "mtaGroupReceivedVolume of 2^32+5 blocks of 1000 octets"
expect "$G.4.1.$big" "Gauge32: 4294967295" "mtaGroupStoredMessages above 2^32 clamps"
expect "$G.2.1.$neg" "Counter32: 4294967291" "mtaGroupReceivedMessages of -5: modulo 2^32"
expect "$G.4.1.$neg" "Gauge32: 0" "mtaGroupStoredMessages of -5 clamps at 0"
expect "$G.7.1.$neg" "Gauge32: 0" "mtaGroupStoredVolume of -5 blocks clamps at 0"
nosuch="No Such Instance currently exists at this OID"
expect "$G.12.1.1" "$nosuch" "mtaGroupOldestMessageStored (not known)"
expect "$G.24.1.1" "$nosuch" "mtaGroupMailProtocol (not known)"
expect "$MTA.1.1.10.1" "$nosuch" "mtaSuccessfulConvertedMessages (not known)"
expect "$MTA.5.1.1.1.1.4000000" "$nosuch" "mtaGroupInboundErrorCount (not known)"
expect "$G.2.1.$((neg + 1))" "$nosuch" "a group past the last channel"
expect "$MTA.3.1.1.1.1" "$nosuch" "mtaGroupAssociationTable (empty)"
# a channel without inbound activity has no mtaGroupLastInboundActivity
quiet=$(grep -o '"name": "[^"]*"\|"last_inbound_activity": [0-9]*' "$TMP/section.json" |
    awk -F': ' '/name/ { n = $2 } /last_inbound_activity/ && $2 == 0 { gsub(/"/, "", n); print n; exit }')
if [ -n "$quiet" ]; then
    expect "$G.17.1.$(slot_of "$quiet")" "$nosuch" "mtaGroupLastInboundActivity of $quiet (never active)"
else
    fail "mta-sim left no channel without inbound activity (the noSuchInstance case is not covered)"
fi

# 3. snmpd restarted: back within the ping interval (+ 2 s for a loaded machine).
received=$(get $G.2.1.1)
snmpd_restart || { fail "snmpd restart"; exit 1; }
echo "snmpd restarted: pid $SNMPD_PID"
within $((PING + 2)) "rows back after the snmpd restart" is $G.2.1.1 "${received#* = }"
equal "after the snmpd restart"

# 4. Cleared: the counters drop.
counters --section "$S" -clear || fail "counters -clear"
changed=$(date +%s)
within $((CACHE + 1)) "mtaReceivedMessages 0 after the clear" is $MTA.1.1.1.1 "Counter32: 0"
equal "after the clear"

# 5. Deleted: empty tables, down, alive.
counters --section "$S" -delete || fail "counters -delete"
gone() { walk "$TMP/gone" && ! grep -q "^$MTA\." "$TMP/gone" && is $APPL.1.1.6.1 "INTEGER: 2"; }
within $((CACHE + 1)) "tables empty and applOperStatus down after the delete" gone
kill -0 "$sub_pid" 2>/dev/null || fail "the subagent died after the delete"

# 6. Created again: rows back within the cache interval + 1 s; filled, equal.
counters --section "$S" -create || fail "counters -create again"
back() { is $MTA.1.1.1.1 "Counter32: 0" && is $APPL.1.1.6.1 "INTEGER: 1"; }
within $((CACHE + 1)) "mtaTable row and applOperStatus up after -create" back
sim --section "$S" --no-servers --processes 1 --messages 100 --seed 8 -q || fail "mta-sim again"
changed=$(date +%s)
equal "created again and filled"
kill -0 "$sub_pid" 2>/dev/null || fail "the subagent died"

# Stopped by SIGTERM: exit 0.
kill "$sub_pid"
wait "$sub_pid"
rc=$?
sub_pid=
[ "$rc" = 0 ] || fail "counters-snmpd exited $rc on SIGTERM"
if [ "$fails" != 0 ]; then
    echo "subagent log:"
    cat "$TMP/subagent.log"
    echo "$fails checks failed"
    exit 1
fi
echo PASS

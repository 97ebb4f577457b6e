#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A private net-snmp snmpd on 127.0.0.1 for tests, benchmarks and demos: the AgentX master
# that counters-snmpd connects to. Own config, AgentX socket, persistent directory, log and
# UDP port; no systemd, root not needed. Source it (bash).
#   snmpd_start DIR [CONF-LINES]
#                       starts snmpd with its files under DIR (which must exist) and waits
#                       until it answers; sets SNMPD_PORT (UDP, 127.0.0.1), SNMPD_AGENTX (the
#                       AgentX socket: give it to counters-snmpd --agentx), SNMPD_COMMUNITY (a
#                       read-only v2c community), SNMPD_CONF, SNMPD_LOG, SNMPD_PID and the
#                       client arguments SNMPD_OPTS (-v2c, the community, no MIB files: use
#                       numeric OIDs) and SNMPD_TARGET (udp:127.0.0.1:PORT), so that
#                         snmpbulkwalk "${SNMPD_OPTS[@]}" -On "$SNMPD_TARGET" .1.3.6.1.2.1.28
#                       walks the MTA-MIB. CONF-LINES (optional) are appended to its config.
#                       It exports SNMPCONFPATH and SNMP_PERSISTENT_DIR (private folders under
#                       DIR) so that snmpd, the clients and the subagent read no config files
#                       of the machine and write none there.
#   snmpd_stop          stops it (SIGTERM, then SIGKILL after 5 s); call it from the caller's
#                       EXIT trap too (it does nothing when nothing runs)
#   snmpd_restart       stops it and starts it again on the same port, socket and config
#   snmpd_wait [SECS]   waits (at most SECS, default 10) until it answers on SNMPD_PORT
#   SNMPD_EXCLUDE       (set before a start or restart) more modules to leave out, comma
#                       separated (e.g. hrSWRunTable,hrSWRunPerfTable: bench/snmp_walk.sh
#                       serves that table through an `snmpd -X` subagent instead)
#
# snmpd runs as `snmpd -f -Lo -C -c CONF -m "" -I -smux,mta_sendmail -p PIDFILE`: only our
# config; no MIB files; no SMUX; and without Debian's built-in mta_sendmail module, which
# claims the MTA-MIB subtree (.1.3.6.1.2.1.28) and would hide the subagent's rows.

# A UDP port nothing is bound to on this machine now (random, in a private range, checked
# with ss); snmpd_start tries again with another one if snmpd cannot bind it after all.
snmpd_free_udp_port() {
    local p
    for _ in $(seq 1 200); do
        p=$((20000 + RANDOM % 20000))
        ss -Hauln "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return 0; }
    done
    return 1
}

# Writes the config and starts snmpd once, in the background (-f: the pid is ours).
snmpd__launch() {
    SNMP_PERSISTENT_DIR=$SNMPD_DIR/persist SNMPCONFPATH=$SNMPD_DIR/conf \
        snmpd -f -Lo -C -c "$SNMPD_CONF" -m "" -I "-smux,mta_sendmail${SNMPD_EXCLUDE:+,$SNMPD_EXCLUDE}" \
        -p "$SNMPD_DIR/snmpd.pid" \
        >>"$SNMPD_LOG" 2>&1 &
    SNMPD_PID=$!
}

snmpd_wait() {
    local deadline=$((SECONDS + ${1:-10}))
    while [ "$SECONDS" -lt "$deadline" ]; do
        if ! kill -0 "$SNMPD_PID" 2>/dev/null; then
            wait "$SNMPD_PID" 2>/dev/null
            SNMPD_PID=''
            return 1
        fi
        if [ -S "$SNMPD_AGENTX" ] &&
            snmpget "${SNMPD_OPTS[@]}" -r 0 -t 0.3 -Oqv "$SNMPD_TARGET" .1.3.6.1.2.1.1.3.0 >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.1
    done
    echo "snmpd: no answer on $SNMPD_TARGET within ${1:-10} s (log: $SNMPD_LOG)" >&2
    return 1
}

snmpd__write_conf() {
    cat >"$SNMPD_CONF" <<CONF
# private snmpd of scripts/lib/snmpd.sh
agentAddress udp:127.0.0.1:$SNMPD_PORT
master agentx
agentXSocket $SNMPD_AGENTX
agentXPerms 0600 0700
rocommunity $SNMPD_COMMUNITY 127.0.0.1
sysLocation libcounters test
sysContact postmaster@localhost
# no log line per request (the benchmark walks thousands of PDUs)
dontLogTCPWrappersConnects yes
CONF
    [ -n "${SNMPD_EXTRA:-}" ] && printf '%s\n' "$SNMPD_EXTRA" >>"$SNMPD_CONF"
    return 0
}

snmpd_start() {
    SNMPD_DIR=$1
    SNMPD_EXTRA=${2:-}
    SNMPD_CONF=$SNMPD_DIR/snmpd.conf
    SNMPD_LOG=$SNMPD_DIR/snmpd.log
    SNMPD_AGENTX=$SNMPD_DIR/agentx.sock
    SNMPD_COMMUNITY=ro$RANDOM$RANDOM
    mkdir -p "$SNMPD_DIR/persist" "$SNMPD_DIR/conf" || return 1
    export SNMP_PERSISTENT_DIR=$SNMPD_DIR/persist SNMPCONFPATH=$SNMPD_DIR/conf
    local attempt
    for attempt in 1 2 3 4 5; do
        SNMPD_PORT=$(snmpd_free_udp_port) || return 1
        SNMPD_TARGET=udp:127.0.0.1:$SNMPD_PORT
        SNMPD_OPTS=(-v2c -c "$SNMPD_COMMUNITY" -m "")
        snmpd__write_conf
        snmpd__launch
        snmpd_wait 10 && return 0
        snmpd_stop
        grep -q 'Error opening specified endpoint' "$SNMPD_LOG" 2>/dev/null || break
        echo "snmpd: port $SNMPD_PORT taken (attempt $attempt), trying another" >&2
    done
    echo "snmpd did not start; its log:" >&2
    cat "$SNMPD_LOG" >&2
    return 1
}

snmpd_stop() {
    [ -n "${SNMPD_PID:-}" ] || return 0
    if kill "$SNMPD_PID" 2>/dev/null; then
        for _ in $(seq 1 50); do
            kill -0 "$SNMPD_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$SNMPD_PID" 2>/dev/null && kill -KILL "$SNMPD_PID" 2>/dev/null
    fi
    wait "$SNMPD_PID" 2>/dev/null
    SNMPD_PID=''
    return 0
}

snmpd_restart() {
    snmpd_stop
    snmpd__launch
    snmpd_wait 10 || { echo "snmpd did not restart on $SNMPD_TARGET; its log:" >&2; cat "$SNMPD_LOG" >&2; return 1; }
}

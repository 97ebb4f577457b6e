#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The LDAP probe against real, private OpenLDAP servers (slapd) on 127.0.0.1, each with its
# own configuration, database directory and port: one that takes anonymous binds and one
# that refuses them (`disallow bind_anon`). counterutil -o serverresponse shows the times,
# msprobe's log the bind result, and slapd's own log (-d stats) the same result, then the
# probe's UNBIND and an orderly close.
# usage: ldap.sh SOURCE_DIR MSPROBE COUNTERUTIL
# Needs slapd (package slapd; installed unconfigured: slapd/no_configuration).
SRC=$1 MSPROBE=$2 COUNTERUTIL=$3
. "$SRC/tests/msprobe/lib.sh"
PATH=$PATH:/usr/sbin:/sbin
SLAPD=$(command -v slapd || echo /usr/sbin/slapd)
[ -x "$SLAPD" ] || missing "slapd is not installed (package slapd)"
[ -r /etc/ldap/schema/core.schema ] || missing "OpenLDAP's core schema (/etc/ldap/schema/core.schema) is missing"
command -v ss >/dev/null 2>&1 || missing "ss is not installed"

# start_slapd NAME PORT [GLOBAL_DIRECTIVE...]: a private slapd on 127.0.0.1:PORT, in the
# foreground (-d stats: its log on standard error, in $D/NAME.log).
start_slapd() {
    local name=$1 port=$2
    shift 2
    mkdir -p "$D/$name/db"
    {
        echo "include /etc/ldap/schema/core.schema"
        echo "pidfile $D/$name/slapd.pid"
        echo "argsfile $D/$name/slapd.args"
        for d in "$@"; do echo "$d"; done
        echo "modulepath /usr/lib/ldap"
        echo "moduleload back_mdb"
        echo "database mdb"
        echo "maxsize 10485760"
        echo "suffix \"dc=probe,dc=test\""
        echo "rootdn \"cn=admin,dc=probe,dc=test\""
        echo "directory $D/$name/db"
    } >"$D/$name/slapd.conf"
    "$SLAPD" -f "$D/$name/slapd.conf" -h "ldap://127.0.0.1:$port/" -d stats 2>"$D/$name.log" &
    PIDS+=($!)
    wait_listen "$port" || { echo "slapd $name did not start: $(cat "$D/$name.log")" >&2; finish; }
}

OPEN=$(free_port)
start_slapd open "$OPEN"
CLOSED=$(free_port)
while [ "$CLOSED" = "$OPEN" ]; do CLOSED=$(free_port); done
start_slapd refusing "$CLOSED" "disallow bind_anon"

# One probe per server: two configurations, two rounds.
for s in open:$OPEN refusing:$CLOSED; do
    name=${s%%:*} port=${s#*:}
    cat >"$D/$name.conf" <<CONF
alarm.diskavail.statinterval = 0
local.msprobe.statedir = $D
local.probe.ldap.host = 127.0.0.1
local.probe.ldap.port = $port
CONF
    "$MSPROBE" --once --config "$D/$name.conf" --registry "$REG" 2>"$D/once.$name.out" ||
        fail "msprobe --once ($name) exited $?: $(cat "$D/once.$name.out")"
done
# slapd logs the close after the probe has gone: wait for both connections' (5 s at most).
for _ in $(seq 1 100); do
    grep -q 'fd=[0-9]* closed$' "$D/open.log" && grep -q 'fd=[0-9]* closed$' "$D/refusing.log" && break
    sleep 0.05
done

# result NAME: the resultCode slapd logged for the probe's bind (op=0, tag 97: BindResponse).
result() { sed -n 's/.* op=0 RESULT tag=97 err=\([0-9]*\) .*/\1/p' "$D/$1.log" | head -n 1; }

for s in open:$OPEN refusing:$CLOSED; do
    name=${s%%:*} port=${s#*:}
    inst=ldap_127.0.0.1_$port
    v=$(field serverresponse "$inst.responseTime")
    [[ "$v" =~ ^[0-9]+$ ]] && [ "$v" -lt 10000 ] || fail "$inst ($name): responseTime '$v' is not a time"
    t=$(field serverresponse "$inst.lastStatTime")
    [ -n "$t" ] && [ "$t" != 0 ] || fail "$inst ($name): lastStatTime '$t' not set"
    grep -q 'op=0 BIND dn="" method=128' "$D/$name.log" ||
        fail "slapd $name did not log the probe's anonymous simple bind: $(cat "$D/$name.log")"
    code=$(result "$name")
    [ -n "$code" ] || fail "slapd $name logged no result of the bind"
    grep -q "^msprobe: $inst: answered in [0-9]* ms: bind result $code\$" "$D/once.$name.out" ||
        fail "$name: msprobe did not log the bind result $code that slapd sent: $(cat "$D/once.$name.out")"
    # The probe ends politely: an UNBIND, then the connection closed (not lost).
    grep -q "op=1 UNBIND" "$D/$name.log" || fail "slapd $name did not see the probe's UNBIND: $(cat "$D/$name.log")"
    grep -q "fd=[0-9]* closed\$" "$D/$name.log" || fail "slapd $name did not log an orderly close"
    grep -q "connection lost" "$D/$name.log" && fail "slapd $name lost the probe's connection"
done
[ "$(result open)" = 0 ] || fail "the open slapd answered the anonymous bind with $(result open), not 0"
[ "$(result refusing)" != 0 ] || fail "the refusing slapd accepted the anonymous bind"
finish ldap

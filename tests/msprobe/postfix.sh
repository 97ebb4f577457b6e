#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The SMTP probe against a real, private Postfix on 127.0.0.1 (scripts/lib/postfix.sh): its
# 220 greeting is timed into serverresponse, and Postfix logs the probe's QUIT.
# usage: postfix.sh SOURCE_DIR MSPROBE COUNTERUTIL
# Needs root (Postfix's master runs as root) and Postfix.
SRC=$1 MSPROBE=$2 COUNTERUTIL=$3
. "$SRC/tests/msprobe/lib.sh"
. "$SRC/scripts/lib/postfix.sh"
PATH=$PATH:/usr/sbin:/sbin
[ "$(id -u)" = 0 ] || missing "needs root (a private Postfix)"
for p in postfix smtp-sink ss; do command -v "$p" >/dev/null 2>&1 || missing "$p is not installed"; done
extra_cleanup() { pf_stop; }
chmod 755 "$D"
pf_start "$D/pf" || { fail "Postfix did not start"; finish; }

cat >"$D/msprobe.conf" <<CONF
alarm.diskavail.statinterval = 0
local.msprobe.statedir = $D
local.probe.smtp.host = 127.0.0.1
local.probe.smtp.port = $PF_PORT
local.probe.smtp.timeout = 10
CONF
"$MSPROBE" --once --config "$D/msprobe.conf" --registry "$REG" 2>"$D/once.log" || fail "msprobe --once exited $?"
inst=smtp_127.0.0.1_$PF_PORT
v=$(field serverresponse "$inst.responseTime")
[[ "$v" =~ ^[0-9]+$ ]] && [ "$v" -lt 10000 ] || fail "responseTime '$v' is not a time"
grep -q "^msprobe: $inst: answered in $v ms: 220 mta.test ESMTP Postfix" "$D/once.log" ||
    fail "no 'answered' line with Postfix's greeting"
# Postfix saw a polite client: QUIT, no lost connection.
for _ in $(seq 1 50); do grep -q 'disconnect from localhost\[127.0.0.1\]' "$PF_LOG" 2>/dev/null && break; sleep 0.1; done
grep -q 'disconnect from localhost\[127.0.0.1\].* quit=1' "$PF_LOG" ||
    fail "Postfix did not log a QUIT: $(grep -i connect "$PF_LOG" | tail -3)"
grep -q 'lost connection' "$PF_LOG" && fail "Postfix logged a lost connection"
finish postfix

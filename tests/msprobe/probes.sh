#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# msprobe --once against socat-served greetings: good SMTP, IMAP, POP3 and HTTP answers, a
# port that accepts and never answers (the time waited), a closed port (-1) and garbage
# (-2), as counterutil -o serverresponse shows them and as the log tells them apart.
# usage: probes.sh SOURCE_DIR MSPROBE COUNTERUTIL
SRC=$1 MSPROBE=$2 COUNTERUTIL=$3
. "$SRC/tests/msprobe/lib.sh"
command -v socat >/dev/null || missing "socat is not installed"
command -v ss >/dev/null || missing "ss is not installed"

SMTP=$(free_port) IMAP=$(free_port) POP=$(free_port) HTTP=$(free_port) SILENT=$(free_port) CLOSED=$(free_port)
GARBAGE=$(free_port) DEADMAIL=$(free_port)
# Each server records what the probe said after the greeting.
serve "$SMTP" "printf '220 socat.test ESMTP\r\n'; read -r l; echo \"\$l\" >>$D/smtp.heard; printf '221 bye\r\n'"
serve "$IMAP" "printf '* OK [CAPABILITY IMAP4rev1] socat ready\r\n'; read -r l; echo \"\$l\" >>$D/imap.heard; printf '* BYE\r\na OK\r\n'"
serve "$POP" "printf '+OK socat POP3\r\n'; read -r l; echo \"\$l\" >>$D/pop.heard; printf '+OK bye\r\n'"
serve "$HTTP" "read -r l; echo \"\$l\" >>$D/http.heard; printf 'HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n'"
serve "$SILENT" "sleep 20"
serve "$GARBAGE" "printf 'SSH-2.0-OpenSSH_9.2\r\n'; sleep 1"
SLOW=$(free_port)
serve "$SLOW" "sleep 0.6; printf '+OK slow POP3\r\n'; read -r l"

cat >"$D/msprobe.conf" <<CONF
alarm.diskavail.statinterval = 0
# notices cannot be mailed here: they are kept in the state directory
alarm.msgalarmnoticehost = 127.0.0.1
alarm.msgalarmnoticeport = $DEADMAIL
local.probe.smtp.host = 127.0.0.1
local.probe.smtp.port = $SMTP
local.probe.imap.host = 127.0.0.1
local.probe.imap.port = $IMAP
local.probe.pop.host = 127.0.0.1
local.probe.pop.port = $POP
local.probe.http.host = 127.0.0.1
local.probe.http.port = $HTTP
local.probe.lmtp.host = 127.0.0.1
local.probe.lmtp.port = $SILENT
local.probe.lmtp.timeout = 1.5
local.probe.ldap.host = 127.0.0.1
local.probe.ldap.port = $CLOSED
CONF
echo "local.msprobe.statedir = $D" >>"$D/msprobe.conf"

"$MSPROBE" --once --config "$D/msprobe.conf" --registry "$REG" 2>"$D/once.log"
rc=$?
[ "$rc" = 0 ] || fail "msprobe --once exited $rc"

for s in "smtp:$SMTP" "imap:$IMAP" "pop:$POP" "http:$HTTP"; do
    inst="${s%%:*}_127.0.0.1_${s#*:}"
    v=$(field serverresponse "$inst.responseTime")
    [[ "$v" =~ ^[0-9]+$ ]] && [ "$v" -lt 1000 ] || fail "$inst: responseTime '$v' is not a time under 1 s"
    t=$(field serverresponse "$inst.lastStatTime")
    [ -n "$t" ] && [ "$t" != 0 ] || fail "$inst: lastStatTime '$t' not set"
    grep -q "^msprobe: $inst: answered in [0-9]* ms: " "$D/once.log" || fail "$inst: no 'answered' line in the log"
done
grep -qx 'QUIT' <(tr -d '\r' <"$D/smtp.heard") || fail "the SMTP probe did not say QUIT: $(cat "$D/smtp.heard")"
grep -qx 'a LOGOUT' <(tr -d '\r' <"$D/imap.heard") || fail "the IMAP probe did not say a LOGOUT"
grep -qx 'QUIT' <(tr -d '\r' <"$D/pop.heard") || fail "the POP3 probe did not say QUIT"
grep -qx 'HEAD / HTTP/1.0' <(tr -d '\r' <"$D/http.heard") || fail "the HTTP probe did not send HEAD / HTTP/1.0"

v=$(field serverresponse "lmtp_127.0.0.1_$SILENT.responseTime")
[[ "$v" =~ ^[0-9]+$ ]] && [ "$v" -ge 1500 ] && [ "$v" -lt 2500 ] || fail "silent port: responseTime '$v' is not the 1.5 s waited"
grep -q "^msprobe: warning: lmtp_127.0.0.1_$SILENT: timeout: no greeting within the timeout (1.5 s; recorded $v ms)" \
    "$D/once.log" || fail "silent port: no timeout line in the log"
v=$(field serverresponse "ldap_127.0.0.1_$CLOSED.responseTime")
[ "$v" = -1 ] || fail "closed port: responseTime '$v', not -1"
grep -q "^msprobe: warning: ldap_127.0.0.1_$CLOSED: refused: connection refused (recorded -1)" "$D/once.log" ||
    fail "closed port: no refused line in the log"

# Garbage: the same service on another port.
cat >"$D/garbage.conf" <<CONF
alarm.diskavail.statinterval = 0
alarm.msgalarmnoticehost = 127.0.0.1
alarm.msgalarmnoticeport = $DEADMAIL
local.probe.smtp.host = 127.0.0.1
local.probe.smtp.port = $GARBAGE
local.probe.pop.host = 127.0.0.1
local.probe.pop.port = $SLOW
local.probe.pop.warningthreshold = 0.25
CONF
echo "local.msprobe.statedir = $D" >>"$D/garbage.conf"
"$MSPROBE" --once --config "$D/garbage.conf" --registry "$REG" 2>"$D/garbage.log" || fail "garbage: msprobe exited $?"
v=$(field serverresponse "smtp_127.0.0.1_$GARBAGE.responseTime")
[ "$v" = -2 ] || fail "garbage: responseTime '$v', not -2"
grep -q "^msprobe: warning: smtp_127.0.0.1_$GARBAGE: garbage: not a greeting: SSH-2.0-OpenSSH_9.2 (recorded -2)" \
    "$D/garbage.log" || fail "garbage: no garbage line in the log"
# A slow answer: a time, and a warning over the service's own warning threshold.
v=$(field serverresponse "pop_127.0.0.1_$SLOW.responseTime")
[[ "$v" =~ ^[0-9]+$ ]] && [ "$v" -ge 600 ] && [ "$v" -lt 2000 ] || fail "slow: responseTime '$v' is not about 0.6 s"
grep -qE "^msprobe: warning: pop_127.0.0.1_$SLOW: answered in 0\.[6-9][0-9]* s, over the warning threshold of 0\.25 s\$" \
    "$D/garbage.log" || fail "slow: no warning line over the threshold"
# The first round's values are still there, untouched.
[ "$(field serverresponse "ldap_127.0.0.1_$CLOSED.responseTime")" = -1 ] || fail "the first round's values changed"
finish probes

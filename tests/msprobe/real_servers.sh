#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The IMAP and POP3 probes against a real, private Dovecot on 127.0.0.1 (its own
# configuration, directories and ports), and the HTTP probe against Python's http.server:
# counterutil -o serverresponse shows the times, the log the servers' greetings, and Dovecot
# logs no error about the probes' LOGOUT and QUIT.
# usage: real_servers.sh SOURCE_DIR MSPROBE COUNTERUTIL
# Needs root (Dovecot's master runs as root), dovecot-imapd, dovecot-pop3d and python3.
SRC=$1 MSPROBE=$2 COUNTERUTIL=$3
. "$SRC/tests/msprobe/lib.sh"
PATH=$PATH:/usr/sbin:/sbin
[ "$(id -u)" = 0 ] || missing "needs root (a private Dovecot)"
command -v dovecot >/dev/null 2>&1 || missing "dovecot is not installed (dovecot-imapd, dovecot-pop3d)"
[ -e /usr/lib/dovecot/imap ] || missing "dovecot-imapd is not installed"
[ -e /usr/lib/dovecot/pop3 ] || missing "dovecot-pop3d is not installed"
command -v python3 >/dev/null 2>&1 || missing "python3 is not installed"
command -v ss >/dev/null 2>&1 || missing "ss is not installed"
chmod 755 "$D"
IMAP=$(free_port) POP=$(free_port) HTTP=$(free_port)
mkdir -p "$D/dc/run" "$D/dc/state" "$D/dc/home" "$D/www"
cat >"$D/dc/dovecot.conf" <<CONF
base_dir = $D/dc/run
state_dir = $D/dc/state
log_path = $D/dc/dovecot.log
info_log_path = $D/dc/dovecot.log
protocols = imap pop3
listen = 127.0.0.1
ssl = no
mail_location = maildir:$D/dc/home/%u/Maildir
passdb {
  driver = static
  args = password=unused
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$D/dc/home/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $POP
  }
  inet_listener pop3s {
    port = 0
  }
}
CONF
extra_cleanup() { dovecot -c "$D/dc/dovecot.conf" stop >/dev/null 2>&1; sleep 0.3; }
dovecot -c "$D/dc/dovecot.conf" || { fail "dovecot did not start: $(cat "$D/dc/dovecot.log" 2>/dev/null)"; finish; }
wait_listen "$IMAP"
wait_listen "$POP"
(cd "$D/www" && exec python3 -m http.server --bind 127.0.0.1 "$HTTP") >"$D/http.server.out" 2>&1 &
PIDS+=($!)
wait_listen "$HTTP"

cat >"$D/msprobe.conf" <<CONF
alarm.diskavail.statinterval = 0
local.msprobe.statedir = $D
local.probe.imap.host = 127.0.0.1
local.probe.imap.port = $IMAP
local.probe.pop.host = 127.0.0.1
local.probe.pop.port = $POP
local.probe.http.host = 127.0.0.1
local.probe.http.port = $HTTP
CONF
"$MSPROBE" --once --config "$D/msprobe.conf" --registry "$REG" 2>"$D/once.log" || fail "msprobe --once exited $?"
for s in imap:$IMAP pop:$POP http:$HTTP; do
    inst=${s%%:*}_127.0.0.1_${s#*:}
    v=$(field serverresponse "$inst.responseTime")
    [[ "$v" =~ ^[0-9]+$ ]] && [ "$v" -lt 10000 ] || fail "$inst: responseTime '$v' is not a time"
done
grep -q "^msprobe: imap_127.0.0.1_$IMAP: answered in [0-9]* ms: \* OK " "$D/once.log" || fail "no IMAP greeting in the log"
grep -q "^msprobe: pop_127.0.0.1_$POP: answered in [0-9]* ms: +OK " "$D/once.log" || fail "no POP3 greeting in the log"
grep -q "^msprobe: http_127.0.0.1_$HTTP: answered in [0-9]* ms: HTTP/1.0 200 " "$D/once.log" ||
    fail "no HTTP status line in the log"
grep -q '"HEAD / HTTP/1.0" 200' "$D/http.server.out" || fail "http.server did not log the HEAD request"
sleep 0.5
grep -iE 'error|fatal|panic' "$D/dc/dovecot.log" && fail "Dovecot logged an error"
# The probes' LOGOUT and QUIT, as Dovecot saw them.
for l in imap-login pop3-login; do
    grep -q "$l: Info: Disconnected: Aborted login by logging out" "$D/dc/dovecot.log" ||
        fail "Dovecot did not log a polite end of the $l probe: $(cat "$D/dc/dovecot.log")"
done
finish real_servers

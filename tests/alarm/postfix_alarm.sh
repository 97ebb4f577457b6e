#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# msprobe's alarm notices through a real Postfix on 127.0.0.1: the notice is relayed to an
# smtp-sink that dumps it, and checked field by field; with Postfix stopped the notice is
# kept in the spool file and sent once Postfix is back; a recipient refused at RCPT with 450
# and with 554 keeps the notice and logs the reply.
#
# usage: postfix_alarm.sh SOURCE_DIR ALARM_DRIVER
# Needs root (Postfix's master runs as root) and the postfix package (smtp-sink).
set -uo pipefail
SRC=$1 DRIVER=$2
. "$SRC/tests/lib/need.sh"
. "$SRC/scripts/lib/postfix.sh"
PATH=$PATH:/usr/sbin:/sbin
[ "$(id -u)" = 0 ] || missing "needs root (a private Postfix)"
for p in postfix postconf smtp-sink ss; do
    command -v "$p" >/dev/null 2>&1 || missing "$p is not installed"
done

export TZ=PST8PDT,M3.2.0,M11.1.0
REG=ctest_alarm_pf_$$
D=$(mktemp -d /tmp/counters-alarm.XXXXXX)
chmod 755 "$D"
mkdir "$D/state" "$D/dump"
chown postfix "$D/dump"
cleanup() {
    pf_stop
    "$DRIVER" "$REG" "$D/state" 1 x delete >/dev/null 2>&1
    rm -f "/dev/shm/$REG"
    rm -rf "$D"
}
trap cleanup EXIT
FAILS=0
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }

pf_start "$D/pf" || { echo "FAIL: postfix did not start" >&2; exit 1; }
# The relay target: our own smtp-sink that dumps each message (pf_stop stops it).
kill "$PF_SINK_PID" 2>/dev/null && wait "$PF_SINK_PID" 2>/dev/null
for _ in $(seq 1 50); do ss -Htln "sport = :$PF_SINK_PORT" | grep -q . || break; sleep 0.1; done
smtp-sink -u postfix -d "$D/dump/%M." "127.0.0.1:$PF_SINK_PORT" 100 &
PF_SINK_PID=$!
# 450 at RCPT for later.test, beside the recipe's 554 for reject.test.
postconf -c "$PF_CONF" -e 'smtpd_recipient_restrictions = check_recipient_access inline:{ {reject.test=REJECT no such domain here}, {later.test=450 4.2.0 try again later} } permit_mynetworks reject_unauth_destination'
postfix -c "$PF_CONF" reload >/dev/null 2>&1 || fail "postfix reload"

T0=995413028 # Tue, 17 Jul 2001 16:37:08 -0700 (PDT)
INST=smtp_127.0.0.1_$PF_PORT
SPOOL=$D/state/$REG.notices
drive() { # RCPT ACTION... (stdout to $D/out, stderr to $D/err)
    local rcpt=$1
    shift
    "$DRIVER" "$REG" "$D/state" "$PF_PORT" "$rcpt" "$@" >"$D/out" 2>"$D/err" || fail "driver $*: $(cat "$D/err")"
}
wait_listen() {
    for _ in $(seq 1 100); do ss -Htln "sport = :$PF_PORT" | grep -q . && return 0; sleep 0.1; done
    return 1
}
# Waits for N complete dumps (each ends with the notice's last line).
wait_dumps() {
    local n
    for _ in $(seq 1 300); do
        n=$(grep -l '^Number of times over threshold: ' "$D"/dump/* 2>/dev/null | wc -l)
        [ "$n" -ge "$1" ] && return 0
        sleep 0.1
    done
    return 1
}

# The alarm instance: "serverresponse.smtp_127.0.0.1_PORT" is over 32 bytes for a port of 3
# digits or more: shortened to its first 23 bytes, '-' and a hash.
NAME=$("$DRIVER" "$REG" "$D/state" 1 x name serverresponse "$INST")
case $NAME in serverresponse.smtp_127-????????) ;; *) fail "instance name $NAME" ;; esac

# 1. Postfix down: the notice is kept (on disk) and the failure logged.
postfix -c "$PF_CONF" stop >/dev/null 2>&1
for _ in $(seq 1 100); do ss -Htln "sport = :$PF_PORT" | grep -q . || break; sleep 0.1; done
drive alarm@sink.test record serverresponse "$INST" 12.3 "$T0" flush $((T0 + 5))
grep -qx 'pending 1' "$D/out" || fail "down: expected 1 pending, got $(cat "$D/out")"
grep -q "^error: alarm notice to alarm@sink.test not sent: cannot connect to 127.0.0.1:$PF_PORT: Connection refused$" "$D/err" ||
    fail "down: no refused line in the log: $(cat "$D/err")"
grep -q '^warning: alarm: serverresponse of '"$INST"' is 12, over the threshold: notice queued$' "$D/err" ||
    fail "down: no alarm line in the log: $(cat "$D/err")"
[ -s "$SPOOL" ] || fail "down: the spool file $SPOOL is missing"
drive alarm@sink.test field "$NAME" countWarningSent
[ "$(cat "$D/out")" = 0 ] || fail "down: countWarningSent $(cat "$D/out"), want 0"

# 2. Postfix back: a new process sends it; it arrives through Postfix, field by field.
postfix -c "$PF_CONF" start >/dev/null 2>&1 || fail "postfix restart"
wait_listen || fail "postfix did not listen again"
drive alarm@sink.test pending flush $((T0 + 600))
[ "$(cat "$D/out")" = "$(printf 'pending 1\npending 0')" ] || fail "back: got $(cat "$D/out")"
grep -q "^info: 1 alarm notice(s) sent to alarm@sink.test via 127.0.0.1:$PF_PORT$" "$D/err" ||
    fail "back: no sent line: $(cat "$D/err")"
[ -e "$SPOOL" ] && fail "back: the spool file is still there"
drive alarm@sink.test field "$NAME" countWarningSent
[ "$(cat "$D/out")" = 1 ] || fail "back: countWarningSent $(cat "$D/out"), want 1"
if wait_dumps 1; then
    F=$(grep -l '^Number of times over threshold: ' "$D"/dump/* | head -1)
    header() { sed -n '/^$/q;p' "$F" | grep "^$1: " | head -1; }
    [ "$(header X-Mail-Args)" = "X-Mail-Args: <msprobe@client.test>" ] || fail "envelope sender: $(header X-Mail-Args)"
    [ "$(header X-Rcpt-Args | cut -d' ' -f1-2)" = "X-Rcpt-Args: <alarm@sink.test>" ] || fail "envelope recipient: $(header X-Rcpt-Args)"
    [ "$(header Subject)" = "Subject: ALARM: server response time in seconds of \"$INST\" is 12" ] ||
        fail "Subject: $(header Subject)"
    [ "$(header Date)" = "Date: Tue, 17 Jul 2001 16:37:08 -0700 (PDT)" ] || fail "Date: $(header Date)"
    [ "$(header From)" = "From: msprobe@client.test" ] || fail "From: $(header From)"
    [ "$(header To)" = "To: alarm@sink.test" ] || fail "To: $(header To)"
    header Message-ID | grep -Eq "^Message-ID: <msprobe\.$T0\.[0-9]+\.0@[^>]+>$" || fail "Message-ID: $(header Message-ID)"
    grep -q '^Received: from ' "$F" || fail "no Received: line (not relayed by Postfix?)"
    sed '1,/^$/d' "$F" >"$D/body"
    printf '%s\n' "Server instance: /srv/msprobe-test" "Alarmid: serverresponse" "Instance: $INST" \
        "Description: server response time in seconds" \
        "Current measured value (17/Jul/2001:16:37:08 -0700): 12" "Lowest recorded value: 12" \
        "Highest recorded value: 12" "Monitoring interval: 600 seconds" \
        "Alarm condition is when over threshold of 10" "Number of times over threshold: 1" >"$D/want"
    # smtp-sink may end the dump with a blank line.
    sed -i -e '/^$/d' "$D/body"
    diff -u "$D/want" "$D/body" >&2 || fail "body differs"
else
    fail "the notice did not reach the sink: $(ls "$D/dump")"
fi

# 3. Refused at RCPT, 450 then 554: kept and logged with Postfix's reply; then sent.
drive alarm@later.test record serverresponse "$INST" 1 $((T0 + 1200)) flush $((T0 + 1200))
grep -qx 'pending 1' "$D/out" || fail "450: expected 1 pending, got $(cat "$D/out")"
grep -q "^error: alarm notice to alarm@later.test not sent: RCPT TO:<alarm@later.test>: 127.0.0.1:$PF_PORT answered 450 4.2.0 <alarm@later.test>: Recipient address rejected: try again later$" "$D/err" ||
    fail "450: no log line with the reply: $(cat "$D/err")"
drive alarm@reject.test flush $((T0 + 1300))
grep -qx 'pending 1' "$D/out" || fail "554: expected 1 pending, got $(cat "$D/out")"
grep -q "^error: alarm notice to alarm@reject.test not sent: RCPT TO:<alarm@reject.test>: 127.0.0.1:$PF_PORT answered 554 5.7.1 <alarm@reject.test>: Recipient address rejected: no such domain here$" "$D/err" ||
    fail "554: no log line with the reply: $(cat "$D/err")"
drive alarm@sink.test flush $((T0 + 1400))
grep -qx 'pending 0' "$D/out" || fail "accepted: expected 0 pending, got $(cat "$D/out")"
if wait_dumps 2; then
    grep -h '^Subject: ' "$D"/dump/* | grep -qx "Subject: NORMAL: server response time in seconds of \"$INST\" is 1" ||
        fail "no NORMAL notice: $(grep -h '^Subject: ' "$D"/dump/*)"
else
    fail "the return-to-normal notice did not reach the sink"
fi
drive alarm@sink.test field "$NAME" countWarningSent
[ "$(cat "$D/out")" = 1 ] || fail "countWarningSent $(cat "$D/out"), want 1 (a return to normal is not a warning)"

[ "$FAILS" = 0 ] || exit 1
echo "postfix alarm: OK"

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# msprobe --once end to end with a real private Postfix on 127.0.0.1, which is both the probed
# SMTP server and the mail server the notices go through (relayed to an smtp-sink dump):
#   round 1, Postfix stopped: the probe is refused (-1: alarm) and the disk threshold is set
#     so that its alarm fires; both notices are kept (the mail server is down);
#   round 2, Postfix back, the disk threshold cleared: both alarms return to normal; the two
#     kept ALARM notices and the two NORMAL ones arrive, checked field by field;
#   counterutil -o alarm shows what the rounds recorded.
#
# usage: msprobe_e2e.sh SOURCE_DIR MSPROBE COUNTERUTIL ALARM_DRIVER
# Needs root (Postfix's master runs as root) and the postfix package (smtp-sink).
set -uo pipefail
SRC=$1 MSPROBE=$2 COUNTERUTIL=$3 DRIVER=$4
. "$SRC/tests/lib/need.sh"
. "$SRC/scripts/lib/postfix.sh"
PATH=$PATH:/usr/sbin:/sbin
[ "$(id -u)" = 0 ] || missing "needs root (a private Postfix)"
for p in postfix smtp-sink ss; do
    command -v "$p" >/dev/null 2>&1 || missing "$p is not installed"
done

export TZ=UTC0
REG=ctest_alarm_e2e_$$
D=$(mktemp -d /tmp/counters-alarm-e2e.XXXXXX)
chmod 755 "$D"
mkdir "$D/state" "$D/dump" "$D/part"
chown postfix "$D/dump"
cleanup() {
    pf_stop
    rm -f "/dev/shm/$REG"
    rm -rf "$D"
}
trap cleanup EXIT
FAILS=0
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }

pf_start "$D/pf" || { echo "FAIL: postfix did not start" >&2; exit 1; }
kill "$PF_SINK_PID" 2>/dev/null && wait "$PF_SINK_PID" 2>/dev/null
for _ in $(seq 1 50); do ss -Htln "sport = :$PF_SINK_PORT" | grep -q . || break; sleep 0.1; done
smtp-sink -u postfix -d "$D/dump/%M." "127.0.0.1:$PF_SINK_PORT" 100 &
PF_SINK_PID=$!

config() { # DISK_THRESHOLD
    cat >"$D/msprobe.conf" <<CONF
alarm.msgalarmnoticehost = 127.0.0.1
alarm.msgalarmnoticeport = $PF_PORT
alarm.msgalarmnoticercpt = postmaster@sink.test
alarm.msgalarmnoticesender = msprobe@client.test
alarm.msgalarmnoticetimeout = 10
alarm.diskavail.msgalarmthreshold = $1
local.msprobe.statedir = $D/state
local.serverroot = /srv/e2e
local.probe.smtp.host = 127.0.0.1
local.probe.smtp.port = $PF_PORT
local.probe.smtp.timeout = 5
store.partition.primary.path = $D/part
CONF
}
field() { # INSTANCE.FIELD of the alarm object
    "$COUNTERUTIL" -o alarm -n 1 -r "$REG" 2>&1 | sed -n "s/^$1 \[[0-9]* bytes\]: //p"
}
SMTP=smtp_127.0.0.1_$PF_PORT
A_SMTP=$("$DRIVER" "$REG" "$D/state" 1 x name serverresponse "$SMTP")
A_DISK=$("$DRIVER" "$REG" "$D/state" 1 x name diskavail "$D/part")

# Round 1: Postfix down. The probe is refused, the disk is under 100 % free.
postfix -c "$PF_CONF" stop >/dev/null 2>&1
for _ in $(seq 1 100); do ss -Htln "sport = :$PF_PORT" | grep -q . || break; sleep 0.1; done
config 100
"$MSPROBE" --once --config "$D/msprobe.conf" --registry "$REG" 2>"$D/round1.log" || fail "round 1 exited $?"
grep -q "alarm notice to postmaster@sink.test not sent: cannot connect to 127.0.0.1:$PF_PORT: Connection refused" \
    "$D/round1.log" || fail "round 1: no refused line: $(cat "$D/round1.log")"
[ -s "$D/state/$REG.notices" ] || fail "round 1: no file of unsent notices"
[ "$(grep -c '^notice alarm ' "$D/state/$REG.notices")" = 2 ] || fail "round 1: 2 ALARM notices should be kept"
[ "$(field "$A_SMTP.warningState")" = 1 ] || fail "round 1: smtp warningState $(field "$A_SMTP.warningState")"
[ "$(field "$A_SMTP.current")" = -1 ] || fail "round 1: smtp current $(field "$A_SMTP.current")"
[ "$(field "$A_DISK.warningState")" = 1 ] || fail "round 1: disk warningState $(field "$A_DISK.warningState")"
[ "$(field "$A_SMTP.countWarningSent")" = 0 ] || fail "round 1: countWarningSent should be 0 (not sent)"

# Round 2: Postfix back, disk threshold 0 (never under): both return to normal.
postfix -c "$PF_CONF" start >/dev/null 2>&1 || fail "postfix restart"
for _ in $(seq 1 100); do ss -Htln "sport = :$PF_PORT" | grep -q . && break; sleep 0.1; done
config 0
"$MSPROBE" --once --config "$D/msprobe.conf" --registry "$REG" 2>"$D/round2.log" || fail "round 2 exited $?"
grep -q "4 alarm notice(s) sent to postmaster@sink.test via 127.0.0.1:$PF_PORT" "$D/round2.log" ||
    fail "round 2: no sent line: $(cat "$D/round2.log")"
[ -e "$D/state/$REG.notices" ] && fail "round 2: the file of unsent notices is still there"
for a in "$A_SMTP" "$A_DISK"; do
    [ "$(field "$a.warningState")" = 0 ] || fail "round 2: $a warningState $(field "$a.warningState")"
    [ "$(field "$a.countWarningSent")" = 1 ] || fail "round 2: $a countWarningSent $(field "$a.countWarningSent")"
    [ "$(field "$a.countOverThreshold")" = 1 ] || fail "round 2: $a countOverThreshold $(field "$a.countOverThreshold")"
done
[ "$(field "$A_SMTP.low")" = -1 ] || fail "round 2: smtp low $(field "$A_SMTP.low")"

for _ in $(seq 1 300); do
    [ "$(grep -l '^Number of times over threshold: ' "$D"/dump/* 2>/dev/null | wc -l)" -ge 4 ] && break
    sleep 0.1
done
# The disk's percentage may move between the rounds (other programs write to /tmp): N.
grep -h '^Subject: ' "$D"/dump/* | sed -E 's/(diskspace available of .*) is ([0-9]+)$/\1 is N/' | sort >"$D/subjects"
printf '%s\n' "Subject: ALARM: percentage mail partition diskspace available of \"$D/part\" is N" \
    "Subject: ALARM: server response time in seconds of \"$SMTP\" is -1" \
    "Subject: NORMAL: percentage mail partition diskspace available of \"$D/part\" is N" \
    "Subject: NORMAL: server response time in seconds of \"$SMTP\" is 0" | sort >"$D/want"
diff -u "$D/want" "$D/subjects" >&2 || fail "the subjects differ"
while read -r pct; do
    if ! [[ "$pct" =~ ^[0-9]+$ ]] || [ "$pct" -gt 100 ]; then fail "disk percentage '$pct'"; fi
done < <(grep -h '^Subject: .*diskspace available' "$D"/dump/* | sed 's/.* is //')
F=$(grep -l '^Subject: ALARM: server response' "$D"/dump/* | head -1)
if [ -n "$F" ]; then
    sed '1,/^Subject: /d' "$F" | sed -n '/^Server instance: /,$p' | sed '/^$/d' >"$D/body"
    printf '%s\n' "Server instance: /srv/e2e" "Alarmid: serverresponse" "Instance: $SMTP" \
        "Description: server response time in seconds" "Lowest recorded value: -1" "Highest recorded value: -1" \
        "Monitoring interval: 600 seconds" "Alarm condition is when over threshold of 10" \
        "Number of times over threshold: 1" >"$D/want"
    grep -v '^Current measured value (' "$D/body" | diff -u "$D/want" - >&2 || fail "the ALARM body differs"
    grep -Eq '^Current measured value \([0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2} \+0000\): -1$' "$D/body" ||
        fail "no Current measured value line: $(cat "$D/body")"
    grep -q '^From: msprobe@client.test$' "$F" || fail "From"
    grep -q '^To: postmaster@sink.test$' "$F" || fail "To"
    grep -Eq '^Date: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} \+0000 \(UTC\)$' "$F" || fail "Date"
    grep -Eq '^Message-ID: <msprobe\.[0-9]+\.[0-9]+\.[0-9]+@[^>]+>$' "$F" || fail "Message-ID"
else
    fail "no ALARM notice for the SMTP probe reached the sink"
fi

[ "$FAILS" = 0 ] || exit 1
echo "msprobe alarm e2e: OK"

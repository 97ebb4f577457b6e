#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# End to end, one msprobe --once round at a time: a disk threshold set so that the alarm
# fires (available space below 100 %), the notice mailed through SMTP to smtp-sink, which
# dumps it; checked field by field against the registry; then the threshold set back
# (below 0 %): the NORMAL notice; counterutil -o alarm shows the alarm instance.
# usage: alarm_once.sh SOURCE_DIR MSPROBE COUNTERUTIL
# Needs smtp-sink (Postfix) and ss.
SRC=$1 MSPROBE=$2 COUNTERUTIL=$3
. "$SRC/tests/msprobe/lib.sh"
PATH=$PATH:/usr/sbin:/sbin
command -v smtp-sink >/dev/null 2>&1 || missing "smtp-sink (Postfix) is not installed"
command -v ss >/dev/null 2>&1 || missing "ss is not installed"
SINK=$(free_port)
mkdir -p "$D/mail" "$D/dump"
user=()
if [ "$(id -u)" = 0 ]; then
    chown postfix "$D/dump" 2>/dev/null && user=(-u postfix)
    chmod 755 "$D"
fi
smtp-sink "${user[@]}" -d "$D/dump/%s." "127.0.0.1:$SINK" 10 2>>"$D/sink.err" &
PIDS+=($!)
wait_listen "$SINK"

conf() { # THRESHOLD
    cat >"$D/msprobe.conf" <<CONF
alarm.serverresponse.statinterval = 0
alarm.diskavail.msgalarmthreshold = $1
alarm.msgalarmnoticehost = 127.0.0.1
alarm.msgalarmnoticeport = $SINK
alarm.msgalarmnoticercpt = ops@sink.test
alarm.msgalarmnoticesender = msprobe@mta.test
local.serverroot = /etc/postfix
local.msprobe.statedir = $D
store.partition.primary.path = $D/mail
CONF
}
dumps() { find "$D/dump" -type f | sort; }
wait_dumps() { # N: until smtp-sink has dumped N messages (10 s at most)
    for _ in $(seq 1 100); do
        [ "$(dumps | wc -l)" -ge "$1" ] && return 0
        sleep 0.1
    done
    fail "smtp-sink holds $(dumps | wc -l) message(s), not $1"
}

conf 100
"$MSPROBE" --once --config "$D/msprobe.conf" --registry "$REG" 2>"$D/alarm.log" || fail "the alarm round exited $?"
wait_dumps 1
msg=$(dumps | head -1)
pct=$(field diskusage primary.percentAvail)
# The alarm instance: diskavail.PATH with '/' as '_', shortened with a hash past 32 bytes.
AI=$("$COUNTERUTIL" -o alarm -n 1 -r "$REG" 2>&1 | sed -n 's/^\(diskavail\..*\)\.current \[.*/\1/p')
[ "$(printf '%s\n' "$AI" | grep -c .)" = 1 ] || fail "not one diskavail alarm instance: '$AI'"
cur=$(field alarm "$AI.current")
# percentAvail is rounded down, the alarm's value to the nearest: at most one apart
[ -n "$pct" ] && [ $((cur - pct)) -ge 0 ] && [ $((cur - pct)) -le 1 ] || fail "alarm current '$cur' vs percentAvail '$pct'"
body=$(tr -d '\r' <"$msg")
want_line() { grep -qxF "$1" <<<"$body" || fail "the notice lacks the line '$1'"; }
want_line "Subject: ALARM: percentage mail partition diskspace available of \"$D/mail\" is $cur"
want_line "Server instance: /etc/postfix"
want_line "Alarmid: diskavail"
want_line "Instance: $D/mail"
want_line "Description: percentage mail partition diskspace available"
grep -qE "^Current measured value \([0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9:]{8} [-+][0-9]{4}\): $cur\$" <<<"$body" ||
    fail "the notice lacks the current value line"
want_line "Lowest recorded value: $cur"
want_line "Highest recorded value: $cur"
want_line "Monitoring interval: 3600 seconds"
want_line "Alarm condition is when under threshold of 100"
want_line "Number of times over threshold: 1"
grep -qi '^To: *ops@sink.test' <<<"$body" || grep -qi 'ops@sink.test' "$msg" || fail "the notice is not to ops@sink.test"
[ "$(field alarm "$AI.warningState")" = 1 ] || fail "warningState is not 1"
[ "$(field alarm "$AI.countWarningSent")" = 1 ] || fail "countWarningSent is not 1"

# Cleared: the threshold back under the value, one more round, the NORMAL notice.
conf 0
"$MSPROBE" --once --config "$D/msprobe.conf" --registry "$REG" 2>"$D/normal.log" || fail "the normal round exited $?"
wait_dumps 2
msg2=$(dumps | grep -vxF "$msg" | head -1)
grep -q "^Subject: NORMAL: percentage mail partition diskspace available of \"$D/mail\" is " <(tr -d '\r' <"$msg2") ||
    fail "the second notice is not NORMAL: $(head -5 "$msg2")"
[ "$(field alarm "$AI.warningState")" = 0 ] || fail "warningState is not 0 after the return"
[ "$(dumps | wc -l)" = 2 ] || fail "$(dumps | wc -l) notices, not 2"
finish alarm_once

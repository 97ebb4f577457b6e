#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# counters-ingest against a real Postfix: a private instance on 127.0.0.1 (own config, queue,
# log and ports), a known mix of mail (delivered, deferred, bounced, rejected, local
# submissions), the ingester SIGKILLed and restarted while mail arrives and the log is
# rotated, and the section's numbers checked exactly against what was sent.
#
# usage: postfix_live.sh SOURCE_DIR INGEST COUNTERS JSON_CHECK
# Needs root (Postfix's master runs as root) and the packages postfix, swaks and pflogsumm.
# Under CI=true a missing program is a failure; elsewhere the test is skipped (exit 77),
# saying what is missing.
set -uo pipefail
SRC=$1 INGEST=$2 COUNTERS=$3 JSON_CHECK=$4
. "$SRC/tests/lib/need.sh"
. "$SRC/scripts/lib/postfix.sh"
PATH=$PATH:/usr/sbin:/sbin
[ "$(id -u)" = 0 ] || missing "needs root (a private Postfix)"
for p in postfix postconf postqueue smtp-source smtp-sink swaks sendmail pflogsumm ss; do
    command -v "$p" >/dev/null 2>&1 || missing "$p is not installed"
done

SEC=ctest_ingest_pf_$$
REG=ctest_ingest_pf_reg_$$
D=$(mktemp -d /tmp/counters-postfix.XXXXXX)
chmod 755 "$D"
IPID=
cleanup() {
    [ -n "$IPID" ] && kill -9 "$IPID" 2>/dev/null && wait "$IPID" 2>/dev/null
    pf_stop
    "$COUNTERS" --section "$SEC" -delete >/dev/null 2>&1
    rm -f "/dev/shm/$SEC" "/dev/shm/$REG"
    rm -rf "$D"
}
trap cleanup EXIT
FAILS=0
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }

start_ingest() {
    "$INGEST" --section "$SEC" --registry "$REG" --format postfix --state "$D/ingest.state" \
        --from-start "$PF_LOG" >>"$D/ingest.out" 2>&1 &
    IPID=$!
}

# Mail: every sender's session is its own SMTP connection (smtp-source -m N makes N).
send_source() { # MESSAGES RECIPIENTS_EACH
    smtp-source -c -m "$1" -r "$2" -f s@client.test -t r@sink.test "127.0.0.1:$PF_PORT" >/dev/null ||
        fail "smtp-source -m $1 -r $2 failed"
}
send_swaks() { # FROM TO (a refused recipient makes swaks exit non-zero: expected)
    timeout 30 swaks -s 127.0.0.1 -p "$PF_PORT" -f "$1" -t "$2" >/dev/null 2>&1
}
send_local() { # local submission through sendmail(1) and pickup
    printf 'Subject: local %s\n\nbody\n' "$1" |
        timeout 30 sendmail -C "$PF_CONF" -f local@mta.test r2@sink.test || fail "sendmail failed"
}

# Waits until Postfix has finished with everything but the deferred message: the queue
# holds exactly $1 messages and the log has not grown for a second.
settle() {
    local want=$1 n size last=-1
    for _ in $(seq 1 300); do
        n=$(postqueue -c "$PF_CONF" -j 2>/dev/null | grep -c queue_name)
        size=$(stat -c %s "$PF_LOG" 2>/dev/null || echo 0)
        if [ "$n" = "$want" ] && [ "$size" = "$last" ]; then return 0; fi
        last=$size
        sleep 0.2
    done
    fail "Postfix did not settle (queue holds $n, want $want)"
}

# The counters of one channel as JSON (one channel matched: /channels/0).
show() { "$COUNTERS" --section "$SEC" -show "$1" -format=json 2>/dev/null; }

# Waits until channel $1's submitted messages reach $2 (the ingester caught up).
wait_for() {
    for _ in $(seq 1 150); do
        show "$1" | "$JSON_CHECK" - "/channels/0/counters/submitted_messages=$2" 2>/dev/null && return 0
        sleep 0.2
    done
    fail "the ingester did not catch up ($1 submitted != $2): $(show "$1")"
}

pf_start "$D" || { echo "FAIL: could not start Postfix" >&2; exit 1; }
start_ingest

# Phase 1, the ingester running: 4 messages of 2 recipients delivered, one deferred (nothing
# listens at defer.test's port), one bounced (nowhere.example does not resolve; its notice
# goes back to b@sink.test and is delivered), one recipient refused, two local submissions.
send_source 4 2
send_swaks d@client.test x@defer.test
send_swaks b@sink.test w@nowhere.example
send_swaks r@client.test z@reject.test
send_local 1
send_local 2
settle 1
wait_for smtpd 6

# Phase 2: SIGKILL; mail arrives, the log is rotated (renamed and gzip-compressed) and more
# mail arrives while no ingester runs; then it restarts from its state.
kill -9 "$IPID"; wait "$IPID" 2>/dev/null; IPID=
send_source 3 1
settle 1
postfix -c "$PF_CONF" logrotate >/dev/null 2>&1 || fail "postfix logrotate failed"
send_source 2 3
send_local 3
settle 1
start_ingest
wait_for smtpd 11

# Phase 3: the log rotated while the ingester runs.
send_source 2 1
settle 1
postfix -c "$PF_CONF" logrotate >/dev/null 2>&1 || fail "postfix logrotate failed"
send_source 1 1
settle 1
wait_for smtpd 14

# Expected, from what was sent (channels are named after Postfix's programs):
#   smtpd   submitted 14 messages (4+1+1 + 3+2 + 2+1), 22 recipients (8+1+1 + 3+6 + 2+1),
#           1 rejected recipient, 15 inbound associations (one per message, plus the
#           connection whose only recipient was refused), none open now;
#   pickup  submitted 3 messages of 1 recipient;
#   bounce  submitted 1 notice of 1 recipient;
#   smtp    every recipient lands as a message of one recipient at its first attempt:
#           received 21+3+1 = 25 (all but the bounced recipient of smtpd's, the deferred
#           one included), delivered 24 (each at its first attempt),
#           attempted 1, stored 1; one failed outbound connection; one outbound association
#           per delivered message and destination (connection caching is off): 12+3+1 = 16;
#   relay   received, failed and delivered (returned) 1.
check() { # CHANNEL POINTER=VALUE...
    local ch=$1; shift
    local args=() p
    for p; do
        case $p in
        stored_* | current_*) args+=("/channels/0/gauges/$p") ;;
        *) args+=("/channels/0/counters/$p") ;;
        esac
    done
    show "$ch" | "$JSON_CHECK" - "${args[@]}" || fail "channel $ch: $(show "$ch")"
}
check smtpd submitted_messages=14 submitted_recipients=22 rejected_messages=1 \
    inbound_associations=15 current_inbound_associations=0
check pickup submitted_messages=3 submitted_recipients=3
check bounce submitted_messages=1 submitted_recipients=1
check smtp received_messages=25 received_recipients=25 delivered_messages=24 \
    delivered_recipients=24 delivered_first_messages=24 attempted_messages=1 \
    stored_messages=1 failed_outbound_associations=1 outbound_associations=16
check relay received_messages=1 failed_messages=1 delivered_messages=1 stored_messages=0

# pflogsumm, an independent reading of the same logs (the rotated ones decompressed, oldest
# first), agrees where the definitions agree:
#   received   messages from smtpd and pickup = smtpd + pickup Submitted (17); the bounce
#              notice, which has neither a client= nor a pickup line, is not "received" there
#   delivered  recipients sent = smtp Delivered (24); our Delivered of relay also counts the
#              returned (bounced) message, which pflogsumm counts as bounced only
#   deferrals  = Attempted (1); bounced = Failed (1); rejected = Rejected (1)
zcat -f $(ls "$D"/maillog.*.gz 2>/dev/null | sort) "$PF_LOG" >"$D/all.log"
pflogsumm "$D/all.log" >"$D/pflogsumm.out" 2>&1 || fail "pflogsumm failed: $(cat "$D/pflogsumm.out")"
total() { awk -v w="$1" '$2 == w { print $1; exit }' "$D/pflogsumm.out"; }
[ "$(total received)" = 17 ] || fail "pflogsumm received $(total received), counters 14 + 3"
[ "$(total delivered)" = 24 ] || fail "pflogsumm delivered $(total delivered), counters 24"
[ "$(total bounced)" = 1 ] || fail "pflogsumm bounced $(total bounced), counters 1"
[ "$(total rejected)" = 1 ] || fail "pflogsumm rejected $(total rejected), counters 1"
deferrals=$(sed -n 's/.*deferred *(\([0-9]*\) *deferrals).*/\1/p' "$D/pflogsumm.out" | head -n 1)
[ "$deferrals" = 1 ] || fail "pflogsumm deferrals $deferrals, counters 1"

echo "--- ingester output"; cat "$D/ingest.out"
if [ "$FAILS" -ne 0 ]; then
    echo "--- maillog"; cat "$PF_LOG"
    exit 1
fi
echo "PASS: postfix live ($(wc -l <"$PF_LOG") lines in the current log)"

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Demo 2: counters-ingest following a real Postfix. Installs what is missing, builds, starts a
# private Postfix on 127.0.0.1 (scripts/lib/postfix.sh: its own config, queue, log and
# ports in a temporary directory), starts counters-ingest following its log into a demo
# section, sends a few hundred messages (delivered to an smtp-sink, deferred to a dead port,
# bounced to a domain that does not resolve, rejected at RCPT, and local submissions through
# sendmail), waits until Postfix has settled and the ingester has caught up, then shows the
# section with `counters -show` and pflogsumm's summary of the same log. Everything it started
# is stopped and the section removed at the end, unless --keep (then the section stays).
#
#   scripts/demo-postfix.sh [--keep] [--no-build]    (as root: Postfix's master needs it)
#   --no-build: skip scripts/install-deps.sh and scripts/build.sh (use BUILD_DIR as it is)
#   environment: BUILD_DIR (default ./build), DEMO_SECTION (default postfix_demo_PID)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
keep=0
build=1
for a in "$@"; do
    case $a in
        --keep) keep=1 ;;
        --no-build) build=0 ;;
        -h|--help) sed -n '3,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "usage: demo-postfix.sh [--keep] [--no-build]" >&2; exit 2 ;;
    esac
done
if [ "$(id -u)" -ne 0 ]; then
    echo "demo-postfix: run it as root (a private Postfix needs root to start): sudo $0 $*" >&2
    exit 1
fi
if [ "$build" = 1 ]; then
    "$root/scripts/install-deps.sh"
    "$root/scripts/build.sh"
fi
bin=${BUILD_DIR:-$root/build}
counters=$bin/tools/counters/counters
counterutil=$bin/tools/counterutil/counterutil
ingest=$bin/tools/ingest/counters-ingest
for f in "$counters" "$counterutil" "$ingest"; do
    [ -x "$f" ] || { echo "demo-postfix: $f was not built" >&2; exit 1; }
done
# shellcheck source=scripts/lib/postfix.sh
. "$root/scripts/lib/postfix.sh"

section=${DEMO_SECTION:-postfix_demo_$$}
registry=postfix_demo_registry_$$
tmp=$(mktemp -d "${TMPDIR:-/tmp}/demo-postfix.XXXXXX")
chmod 755 "$tmp"
ingest_pid=
cleanup() {
    local rc=$?
    set +e
    if [ -n "$ingest_pid" ]; then
        kill "$ingest_pid" 2>/dev/null || true # SIGTERM: saves its state and exits 0
        wait "$ingest_pid" 2>/dev/null || true
    fi
    pf_stop
    if [ "$keep" = 1 ] && [ "$rc" = 0 ]; then
        echo "demo-postfix: kept section $section (remove it with: $counters --section $section -delete)"
    else
        "$counters" --section "$section" -delete >/dev/null 2>&1 || true
    fi
    rm -f "/dev/shm/$registry"
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$counters" --section "$section" -delete >/dev/null 2>&1 || true
pf_start "$tmp/postfix"
echo "demo-postfix: Postfix on 127.0.0.1:$PF_PORT, log $PF_LOG, smtp-sink on $PF_SINK_PORT," \
     "nothing on $PF_DEAD_PORT"
echo "\$ counters-ingest --section $section --format postfix --from-start $PF_LOG &"
"$ingest" --section "$section" --registry "$registry" --format postfix --state "$tmp/state" --from-start \
    "$PF_LOG" 2>"$tmp/ingest.err" &
ingest_pid=$!

srv=127.0.0.1:$PF_PORT
echo "demo-postfix: sending"
# 200 messages of 2 recipients, delivered to the sink (one SMTP session per message)
echo "  200 messages x 2 recipients to sink.test (delivered), smtp-source"
smtp-source -s 4 -m 200 -r 2 -l 2000 -f sender@sink.test -t rcpt@sink.test "$srv"
# 20 to a port where nothing listens: deferred (retried after minimal_backoff_time, 300 s)
echo "  20 messages to defer.test (deferred: connection refused)"
smtp-source -s 2 -m 20 -f sender@sink.test -t x@defer.test "$srv"
# 20 to a domain that does not resolve: bounced; the notices go back to sender@sink.test
echo "  20 messages to nowhere.example (bounced, 20 notices delivered to the sender)"
smtp-source -s 2 -m 20 -f sender@sink.test -t w@nowhere.example "$srv"
# 25 transactions with one recipient refused at RCPT and one accepted
echo "  25 messages with a recipient at reject.test (rejected) and one at sink.test, swaks"
for i in $(seq 1 25); do
    swaks --silent 2 --server 127.0.0.1 --port "$PF_PORT" --from sender@sink.test \
        --to "z$i@reject.test,ok$i@sink.test" >/dev/null 2>&1 || true
done
# 30 local submissions through sendmail (postdrop, pickup)
echo "  30 local submissions through sendmail (pickup)"
for i in $(seq 1 30); do
    printf 'Subject: local %s\n\nhello from the demo\n' "$i" |
        sendmail -C "$PF_CONF" -f local@sink.test "user$i@sink.test"
done

echo "demo-postfix: waiting for Postfix to settle"
pf_wait_idle 120
# caught up: the ingest object's position is the log's size
echo "demo-postfix: waiting for counters-ingest to catch up"
caught=0
for _ in $(seq 1 100); do
    size=$(stat -c %s "$PF_LOG")
    if "$counterutil" -r "$registry" -o ingest -n 1 2>/dev/null |
        grep -qx "maillog.position \[8 bytes\]: $size"; then
        caught=1
        break
    fi
    kill -0 "$ingest_pid" 2>/dev/null || break
    sleep 0.2
done
if [ "$caught" != 1 ]; then
    cat "$tmp/ingest.err" >&2
    echo "demo-postfix: counters-ingest did not catch up with $PF_LOG" >&2
    exit 1
fi

echo
echo "\$ counters --section $section -show"
"$counters" --section "$section" -show
echo
echo "\$ counterutil -r $registry -o ingest -n 1      (what counters-ingest read)"
"$counterutil" -r "$registry" -o ingest -n 1 | grep -E 'lines(Read|Recorded|Ignored)|skipped(Unknown|Foreign)' || true
echo
echo "\$ pflogsumm $PF_LOG      (the same log, Postfix's classic summary)"
pflogsumm "$PF_LOG" | sed -n '/^Grand Totals/,/^ *[0-9]* *recipient hosts/p'
echo
echo "demo-postfix: what the two count differently: pflogsumm's 'received' counts messages"
echo "(bounce notices included) and 'delivered' recipients; the counters show Submitted messages"
echo "and recipients per source channel (smtpd, pickup, bounce) and, per delivering channel"
echo "(smtp), one message per recipient in Received and Delivered; deferred messages stay in"
echo "smtp's Stored (the demo stops before their retry). Once a destination has refused a"
echo "connection, Postfix defers the next messages for it without trying (its error transport:"
echo "'delivery temporarily suspended'): those count as Attempted on the channel error, and"
echo "in no channel's Received or Stored until a delivery agent really tries them."

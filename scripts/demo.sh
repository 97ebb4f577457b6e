#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Quick start 1: install what is missing, build, run the simulated MTA on a private section
# and a private counter registry, show the section with `counters -show`, then watch the
# simulated IMAP server's numbers move with `counterutil` while mta-sim lingers.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
bin=${BUILD_DIR:-$root/build}
section=${DEMO_SECTION:-mta_sim_demo}
registry=${DEMO_REGISTRY:-mta_sim_demo_registry}
counters=$bin/tools/counters/counters
counterutil=$bin/tools/counterutil/counterutil

# Start from scratch: a new section, and a new registry (a POSIX shared-memory object; no
# tool removes a registry, so remove its file).
"$counters" --section "$section" -delete 2>/dev/null || true
rm -f "/dev/shm/$registry"

# The message run takes a fraction of a second; then mta-sim keeps its IMAP and POP servers
# busy in real time for 4 seconds (--linger), in the background, while we look.
log=$(mktemp)
sim=
cleanup() {
    if [ -n "$sim" ]; then
        kill "$sim" 2>/dev/null || true # SIGTERM ends the linger phase cleanly
        wait "$sim" 2>/dev/null || true
    fi
    rm -f "$log"
}
trap cleanup EXIT
echo "\$ mta-sim --section $section --registry $registry --processes 4 --messages 20000 --verify --linger 4 &"
"$bin/examples/mta-sim" --section "$section" --registry "$registry" --processes 4 --messages 20000 \
    --verify --linger 4 >"$log" 2>&1 &
sim=$!
for _ in $(seq 100); do # until the summary is out and the linger phase has begun (<= 10 s)
    grep -q '^linger: IMAP' "$log" && break
    kill -0 "$sim" 2>/dev/null || break
    sleep 0.1
done
if ! grep -q '^linger: IMAP' "$log"; then
    cat "$log"
    echo "demo: mta-sim did not get to its linger phase" >&2
    exit 1
fi
shown=$(wc -l <"$log")
head -n "$shown" "$log"
echo
echo "\$ counters --section $section -show"
"$counters" --section "$section" -show
echo
echo "\$ counterutil -r $registry -l"
"$counterutil" -r "$registry" -l
echo
echo "\$ counterutil -r $registry -o imapstat -i 1 -n 3"
"$counterutil" -r "$registry" -o imapstat -i 1 -n 3
echo
status=0
wait "$sim" || status=$?
sim=
tail -n "+$((shown + 1))" "$log"
if [ "$status" -ne 0 ]; then
    echo "demo: mta-sim exited with status $status" >&2
    exit 1
fi
echo
echo "The section and the registry stay for you to explore; remove them with:"
echo "  $counters --section $section -delete"
echo "  rm /dev/shm/$registry"

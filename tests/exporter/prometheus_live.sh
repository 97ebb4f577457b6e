#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# counters-exporter scraped by a real Prometheus (issue 14, item 5). A private Prometheus on
# 127.0.0.1 (own port, config and data directory) scrapes a private exporter every second
# while mta-sim fills a private section; then, through Prometheus's HTTP API:
#   - before the section exists, mta_section_up is 0 and the target is still up;
#   - every channel series equals `counters -show -format=json` (raw values, series for
#     series, none missing or extra), and so do the section's figures;
#   - the target is up with no lastError; the metadata (type, help) of every family is what
#     the exporter served, and the channel families have the counter table's types;
#   - `counters -clear` shows as exactly one resets() on every series that had a value, and
#     the values after it equal the JSON again.
# No increase() or rate(): they extrapolate.
#
# usage: prometheus_live.sh SOURCE_DIR EXPORTER COUNTERS MTA_SIM PROM_CHECK
# Needs prometheus, promtool and curl (scripts/install-deps.sh). Under CI=true a missing
# program is a failure; elsewhere the test is skipped (exit 77).
set -uo pipefail
SRC=$1 EXPORTER=$2 COUNTERS=$3 MTA_SIM=$4 PROM_CHECK=$5
. "$SRC/tests/lib/need.sh"
. "$SRC/tests/exporter/lib.sh"
PATH=$PATH:/usr/bin:/usr/sbin:/sbin
for p in prometheus promtool curl ss; do
    command -v "$p" >/dev/null 2>&1 || missing "$p is not installed"
done

S=ctest_exporter_prom_$$
R=ctest_exporter_promr_$$
JOB=libcounters
D=$(mktemp -d /tmp/counters-prometheus.XXXXXX)
PPID_=
cleanup() {
    [ -n "$PPID_" ] && kill -TERM "$PPID_" 2>/dev/null && wait "$PPID_" 2>/dev/null
    [ -n "$EPID" ] && kill -9 "$EPID" 2>/dev/null && wait "$EPID" 2>/dev/null
    rm -f "/dev/shm/$S" "/dev/shm/$R"
    rm -rf "$D"
}
trap cleanup EXIT
FAILS=0
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
die() {
    echo "FAIL: $*" >&2
    echo "--- exporter log:" >&2; cat "$D/exporter.log" >&2
    echo "--- prometheus log (last 30 lines):" >&2; tail -n 30 "$D/prometheus.log" >&2
    exit 1
}

start_exporter "$D/exporter.log" --section "$S" --registry "$R" || exit 1

# Prometheus on a free private port (retried if another process takes it first).
PPORT=
start_prometheus() {
    local try i
    for ((try = 0; try < 5; try++)); do
        PPORT=$((20000 + RANDOM % 10000))
        ss -Htln "sport = :$PPORT" 2>/dev/null | grep -q . && continue
        cat >"$D/prometheus.yml" <<EOF
global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: $JOB
    static_configs: [{targets: ['127.0.0.1:$EPORT']}]
EOF
        prometheus --config.file="$D/prometheus.yml" --storage.tsdb.path="$D/data" \
            --web.listen-address="127.0.0.1:$PPORT" --web.console.templates="$D" --web.console.libraries="$D" \
            >"$D/prometheus.log" 2>&1 &
        PPID_=$!
        for ((i = 0; i < 300; i++)); do
            [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PPORT/-/ready")" = 200 ] && return 0
            kill -0 "$PPID_" 2>/dev/null || break
            sleep 0.1
        done
        kill -TERM "$PPID_" 2>/dev/null
        wait "$PPID_" 2>/dev/null
        PPID_=
        grep -q 'address already in use' "$D/prometheus.log" || break
    done
    return 1
}
start_prometheus || die "prometheus did not start"
echo "prometheus on 127.0.0.1:$PPORT scrapes the exporter on 127.0.0.1:$EPORT"

api() { # PATH [curl args]: GET the API, JSON on stdout
    local path=$1
    shift
    curl -s --max-time 10 -G "http://127.0.0.1:$PPORT/api/v1/$path" "$@"
}
query() { api query --data-urlencode "query=$1"; }
value() { query "$1" >"$D/v.json" && "$PROM_CHECK" value "$D/v.json"; }
# wait_for DESCRIPTION SECONDS PROMQL WANT: until the one-sample result equals WANT.
wait_for() {
    local what=$1 secs=$2 q=$3 want=$4 i v
    for ((i = 0; i < secs * 5; i++)); do
        v=$(value "$q")
        [ "$v" = "$want" ] && return 0
        sleep 0.2
    done
    die "$what: $q is '${v:-}' after ${secs} s, want $want"
}
# scraped_after EPOCH: waits until Prometheus has a scrape that began after EPOCH.
scraped_after() {
    local t=$1 i v
    for ((i = 0; i < 150; i++)); do
        v=$(value "timestamp(up{job=\"$JOB\"})")
        [ -n "$v" ] && awk -v v="$v" -v t="$t" 'BEGIN { exit !(v > t) }' && return 0
        sleep 0.2
    done
    die "no scrape after $t (last: ${v:-none})"
}

# The section does not exist yet: the scrape succeeds with mta_section_up 0.
wait_for "the first scrape" 60 "up{job=\"$JOB\"}" 1
wait_for "the missing section" 10 "mta_section_up{job=\"$JOB\",section=\"$S\"}" 0

# Traffic.
"$MTA_SIM" --section "$S" --registry "$R" --processes 2 --messages 800 --seed 14 --quiet || die "mta-sim failed"
scraped_after "$(date +%s.%N)"
"$COUNTERS" --section "$S" -show -format=json >"$D/before.json" || die "counters -show failed"
query "{__name__=~\"mta_.+\",job=\"$JOB\"}" >"$D/q1.json"
"$PROM_CHECK" values "$D/before.json" "$D/q1.json" || fail "Prometheus's values differ from counters -show -format=json"
v=$(value "mta_imapstat_num_connections_total{job=\"$JOB\",object_instance=\"global\"}")
awk -v v="${v:-0}" 'BEGIN { exit !(v > 0) }' || fail "no registry series (imapstat connections: '${v:-}')"

api targets >"$D/targets.json"
"$PROM_CHECK" targets "$D/targets.json" || fail "the target is not up without error: $(cat "$D/targets.json")"

fetch /metrics >"$D/exposition.txt" || fail "cannot scrape the exporter"
promtool check metrics <"$D/exposition.txt" || fail "promtool check metrics: exit $?"
api metadata >"$D/metadata.json"
"$PROM_CHECK" metadata "$D/metadata.json" "$D/exposition.txt" || fail "metadata differs from the exposition"

# A clear is one reset of every series that had a value, and the values follow the JSON.
"$COUNTERS" --section "$S" -clear >/dev/null || die "counters -clear failed"
scraped_after "$(date +%s.%N)"
docs=()
while read -r name; do
    query "label_replace(resets(${name}{job=\"$JOB\"}[10m]), \"__name__\", \"$name\", \"\", \"\")" >"$D/resets.$name.json"
    docs+=("$D/resets.$name.json")
done < <("$PROM_CHECK" names)
"$PROM_CHECK" resets "$D/before.json" "${docs[@]}" || fail "the clear is not one reset per series"
"$COUNTERS" --section "$S" -show -format=json >"$D/after.json"
query "{__name__=~\"mta_.+\",job=\"$JOB\"}" >"$D/q2.json"
"$PROM_CHECK" values "$D/after.json" "$D/q2.json" || fail "after the clear, Prometheus's values differ from counters -show"
[ "$(value "mta_section_clears_total{job=\"$JOB\"}")" = 1 ] || fail "mta_section_clears_total is not 1 after the clear"

api targets >"$D/targets.json"
"$PROM_CHECK" targets "$D/targets.json" || fail "the target is not up at the end"
kill -TERM "$PPID_"
wait "$PPID_"
PPID_=
stop_exporter
[ "$ERC" = 0 ] || fail "the exporter exited $ERC on SIGTERM"
[ "$FAILS" = 0 ] || {
    echo "--- exporter log:"; cat "$D/exporter.log"
    echo "prometheus live: $FAILS failure(s)"
    exit 1
}
echo "prometheus live: OK"

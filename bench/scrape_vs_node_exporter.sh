#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A Prometheus scrape of CHANNELS channels: counters-exporter's /metrics (a fresh snapshot
# and exposition per scrape) against node_exporter's textfile collector serving the same
# series from a file (what `counters -show -format=prometheus -output=FILE` writes for it),
# in the same run, alternating, RUNS scrapes each after WARMUP. Both on private 127.0.0.1
# ports; node_exporter with only the textfile collector and without its own Go/process
# metrics. Timed by curl's time_total (request sent to last byte received), plain and with
# gzip (Prometheus sends Accept-Encoding: gzip); the medians and the ratio
# counters-exporter / node_exporter (target: no slower, <= 1.0).
#
# usage: bench/scrape_vs_node_exporter.sh [BUILD_DIR]   (default: ./build-bench next to bench/)
# environment: CHANNELS (10000), RUNS (50), WARMUP (5), NODE_EXPORTER (prometheus-node-exporter
#              on PATH or /usr/bin/prometheus-node-exporter), CHECK=1: exit 1 on a missed target.
# Exit 77 (skipped) when node_exporter, curl or counters-exporter is missing (under CI=true:
# failure, see tests/lib/need.sh). Everything it starts or creates is stopped and removed on exit.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-bench}
channels=${CHANNELS:-10000}
runs=${RUNS:-50}
warmup=${WARMUP:-5}
# shellcheck source=../tests/lib/need.sh
. "$root/tests/lib/need.sh"

counters_bin=$build/tools/counters/counters
exporter_bin=$build/tools/exporter/counters-exporter
fill=$build/bench/bench_fill_channels
node_exporter=${NODE_EXPORTER:-$(command -v prometheus-node-exporter || command -v node_exporter || echo /usr/bin/prometheus-node-exporter)}
for b in "$counters_bin" "$fill"; do
    [ -x "$b" ] || { echo "scrape_vs_node_exporter.sh: $b is missing: build it first" >&2; exit 2; }
done
[ -x "$exporter_bin" ] || missing "counters-exporter ($exporter_bin) is not built"
[ -x "$node_exporter" ] || missing "node_exporter (package prometheus-node-exporter)"
command -v curl >/dev/null 2>&1 || missing "curl"

section=cbench-scrape-$$
registry=cbench-scrape-reg-$$
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cbench-scrape.XXXXXX")
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    "$fill" "$section" --delete 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A free TCP port on 127.0.0.1 (the kernel's choice, so parallel runs do not collide).
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# wait_up URL: until it answers 200 (5 s at most).
wait_up() {
    local i
    for ((i = 0; i < 100; i++)); do
        if curl -sf -o /dev/null "$1"; then return 0; fi
        sleep 0.05
    done
    echo "scrape_vs_node_exporter.sh: $1 does not answer" >&2
    return 1
}

echo "scrape_vs_node_exporter.sh: $(date -u '+%Y-%m-%dT%H:%M:%SZ'), $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  $channels channels; $runs scrapes each after $warmup warm-up scrapes, alternating; $("$node_exporter" --version 2>&1 | head -1)"
"$fill" "$section" "$channels" 3 >/dev/null 2>&1

# The same series in the textfile collector's directory.
mkdir -p "$tmp/textfile"
"$counters_bin" -show "-section=$section" -format=prometheus "-output=$tmp/textfile/counters.prom"

port_ours=$(free_port)
port_node=$(free_port)
while [ "$port_node" = "$port_ours" ]; do port_node=$(free_port); done
"$exporter_bin" -f --section "$section" --registry "$registry" --web.listen-address "127.0.0.1:$port_ours" \
    >"$tmp/exporter.log" 2>&1 &
pids+=($!)
"$node_exporter" --collector.disable-defaults --collector.textfile \
    "--collector.textfile.directory=$tmp/textfile" --web.disable-exporter-metrics \
    "--web.listen-address=127.0.0.1:$port_node" >"$tmp/node.log" 2>&1 &
pids+=($!)
ours=http://127.0.0.1:$port_ours/metrics
node=http://127.0.0.1:$port_node/metrics
wait_up "$ours" || { cat "$tmp/exporter.log" >&2; exit 1; }
wait_up "$node" || { cat "$tmp/node.log" >&2; exit 1; }

# Both serve the section's series: every channel sample line of the file is in each scrape.
curl -sf "$ours" >"$tmp/ours.txt"
curl -sf "$node" >"$tmp/node.txt"
grep '^mta_channel_' "$tmp/textfile/counters.prom" | sort >"$tmp/want"
for f in ours node; do
    grep '^mta_channel_' "$tmp/$f.txt" | sort >"$tmp/$f.series"
    if ! cmp -s "$tmp/want" "$tmp/$f.series"; then
        echo "scrape_vs_node_exporter.sh: the $f scrape does not carry the same mta_channel_ series as the file" >&2
        diff "$tmp/want" "$tmp/$f.series" | head -5 >&2
        exit 1
    fi
done
echo "  series: $(wc -l <"$tmp/want") mta_channel_ samples in both; bytes per scrape: counters-exporter $(wc -c <"$tmp/ours.txt"), node_exporter $(wc -c <"$tmp/node.txt")"

# scrape URL [gzip]: one scrape's time_total, microseconds.
scrape() {
    local extra=()
    [ "${2:-}" = gzip ] && extra=(-H 'Accept-Encoding: gzip')
    curl -sf -o /dev/null "${extra[@]}" -w '%{time_total}\n' "$1" | awk '{ printf "%d\n", $1 * 1e6 }'
}
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { n = NR; m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2; printf "%.3f\n", m / 1000 }'; }

missed=0
for mode in plain gzip; do
    : >"$tmp/t.ours"
    : >"$tmp/t.node"
    for ((i = 0; i < warmup; i++)); do scrape "$ours" "$mode" >/dev/null; scrape "$node" "$mode" >/dev/null; done
    for ((i = 0; i < runs; i++)); do
        scrape "$ours" "$mode" >>"$tmp/t.ours"
        scrape "$node" "$mode" >>"$tmp/t.node"
    done
    a=$(median "$tmp/t.ours")
    b=$(median "$tmp/t.node")
    r=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }')
    if awk -v r="$r" 'BEGIN { exit !(r <= 1.0) }'; then v="(target <= 1.0x: met)"; else v="(target <= 1.0x: MISSED)"; missed=$((missed + 1)); fi
    printf '  scrape (%-5s)  counters-exporter %8.3f ms   node_exporter textfile %8.3f ms   %5.2fx  %s\n' "$mode" "$a" "$b" "$r" "$v"
done
if [ "${CHECK:-}" = 1 ] && [ "$missed" -gt 0 ]; then
    echo "scrape_vs_node_exporter.sh: $missed target(s) missed" >&2
    exit 1
fi

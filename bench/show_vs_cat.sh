#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `counters -show` of a section with CHANNELS channels against `cat` of the same output, as
# whole processes (exec, attach, read, format, write, exit), output to /dev/null, over RUNS
# runs after WARMUP warm-up runs, the two alternating run by run: the median and the ratio to
# cat's median (target for the
# text table: within 3x). The same for -format=json (and -format=prometheus when this
# `counters` knows it), each against cat of its own output, and the peak resident memory
# (/usr/bin/time's maximum RSS) of each. With BEFORE=/path/to/another/counters, the same
# rows for that binary too (the figures before a change, in the same run).
#
# usage: bench/show_vs_cat.sh [BUILD_DIR]          (default: ./build-bench next to bench/)
# environment: CHANNELS (10000), RUNS (50), WARMUP (3), BEFORE (none),
#              CHECK=1: exit 1 when the text table misses its 3x target
# Everything it creates (the section, a temporary directory) is removed on exit.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-bench}
channels=${CHANNELS:-10000}
runs=${RUNS:-50}
warmup=${WARMUP:-3}
counters_bin=$build/tools/counters/counters
fill=$build/bench/bench_fill_channels
for b in "$counters_bin" "$fill"; do
    if [ ! -x "$b" ]; then
        echo "show_vs_cat.sh: $b is missing: build counters_tool and bench_fill_channels first" >&2
        exit 2
    fi
done
if [ -n "${BEFORE:-}" ] && [ ! -x "$BEFORE" ]; then
    echo "show_vs_cat.sh: BEFORE=$BEFORE is not an executable" >&2
    exit 2
fi

section=cbench-show-$$
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cbench-show.XXXXXX")
cleanup() {
    "$fill" "$section" --delete 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now_us() {
    local t=${EPOCHREALTIME/[.,]/}
    echo $((10#$t))
}

# median_pair A B: the median wall times (ms, "A B") of the commands in arrays A and B
# (their names), RUNS runs each, output to /dev/null. The two alternate, run by run, so that
# a change of load on the machine weighs on both alike.
median_pair() {
    local -n cmd_a=$1 cmd_b=$2
    local i t0 t1 t2
    for ((i = 0; i < warmup; i++)); do "${cmd_a[@]}" >/dev/null; "${cmd_b[@]}" >/dev/null; done
    : >"$tmp/times_a"
    : >"$tmp/times_b"
    for ((i = 0; i < runs; i++)); do
        t0=$(now_us)
        "${cmd_a[@]}" >/dev/null
        t1=$(now_us)
        "${cmd_b[@]}" >/dev/null
        t2=$(now_us)
        echo $((t1 - t0)) >>"$tmp/times_a"
        echo $((t2 - t1)) >>"$tmp/times_b"
    done
    echo "$(median_of "$tmp/times_a") $(median_of "$tmp/times_b")"
}

# median_of FILE: the median of the microsecond figures in FILE, in ms.
median_of() {
    sort -n "$1" | awk '{ v[NR] = $1 } END { n = NR; m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2; printf "%.3f\n", m / 1000 }'
}

# peak_kib CMD...: maximum resident set size of one run, KiB.
peak_kib() {
    /usr/bin/time -f %M -o "$tmp/rss" "$@" >/dev/null
    cat "$tmp/rss"
}

echo "show_vs_cat.sh: $(date -u '+%Y-%m-%dT%H:%M:%SZ'), $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  $channels channels, $runs runs after $warmup warm-up runs, wall time per process, output to /dev/null"
"$fill" "$section" "$channels" 3 >/dev/null 2>&1

missed=0
failed=0
# row LABEL FORMAT BINARY TARGET [optional]
row() {
    local label=$1 format=$2 bin=$3 target=$4 optional=${5:-}
    local args=(-show "-section=$section")
    [ "$format" = text ] || args+=("-format=$format")
    if ! "$bin" "${args[@]}" >"$tmp/out.$format" 2>"$tmp/err"; then
        printf '  %-44s not available: %s\n' "$label" "$(head -1 "$tmp/err")"
        [ -n "$optional" ] || failed=$((failed + 1))
        return 0
    fi
    local bytes show cat_ms rss ratio verdict=""
    bytes=$(wc -c <"$tmp/out.$format")
    local show_cmd=("$bin" "${args[@]}") cat_cmd=(cat "$tmp/out.$format") pair
    pair=$(median_pair show_cmd cat_cmd)
    show=${pair% *}
    cat_ms=${pair#* }
    rss=$(peak_kib "$bin" "${args[@]}")
    ratio=$(awk -v a="$show" -v b="$cat_ms" 'BEGIN { printf "%.2f", a / b }')
    if [ "$target" != - ]; then
        if awk -v r="$ratio" -v t="$target" 'BEGIN { exit !(r <= t) }'; then
            verdict="(target <= ${target}x: met)"
        else
            verdict="(target <= ${target}x: MISSED)"
            missed=$((missed + 1))
        fi
    fi
    printf '  %-44s %9.3f ms  cat %7.3f ms  %6.2fx  %s\n' "$label" "$show" "$cat_ms" "$ratio" "$verdict"
    printf '  %-44s %9d bytes of output, peak RSS %d KiB\n' "" "$bytes" "$rss"
}

row "counters -show (text)" text "$counters_bin" 3
row "counters -show -format=json" json "$counters_bin" -
row "counters -show -format=prometheus" prometheus "$counters_bin" - optional
if [ -n "${BEFORE:-}" ]; then
    echo "  BEFORE=$BEFORE:"
    row "before: counters -show (text)" text "$BEFORE" -
    row "before: counters -show -format=json" json "$BEFORE" -
fi
if [ "$failed" -gt 0 ]; then
    echo "show_vs_cat.sh: $failed run(s) failed" >&2
    exit 1
fi
if [ "${CHECK:-}" = 1 ] && [ "$missed" -gt 0 ]; then
    echo "show_vs_cat.sh: $missed target(s) missed" >&2
    exit 1
fi

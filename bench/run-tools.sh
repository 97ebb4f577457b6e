#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Times the command-line tools as whole processes over repeated runs and prints the median
# and the spread (min, p90, max) of the wall time, next to an empty process for reference:
#   counters -show            with 512 and with 10,000 channels
#   counterutil -o imapstat -n 1
#   qm summarize              on a queue tree of 100,000 message files
# Tools that are not built yet are reported as MISSING (the others are still timed).
#
# usage: bench/run-tools.sh [BUILD_DIR]      (default: ./build-bench next to bench/)
# environment: RUNS (default 30), WARMUP (default 3), QUEUE_FILES (default 100000),
#              NO_HYPERFINE=1 to use the built-in loop even when hyperfine is installed.
# Uses hyperfine when installed, otherwise a loop timed with bash's $EPOCHREALTIME (no
# fork per reading; `date +%s%N` as a fallback). Everything it creates is removed on exit.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-bench}
runs=${RUNS:-30}
warmup=${WARMUP:-3}
queue_files=${QUEUE_FILES:-100000}

counters_bin=$build/tools/counters/counters
counterutil_bin=$build/tools/counterutil/counterutil
qm_bin=$build/tools/qm/qm
fill=$build/bench/bench_fill_channels
fillq=$build/bench/bench_fill_queue

if [ ! -x "$fill" ]; then
    echo "run-tools.sh: $fill is missing: build it first (make -C $build bench_fill_channels)" >&2
    exit 2
fi

tag=cbench-tools-$$
sec512=$tag-512
sec10k=$tag-10000
reg=$tag-reg
tmp=$(mktemp -d "${TMPDIR:-/tmp}/$tag.XXXXXX")
cleanup() {
    "$fill" "$sec512" --delete 2>/dev/null || true
    "$fill" "$sec10k" --delete 2>/dev/null || true
    "$fill" --registry "$reg" --delete 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

use_hyperfine=0
if [ -z "${NO_HYPERFINE:-}" ] && command -v hyperfine >/dev/null 2>&1; then use_hyperfine=1; fi

now_ns() {
    if [ -n "${EPOCHREALTIME:-}" ]; then
        local t=${EPOCHREALTIME/[.,]/}   # microseconds
        echo $((10#$t * 1000))
    else
        date +%s%N
    fi
}

missing=()
results=()

# time_it LABEL TARGET_MS CMD...   (TARGET_MS "-" for none)
time_it() {
    local label=$1 target=$2
    shift 2
    local st=0
    "$@" >"$tmp/out" 2>"$tmp/err" || st=$?
    if [ "$st" -ne 0 ]; then
        printf '  %-46s FAILED (exit status %s): %s\n' "$label" "$st" "$(head -c 300 "$tmp/err" | head -3)"
        results+=("$label|FAILED")
        return 0
    fi
    local median min p90 max
    if [ "$use_hyperfine" = 1 ]; then
        hyperfine -N --warmup "$warmup" --runs "$runs" --export-json "$tmp/h.json" --style none \
            -- "$(printf '%q ' "$@")" >/dev/null 2>&1
        read -r median min p90 max < <(python3 - "$tmp/h.json" <<'EOF'
import json, sys
t = sorted(json.load(open(sys.argv[1]))["results"][0]["times"])
n = len(t)
med = t[n // 2] if n % 2 else (t[n // 2 - 1] + t[n // 2]) / 2
print(*(f"{v * 1e3:.3f}" for v in (med, t[0], t[min(n - 1, int(0.9 * n))], t[-1])))
EOF
)
    else
        local i t0 t1
        for ((i = 0; i < warmup; i++)); do "$@" >/dev/null 2>&1 || true; done
        : >"$tmp/times"
        for ((i = 0; i < runs; i++)); do
            t0=$(now_ns)
            "$@" >/dev/null 2>&1 || true
            t1=$(now_ns)
            echo $((t1 - t0)) >>"$tmp/times"
        done
        read -r median min p90 max < <(sort -n "$tmp/times" | awk '
            { v[NR] = $1 }
            END {
                n = NR; med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
                i90 = int(0.9 * n); if (i90 < 1) i90 = 1
                printf "%.3f %.3f %.3f %.3f\n", med / 1e6, v[1] / 1e6, v[i90] / 1e6, v[n] / 1e6 }')
    fi
    local verdict=""
    if [ "$target" != "-" ]; then
        if awk -v m="$median" -v t="$target" 'BEGIN { exit !(m < t) }'; then
            verdict="(target < $target ms: met)"
        else
            verdict="(target < $target ms: MISSED)"
        fi
    fi
    printf '  %-46s median %8.3f ms  min %8.3f  p90 %8.3f  max %8.3f  %s\n' \
        "$label" "$median" "$min" "$p90" "$max" "$verdict"
    results+=("$label|$median")
}

have() {
    if [ -x "$2" ]; then return 0; fi
    missing+=("$1 ($2)")
    printf '  %-46s MISSING: %s is not built\n' "$1" "$2"
    return 1
}

echo "run-tools.sh: $(date -u '+%Y-%m-%dT%H:%M:%SZ') on $(uname -n), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  build directory $build; $runs runs after $warmup warm-up runs; timer: $([ "$use_hyperfine" = 1 ] && echo hyperfine || echo 'bash loop ($EPOCHREALTIME)')"
echo

echo "Preparing: sections with 512 and 10,000 channels, a registry, a queue tree of $queue_files files"
"$fill" "$sec512" 512 3
"$fill" "$sec10k" 10000 3
"$fill" --registry "$reg"
queue_ready=0
if [ -x "$fillq" ]; then
    "$fillq" "$tmp/queue" "$queue_files" 8 && queue_ready=1
fi
echo

echo "Wall time per run (whole process: exec, attach, read, format, exit):"
time_it "empty process (/bin/true), for reference" - /bin/true
if have "counters -show" "$counters_bin"; then
    export COUNTERS_SECTION=$sec512
    time_it "counters -show, 512 channels" 10 "$counters_bin" -show
    export COUNTERS_SECTION=$sec10k
    time_it "counters -show, 10,000 channels" - "$counters_bin" -show
    unset COUNTERS_SECTION
fi
if have "counterutil -o imapstat -n 1" "$counterutil_bin"; then
    time_it "counterutil -o imapstat -n 1" - "$counterutil_bin" -r "$reg" -o imapstat -n 1
fi
if have "qm summarize" "$qm_bin"; then
    if [ "$queue_ready" = 1 ]; then
        time_it "qm summarize, $queue_files queue files" - "$qm_bin" -queue="$tmp/queue" summarize
    else
        printf '  %-46s MISSING: %s is not built (no queue tree)\n' "qm summarize" "$fillq"
        missing+=("bench_fill_queue ($fillq)")
    fi
fi

echo
if [ ${#missing[@]} -gt 0 ]; then
    echo "Not timed, because not built yet:"
    for m in "${missing[@]}"; do echo "  - $m"; done
else
    echo "All tools were timed."
fi

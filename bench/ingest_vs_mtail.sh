#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# counters-ingest against mtail and pflogsumm on the same generated Postfix log, as whole
# processes (start-up included), the file in the page cache, RUNS runs each; prints the
# best and median wall time, the CPU time, lines/s and the ratios. Then checks that the
# section filled by the first counters-ingest run holds exactly the generator's tally.
#
#   bench/ingest_vs_mtail.sh [BUILD_DIR]       (default: build)
#   environment: LINES (1000000), SEED (1), RUNS (3), KEEP_LOG=FILE (keep the log there)
#
# Needs bench_gen_postfix_log and bench_ingest_check (cmake --build BUILD_DIR --target
# bench_gen_postfix_log bench_ingest_check counters_ingest counters_tool), mtail and
# pflogsumm; a tool that is missing is reported and skipped.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
lines=${LINES:-1000000}
seed=${SEED:-1}
runs=${RUNS:-3}
gen=$build/bench/bench_gen_postfix_log
check=$build/bench/bench_ingest_check
ingest=$build/tools/ingest/counters-ingest
counters=$build/tools/counters/counters
mtail_prog=/usr/share/doc/mtail/examples/postfix.mtail
for f in "$gen" "$check"; do
    [ -x "$f" ] || { echo "ingest_vs_mtail: $f: not built" >&2; exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ingest-bench.XXXXXX")
sections=()
registries=()
cleanup() {
    local s r
    for s in "${sections[@]}"; do "$counters" --section "$s" -delete >/dev/null 2>&1 || true; done
    for r in "${registries[@]}"; do rm -f "/dev/shm/$r"; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log=$tmp/maillog
"$gen" --lines "$lines" --seed "$seed" --tally "$tmp/tally.json" "$log"
n=$(wc -l <"$log")
size=$(stat -c %s "$log")
[ -n "${KEEP_LOG:-}" ] && cp "$log" "$KEEP_LOG" && cp "$tmp/tally.json" "$KEEP_LOG.tally.json"
cat "$log" >/dev/null # into the page cache
echo "log: $n lines, $size bytes (bench_gen_postfix_log --lines $lines --seed $seed)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(uname -sr)"
echo "runs: $runs per tool, wall time of the whole process (start-up included)"
echo

# timed NAME CMD...: RUNS runs; sets best and median (seconds) and cpu (user+sys of the median
# run); the output of the last run is in $tmp/NAME.out, its errors in $tmp/NAME.err.
# A command may contain the word @RUN@, replaced by the run number.
declare -A best median cpu
timed() {
    local name=$1 i t
    shift
    local -a times=() cpus=()
    for ((i = 1; i <= runs; i++)); do
        local -a cmd=("${@//@RUN@/$i}")
        [ "$(type -t pre_run)" = function ] && pre_run "$i"
        /usr/bin/time -f '%e %U %S' -o "$tmp/time" "${cmd[@]}" >"$tmp/$name.out" 2>"$tmp/$name.err" || {
            echo "ingest_vs_mtail: $name failed (run $i):" >&2
            tail -5 "$tmp/$name.err" >&2
            return 1
        }
        read -r t u s <"$tmp/time"
        times+=("$t")
        cpus+=("$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')")
    done
    best[$name]=$(printf '%s\n' "${times[@]}" | sort -g | head -1)
    median[$name]=$(printf '%s\n' "${times[@]}" | sort -g | sed -n "$(((runs + 1) / 2))p")
    cpu[$name]=$(printf '%s\n' "${cpus[@]}" | sort -g | sed -n "$(((runs + 1) / 2))p")
}

tools=()
# counters-ingest: a fresh section, registry and state file for every run.
if [ -x "$ingest" ] && [ -x "$counters" ]; then
    pre_run() {
        sections+=("ingestbench-$$-$1")
        registries+=("ingestbench-reg-$$-$1")
        rm -f "$tmp/state.$1"
    }
    timed counters-ingest "$ingest" --once --format postfix --section "ingestbench-$$-@RUN@" \
        --registry "ingestbench-reg-$$-@RUN@" --state "$tmp/state.@RUN@" "$log"
    unset -f pre_run
    tools+=(counters-ingest)
else
    echo "counters-ingest: not built in $build (cmake --build $build --target counters_ingest counters_tool); skipped"
fi
if command -v mtail >/dev/null 2>&1 && [ -f "$mtail_prog" ]; then
    mkdir "$tmp/progs"
    cp "$mtail_prog" "$tmp/progs/"
    timed mtail mtail -one_shot -one_shot_format prometheus -progs "$tmp/progs" -logs "$log"
    tools+=(mtail)
else
    echo "mtail: not installed (apt-get install mtail); skipped"
fi
if command -v pflogsumm >/dev/null 2>&1; then
    timed pflogsumm pflogsumm "$log"
    tools+=(pflogsumm)
else
    echo "pflogsumm: not installed (apt-get install pflogsumm); skipped"
fi

# A time of 0.00 s is below /usr/bin/time's 10 ms resolution (a small LINES): no rate.
rate() { awk -v n="$n" -v t="$1" 'BEGIN { if (t > 0) printf "%.0f", n / t; else printf "n/a" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else printf "n/a (under 10 ms)" }'; }
printf '%-16s %9s %9s %9s %14s %14s\n' tool "best s" "median s" "cpu s" "lines/s best" "lines/s median"
for t in "${tools[@]}"; do
    printf '%-16s %9s %9s %9s %14s %14s\n' "$t" "${best[$t]}" "${median[$t]}" "${cpu[$t]}" "$(rate "${best[$t]}")" \
        "$(rate "${median[$t]}")"
done
if [ -n "${median[counters-ingest]:-}" ]; then
    for t in mtail pflogsumm; do
        [ -n "${median[$t]:-}" ] || continue
        echo "counters-ingest / $t: $(ratio "${best[$t]}" "${best[counters-ingest]}") the rate (best)," \
             "$(ratio "${median[$t]}" "${median[counters-ingest]}") (median)," \
             "$(ratio "${cpu[$t]}" "${cpu[counters-ingest]}") per CPU second"
    done
    echo
    echo "counters of the first counters-ingest run against the generator's tally:"
    "$check" --section "ingestbench-$$-1" --lines "$lines" --seed "$seed"
fi
if [ -n "${median[mtail]:-}" ]; then
    echo
    echo "mtail, for comparison:"
    grep -E '^postfix_(qmgr_messages_inserted_recipients_(count|sum)|qmgr_messages_removed_total|smtpd_connects_total|smtpd_messages_rejected_total|smtp_delivery_delay_seconds_count)' \
        "$tmp/mtail.out" || true
fi
if [ -n "${median[pflogsumm]:-}" ]; then
    echo
    echo "pflogsumm, for comparison:"
    sed -n '/^Grand Totals/,/^ *[0-9]* *rejected/p' "$tmp/pflogsumm.out"
fi

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs every fuzzer for a bounded time, starting from a scratch copy of the committed seed
# corpus (fuzz/corpus/<fuzzer>/, so the repository is never modified).
# usage: fuzz/run.sh [SECONDS]      total time, split evenly across the fuzzers (default 60)
# The fuzzers must be built first (scripts/test.sh stage 4 does it), in $FUZZ_BUILD_DIR
# (default ./build-fuzz):
#   CXX=clang++ cmake -S . -B build-fuzz -DCOUNTERS_BUILD_FUZZERS=ON -DCOUNTERS_BUILD_TESTS=OFF
#   cmake --build build-fuzz --target fuzz_section fuzz_registry fuzz_args fuzz_ingest
# Exits 1 when any fuzzer finds a crash, leak, timeout, out-of-memory or undefined behaviour,
# after printing the reproducer's path and the command that replays it; crash inputs are
# kept in $FUZZ_BUILD_DIR/fuzz-artifacts/.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
total=${1:-60}
case $total in
'' | *[!0-9]*) echo "usage: fuzz/run.sh [SECONDS]" >&2; exit 2 ;;
esac
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
fuzzers=(fuzz_section fuzz_registry fuzz_args fuzz_ingest)
each=$((total / ${#fuzzers[@]}))
[ "$each" -lt 1 ] && each=1

for f in "${fuzzers[@]}"; do
    if [ ! -x "$build/fuzz/$f" ]; then
        echo "fuzz/run.sh: $build/fuzz/$f is not built (see the comment at the top of fuzz/run.sh)" >&2
        exit 2
    fi
done

scratch=$(mktemp -d "${TMPDIR:-/tmp}/counters-fuzz.XXXXXX")
trap 'rm -rf -- "$scratch"' EXIT
artifacts=$build/fuzz-artifacts
mkdir -p "$artifacts"

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
for f in "${fuzzers[@]}"; do
    corpus=$scratch/corpus/$f
    mkdir -p "$corpus"
    if [ -d "$root/fuzz/corpus/$f" ]; then cp -- "$root/fuzz/corpus/$f"/* "$corpus"/ 2>/dev/null || true; fi
    seeds=$(find "$corpus" -type f | wc -l)
    log=$scratch/$f.log
    before=$(find "$artifacts" -maxdepth 1 -type f -name "$f-*" | sort)
    "$build/fuzz/$f" -max_total_time="$each" -rss_limit_mb=1024 -timeout=10 \
        -print_final_stats=1 -artifact_prefix="$artifacts/$f-" "$corpus" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    if [ "$rc" -eq 0 ]; then
        echo "fuzz/run.sh: $f: ok, ${each}s, ${runs:-?} runs, $seeds seeds, ${cov:-cov: ?}"
        continue
    fi
    failed+=("$f")
    echo "fuzz/run.sh: $f: FAILED (exit $rc) after ${runs:-?} runs; end of its log:" >&2
    tail -n 60 "$log" >&2
    after=$(find "$artifacts" -maxdepth 1 -type f -name "$f-*" | sort)
    new=$(comm -13 <(echo "$before") <(echo "$after"))
    for a in $new; do
        echo "fuzz/run.sh: $f: reproducer: $a" >&2
        echo "fuzz/run.sh: $f: replay with: $build/fuzz/$f $a" >&2
    done
    [ -z "$new" ] && echo "fuzz/run.sh: $f: no reproducer was written (see the log above)" >&2
done

if [ ${#failed[@]} -ne 0 ]; then
    echo "fuzz/run.sh: FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "fuzz/run.sh: all fuzzers ran ${each}s each without finding a problem"

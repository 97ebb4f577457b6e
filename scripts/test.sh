#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Quick start 2 and CI: install what is missing, build, and run the whole test suite.
#
# usage: scripts/test.sh [--quick]
#   Stage 1  normal build (./build, or $BUILD_DIR) + full ctest
#   Stage 2  ASan+UBSan build of everything in ./build-asan + full ctest
#   Stage 3  TSan build of the threaded tests in ./build-tsan + run them ([threads])
#   Stage 4  libFuzzer fuzzers built with clang in ./build-fuzz + fuzz/run.sh $FUZZ_SECONDS (60)
#   Stage 5  clang-tidy (.clang-tidy) over the project's sources, via ./build-tidy (with other
#            stages: in the background from the start, at idle priority, reported in its turn)
# --quick (or QUICK=1) runs stage 1 only, for developers; STAGES="2 4" runs those stages.
# Every stage runs even when an earlier one failed; the summary at the end lists each
# stage's result and duration, and the script fails when any stage failed.
# CI=true turns compiler warnings into errors (stage 1) and fails a stage that leaves
# anything new in /dev/shm (elsewhere other people's sections may come and go: warning only).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

quick=${QUICK:-0}
for arg in "$@"; do
    case $arg in
    --quick) quick=1 ;;
    -h | --help) sed -n '3,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "scripts/test.sh: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
    esac
done
[ "$quick" = 0 ] && quick=
stages=${STAGES:-1 2 3 4 5}
[ -n "$quick" ] && stages=1

jobs=$(nproc)
ci=${CI:-}
fuzz_seconds=${FUZZ_SECONDS:-60}
# Sanitizer builds: -O1 with line tables only, much quicker to compile than -O2 -g and still
# giving file:line in every report.
san_flags=(-DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1")
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}

"$root/scripts/install-deps.sh" || exit 1
# ccache (installed above) makes a second run on the same machine cheap.
if command -v ccache >/dev/null 2>&1; then san_flags+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi

stage1() {
    "$root/scripts/build.sh"
    cd "${BUILD_DIR:-$root/build}"
    ctest --output-on-failure -j "$jobs" --timeout 600
}

stage2() {
    local b=$root/build-asan
    cmake -S "$root" -B "$b" "${san_flags[@]}" -DCOUNTERS_SANITIZE=address -DCOUNTERS_BUILD_BENCH=OFF >/dev/null
    cmake --build "$b" -j "$jobs"
    cd "$b"
    ctest --output-on-failure -j "$jobs" --timeout 900
}

stage3() {
    local b=$root/build-tsan
    cmake -S "$root" -B "$b" "${san_flags[@]}" -DCOUNTERS_SANITIZE=thread -DCOUNTERS_BUILD_BENCH=OFF \
        -DCOUNTERS_BUILD_EXAMPLES=OFF -DCOUNTERS_INSTALL=OFF >/dev/null
    cmake --build "$b" -j "$jobs" --target unit_tests registry_tests
    # The tests that run threads in one process (TSan cannot see other processes'
    # accesses to a shared mapping, so the multi-process tests are left to stage 2).
    "$b/tests/unit/unit_tests" "[threads]"
    "$b/tests/registry/registry_tests" "[threads]"
}

stage4() {
    local b=$root/build-fuzz
    local cxx=${FUZZ_CXX:-$(command -v clang++-14 || command -v clang++)}
    [ -n "$cxx" ] || { echo "stage 4: clang++ not found (scripts/install-deps.sh installs clang-14)" >&2; return 1; }
    cmake -S "$root" -B "$b" "${san_flags[@]}" -DCMAKE_CXX_COMPILER="$cxx" -DCOUNTERS_BUILD_FUZZERS=ON \
        -DCOUNTERS_BUILD_TESTS=OFF -DCOUNTERS_BUILD_EXAMPLES=OFF -DCOUNTERS_BUILD_BENCH=OFF \
        -DCOUNTERS_INSTALL=OFF >/dev/null
    cmake --build "$b" -j "$jobs" --target fuzz_section fuzz_registry fuzz_args fuzz_ingest
    FUZZ_BUILD_DIR=$b "$root/fuzz/run.sh" "$fuzz_seconds"
}

stage5() {
    local b=$root/build-tidy
    local cxx=${FUZZ_CXX:-$(command -v clang++-14 || command -v clang++)}
    local tidy=$(command -v run-clang-tidy-14 || command -v run-clang-tidy)
    local bin=$(command -v clang-tidy-14 || command -v clang-tidy)
    [ -n "$tidy" ] && [ -n "$bin" ] && [ -n "$cxx" ] ||
        { echo "stage 5: clang-tidy or clang++ not found (scripts/install-deps.sh installs them)" >&2; return 1; }
    # Configure only: clang-tidy needs compile_commands.json, not objects. Configured with
    # clang (so that every flag is one clang understands) and with the fuzzers (so that fuzz/
    # is checked too).
    cmake -S "$root" -B "$b" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
        -DCOUNTERS_BUILD_FUZZERS=ON >/dev/null
    local ours="^$root/(libcounters|libqueue|tools|examples|tests|bench|fuzz)/"
    local log=$b/clang-tidy.log
    local rc=0
    "$tidy" -clang-tidy-binary "$bin" -p "$b" -j "$jobs" -quiet -header-filter="$ours" "$ours" >"$log" 2>&1 || rc=$?
    # The findings, once each (a finding in a header is reported for every file including
    # it); the full output with the code excerpts stays in the log.
    local found
    found=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error): ' | sort -u || true)
    [ -n "$found" ] && echo "$found"
    echo "clang-tidy: $(printf '%s' "$found" | grep -c . || true) finding(s); full log in $log"
    return "$rc"
}

# /dev/shm entries present now (one name a line, sorted).
shm_list() { ls -1A /dev/shm 2>/dev/null | sort; }

names=([1]="normal build + ctest" [2]="ASan+UBSan build + ctest" [3]="TSan build + threaded tests"
       [4]="fuzzers (clang, libFuzzer) + fuzz/run.sh $fuzz_seconds" [5]="clang-tidy")
results=()
for s in $stages; do
    case $s in 1 | 2 | 3 | 4 | 5) ;; *) echo "scripts/test.sh: no stage '$s'" >&2; exit 2 ;; esac
done
t0=$(date +%s)
# Stage 5 (clang-tidy) builds nothing and needs ~25 CPU-minutes, while the other stages leave
# the CPUs idle for minutes as their tests wait on daemons and sockets. Run with others, it
# starts first, in the background in the idle scheduling class (SCHED_IDLE, or nice 19 where
# that is refused: it takes only the CPU time nothing else wants, and yields at once to a
# test that wakes up), and its output is shown in its turn; its time is from the start.
tidy_pid=
if [[ " $(echo $stages) " == *" 5 "* ]] && [ "$(echo $stages | wc -w)" -gt 1 ]; then
    tidy_log=$(mktemp "${TMPDIR:-/tmp}/counters-tidy.XXXXXX")
    (chrt --idle -p 0 "$BASHPID" >/dev/null 2>&1 || renice -n 19 -p "$BASHPID" >/dev/null
        set -e
        stage5) >"$tidy_log" 2>&1 &
    tidy_pid=$!
    trap '[ -n "$tidy_pid" ] && kill -- "$tidy_pid" 2>/dev/null; rm -f -- "$tidy_log"' EXIT
fi
for s in $stages; do
    echo
    echo "=================================================================="
    echo "== stage $s: ${names[$s]}"
    echo "=================================================================="
    before=$(shm_list)
    start=$(date +%s)
    if [ "$s" = 5 ] && [ -n "$tidy_pid" ]; then
        echo "(started with the first stage, in the background at the lowest priority)"
        wait "$tidy_pid"
        rc=$?
        tidy_pid=
        cat -- "$tidy_log"
        start=$t0
    else
        (set -e; "stage$s")
        rc=$?
    fi
    secs=$(($(date +%s) - start))
    left=$(comm -13 <(echo "$before") <(shm_list))
    if [ -n "$left" ]; then
        echo "stage $s: left in /dev/shm: $(echo $left)" >&2
        [ "$ci" = "true" ] && [ "$rc" -eq 0 ] && rc=1
    fi
    status=ok
    [ "$rc" -ne 0 ] && status="FAILED (exit $rc)"
    printf '== stage %s: %s in %dm%02ds\n' "$s" "$status" $((secs / 60)) $((secs % 60))
    results+=("$(printf 'stage %s  %-52s %-16s %3dm%02ds' "$s" "${names[$s]}" "$status" $((secs / 60)) $((secs % 60)))")
done
total=$(($(date +%s) - t0))

echo
echo "=================================================================="
echo "== summary"
failed=0
for r in "${results[@]}"; do
    echo "$r"
    case $r in *FAILED*) failed=1 ;; esac
done
printf 'total %dm%02ds\n' $((total / 60)) $((total % 60))
if [ "$failed" -ne 0 ]; then
    echo "scripts/test.sh: FAILED"
    exit 1
fi
echo "scripts/test.sh: all stages passed"

# SPDX-License-Identifier: MIT
# Helpers sourced by the CLI test scripts.
# Usage: bash test_X.sh COUNTERS FILL_SECTION JSON_CHECK SOURCE_DIR TOP_SOURCE_DIR
# Each script works on its own section names (tag + pid) and removes them at exit.
set -u
COUNTERS=$1 FILL=$2 JSON_CHECK=$3 SRC=$4 TOP=$5
TAG=${TAG:-cli}
S="ctest_cli_${TAG}_$$"
S2="ctest_cli_${TAG}2_$$"
TMP=$(mktemp -d)
unset COUNTERS_SECTION
cleanup() {
    for s in "$S" "$S2"; do
        "$COUNTERS" --section "$s" -delete >/dev/null 2>&1
        rm -f "/dev/shm/$s"
    done
    rm -rf "$TMP"
}
trap cleanup EXIT
FAILS=0
CHECKS=0
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }

# run CMD...: runs it, stdout in $TMP/out, stderr in $TMP/err, status in RC.
run() { "$@" >"$TMP/out" 2>"$TMP/err"; RC=$?; }

# ok DESC CMD...: must exit 0 with nothing on stderr.
ok() {
    local desc=$1; shift
    CHECKS=$((CHECKS + 1))
    run "$@"
    if [ "$RC" -ne 0 ] || [ -s "$TMP/err" ]; then
        fail "$desc: exit $RC, stderr: $(cat "$TMP/err")"
        return 1
    fi
}

# quiet DESC CMD...: must exit 0 and print nothing at all.
quiet() {
    local desc=$1
    ok "$@" || return 1
    if [ -s "$TMP/out" ]; then fail "$desc: unexpected output: $(cat "$TMP/out")"; return 1; fi
}

# bad DESC CODE STDERR_LINE CMD...: must exit CODE, print exactly STDERR_LINE on stderr and
# nothing on stdout.
bad() {
    local desc=$1 code=$2 line=$3; shift 3
    CHECKS=$((CHECKS + 1))
    run "$@"
    [ "$RC" -eq "$code" ] || fail "$desc: exit $RC, want $code"
    printf '%s\n' "$line" >"$TMP/want_err"
    cmp -s "$TMP/err" "$TMP/want_err" || fail "$desc: stderr $(printf '%q' "$(cat "$TMP/err")"), want $(printf '%q' "$line")"
    [ -s "$TMP/out" ] && fail "$desc: unexpected stdout: $(cat "$TMP/out")"
    return 0
}

# json_ok DESC CHECKS...: the last command's stdout is valid JSON passing json_check CHECKS.
json_ok() {
    local desc=$1; shift
    cp "$TMP/out" "$TMP/last.json"
    ok "$desc" "$JSON_CHECK" "$TMP/last.json" "$@"
}

# same DESC EXPECTED_FILE ACTUAL_FILE: byte-for-byte comparison.
same() {
    CHECKS=$((CHECKS + 1))
    if ! cmp -s "$2" "$3"; then
        fail "$1: output differs from $2"
        diff -u "$2" "$3" >&2
    fi
}

# show_is DESC EXPECTED_FILE ARGS...: `counters --section $S ARGS...` prints EXPECTED_FILE.
show_is() {
    local desc=$1 want=$2; shift 2
    ok "$desc" "$COUNTERS" --section "$S" "$@" && same "$desc" "$want" "$TMP/out"
}

finish() {
    if [ "$FAILS" -ne 0 ]; then
        echo "$FAILS of $CHECKS checks failed" >&2
        exit 1
    fi
    [ "$CHECKS" -gt 0 ] || { echo "no checks ran" >&2; exit 1; }
    echo "$CHECKS checks passed"
    exit 0
}

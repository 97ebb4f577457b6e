# SPDX-License-Identifier: MIT
# Helpers of the permission tests, on top of tests/cli/lib.sh (run, ok, quiet, bad, finish).
# Usage: bash test_X.sh COUNTERS FILL_SECTION JSON_CHECK SOURCE_DIR TOP_SOURCE_DIR
# Runs the tools as nobody with setpriv; needs root (else exit 77: ctest's "skipped").
if [ "$(id -u)" -ne 0 ]; then
    echo "skipped: needs root to create sections for another user and to switch to nobody with setpriv"
    exit 77
fi
if ! command -v setpriv >/dev/null 2>&1; then
    echo "skipped: setpriv (util-linux) is not installed"
    exit 77
fi
NOBODY_GROUP=$(getent group nogroup >/dev/null && echo nogroup || echo nobody)
if ! getent passwd nobody >/dev/null || ! getent group "$NOBODY_GROUP" >/dev/null; then
    echo "skipped: no user nobody or group nogroup/nobody"
    exit 77
fi
NOBODY_UID=$(id -u nobody)
NOBODY_GID=$(getent group "$NOBODY_GROUP" | cut -d: -f3)

. "$5/tests/cli/lib.sh"
P="ctest_perm_${TAG}_$$_"
# Every section name a script uses is $P<something>: the trap removes them all.
cleanup_perm() {
    cleanup
    rm -f /dev/shm/"$P"*
    [ -n "${BIN:-}" ] && rm -rf "$BIN"
}
trap cleanup_perm EXIT

# nobody must be able to reach the binaries: when the build tree is not traversable for
# others, copy them to a directory of their own (mode 0755).
as_nobody() { setpriv --reuid=nobody --regid="$NOBODY_GROUP" --clear-groups "$@"; }
BIN=
if ! as_nobody test -x "$COUNTERS" || ! as_nobody test -x "$FILL"; then
    BIN=$(mktemp -d)
    chmod 0755 "$BIN"
    cp "$COUNTERS" "$BIN/counters"
    cp "$FILL" "$BIN/fill_section"
    # ... with the shared library they load (found first through LD_LIBRARY_PATH).
    lib=$(ldd "$COUNTERS" | awk '$1 ~ /^libcounters\.so/ { print $3 }')
    [ -n "$lib" ] && cp "$lib" "$BIN/" && export LD_LIBRARY_PATH="$BIN${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    chmod 0755 "$BIN"/*
    COUNTERS=$BIN/counters FILL=$BIN/fill_section
    as_nobody "$COUNTERS" -help >/dev/null 2>&1 || { echo "FAIL: nobody cannot run $COUNTERS" >&2; exit 1; }
fi

# warned DESC SECTION CMD...: exit 0, and one stderr line: the reader's warning that SECTION
# is not trusted (a writer would refuse it), naming its owner.
warned() {
    local desc=$1 sec=$2; shift 2
    CHECKS=$((CHECKS + 1))
    run "$@"
    if [ "$RC" -ne 0 ] || [ "$(wc -l <"$TMP/err")" -ne 1 ] ||
        ! grep -q "^counters: warning: section \"$sec\" is not trusted (owned by uid [0-9]* and group [0-9]*, " "$TMP/err"; then
        fail "$desc: exit $RC, stderr: $(cat "$TMP/err")"
        return 1
    fi
}

# check DESC TEST...: a plain assertion.
check() {
    local desc=$1; shift
    CHECKS=$((CHECKS + 1))
    "$@" || fail "$desc"
}

# mode_is DESC SECTION OCTAL OWNER GROUP: stat of /dev/shm/SECTION.
mode_is() {
    local got
    got=$(stat -c '%a %U %G' "/dev/shm/$2")
    CHECKS=$((CHECKS + 1))
    [ "$got" = "$3 $4 $5" ] || fail "$1: /dev/shm/$2 is \"$got\", want \"$3 $4 $5\""
}

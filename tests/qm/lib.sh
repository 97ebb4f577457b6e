# SPDX-License-Identifier: MIT
# Helpers sourced by the qm test scripts.
# Usage: bash X.sh QM COUNTERS IMSIMTA MAKE_TREE SOURCE_DIR [DRIFT]
# Each script uses its own section (tag + pid) and a temporary queue directory, and removes
# both at exit. Times are shown in UTC. COUNTERS_QUEUE names a directory that does not
# exist, so that no test reads the compiled-in default queue unless it unsets it on purpose
# (tree.sh); a command without -queue then finds no tree there.
set -u
QM=$1 COUNTERS=$2 IMSIMTA=$3 MAKE_TREE=$4 SRC=$5 DRIFT=${6:-}
TAG=${TAG:-qm}
S="ctest_qm_${TAG}_$$"
TMP=$(mktemp -d)
Q="$TMP/queue"
mkdir "$Q"
export COUNTERS_QUEUE="$TMP/no-queue"
# What the counters commands say about it (a printf format).
NOTRESET="%%QM-W-NOTRESET, Stored not reset: cannot open queue directory $TMP/no-queue: No such file or directory\n"
export COUNTERS_SECTION="$S" TZ=UTC
cleanup() {
    "$COUNTERS" --section "$S" -delete >/dev/null 2>&1
    rm -f "/dev/shm/$S"
    chmod -R u+rwX "$TMP" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
FAILS=0
CHECKS=0
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }

# run CMD...: runs it, stdout in $TMP/out, stderr in $TMP/err, status in RC.
run() { "$@" >"$TMP/out" 2>"$TMP/err"; RC=$?; }
# feed INPUT CMD...: like run, with INPUT (printf format) on standard input.
feed() { local input=$1; shift; printf "$input" | "$@" >"$TMP/out" 2>"$TMP/err"; RC=$?; }

# status DESC CODE: the last command exited CODE.
status() {
    CHECKS=$((CHECKS + 1))
    [ "$RC" -eq "$2" ] || fail "$1: exit $RC, want $2; stderr: $(cat "$TMP/err")"
}
# out_is DESC TEXT / err_is DESC TEXT: exact stdout / stderr (TEXT is a printf format).
out_is() { CHECKS=$((CHECKS + 1)); printf "$2" >"$TMP/want"; cmp -s "$TMP/want" "$TMP/out" || { fail "$1: stdout differs"; diff -u "$TMP/want" "$TMP/out" >&2; }; }
err_is() { CHECKS=$((CHECKS + 1)); printf "$2" >"$TMP/want"; cmp -s "$TMP/want" "$TMP/err" || { fail "$1: stderr differs"; diff -u "$TMP/want" "$TMP/err" >&2; }; }
# out_has / err_has DESC REGEX: some line of stdout / stderr matches the extended regex.
out_has() { CHECKS=$((CHECKS + 1)); grep -Eq -- "$2" "$TMP/out" || fail "$1: no stdout line matches /$2/: $(cat "$TMP/out")"; }
err_has() { CHECKS=$((CHECKS + 1)); grep -Eq -- "$2" "$TMP/err" || fail "$1: no stderr line matches /$2/: $(cat "$TMP/err")"; }
out_lacks() { CHECKS=$((CHECKS + 1)); grep -Eq -- "$2" "$TMP/out" && fail "$1: stdout matches /$2/"; return 0; }
err_empty() { CHECKS=$((CHECKS + 1)); [ -s "$TMP/err" ] && fail "$1: unexpected stderr: $(cat "$TMP/err")"; return 0; }
# dated: the first line of stdout is a `directory` listing's date line (RFC 822 style, UTC);
# it is checked, then dropped so that the rest can be compared exactly.
DATE_RE='^[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} \+0000 \(UTC\)$'
dated() {
    CHECKS=$((CHECKS + 1))
    head -n 1 "$TMP/out" | grep -Eq "$DATE_RE" || fail "date line: $(head -n 1 "$TMP/out")"
    tail -n +2 "$TMP/out" >"$TMP/out.rest"; mv "$TMP/out.rest" "$TMP/out"
}
# same DESC A B: files identical.
same() { CHECKS=$((CHECKS + 1)); cmp -s "$2" "$3" || { fail "$1: $2 and $3 differ"; diff -u "$2" "$3" >&2; }; }

# msg FILE SIZE RECIPIENTS CREATED: writes a message file with a valid envelope.
msg() {
    mkdir -p "$(dirname "$1")"
    printf '%%counters-queue 1\nid test\ncreated %s\nsize %s\nrecipients %s\nfrom <a@example.com>\n\nSubject: x\n\nbody\n' \
        "$4" "$2" "$3" >"$1"
}

# A small known tree: tcp_local 2 queued (3 + 1 blocks) + 1 held (98 blocks) in a subdir,
# ims-ms 1 queued, conversion empty.
small_tree() {
    msg "$Q/tcp_local/ZZ0001.00" 3000 2 1700000000
    msg "$Q/tcp_local/ZY0002.00" 100 1 1700000100
    msg "$Q/tcp_local/sub/YZ0003.00.HELD" 100000 1 1690000000
    msg "$Q/ims-ms/ZX0004.00" 1024 5 1700000200
    mkdir -p "$Q/conversion"
    printf 'half' >"$Q/tcp_local/\$ZZ0009.00"
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

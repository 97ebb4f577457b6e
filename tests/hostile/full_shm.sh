#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A full or too-small /dev/shm: creation reserves the segment's space, so the answer is a
# clean "not enough space" error naming the section (or registry) and the size needed,
# nothing is left behind, and no process dies of SIGBUS, writers and readers included.
# Runs in a private mount namespace (unshare -m) over a small tmpfs mounted on /dev/shm, so
# the machine's /dev/shm is never touched. Needs root (or CAP_SYS_ADMIN) for that: outside
# CI it is skipped (exit 77) with the reason; with CI=true it fails instead.
# usage: full_shm.sh COUNTERS FILL_SECTION REGISTRY_PRODUCER COUNTERUTIL
set -u
if [ $# -ne 4 ]; then echo "usage: full_shm.sh COUNTERS FILL_SECTION REGISTRY_PRODUCER COUNTERUTIL" >&2; exit 2; fi
skip() {
    if [ "${CI:-}" = "true" ]; then echo "FAIL (CI never skips): $*" >&2; exit 1; fi
    echo "skipped: $*"; exit 77
}
command -v unshare >/dev/null 2>&1 || skip "unshare (util-linux) is not installed"
command -v fallocate >/dev/null 2>&1 || skip "fallocate (util-linux) is not installed"
unshare -m --propagation private true 2>/dev/null ||
    skip "cannot make a private mount namespace (unshare -m needs root or CAP_SYS_ADMIN)"
export COUNTERS=$1 FILL=$2 PRODUCER=$3 COUNTERUTIL=$4
exec unshare -m --propagation private bash -s <<'INNER'
set -u
mount -t tmpfs -o size=1m,mode=1777 ctest-small-shm /dev/shm || { echo "FAIL: cannot mount a small tmpfs" >&2; exit 1; }
FAILS=0 CHECKS=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
# expect DESC RC REGEX CMD...: exit status RC (never a signal), one stderr line matching REGEX.
expect() {
    local desc=$1 want=$2 re=$3; shift 3
    CHECKS=$((CHECKS + 1))
    "$@" >"$TMP/out" 2>"$TMP/err"
    local rc=$?
    if [ "$rc" -ne "$want" ] || [ "$(wc -l <"$TMP/err")" -ne 1 ] || ! grep -Eq -- "$re" "$TMP/err"; then
        fail "$desc: exit $rc (want $want), stderr: $(cat "$TMP/err")"
    fi
}
nothing_left() {
    CHECKS=$((CHECKS + 1))
    local left; left=$(ls -A /dev/shm)
    [ -z "$left" ] || fail "$1: left in /dev/shm: $left"
}

# 1. A section larger than the whole tmpfs: -create says so and leaves nothing.
expect "counters -create, 65536 channels on 1 MiB" 1 \
    '^counters: section "big": not enough space in /dev/shm for its [0-9]+ bytes' \
    "$COUNTERS" --section big -create -max_channels=65536
nothing_left "counters -create"
# 2. A writer (the MTA) creating it: a clean error, exit 1, no SIGBUS.
dd if=/dev/zero of=/dev/shm/junk bs=64k count=8 status=none
expect "a writer auto-creating a section on a nearly full /dev/shm" 1 'section "big2": not enough space in /dev/shm' \
    "$FILL" big2 base
rm -f /dev/shm/junk
nothing_left "writer"
# 3. A registry producer likewise.
expect "a registry producer, registry larger than /dev/shm" 1 'registry "reg": not enough space in /dev/shm' \
    "$PRODUCER" reg accept imapstat 1
nothing_left "registry producer"
# 4. A section that fits is created whole: its pages are reserved at once.
CHECKS=$((CHECKS + 1))
"$COUNTERS" --section fits -create || fail "counters -create of a section that fits"
blocks=$(stat -c %b /dev/shm/fits) size=$(stat -c %s /dev/shm/fits)
[ $((blocks * 512)) -ge "$size" ] || fail "section created sparse: $blocks blocks for $size bytes"
# ... and once /dev/shm is full, writers and readers of it keep working: no page is missing.
dd if=/dev/zero of=/dev/shm/filler bs=4k status=none 2>/dev/null
CHECKS=$((CHECKS + 1))
"$FILL" fits base >/dev/null 2>"$TMP/err" || fail "a writer of a reserved section on a full tmpfs: $(cat "$TMP/err")"
CHECKS=$((CHECKS + 1))
"$COUNTERS" --section fits -show >/dev/null 2>"$TMP/err" || fail "reading a reserved section: $(cat "$TMP/err")"
# 5. A sparse section (as an older version made them: pages unbacked) on a full tmpfs: the
# writer refuses it cleanly instead of dying of SIGBUS on its first event.
rm -f /dev/shm/filler /dev/shm/fits
"$COUNTERS" --section sparse -create || fail "create sparse"
fallocate --punch-hole --offset 65536 --length 262144 /dev/shm/sparse || fail "punch a hole"
dd if=/dev/zero of=/dev/shm/filler bs=4k status=none 2>/dev/null
expect "a writer of a sparse section on a full tmpfs" 1 'section "sparse": not enough space in /dev/shm' \
    "$FILL" sparse base
rm -f /dev/shm/filler /dev/shm/sparse
nothing_left "the end"
echo "full_shm.sh: $CHECKS checks, $FAILS failed"
[ "$FAILS" -eq 0 ]
INNER

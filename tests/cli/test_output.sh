# SPDX-License-Identifier: MIT
# -output=FILE: written (overwritten) instead of standard output; unwritable files named.
TAG=out
. "$(dirname "$0")/lib.sh"

ok "fill" "$FILL" "$S" base
quiet "-output=FILE" "$COUNTERS" --section "$S" -show "-output=$TMP/o.txt"
same "file content" "$SRC/expected/base.txt" "$TMP/o.txt"
head -c 100000 /dev/zero | tr '\0' x >"$TMP/long.txt"
quiet "overwrites a longer file" "$COUNTERS" --section "$S" -show "-output=$TMP/long.txt"
same "overwritten" "$SRC/expected/base.txt" "$TMP/long.txt"
quiet "--output FILE" "$COUNTERS" --section "$S" --show --output "$TMP/o2.txt"
same "--output FILE" "$SRC/expected/base.txt" "$TMP/o2.txt"
quiet "json to a file" "$COUNTERS" --section "$S" -show -format=json "-output=$TMP/o.json"
ok "json file valid" "$JSON_CHECK" "$TMP/o.json" /format_version=1 /channels#=5

bad "missing directory" 1 "counters: cannot open \"$TMP/nodir/o.txt\": No such file or directory" \
    "$COUNTERS" --section "$S" -show "-output=$TMP/nodir/o.txt"
if [ -w /dev/full ]; then
    bad "full device" 1 'counters: cannot write "/dev/full": No space left on device' \
        "$COUNTERS" --section "$S" -show -output=/dev/full
    bad "full standard output" 1 'counters: cannot write standard output: No space left on device' \
        bash -c '"$0" --section "$1" -show >/dev/full' "$COUNTERS" "$S"
fi
if [ "$(id -u)" -ne 0 ]; then
    : >"$TMP/ro.txt"
    chmod 0444 "$TMP/ro.txt"
    bad "read-only file" 1 "counters: cannot open \"$TMP/ro.txt\": Permission denied" \
        "$COUNTERS" --section "$S" -show "-output=$TMP/ro.txt"
fi

# A failing -show leaves an existing output file alone.
echo keep >"$TMP/keep.txt"
bad "missing section" 1 "counters: section \"$S2\": does not exist" \
    "$COUNTERS" --section "$S2" -show "-output=$TMP/keep.txt"
CHECKS=$((CHECKS + 1))
[ "$(cat "$TMP/keep.txt")" = keep ] || fail "output file touched by a failing -show"
finish

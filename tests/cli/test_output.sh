# SPDX-License-Identifier: MIT
# -output=FILE: written (overwritten) instead of standard output; unwritable files named;
# replaced atomically (a temporary file renamed over it) in every format.
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

# Atomic replacement: a new inode each time (renamed over, not truncated), no temporary file
# left, mode 0644 less the umask for a new file, an existing file's mode kept, a symbolic
# link's target replaced and the link kept.
mkdir "$TMP/at"
for fmt in text json prometheus; do
    quiet "$fmt: first write" "$COUNTERS" --section "$S" -show "-format=$fmt" "-output=$TMP/at/o.$fmt"
    before=$(stat -c %i "$TMP/at/o.$fmt")
    quiet "$fmt: second write" "$COUNTERS" --section "$S" -show "-format=$fmt" "-output=$TMP/at/o.$fmt"
    CHECKS=$((CHECKS + 1))
    [ "$(stat -c %i "$TMP/at/o.$fmt")" != "$before" ] || fail "$fmt: -output rewrote the file in place"
done
same "atomic text content" "$SRC/expected/base.txt" "$TMP/at/o.text"
CHECKS=$((CHECKS + 1))
[ "$(ls -A "$TMP/at" | grep -c .)" = 3 ] || fail "temporary files left: $(ls -A "$TMP/at")"
CHECKS=$((CHECKS + 1))
(umask 027 && "$COUNTERS" --section "$S" -show "-output=$TMP/at/u027.txt")
[ "$(stat -c %a "$TMP/at/u027.txt")" = 640 ] || fail "umask 027: mode $(stat -c %a "$TMP/at/u027.txt"), want 640"
CHECKS=$((CHECKS + 1))
(umask 022 && "$COUNTERS" --section "$S" -show "-output=$TMP/at/u022.txt")
[ "$(stat -c %a "$TMP/at/u022.txt")" = 644 ] || fail "umask 022: mode $(stat -c %a "$TMP/at/u022.txt"), want 644"
chmod 0600 "$TMP/at/u022.txt"
quiet "rewrite keeps the mode" "$COUNTERS" --section "$S" -show "-output=$TMP/at/u022.txt"
CHECKS=$((CHECKS + 1))
[ "$(stat -c %a "$TMP/at/u022.txt")" = 600 ] || fail "rewrite: mode $(stat -c %a "$TMP/at/u022.txt"), want 600"
echo old >"$TMP/at/target.txt"
ln -s target.txt "$TMP/at/link.txt"
quiet "through a symbolic link" "$COUNTERS" --section "$S" -show "-output=$TMP/at/link.txt"
CHECKS=$((CHECKS + 1))
[ -L "$TMP/at/link.txt" ] || fail "the symbolic link was replaced"
same "link target replaced" "$SRC/expected/base.txt" "$TMP/at/target.txt"
# A reader never sees part of a file: while -show rewrites it 40 times, every read of it is
# whole (the old text or the new one; with truncate-and-write a reader sees short files).
"$COUNTERS" --section "$S" -show -format=json "-output=$TMP/at/live.json"
want=$(wc -c <"$TMP/at/live.json")
( for _ in $(seq 40); do "$COUNTERS" --section "$S" -show -format=json "-output=$TMP/at/live.json"; done ) &
writer=$!
short=0
while kill -0 "$writer" 2>/dev/null; do
    n=$(wc -c <"$TMP/at/live.json" 2>/dev/null || echo 0)
    [ "$n" = "$want" ] || short=$((short + 1))
done
wait "$writer"
CHECKS=$((CHECKS + 1))
[ "$short" = 0 ] || fail "a reader saw $short partial files"
if [ "$(id -u)" -ne 0 ]; then
    mkdir "$TMP/rodir"
    echo keep >"$TMP/rodir/o.txt"
    chmod 0555 "$TMP/rodir"
    bad "read-only directory" 1 "counters: cannot open \"$TMP/rodir/o.txt\": Permission denied" \
        "$COUNTERS" --section "$S" -show "-output=$TMP/rodir/o.txt"
    CHECKS=$((CHECKS + 1))
    [ "$(cat "$TMP/rodir/o.txt")" = keep ] || fail "read-only directory: file changed"
    chmod 0755 "$TMP/rodir"
fi

# A failing -show leaves an existing output file alone.
echo keep >"$TMP/keep.txt"
bad "missing section" 1 "counters: section \"$S2\": does not exist" \
    "$COUNTERS" --section "$S2" -show "-output=$TMP/keep.txt"
CHECKS=$((CHECKS + 1))
[ "$(cat "$TMP/keep.txt")" = keep ] || fail "output file touched by a failing -show"
finish

# SPDX-License-Identifier: MIT
# --section /path in every tool: a file-backed section, created, shown, cleared and deleted
# through its path, whose numbers stay in the file once every process has gone; bad paths
# and hostile objects at a path.
# usage: test_paths.sh COUNTERS FILL JSON_CHECK SRC TOP IMSIMTA QM
TAG=paths
. "$(dirname "$0")/lib.sh"
IMSIMTA=$6 QM=$7
C=$COUNTERS
P="$TMP/site/counters"
mkdir -p "$TMP/site"

bad "-show missing" 1 "counters: section \"$P\": does not exist" "$C" --section "$P" -show
quiet "-create" "$C" --section "$P" -create
CHECKS=$((CHECKS + 1))
[ -f "$P" ] || fail "-create made no file at $P"
[ "$(stat -c %a "$P")" = 660 ] || fail "mode is $(stat -c %a "$P"), want 660"
[ -e "/dev/shm$P" ] && fail "a shared-memory object was made"
ok "fill through the path" "$FILL" "$P" base
ok "-show" "$C" --section "$P" -show
same "-show of the file" "$SRC/expected/base.txt" "$TMP/out"
ok "COUNTERS_SECTION" env COUNTERS_SECTION="$P" "$C" -show
same "COUNTERS_SECTION=path" "$SRC/expected/base.txt" "$TMP/out"
ok "imsimta counters" "$IMSIMTA" counters --section "$P" -show
same "imsimta counters --section path" "$SRC/expected/base.txt" "$TMP/out"
# Without a queue tree (a directory that does not exist) qm leaves Stored alone and says so.
COUNTERS_QUEUE="$TMP/no-queue" run "$QM" -section="$P" counters show
CHECKS=$((CHECKS + 1))
[ "$RC" = 0 ] && grep -q '^%QM-W-NOTRESET, Stored not reset' "$TMP/err" && [ "$(wc -l <"$TMP/err")" = 1 ] ||
    fail "qm counters show: exit $RC, stderr: $(cat "$TMP/err")"
CHECKS=$((CHECKS + 1))
grep -q '^tcp_local' "$TMP/out" || fail "qm counters show through a path: $(cat "$TMP/out")"
ok "json" "$C" --section "$P" -show -format=json
json_ok "json names the path" /section/name="\"$P\"" /section/channels=5

# Every process has gone: the numbers are in the file. A copy (a backup, or the file read
# after a reboot) shows the same.
cp "$P" "$TMP/site/copy"
ok "-show of a copy" "$C" --section "$TMP/site/copy" -show
same "-show of a copy" "$SRC/expected/base.txt" "$TMP/out"

quiet "-clear" "$C" --section "$P" -clear
ok "-show after -clear" "$C" --section "$P" -show -format=json
json_ok "cleared" /section/clear_count=1
run "$QM" -section="$P" counters clear
CHECKS=$((CHECKS + 1))
[ "$RC" = 0 ] && grep -q "cleared.*section \"$P\"" "$TMP/err" || fail "qm counters clear: exit $RC, $(cat "$TMP/err")"
quiet "-delete" "$C" --section "$P" -delete
CHECKS=$((CHECKS + 1))
[ -e "$P" ] && fail "-delete left $P"
quiet "-delete of the copy" "$C" --section "$TMP/site/copy" -delete

# Bad names: usage errors (2), the rule named.
bad "empty component" 2 "counters: section \"$TMP//x\": bad section name: path has an empty component ('//')" \
    "$C" --section "$TMP//x" -show
bad "trailing slash" 2 "counters: section \"$TMP/\": bad section name: path ends with '/'" \
    "$C" --section "$TMP/" -show
bad "dot-dot" 2 "counters: section \"$TMP/../x\": bad section name: path has a '..' component" \
    "$C" --section "$TMP/../x" -show
bad "relative path" 2 "counters: section \"site/x\": bad section name: only letters, digits, '.', '_' and '-' are allowed" \
    "$C" --section "site/x" -show
# What is at the path: run-time errors (1).
bad "missing directory" 1 \
    "counters: section \"$TMP/none/x\": cannot create: its directory $TMP/none cannot be used: No such file or directory" \
    "$C" --section "$TMP/none/x" -create
bad "missing directory, -show" 1 \
    "counters: section \"$TMP/none/x\": does not exist: its directory $TMP/none cannot be used: No such file or directory" \
    "$C" --section "$TMP/none/x" -show
quiet "-create target" "$C" --section "$TMP/site/target" -create
ln -s "$TMP/site/target" "$TMP/site/link"
bad "symbolic link" 1 "counters: section \"$TMP/site/link\": refusing to open: it is a symbolic link" \
    "$C" --section "$TMP/site/link" -show
run "$C" --section "$TMP/site/link" -delete
CHECKS=$((CHECKS + 1))
[ "$RC" = 1 ] && [ -L "$TMP/site/link" ] || fail "-delete of a link: exit $RC, $(cat "$TMP/err")"
quiet "-delete target" "$C" --section "$TMP/site/target" -delete
mkdir "$TMP/site/dir"
bad "directory" 1 "counters: section \"$TMP/site/dir\": is a directory, not a regular file" \
    "$C" --section "$TMP/site/dir" -show
run "$C" --section "$TMP/site/dir" -delete
CHECKS=$((CHECKS + 1))
[ "$RC" = 1 ] && [ -d "$TMP/site/dir" ] && grep -q 'a directory is never removed' "$TMP/err" ||
    fail "-delete of a directory: exit $RC, $(cat "$TMP/err")"
mkfifo "$TMP/site/fifo"
run timeout 10 "$C" --section "$TMP/site/fifo" -show
CHECKS=$((CHECKS + 1))
[ "$RC" = 1 ] && grep -q 'is a FIFO, not a regular file' "$TMP/err" || fail "FIFO: exit $RC, $(cat "$TMP/err")"
run timeout 10 "$C" --section "$TMP/site/fifo" -delete
CHECKS=$((CHECKS + 1))
[ "$RC" = 0 ] && [ ! -e "$TMP/site/fifo" ] || fail "-delete of a FIFO: exit $RC, $(cat "$TMP/err")"
head -c 100000 /dev/zero | tr '\0' 'j' >"$TMP/site/junk"
run "$C" --section "$TMP/site/junk" -show
CHECKS=$((CHECKS + 1))
[ "$RC" = 1 ] && grep -q 'not a counters section' "$TMP/err" || fail "junk: exit $RC, $(cat "$TMP/err")"
quiet "-create small" "$C" --section "$TMP/site/small" -create -max_channels=4
truncate -s 200 "$TMP/site/small"
run "$C" --section "$TMP/site/small" -show
CHECKS=$((CHECKS + 1))
[ "$RC" = 1 ] && grep -qi 'corrupt' "$TMP/err" || fail "truncated: exit $RC, $(cat "$TMP/err")"
finish

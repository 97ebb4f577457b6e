# SPDX-License-Identifier: MIT
# Missing section, -create idempotence and options, -delete then -show, corrupt sections.
TAG=life
. "$(dirname "$0")/lib.sh"
C=$COUNTERS
missing="counters: section \"$S\": does not exist"
bad "-show missing" 1 "$missing" "$C" --section "$S" -show
bad "-clear missing" 1 "$missing" "$C" --section "$S" -clear
bad "-delete missing" 1 "$missing" "$C" --section "$S" -delete
bad "-show -format=json missing" 1 "$missing" "$C" --section "$S" -show -format=json
CHECKS=$((CHECKS + 1))
[ -e "/dev/shm/$S" ] && fail "a reader created the section"

quiet "-create" "$C" --section "$S" -create
CHECKS=$((CHECKS + 1))
[ "$(stat -c %a "/dev/shm/$S")" = 660 ] || fail "default mode is $(stat -c %a "/dev/shm/$S"), want 660"
quiet "-create again" "$C" --section "$S" -create
ok "fill" "$FILL" "$S" base
# Another size asked of an existing section: kept, one warning, exit 0 (issue 11, item 13).
bad "-create on a filled section" 0 \
    "counters: warning: section \"$S\" already exists with max_channels=512 and block_size=1024, not 3 and 4096: kept as it is (delete it first to resize it)" \
    "$C" --section "$S" -create -max_channels=3 -block_size=4096
show_is "untouched by -create" "$SRC/expected/base.txt" -show
ok "json" "$C" --section "$S" -show -format=json
json_ok "sizes unchanged" /section/max_channels=512 /section/block_size=1024 /section/channels=5
quiet "-delete" "$C" --section "$S" -delete
CHECKS=$((CHECKS + 1))
[ -e "/dev/shm/$S" ] && fail "-delete left /dev/shm/$S"
bad "-show after -delete" 1 "$missing" "$C" --section "$S" -show
quiet "-create after -delete" "$C" --section "$S" -create
printf 'Channel                Messages   Recipients Blocks\n---------------------- ---------- ---------- ----------\n' >"$TMP/empty"
show_is "a new section is empty" "$TMP/empty" -show

# Creation options
quiet "-create with options" "$C" --section "$S2" -create -max_channels=3 -block_size=512 -mode=0640
CHECKS=$((CHECKS + 1))
[ "$(stat -c %a "/dev/shm/$S2")" = 640 ] || fail "mode is $(stat -c %a "/dev/shm/$S2"), want 640"
ok "json" "$C" --section "$S2" -show -format=json
json_ok "sizes" /section/max_channels=3 /section/block_size=512 /section/channels=0
quiet "-delete" "$C" --section "$S2" -delete
quiet "-group=GID" "$C" --section "$S2" -create "-group=$(id -g)"
CHECKS=$((CHECKS + 1))
[ "$(stat -c %g "/dev/shm/$S2")" = "$(id -g)" ] || fail "group is $(stat -c %g "/dev/shm/$S2")"
quiet "-delete" "$C" --section "$S2" -delete
quiet "-group=NAME" "$C" --section "$S2" -create "-group=$(id -gn)"
quiet "-delete" "$C" --section "$S2" -delete
bad "unknown group" 1 'counters: -group: unknown group "no_such_group_xyz"' \
    "$C" --section "$S2" -create -group=no_such_group_xyz
CHECKS=$((CHECKS + 1))
[ -e "/dev/shm/$S2" ] && fail "-create with an unknown group created the section"

# A foreign object under the name: one clear line, exit 1, never a crash; -delete removes it.
head -c 8192 /dev/zero | tr '\0' Z >"/dev/shm/$S2"
for action in -show -clear -create; do
    CHECKS=$((CHECKS + 1))
    run "$C" --section "$S2" $action
    [ "$RC" -eq 1 ] || fail "foreign section $action: exit $RC, want 1"
    [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "^counters: section \"$S2\": " "$TMP/err" ||
        fail "foreign section $action: stderr $(cat "$TMP/err")"
done
quiet "-delete a foreign section" "$C" --section "$S2" -delete
CHECKS=$((CHECKS + 1))
[ -e "/dev/shm/$S2" ] && fail "-delete left a foreign section"
# A truncated one.
: >"/dev/shm/$S2"
CHECKS=$((CHECKS + 1))
run "$C" --section "$S2" -show
[ "$RC" -eq 1 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "empty section: exit $RC, stderr $(cat "$TMP/err")"
rm -f "/dev/shm/$S2"

if [ "$(id -u)" -ne 0 ]; then
    quiet "-create -mode=0200" "$C" --section "$S2" -create -mode=0200
    bad "permission" 1 "counters: section \"$S2\": permission denied" "$C" --section "$S2" -show
fi
finish

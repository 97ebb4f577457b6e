# SPDX-License-Identifier: MIT
# Planted objects: a symbolic link in place of a section, and a world-writable section owned
# by another user that an unprivileged writer must refuse to write into (and believe).
TAG=refuse
. "$(dirname "$0")/lib.sh"
C=$COUNTERS
REAL=${P}real LINK=${P}link OTHER=${P}other

quiet "-create" "$C" --section "$REAL" -create -mode=0644
ok "fill" "$FILL" "$REAL" base
ln -s "/dev/shm/$REAL" "/dev/shm/$LINK"
symlink="counters: section \"$LINK\": refusing to open: it is a symbolic link"
for action in -show -clear -delete -create; do
    bad "root $action through a symlink" 1 "$symlink" "$C" --section "$LINK" $action
    bad "nobody $action through a symlink" 1 "$symlink" as_nobody "$C" --section "$LINK" $action
done
bad "root -show -format=json through a symlink" 1 "$symlink" "$C" --section "$LINK" -show -format=json
run "$FILL" "$LINK" base
CHECKS=$((CHECKS + 1))
[ "$RC" -eq 1 ] && [ "$(cat "$TMP/err")" = "fill_section: section \"$LINK\": refusing to open: it is a symbolic link" ] ||
    fail "a writer through a symlink: exit $RC, stderr $(cat "$TMP/err")"
check "the link is still a link" test -L "/dev/shm/$LINK"
ok "the real section is untouched" "$C" --section "$REAL" -show -format=json
json_ok "untouched" /section/clear_count=0 /channels/0/counters/received_messages=4

# A world-writable section owned by another user (daemon): nobody's writer refuses it, with
# the owner in the message; reading it stays harmless (read-only, validated).
quiet "-create other" "$C" --section "$OTHER" -create -mode=0666
ok "fill other" "$FILL" "$OTHER" base
chown daemon:daemon "/dev/shm/$OTHER"
chmod 0666 "/dev/shm/$OTHER"
uid=$(id -u daemon) gid=$(id -g daemon)
refuse="section \"$OTHER\": refusing to write: owned by uid $uid and group $gid, neither this user, root, nor one of this user's groups (or world-writable)"
run as_nobody "$FILL" "$OTHER" base
CHECKS=$((CHECKS + 1))
[ "$RC" -eq 1 ] && [ "$(cat "$TMP/err")" = "fill_section: $refuse" ] ||
    fail "nobody writing a planted section: exit $RC, stderr $(printf %q "$(cat "$TMP/err")")"
bad "nobody -clear a planted section" 1 "counters: $refuse" as_nobody "$C" --section "$OTHER" -clear
bad "nobody -delete a planted section" 1 "counters: $refuse" as_nobody "$C" --section "$OTHER" -delete
check "still there" test -e "/dev/shm/$OTHER"
warned "nobody may read it, warned" "$OTHER" as_nobody "$C" --section "$OTHER" -show -format=json
json_ok "nothing written by nobody" /section/clear_count=0 /channels/0/counters/received_messages=4
# The same section in nobody's group, not world-writable: the MTA group's case, trusted.
chown daemon:"$NOBODY_GROUP" "/dev/shm/$OTHER"
chmod 0660 "/dev/shm/$OTHER"
ok "nobody writes a group section" as_nobody "$FILL" "$OTHER" base
# Root reads it, warned: daemon's section in nogroup is not root's to trust.
warned "json" "$OTHER" "$C" --section "$OTHER" -show -format=json
json_ok "counted" /channels/0/counters/received_messages=8
# ... but not once it is world-writable again, even as a member of its group.
chmod 0666 "/dev/shm/$OTHER"
refuse_g="section \"$OTHER\": refusing to write: owned by uid $uid and group $NOBODY_GID, neither this user, root, nor one of this user's groups (or world-writable)"
run as_nobody "$FILL" "$OTHER" base
CHECKS=$((CHECKS + 1))
[ "$RC" -eq 1 ] && [ "$(cat "$TMP/err")" = "fill_section: $refuse_g" ] ||
    fail "nobody writing a world-writable group section: exit $RC, stderr $(printf %q "$(cat "$TMP/err")")"
finish

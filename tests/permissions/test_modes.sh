# SPDX-License-Identifier: MIT
# Modes set by `counters -create`, and what a user who may only read, or not even read, can do.
TAG=modes
. "$(dirname "$0")/lib.sh"
C=$COUNTERS
D=${P}default R=${P}group W=${P}world N=${P}new

# Default mode 0660, owned by the creator and its group.
quiet "-create" "$C" --section "$D" -create
mode_is "default mode" "$D" 660 root root
# -mode and -group (by name).
quiet "-create -mode=0640 -group=$NOBODY_GROUP" "$C" --section "$R" -create -mode=0640 "-group=$NOBODY_GROUP"
mode_is "-mode=0640 -group" "$R" 640 root "$NOBODY_GROUP"
quiet "-create -mode=0644" "$C" --section "$W" -create -mode=0644
mode_is "-mode=0644" "$W" 644 root root
for s in "$D" "$R" "$W"; do ok "fill $s" "$FILL" "$s" base; done

# Read access through the group (0640) and through the other bits (0644): -show works and
# prints what root sees (the section is opened read-only).
for s in "$R" "$W"; do
    ok "root -show $s" "$C" --section "$s" -show
    cp "$TMP/out" "$TMP/want"
    ok "nobody -show $s" as_nobody "$C" --section "$s" -show
    same "nobody sees what root sees in $s" "$TMP/want" "$TMP/out"
    ok "nobody -show -format=json $s" as_nobody "$C" --section "$s" -show -format=json
    json_ok "nobody reads the figures of $s" /section/channels=5 /channels/0/name=\"tcp_local\"
done
# ... but may not write: -clear, -delete and a writer fail with one line, exit 1, and
# change nothing.
for s in "$R" "$W"; do
    bad "nobody -clear $s" 1 "counters: section \"$s\": cannot open: Permission denied" \
        as_nobody "$C" --section "$s" -clear
    bad "nobody -clear -associations $s" 1 "counters: section \"$s\": cannot open: Permission denied" \
        as_nobody "$C" --section "$s" -clear -associations
    bad "nobody -delete $s" 1 "counters: section \"$s\": cannot open: Permission denied" \
        as_nobody "$C" --section "$s" -delete
    check "-delete by nobody left $s" test -e "/dev/shm/$s"
    bad "nobody -create on $s" 1 "counters: section \"$s\": cannot open: Permission denied" \
        as_nobody "$C" --section "$s" -create
    run as_nobody "$FILL" "$s" base
    CHECKS=$((CHECKS + 1))
    [ "$RC" -eq 1 ] && [ "$(cat "$TMP/err")" = "fill_section: section \"$s\": cannot open: Permission denied" ] ||
        fail "nobody writing $s: exit $RC, stderr $(cat "$TMP/err")"
    ok "root -show $s after nobody's attempts" "$C" --section "$s" -show -format=json
    json_ok "$s unchanged" /section/clear_count=0 /channels/0/counters/received_messages=4
done

# No read access (0660 root:root): one line naming the cause, exit 1, for every action.
for action in -show -clear -delete -create; do
    bad "nobody $action on an unreadable section" 1 \
        "counters: section \"$D\": cannot open: Permission denied" as_nobody "$C" --section "$D" $action
done
bad "nobody -show -format=json on an unreadable section" 1 \
    "counters: section \"$D\": cannot open: Permission denied" as_nobody "$C" --section "$D" -show -format=json
check "-delete by nobody left $D" test -e "/dev/shm/$D"

# nobody creates a section of its own: default mode, nobody's user and group; nobody may
# then write, clear and delete it, and root may read it.
quiet "nobody -create" as_nobody "$C" --section "$N" -create
mode_is "nobody's new section" "$N" 660 nobody "$NOBODY_GROUP"
ok "nobody fills its section" as_nobody "$FILL" "$N" base
quiet "nobody -clear its section" as_nobody "$C" --section "$N" -clear
# Root reads it, and says that a writer would not trust it (root included).
warned "root reads nobody's section" "$N" "$C" --section "$N" -show -format=json
json_ok "cleared once" /section/clear_count=1
quiet "nobody -delete its section" as_nobody "$C" --section "$N" -delete
check "nobody's -delete removed $N" test ! -e "/dev/shm/$N"
finish

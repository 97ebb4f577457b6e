# SPDX-License-Identifier: MIT
# The text table byte-for-byte, with every combination of -headers/-channels/-associations.
TAG=layout
. "$(dirname "$0")/lib.sh"

ok "fill" "$FILL" "$S" base
show_is "-show, all channels" "$SRC/expected/base.txt" -show
COUNTERS_SECTION=$S ok "section from COUNTERS_SECTION" "$COUNTERS" -show && same "env section" "$SRC/expected/base.txt" "$TMP/out"
show_is "explicit defaults" "$SRC/expected/base.txt" -show -headers -channels -associations '*'

H='Channel                Messages   Recipients Blocks
---------------------- ---------- ---------- ----------
'
N='tcp_local
'
R='   Received                  4          4          4
   Stored                    1          1          1
   Delivered                 3          3          3 (3 first time)
   Submitted                10         20         20
   Attempted                 2          2          2
   Rejected                  3         15          9
   Failed                    1          1          1

   Queue time/count        3/3 = 1.00
   Queue first time/count  3/3 = 1.00
'
A='   Total In Assocs                6
   Total Out Assocs               2
'
for h in headers noheaders; do
    for c in channels nochannels; do
        for a in associations noassociations; do
            want=""
            [ $h = headers ] && want+=$H
            want+=$N
            [ $c = channels ] && want+=$R
            [ $c = channels ] && [ $a = associations ] && want+=$'\n'
            [ $a = associations ] && want+=$A
            printf '%s' "$want" >"$TMP/want"
            show_is "-$h -$c -$a" "$TMP/want" -show -$h -$c -$a tcp_local
        done
    done
done

# Later options win over earlier ones.
printf '%s' "$N$A" >"$TMP/want"
show_is "last spelling wins" "$TMP/want" -show -headers -noheaders -nochannels tcp_local
# No trailing spaces anywhere, and no line longer than the widest figure needs.
ok "show" "$COUNTERS" --section "$S" -show
CHECKS=$((CHECKS + 1))
grep -n ' $' "$TMP/out" >&2 && fail "trailing spaces"
finish

# SPDX-License-Identifier: MIT
# -show -minimums (issue 11, item 15): below each line of the text table, the minimums of its
# counters in the same columns; the same through `imsimta counters` and `qm counters show`.
# Extra arguments: IMSIMTA QM.
TAG=min
. "$(dirname "$0")/lib.sh"
IMSIMTA=$6 QM=$7

ok "fill" "$FILL" "$S" base
quiet "-clear" "$COUNTERS" --section "$S" -clear
ok "drain" "$FILL" "$S" drain

show_is "-minimums, exact" "$SRC/expected/minimums.txt" -show -minimums ims-ms
show_is "-MIN abbreviated, any case" "$SRC/expected/minimums.txt" -SHOW -MIN ims-ms

# Without -minimums, the same table without the minimum lines: nothing else moves.
grep -v '^     minimum' "$SRC/expected/minimums.txt" >"$TMP/plain"
show_is "without -minimums" "$TMP/plain" -show ims-ms

# -absolute changes the values, never the minimums shown below them.
sed 's/^   Stored .*/   Stored                    1          1          1/' "$SRC/expected/minimums.txt" >"$TMP/abs"
show_is "-minimums -absolute" "$TMP/abs" -show -minimums -absolute ims-ms

# The display options apply to the minimum lines too.
sed -n '/^   Total/,$p' "$SRC/expected/minimums.txt" | sed '1i ims-ms' >"$TMP/assoc"
show_is "-minimums -nochannels -noheaders" "$TMP/assoc" -show -minimums -nochannels -noheaders ims-ms

# The JSON document does not change (it always has the minimums).
ok "json" "$COUNTERS" --section "$S" -show -format=json ims-ms
sed '/"cleared"/d' "$TMP/out" >"$TMP/json1"
ok "json -minimums" "$COUNTERS" --section "$S" -show -format=json -minimums ims-ms
sed '/"cleared"/d' "$TMP/out" >"$TMP/json2"
same "json with and without -minimums" "$TMP/json1" "$TMP/json2"

bad "-minimums with -clear" 2 "counters: -minimums is not valid with -clear" "$COUNTERS" --section "$S" -clear -minimums
bad "-minimums with -create" 2 "counters: -minimums is not valid with -create" "$COUNTERS" --section "$S" -create -minimums

# imsimta counters is the same tool.
ok "imsimta counters -show -minimums" "$IMSIMTA" counters --section "$S" -show -minimums ims-ms
same "imsimta counters -show -minimums" "$SRC/expected/minimums.txt" "$TMP/out"

# qm counters show shares the renderer. qm may first set Stored from a queue tree (here an
# empty one), so its table is compared with what `counters -show -minimums` prints right after.
mkdir -p "$TMP/queue"
CHECKS=$((CHECKS + 1))
COUNTERS_QUEUE=$TMP/queue "$QM" -section="$S" counters show -minimums ims-ms >"$TMP/qm_out" 2>"$TMP/qm_err"
rc=$?
[ "$rc" -eq 0 ] || fail "qm counters show -minimums: exit $rc, stderr: $(cat "$TMP/qm_err")"
ok "counters after qm" "$COUNTERS" --section "$S" -show -minimums ims-ms
same "qm counters show -minimums = counters -show -minimums" "$TMP/out" "$TMP/qm_out"
CHECKS=$((CHECKS + 1))
[ "$(grep -c '^     minimum' "$TMP/qm_out")" -eq 11 ] || fail "qm: $(grep -c '^     minimum' "$TMP/qm_out") minimum lines, want 11"
finish

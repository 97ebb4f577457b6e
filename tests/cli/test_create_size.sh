# SPDX-License-Identifier: MIT
# -create -max_channels=N / -block_size=N on an existing section of another size (issue 11,
# item 13): the section is kept, one warning line says so, and the exit status is 0; the
# same through `imsimta counters -create` and `qm counters create`. Extra arguments: IMSIMTA QM.
TAG=size
. "$(dirname "$0")/lib.sh"
IMSIMTA=$6 QM=$7

quiet "create 64" "$COUNTERS" --section "$S" -create -max_channels=64
quiet "again, same size" "$COUNTERS" --section "$S" -create -max_channels=64
quiet "again, no size asked" "$COUNTERS" --section "$S" -create
quiet "again, same block size" "$COUNTERS" --section "$S" -create -block_size=1024

W="section \"$S\" already exists with"
bad "another max_channels" 0 "counters: warning: $W max_channels=64, not 128: kept as it is (delete it first to resize it)" \
    "$COUNTERS" --section "$S" -create -max_channels=128
bad "another block size" 0 "counters: warning: $W block_size=1024, not 4096: kept as it is (delete it first to change it)" \
    "$COUNTERS" --section "$S" -create -block_size=4096
bad "both" 0 "counters: warning: $W max_channels=64 and block_size=1024, not 128 and 4096: kept as it is (delete it first to resize it)" \
    "$COUNTERS" --section "$S" -create -max_channels=128 -block_size=4096
bad "only the one that differs" 0 "counters: warning: $W max_channels=64, not 65536: kept as it is (delete it first to resize it)" \
    "$COUNTERS" --section "$S" -create -max_ch=65536 -block_size=1024
bad "imsimta counters -create" 0 "imsimta counters: warning: $W max_channels=64, not 128: kept as it is (delete it first to resize it)" \
    "$IMSIMTA" counters --section "$S" -create -max_channels=128

# Kept as it was.
ok "json" "$COUNTERS" --section "$S" -show -format=json
json_ok "still 64 channels" /section/max_channels=64 /section/block_size=1024

# qm counters create: a %QM-W- line (qm's own messages), exit 0, section kept.
mkdir -p "$TMP/queue"
CHECKS=$((CHECKS + 1))
COUNTERS_QUEUE=$TMP/queue "$QM" -section="$S" counters create -max_channels=128 >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" -eq 0 ] || fail "qm counters create: exit $rc"
grep -qxF "%QM-W-EXISTS, $W max_channels=64, not 128: kept as it is (delete it first to resize it)" "$TMP/err" ||
    fail "qm counters create: stderr $(cat "$TMP/err")"
CHECKS=$((CHECKS + 1))
COUNTERS_QUEUE=$TMP/queue "$QM" -section="$S" counters create -max_channels=64 >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" -eq 0 ] || fail "qm counters create, same size: exit $rc"
grep -qxF "%QM-I-EXISTS, section \"$S\" already exists" "$TMP/err" || fail "qm counters create, same size: $(cat "$TMP/err")"
grep -q 'QM-W-EXISTS' "$TMP/err" && fail "qm counters create, same size, warns: $(cat "$TMP/err")"
ok "json" "$COUNTERS" --section "$S" -show -format=json
json_ok "still 64 channels after qm" /section/max_channels=64

# Deleting and creating again is how it is resized.
quiet "delete" "$COUNTERS" --section "$S" -delete
quiet "create 128" "$COUNTERS" --section "$S" -create -max_channels=128
ok "json" "$COUNTERS" --section "$S" -show -format=json
json_ok "now 128 channels" /section/max_channels=128
finish

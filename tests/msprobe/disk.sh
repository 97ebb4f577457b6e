#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# msprobe --once measures a partition and the queue directory: counterutil -o diskusage
# shows availSpace and totalSpace in KiB and percentAvail as df(1) counts them; a directory
# that cannot be measured is logged and records nothing.
# usage: disk.sh SOURCE_DIR MSPROBE COUNTERUTIL
SRC=$1 MSPROBE=$2 COUNTERUTIL=$3
. "$SRC/tests/msprobe/lib.sh"
mkdir -p "$D/mail" "$D/queue"
cat >"$D/msprobe.conf" <<CONF
alarm.serverresponse.statinterval = 0
alarm.diskavail.msgalarmthreshold = 0
store.partition.primary.path = $D/mail
store.partition.gone/2.path = $D/no-such-dir
local.queuedir = $D/queue
local.msprobe.statedir = $D
CONF
"$MSPROBE" --once --config "$D/msprobe.conf" --registry "$REG" 2>"$D/once.log"
rc=$?
[ "$rc" = 0 ] || fail "msprobe --once exited $rc"
"$COUNTERUTIL" -o diskusage -n 1 -r "$REG" >"$D/diskusage.out" 2>&1
cat "$D/diskusage.out"

# df's figures (1K blocks): size, available, and use% -> available% = 100 - use% (df rounds
# the use up, msprobe the availability down).
read -r size avail pcent < <(df -k --output=size,avail,pcent "$D/mail" | tail -1 | tr -d '%')
for inst in primary queue; do
    t=$(field diskusage "$inst.totalSpace")
    a=$(field diskusage "$inst.availSpace")
    p=$(field diskusage "$inst.percentAvail")
    [ "$t" = "$size" ] || fail "$inst: totalSpace '$t' KiB, df says $size"
    # other tests write to the same file system meanwhile: allow 64 MiB of movement
    [[ "$a" =~ ^[0-9]+$ ]] && [ $((a > avail ? a - avail : avail - a)) -lt 65536 ] ||
        fail "$inst: availSpace '$a' KiB, df says $avail"
    [[ "$p" =~ ^[0-9]+$ ]] && [ $((p + pcent)) -ge 99 ] && [ $((p + pcent)) -le 101 ] ||
        fail "$inst: percentAvail '$p', df says ${pcent}% used"
    [ -n "$(field diskusage "$inst.lastStatTime")" ] || fail "$inst: no lastStatTime"
done
[ "$(field diskusage primary.mailPartitionPath)" = "$D/mail" ] || fail "primary: mailPartitionPath"
[ "$(field diskusage queue.mailPartitionPath)" = "$D/queue" ] || fail "queue: mailPartitionPath"
grep -q '^gone_2\.' "$D/diskusage.out" && fail "a directory that does not exist got an instance"
grep -q "^msprobe: error: disk gone_2: cannot stat $D/no-such-dir: No such file or directory (nothing recorded)" \
    "$D/once.log" || fail "the missing directory is not in the log"
grep -q "^msprobe: disk primary ($D/mail): [0-9.]* % available ([0-9]* of $size KiB)" "$D/once.log" ||
    fail "no disk line for primary in the log"

# Only directories that cannot be measured, and no probes: nothing recorded, exit 1.
printf 'alarm.serverresponse.statinterval = 0\nstore.partition.x.path = %s\nlocal.msprobe.statedir = %s\n' \
    "$D/no-such-dir" "$D" >"$D/none.conf"
"$MSPROBE" --once --config "$D/none.conf" --registry "$REG" 2>"$D/none.log"
rc=$?
[ "$rc" = 1 ] || fail "a round that recorded nothing exited $rc, not 1"
grep -q '^msprobe: error: nothing recorded' "$D/none.log" || fail "no 'nothing recorded' line"
finish disk

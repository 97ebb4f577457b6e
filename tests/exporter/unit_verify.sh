#!/bin/bash
# SPDX-License-Identifier: MIT
# The systemd unit of counters-exporter parses without a single complaint (systemd-analyze
# verify prints warnings but exits 0 on unknown or bad values, so any output fails), keeps its
# sandbox, and starts the exporter with no option the program refuses.
# usage: unit_verify.sh UNIT EXPORTER
set -u
unit=$1 exporter=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v systemd-analyze >/dev/null || { echo "systemd-analyze is required for this test"; exit 1; }
# The binary need not be installed: the unit is checked with ExecStart pointing at true(1).
sed 's|^ExecStart=[^ ]*|ExecStart=/bin/true|' "$unit" >"$tmp/counters-exporter.service"
out=$(systemd-analyze verify --man=no "$tmp/counters-exporter.service" 2>&1)
rc=$?
[ "$rc" = 0 ] && [ -z "$out" ] || { echo "systemd-analyze verify: exit $rc: $out"; exit 1; }
for want in ProtectSystem=strict ReadOnlyPaths=/dev/shm DynamicUser=yes NoNewPrivileges=yes CapabilityBoundingSet= \
    ProtectHome=yes PrivateTmp=yes 'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' MemoryDenyWriteExecute=yes \
    'SystemCallFilter=@system-service'; do
    grep -qx "$want" "$unit" || { echo "the unit lacks $want"; exit 1; }
done
grep -q '^PrivateNetwork=yes' "$unit" && { echo "PrivateNetwork=yes would cut the exporter off the network"; exit 1; }
grep -q '^ReadWritePaths=.*/dev/shm' "$unit" && { echo "the exporter only reads /dev/shm"; exit 1; }
# The command line of ExecStart is one the exporter takes (checked with --help appended: the
# options are parsed, then the usage is printed and it exits 0).
cmd=$(sed -n 's|^ExecStart=/usr/sbin/counters-exporter||p' "$unit")
[ -n "$(sed -n '/^ExecStart=\/usr\/sbin\/counters-exporter/p' "$unit")" ] || { echo "ExecStart is not /usr/sbin/counters-exporter"; exit 1; }
# shellcheck disable=SC2086
"$exporter" $cmd --help >/dev/null 2>"$tmp/err" || { echo "ExecStart's options are refused: $(cat "$tmp/err")"; exit 1; }
echo "unit: OK"

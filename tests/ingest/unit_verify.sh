#!/bin/bash
# SPDX-License-Identifier: MIT
# The systemd unit parses without a single complaint (systemd-analyze verify prints warnings
# but exits 0 on unknown or bad values, so any output fails), and keeps its sandbox.
# usage: unit_verify.sh UNIT
set -u
unit=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v systemd-analyze >/dev/null || { echo "systemd-analyze is required for this test"; exit 1; }
# The binary need not be installed: the unit is checked with ExecStart pointing at true(1).
sed 's|^ExecStart=[^ ]*|ExecStart=/bin/true|' "$unit" >"$tmp/counters-ingest.service"
out=$(systemd-analyze verify --man=no "$tmp/counters-ingest.service" 2>&1)
rc=$?
[ "$rc" = 0 ] && [ -z "$out" ] || { echo "systemd-analyze verify: exit $rc: $out"; exit 1; }
for want in ProtectSystem=strict ReadWritePaths=/dev/shm StateDirectory=counters-ingest NoNewPrivileges=yes \
    PrivateNetwork=yes CapabilityBoundingSet= ProtectHome=yes; do
    grep -qx "$want" "$unit" || { echo "the unit lacks $want"; exit 1; }
done
grep -q '^ExecStart=/usr/sbin/counters-ingest .*--state /var/lib/counters-ingest/state' "$unit" ||
    { echo "ExecStart does not use the state directory"; exit 1; }
echo "unit: OK"

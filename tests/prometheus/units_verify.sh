#!/bin/bash
# SPDX-License-Identifier: MIT
# counters-textfile.service and .timer parse without a single complaint (systemd-analyze
# verify prints warnings but exits 0 on unknown or bad values, so any output fails), the
# service keeps its sandbox, and it writes with -output into the textfile directory.
# usage: units_verify.sh SERVICE TIMER
set -u
service=$1
timer=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v systemd-analyze >/dev/null || { echo "systemd-analyze is required for this test"; exit 1; }
# The binary need not be installed: the unit is checked with ExecStart pointing at true(1).
sed 's|^ExecStart=[^ ]*|ExecStart=/bin/true|' "$service" >"$tmp/counters-textfile.service"
cp "$timer" "$tmp/counters-textfile.timer"
out=$(systemd-analyze verify --man=no "$tmp/counters-textfile.service" "$tmp/counters-textfile.timer" 2>&1)
rc=$?
[ "$rc" = 0 ] && [ -z "$out" ] || { echo "systemd-analyze verify: exit $rc: $out"; exit 1; }
for want in Type=oneshot ProtectSystem=strict ReadWritePaths=/var/lib/prometheus/node-exporter NoNewPrivileges=yes \
    PrivateNetwork=yes ProtectHome=yes UMask=0022; do
    grep -qx "$want" "$service" || { echo "the service lacks $want"; exit 1; }
done
grep -q '^ExecStart=/usr/bin/counters -show -format=prometheus -output=/var/lib/prometheus/node-exporter/[a-z_-]*\.prom$' \
    "$service" || { echo "ExecStart does not write a .prom file with -output"; exit 1; }
grep -qx 'OnUnitActiveSec=15s' "$timer" || { echo "the timer does not run every 15 s"; exit 1; }
echo "units: OK"

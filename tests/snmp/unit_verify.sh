#!/bin/bash
# SPDX-License-Identifier: MIT
# The systemd unit of counters-snmpd parses without a single complaint (systemd-analyze
# verify prints warnings but exits 0 on unknown or bad values, so any output fails), and
# keeps its sandbox.
# usage: unit_verify.sh UNIT
set -u
unit=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v systemd-analyze >/dev/null || { echo "systemd-analyze is required for this test"; exit 1; }
# The binary need not be installed: the unit is checked with ExecStart pointing at true(1).
sed 's|^ExecStart=[^ ]*|ExecStart=/bin/true|' "$unit" >"$tmp/counters-snmpd.service"
out=$(systemd-analyze verify --man=no "$tmp/counters-snmpd.service" 2>&1)
rc=$?
[ "$rc" = 0 ] && [ -z "$out" ] || { echo "systemd-analyze verify: exit $rc: $out"; exit 1; }
for want in ProtectSystem=strict ProtectHome=yes PrivateTmp=yes NoNewPrivileges=yes CapabilityBoundingSet= \
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' RuntimeDirectory=counters-snmpd \
    Environment=SNMP_PERSISTENT_DIR=/run/counters-snmpd After=snmpd.service; do
    grep -qx "$want" "$unit" || { echo "the unit lacks $want"; exit 1; }
done
# It runs in the foreground (Type=simple): -f.
grep -q '^ExecStart=/usr/sbin/counters-snmpd -f\b' "$unit" || { echo "ExecStart does not run counters-snmpd -f"; exit 1; }
echo "unit: OK"

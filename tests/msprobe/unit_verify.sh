#!/bin/bash
# SPDX-License-Identifier: MIT
# msprobe's systemd units parse without a single complaint (systemd-analyze verify prints
# warnings but exits 0 on unknown or bad values, so any output fails), keep their sandbox,
# and the timer starts the one-round service.
# usage: unit_verify.sh CONTRIB_SYSTEMD_DIR
set -u
dir=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v systemd-analyze >/dev/null || { echo "systemd-analyze is required for this test"; exit 1; }
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# The binary need not be installed: the units are checked with ExecStart pointing at true(1).
for u in msprobe.service msprobe-once.service msprobe.timer; do
    [ -f "$dir/$u" ] || { fail "$u is missing"; continue; }
    sed 's|^ExecStart=[^ ]*|ExecStart=/bin/true|' "$dir/$u" >"$tmp/$u"
done
for u in msprobe.service msprobe-once.service msprobe.timer; do
    out=$(cd "$tmp" && systemd-analyze verify --man=no "$tmp/$u" 2>&1)
    rc=$?
    [ "$rc" = 0 ] && [ -z "$out" ] || fail "systemd-analyze verify $u: exit $rc: $out"
done
for u in msprobe.service msprobe-once.service; do
    for want in ProtectSystem=strict ReadWritePaths=/dev/shm StateDirectory=msprobe NoNewPrivileges=yes \
        CapabilityBoundingSet= ProtectHome=read-only 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' \
        'SystemCallFilter=@system-service'; do
        grep -qx "$want" "$dir/$u" || fail "$u lacks $want"
    done
    grep -q '^PrivateNetwork=yes' "$dir/$u" && fail "$u has no network: the probes need it"
done
grep -qx 'ExecStart=/usr/sbin/msprobe -f --config /etc/msprobe.conf' "$dir/msprobe.service" ||
    fail "msprobe.service does not run msprobe -f in the foreground"
grep -qx 'ExecReload=/bin/kill -HUP $MAINPID' "$dir/msprobe.service" || fail "msprobe.service cannot reload"
grep -qx 'Type=oneshot' "$dir/msprobe-once.service" || fail "msprobe-once.service is not a oneshot"
grep -qx 'ExecStart=/usr/sbin/msprobe --once --config /etc/msprobe.conf' "$dir/msprobe-once.service" ||
    fail "msprobe-once.service does not run msprobe --once"
grep -qx 'Unit=msprobe-once.service' "$dir/msprobe.timer" || fail "msprobe.timer does not start msprobe-once.service"
[ "$fails" = 0 ] && echo "units: OK"

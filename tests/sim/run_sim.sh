#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs mta-sim on a section and a counter registry of its own and removes both afterwards.
# usage: run_sim.sh EXPECTED_STATUS MTA_SIM TAG [mta-sim options...]
# TAG "-" passes no --section (for tests of --section itself, --help, --version). The registry
# is always a private one, given as COUNTERS_REGISTRY (so --registry and --no-servers can be
# tested too); both are removed when the script exits.
# Prints "unexpected exit status" (which the tests treat as a failure) unless mta-sim exits
# with EXPECTED_STATUS; the exit status of this script is 0 only in that case.
set -u
expected=$1
sim=$2
tag=$3
shift 3
name="ctest_sim_${tag}_$$"
[ "$tag" = "-" ] && name="ctest_sim_$$"
export COUNTERS_REGISTRY="${name}_reg"
cleanup() { rm -f "/dev/shm/${name}" "/dev/shm/${COUNTERS_REGISTRY}"; }
trap cleanup EXIT
if [ "$tag" = "-" ]; then
  "$sim" "$@"
  rc=$?
else
  "$sim" --section "$name" "$@"
  rc=$?
fi
if [ "$rc" -ne "$expected" ]; then
  echo "unexpected exit status $rc (expected $expected)"
  exit 1
fi
echo "exit status $rc as expected"
exit 0

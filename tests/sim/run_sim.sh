#!/usr/bin/env bash
# Runs mta-sim on a section of its own and removes that section afterwards.
# usage: run_sim.sh EXPECTED_STATUS MTA_SIM TAG [mta-sim options...]
# TAG "-" passes no --section (for tests of --section itself, --help, --version).
# Prints "unexpected exit status" (which the tests treat as a failure) unless mta-sim exits
# with EXPECTED_STATUS; the exit status of this script is 0 only in that case.
set -u
expected=$1
sim=$2
tag=$3
shift 3
if [ "$tag" = "-" ]; then
  "$sim" "$@"
  rc=$?
else
  name="ctest_sim_${tag}_$$"
  trap 'rm -f "/dev/shm/${name}"' EXIT
  "$sim" --section "$name" "$@"
  rc=$?
fi
if [ "$rc" -ne "$expected" ]; then
  echo "unexpected exit status $rc (expected $expected)"
  exit 1
fi
echo "exit status $rc as expected"
exit 0

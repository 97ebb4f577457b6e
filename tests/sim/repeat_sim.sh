#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs mta-sim twice with one seed on one section and one registry: the summaries must be
# identical apart from the timing line (a run is repeatable from the seed it prints, IMAP and
# POP included), and both must verify. The registry's maxConnections on the verify line is
# masked: it is the high-water mark of connections open at once over all worker processes,
# so it depends on how the scheduler interleaves them (each worker's own mark, in the
# services table, is repeatable and compared).
# usage: repeat_sim.sh MTA_SIM TAG [mta-sim options...]
set -u
sim=$1
tag=$2
shift 2
name="ctest_sim_${tag}_$$"
export COUNTERS_REGISTRY="${name}_reg"
dir=$(mktemp -d)
trap 'rm -f "/dev/shm/${name}" "/dev/shm/${COUNTERS_REGISTRY}"; rm -rf "$dir"' EXIT
for i in 1 2; do
  if ! "$sim" --section "$name" --seed 12345 --verify "$@" >"$dir/run$i"; then
    echo "run $i failed:"; cat "$dir/run$i"; exit 1
  fi
  grep -v '^elapsed ' "$dir/run$i" | sed -E 's/(maxConnections) [0-9]+/\1 N/g' >"$dir/cmp$i"
done
cat "$dir/run2"
if ! diff -u "$dir/cmp1" "$dir/cmp2"; then
  echo "runs with the same seed differ"
  exit 1
fi
echo "repeatable: OK"

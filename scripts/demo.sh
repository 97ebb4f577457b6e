#!/usr/bin/env bash
# Quick start 1: install what is missing, build, run the simulated MTA on a private section
# and show the section with `counters -show`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
bin=${BUILD_DIR:-$root/build}
section=${DEMO_SECTION:-mta_sim_demo}
"$bin/tools/counters/counters" --section "$section" -delete 2>/dev/null || true
"$bin/examples/mta-sim" --section "$section" --processes 4 --messages 20000
echo
echo "\$ counters --section $section -show"
"$bin/tools/counters/counters" --section "$section" -show
echo
echo "The section stays for you to explore; remove it with:"
echo "  $bin/tools/counters/counters --section $section -delete"

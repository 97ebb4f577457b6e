#!/bin/bash
# SPDX-License-Identifier: MIT
# `promtool check metrics` finds nothing to report (exit 0, no output) in the exposition of a
# section of 512 channels filled by mta-sim and prom_fill plus a registry with every kind of
# object, and in that of a missing section (mta_section_up 0).
# usage: promtool_metrics.sh COUNTERS MTA_SIM PROM_FILL
set -u
counters=$1 sim=$2 fill=$3
. "$(dirname "$0")/../lib/need.sh"
command -v promtool >/dev/null || missing "promtool (Debian package prometheus)"
S="ctest_prom_lint_$$"
R="ctest_prom_lintreg_$$"
TMP=$(mktemp -d)
trap '"$counters" --section "$S" -delete >/dev/null 2>&1; rm -f "/dev/shm/$S" "/dev/shm/$R"; rm -rf "$TMP"' EXIT
unset COUNTERS_SECTION COUNTERS_REGISTRY
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# promtool itself reports what it should (so a silent promtool cannot pass the test).
printf '# HELP x_bytes_sent sent\n# TYPE x_bytes_sent counter\nx_bytes_sent 1\n' >"$TMP/bad.prom"
promtool check metrics <"$TMP/bad.prom" >"$TMP/bad.out" 2>&1 && fail "promtool accepts a counter without _total"

"$counters" --section "$S" -create -max_channels=512 || fail "create"
"$sim" --section "$S" --registry "$R" --processes 2 --messages 300 --seed 14 --quiet >/dev/null || fail "mta-sim"
"$fill" "$S" "$R" 512 || fail "prom_fill"
"$counters" --section "$S" -show -format=prometheus "-registry=$R" >"$TMP/m.prom" 2>"$TMP/err" || fail "show: $(cat "$TMP/err")"
[ -s "$TMP/err" ] && fail "show wrote to stderr: $(cat "$TMP/err")"
n=$(grep -c '^mta_channel_stored_messages{' "$TMP/m.prom")
[ "$n" = 512 ] || fail "$n channels exposed, want 512"
for f in mta_section_up mta_imapstat_num_connections_total mta_popstat_num_good_logins_total \
    mta_alarm_count_over_threshold_total mta_diskusage_avail_space mta_serverresponse_response_time \
    mta_ingest_lines_read_total mta_my_app_v2_requests_total mta_channel_queue_time_seconds; do
    grep -q "^# TYPE $f " "$TMP/m.prom" || fail "no family $f"
done
grep -q '^mta_section_up{section="'"$S"'"} 1$' "$TMP/m.prom" || fail "mta_section_up is not 1"
out=$(promtool check metrics <"$TMP/m.prom" 2>&1)
rc=$?
[ "$rc" = 0 ] && [ -z "$out" ] || fail "promtool check metrics: exit $rc: $(printf '%s\n' "$out" | head -20)"

# A missing section: the exposition still lints clean and says up 0; exit status 1.
"$counters" --section "${S}_none" -show -format=prometheus "-registry=$R" >"$TMP/none.prom" 2>"$TMP/err"
rc=$?
[ "$rc" = 1 ] || fail "missing section: exit $rc, want 1"
grep -q '^mta_section_up{section="'"${S}_none"'"} 0$' "$TMP/none.prom" || fail "missing section: no mta_section_up 0"
grep -q '^mta_channel_' "$TMP/none.prom" && fail "missing section: channel samples"
out=$(promtool check metrics <"$TMP/none.prom" 2>&1)
rc=$?
[ "$rc" = 0 ] && [ -z "$out" ] || fail "promtool check metrics (missing section): exit $rc: $out"

[ "$fails" = 0 ] || exit 1
echo "promtool metrics: OK ($(wc -l <"$TMP/m.prom") lines)"

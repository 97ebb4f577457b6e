#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# counters-exporter against bad clients (issue 14, item 3): bad_clients (C++, plain sockets)
# sends garbage, cut and huge requests, holds half-open connections and slow readers and
# makes many concurrent scrapes, and times normal scrapes meanwhile; then the exporter must
# still be up, its own counters must show what happened, and SIGTERM must end it with 0.
# A second exporter with --web.max-connections 4 checks the connection limit.
# usage: bad_clients.sh EXPORTER BAD_CLIENTS MTA_SIM SOURCE_DIR
set -u
EXPORTER=$1 BAD_CLIENTS=$2 MTA_SIM=$3 SRC=$4
. "$SRC/tests/exporter/lib.sh"
command -v curl >/dev/null || { echo "curl is required for this test (scripts/install-deps.sh installs it)"; exit 1; }
S=ctest_exporter_bad_$$
R=ctest_exporter_badr_$$
T=$(mktemp -d)
cleanup() {
    [ -n "$EPID" ] && kill -9 "$EPID" 2>/dev/null && wait "$EPID" 2>/dev/null
    rm -f "/dev/shm/$S" "/dev/shm/$R"
    rm -rf "$T"
}
trap cleanup EXIT
FAILS=0
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }

"$MTA_SIM" --section "$S" --registry "$R" --processes 2 --messages 300 --seed 14 --quiet || { echo "mta-sim failed"; exit 1; }

start_exporter "$T/log" --section "$S" --registry "$R" || exit 1
"$BAD_CLIENTS" "$EPORT" /metrics || fail "bad_clients reported failures (above)"
kill -0 "$EPID" 2>/dev/null || fail "the exporter died: $(cat "$T/log")"
fetch /metrics >"$T/m" || fail "no scrape after the bad clients"
value() { sed -n "s/^$1 //p" "$T/m"; }
grep -q '^mta_section_up{section="'"$S"'"} 1$' "$T/m" || fail "mta_section_up is not 1"
n=$(value counters_exporter_connections_timed_out_total)
[ "${n:-0}" -ge 50 ] || fail "connections_timed_out_total is ${n:-none}, want >= 50 (40 half-open, 10 partial)"
n=$(value 'counters_exporter_http_requests_total{code="400"}')
[ "${n:-0}" -ge 9 ] || fail "400 responses: ${n:-none}, want >= 9"
for code in 404 405 413 431; do
    n=$(value "counters_exporter_http_requests_total{code=\"$code\"}")
    [ "${n:-0}" -ge 1 ] || fail "no $code response counted"
done
stop_exporter
[ "$ERC" = 0 ] || fail "SIGTERM: exit $ERC, want 0"
grep -v '^counters-exporter: listening on ' "$T/log" | grep -q . && fail "unexpected log lines: $(cat "$T/log")"

start_exporter "$T/log2" --section "$S" --registry "$R" --web.max-connections 4 || exit 1
"$BAD_CLIENTS" "$EPORT" /metrics cap || fail "bad_clients cap reported failures (above)"
fetch /metrics >"$T/m" || fail "no scrape after the cap test"
n=$(value counters_exporter_connections_refused_total)
[ "${n:-0}" -ge 1 ] || fail "connections_refused_total is ${n:-none}, want >= 1"
grep -q 'connection limit reached (4 open' "$T/log2" || fail "the limit is not logged: $(cat "$T/log2")"
kill -INT "$EPID"
wait "$EPID"
rc=$?
EPID=
[ "$rc" = 0 ] || fail "SIGINT: exit $rc, want 0"

[ "$FAILS" = 0 ] || { echo "bad clients: $FAILS failure(s)"; exit 1; }
echo "bad clients: OK"

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# counters-exporter's command line and behaviour as a daemon: usage errors (exit 2), set-up
# failures (exit 1: address in use, not local, unresolvable), the section missing and
# appearing (mta_section_up 0 then 1, logged once each), the registry missing and appearing,
# the telemetry path, the landing page, Content-Type, gzip, IPv6, SIGHUP (ignored), SIGTERM
# and SIGINT (exit 0), and the exposition being byte for byte `counters -show
# -format=prometheus` but for the exporter's own families.
# usage: cli.sh EXPORTER COUNTERS MTA_SIM SOURCE_DIR
set -u
EXPORTER=$1 COUNTERS=$2 MTA_SIM=$3 SRC=$4
. "$SRC/tests/exporter/lib.sh"
command -v curl >/dev/null || { echo "curl is required for this test (scripts/install-deps.sh installs it)"; exit 1; }
S=ctest_exporter_cli_$$
R=ctest_exporter_clir_$$
T=$(mktemp -d)
unset COUNTERS_SECTION COUNTERS_REGISTRY
OTHER=
cleanup() {
    [ -n "$EPID" ] && kill -9 "$EPID" 2>/dev/null && wait "$EPID" 2>/dev/null
    [ -n "$OTHER" ] && kill -9 "$OTHER" 2>/dev/null && wait "$OTHER" 2>/dev/null
    rm -f "/dev/shm/$S" "/dev/shm/$R"
    rm -rf "$T"
}
trap cleanup EXIT
FAILS=0
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }

# usage_error MESSAGE_PATTERN ARGS...: exit 2 and one line `counters-exporter: ...` matching.
usage_error() {
    local want=$1 rc
    shift
    timeout 10 "$EXPORTER" "$@" >"$T/out" 2>"$T/err"
    rc=$?
    [ "$rc" = 2 ] || fail "$*: exit $rc, want 2 ($(cat "$T/err"))"
    [ "$(wc -l <"$T/err")" = 1 ] && grep -q "^counters-exporter: $want" "$T/err" ||
        fail "$*: stderr '$(cat "$T/err")', want 'counters-exporter: $want'"
    [ -s "$T/out" ] && fail "$*: printed on stdout: $(cat "$T/out")"
}
# setup_error MESSAGE_PATTERN ARGS...: exit 1 at once, and the message.
setup_error() {
    local want=$1 rc
    shift
    timeout 10 "$EXPORTER" --section "$S" --registry "$R" "$@" >"$T/out" 2>"$T/err"
    rc=$?
    [ "$rc" = 1 ] || fail "$*: exit $rc, want 1 ($(cat "$T/err"))"
    grep -q "^counters-exporter: $want" "$T/err" || fail "$*: stderr '$(cat "$T/err")', want 'counters-exporter: $want'"
}

"$EXPORTER" --help >"$T/out" 2>&1 || fail "--help failed"
grep -q '^usage: counters-exporter ' "$T/out" || fail "--help has no usage line"
grep -q '(default :9842)' "$T/out" || fail "--help does not give the default address :9842"
"$EXPORTER" --version | grep -q '^counters-exporter (libcounters) ' || fail "--version"

usage_error 'unknown option -bogus' -bogus
usage_error 'unexpected argument' extra
usage_error '--web.listen-address: "foo": no port' --web.listen-address foo
usage_error '--web.listen-address: "127.0.0.1:70000": bad port' --web.listen-address 127.0.0.1:70000
usage_error '--web.listen-address: "127.0.0.1:": bad port' --web.listen-address 127.0.0.1:
usage_error '--web.listen-address: "::1:9842": an IPv6 address goes in brackets' --web.listen-address ::1:9842
usage_error '--web.listen-address: "\[::1:9842": an IPv6 address goes in brackets' --web.listen-address '[::1:9842'
usage_error '-web.listen-address: given more than once' --web.listen-address :1 --web.listen-address :2
usage_error '--web.telemetry-path: "metrics" is not an absolute URL path' --web.telemetry-path metrics
usage_error '--web.telemetry-path: "/a b" is not an absolute URL path' --web.telemetry-path '/a b'
usage_error '--web.telemetry-path: "/a?b" is not an absolute URL path' --web.telemetry-path '/a?b'
usage_error '-web.max-connections: 0 is out of range' --web.max-connections 0
usage_error '-web.max-connections: "many" is not a number' --web.max-connections many
usage_error '--section: an empty name is not allowed' --section ''
usage_error '--registry: an empty name is not allowed' --registry ''
COUNTERS_SECTION= usage_error 'COUNTERS_SECTION is set but empty' --web.listen-address 127.0.0.1:0

# Set-up failures: exit 1.
start_exporter "$T/log" --section "$S" --registry "$R" || exit 1
setup_error "cannot listen on 127.0.0.1:$EPORT: Address already in use" --web.listen-address "127.0.0.1:$EPORT"
setup_error 'cannot listen on 192.0.2.1:0: Cannot assign requested address' --web.listen-address 192.0.2.1:0
setup_error 'cannot listen on no-such-host.invalid:0: cannot resolve "no-such-host.invalid"' \
    --web.listen-address no-such-host.invalid:0

# The section and the registry missing: a scrape still succeeds, with mta_section_up 0.
code=$(fetch /metrics -o "$T/m" -w '%{http_code} %{content_type}')
[ "$code" = "200 text/plain; version=0.0.4; charset=utf-8" ] || fail "scrape without a section: $code"
grep -qx "mta_section_up{section=\"$S\"} 0" "$T/m" || fail "no mta_section_up 0: $(head -5 "$T/m")"
grep -q '^mta_channel_' "$T/m" && fail "channel families without a section"
grep -q '^mta_imapstat_' "$T/m" && fail "registry families without a registry"
fetch /metrics >"$T/m"
grep -qx 'counters_exporter_scrape_errors_total{object="section",reason="not_found"} 2' "$T/m" ||
    fail "scrape errors: $(grep scrape_errors "$T/m")"
grep -q 'object="registry"' "$T/m" && fail "a missing registry counted as an error"
grep -qx 'counters_exporter_scrapes_total 2' "$T/m" || fail "scrapes_total: $(grep scrapes_total "$T/m")"
grep -q '^counters_exporter_build_info{version="[0-9.]*"} 1$' "$T/m" || fail "no build_info"
grep -q '^counters_exporter_scrape_duration_seconds [0-9.]*$' "$T/m" || fail "no scrape duration"
[ "$(grep -c "section \"$S\": .*mta_section_up 0" "$T/log")" = 1 ] || fail "the missing section is not logged once: $(cat "$T/log")"
[ "$(grep -c "registry \"$R\": .*left out" "$T/log")" = 1 ] || fail "the missing registry is not logged once: $(cat "$T/log")"

# Then they appear.
"$MTA_SIM" --section "$S" --registry "$R" --processes 1 --messages 50 --seed 3 --quiet || fail "mta-sim failed"
fetch /metrics >"$T/m"
grep -qx "mta_section_up{section=\"$S\"} 1" "$T/m" || fail "mta_section_up is not 1 once the section exists"
grep -q '^mta_channel_messages_total{channel="tcp_local",event="received"} [1-9]' "$T/m" ||
    fail "no received messages of tcp_local: $(grep -m3 mta_channel_messages_total "$T/m")"
grep -q '^mta_imapstat_' "$T/m" || fail "no registry families once the registry exists"
grep -q "section \"$S\" is read again" "$T/log" || fail "the section's return is not logged: $(cat "$T/log")"
grep -q "registry \"$R\" is read again" "$T/log" || fail "the registry's return is not logged"

# One exposition: what the exporter serves, less its own families, is what
# `counters -show -format=prometheus` prints (the section and registry are still now).
fetch /metrics | grep -v '^# [A-Z]* counters_exporter_\|^counters_exporter_' >"$T/served"
"$COUNTERS" --section "$S" -show -format=prometheus -registry="$R" >"$T/printed" || fail "counters -format=prometheus failed"
cmp -s "$T/served" "$T/printed" || fail "the exporter and counters -show -format=prometheus differ: $(diff "$T/printed" "$T/served" | head -5)"

# HTTP details.
code=$(fetch / -o "$T/page" -w '%{http_code} %{content_type}')
[ "$code" = "200 text/html; charset=utf-8" ] && grep -q '<a href="/metrics">' "$T/page" || fail "landing page: $code"
[ "$(fetch /nowhere -o /dev/null -w '%{http_code}')" = 404 ] || fail "no 404"
[ "$(fetch /metrics -o /dev/null -w '%{http_code}' -X POST)" = 405 ] || fail "no 405"
fetch /metrics -D "$T/h" -H 'Accept-Encoding: gzip' -o "$T/gz" || fail "gzip scrape"
grep -qi '^Content-Encoding: gzip' "$T/h" && gunzip -c "$T/gz" | grep -q "^mta_section_up{section=\"$S\"} 1" ||
    fail "Accept-Encoding: gzip is not answered with gzip: $(cat "$T/h")"
fetch /metrics -D "$T/h" -H 'Accept-Encoding: gzip;q=0, identity' -o "$T/plain"
grep -qi '^Content-Encoding' "$T/h" && fail "gzip;q=0 still compressed"
grep -q '^mta_section_up' "$T/plain" || fail "gzip;q=0: not plain text"
kill -HUP "$EPID"
sleep 0.3
kill -0 "$EPID" 2>/dev/null || fail "SIGHUP ended the exporter"
stop_exporter
[ "$ERC" = 0 ] || fail "SIGTERM: exit $ERC"

# Another telemetry path, the environment's section, -f; SIGINT.
COUNTERS_SECTION=$S start_exporter "$T/log2" --registry "$R" --web.telemetry-path /mta/metrics -f || exit 1
[ "$(fetch /metrics -o /dev/null -w '%{http_code}')" = 404 ] || fail "/metrics is not 404 with another path"
fetch /mta/metrics | grep -qx "mta_section_up{section=\"$S\"} 1" || fail "COUNTERS_SECTION or --web.telemetry-path not used"
fetch / | grep -q '<a href="/mta/metrics">' || fail "the landing page does not link the path"
kill -INT "$EPID"
wait "$EPID"
rc=$?
EPID=
[ "$rc" = 0 ] || fail "SIGINT: exit $rc"

# IPv6 loopback, where the system has it.
if [ -e /proc/net/if_inet6 ]; then
    "$EXPORTER" --section "$S" --registry "$R" --web.listen-address '[::1]:0' >"$T/log6" 2>&1 &
    OTHER=$!
    for ((i = 0; i < 50; i++)); do grep -q 'listening on' "$T/log6" && break; sleep 0.1; done
    p6=$(sed -n 's/^counters-exporter: listening on \[::1\]:\([0-9]*\),.*/\1/p' "$T/log6")
    if [ -n "$p6" ]; then
        curl -s --max-time 10 "http://[::1]:$p6/metrics" | grep -q '^mta_section_up' || fail "no scrape over IPv6"
    elif grep -q 'Cannot assign requested address\|Address family not supported' "$T/log6"; then
        echo "note: no IPv6 loopback here"
    else
        fail "[::1]:0: $(cat "$T/log6")"
    fi
    kill -TERM "$OTHER" 2>/dev/null
    wait "$OTHER" 2>/dev/null
    OTHER=
fi

# Nothing of ours is left running.
for p in $(pgrep -f -- "--section $S " 2>/dev/null); do fail "process $p is still running: $(tr '\0' ' ' </proc/"$p"/cmdline)"; done

[ "$FAILS" = 0 ] || { echo "exporter cli: $FAILS failure(s)"; exit 1; }
echo "exporter cli: OK"

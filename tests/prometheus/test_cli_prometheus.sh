# SPDX-License-Identifier: MIT
# counters -show -format=prometheus (and imsimta counters): the exposition of the section,
# pattern and -absolute, -registry, a missing section (mta_section_up 0, exit 1), -output,
# and the usage errors.
# usage: bash test_cli_prometheus.sh COUNTERS FILL_SECTION JSON_CHECK CLI_SOURCE_DIR TOP IMSIMTA PROM_FILL
TAG=prom
. "$4/lib.sh"
IMSIMTA=$6 PROM_FILL=$7
R="ctest_cli_promreg_$$"
trap 'cleanup; rm -f "/dev/shm/$R"' EXIT

# has DESC LINE: the last command's stdout has exactly this line.
has() {
    CHECKS=$((CHECKS + 1))
    grep -qxF -- "$2" "$TMP/out" || fail "$1: no line $(printf '%q' "$2")"
}
# hasnt DESC REGEX: the last command's stdout has no line matching REGEX.
hasnt() {
    CHECKS=$((CHECKS + 1))
    grep -q -- "$2" "$TMP/out" && fail "$1: unexpected line matching $2"
    return 0
}

ok "fill" "$FILL" "$S" base
ok "-format=prometheus" "$COUNTERS" --section "$S" -show -format=prometheus
has "up" "mta_section_up{section=\"$S\"} 1"
has "received" 'mta_channel_messages_total{channel="tcp_local",event="received"} 4'
has "submitted" 'mta_channel_messages_total{channel="tcp_local",event="submitted"} 10'
has "delivered first" 'mta_channel_messages_total{channel="ims-ms",event="delivered_first"} 5'
has "one TYPE" '# TYPE mta_channel_messages_total counter'
has "summary" '# TYPE mta_channel_queue_time_seconds summary'
has "block size" "mta_section_block_size_bytes{section=\"$S\"} 1024"
CHECKS=$((CHECKS + 1))
[ "$(grep -c '^# TYPE mta_channel_messages_total ' "$TMP/out")" = 1 ] || fail "TYPE of messages_total not once"
cp "$TMP/out" "$TMP/all.prom"
ok "case of the format name" "$COUNTERS" --section "$S" -show -format=Prometheus
same "case of the format name" "$TMP/all.prom" "$TMP/out"
ok "imsimta counters" "$IMSIMTA" counters --section "$S" -show -format=prometheus
same "imsimta counters" "$TMP/all.prom" "$TMP/out"
ok "display options change nothing" "$COUNTERS" --section "$S" -show -format=prometheus -noheaders -nochannels \
    -noassociations -minimums
same "display options change nothing" "$TMP/all.prom" "$TMP/out"

ok "pattern" "$COUNTERS" --section "$S" -show -format=prometheus 'TCP_*'
has "pattern keeps tcp_intranet" 'mta_channel_messages_total{channel="tcp_intranet",event="received"} 2'
hasnt "pattern drops ims-ms" 'channel="ims-ms"'

# -absolute: after a clear, Stored drains below zero; absolute shows current minus minimum.
quiet "-clear" "$COUNTERS" --section "$S" -clear
ok "drain" "$FILL" "$S" drain
ok "after drain" "$COUNTERS" --section "$S" -show -format=prometheus
has "Stored below zero" 'mta_channel_stored_messages{channel="tcp_local"} -1'
ok "-absolute" "$COUNTERS" --section "$S" -show -format=prometheus -absolute
has "Stored absolute" 'mta_channel_stored_messages{channel="tcp_local"} 0'
hasnt "cleared time set" "^mta_section_clears_total{section=\"$S\"} 0$"
has "one clear" "mta_section_clears_total{section=\"$S\"} 1"

# -registry: the registry's objects are added; a missing registry fails and writes nothing.
echo keep >"$TMP/keep.prom"
CHECKS=$((CHECKS + 1))
run "$COUNTERS" --section "$S" -show -format=prometheus "-registry=$R" "-output=$TMP/keep.prom"
[ "$RC" = 1 ] || fail "missing registry: exit $RC, want 1"
grep -q "^counters: registry \"$R\": " "$TMP/err" || fail "missing registry: stderr $(cat "$TMP/err")"
[ "$(cat "$TMP/keep.prom")" = keep ] || fail "missing registry: the output file was touched"

ok "fill the registry" "$PROM_FILL" "$S" "$R" 0
ok "-registry" "$COUNTERS" --section "$S" -show -format=prometheus "-registry=$R"
has "-registry: alarm" 'mta_alarm_current{object_instance="diskavail"} 42'
has "-registry: custom object" 'mta_my_app_v2_requests_total{object_instance="b"} 5'
has "-registry: section too" 'mta_channel_stored_messages{channel="tcp_local"} -1'
hasnt "-registry: no STRING" '/var/mail'

# A missing section: the exposition says up 0, the error is reported, exit 1.
CHECKS=$((CHECKS + 1))
run "$COUNTERS" --section "$S2" -show -format=prometheus "-output=$TMP/keep.prom"
[ "$RC" = 1 ] || fail "missing section: exit $RC, want 1"
[ "$(cat "$TMP/err")" = "counters: section \"$S2\": does not exist" ] || fail "missing section: stderr $(cat "$TMP/err")"
[ "$(cat "$TMP/keep.prom")" = "# HELP mta_section_up 1 when the section could be read, 0 when not.
# TYPE mta_section_up gauge
mta_section_up{section=\"$S2\"} 0" ] || fail "missing section: file $(cat "$TMP/keep.prom")"

# -output: written whole, by rename, readable by others.
ok "-output" "$COUNTERS" --section "$S" -show -format=prometheus "-output=$TMP/c.prom"
CHECKS=$((CHECKS + 1))
[ -s "$TMP/c.prom" ] && grep -q '^mta_section_up{section=' "$TMP/c.prom" || fail "-output: no exposition"
ls -A "$TMP" | grep -q '\.tmp$' && fail "-output: a temporary file is left: $(ls -A "$TMP")"
CHECKS=$((CHECKS + 1))
[ "$(umask 022; "$COUNTERS" --section "$S" -show -format=prometheus "-output=$TMP/m.prom"; stat -c %a "$TMP/m.prom")" = 644 ] ||
    fail "-output: mode $(stat -c %a "$TMP/m.prom"), want 644"

# Names stored in shared memory: the library writes only printable ASCII, so hostile names
# are planted with dd (as in tests/cli/test_hostile.sh); each control byte and each byte of
# ill-formed UTF-8 is spelled \xHH (its backslash escaped), no raw control byte is written,
# and promtool, when installed, accepts the result.
"$COUNTERS" --section "$S2" -create >/dev/null 2>&1
ok "register" "$FILL" "$S2" register 3
plant_name() {
    local at
    at=$(LC_ALL=C grep -obUa "$1" "/dev/shm/$S2" | head -1 | cut -d: -f1)
    [ -n "$at" ] || { fail "channel $1 not found in the section"; return; }
    printf "$2"'\0' | dd of="/dev/shm/$S2" bs=1 seek="$at" conv=notrunc status=none
}
plant_name ch2 'A\nB\033]0;X\007\033[2J\177\302\233\302\235\377Z'
plant_name ch3 '\200\233\235\237'
ok "hostile names" "$COUNTERS" --section "$S2" -show -format=prometheus
has "hostile ch2" 'mta_channel_stored_blocks{channel="A\\x0aB\\x1b]0;X\\x07\\x1b[2J\\x7f\\xc2\\x9b\\xc2\\x9d\\xffZ"} 0'
has "hostile ch3" 'mta_channel_stored_blocks{channel="\\x80\\x9b\\x9d\\x9f"} 0'
has "plain ch1" 'mta_channel_stored_blocks{channel="ch1"} 0'
CHECKS=$((CHECKS + 1))
LC_ALL=C grep -q '[^ -~]' "$TMP/out" && fail "hostile names: a raw control or non-ASCII byte"
if command -v promtool >/dev/null; then
    CHECKS=$((CHECKS + 1))
    promtool check metrics <"$TMP/out" >"$TMP/lint" 2>&1 || fail "promtool check metrics of hostile names: $(cat "$TMP/lint")"
fi
"$COUNTERS" --section "$S2" -delete >/dev/null 2>&1

# Usage errors.
bad "-registry without prometheus" 2 "counters: -registry is only valid with -format=prometheus" \
    "$COUNTERS" --section "$S" -show "-registry=$R"
bad "-registry with -clear" 2 "counters: -registry is not valid with -clear" \
    "$COUNTERS" --section "$S" -clear "-registry=$R"
bad "empty -registry" 2 "counters: -registry: a value is required" \
    "$COUNTERS" --section "$S" -show -format=prometheus -registry=
bad "unknown format" 2 'counters: -format: unknown format "openmetrics" (text, json or prometheus)' \
    "$COUNTERS" --section "$S" -show -format=openmetrics
finish

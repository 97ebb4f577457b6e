# SPDX-License-Identifier: MIT
# -format=json: a valid, versioned document with the documented keys and values.
TAG=json
. "$(dirname "$0")/lib.sh"

ok "fill" "$FILL" "$S" base
ok "-show -format=json" "$COUNTERS" --section "$S" -show -format=json
cp "$TMP/out" "$TMP/doc.json"
now=$(date +%s)
ok "document" "$JSON_CHECK" "$TMP/doc.json" /format_version=1 "/section/name=\"$S\"" '/section/format="1.1"' \
    /section/cleared=0 /section/clear_count=0 /section/block_size=1024 /section/max_channels=512 \
    /section/channels=5 /section/overflow=0 "/section/created>$((now - 86400))" /section#=10 \
    /absolute=false /channels#=5 '/channels/0/name="tcp_local"' '/channels/1/name="tcp_intranet"' \
    '/channels/2/name="ims-ms"' '/channels/3/name="l"' '/channels/4/name="conversion"' \
    /channels/0#=5 /channels/0/counters#=27 /channels/0/gauges#=5 /channels/0/minimums#=30 \
    /channels/0/times#=2 \
    /channels/0/counters/received_messages=4 /channels/0/counters/submitted_recipients=20 \
    /channels/0/counters/rejected_blocks=9 /channels/0/counters/delivered_first_messages=3 \
    /channels/0/counters/queue_time_seconds=3 /channels/0/counters/queue_count=3 \
    /channels/0/counters/inbound_associations=6 /channels/0/counters/outbound_associations=2 \
    /channels/0/counters/rejected_inbound_associations=1 /channels/0/counters/failed_outbound_associations=1 \
    /channels/0/gauges/stored_messages=1 /channels/0/gauges/stored_recipients=1 /channels/0/gauges/stored_blocks=1 \
    /channels/0/gauges/current_inbound_associations=0 \
    /channels/0/minimums/stored_messages=0 /channels/0/minimums/received_messages=0 \
    "/channels/0/times/last_inbound_activity>$((now - 86400))" \
    "/channels/0/times/last_outbound_activity>$((now - 86400))" \
    /channels/1/times/last_inbound_activity=0 \
    /channels/1/gauges/stored_blocks=1048578 /channels/2/counters/queue_first_time_seconds=15 \
    /channels/3/counters/submitted_blocks=1048577
CHECKS=$((CHECKS + 1))
grep -Eq '^    "instance_id": "[0-9a-f]{16}"$' "$TMP/doc.json" || fail "instance_id is not 16 hex digits"
# Stored is a gauge and never a counter.
ok "stored is a gauge" "$JSON_CHECK" "$TMP/doc.json" /channels/0/gauges/stored_messages=1
ok "stored is not a counter" "$JSON_CHECK" "$TMP/doc.json" /channels/0/counters/stored_messages! \
    /channels/0/counters/current_inbound_associations! /channels/0/gauges/received_messages!
CHECKS=$((CHECKS + 1))
"$JSON_CHECK" "$TMP/doc.json" /channels/0/gauges/stored_messages! 2>/dev/null && fail "json_check: ! accepted a present key"

ok "pattern" "$COUNTERS" --section "$S" -show -format=json 'TCP_*'
json_ok "pattern applies" /channels#=2 '/channels/1/name="tcp_intranet"' /section/channels=5
ok "format name is case-insensitive" "$COUNTERS" --section "$S" -show -format=JSON nomatch
json_ok "empty channel list" /channels#=0 /format_version=1
ok "from standard input" "$JSON_CHECK" - /format_version=1 <"$TMP/doc.json"
# The checker must reject a broken document (so that the checks above mean something).
CHECKS=$((CHECKS + 1))
head -c 100 "$TMP/doc.json" >"$TMP/broken.json"
"$JSON_CHECK" "$TMP/broken.json" 2>/dev/null && fail "json_check accepted a truncated document"
CHECKS=$((CHECKS + 1))
"$JSON_CHECK" "$TMP/doc.json" /format_version=2 2>/dev/null && fail "json_check accepted a wrong value"
finish

# SPDX-License-Identifier: MIT
# -clear -associations and -clear -channels each clear only their part; -clear both.
TAG=clear
. "$(dirname "$0")/lib.sh"

ok "fill" "$FILL" "$S" base
quiet "-clear -associations" "$COUNTERS" --section "$S" -clear -associations
sed -n '/^tcp_local$/,/Total Out/p' "$SRC/expected/base.txt" |
    sed 's/^   Total In Assocs .*/   Total In Assocs                0/; s/^   Total Out Assocs .*/   Total Out Assocs               0/' >"$TMP/want"
show_is "associations zeroed, rows kept" "$TMP/want" -show -noheaders tcp_local
ok "json" "$COUNTERS" --section "$S" -show -format=json tcp_local
json_ok "association figures all zero" /section/clear_count=1 \
    /channels/0/counters/inbound_associations=0 /channels/0/counters/rejected_inbound_associations=0 \
    /channels/0/counters/failed_outbound_associations=0 /channels/0/times/last_inbound_activity=0 \
    /channels/0/times/last_outbound_activity=0 /channels/0/counters/received_messages=4

ok "fill again" "$FILL" "$S" base
quiet "-clear -channels" "$COUNTERS" --section "$S" -clear -channels
cat >"$TMP/want" <<'X'
tcp_local
   Received                  0          0          0
   Stored                    0          0          0
   Delivered                 0          0          0 (0 first time)
   Submitted                 0          0          0
   Attempted                 0          0          0
   Rejected                  0          0          0
   Failed                    0          0          0

   Queue time/count        0/0 = 0.00
   Queue first time/count  0/0 = 0.00

   Total In Assocs                6
   Total Out Assocs               2
X
show_is "rows zeroed, associations kept" "$TMP/want" -show -noheaders tcp_local

ok "fill again" "$FILL" "$S" base
quiet "-clear -channels -associations" "$COUNTERS" --section "$S" -clear -channels -associations
sed 's/^   Total In Assocs .*/   Total In Assocs                0/; s/^   Total Out Assocs .*/   Total Out Assocs               0/' "$TMP/want" >"$TMP/want0"
show_is "everything zeroed" "$TMP/want0" -show -noheaders tcp_local
ok "json" "$COUNTERS" --section "$S" -show -format=json
json_ok "clear count" /section/clear_count=3 /channels#=5
finish

# SPDX-License-Identifier: MIT
# -absolute after a clear: Stored goes negative when queued messages drain; absolute values
# are current minus minimum, and the JSON document carries the minimums.
TAG=abs
. "$(dirname "$0")/lib.sh"

ok "fill" "$FILL" "$S" base
quiet "-clear" "$COUNTERS" --section "$S" -clear
ok "drain" "$FILL" "$S" drain

cat >"$TMP/tl" <<'X'
tcp_local
   Received                  0          0          0
   Stored                   -1         -1         -1
   Delivered                 1          1          1 (0 first time)
   Submitted                 1          1          1
   Attempted                 0          0          0
   Rejected                  0          0          0
   Failed                    0          0          0

   Queue time/count        5/1 = 5.00
   Queue first time/count  0/0 = 0.00

   Total In Assocs                0
   Total Out Assocs               0
X
cat >"$TMP/ms" <<'X'
ims-ms
   Received                  1          1          1
   Stored                   -2         -5         -5
   Delivered                 3          6          6 (0 first time)
   Submitted                 0          0          0
   Attempted                 0          0          0
   Rejected                  0          0          0
   Failed                    0          0          0

   Queue time/count        60/3 = 20.00
   Queue first time/count  0/0 = 0.00

   Total In Assocs                0
   Total Out Assocs               0
X
show_is "tcp_local after clear and drain" "$TMP/tl" -show -noheaders tcp_local
show_is "ims-ms after clear and drain" "$TMP/ms" -show -noheaders ims-ms

# Absolute: Stored minus its minimum (-1 for tcp_local, -3/-6/-6 for ims-ms); the rest
# never went below zero and is unchanged.
sed 's/^   Stored .*/   Stored                    0          0          0/' "$TMP/tl" >"$TMP/tl_abs"
sed 's/^   Stored .*/   Stored                    1          1          1/' "$TMP/ms" >"$TMP/ms_abs"
show_is "tcp_local -absolute" "$TMP/tl_abs" -show -noheaders -absolute tcp_local
show_is "ims-ms -absolute" "$TMP/ms_abs" -show -noheaders -absolute ims-ms

cat >"$TMP/ti" <<'X'
tcp_intranet
   Received                  0          0          0
   Stored                    0          0          0
   Delivered                 0          0          0 (0 first time)
   Submitted                 0          0          0
   Attempted                 0          0          0
   Rejected                  0          0          0
   Failed                    0          0          0

   Queue time/count        0/0 = 0.00
   Queue first time/count  0/0 = 0.00

   Total In Assocs                0
   Total Out Assocs               0
X
show_is "a cleared channel is all zero" "$TMP/ti" -show -noheaders tcp_intranet
show_is "and so is its absolute" "$TMP/ti" -show -noheaders -absolute tcp_intranet

ok "json" "$COUNTERS" --section "$S" -show -format=json ims-ms
json_ok "json minimums and gauges" /absolute=false /section/clear_count=1 \
    /channels#=1 /channels/0/gauges/stored_messages=-2 /channels/0/minimums/stored_messages=-3 \
    /channels/0/minimums/stored_recipients=-6 /channels/0/minimums/delivered_messages=0 \
    /channels/0/counters/delivered_messages=3 "/section/cleared>1000000000"
ok "json -absolute" "$COUNTERS" --section "$S" -show -format=json -absolute ims-ms
json_ok "json absolute values" /absolute=true /channels/0/gauges/stored_messages=1 \
    /channels/0/gauges/stored_blocks=1 /channels/0/minimums/stored_messages=-3 \
    /channels/0/counters/received_messages=1
finish

# SPDX-License-Identifier: MIT
# A full channel table: registrations refused, reported after the table.
TAG=ovf
. "$(dirname "$0")/lib.sh"
quiet "-create -max_channels=2" "$COUNTERS" --section "$S" -create -max_channels=2
"$FILL" "$S" register 4 2>/dev/null || fail "fill_section register failed"
cat >"$TMP/want" <<'X'
ch1

ch2

Channel table full: 2 registrations refused (max_channels=2)
X
show_is "overflow line" "$TMP/want" -show -noheaders -nochannels -noassociations
ok "json" "$COUNTERS" --section "$S" -show -format=json
json_ok "json overflow" /section/overflow=2 /section/channels=2 /channels#=2
finish

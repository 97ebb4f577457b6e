# SPDX-License-Identifier: MIT
# Original single-dash spellings, -- spellings, any case, unique prefixes, and `--`.
TAG=spell
. "$(dirname "$0")/lib.sh"

ok "fill" "$FILL" "$S" base
B=$SRC/expected/base.txt
show_is "-show" "$B" -show
show_is "--show" "$B" --show
show_is "-SHOW" "$B" -SHOW
show_is "-Show" "$B" -Show
show_is "-sh (unique prefix)" "$B" -sh
show_is "--sh" "$B" --sh
ok "-section=NAME" "$COUNTERS" "-section=$S" -show && same "-section=NAME" "$B" "$TMP/out"
ok "-section NAME" "$COUNTERS" -section "$S" -show && same "-section NAME" "$B" "$TMP/out"
ok "--section=NAME" "$COUNTERS" "--section=$S" -show && same "--section=NAME" "$B" "$TMP/out"
ok "-se NAME" "$COUNTERS" -se "$S" -show && same "-se NAME" "$B" "$TMP/out"

tail -n +3 "$B" >"$TMP/nohead"
show_is "-noheaders" "$TMP/nohead" -show -noheaders
show_is "--noheaders" "$TMP/nohead" --show --noheaders
show_is "-NOHEADERS" "$TMP/nohead" -show -NOHEADERS
show_is "-noh" "$TMP/nohead" -show -noh
show_is "-NoHead" "$TMP/nohead" -show -NoHead

printf 'tcp_local\n' >"$TMP/name"
show_is "-nochan -noassoc -noh" "$TMP/name" -sh -nochan -noassoc -noh tcp_local
show_is "--nochannels --noassociations --noheaders" "$TMP/name" \
    --show --nochannels --noassociations --noheaders tcp_local
show_is "-format json (space)" /dev/null -show -nochannels -format json -output "$TMP/j.json"
ok "json valid" "$JSON_CHECK" "$TMP/j.json" /format_version=1
show_is "-fo=json" /dev/null -show -fo=json "-out=$TMP/j2.json"
ok "json valid" "$JSON_CHECK" "$TMP/j2.json" /format_version=1
show_is "--format=json" /dev/null --show --format=json "--output=$TMP/j3.json"
ok "json valid" "$JSON_CHECK" "$TMP/j3.json" /channels#=5

# After `--` nothing is rewritten: "-noheaders" is a pattern that matches no channel.
head -n 2 "$B" >"$TMP/head"
show_is "-- ends options" "$TMP/head" -show -- -noheaders

# -create with both spellings and a prefix
quiet "-create -max_channels=8" "$COUNTERS" -create -max_channels=8 "-section=$S2"
ok "json" "$COUNTERS" -show -format=json "--section=$S2"
json_ok "max_channels 8" /section/max_channels=8
quiet "-DELETE" "$COUNTERS" -DELETE --section "$S2"
quiet "--create --max_channels 9 --block_size 512" "$COUNTERS" --create --max_channels 9 --block_size 512 --section "$S2"
ok "json" "$COUNTERS" -show -format=json "--section=$S2"
json_ok "sizes" /section/max_channels=9 /section/block_size=512
quiet "-del" "$COUNTERS" -del --section "$S2"
quiet "-cr -max=7 -bl=2048" "$COUNTERS" -cr -max=7 -bl=2048 --section "$S2"
ok "json" "$COUNTERS" -show -format=json "--section=$S2"
json_ok "sizes from prefixes" /section/max_channels=7 /section/block_size=2048
finish

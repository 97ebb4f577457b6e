#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# qm one-shot: summarize, directory, held on a known tree; counters sub-commands with Stored
# reset from the tree; identical rendering to `counters -show`; wildcards; abbreviations.
TAG=oneshot
source "$(dirname "$0")/lib.sh"
small_tree
ages() { sed -E 's/ ([0-9]+d )?[0-9]+:[0-9]{2}:[0-9]{2}$/ AGE/' "$TMP/out" >"$TMP/out.masked"; mv "$TMP/out.masked" "$TMP/out"; }

run "$QM" -queue="$Q" summarize; status "summarize" 0; err_empty "summarize"; ages
out_is "summarize" 'Channel                Messages   Blocks     Oldest
---------------------- ---------- ---------- ---------------
conversion                      0          0 -
ims-ms                          1          1 AGE
tcp_local                       2          4 AGE
---------------------- ---------- ---------- ---------------
Total                           3          5 AGE
'
run "$QM" -queue="$Q" summarize -held; status "summarize -held" 0; ages
out_is "summarize -held" 'Channel                Messages   Held       Blocks     Oldest
---------------------- ---------- ---------- ---------- ---------------
conversion                      0          0          0 -
ims-ms                          1          0          1 AGE
tcp_local                       3          1        102 AGE
---------------------- ---------- ---------- ---------- ---------------
Total                           4          1        103 AGE
'
# The oldest message of tcp_local with -held is the held one (created 1690000000).
run "$QM" -queue="$Q" summarize -held -noheading -notrailing 'tcp*'
status "summarize -held tcp*" 0
now=$(date +%s); days=$(( (now - 1690000000) / 86400 ))
out_has "oldest age in days" "^tcp_local +3 +1 +102 ${days}d [0-9]{2}:[0-9]{2}:[0-9]{2}$"
CHECKS=$((CHECKS + 1)); [ "$(wc -l <"$TMP/out")" -eq 1 ] || fail "-noheading -notrailing: $(cat "$TMP/out")"

# Environment variable instead of the option; abbreviations and any case.
COUNTERS_QUEUE="$Q" run "$QM" SUMM -NOHEA -NOTR -HEL '?MS-M*'; status "abbreviated summarize" 0; ages
out_is "abbreviated summarize" 'ims-ms                          1          0          1 AGE\n'
run "$QM" -qu="$Q" su -noheading -notrailing -noheld 'c*'; status "prefix -qu" 0; ages
out_is "summarize c*" 'conversion                      0          0 -\n'

run "$QM" -queue="$Q" directory
status "directory" 0; err_empty "directory"; dated
out_is "directory" 'Data gathered from the queue directory tree

Channel: ims-ms                   Size Queued since
--------------------------------------------------------------
1 ZX0004.00                      1 14-Nov-2023 22:16:40
--------------------------------------------------------------
Total size:                          1

Channel: tcp_local                Size Queued since
--------------------------------------------------------------
2 ZY0002.00                      1 14-Nov-2023 22:15:00
3 ZZ0001.00                      3 14-Nov-2023 22:13:20
--------------------------------------------------------------
Total size:                          4

Grand total size:                    5
'
run "$QM" -queue="$Q" dir -held -nototal tcp_LOCAL; status "directory -held" 0; dated
out_is "directory -held -nototal" 'Data gathered from the queue directory tree

Channel: tcp_local                Size Queued since
--------------------------------------------------------------
1 ZY0002.00                      1 14-Nov-2023 22:15:00
2 ZZ0001.00                      3 14-Nov-2023 22:13:20
3 sub/YZ0003.00.HELD            98 22-Jul-2023 04:26:40
--------------------------------------------------------------
'
run "$QM" -queue="$Q" held; status "held" 0; dated
out_is "held" 'Data gathered from the queue directory tree

Channel: tcp_local                Size Queued since
--------------------------------------------------------------
1 sub/YZ0003.00.HELD            98 22-Jul-2023 04:26:40
--------------------------------------------------------------
Total size:                         98

Grand total size:                   98
'
run "$QM" -queue="$Q" held 'ims*'; status "held, none" 0
out_is "held, none" ''
err_is "held, none" '%%QM-I-NOMSGS, no held messages\n'

# counters create: creates the section and sets Stored from the tree (held included).
run "$QM" -queue="$Q" counters create; status "counters create" 0
err_is "counters create" "%%QM-I-CREATED, created section \"$S\"\n%%QM-I-STORED, set Stored of 3 channels from queue \"$Q\"\n"
run "$QM" counters create; status "counters create again" 0
err_is "counters create again" "%%QM-I-EXISTS, section \"$S\" already exists\n$NOTRESET"
run "$QM" -queue="$Q" counters show tcp_local; status "show" 0
out_has "Stored from the tree" '^   Stored +3 +4 +102$'
# Identical to counters -show, in text and JSON, with the same pattern.
run "$QM" counters show; status "show (no tree)" 0; err_is "show (no tree)" "$NOTRESET"; cp "$TMP/out" "$TMP/qm.txt"
run "$COUNTERS" -show; cp "$TMP/out" "$TMP/counters.txt"
same "qm counters show = counters -show" "$TMP/counters.txt" "$TMP/qm.txt"
run "$QM" counters show -noheaders 'I?S-*'; cp "$TMP/out" "$TMP/qm.txt"
run "$COUNTERS" -show -noheaders 'I?S-*'; cp "$TMP/out" "$TMP/counters.txt"
same "show -noheaders I?S-*" "$TMP/counters.txt" "$TMP/qm.txt"
out_has "pattern" '^ims-ms$'; out_lacks "pattern" '^tcp_local$'
run "$QM" counters show -format=json 'tcp*'; cp "$TMP/out" "$TMP/qm.json"
run "$COUNTERS" -show -format=json 'tcp*'; cp "$TMP/out" "$TMP/counters.json"
same "json" "$TMP/counters.json" "$TMP/qm.json"
out_has "json" '"stored_messages": 3,'
run "$QM" counters show -output="$TMP/file.txt" -noh; status "-output" 0
out_is "-output writes nothing to stdout" ''
run "$COUNTERS" -show -noheaders; same "-output file" "$TMP/out" "$TMP/file.txt"

# A message leaves the tree: clear -associations keeps Stored; clear -channels resets it.
rm "$Q/tcp_local/ZZ0001.00"
run "$QM" -queue="$Q" counters clear -associations; status "clear -associations" 0
err_is "clear -associations" "%%QM-I-CLEARED, cleared the association counters of section \"$S\"\n"
run "$QM" counters show tcp_local; out_has "Stored kept" '^   Stored +3 +4 +102$'
run "$QM" -queue="$Q" COUNTERS CL -CHAN; status "clear -channels" 0
err_is "clear -channels" "%%QM-I-CLEARED, cleared the channel counters of section \"$S\"\n%%QM-I-STORED, set Stored of 3 channels from queue \"$Q\"\n"
run "$QM" counters show tcp_local; out_has "Stored reset" '^   Stored +2 +2 +99$'
run "$QM" counters clear; status "clear" 0
run "$QM" counters show tcp_local; out_has "clear without queue: Stored 0" '^   Stored +0 +0 +0$'
# show with the queue sets Stored again.
run "$QM" -queue="$Q" counters show tcp_local; out_has "show resets Stored" '^   Stored +2 +2 +99$'

run "$QM" counters delete; status "delete" 0
err_is "delete" "%%QM-I-DELETED, deleted section \"$S\"\n"
# show and clear create a missing section.
run "$QM" counters show -noheaders nothing; status "show creates" 0
err_is "show creates" "%%QM-I-CREATED, created section \"$S\"\n$NOTRESET"
run "$QM" counters delete; run "$QM" counters clear -channels; status "clear creates" 0
err_has "clear creates" '^%QM-I-CREATED, created section'
run "$QM" counters delete; run "$QM" counters create -max_channels=3 -queue="$Q"; status "create -max_channels" 0
run "$COUNTERS" -show -format=json; out_has "max_channels" '"max_channels": 3,'
# -section on the command line and after the sub-command.
run "$QM" -section="${S}_b" counters delete; status "other section" 1
err_is "other section" "%%QM-E-NOSECTION, section \"${S}_b\": does not exist\n"
run "$QM" counters delete -sect="${S}_b"; status "-section after the sub-command" 1
run "$QM" counters delete; status "delete" 0

finish

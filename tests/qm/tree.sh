#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 11, the queue directory tree: held files in both forms (NAME.HELD and NAME.NN.HELD),
# entries that are not part of the layout reported by every command that scans the tree
# (count, and names with -verbose); the compiled-in default queue and the one warning when
# there is no tree to reset Stored from; -absolute after a Stored reset.
TAG=tree
source "$(dirname "$0")/lib.sh"
ages() { sed -E 's/ ([0-9]+d )?[0-9]+:[0-9]{2}:[0-9]{2}$/ AGE/' "$TMP/out" >"$TMP/out.masked"; mv "$TMP/out.masked" "$TMP/out"; }

# --- held files in both forms; unmatched entries ------------------------------------------
# tcp_local: 1 queued, 1 held as the hold channel writes it (ZZ0002.HELD), 1 held in the
# long form in a subdirectory; ims-ms: 1 held as ZY0004.HELD. Not part of the layout: a
# README and a dot file in a channel, a file at the root, a directory inside a subdirectory.
msg "$Q/tcp_local/ZZ0001.00" 3000 2 1700000000
msg "$Q/tcp_local/ZZ0002.HELD" 2048 3 1700000100
msg "$Q/tcp_local/sub/YZ0003.00.HELD" 100000 1 1690000000
msg "$Q/ims-ms/ZY0004.HELD" 1024 5 1700000200
printf 'x' >"$Q/tcp_local/README"
printf 'x' >"$Q/tcp_local/.ZZ0005.00.swp"
printf 'x' >"$Q/notes.txt"
mkdir -p "$Q/tcp_local/sub/deeper"
printf 'half' >"$Q/tcp_local/\$ZZ0009.00"
head="%%QM-W-UNMATCHED, 4 entries of queue \"$Q\" are not message files, not counted"
unmatched="$head (-verbose names them)\n"
names="$head
%%QM-I-UNMATCHED, notes.txt
%%QM-I-UNMATCHED, tcp_local/.ZZ0005.00.swp
%%QM-I-UNMATCHED, tcp_local/README
%%QM-I-UNMATCHED, tcp_local/sub/deeper/
"

run "$QM" -queue="$Q" summarize -held; status "summarize -held" 0; ages
out_is "summarize -held counts both held forms" 'Channel                Messages   Held       Blocks     Oldest
---------------------- ---------- ---------- ---------- ---------------
ims-ms                          1          1          1 AGE
tcp_local                       3          2        103 AGE
---------------------- ---------- ---------- ---------- ---------------
Total                           4          3        104 AGE
'
err_is "summarize reports the unmatched entries" "$unmatched"
run "$QM" -queue="$Q" summarize; status "summarize" 0; ages
out_has "summarize without -held: queued only" '^tcp_local +1 +3 AGE$'
err_is "summarize without -held reports them too" "$unmatched"

run "$QM" -queue="$Q" held; status "held" 0; dated
out_is "held lists both forms" 'Data gathered from the queue directory tree

Channel: ims-ms                   Size Queued since
--------------------------------------------------------------
1 ZY0004.HELD                    1 14-Nov-2023 22:16:40
--------------------------------------------------------------
Total size:                          1

Channel: tcp_local                Size Queued since
--------------------------------------------------------------
2 ZZ0002.HELD                    2 14-Nov-2023 22:15:00
3 sub/YZ0003.00.HELD            98 22-Jul-2023 04:26:40
--------------------------------------------------------------
Total size:                        100

Grand total size:                  101
'
err_is "held reports them" "$unmatched"
run "$QM" -queue="$Q" held -verbose; status "held -verbose" 0
err_is "held -verbose names them, sorted" "$names"
run "$QM" -queue="$Q" directory -nototal; status "directory" 0; dated
out_is "directory: queued only" 'Data gathered from the queue directory tree

Channel: tcp_local                Size Queued since
--------------------------------------------------------------
1 ZZ0001.00                      3 14-Nov-2023 22:13:20
--------------------------------------------------------------
'
err_is "directory reports them" "$unmatched"
run "$QM" -queue="$Q" dir -verb -held; status "directory -verbose (prefix)" 0
out_has "directory -held" '^1 ZY0004\.HELD +1 14-Nov-2023 22:16:40$'
err_is "directory -verbose" "$names"

# The Stored reset counts every held file; every counters command that scans reports.
run "$QM" -queue="$Q" counters create; status "counters create" 0
err_is "counters create" "%%QM-I-CREATED, created section \"$S\"
$unmatched%%QM-I-STORED, set Stored of 2 channels from queue \"$Q\"
"
run "$COUNTERS" -show -noheaders tcp_local; out_has "Stored counts both held forms" '^   Stored +3 +6 +103$'
run "$COUNTERS" -show -noheaders ims-ms; out_has "Stored of a channel holding only NAME.HELD" '^   Stored +1 +5 +1$'
run "$QM" -queue="$Q" counters show -verbose -noheaders nothing; status "counters show -verbose" 0
err_is "counters show -verbose" "$names%%QM-I-STORED, set Stored of 2 channels from queue \"$Q\"\n"
run "$QM" -queue="$Q" counters clear -channels; status "counters clear" 0
err_has "counters clear reports them" '^%QM-W-UNMATCHED, 4 entries of queue '
run "$QM" -queue="$Q" counters clear -associations; status "clear -associations does not scan" 0
err_is "clear -associations does not scan" "%%QM-I-CLEARED, cleared the association counters of section \"$S\"\n"
# A release renames ZZ0002.HELD to ZZ0002.00: still counted once, now as queued.
mv "$Q/tcp_local/ZZ0002.HELD" "$Q/tcp_local/ZZ0002.00"
run "$QM" -queue="$Q" summarize -held -noheading -notrailing tcp_local; ages
out_is "after a release" 'tcp_local                       3          1        103 AGE\n'
# One unmatched entry: singular.
rm -rf "$Q/tcp_local/README" "$Q/tcp_local/.ZZ0005.00.swp" "$Q/tcp_local/sub/deeper"
run "$QM" -queue="$Q" summarize -noheading -notrailing tcp_local
err_is "one unmatched entry" "%%QM-W-UNMATCHED, 1 entry of queue \"$Q\" is not a message file, not counted (-verbose names them)\n"
rm "$Q/notes.txt"
run "$QM" -queue="$Q" summarize; err_empty "nothing unmatched, nothing said"
"$COUNTERS" -delete >/dev/null 2>&1

# --- the default queue directory ----------------------------------------------------------
# COUNTERS_QUEUE (lib.sh) names a directory that does not exist: exactly one warning that
# Stored was not reset, with the path and the reason, and the command succeeds.
"$MAKE_TREE" "$TMP/q47" 2 1 >/dev/null # ch00: 2 messages, 3 recipients, 2 blocks
for c in "counters create" "counters clear" "counters clear -channels" "counters show -noheaders nothing"; do
    run "$QM" $c; status "$c, missing tree" 0
    err_has "$c, missing tree" "^%QM-W-NOTRESET, Stored not reset: cannot open queue directory $TMP/no-queue: No such file or directory$"
    CHECKS=$((CHECKS + 1)); [ "$(grep -c NOTRESET "$TMP/err")" = 1 ] || fail "$c: want one NOTRESET line: $(cat "$TMP/err")"
done
run "$QM" -queue="$TMP/queue/tcp_local/ZZ0001.00" counters show -noheaders nothing; status "not a directory" 0
err_is "not a directory" "%%QM-W-NOTRESET, Stored not reset: cannot open queue directory $TMP/queue/tcp_local/ZZ0001.00: Not a directory\n"
# Stored is left as it is.
"$COUNTERS" -delete >/dev/null 2>&1
run "$QM" -queue="$TMP/q47" counters create; status "create from a tree" 0
run "$QM" counters show -noheaders ch00; status "show, missing tree" 0
out_has "Stored kept when there is no tree" '^   Stored +2 +3 +2$'
# Without -queue and COUNTERS_QUEUE, the compiled-in default: whether or not that directory
# exists on this machine, qm names it (reset from it, or says why not) - never silent.
CHECKS=$((CHECKS + 1)); [ -n "${QM_DEFAULT_QUEUE:-}" ] || fail "QM_DEFAULT_QUEUE is not set by ctest"
def=$(printf '%s' "${QM_DEFAULT_QUEUE:-}" | sed 's/[][\.*^$+?(){}|]/\\&/g')
for c in "counters create" "counters clear" "counters show -noheaders nothing"; do
    env -u COUNTERS_QUEUE "$QM" $c >"$TMP/out" 2>"$TMP/err"; RC=$?
    status "$c, default queue" 0
    err_has "$c names the default queue" "^%QM-(W-NOTRESET, Stored not reset: cannot open queue directory $def: .*|I-STORED, set Stored of [0-9]+ channels? from queue \"$def\")$"
done
COUNTERS_QUEUE= run "$QM" counters show -noheaders nothing; status "empty COUNTERS_QUEUE: the default" 0
err_has "empty COUNTERS_QUEUE: the default" "(NOTRESET|STORED).*$def"
env -u COUNTERS_QUEUE "$QM" summarize >"$TMP/out" 2>"$TMP/err"; RC=$?
if [ -d "${QM_DEFAULT_QUEUE:-}" ]; then
    echo "note: $QM_DEFAULT_QUEUE exists here; the missing-default summarize check is skipped"
else
    status "summarize, missing default" 1
    err_is "summarize, missing default" "%%QM-E-QUEUEDIR, cannot open queue directory $QM_DEFAULT_QUEUE: No such file or directory\n"
fi
run "$QM" --help; out_has "--help names the default" "^  -queue=dir +queue directory tree \(default: \\\$COUNTERS_QUEUE, else $def\)$"
"$COUNTERS" -delete >/dev/null 2>&1

# --- -absolute after a Stored reset -------------------------------------------------------
# The queue holds 47 messages; Stored had drifted to a minimum of -5 (messages queued before
# a clear drained after it). The reset sets 47 and re-bases the minimum: -absolute says 47,
# not 52, in qm counters show and in counters -show.
rm -rf "$TMP/q47"
"$MAKE_TREE" "$TMP/q47" 47 1 >"$TMP/want"
read -r _ msgs held rcpts blocks <"$TMP/want"
CHECKS=$((CHECKS + 1)); [ "$msgs" = 47 ] || fail "make_tree: $(cat "$TMP/want")"
"$COUNTERS" -create >/dev/null
"$DRIFT" "$S" ch00 5 || fail "drift"
run "$COUNTERS" -show -noheaders ch00; out_has "drifted" '^   Stored +-5 +-5 +-5$'
run "$QM" -queue="$TMP/q47" counters create; status "reset by counters create" 0
run "$COUNTERS" -show -absolute -noheaders ch00
out_has "counters -show -absolute after the reset" "^   Stored +47 +$rcpts +$blocks\$"
run "$COUNTERS" -show -noheaders ch00
out_has "the value itself" "^   Stored +47 +$rcpts +$blocks\$"
# Only Stored is reset: Delivered keeps its 5.
out_has "Delivered" '^   Delivered +5 +5 +5 '
# Drift again to -5 (47 - 52), and let qm counters show -absolute reset and show at once.
"$DRIFT" "$S" ch00 52 || fail "drift"
run "$COUNTERS" -show -noheaders ch00; out_has "drifted again" '^   Stored +-5 '
run "$QM" -queue="$TMP/q47" counters show -absolute -noheaders ch00; status "counters show -absolute" 0
out_has "qm counters show -absolute after its own reset" "^   Stored +47 +$rcpts +$blocks\$"
run "$QM" counters show -absolute -format=json ch00 -queue="$TMP/q47"
out_has "json -absolute" '"absolute": true'
out_has "json stored_messages" '"stored_messages": 47,'
"$COUNTERS" -delete >/dev/null 2>&1

finish

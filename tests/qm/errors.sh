#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# qm bad input one-shot: unknown sub-command, bad options, missing or unreadable queue root,
# unreadable and corrupt message files (reported, skipped, never fatal).
TAG=errors
source "$(dirname "$0")/lib.sh"

run "$QM" bogus; status "unknown sub-command" 2
err_is "unknown sub-command" '%%QM-E-NOSUCHCMD, no such command "bogus"; type help\n'
run "$QM" summarize -bogus; status "bad option" 2
err_is "bad option" '%%QM-E-BADOPTION, unknown option -bogus\n'
run "$QM" -bogus summarize; status "bad global option" 2
err_is "bad global option" '%%QM-E-BADOPTION, unknown option -bogus\n'
run "$QM" counters show -format=xml; status "bad format" 2
err_is "bad format" '%%QM-E-BADFORMAT, -format: unknown format "xml" (text or json)\n'
run "$QM" counters create -max_channels=lots; status "bad number" 2
err_is "bad number" '%%QM-E-BADVALUE, -max_channels: "lots" is not a number\n'
run "$QM" summarize -queue; status "sub-command option without its value" 2
err_is "sub-command option without its value" '%%QM-E-BADOPTION, -queue: a value is required\n'
run "$QM" -queue; status "global option without its value" 2
err_is "global option without its value" '%%QM-E-BADOPTION, -queue: a value is required\n'
run "$QM" counters show -output=a -output=b; status "option given twice" 2
err_is "option given twice" '%%QM-E-BADOPTION, -output: given more than once\n'
run "$QM" -sect=x -se=y summarize; status "global option given twice" 2
err_is "global option given twice" '%%QM-E-BADOPTION, -section: given more than once\n'
run "$QM" -section=bad/name counters show; status "bad section" 2
err_has "bad section" '^%QM-E-BADARG, section "bad/name": '
run "$QM" exit extra; status "exit with an argument" 2
run "$QM" --help; status "--help" 0; out_has "--help" '^usage: qm \[-queue=dir\] \[-section=name\]$'
run "$QM" --version; status "--version" 0; out_has "--version" '^qm \(libcounters\) [0-9]'
run "$QM" exit; status "exit one-shot" 0
run "$QM" counters delete; status "delete a missing section" 1
err_is "delete a missing section" "%%QM-E-NOSECTION, section \"$S\": does not exist\n"

# A queue directory that does not exist (COUNTERS_QUEUE or -queue; the compiled-in default
# is tested in tree.sh): an error for the reports, one warning for the counters commands.
for c in summarize directory held; do
    run "$QM" "$c"; status "$c, missing COUNTERS_QUEUE" 1
    err_is "$c, missing COUNTERS_QUEUE" "%%QM-E-QUEUEDIR, cannot open queue directory $TMP/no-queue: No such file or directory\n"
done
run "$QM" -queue="$TMP/missing" summarize; status "missing queue dir" 1
err_is "missing queue dir" "%%QM-E-QUEUEDIR, cannot open queue directory $TMP/missing: No such file or directory\n"
run "$QM" -queue="$TMP/missing" counters create; status "counters create, missing queue" 0
err_is "counters create, missing queue" "%%QM-I-CREATED, created section \"$S\"
%%QM-W-NOTRESET, Stored not reset: cannot open queue directory $TMP/missing: No such file or directory
"

# Corrupt and unreadable files: each reported once, skipped; the good ones still count.
msg "$Q/tcp_local/ZZ0001.00" 2048 1 1700000000
printf 'garbage\n\n' >"$Q/tcp_local/ZZ0002.00"
printf '%%counters-queue 1\nrecipients 1\n\n' >"$Q/tcp_local/ZZ0003.00"
printf '%%counters-queue 1\nsize 10\nrecipients 1\n' >"$Q/tcp_local/ZZ0004.00"
printf '%%counters-queue 1\nsize 10\nsize 11\nrecipients 1\n\n' >"$Q/tcp_local/ZZ0005.00"
printf '%%counters-queue 1\nsize 10\nrecipients 2\nto <a>\n\n' >"$Q/tcp_local/ZZ0006.00"
printf '%%counters-queue 1\nsize 1\x1b[2J\nrecipients 1\n\n' >"$Q/tcp_local/ZZ0007.00"
: >"$Q/tcp_local/ZZ0008.00"
ln -s /etc/passwd "$Q/tcp_local/ZZ0009.00"
mkfifo "$Q/tcp_local/ZZ000a.00"
mkdir -p "$Q/bad name" "$Q/$(printf 'esc\033')"
printf 'other' >"$Q/tcp_local/README"
if [ "$(id -u)" -ne 0 ]; then
    msg "$Q/tcp_local/ZZ000b.00" 1 1 1; chmod 000 "$Q/tcp_local/ZZ000b.00"
    mkdir -p "$Q/locked"; chmod 000 "$Q/locked"
fi
run "$QM" -queue="$Q" summarize -noheading -notrailing
status "corrupt files are not fatal" 0
out_has "the good message counts" '^tcp_local +1 +2 '
for want in \
    '^%QM-W-SKIPPED, tcp_local/ZZ0002\.00: corrupt envelope: bad magic line$' \
    '^%QM-W-SKIPPED, tcp_local/ZZ0003\.00: corrupt envelope: no "size" line$' \
    '^%QM-W-SKIPPED, tcp_local/ZZ0004\.00: corrupt envelope: no end of envelope$' \
    '^%QM-W-SKIPPED, tcp_local/ZZ0005\.00: corrupt envelope: duplicate "size" line$' \
    '^%QM-W-SKIPPED, tcp_local/ZZ0006\.00: corrupt envelope: recipients is 2 but there are 1 "to" lines$' \
    '^%QM-W-SKIPPED, tcp_local/ZZ0007\.00: corrupt envelope: control character in the envelope$' \
    '^%QM-W-SKIPPED, tcp_local/ZZ0008\.00: corrupt envelope: empty file$' \
    '^%QM-W-SKIPPED, tcp_local/ZZ0009\.00: cannot open: ' \
    '^%QM-W-SKIPPED, tcp_local/ZZ000a\.00: not a regular file$' \
    '^%QM-W-SKIPPED, bad name: not a channel name$' \
    '^%QM-W-SKIPPED, esc\\x1b: not a channel name$' \
    "^%QM-W-UNMATCHED, 1 entry of queue \"$Q\" is not a message file, not counted \\(-verbose names them\\)\$"; do
    err_has "reported" "$want"
done
if [ "$(id -u)" -ne 0 ]; then
    err_has "unreadable file" '^%QM-W-SKIPPED, tcp_local/ZZ000b\.00: cannot open: Permission denied$'
    err_has "unreadable directory" '^%QM-W-SKIPPED, locked: cannot open directory: Permission denied$'
    n=14
else
    n=12
fi
CHECKS=$((CHECKS + 1))
[ "$(wc -l <"$TMP/err")" -eq "$n" ] || fail "each problem reported once: $(cat "$TMP/err")"
# Nothing raw from the tree reaches the terminal.
CHECKS=$((CHECKS + 1)); grep -q $'\033' "$TMP/err" "$TMP/out" && fail "escape character printed"
# The same problems in directory and in counters show; Stored counts the good file only.
run "$QM" -queue="$Q" directory; status "directory with corrupt files" 0
out_has "directory lists the good file" '^1 ZZ0001\.00 +2 '
run "$QM" -queue="$Q" counters show -noheaders tcp_local; status "show with corrupt files" 0
out_has "Stored from the good file" '^   Stored +1 +1 +2$'
err_has "show reports too" '^%QM-W-SKIPPED, tcp_local/ZZ0002\.00: corrupt envelope: bad magic line$'

finish

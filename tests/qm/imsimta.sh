#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# imsimta counters ... / imsimta qm ... run the same code as the tools; anything else is a
# usage error.
TAG=imsimta
source "$(dirname "$0")/lib.sh"
small_tree

run "$IMSIMTA"; status "no command" 2
err_has "usage" '^usage: imsimta counters \[options\]$'
run "$IMSIMTA" bogus; status "unknown command" 2
err_has "unknown command" '^imsimta: unknown command "bogus"$'
run "$IMSIMTA" --help; status "--help" 0; out_has "--help" '^usage: imsimta counters'

run "$IMSIMTA" counters -create; status "imsimta counters -create" 0
run "$IMSIMTA" counters -show; status "imsimta counters -show" 0; cp "$TMP/out" "$TMP/a"
run "$COUNTERS" -show; same "imsimta counters -show = counters -show" "$TMP/out" "$TMP/a"
run "$IMSIMTA" qm counters show; status "imsimta qm counters show" 0; cp "$TMP/out" "$TMP/b"
same "imsimta qm counters show = counters -show" "$TMP/out" "$TMP/b"
run "$IMSIMTA" counters -bogus; status "imsimta counters -bogus" 2
err_is "imsimta counters -bogus" 'imsimta counters: unknown option -bogus\n'
run "$IMSIMTA" COUNTERS -delete; status "case ignored" 0

run "$QM" -queue="$Q" summarize -held -notrailing; sed -E 's/ [^ ]+$//' "$TMP/out" >"$TMP/one"
run "$IMSIMTA" qm -queue="$Q" summarize -held -notrailing; status "imsimta qm summarize" 0
sed -E 's/ [^ ]+$//' "$TMP/out" >"$TMP/two"
same "imsimta qm summarize = qm summarize" "$TMP/one" "$TMP/two"
run "$IMSIMTA" qm bogus; status "imsimta qm bogus" 2
err_is "imsimta qm bogus" '%%QM-E-NOSUCHCMD, no such command "bogus"; type help\n'
feed "directory -held\nexit\n" "$IMSIMTA" q -queue="$Q"; status "imsimta q, interactive" 0
out_has "session through imsimta" '^[0-9]+ sub/YZ0003\.00\.HELD +98 '
run "$IMSIMTA" qm --help; out_has "imsimta qm --help" '^usage: imsimta qm \[-queue=dir\]'

finish

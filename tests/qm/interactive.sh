#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# qm interactive (scripted standard input): every sub-command, help, errors that never end
# the session, exit / quit / end of input, comments and quoting.
TAG=interactive
source "$(dirname "$0")/lib.sh"
small_tree

# Commands in a session print what they print one-shot.
run "$QM" -queue="$Q" summarize -held -notrailing; sed -E 's/ [^ ]+$//' "$TMP/out" >"$TMP/one"
feed 'summarize -held -notrailing\nexit\n' "$QM" -queue="$Q"; status "session" 0; err_empty "session"
sed -E 's/ [^ ]+$//' "$TMP/out" >"$TMP/two"
same "session output = one-shot output" "$TMP/one" "$TMP/two"

# Errors do not end the session; the command after them still runs.
feed 'bogus\nh\ncounters\ncounters c\nsummarize -bogus\nsummarize -h\nsummarize a b\ncounters create -max_channels=0\ndirectory "unterminated\ncounters show -noheaders ims-ms\nquit\nsummarize\n' \
    "$QM" -queue="$Q"
status "errors then quit" 0
err_is "error messages" '%%QM-E-NOSUCHCMD, no such command "bogus"; type help
%%QM-E-AMBIGCMD, ambiguous command "h": held or help
%%QM-E-NOSUBCMD, counters needs a sub-command: clear, create, delete or show
%%QM-E-AMBIGCMD, ambiguous command "counters c": clear or create
%%QM-E-BADOPTION, unknown option -bogus
%%QM-E-AMBIGOPT, ambiguous option -h (-heading, -held)
%%QM-E-BADARG, unexpected argument "b"
%%QM-E-BADVALUE, -max_channels: 0 is out of range (1..65536)
%%QM-E-BADQUOTE, missing closing quote
%%QM-I-CREATED, created section "'"$S"'"
%%QM-I-STORED, set Stored of 3 channels from queue "'"$Q"'"
'
out_has "the command after the errors ran" '^ims-ms$'
out_lacks "nothing after quit" '^Channel +Messages +Blocks'

# End of input leaves like exit; blank lines and comments are ignored; quotes group words.
feed '\n! a comment\n# another\n  HELD   -NOTOT  "tcp_local"  \n' "$QM" -queue="$Q"
status "end of input" 0; err_empty "end of input"
out_has "held via quoted pattern" '^[0-9]+ sub/YZ0003\.00\.HELD +98 '
out_lacks "-nototal" '^Total'

# help and help SUBCOMMAND in a session; counters sub-commands all work.
feed 'help\nhelp sum\nhelp counters\nhelp counters sh\nhelp nothing\nexit\n' "$QM"
status "help" 0
out_has "help lists" '^  summarize \[-database \| -directory_tree\] \[-heading \| -noheading\]'
out_has "help summarize" '^One line per channel directory'
out_has "help counters" '^counters delete$'
out_has "help counters show" '^Print the counters of the channels matching'
err_is "help nothing" '%%QM-E-NOSUCHCMD, no such command "nothing"; type help\n'

feed 'counters delete\ncounters create\ncounters clear -assoc\ncounters show tcp_local\ncounters delete\nex\n' "$QM"
status "counters in a session" 0
err_is "counters in a session" "%%QM-I-DELETED, deleted section \"$S\"
%%QM-I-CREATED, created section \"$S\"
$NOTRESET%%QM-I-CLEARED, cleared the association counters of section \"$S\"
$NOTRESET%%QM-I-DELETED, deleted section \"$S\"
"
out_has "show in a session" '^Channel +Messages +Recipients +Blocks$'

# A missing queue is an error inside the session, not the end of it.
feed 'summarize\ndirectory\nheld\nsummarize -queue=%s\n' "$QM" "$Q"
feed "summarize\ndirectory\nheld\nsummarize -noheading -notrailing -queue=$Q ims-ms\n" "$QM"
status "no queue in a session" 0
nq="%%QM-E-QUEUEDIR, cannot open queue directory $TMP/no-queue: No such file or directory\n"
err_is "no queue" "$nq$nq$nq"
out_has "-queue after the sub-command" '^ims-ms +1 +1 '

finish

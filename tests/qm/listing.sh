#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# qm directory, messages, summarize -database and view, exactly: the original's listing
# layout on a tree with fixed times, every documented option of directory, active and
# delayed messages per host, the missing queue cache database, the session's view, and the
# prefix rules (a documented name is never shadowed; `su -noh -he`).
TAG=listing
source "$(dirname "$0")/lib.sh"

# env_msg FILE SIZE CREATED FROM EXTRA: a message file whose envelope ends with EXTRA lines
# (`to ...`, `owner ...`); recipients is the number of `to` lines (1 when there are none).
env_msg() {
    local n
    n=$(printf '%b' "$5" | grep -c '^to ')
    [ "$n" -gt 0 ] || n=1
    mkdir -p "$(dirname "$1")"
    printf '%%counters-queue 1\ncreated %s\nsize %s\nrecipients %s\nfrom %s\n%b\nSubject: x\n\nbody\n' \
        "$3" "$2" "$n" "$4" "$5" >"$1"
}
# The two messages of the original's example (24-Feb-1999 11:52:29 and 11:51:57 UTC).
env_msg "$Q/sims-ms/ZZ0F7000103C1AB6.00" 1000 919857149 '<a@example.com>' 'owner alice\nto <b@siroe.com>\n'
env_msg "$Q/sims-ms/ZZ0F7000103C1D0D.00" 1000 919857117 '<>' 'to <c@West.Siroe.com>\n'
# tcp_local: a longer name (the columns widen), a retried one, a held one, one without a
# created line (its file time counts), one without recipients listed.
env_msg "$Q/tcp_local/sub/ZZ0000000000000000001234.00" 5000 1700000000 '<x@y.com>' 'to <b@siroe.com>\nto <d@siroe.com>\n'
env_msg "$Q/tcp_local/ZX0001.00" 3000 1700000100 '<bounce@y.com>' 'to <b@siroe.com>\nto <e@example.com>\n'
env_msg "$Q/tcp_local/ZY0002.00.HELD" 100 1700000200 '<x@y.com>' 'to <b@siroe.com>\n'
printf '%%counters-queue 1\nsize 10\nrecipients 1\nfrom <z@y.com>\n\n' >"$Q/tcp_local/ZZ0003.00"
touch -d @1600000000 "$Q/tcp_local/ZZ0003.00"
mkdir -p "$Q/empty"

# --- directory: the original's layout, byte for byte where its example gives it.
run "$QM" -queue="$Q" directory sims-ms; status "directory sims-ms" 0; err_empty "directory sims-ms"; dated
out_is "directory sims-ms (the original's example)" 'Data gathered from the queue directory tree

Channel: sims-ms                  Size Queued since
--------------------------------------------------------------
1 ZZ0F7000103C1AB6.00            1 24-Feb-1999 11:52:29
2 ZZ0F7000103C1D0D.00            1 24-Feb-1999 11:51:57
--------------------------------------------------------------
Total size:                          2

Grand total size:                    2
'
run "$QM" -queue="$Q" directory; status "directory" 0; err_empty "directory"; dated
out_is "directory: all channels, a long name widens the columns" 'Data gathered from the queue directory tree

Channel: sims-ms                              Size Queued since
--------------------------------------------------------------------------
1 ZZ0F7000103C1AB6.00                        1 24-Feb-1999 11:52:29
2 ZZ0F7000103C1D0D.00                        1 24-Feb-1999 11:51:57
--------------------------------------------------------------------------
Total size:                                      2

Channel: tcp_local                            Size Queued since
--------------------------------------------------------------------------
3 ZX0001.00                                  3 14-Nov-2023 22:15:00
4 ZZ0003.00                                  1 13-Sep-2020 12:26:40
5 sub/ZZ0000000000000000001234.00            5 14-Nov-2023 22:13:20
--------------------------------------------------------------------------
Total size:                                      9

Grand total size:                               11
'
# -held, several patterns (words and commas, any case), -nototal, -nofile_info.
run "$QM" -queue="$Q" directory -held -nototal TCP_LOCAL; status "directory -held -nototal" 0; dated
out_is "directory -held -nototal" 'Data gathered from the queue directory tree

Channel: tcp_local                            Size Queued since
--------------------------------------------------------------------------
1 ZX0001.00                                  3 14-Nov-2023 22:15:00
2 ZY0002.00.HELD                             1 14-Nov-2023 22:16:40
3 ZZ0003.00                                  1 13-Sep-2020 12:26:40
4 sub/ZZ0000000000000000001234.00            5 14-Nov-2023 22:13:20
--------------------------------------------------------------------------
'
run "$QM" -queue="$Q" directory -nofile_info 'tcp*' 'nothing,SIMS-*'; status "directory -nofile_info, patterns" 0; dated
out_is "directory -nofile_info" 'Data gathered from the queue directory tree

Channel: sims-ms
--------------------------------------------------------------------------
1 ZZ0F7000103C1AB6.00
2 ZZ0F7000103C1D0D.00
--------------------------------------------------------------------------
Total messages:                                  2

Channel: tcp_local
--------------------------------------------------------------------------
3 ZX0001.00
4 ZZ0003.00
5 sub/ZZ0000000000000000001234.00
--------------------------------------------------------------------------
Total messages:                                  3

Grand total messages:                            5
'
# -envelope; -owner; -from=<>; -to= (once "could not convert: --total = b").
run "$QM" -queue="$Q" directory -envelope sims-ms; status "directory -envelope" 0; dated
out_is "directory -envelope" 'Data gathered from the queue directory tree

Channel: sims-ms                  Size Queued since
--------------------------------------------------------------
1 ZZ0F7000103C1AB6.00            1 24-Feb-1999 11:52:29
  From:  <a@example.com>
  To:    <b@siroe.com>
  Owner: alice
2 ZZ0F7000103C1D0D.00            1 24-Feb-1999 11:51:57
  From:  <>
  To:    <c@West.Siroe.com>
--------------------------------------------------------------
Total size:                          2

Grand total size:                    2
'
run "$QM" -queue="$Q" dir -owner=alice -nototal; status "directory -owner" 0; dated
out_is "directory -owner" 'Data gathered from the queue directory tree

Channel: sims-ms                  Size Queued since
--------------------------------------------------------------
1 ZZ0F7000103C1AB6.00            1 24-Feb-1999 11:52:29
--------------------------------------------------------------
'
run "$QM" -queue="$Q" dir -owner=Alice; status "directory -owner: case counts" 0
out_is "directory -owner=Alice" ''; err_is "directory -owner=Alice" '%%QM-I-NOMSGS, no messages queued\n'
run "$QM" -queue="$Q" directory -from='<>' -nototal; status "directory -from=<>" 0; dated
out_has "-from=<> implies -envelope" '^  From:  <>$'
CHECKS=$((CHECKS + 1)); [ "$(grep -c '^[0-9]' "$TMP/out")" -eq 1 ] || fail "-from=<>: $(cat "$TMP/out")"
run "$QM" -queue="$Q" directory -to=b; status "directory -to=b" 0
out_is "directory -to=b: no such recipient" ''; err_is "directory -to=b" '%%QM-I-NOMSGS, no messages queued\n'
run "$QM" -queue="$Q" directory -to=C@WEST.siroe.com -nototal; status "directory -to=address" 0; dated
out_is "directory -to: case and brackets ignored" 'Data gathered from the queue directory tree

Channel: sims-ms                  Size Queued since
--------------------------------------------------------------
1 ZZ0F7000103C1D0D.00            1 24-Feb-1999 11:51:57
  From:  <>
  To:    <c@West.Siroe.com>
--------------------------------------------------------------
'
run "$QM" -queue="$Q" directory -to='*@siroe.com' -nofile_info -nototal tcp_local; status "directory -to=wildcard" 0; dated
out_is "directory -to=*@siroe.com, every recipient listed" 'Data gathered from the queue directory tree

Channel: tcp_local
--------------------------------------------------------------------------
1 ZX0001.00
  From:  <bounce@y.com>
  To:    <b@siroe.com>
         <e@example.com>
2 sub/ZZ0000000000000000001234.00
  From:  <x@y.com>
  To:    <b@siroe.com>
         <d@siroe.com>
--------------------------------------------------------------------------
'
# -match: or (the default) lists either, and both.
count_listed() { grep -c '^ *[0-9]\+ ' "$TMP/out"; }
run "$QM" -queue="$Q" directory -from='<x@y.com>' -to='e@example.com'; status "-from -to (or)" 0
CHECKS=$((CHECKS + 1)); [ "$(count_listed)" -eq 2 ] || fail "-match=or by default: $(cat "$TMP/out")"
run "$QM" -queue="$Q" directory -from='<x@y.com>' -to='e@example.com' -match=OR; status "-match=OR" 0
CHECKS=$((CHECKS + 1)); [ "$(count_listed)" -eq 2 ] || fail "-match=or: $(cat "$TMP/out")"
run "$QM" -queue="$Q" directory -from='bounce@y.com' -to='e@example.com' -match=and; status "-match=and" 0
CHECKS=$((CHECKS + 1)); [ "$(count_listed)" -eq 1 ] || fail "-match=and: $(cat "$TMP/out")"
out_has "-match=and lists the one" '^1 ZX0001\.00 '
run "$QM" -queue="$Q" directory -from='<x@y.com>' -to='e@example.com' -match=and; status "-match=and, none" 0
out_is "-match=and, none" ''
# Usage errors.
run "$QM" -queue="$Q" directory -match=xor; status "-match=xor" 2
err_is "-match=xor" '%%QM-E-BADVALUE, -match: "xor" is neither and nor or\n'
run "$QM" -queue="$Q" directory -t=b; status "-t is ambiguous" 2
err_is "-t" '%%QM-E-AMBIGOPT, ambiguous option -t (-to, -total)\n'
run "$QM" -queue="$Q" directory -owner=; status "empty -owner" 2
run "$QM" -queue="$Q" directory -database -directory_tree; status "both sources" 2
err_is "both sources" '%%QM-E-BADOPTION, -database and -directory_tree exclude each other\n'

# --- -database: there is no queue cache database; -directory_tree is the default.
NODB='%%QM-E-NODATABASE, there is no queue cache database: qm reads the queue directory tree; use -directory_tree (the default)\n'
for c in summarize directory; do
    run "$QM" -queue="$Q" $c -database; status "$c -database" 1
    out_is "$c -database" ''; err_is "$c -database" "$NODB"
    run "$QM" -queue="$Q" $c -directory_tree; status "$c -directory_tree" 0; err_empty "$c -directory_tree"
done
run "$QM" -queue="$Q" su -dat; status "summarize -dat (prefix)" 1; err_is "su -dat" "$NODB"
run "$QM" -queue="$Q" summarize -d; status "summarize -d" 2
err_is "summarize -d" '%%QM-E-AMBIGOPT, ambiguous option -d (-database, -directory_tree)\n'

# --- view: the session's default source.
feed 'view -database\nsummarize\ndirectory\nsummarize -directory_tree -noheading -notrailing sims-ms\nview -directory_tree\nsummarize -noheading -notrailing sims-ms\nview\nexit\n' \
    "$QM" -queue="$Q"
status "view session" 0
err_is "view session" "$NODB$NODB%%QM-E-BADVALUE, view needs -database or -directory_tree\n"
CHECKS=$((CHECKS + 1)); [ "$(grep -c '^sims-ms  ' "$TMP/out")" -eq 2 ] || fail "view session output: $(cat "$TMP/out")"
run "$QM" -queue="$Q" view -database; status "one-shot view" 0; out_is "one-shot view" ''; err_empty "one-shot view"

# --- messages: active (never attempted) and delayed (attempted) per destination host.
run "$QM" -queue="$Q" messages tcp_local; status "messages tcp_local" 0; err_empty "messages"
out_is "messages tcp_local" 'host                             active messages delayed messages
-------------------------------- --------------- ----------------
(unknown)                                      1                0
example.com                                    0                1
siroe.com                                      1                1
'
run "$QM" -queue="$Q" mess 'sims*'; status "messages sims*" 0
out_is "messages sims*: hosts in lower case" 'host                             active messages delayed messages
-------------------------------- --------------- ----------------
siroe.com                                      1                0
west.siroe.com                                 1                0
'
run "$QM" -queue="$Q" messages empty; status "messages of an empty channel" 0
out_is "messages empty" 'host                             active messages delayed messages
-------------------------------- --------------- ----------------
'
run "$QM" -queue="$Q" messages nosuch; status "messages nosuch" 1
err_is "messages nosuch" '%%QM-E-NOSUCHCHAN, no channel matches "nosuch"\n'
run "$QM" -queue="$Q" messages; status "messages without a channel" 2
run "$QM" messages tcp_local; status "messages without a queue" 1

# --- prefixes: `su -noh -he` is `summarize -noheading -held` (qm(1)'s example).
run "$QM" -queue="$Q" summarize -noheading -held; cp "$TMP/out" "$TMP/full"
run "$QM" -queue="$Q" su -noh -he; status "su -noh -he" 0; err_empty "su -noh -he"
same "su -noh -he = summarize -noheading -held" "$TMP/full" "$TMP/out"
out_has "-he counts held" '^tcp_local +4 +1 '
run "$QM" -queue="$Q" SU --NOH --HE; status "SU --NOH --HE" 0; same "any case, two dashes" "$TMP/full" "$TMP/out"
run "$QM" -queue="$Q" su -nohe; status "-nohe stays ambiguous" 2
err_is "-nohe" '%%QM-E-AMBIGOPT, ambiguous option -nohe (-noheading, -noheld)\n'

# --- Every option of every sub-command, spelled as its synopsis in --help gives it, is that
# option: never shadowed by another, never ambiguous, never unknown.
run "$QM" --help; status "--help" 0
awk '/^Sub-commands/ {on = 1; next} on && /^$/ {on = 0} on' "$TMP/out" >"$TMP/synopses"
CHECKS=$((CHECKS + 1)); [ "$(wc -l <"$TMP/synopses")" -ge 10 ] || fail "no synopses in --help: $(cat "$TMP/out")"
cmd=()
while IFS= read -r line; do
    case "$line" in
        "  "[a-z]*)
            read -r -a w <<<"$line"
            if [ "${w[0]}" = counters ]; then cmd=("${w[0]}" "${w[1]}"); else cmd=("${w[0]}"); fi ;;
    esac
    for opt in $(grep -oE -- '-[a-z_]+(=[a-z|]+)?' <<<"$line"); do
        name=${opt%%=*}
        value=
        case "$opt" in *=*) value="=x" ;; esac
        case "$name" in -match) value="=and" ;; -format) value="=text" ;; -max_channels) value="=5" ;; -output) value="=$TMP/o" ;; esac
        case "$name" in -name | -command) continue ;; esac # channel-name, sub-command
        run "$QM" -queue="$Q" "${cmd[@]}" "$name$value"
        CHECKS=$((CHECKS + 1))
        [ "$RC" -ne 2 ] || fail "${cmd[*]} $name$value: usage error: $(cat "$TMP/err")"
    done
done <"$TMP/synopses"
"$QM" counters delete >/dev/null 2>&1

finish

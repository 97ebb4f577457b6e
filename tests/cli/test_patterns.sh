# SPDX-License-Identifier: MIT
# Channel patterns: * and ?, case-insensitive, nothing matched.
TAG=pat
. "$(dirname "$0")/lib.sh"

ok "fill" "$FILL" "$S" base
names() { # names PATTERN EXPECTED...: the channels -show PATTERN lists, in order
    local pat=$1; shift
    local want=""
    for n in "$@"; do
        [ -n "$want" ] && want+=$'\n'
        want+="$n"$'\n'
    done
    printf '%s' "$want" >"$TMP/want"
    show_is "pattern '$pat'" "$TMP/want" -show -noheaders -nochannels -noassociations "$pat"
}
names '*' tcp_local tcp_intranet ims-ms l conversion
names 'tcp_*' tcp_local tcp_intranet
names 'TCP_LOCAL' tcp_local
names 'Tcp_*NET' tcp_intranet
names '?' l
names '??????' ims-ms
names 'ims-m?' ims-ms
names '*-*' ims-ms
names '*o*' tcp_local conversion
names 'c*n' conversion
names '**l**' tcp_local l
names 'nomatch'
names 'tcp_' 
names 'l?'

printf 'Channel                Messages   Recipients Blocks\n---------------------- ---------- ---------- ----------\n' >"$TMP/want"
show_is "no match prints only the headers" "$TMP/want" -show nomatch
sed -n '/^ims-ms$/,/Total Out/p' "$SRC/expected/base.txt" >"$TMP/want"
show_is "one full channel block" "$TMP/want" -show -noheaders 'IMS-*'
finish

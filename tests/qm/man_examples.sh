#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every example in the EXAMPLES section of qm(1) works: each `$ qm ...` command runs on a
# queue tree (Q, /var/spool/mta and COUNTERS_QUEUE name it) and succeeds, showing the header lines the
# page shows; the session's commands are fed to qm and give exactly the %QM lines the page
# shows (the section and queue names substituted).
TAG=manex
source "$(dirname "$0")/lib.sh"
PAGE="$SRC/../../man/qm.1"
[ -r "$PAGE" ] || { echo "cannot read $PAGE" >&2; exit 1; }

# Five channels, as the session example says, with a few messages.
msg "$Q/conversion/ZZ0001.00" 3000 2 1700000000
msg "$Q/conversion/ZZ0002.00.HELD" 100 1 1700000000
msg "$Q/ims-ms/ZY0003.00" 1024 5 1700000200
msg "$Q/tcp_local/ZZ0004.00" 100 1 1700000100
printf '%%counters-queue 1\nsize 10\nrecipients 1\nfrom <a@example.com>\nto <b@example.com>\n\n' >"$Q/tcp_local/ZY0005.00"
msg "$Q/tcp_local/ZZ0006.00.HELD" 100 1 1700000300
mkdir -p "$Q/tcp_intranet" "$Q/l"

# The literal displays of EXAMPLES, with mdoc escapes undone.
sed -n '/^\.Sh EXAMPLES/,/^\.Sh /p' "$PAGE" |
    awk '/^\.Bd -literal/ {on = 1; print "@@"; next} /^\.Ed/ {on = 0; next} on' |
    sed -e 's/\\&//g' -e 's/\\e/\\/g' >"$TMP/examples"
CHECKS=$((CHECKS + 1)); grep -q '^\$ qm ' "$TMP/examples" || fail "no examples found in $PAGE"

subst() { sed -e "s|/var/spool/mta|$Q|g" -e "s|-queue=Q |-queue=$Q |g" -e "s|\"imta_counters\"|\"$S\"|g"; }

# Splits the displays into one-shot commands (with the lines they show) and the session.
n=0
session=0
: >"$TMP/session.in"
: >"$TMP/session.want"
while IFS= read -r line; do
    case "$line" in
        @@) session=0; n=$((n + 1)); : >"$TMP/show.$n" ;;
        '$ qm -queue=/var/spool/mta') session=1 ;;
        '$ qm '*)
            n=$((n + 1)); : >"$TMP/show.$n"
            printf '%s\n' "${line#\$ }" | subst >"$TMP/cmd.$n" ;;
        '$ '*) n=$((n + 1)); : >"$TMP/show.$n" ;; # another tool's command: tests/man runs it
        'qm.maint> '*) printf '%s\n' "${line#qm.maint> }" | subst >>"$TMP/session.in" ;;
        *)
            if [ "$session" -eq 1 ]; then printf '%s\n' "$line" | subst >>"$TMP/session.want"
            else printf '%s\n' "$line" >>"$TMP/show.$n"; fi ;;
    esac
done <"$TMP/examples"

ran=0
for f in "$TMP"/cmd.*; do
    [ -e "$f" ] || continue
    k=${f##*.}
    cmd=$(cat "$f")
    # `qm` is the tool under test; a pipeline runs in bash.
    COUNTERS_QUEUE="$Q" run bash -c "set -o pipefail; export PATH=\"$(dirname "$QM"):\$PATH\"; ${cmd/#qm/\"$QM\"}"
    ran=$((ran + 1))
    status "example: $cmd" 0
    CHECKS=$((CHECKS + 1))
    if grep -q '^%QM-E' "$TMP/err"; then fail "example: $cmd: $(cat "$TMP/err")"; fi
    # The header lines the page shows (those without figures) are printed as shown.
    while IFS= read -r want; do
        case "$want" in *[0-9]*) continue ;; esac
        CHECKS=$((CHECKS + 1))
        grep -qxF -- "$want" "$TMP/out" || fail "example: $cmd: no line \"$want\" in: $(cat "$TMP/out")"
    done <"$TMP/show.$k"
done
CHECKS=$((CHECKS + 1)); [ "$ran" -ge 4 ] || fail "only $ran one-shot examples ran"

# The session, on a section that exists (the page shows no %QM-I-CREATED line).
CHECKS=$((CHECKS + 1)); [ -s "$TMP/session.in" ] || fail "no session example"
"$COUNTERS" --section "$S" -create >/dev/null || fail "counters -create $S"
feed "$(sed 's/%/%%/g' "$TMP/session.in")\n" "$QM" -queue="$Q"
status "session example" 0
grep '^%QM' "$TMP/session.want" >"$TMP/want.err"
same "session example: its %QM lines" "$TMP/want.err" "$TMP/err"

finish

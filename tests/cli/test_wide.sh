# SPDX-License-Identifier: MIT
# Wide values (issue 11, item 12): a number too wide for its column widens that column on
# every line of the table, so that columns stay aligned and two numbers never touch; values
# that fit keep the documented layout byte-for-byte.
TAG=wide
. "$(dirname "$0")/lib.sh"

# check_table DESC: the last output ($TMP/out) is a well-formed table. Every row splits on
# whitespace into its label and three integers (Delivered: and "(N first time)"), every
# association line into its label and one integer, every queue line into label, T/C, "=",
# average; the right ends of each column are the same on every line, and each dash group of
# the header ends three columns after its numbers (as in the documented layout).
check_table() {
    CHECKS=$((CHECKS + 1))
    local problems
    problems=$(awk '
        function fail(m) { print "line " NR ": " m ": [" $0 "]"; bad = 1 }
        function isint(s) { return s ~ /^-?[0-9]+$/ }
        # ends[k] = column of the last character of the k-th word of s; returns the count
        function word_ends(s, ends,    i, n) {
            n = 0
            for (i = 1; i <= length(s); i++)
                if (substr(s, i, 1) != " " && (i == length(s) || substr(s, i + 1, 1) == " ")) ends[++n] = i
            return n
        }
        function row(    want, k, e) {
            want = ($0 ~ /first time\)$/) ? 7 : 4
            if (NF != want) { fail("has " NF " fields, want " want); return }
            for (k = 2; k <= 4; k++) if (!isint($k)) fail("field " k " is not an integer")
            if (want == 7 && !($5 ~ /^\(-?[0-9]+$/ && $6 == "first" && $7 == "time)")) fail("bad first-time part")
            word_ends($0, e)
            for (k = 1; k <= 3; k++)
                if (col[k] == "") col[k] = e[k + 1]; else if (col[k] != e[k + 1]) fail("column " k " ends at " e[k + 1] ", not " col[k])
            rows++
        }
        function total(want) {
            if (NF != want) { fail("has " NF " fields, want " want); return }
            if (!isint($NF)) fail("not an integer")
            if (tend == "") tend = length($0); else if (tend != length($0)) fail("total ends at " length($0) ", not " tend)
        }
        NR == 2 && /^-+ -+ -+ -+$/ { ndash = word_ends($0, dash); next }
        /^   (Received|Stored|Delivered|Submitted|Attempted|Rejected|Failed) / { kind = "row"; row(); next }
        /^   Total (In|Out) Assocs / { kind = "total"; total(4); next }
        /^   Queue (first )?time\/count / {
            kind = "queue"
            if (NF != ($2 == "first" ? 6 : 5)) fail("bad queue line")
            if ($(NF - 2) !~ /^-?[0-9]+\/-?[0-9]+$/ || $(NF - 1) != "=" || $NF !~ /^-?[0-9]+\.[0-9][0-9]$/) fail("bad queue figures")
            next
        }
        /^     minimum / {
            if (kind == "row") row()
            else if (kind == "total") total(2)
            else if (kind == "queue") { if (NF != 2 || $2 !~ /^-?[0-9]+\/-?[0-9]+$/) fail("bad queue minimum") }
            else fail("minimum line without a line above")
            kind = ""
            next
        }
        /^ / { fail("unrecognised line (a number touching its label?)"); next }
        { kind = "" }
        END {
            if (rows == 0 && tend == "") fail("no rows")
            if (ndash == 4 && rows > 0)
                for (k = 1; k <= 3; k++) if (dash[k + 1] != col[k] + 3) fail("dash group " k + 1 " ends at " dash[k + 1] ", numbers at " col[k])
            exit bad
        }' "$TMP/out")
    if [ -n "$problems" ]; then
        fail "$1: $problems"
        cat "$TMP/out" >&2
    fi
    if grep -n ' $' "$TMP/out" >&2; then fail "$1: trailing spaces"; fi
}

ok "fill" "$FILL" "$S" base

# Eleven digits: the width at which numbers used to run together (12345678901|12345678901).
ok "set 11 digits" "$FILL" "$S" set eleven 12345678901
ok "show eleven" "$COUNTERS" --section "$S" -show eleven
same "eleven digits, exact" "$SRC/expected/wide.txt" "$TMP/out"
check_table "eleven digits"

# Values that fit keep the documented layout: the other channels, shown alone, are as before.
ok "show base channels" "$COUNTERS" --section "$S" -show tcp_local
{ head -n 2 "$SRC/expected/base.txt"; sed -n '/^tcp_local$/,/^tcp_intranet$/p' "$SRC/expected/base.txt" | sed '$d' | sed '$d'; } >"$TMP/tl_want"
same "tcp_local alone keeps the documented layout" "$TMP/tl_want" "$TMP/out"

# The extremes of a 64-bit counter in every column: INT64_MAX, INT64_MIN (the widest, 20
# characters) and 2^64-1, which an int64 counter holds as -1 (it wrapped).
ok "set max" "$FILL" "$S" set max 9223372036854775807 -9223372036854775808
ok "set min" "$FILL" "$S" set min -9223372036854775808 -9223372036854775808
ok "set wrapped" "$FILL" "$S" set wrapped 18446744073709551615 18446744073709551615
for opts in "" "-absolute" "-minimums" "-minimums -absolute" "-noassociations" "-nochannels"; do
    # shellcheck disable=SC2086
    ok "show $opts" "$COUNTERS" --section "$S" -show $opts
    check_table "all channels $opts"
done

# The numbers read back as written.
ok "show max" "$COUNTERS" --section "$S" -show -noheaders max
CHECKS=$((CHECKS + 1))
[ "$(awk '$1 == "Received" { print $2 "," $3 "," $4 }' "$TMP/out")" = \
  "9223372036854775807,9223372036854775807,9223372036854775807" ] || fail "max: Received row $(grep Received "$TMP/out")"
CHECKS=$((CHECKS + 1))
[ "$(awk '$1 == "Total" && $2 == "Out" { print $4 }' "$TMP/out")" = 9223372036854775807 ] || fail "max: Total Out"
ok "show min" "$COUNTERS" --section "$S" -show -noheaders -minimums min
CHECKS=$((CHECKS + 1))
[ "$(awk '$1 == "minimum" && NF == 7 { print $2 "," $3 "," $4 "," $5 }' "$TMP/out")" = \
  "-9223372036854775808,-9223372036854775808,-9223372036854775808,(-9223372036854775808" ] ||
    fail "min: Delivered minimum $(grep -A1 Delivered "$TMP/out")"
ok "show wrapped" "$COUNTERS" --section "$S" -show -noheaders wrapped
CHECKS=$((CHECKS + 1))
[ "$(awk '$1 == "Stored" { print $2 "," $3 "," $4 }' "$TMP/out")" = "-1,-1,-1" ] || fail "wrapped: Stored"
# -absolute of INT64_MAX less INT64_MIN saturates at INT64_MAX.
ok "show max -absolute" "$COUNTERS" --section "$S" -show -noheaders -absolute max
CHECKS=$((CHECKS + 1))
[ "$(awk '$1 == "Failed" { print $2 }' "$TMP/out")" = 9223372036854775807 ] || fail "max -absolute: Failed"

# The header widens with the widest column: 20 characters in each, three more than fit.
ok "show min headers" "$COUNTERS" --section "$S" -show min
CHECKS=$((CHECKS + 1))
[ "$(head -n 2 "$TMP/out")" = "Channel                Messages      Recipients           Blocks
---------------------- ------------- -------------------- --------------------" ] ||
    fail "widened header: $(head -n 2 "$TMP/out")"
finish

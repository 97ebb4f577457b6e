# --help and --version; the usage lines of --help are the SYNOPSIS of counters(1).
TAG=help
. "$(dirname "$0")/lib.sh"
ok "--help" "$COUNTERS" --help
cp "$TMP/out" "$TMP/help"
CHECKS=$((CHECKS + 1))
head -n 1 "$TMP/help" | grep -q '^usage: counters ' || fail "--help does not start with usage"
for h in -h -help -HELP --hel; do
    ok "$h" "$COUNTERS" $h && same "$h" "$TMP/help" "$TMP/out"
done
ok "--version" "$COUNTERS" --version
CHECKS=$((CHECKS + 1))
grep -Eqx 'counters \(libcounters\) [0-9]+\.[0-9]+\.[0-9]+' "$TMP/out" || fail "--version: $(cat "$TMP/out")"

# SYNOPSIS as mandoc renders it, and the usage block of --help, compared word for word.
CHECKS=$((CHECKS + 1))
command -v mandoc >/dev/null || fail "mandoc is required for this test"
mandoc -T ascii -O width=200 "$TOP/man/counters.1" | sed 's/.\x08//g' |
    sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;$d' | tr -s ' \n' '\n\n' | sed '/^$/d' >"$TMP/synopsis"
sed '/^$/,$d' "$TMP/help" | sed '1s/^usage://' | tr -s ' \n' '\n\n' | sed '/^$/d' >"$TMP/usage"
[ -s "$TMP/synopsis" ] || fail "no SYNOPSIS rendered"
if ! cmp -s "$TMP/synopsis" "$TMP/usage"; then
    fail "--help usage and SYNOPSIS differ (< SYNOPSIS, > --help)"
    diff "$TMP/synopsis" "$TMP/usage" >&2
fi
finish

# SPDX-License-Identifier: MIT
# --help and --version (that the usage lines of --help are the SYNOPSIS of counters(1) is
# checked by tests/man/synopsis.sh).
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

finish

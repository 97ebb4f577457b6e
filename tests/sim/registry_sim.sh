#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# mta-sim and the counter registry: the IMAP and POP servers' imapstat and popstat, read back
# with counterutil, agree with the summary's services table (and double on a second run with
# the same seed); --verify checks them; COUNTERS_REGISTRY picks the registry; --no-servers
# creates no registry and leaves every channel counter as it is with the servers.
# Private section and registries (ctest_sim_regs_<pid>*), removed when the script exits.
# usage: registry_sim.sh MTA_SIM COUNTERUTIL
set -u
sim=$1 cu=$2
S="ctest_sim_regs_$$"
R1="${S}_r1" R2="${S}_r2" R3="${S}_r3"
TMP=$(mktemp -d)
trap 'rm -f "/dev/shm/$S" "/dev/shm/$R1" "/dev/shm/$R2" "/dev/shm/$R3"; rm -rf "$TMP"' EXIT
unset COUNTERS_REGISTRY COUNTERS_SECTION
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# "connections failed logins bad-logins" of object $2 in the summary $1.
summary() { awk -v o="$2" '$1 == o && NF == 7 { print $2, $3, $5, $6 }' "$1"; }
# The same four, then numCurrentConnections and maxConnections, as counterutil shows them.
registry() {
    "$cu" -r "$1" -o "$2" -n 1 | awk -F': ' '
        /\.numConnections /       { c = $2 }
        /\.numFailedConnections / { f = $2 }
        /\.numGoodLogins /        { g = $2 }
        /\.numFailedLogins /      { b = $2 }
        /\.numCurrentConnections / { cur = $2 }
        /\.maxConnections /       { m = $2 }
        END { print c, f, g, b, cur, m }'
}
# The parts of a summary that do not depend on the registry (channels, associations, checks).
channels() {
    grep -v -e '^elapsed ' -e '^mta-sim: ' -e '^verify: OK (run: ' "$1" |
        sed -e '/^IMAP and POP/,/^$/d' -e 's|, every IMAP/POP connection closed||'
}

# 1. --registry and --verify.
"$sim" --section "$S" --registry "$R1" --processes 3 --messages 2000 --seed 7 --verify >"$TMP/run1" ||
    fail "run 1 exited $?"
grep -q "^verify: OK (run: imapstat and popstat of registry $R1 match" "$TMP/run1" || fail "run 1: no registry verify line"
for o in imapstat popstat; do
    want=$(summary "$TMP/run1" "$o")
    read -r c f g b cur max <<<"$(registry "$R1" "$o")"
    [ -n "$want" ] || fail "run 1: no $o line in the summary"
    [ "$want" = "$c $f $g $b" ] || fail "$o: summary says '$want', counterutil shows '$c $f $g $b'"
    [ "${c:-0}" -gt 0 ] && [ "${g:-0}" -gt 0 ] && [ "${b:-0}" -gt 0 ] && [ "${f:-0}" -gt 0 ] ||
        fail "$o: expected some connections, failures, logins and bad logins: '$c $f $g $b'"
    [ "$cur" = 0 ] || fail "$o: numCurrentConnections $cur after the run"
    [ "${max:-0}" -ge 1 ] || fail "$o: maxConnections $max"
    echo "$o: $want (counterutil: $c $f $g $b, current $cur, max $max)"
done

# 2. The same seed again: the same summary, and every registry counter doubles.
"$sim" --section "$S" --registry "$R1" --processes 3 --messages 2000 --seed 7 --verify >"$TMP/run2" ||
    fail "run 2 exited $?"
grep -q "^verify: OK (run: " "$TMP/run2" || fail "run 2 did not verify"
for o in imapstat popstat; do
    [ "$(summary "$TMP/run1" "$o")" = "$(summary "$TMP/run2" "$o")" ] || fail "$o: run 2 differs from run 1"
    read -r c f g b _ <<<"$(summary "$TMP/run1" "$o")"
    want="$((2 * c)) $((2 * f)) $((2 * g)) $((2 * b))"
    read -r c f g b _ <<<"$(registry "$R1" "$o")"
    [ "$want" = "$c $f $g $b" ] || fail "$o after two runs: want '$want', counterutil shows '$c $f $g $b'"
done

# 3. COUNTERS_REGISTRY names the registry when --registry is not given.
COUNTERS_REGISTRY="$R2" "$sim" --section "$S" --processes 1 --messages 300 --verify --quiet >"$TMP/run3" ||
    fail "run 3 exited $?"
grep -q "^verify: OK (run: imapstat and popstat of registry $R2 match" "$TMP/run3" || fail "run 3: not verified in $R2"
[ -e "/dev/shm/$R2" ] || fail "COUNTERS_REGISTRY=$R2 was not used"

# 4. --no-servers: no registry at all, no services table, the channels exactly as in run 1.
COUNTERS_REGISTRY="$R3" "$sim" --section "$S" --no-servers --processes 3 --messages 2000 --seed 7 --verify \
    >"$TMP/run4" || fail "run 4 exited $?"
[ -e "/dev/shm/$R3" ] && fail "--no-servers created registry $R3"
grep -q 'no servers, seed 7' "$TMP/run4" || fail "run 4: the header does not say 'no servers'"
grep -q -e imapstat -e popstat "$TMP/run4" && fail "run 4 mentions imapstat or popstat"
[ "$(grep -c '^verify: OK' "$TMP/run4")" = 1 ] || fail "run 4: expected only the section's verify line"
channels "$TMP/run1" >"$TMP/ch1"
channels "$TMP/run4" >"$TMP/ch4"
diff "$TMP/ch1" "$TMP/ch4" || fail "the servers changed the channel counters of seed 7"

[ "$fails" -eq 0 ] && echo "registry sim: OK" && exit 0
echo "registry sim: FAILED ($fails)"
cat "$TMP/run1"
exit 1

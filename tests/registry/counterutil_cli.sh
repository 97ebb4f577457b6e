#!/bin/bash
# SPDX-License-Identifier: MIT
# CLI tests of counterutil: every option, the output layouts, bad input and exit codes.
# usage: counterutil_cli.sh COUNTERUTIL REGISTRY_PRODUCER JSON_CHECK
set -u
CU=$1
PROD=$2
JSON=$3
REG="ctest_reg_cli_$$"
OTHER="ctest_reg_cli2_$$"
TMP=$(mktemp -d)
cleanup() {
    [ -n "${HOLD:-}" ] && kill -9 "$HOLD" 2>/dev/null
    rm -f "/dev/shm/$REG" "/dev/shm/$OTHER" "/dev/shm/ctest_reg_cli_bad_$$" "/dev/shm/ctest_reg_cli_ingest_$$"
    rm -rf "$TMP"
}
trap cleanup EXIT
export TZ=UTC0
unset COUNTERS_REGISTRY
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect STATUS STDERR_REGEX -- ARGS...   (stdout to $TMP/out, stderr to $TMP/err)
expect() {
    local want=$1 re=$2
    shift 3
    "$CU" "$@" >"$TMP/out" 2>"$TMP/err"
    local rc=$?
    [ "$rc" = "$want" ] || fail "counterutil $*: exit $rc, wanted $want; stderr: $(cat "$TMP/err")"
    if [ -n "$re" ]; then
        grep -Eq "$re" "$TMP/err" || fail "counterutil $*: stderr '$(cat "$TMP/err")' does not match '$re'"
        [ "$(wc -l <"$TMP/err")" = 1 ] || fail "counterutil $*: more than one error line"
    fi
}
has() { grep -Fqx -- "$1" "$TMP/out" || fail "output lacks line '$1': $(cat "$TMP/out")"; }
# usage LINE -- ARGS...: exit 2, exactly LINE on stderr, nothing on stdout.
usage() {
    local line=$1
    shift 2
    "$CU" "$@" >"$TMP/out" 2>"$TMP/err"
    local rc=$?
    [ "$rc" = 2 ] || fail "counterutil $*: exit $rc, wanted 2"
    printf '%s\n' "$line" | cmp -s - "$TMP/err" || fail "counterutil $*: stderr '$(cat "$TMP/err")', wanted '$line'"
    [ -s "$TMP/out" ] && fail "counterutil $*: unexpected stdout: $(cat "$TMP/out")"
    return 0
}

# --- missing registry
expect 1 '^counterutil: registry "'"$REG"'": does not exist$' -- -l -r "$REG"
expect 1 '^counterutil: registry "'"$REG"'": does not exist$' -- -o imapstat -n 1 -r "$REG"
expect 1 'does not exist' -- -s -o imapstat -c numConnections -r "$REG"
[ -e "/dev/shm/$REG" ] && fail "a reader created the registry"

# --- fill it: imapstat via the service helper, serverresponse instances, diskusage string
"$PROD" "$REG" accept imapstat 5 close imapstat 2 fail imapstat 1 login-ok imapstat 3 \
    login-failed imapstat 4 gauge serverresponse http responseTime 12 \
    time serverresponse http lastStatTime 971811863 gauge serverresponse imap responseTime 30 \
    string diskusage primary mailPartitionPath "/var/mail/store" \
    time diskusage primary lastStatTime 4102444800 || fail "producer failed"

# --- -l
expect 0 '' -- -l -r "$REG"
has "Listing registry ($REG)"
has "numobjects = 3"
has "refcount = 0"
has "     entry = imapstat"
has "     entry = serverresponse"
has "     entry = diskusage"
grep -Eq '^created = [0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2} \+0000$' "$TMP/out" || fail "created line: $(cat "$TMP/out")"
grep -Eq '^modified = [0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:' "$TMP/out" || fail "modified line"
# environment variable instead of -r
COUNTERS_REGISTRY=$REG "$CU" -l >"$TMP/out" 2>&1 || fail "-l with COUNTERS_REGISTRY"
has "Listing registry ($REG)"
# long spellings
expect 0 '' -- --list --registry "$REG"
has "numobjects = 3"

# --- -o, text
expect 0 '' -- -o imapstat -n 1 -r "$REG"
sed -n 1,3p "$TMP/out" > "$TMP/head"
printf 'Monitor counterobject (imapstat)\nregistry %s opened\ncounterobject imapstat opened\n' "$REG" | cmp -s - "$TMP/head" || fail "monitor header: $(cat "$TMP/head")"
grep -Eq '^count = 1 at [0-9]+ rh = 0x0 oh = 0x[0-9a-f]+$' "$TMP/out" || fail "count line: $(grep '^count' "$TMP/out")"
[ "$(sed -n 4p "$TMP/out")" = "" ] && [ "$(sed -n 6p "$TMP/out")" = "" ] || fail "blank lines around the count line"
has "global.maxConnections [8 bytes]: 5"
has "global.numConnections [8 bytes]: 5"
has "global.numCurrentConnections [8 bytes]: 0"   # the producer has exited
has "global.numFailedConnections [8 bytes]: 1"
has "global.numFailedLogins [8 bytes]: 4"
has "global.numGoodLogins [8 bytes]: 3"
grep -Eq '^global.currentStartTime \[8 bytes\]: [0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9:]{8} \+0000$' "$TMP/out" || fail "currentStartTime"
[ "$(grep -c '^global\.' "$TMP/out")" = 8 ] || fail "imapstat has 8 lines"
expect 0 '' -- -o serverresponse -n 1 -r "$REG"
has "http.lastStatTime [8 bytes]: 17/Oct/2000:19:44:23 +0000"
has "http.responseTime [8 bytes]: 12"
has "imap.lastStatTime [8 bytes]: -"
has "imap.responseTime [8 bytes]: 30"
TZ=PST8PDT "$CU" -o serverresponse -n 1 -r "$REG" >"$TMP/out" 2>&1
has "http.lastStatTime [8 bytes]: 17/Oct/2000:12:44:23 -0700"
expect 0 '' -- -o diskusage -n 1 -r "$REG"
has "primary.mailPartitionPath [256 bytes]: /var/mail/store"
has "primary.lastStatTime [8 bytes]: 01/Jan/2100:00:00:00 +0000"

# --- names and strings from shared memory are escaped (\xHH), bad numbers too
"$PROD" "$REG" string diskusage ctl mailPartitionPath "$(printf '/var/\033[2J\tx\\y')" || fail "producer (ctl)"
expect 0 '' -- -o diskusage -n 1 -r "$REG"
has 'ctl.mailPartitionPath [256 bytes]: /var/\x1b[2J\x09x\\y'
grep -q "$(printf '\033')" "$TMP/out" && fail "a control character reached the output"
expect 2 '^counterutil: bad interval "\\x1b\[2J"' -- -o imapstat -i "$(printf '\033[2J')" -r "$REG"

# --- -i/-n: two samples one second apart
start=$(date +%s)
expect 0 '' -- -o imapstat -i 1 -n 2 -r "$REG"
[ "$(grep -c '^count = ' "$TMP/out")" = 2 ] || fail "-n 2 gives two samples"
grep -q '^count = 2 at ' "$TMP/out" || fail "second sample numbered 2"
[ $(( $(date +%s) - start )) -ge 1 ] || fail "-i 1 waits"

# --- JSON
expect 0 '' -- -o imapstat -n 1 -f json -r "$REG"
[ "$(wc -l <"$TMP/out")" = 1 ] || fail "json sample is one line"
# Fields in schema order: 0 currentStartTime, 3 numConnections, 4 numCurrentConnections.
f=/instances/0/fields
"$JSON" "$TMP/out" /format_version=1 /object='"imapstat"' /count=1 \
    $f/3/name='"numConnections"' $f/3/value=5 $f/3/kind='"COUNTER"' \
    $f/4/name='"numCurrentConnections"' $f/4/per_process=true \
    $f/0/name='"currentStartTime"' $f/0/kind='"TIME"' "$f/0/value>0" || fail "json sample"
expect 0 '' -- -l --format json -r "$REG"
"$JSON" "$TMP/out" /format_version=1 /registry/numobjects=3 '/objects#=3' \
    /objects/0/name='"imapstat"' /objects/1/name='"serverresponse"' /objects/2/name='"diskusage"' \
    /objects/2/fields/2='{"name": "mailPartitionPath", "kind": "STRING", "size": 256}' \
    /objects/2/instances='["primary", "ctl"]' || fail "json listing"

# --- refcount and crash-safe current connections with a live, then killed, producer
"$PROD" "$REG" accept popstat 4 hold >"$TMP/hold" 2>&1 &
HOLD=$!
for _ in $(seq 100); do grep -q ready "$TMP/hold" && break; sleep 0.05; done
expect 0 '' -- -l -r "$REG"
has "refcount = 1"
expect 0 '' -- -o popstat -n 1 -r "$REG"
has "global.numCurrentConnections [8 bytes]: 4"
kill -9 "$HOLD"; wait "$HOLD" 2>/dev/null; HOLD=
expect 0 '' -- -o popstat -n 1 -r "$REG"
has "global.numCurrentConnections [8 bytes]: 0"
has "global.maxConnections [8 bytes]: 4"
expect 0 '' -- -l -r "$REG"
has "refcount = 0"

# --- -s
expect 0 '' -- -s -o imapstat -c numConnections -r "$REG"
has "counter imapstat.numConnections reset in 1 instance"
expect 0 '' -- -o imapstat -n 1 -r "$REG"
has "global.numConnections [8 bytes]: 0"
has "global.numGoodLogins [8 bytes]: 3"
expect 0 '' -- -s -o serverresponse -c http.responseTime -r "$REG"
expect 0 '' -- -o serverresponse -n 1 -r "$REG"
has "http.responseTime [8 bytes]: 0"
has "imap.responseTime [8 bytes]: 30"
expect 1 '^counterutil: registry "'"$REG"'": object imapstat has no counter nosuch$' -- -s -o imapstat -c nosuch -r "$REG"
expect 1 'no counter object "nosuch"' -- -s -o nosuch -c x -r "$REG"
expect 1 'cannot be reset' -- -s -o imapstat -c numCurrentConnections -r "$REG"
expect 1 'has no instance ldap' -- -s -o serverresponse -c ldap.responseTime -r "$REG"

# --- unknown object, bad input
expect 1 '^counterutil: registry "'"$REG"'": no counter object "cgimsg" \(counterutil -l lists them\)$' -- -o cgimsg -n 1 -r "$REG"
for bad in abc -1 0 5x 1.5 86401 "" 99999999999999999999; do
    expect 2 '^counterutil: bad interval' -- -o imapstat -i "$bad" -n 1 -r "$REG"
done
for bad in abc 0 -3 2y "" 2147483648 99999999999999999999 " 1"; do
    expect 2 '^counterutil: bad count' -- -o imapstat -n "$bad" -r "$REG"
done
expect 2 '^counterutil: -r: an empty name is not allowed' -- -l -r ''
COUNTERS_REGISTRY= expect 2 '^counterutil: COUNTERS_REGISTRY is set but empty' -- -l
expect 2 '^counterutil: one of -l, -o counterobject or -s is required' --
expect 2 '^counterutil: -l cannot be combined with -s' -- -l -s -o imapstat -c numConnections -r "$REG"
expect 2 '^counterutil: -l takes no' -- -l -n 3 -r "$REG"
expect 2 '^counterutil: -c is only used with -s' -- -o imapstat -c numConnections -r "$REG"
expect 2 '^counterutil: -s needs' -- -s -o imapstat -r "$REG"
expect 2 '^counterutil: -s needs' -- -s -c numConnections -r "$REG"
expect 2 '^counterutil: -s takes no' -- -s -o imapstat -c numConnections -n 2 -r "$REG"
expect 2 '^counterutil: bad format "xml"' -- -l -f xml -r "$REG"
expect 2 '^counterutil: bad registry name' -- -l -r "bad/name"
# Mistakes CLI11 finds are told in counterutil's words: one line, lowercase, the option named.
usage 'counterutil: unknown option --bogus' -- -l --bogus
usage 'counterutil: unknown option -x' -- -l -x
usage 'counterutil: unknown option -bogus' -- -l -bogus=3
usage 'counterutil: -object: a value is required' -- -o
usage 'counterutil: -registry: a value is required' -- -l -r
usage 'counterutil: -count: a value is required' -- -o imapstat --count
usage 'counterutil: -object: given more than once' -- -o imapstat -o popstat -r "$REG"
usage 'counterutil: -list: bad value "abc"' -- --list=abc
usage 'counterutil: unexpected argument "extra"' -- -l extra
usage 'counterutil: unexpected argument "4"' -- -o imapstat -i 3 4
usage 'counterutil: bad count "x": expected a whole number from 1 to 2147483647 (see counterutil --help)' -- \
    -o imapstat -n x -r "$REG"
usage 'counterutil: bad interval "0": expected a whole number from 1 to 86400 (see counterutil --help)' -- \
    -o imapstat -i 0 -r "$REG"
usage 'counterutil: bad interval "1.5": expected a whole number from 1 to 86400 (see counterutil --help)' -- \
    -o imapstat --interval=1.5 -r "$REG"
# -list is --list (not -l -i st): with -c, -i or -n it is the -l mistake, named as documented.
for extra in "-c numConnections" "-i 5" "-n 3"; do
    # shellcheck disable=SC2086
    usage 'counterutil: -l takes no -c, -i or -n (see counterutil --help)' -- -list $extra -r "$REG"
done
expect 0 '' -- -list -r "$REG"
has "Listing registry ($REG)"
# The original short spellings with an attached value, and single-dash long names.
expect 0 '' -- -l "-r$REG"
has "Listing registry ($REG)"
expect 0 '' -- -l "-r=$REG"
has "Listing registry ($REG)"
expect 0 '' -- -list -registry "$REG" -format=json
"$JSON" "$TMP/out" /format_version=1 /objects/0/name='"imapstat"' || fail "-list -registry -format=json"
expect 0 '' -- -object imapstat -count 1 -registry "$REG"
has "global.numGoodLogins [8 bytes]: 3"
expect 0 '' -- --help
grep -q '^usage: counterutil -l \[-o counterobject\] \[-r registry\]' "$TMP/out" || fail "--help usage"
expect 0 '' -- --version
grep -Eq '^counterutil \(libcounters\) [0-9]+\.[0-9]+\.[0-9]+$' "$TMP/out" || fail "--version"

# --- corrupt registry: one clear line, exit 1
"$PROD" "$OTHER" counter alarm a countWarningSent 1 || fail "producer (other)"
printf 'JUNKJUNK' | dd of="/dev/shm/$OTHER" bs=1 seek=0 conv=notrunc status=none
expect 1 '^counterutil: registry "'"$OTHER"'": bad magic \(not a counter registry\)$' -- -l -r "$OTHER"
truncate -s 100 "/dev/shm/$OTHER"
expect 1 '^counterutil: registry "'"$OTHER"'": corrupt registry: truncated' -- -o alarm -n 1 -r "$OTHER"
head -c 300000 /dev/urandom > "/dev/shm/ctest_reg_cli_bad_$$"
expect 1 '^counterutil: registry "ctest_reg_cli_bad_'$$'": bad magic' -- -l -r "ctest_reg_cli_bad_$$"

# --- signals: SIGINT and SIGTERM end a forever-monitor at once with status 0
for sig in INT TERM; do
    # A file of its own per signal, created before the job starts: the job's own redirection
    # truncates asynchronously, so waiting on a reused file could see the previous run's
    # sample and signal this one before it has started.
    out="$TMP/sig_$sig"
    : >"$out"
    "$CU" -o imapstat -i 30 -r "$REG" >>"$out" 2>&1 &
    pid=$!
    for _ in $(seq 200); do grep -q '^global.numGoodLogins' "$out" && break; sleep 0.05; done
    t0=$(date +%s%N)
    kill -$sig $pid
    wait $pid; rc=$?
    t1=$(date +%s%N)
    [ "$rc" = 0 ] || fail "SIG$sig: exit $rc"
    [ $(( (t1 - t0) / 1000000 )) -lt 2000 ] || fail "SIG$sig did not interrupt the sleep"
    grep -q 'global.numGoodLogins' "$out" || fail "SIG$sig: sample incomplete"
done

# --- the built-in ingest object (counters-ingest, one instance per source): every field, in
# the schema's order
ING="ctest_reg_cli_ingest_$$"
"$PROD" "$ING" counter ingest maillog linesRead 7 counter ingest maillog skippedTooLong 2 \
    gauge ingest maillog position 4096 string ingest journal cursor 's=ab;i=1' || fail "producer (ingest)"
expect 0 '' -- -o ingest -n 1 -r "$ING"
has "maillog.linesRead [8 bytes]: 7"
has "maillog.skippedTooLong [8 bytes]: 2"
has "maillog.position [8 bytes]: 4096"
has "maillog.lastLineTime [8 bytes]: -"
has "journal.cursor [256 bytes]: s=ab;i=1"
[ "$(grep '^maillog\.' "$TMP/out" | sed 's/ .*//' | tr '\n' ' ')" = "maillog.linesRead maillog.linesRecorded \
maillog.linesIgnored maillog.skippedUnknown maillog.skippedTooLong maillog.skippedInvalidUtf8 maillog.skippedBinary \
maillog.skippedTruncated maillog.skippedBadNumber maillog.skippedEvicted maillog.skippedOther maillog.position \
maillog.inode maillog.fingerprint maillog.lastLineTime maillog.cursor " ] || fail "ingest fields: $(cat "$TMP/out")"

if [ "$fails" -ne 0 ]; then
    echo "$fails failure(s)"
    exit 1
fi
echo "all counterutil CLI tests passed"

#!/bin/bash
# SPDX-License-Identifier: MIT
# counterutil as the administration guide spells it: object and counter names without
# regard to case (`-s -o imapstat -c global.maxconnections`), `-l -o counterobject`, and
# `-r /path`, a file-backed registry that outlives every process.
# usage: counterutil_names.sh COUNTERUTIL REGISTRY_PRODUCER JSON_CHECK
set -u
CU=$1
PROD=$2
JSON=$3
REG="ctest_reg_names_$$"
TMP=$(mktemp -d)
cleanup() {
    rm -f "/dev/shm/$REG"
    chmod -R u+rwx "$TMP" 2>/dev/null
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
        grep -Eq -- "$re" "$TMP/err" || fail "counterutil $*: stderr '$(cat "$TMP/err")' does not match '$re'"
        [ "$(wc -l <"$TMP/err")" = 1 ] || fail "counterutil $*: more than one error line"
    elif [ -s "$TMP/err" ]; then
        fail "counterutil $*: unexpected stderr: $(cat "$TMP/err")"
    fi
}
has() { grep -Fqx -- "$1" "$TMP/out" || fail "output lacks line '$1': $(cat "$TMP/out")"; }

# ---------------------------------------------------------------- names and case (item 9)
"$PROD" "$REG" accept imapstat 5 close imapstat 2 login-ok imapstat 3 \
    gauge serverresponse http responseTime 12 gauge serverresponse ldap_h.example.com_389 responseTime 7 \
    || fail "producer failed"

# The guide's own command line.
expect 0 '' -- -s -o imapstat -c global.maxconnections -r "$REG"
has "counter imapstat.global.maxConnections reset in 1 instance"
expect 0 '' -- -o imapstat -n 1 -r "$REG"
has "global.maxConnections [8 bytes]: 0"
has "global.numGoodLogins [8 bytes]: 3"
# Any case, in -o and -c, with or without the instance; output in the registry's spelling.
expect 0 '' -- -s -o IMAPSTAT -c GLOBAL.NUMGOODLOGINS -r "$REG"
has "counter imapstat.global.numGoodLogins reset in 1 instance"
expect 0 '' -- -s -o ImapStat -c numconnections -r "$REG"
has "counter imapstat.numConnections reset in 1 instance"
expect 0 '' -- -o IMAPSTAT -n 1 -r "$REG"
head -3 "$TMP/out" >"$TMP/head"
printf 'Monitor counterobject (imapstat)\nregistry %s opened\ncounterobject imapstat opened\n' "$REG" |
    cmp -s - "$TMP/head" || fail "monitor header not in canonical spelling: $(cat "$TMP/head")"
has "global.numGoodLogins [8 bytes]: 0"
has "global.numConnections [8 bytes]: 0"
# An instance whose name holds dots (serverresponse ldap_HOST_PORT).
expect 0 '' -- -s -o serverresponse -c LDAP_H.EXAMPLE.COM_389.responsetime -r "$REG"
has "counter serverresponse.ldap_h.example.com_389.responseTime reset in 1 instance"
expect 0 '' -- -o serverresponse -n 1 -r "$REG"
has "ldap_h.example.com_389.responseTime [8 bytes]: 0"
has "http.responseTime [8 bytes]: 12"
expect 0 '' -- -s -o serverresponse -c ldap_h.example.com_389.responseTime -r "$REG"
# JSON keeps the registry's spelling too.
expect 0 '' -- -s -o imapstat -c Global.MaxConnections -f json -r "$REG"
"$JSON" - '/object="imapstat"' '/counter="global.maxConnections"' '/instances_reset=1' <"$TMP/out" ||
    fail "json reset: $(cat "$TMP/out")"
# What does not exist still fails, in any case.
expect 1 "^counterutil: registry \"$REG\": object imapstat has no counter global.nosuch\$" -- \
    -s -o imapstat -c global.nosuch -r "$REG"
expect 1 "^counterutil: registry \"$REG\": object imapstat has no instance local\$" -- \
    -s -o imapstat -c local.maxconnections -r "$REG"
expect 1 'no counter object "POPSTAT"' -- -s -o POPSTAT -c maxconnections -r "$REG"
expect 1 'cannot be reset' -- -s -o imapstat -c global.NUMCURRENTCONNECTIONS -r "$REG"

# ---------------------------------------------------------------- -l -o (item 10)
expect 0 '' -- -l -o IMAPSTAT -r "$REG"
has "Listing counterobject (imapstat) in registry ($REG)"
has "numinstances = 1"
has "numcounters = 8"
has "     instance = global"
has "     counter = maxConnections [8 bytes] GAUGE"
has "     counter = currentStartTime [8 bytes] TIME"
has "     counter = numCurrentConnections [8 bytes] GAUGE (per process)"
expect 0 '' -- -l -o serverresponse -f json -r "$REG"
"$JSON" - '/object/name="serverresponse"' '/object/instances/1="ldap_h.example.com_389"' <"$TMP/out" ||
    fail "json -l -o: $(cat "$TMP/out")"
expect 1 'no counter object "cgimsg"' -- -l -o cgimsg -r "$REG"
expect 2 '^counterutil: -l takes no' -- -l -o imapstat -n 2 -r "$REG"

# ---------------------------------------------------------------- -r /path (item 10)
FILE="$TMP/counter"
"$PROD" "$FILE" accept imapstat 4 login-ok imapstat 2 || fail "producer on a file failed"
[ -f "$FILE" ] || fail "no file at $FILE"
[ -e "/dev/shm${FILE}" ] && fail "a shared-memory object was made for $FILE"
expect 0 '' -- -l -r "$FILE"
has "Listing registry ($FILE)"
has "     entry = imapstat"
has "refcount = 0"
# The numbers are in the file, every process gone: a copy read elsewhere has them.
cp "$FILE" "$TMP/copy" || fail "copy"
expect 0 '' -- -o imapstat -n 1 -r "$TMP/copy"
has "global.numGoodLogins [8 bytes]: 2"
has "global.numConnections [8 bytes]: 4"
expect 0 '' -- -s -o imapstat -c global.numgoodlogins -r "$FILE"
has "counter imapstat.global.numGoodLogins reset in 1 instance"
expect 0 '' -- -o imapstat -n 1 -r "$FILE"
has "global.numGoodLogins [8 bytes]: 0"
has "global.numConnections [8 bytes]: 4"
COUNTERS_REGISTRY=$FILE "$CU" -l >"$TMP/out" 2>&1 || fail "-l with COUNTERS_REGISTRY=$FILE"
has "Listing registry ($FILE)"
# A second producer adds to the same file.
"$PROD" "$FILE" login-ok imapstat 5 || fail "second producer"
expect 0 '' -- -o imapstat -n 1 -r "$FILE"
has "global.numGoodLogins [8 bytes]: 5"

# Bad paths: usage errors (2) for the name, run-time errors (1) for what is at it.
expect 2 '^counterutil: bad registry name ".*": path has an empty component' -- -l -r "$TMP//x"
expect 2 "^counterutil: bad registry name \".*\": path ends with '/'" -- -l -r "$TMP/"
expect 2 "^counterutil: bad registry name \".*\": path has a '..' component" -- -l -r "$TMP/../x"
expect 2 '^counterutil: bad registry name ".*": path longer than 1024 bytes' -- -l -r "/$(printf 'a%.0s' $(seq 1 1100))"
expect 1 "^counterutil: registry \"$TMP/missing/reg\": does not exist: its directory $TMP/missing cannot be used: No such file or directory\$" -- \
    -l -r "$TMP/missing/reg"
expect 1 "^counterutil: registry \"$TMP/none\": does not exist\$" -- -l -r "$TMP/none"
ln -s "$FILE" "$TMP/link"
expect 1 'refusing to open: it is a symbolic link' -- -l -r "$TMP/link"
expect 1 'refusing to open: it is a symbolic link' -- -s -o imapstat -c numConnections -r "$TMP/link"
mkdir "$TMP/dir"
expect 1 "is a directory, not a regular file" -- -l -r "$TMP/dir"
mkfifo "$TMP/fifo"
timeout 10 "$CU" -l -r "$TMP/fifo" >"$TMP/out" 2>"$TMP/err"
[ $? = 1 ] && grep -q 'is a FIFO, not a regular file' "$TMP/err" || fail "FIFO: $(cat "$TMP/err")"
head -c 100 "$FILE" >"$TMP/truncated"
expect 1 'corrupt|too small' -- -l -r "$TMP/truncated"
head -c 65536 /dev/zero | tr '\0' 'x' >"$TMP/foreign"
expect 1 'foreign|magic|not a counter registry' -- -l -r "$TMP/foreign"
if [ "$(id -u)" != 0 ]; then
    chmod 000 "$FILE"
    expect 1 'Permission denied' -- -l -r "$FILE"
    chmod 600 "$FILE"
elif command -v setpriv >/dev/null; then
    # Another user, who may not enter the directory: told why, naming it.
    chmod 700 "$TMP"
    setpriv --reuid=65534 --regid=65534 --clear-groups "$CU" -l -r "$FILE" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    [ $rc = 1 ] && grep -q "cannot open: its directory $TMP cannot be used: Permission denied" "$TMP/err" ||
        fail "no permission: exit $rc, $(cat "$TMP/err")"
fi

[ "$fails" = 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all counterutil name and path tests passed"

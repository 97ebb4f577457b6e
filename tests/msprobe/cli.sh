#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# msprobe's command line and life: --help/--version, usage errors (2), a bad file at start
# (1, every problem listed), the daemon's rounds, SIGHUP with a bad file (kept) and a good
# one (taken), SIGTERM (0), and a restart command run for a service that does not answer.
# usage: cli.sh SOURCE_DIR MSPROBE COUNTERUTIL
SRC=$1 MSPROBE=$2 COUNTERUTIL=$3
. "$SRC/tests/msprobe/lib.sh"

"$MSPROBE" --help >"$D/help.out" 2>&1 || fail "--help exited $?"
head -1 "$D/help.out" | grep -qx 'usage: msprobe \[--config file | -c file\] \[--registry name\] \[--once\] \[-f\]' ||
    fail "--help: $(head -1 "$D/help.out")"
"$MSPROBE" --version | grep -q '^msprobe (libcounters) ' || fail "--version"
"$MSPROBE" --bogus >/dev/null 2>"$D/err"
[ $? = 2 ] || fail "an unknown option did not exit 2"
grep -q '^msprobe: ' "$D/err" || fail "an unknown option: $(cat "$D/err")"
"$MSPROBE" --once --registry '' -c /dev/null >/dev/null 2>"$D/err"
[ $? = 2 ] && grep -q '^msprobe: --registry: an empty name' "$D/err" || fail "an empty registry: $(cat "$D/err")"

# A bad file at start: exit 1, every problem on its own line, nothing registered.
printf 'local.probe.smtp.port = 0\nalarm.diskavail.msgalarmthreshold = 150\nnonsense.key = 1\n' >"$D/bad.conf"
"$MSPROBE" -f -c "$D/bad.conf" --registry "$REG" 2>"$D/bad.log"
rc=$?
[ "$rc" = 1 ] || fail "a bad file at start exited $rc, not 1"
for want in "msprobe: error: $D/bad.conf:1: local.probe.smtp.port: \"0\" is out of range (1..65535)" \
    "msprobe: error: $D/bad.conf:2: alarm.diskavail.msgalarmthreshold: \"150\" is out of range (0..100 percent)" \
    "msprobe: error: $D/bad.conf:3: nonsense.key: unknown key (see msprobe(8) for the keys)" \
    "msprobe: error: not started: the configuration $D/bad.conf cannot be used"; do
    grep -qxF "$want" "$D/bad.log" || fail "bad file: no line '$want' in: $(cat "$D/bad.log")"
done
[ -e "/dev/shm/$REG" ] && fail "a bad file at start created the registry"
"$MSPROBE" --once -c "$D/missing.conf" --registry "$REG" 2>"$D/missing.log"
[ $? = 1 ] && grep -qF "msprobe: error: $D/missing.conf: cannot read: No such file or directory" "$D/missing.log" ||
    fail "a missing file: $(cat "$D/missing.log")"

# The daemon: the disk every second; one partition, then a reload adds one.
mkdir -p "$D/a" "$D/b"
good() {
    printf 'alarm.serverresponse.statinterval = 0\nalarm.diskavail.statinterval = 1\nalarm.diskavail.msgalarmthreshold = 0\n'
    printf 'local.msprobe.statedir = %s\nstore.partition.a.path = %s\n' "$D" "$D/a"
}
good >"$D/msprobe.conf"
"$MSPROBE" -f --config "$D/msprobe.conf" --registry "$REG" 2>"$D/daemon.log" &
MP=$!
PIDS+=("$MP")
wait_log() { # PATTERN: until the daemon's log has a line matching it (10 s at most)
    for _ in $(seq 1 200); do
        grep -q "$1" "$D/daemon.log" && return 0
        sleep 0.05
    done
    fail "the daemon never logged '$1'"
    return 1
}
wait_log '^msprobe: disk a '
t1=$(field diskusage a.lastStatTime)
sleep 2.2
t2=$(field diskusage a.lastStatTime)
[ -n "$t1" ] && [ -n "$t2" ] && [ "$t2" != "$t1" ] || fail "the daemon did not measure again ($t1, $t2)"

printf 'alarm.diskavail.statinterval = -5\n' >"$D/msprobe.conf"
kill -HUP "$MP"
wait_log 'reload refused'
grep -qF "msprobe: error: $D/msprobe.conf:1: alarm.diskavail.statinterval: \"-5\" is out of range" "$D/daemon.log" ||
    fail "the reload's problem is not logged"
grep -qxF "msprobe: error: reload refused: $D/msprobe.conf cannot be used; keeping the previous configuration" \
    "$D/daemon.log" || fail "no 'keeping the previous configuration' line"
n=$(grep -c '^msprobe: disk a ' "$D/daemon.log")
sleep 1.5
[ "$(grep -c '^msprobe: disk a ' "$D/daemon.log")" -gt "$n" ] || fail "after a bad reload the old configuration stopped"
kill -0 "$MP" 2>/dev/null || fail "a bad reload stopped the daemon"

{ good; printf 'store.partition.b.path = %s\n' "$D/b"; } >"$D/msprobe.conf"
kill -HUP "$MP"
wait_log 'configuration reloaded'
wait_log '^msprobe: disk b '

kill -TERM "$MP"
wait "$MP"
rc=$?
[ "$rc" = 0 ] || fail "SIGTERM: exit $rc, not 0"
grep -q '^msprobe: stopping (SIGTERM)' "$D/daemon.log" || fail "no 'stopping' line"

# Without -f: the command returns at once (0) and the daemon goes on in the background.
{ good | sed 's/^store.partition.a.path = .*/store.partition.bg.path = \/tmp/'; } >"$D/bg.conf"
"$MSPROBE" --config "$D/bg.conf" --registry "$REG" 2>"$D/bg.log"
rc=$?
[ "$rc" = 0 ] || fail "msprobe without -f exited $rc"
BGP=
for _ in $(seq 1 100); do
    BGP=$(pgrep -f -- "--config $D/bg.conf --registry $REG")
    [ -n "$BGP" ] && grep -q '^msprobe: disk bg ' "$D/bg.log" && break
    sleep 0.05
done
if [ -n "$BGP" ]; then
    PIDS+=("$BGP")
    [ "$(ps -o sid= -p "$BGP" | tr -d ' ')" = "$BGP" ] || fail "the background daemon is not in a session of its own"
    grep -q '^msprobe: disk bg ' "$D/bg.log" || fail "the background daemon did not measure"
    kill -TERM "$BGP"
    for _ in $(seq 1 100); do kill -0 "$BGP" 2>/dev/null || break; sleep 0.05; done
    kill -0 "$BGP" 2>/dev/null && fail "the background daemon did not stop on SIGTERM"
else
    fail "no background daemon"
fi

# A restart: the probe of a closed port runs the service's command, which writes a file.
PORT=$(free_port)
cat >"$D/restart.conf" <<CONF
alarm.diskavail.statinterval = 0
alarm.msgalarmnoticehost = 127.0.0.1
alarm.msgalarmnoticeport = $(free_port)
local.msprobe.statedir = $D
local.autorestart = yes
local.probe.pop.host = 127.0.0.1
local.probe.pop.port = $PORT
local.probe.pop.restart = echo restarting pop; date +%s >> $D/restarted
CONF
"$MSPROBE" --once -c "$D/restart.conf" --registry "$REG" 2>"$D/restart.log" || fail "restart round exited $?"
[ "$(wc -l <"$D/restarted" 2>/dev/null)" = 1 ] || fail "the restart command did not run once"
grep -q "^msprobe: restart pop_127.0.0.1_$PORT: restarting pop" "$D/restart.log" ||
    fail "the command's output is not in the log"
grep -q "^msprobe: restart pop_127.0.0.1_$PORT: the command ended (status 0)" "$D/restart.log" ||
    fail "the command's end is not in the log"
# off unless local.autorestart
sed -i 's/^local.autorestart = yes/local.autorestart = no/' "$D/restart.conf"
"$MSPROBE" --once -c "$D/restart.conf" --registry "$REG" 2>"$D/restart2.log"
[ "$(wc -l <"$D/restarted")" = 1 ] || fail "a restart ran with local.autorestart = no"
finish cli

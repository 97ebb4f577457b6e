#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The cost of walking counters-snmpd's mtaGroupTable through a real snmpd (AgentX), against
# walking a table built into snmpd of the same number of values, in the same run:
#   - a private snmpd on 127.0.0.1 (scripts/lib/snmpd.sh) and counters-snmpd serving a
#     section of CHANNELS channels filled by bench_fill_channels;
#   - the built-in table is hrSWRunTable (HOST-RESOURCES-MIB, .1.3.6.1.2.1.25.4.2: 7
#     columns per process), made as large as mtaGroupTable with idle `sleep` processes of
#     our own; like counters-snmpd, snmpd serves it from a cache through the table helper
#     (bench/README.md says why this one);
#   - RUNS rounds, each one snmpbulkwalk of each table (alternating, so both see the same
#     machine), wall time of the whole snmpbulkwalk process; per value = time / values
#     walked in that run. Prints best and median, the CPU time snmpd and counters-snmpd
#     spent, and the ratio per value (the target: at most 2x).
#
#   bench/snmp_walk.sh [BUILD_DIR]          (default: build)
#   environment: CHANNELS (512), RUNS (5), MAXREP (snmpbulkwalk -Cr, default 10 like
#   snmpbulkwalk's own)
#
# Needs counters-snmpd, counters and bench_fill_channels (cmake --build BUILD_DIR --target
# counters_snmpd counters_tool bench_fill_channels) and snmpd, snmpbulkwalk (packages snmpd,
# snmp). Everything it starts (snmpd, the subagent, the sleepers) is stopped at exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
channels=${CHANNELS:-512}
runs=${RUNS:-5}
maxrep=${MAXREP:-10}
subagent=$build/tools/snmp/counters-snmpd
fill=$build/bench/bench_fill_channels
for f in "$subagent" "$fill"; do
    [ -x "$f" ] || { echo "snmp_walk: $f: not built" >&2; exit 1; }
done
for t in snmpd snmpbulkwalk snmpget; do
    command -v "$t" >/dev/null 2>&1 || { echo "snmp_walk: $t is not installed (apt-get install snmpd snmp)" >&2; exit 1; }
done
. "$root/scripts/lib/snmpd.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/snmp-bench.XXXXXX")
S="snmpbench_$$"
sub_pid=
x_pid=
sleepers=()
cleanup() {
    set +e
    [ -n "$sub_pid" ] && { kill "$sub_pid" 2>/dev/null; wait "$sub_pid" 2>/dev/null; }
    [ -n "$x_pid" ] && { kill "$x_pid" 2>/dev/null; wait "$x_pid" 2>/dev/null; }
    if [ "${#sleepers[@]}" -gt 0 ]; then
        kill "${sleepers[@]}" 2>/dev/null
        wait "${sleepers[@]}" 2>/dev/null
    fi
    snmpd_stop
    "$fill" "$S" --delete 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

GROUP=.1.3.6.1.2.1.28.2 HRSWRUN=.1.3.6.1.2.1.25.4.2
"$fill" "$S" "$channels" 2>/dev/null
snmpd_start "$tmp/snmpd"
"$subagent" --section "$S" --registry "${S}_reg" --agentx "$SNMPD_AGENTX" -f 2>"$tmp/subagent.log" &
sub_pid=$!
serving() { # waits until the subagent serves the last channel's row (10 s at most)
    for _ in $(seq 1 100); do
        snmpget "${SNMPD_OPTS[@]}" -On -r 0 -t 1 "$SNMPD_TARGET" "$GROUP.1.25.1.$channels" 2>/dev/null |
            grep -q STRING && return 0
        sleep 0.1
    done
    echo "snmp_walk: counters-snmpd does not serve channel $channels:" >&2
    cat "$tmp/subagent.log" >&2
    exit 1
}
serving

walk() { # walk OID FILE
    snmpbulkwalk "${SNMPD_OPTS[@]}" -On -Oe -Ot -r 1 -t 5 -Cr"$maxrep" "$SNMPD_TARGET" "$1" >"$2"
}
walk "$GROUP" "$tmp/group"
group_values=$(grep -c . "$tmp/group")
names=$(grep -c "^$GROUP\.1\.25\.1\." "$tmp/group")
[ "$names" = "$channels" ] || { echo "snmp_walk: $names mtaGroupName values, want $channels" >&2; exit 1; }

# The built-in table: as many values as mtaGroupTable, with sleepers of our own.
walk "$HRSWRUN" "$tmp/hr"
need=$(((group_values - $(grep -c . "$tmp/hr")) / 7))
for ((i = 0; i < need; i++)); do
    sleep 900 &
    sleepers+=($!)
done

cpu_of() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # clock ticks
hz=$(getconf CLK_TCK)
declare -A times values cpu_master cpu_sub
# measure NAME OID PID NAME OID PID: RUNS rounds of one walk each, alternating; per walk the
# wall time, the values and the CPU time of snmpd and of the subagent PID (or none)
measure() {
    local r name oid pid m0 s0 t0 t1 n
    for ((r = 1; r <= runs; r++)); do
        for name in "$1" "$4"; do
            if [ "$name" = "$1" ]; then oid=$2 pid=$3; else oid=$5 pid=$6; fi
            m0=$(cpu_of "$SNMPD_PID") s0=0
            [ -n "$pid" ] && s0=$(cpu_of "$pid")
            t0=$(date +%s%N)
            walk "$oid" "$tmp/$name"
            t1=$(date +%s%N)
            n=$(grep -c . "$tmp/$name")
            cpu_master[$name]=$((${cpu_master[$name]:-0} + $(cpu_of "$SNMPD_PID") - m0))
            [ -n "$pid" ] && cpu_sub[$name]=$((${cpu_sub[$name]:-0} + $(cpu_of "$pid") - s0))
            values[$name]=$n
            times[$name]+="$(((t1 - t0) / 1000)) $n"$'\n'
        done
    done
}

# Phase 1: hrSWRunTable built into snmpd. snmpd keeps its process list for 30 s: restart it
# to see the sleepers (counters-snmpd reconnects by itself), then warm both caches.
snmpd_restart
serving
walk "$HRSWRUN" "$tmp/hr"
walk "$GROUP" "$tmp/group"
measure group "$GROUP" "$sub_pid" hr "$HRSWRUN" ""
procs=$(grep -c "^$HRSWRUN\.1\.1\." "$tmp/hr" || true)

# Phase 2: the same table through the AgentX hop: snmpd without its hrSWRunTable, and a
# second snmpd as an AgentX subagent (-X) serving only that table, next to counters-snmpd.
SNMPD_EXCLUDE=hrSWRunTable,hrSWRunPerfTable snmpd_restart
mkdir -p "$tmp/x"
printf 'agentXSocket %s\n' "$SNMPD_AGENTX" >"$tmp/x/snmpd.conf"
SNMP_PERSISTENT_DIR=$tmp/x snmpd -f -Lo -C -c "$tmp/x/snmpd.conf" -X -x "$SNMPD_AGENTX" -m "" \
    -I hrSWRunTable,hrSWRunPerfTable,swrun -p "$tmp/x/snmpd.pid" >"$tmp/x/log" 2>&1 &
x_pid=$!
for _ in $(seq 1 100); do
    snmpget "${SNMPD_OPTS[@]}" -On -r 0 -t 1 "$SNMPD_TARGET" "$HRSWRUN.1.2.1" 2>/dev/null | grep -q STRING && break
    sleep 0.1
done
serving
walk "$HRSWRUN" "$tmp/hrx"
walk "$GROUP" "$tmp/group"
measure group2 "$GROUP" "$sub_pid" hrx "$HRSWRUN" "$x_pid"

# stats NAME: best and median milliseconds per walk and microseconds per value
stats() {
    local col
    for col in 1 2; do
        printf '%s' "${times[$1]}" | awk -v c="$col" 'NF == 2 { print (c == 1 ? $1 / 1000 : $1 / $2) }' |
            sort -g | awk '{ v[NR] = $1 } END { printf "%.2f %.2f ", v[1], v[int((NR + 1) / 2)] }'
    done
    echo
}
declare -A best med pv_best pv_med
for name in group hr group2 hrx; do
    read -r "best[$name]" "med[$name]" "pv_best[$name]" "pv_med[$name]" < <(stats "$name")
done
ms() { echo $(($1 * 1000 / hz / runs)); }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(uname -sr)"
echo "net-snmp $(snmpd -v | awk '/version/ { print $NF; exit }'), snmpbulkwalk -Cr$maxrep, $runs runs per table," \
     "wall time of each snmpbulkwalk process"
echo
printf '%-46s %6s %8s %9s %8s %8s %7s %7s\n' table values "best ms" "median ms" "us/v best" "us/v med" "snmpd" "agent"
row() { # row LABEL NAME
    printf '%-46s %6s %8s %9s %8s %8s %7s %7s\n' "$1" "${values[$2]}" "${best[$2]}" "${med[$2]}" "${pv_best[$2]}" \
        "${pv_med[$2]}" "$(ms "${cpu_master[$2]}")" "$( [ -n "${cpu_sub[$2]:-}" ] && ms "${cpu_sub[$2]}" || echo -)"
}
row "mtaGroupTable, counters-snmpd ($channels channels)" group
row "hrSWRunTable, built into snmpd ($procs processes)" hr
row "mtaGroupTable, counters-snmpd (phase 2)" group2
row "hrSWRunTable, snmpd -X subagent (AgentX)" hrx
echo "(snmpd, agent: CPU ms per walk of the master and of the subagent)"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else printf "n/a" }'; }
# per value: best runs (the least disturbed by other jobs), medians, and CPU time (master and
# subagent together, per value)
cpv() { awk -v c="$1" -v v="$2" 'BEGIN { printf "%.6f", c / v }'; }
c_group=$(cpv $((cpu_master[group] + cpu_sub[group])) "${values[group]}")
c_hr=$(cpv "${cpu_master[hr]}" "${values[hr]}")
c_group2=$(cpv $((cpu_master[group2] + cpu_sub[group2])) "${values[group2]}")
c_hrx=$(cpv $((cpu_master[hrx] + cpu_sub[hrx])) "${values[hrx]}")
r_best=$(ratio "${pv_best[group]}" "${pv_best[hr]}")
verdict=$(awk -v r="${r_best%x}" 'BEGIN { print (r != "n/a" && r <= 2 ? "met" : "NOT met") }')
echo "counters-snmpd / built-in table, per value: $r_best (best), $(ratio "${pv_med[group]}" "${pv_med[hr]}")" \
     "(median), $(ratio "$c_group" "$c_hr") (CPU); target at most 2x (best): $verdict"
echo "counters-snmpd / the built-in table through AgentX (snmpd -X), per value:" \
     "$(ratio "${pv_best[group2]}" "${pv_best[hrx]}") (best), $(ratio "${pv_med[group2]}" "${pv_med[hrx]}") (median)," \
     "$(ratio "$c_group2" "$c_hrx") (CPU)"
echo "the AgentX hop alone (snmpd -X / built-in), per value:" \
     "$(ratio "${pv_best[hrx]}" "${pv_best[hr]}") (best), $(ratio "${pv_med[hrx]}" "${pv_med[hr]}") (median)," \
     "$(ratio "$c_hrx" "$c_hr") (CPU)"

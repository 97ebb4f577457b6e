# SPDX-License-Identifier: MIT
# Sourced by the counters-exporter tests: starting an exporter on a port the system chooses
# (127.0.0.1:0, so parallel tests never collide) and reading that port from its log.
#   start_exporter LOG ARGS...   starts EXPORTER with ARGS in the background; sets EPID and
#                                EPORT (fails when it does not listen within 10 s)
#   stop_exporter                SIGTERM, wait; sets ERC (its exit status)
#   fetch PATH [CURL ARGS...]    GET http://127.0.0.1:EPORT/PATH (body on stdout)
EPID=
EPORT=
start_exporter() {
    local log=$1 i
    shift
    "$EXPORTER" --web.listen-address 127.0.0.1:0 "$@" >"$log" 2>&1 &
    EPID=$!
    for ((i = 0; i < 100; i++)); do
        EPORT=$(sed -n 's/^counters-exporter: listening on 127\.0\.0\.1:\([0-9][0-9]*\),.*/\1/p' "$log")
        [ -n "$EPORT" ] && return 0
        kill -0 "$EPID" 2>/dev/null || break
        sleep 0.1
    done
    echo "the exporter did not start: $(cat "$log")" >&2
    return 1
}
stop_exporter() {
    ERC=
    [ -n "$EPID" ] || return 0
    kill -TERM "$EPID" 2>/dev/null
    wait "$EPID"
    ERC=$?
    EPID=
}
fetch() {
    local path=$1
    shift
    curl -s --max-time 10 "$@" "http://127.0.0.1:$EPORT$path"
}

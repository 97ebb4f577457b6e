# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Sourced by msprobe's shell tests: a private directory and registry name, a stop-everything
# trap, free ports, and servers started with socat.
#   MSPROBE COUNTERUTIL   the programs under test (set by the caller)
#   D                     the test's directory (removed at the end)
#   REG                   the test's registry name (removed at the end)
#   fail MSG              counts a failure; finish prints the verdict
set -u
. "$SRC/tests/lib/need.sh"
D=$(mktemp -d /tmp/msprobe-test.XXXXXX)
REG=ctest_msprobe_$$_$RANDOM
PIDS=()
FAILS=0
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
msprobe_cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
    [ "$(type -t extra_cleanup)" = function ] && extra_cleanup
    rm -f "/dev/shm/$REG"
    rm -rf "$D"
}
trap msprobe_cleanup EXIT

# A TCP port nothing listens on now (a random one in a private range, checked with ss).
free_port() {
    local p
    for _ in $(seq 1 200); do
        p=$((20000 + RANDOM % 20000))
        ss -Htan "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return 0; }
    done
    return 1
}

# wait_listen PORT: until something listens on 127.0.0.1:PORT (5 s at most).
wait_listen() {
    for _ in $(seq 1 100); do
        ss -Htln "sport = :$1" | grep -q . && return 0
        sleep 0.05
    done
    fail "nothing listens on port $1"
    return 1
}

# serve PORT SHELL_COMMAND: socat runs the command for each connection on 127.0.0.1:PORT,
# with the connection as its standard input and output.
serve() {
    # The command goes in a script: socat's address syntax takes ',', ':', '[' and '!' for its own.
    printf '%s\n' "$2" >"$D/serve.$1.sh"
    socat "TCP-LISTEN:$1,bind=127.0.0.1,reuseaddr,fork" "EXEC:bash $D/serve.$1.sh" 2>>"$D/socat.err" &
    PIDS+=($!)
    wait_listen "$1"
}

# field OBJECT INSTANCE.FIELD: the value counterutil shows (one sample).
field() {
    "$COUNTERUTIL" -o "$1" -n 1 -r "$REG" 2>&1 | sed -n "s/^$2 \[[0-9]* bytes\]: //p"
}

finish() {
    if [ "$FAILS" -ne 0 ]; then
        echo "$FAILS failure(s); msprobe said:" >&2
        cat "$D"/*.log >&2 2>/dev/null
        exit 1
    fi
    echo "${1:-msprobe}: OK"
    exit 0
}

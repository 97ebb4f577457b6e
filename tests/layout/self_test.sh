#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The include check must catch what it is meant to: in a small tree made for the purpose,
# every kind of violation alone makes check_includes.sh fail, and the clean tree passes.
# usage: self_test.sh CHECK_INCLUDES_SH
set -euo pipefail
check=$1
tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT
fails=0

# A clean tree: a private header, a public one, a tool and a queue library using them rightly.
fresh() {
    rm -rf -- "$tmp/t"
    mkdir -p "$tmp/t/libcounters/src/shm" "$tmp/t/libcounters/include/counters" "$tmp/t/tools/x" \
        "$tmp/t/libqueue/include/counters_queue" "$tmp/t/examples" "$tmp/t/bench" "$tmp/t/soak" "$tmp/t/tests"
    printf '#pragma once\n' >"$tmp/t/libcounters/src/layout.hpp"
    printf '#pragma once\n' >"$tmp/t/libcounters/src/shm/claim.hpp"
    printf '#pragma once\n#include <cstdint>\n' >"$tmp/t/libcounters/include/counters/section.hpp"
    printf '#pragma once\n' >"$tmp/t/libqueue/include/counters_queue/queue.hpp"
    printf '#pragma once\n' >"$tmp/t/tools/x/local.hpp"
    printf '#include "local.hpp"\n#include <counters/section.hpp>\n#include <counters_queue/queue.hpp>\n#include <vector>\n' \
        >"$tmp/t/tools/x/main.cpp"
    printf 'add_executable(x main.cpp)\n# not libcounters/src: a comment may say so\n' >"$tmp/t/tools/x/CMakeLists.txt"
    # tests/ may include private headers.
    printf '#include "layout.hpp"\n' >"$tmp/t/tests/white_box.cpp"
}

expect() { # expect STATUS WHAT
    local got=0
    "$check" "$tmp/t" >"$tmp/out" 2>&1 || got=$?
    if [ "$got" -ne "$1" ]; then
        echo "self_test: $2: exit $got, expected $1"
        sed 's/^/    /' "$tmp/out"
        fails=$((fails + 1))
    fi
}

fresh; expect 0 "clean tree"
plant() { # plant FILE LINE WHAT
    fresh
    mkdir -p "$(dirname "$tmp/t/$1")"
    printf '%s\n' "$2" >>"$tmp/t/$1"
    expect 1 "$3"
}
plant tools/x/main.cpp '#include "../../libcounters/src/layout.hpp"' "relative include into libcounters/src"
plant examples/sim.cpp '#include "layout.hpp"' "private header by name (examples)"
plant bench/b.cpp '#include <segment.hpp>' "private header by name, angle brackets (bench)"
plant bench/s2.cpp '#include "mapping.hpp"' "private header by name (bench)"
plant libqueue/src/q.cpp '#include "registry_layout.hpp"' "private header by name (libqueue)"
plant tools/x/main.cpp '#include "shm/claim.hpp"' "private header in a subdirectory of libcounters/src"
plant tools/x/main.cpp '#include <libcounters/src/layout.hpp>' "path naming libcounters/src"
# shellcheck disable=SC2016 # a CMake variable, written as is
plant tools/x/CMakeLists.txt 'target_include_directories(x PRIVATE ${PROJECT_SOURCE_DIR}/libcounters/src)' \
    "include directory pointing at libcounters/src"
plant examples/CMakeLists.txt 'include_directories(../libcounters/src)' "include_directories in examples"
plant libcounters/include/counters/section.hpp '#include <boost/interprocess/mapped_region.hpp>' \
    "a public header including Boost"
plant libcounters/include/counters/section.hpp '#include "../../src/layout.hpp"' \
    "a public header including a private one"
fresh
ln -s ../../libcounters/src/layout.hpp "$tmp/t/tools/x/alias.hpp"
printf '#include "alias.hpp"\n' >>"$tmp/t/tools/x/main.cpp"
expect 1 "a symbolic link to a private header"

if [ "$fails" -ne 0 ]; then
    echo "self_test: FAILED ($fails)"
    exit 1
fi
echo "self_test: OK"

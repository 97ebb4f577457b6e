#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Layering check: tools/, examples/, bench/ and libqueue/ use libcounters only through
# its public headers (libcounters/include/counters/*.hpp), and the public headers include
# neither Boost nor a private header. See docs/ARCHITECTURE.md. fuzz/ and tests/ are not
# checked: they test the decoders and may read the private wire format.
#
# Fails (exit 1, one line per violation) when a checked source file
#   - includes a path containing libcounters/src, or a relative path that resolves into it;
#   - includes a header that is found only in libcounters/src (by its path, or by the name of
#     a private header such as "layout.hpp" or "segment.hpp") and not beside the file or in
#     a public include directory;
# or when a CMakeLists.txt or *.cmake file in a checked directory names libcounters/src
# (an include directory pointing at the private headers).
# usage: check_includes.sh SOURCE_DIR
set -euo pipefail
if [ $# -ne 1 ] || [ ! -d "$1/libcounters" ]; then
    echo "usage: check_includes.sh SOURCE_DIR (the top of the libcounters tree)" >&2
    exit 2
fi
root=$(realpath "$1")
src=$root/libcounters/src
checked=(tools examples bench libqueue)

# Names of the private headers: every header now in libcounters/src, plus the wire-format
# headers by their long-standing names (so a check still fires after a private header moves).
declare -A private=()
for name in layout.hpp segment.hpp mapping.hpp registry_layout.hpp; do private[$name]=1; done
if [ -d "$src" ]; then
    while IFS= read -r -d '' h; do private[${h##*/}]=1; done \
        < <(find "$src" -type f \( -name '*.hpp' -o -name '*.h' -o -name '*.ipp' \) -print0)
fi

# Public include directories, where an angle-bracket include may legitimately be found.
roots=()
for d in "$root/libcounters/include" "$root"/tools/*/include "$root"/libqueue/include; do
    [ -d "$d" ] && roots+=("$d")
done

# An #include line: the opening delimiter, then the path.
include_re='^[[:space:]]*#[[:space:]]*include[[:space:]]*(["<])([^">]+)[">]'
fail=0
files=0
violation() {
    echo "${1#"$root"/}:$2: $3"
    fail=1
}

# True when $1 (a realpath) is inside libcounters/src.
in_src() { case $1 in "$src" | "$src"/*) return 0 ;; esac; return 1; }

# shellcheck disable=SC2094 # violation() only prints the file's name, it never writes to it
check_source() {
    local file=$1 dir lineno=0 line target kind found r p
    dir=$(dirname "$file")
    while IFS= read -r line || [ -n "$line" ]; do
        lineno=$((lineno + 1))
        [[ $line =~ $include_re ]] || continue
        kind=${BASH_REMATCH[1]}
        target=${BASH_REMATCH[2]}
        if [[ $target == *libcounters/src* ]]; then
            violation "$file" "$lineno" "includes \"$target\", a private libcounters/src header"
            continue
        fi
        found=
        if [ "$kind" = '"' ] && [ -f "$dir/$target" ]; then found=$dir/$target; fi
        if [ -z "$found" ]; then
            for r in "${roots[@]}"; do
                if [ -f "$r/$target" ]; then found=$r/$target; break; fi
            done
        fi
        if [[ -n $found && ( $found == *..* || -L $found ) ]]; then found=$(realpath "$found"); fi
        if [ -n "$found" ]; then
            in_src "$found" && violation "$file" "$lineno" "includes \"$target\", which is ${found#"$root"/} (private)"
            continue
        fi
        # Not beside the file nor public: a system header, or a private one reached through an
        # include directory that points at libcounters/src.
        p=${target##*/}
        if [ -f "$src/$target" ] || [ -n "${private[$p]:-}" ]; then
            violation "$file" "$lineno" "includes \"$target\", a private libcounters/src header"
        fi
    done <"$file"
}

# shellcheck disable=SC2094 # (as above)
check_cmake() {
    local file=$1 lineno=0 line code
    while IFS= read -r line || [ -n "$line" ]; do
        lineno=$((lineno + 1))
        code=${line%%#*} # comments may mention the private directory
        if [[ $code == *libcounters/src* ]]; then
            violation "$file" "$lineno" "names libcounters/src (private headers) in CMake"
        fi
    done <"$file"
}

for sub in "${checked[@]}"; do
    [ -d "$root/$sub" ] || continue
    while IFS= read -r -d '' f; do
        files=$((files + 1))
        case $f in
            */CMakeLists.txt | *.cmake) check_cmake "$f" ;;
            *) check_source "$f" ;;
        esac
    done < <(find "$root/$sub" -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' -o -name '*.cc' \
                 -o -name '*.hh' -o -name '*.ipp' -o -name 'CMakeLists.txt' -o -name '*.cmake' \) -print0 | sort -z)
done

# The public headers themselves: no Boost, nothing private.
if [ -d "$root/libcounters/include" ]; then
    while IFS= read -r -d '' f; do
        files=$((files + 1))
        check_source "$f"
        if grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]boost/' "$f" >/dev/null; then
            violation "$f" "$(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]boost/' "$f" | head -1 | cut -d: -f1)" \
                "a public header includes Boost"
        fi
    done < <(find "$root/libcounters/include" -type f \( -name '*.hpp' -o -name '*.h' \) -print0 | sort -z)
fi

if [ "$files" -eq 0 ]; then
    echo "check_includes: no files checked under $root" >&2
    exit 1
fi
if [ "$fail" -ne 0 ]; then
    echo "check_includes: FAILED: only libcounters/src, tests/, fuzz/ and soak/ may include private headers"
    exit 1
fi
echo "check_includes: OK ($files files)"

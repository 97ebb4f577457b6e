#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The counter key table of counters(5) must be exactly the library's counter table, as
# printed by key_table (from counter.hpp and the slot layout): same rows, same order.
# usage: key_table.sh KEY_TABLE_PROGRAM PAGE
set -u
prog=$1
page=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The rows of the table whose heading row starts with ".It Sy k Ta Sy Value", up to its .El.
extract() {
    sed -n '/^\.It Sy k Ta Sy Value /,/^\.El/p' "$1" | sed '1d;$d'
}

if ! "$prog" >"$tmp/library"; then
    echo "$prog failed"
    exit 1
fi
[ -s "$tmp/library" ] || { echo "$prog printed nothing"; exit 1; }

extract "$page" >"$tmp/page"
if ! cmp -s "$tmp/page" "$tmp/library"; then
    echo "key table of $page and the library's counter table differ (< page, > library):"
    diff "$tmp/page" "$tmp/library"
    exit 1
fi

# The comparison must catch a missing row and a changed row.
sed '0,/^\.It 5 Ta /{/^\.It 5 Ta /d}' "$page" >"$tmp/missing.5"
sed 's/^\(\.It 3 Ta 88 Ta 328 Ta \)G/\1C/' "$page" >"$tmp/changed.5"
for bad in missing changed; do
    if cmp -s "$page" "$tmp/$bad.5"; then
        echo "self-check: could not make a page with a $bad row"
        exit 1
    fi
    extract "$tmp/$bad.5" >"$tmp/$bad"
    if cmp -s "$tmp/$bad" "$tmp/library"; then
        echo "self-check: a $bad row went unnoticed"
        exit 1
    fi
done
echo "key table: OK ($(wc -l <"$tmp/library") counters)"

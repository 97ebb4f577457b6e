#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The usage lines of a tool's --help (up to the first blank line) and the SYNOPSIS of its
# manual page, as mandoc renders it, must name the same words in the same order.
# usage: synopsis.sh TOOL PAGE
set -u
tool=$1
page=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v mandoc >/dev/null || { echo "mandoc is required for this test"; exit 1; }
if ! "$tool" --help >"$tmp/help" 2>"$tmp/err"; then
    echo "$tool --help failed: $(cat "$tmp/err")"
    exit 1
fi
head -n 1 "$tmp/help" | grep -q '^usage: ' || { echo "--help does not start with 'usage: '"; exit 1; }
mandoc -T ascii -O width=200 "$page" | sed 's/.\x08//g' |
    sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;$d' | tr -s ' \n' '\n\n' | sed '/^$/d' >"$tmp/synopsis"
sed '/^$/,$d' "$tmp/help" | sed '1s/^usage://' | tr -s ' \n' '\n\n' | sed '/^$/d' >"$tmp/usage"
[ -s "$tmp/synopsis" ] || { echo "no SYNOPSIS rendered from $page"; exit 1; }
if ! cmp -s "$tmp/synopsis" "$tmp/usage"; then
    echo "--help usage and SYNOPSIS of $page differ (< SYNOPSIS, > --help):"
    diff "$tmp/synopsis" "$tmp/usage"
    exit 1
fi
echo "synopsis: OK ($(wc -l <"$tmp/usage") words)"

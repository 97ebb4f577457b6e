# SPDX-License-Identifier: MIT
# Every bad command line: exactly one line on stderr, exit status 2, nothing created.
TAG=usage
. "$(dirname "$0")/lib.sh"
C=$COUNTERS
N=" (see counters --help)"
bad "no action" 2 "counters: exactly one of -create, -delete, -clear or -show is required$N" "$C" --section "$S"
bad "two actions" 2 "counters: exactly one of -create, -delete, -clear or -show is required$N" "$C" --section "$S" -show -clear
bad "only options" 2 "counters: exactly one of -create, -delete, -clear or -show is required$N" "$C" --section "$S" -noheaders
bad "--section ''" 2 "counters: --section: an empty name is not allowed (leave the option out for the default)" "$C" --section '' -show
bad "COUNTERS_SECTION=''" 2 "counters: COUNTERS_SECTION is set but empty (unset it for the default)" env COUNTERS_SECTION= "$C" -show
bad "max_channels=abc" 2 'counters: -max_channels: "abc" is not a number' "$C" --section "$S" -create -max_channels=abc
bad "max_channels=0" 2 'counters: -max_channels: 0 is out of range (1..65536)' "$C" --section "$S" -create -max_channels=0
bad "max_channels=99999999" 2 'counters: -max_channels: 99999999 is out of range (1..65536)' "$C" --section "$S" -create -max_channels=99999999
bad "max_channels=-1" 2 'counters: -max_channels: "-1" is not a number' "$C" --section "$S" -create -max_channels=-1
bad "max_channels=" 2 'counters: -max_channels: a value is required' "$C" --section "$S" -create -max_channels=
bad "max_channels ''" 2 'counters: -max_channels: "" is not a number' "$C" --section "$S" -create -max_channels ""
bad "max_channels=65537" 2 'counters: -max_channels: 65537 is out of range (1..65536)' "$C" --section "$S" -create -max_channels=65537
bad "block_size=0" 2 'counters: -block_size: 0 is out of range (1..1048576)' "$C" --section "$S" -create -block_size=0
bad "block_size=1k" 2 'counters: -block_size: "1k" is not a number' "$C" --section "$S" -create -block_size=1k
bad "mode=999" 2 'counters: -mode: "999" is not an octal mode' "$C" --section "$S" -create -mode=999
bad "mode=17777" 2 'counters: -mode: 17777 is out of range (0..7777)' "$C" --section "$S" -create -mode=17777
bad "-group ''" 2 'counters: -group: empty group name' "$C" --section "$S" -create -group ""
bad "-bogus" 2 'counters: unknown option -bogus' "$C" --section "$S" -show -bogus
bad "--bogus" 2 'counters: unknown option --bogus' "$C" --section "$S" -show --bogus
bad "-bogus=3" 2 'counters: unknown option -bogus' "$C" --section "$S" -show -bogus=3
bad "-x" 2 'counters: unknown option -x' "$C" --section "$S" -show -x
bad "ambiguous -c" 2 'counters: ambiguous option -c (-channels, -clear, -create)' "$C" --section "$S" -c
bad "ambiguous -no" 2 'counters: ambiguous option -no (-noassociations, -nochannels, -noheaders)' "$C" --section "$S" -show -no
bad "ambiguous -he" 2 'counters: ambiguous option -he (-headers, -help)' "$C" -he
bad "unknown format" 2 'counters: -format: unknown format "xml" (text, json or prometheus)' "$C" --section "$S" -show -format=xml
bad "two patterns" 2 'counters: unexpected argument "b"' "$C" --section "$S" -show a b
bad "-output without value" 2 'counters: -output: a value is required' "$C" --section "$S" -show -output
bad "-output=" 2 'counters: -output: a value is required' "$C" --section "$S" -show -output=
bad "-output ''" 2 'counters: -output: empty file name' "$C" --section "$S" -show -output ""
bad "-section without value" 2 'counters: -section: a value is required' "$C" -show -section
bad "-noheaders with -delete" 2 'counters: -noheaders is not valid with -delete' "$C" --section "$S" -delete -noheaders
bad "-nochannels with -clear" 2 'counters: -nochannels is not valid with -clear' "$C" --section "$S" -clear -nochannels
bad "-absolute with -create" 2 'counters: -absolute is not valid with -create' "$C" --section "$S" -create -absolute
bad "-max_channels with -show" 2 'counters: -max_channels is not valid with -show' "$C" --section "$S" -show -max_channels=5
bad "pattern with -create" 2 'counters: pattern "tcp_*" is not valid with -create' "$C" --section "$S" -create 'tcp_*'
bad "bad section name" 2 "counters: section \"a/b\": bad section name: only letters, digits, '.', '_' and '-' are allowed" \
    "$C" --section a/b -show
bad "bad section name from the environment" 2 'counters: section ".x": bad section name: starts with '"'.'" \
    env COUNTERS_SECTION=.x "$C" -show
CHECKS=$((CHECKS + 1))
[ -e "/dev/shm/$S" ] && fail "a usage error created the section"
finish

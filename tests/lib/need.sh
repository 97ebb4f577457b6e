# SPDX-License-Identifier: MIT
# Sourced by the tests that run real programs (Postfix, mtail, pflogsumm, ...).
#   missing WHAT   the test cannot run without WHAT: under CI=true that is a failure (CI
#                  installs everything through scripts/install-deps.sh, so a missing program
#                  is a bug there); elsewhere the test is skipped (exit 77), saying what is
#                  missing.
missing() {
    if [ "${CI:-}" = true ]; then
        echo "FAIL: $* (scripts/install-deps.sh installs it; under CI=true nothing is skipped)" >&2
        exit 1
    fi
    echo "SKIP: $* (scripts/install-deps.sh installs it)"
    exit 77
}

#!/usr/bin/env bash
# scripts/test.sh — the whole test suite, as CI runs it:
#   1. installs missing packages and builds with warnings as errors;
#   2. unit and end-to-end tests (tests/run.sh);
#   3. the same again under AddressSanitizer + UndefinedBehaviorSanitizer.
# Ends with one line "N passed, N failed" summing every pass.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
export WERROR=1
jobs=$(nproc 2>/dev/null || echo 2)

total_passed=0
total_failed=0
# pass NAME MAKE-ARGS...: builds and runs one pass, adds its counts.
pass() {
    local name=$1; shift
    echo "== $name =="
    if ! make -s -j"$jobs" "$@" all >/dev/null; then
        make -j1 "$@" all 2>&1 | tail -30
        echo "$name: build failed"
        total_failed=$((total_failed + 1))
        return
    fi
    local log
    log=$(mktemp)
    make -s -j"$jobs" "$@" test 2>&1 | tee "$log"
    local line
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
    rm -f "$log"
    if [ -z "$line" ]; then
        echo "$name: no test summary (build or runner failed)"
        total_failed=$((total_failed + 1))
        return
    fi
    total_passed=$((total_passed + $(echo "$line" | cut -d' ' -f1)))
    total_failed=$((total_failed + $(echo "$line" | cut -d' ' -f3)))
}

pass "tests"
pass "tests under ASan+UBSan" SAN=address,undefined
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ] && [ "$total_passed" -gt 0 ]

#!/usr/bin/env bash
# tests/run.sh [unit|e2e|all] — runs the unit test binaries (cmocka, TAP
# output) and the end-to-end scripts (tests/e2e/*.sh, TAP output), then
# prints one closing line: "N passed, N failed".
# Environment: HQ_BUILD (build folder, default build), HQ_SAN (sanitizers).
set -u
cd "$(dirname "$0")/.."
build=${HQ_BUILD:-build}
what=${1:-all}
passed=0
failed=0
failures=()

export CMOCKA_MESSAGE_OUTPUT=TAP
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# run_tap NAME CMD...: runs CMD, echoes its output, counts its TAP lines.
run_tap() {
    local name=$1; shift
    local out rc ok notok
    out=$("$@" 2>&1); rc=$?
    printf '%s\n' "$out" | sed "s|^|[$name] |"
    ok=$(printf '%s\n' "$out" | grep -cE '^ok [0-9]+' || true)
    notok=$(printf '%s\n' "$out" | grep -cE '^not ok [0-9]+' || true)
    if [ "$rc" -ne 0 ] && [ "$notok" -eq 0 ]; then
        notok=1  # crashed or a sanitizer stopped it: count one failure
        echo "[$name] exited with status $rc"
    fi
    passed=$((passed + ok)); failed=$((failed + notok))
    [ "$notok" -gt 0 ] && failures+=("$name")
    return 0
}

if [ "$what" = unit ] || [ "$what" = all ]; then
    while IFS= read -r t; do
        run_tap "${t#$build/tests/}" "$t"
    done < <(find "$build/tests" -type f -perm -u+x -name 'test_*' 2>/dev/null | sort)
fi
if [ "$what" = e2e ] || [ "$what" = all ]; then
    for t in tests/e2e/*.sh; do
        [ -f "$t" ] || continue
        run_tap "e2e/$(basename "$t" .sh)" env HQ_BUILD="$build" bash "$t"
    done
fi

if [ "${#failures[@]}" -gt 0 ]; then
    echo "failing: ${failures[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]

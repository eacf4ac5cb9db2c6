#!/usr/bin/env bash
# tests/fuzz/run.sh BUILD SECONDS [DRIVER...] — runs each libFuzzer driver
# (BUILD/fuzz/fuzz_<name>, built by `make fuzz`) for SECONDS, one after
# the other, from the repository root.  Each grows its own working corpus
# in BUILD/corpus/<name> from the committed seeds (tests/fuzz/<name>/,
# only read), writes crash inputs to BUILD/artifacts/<name>/ and its log
# to BUILD/logs/<name>.log (with tests/fuzz/<name>.dict as its
# dictionary when there is one), and the summary prints libFuzzer's final
# statistics: executions, executions per second, coverage, corpus size.
# A crash input found belongs, once fixed, in tests/fuzz/<name>/regress/
# (the normal test run replays it).  Exit 1 if any driver crashed.
set -uo pipefail
cd "$(dirname "$0")/../.."
build=${1:?usage: tests/fuzz/run.sh BUILD SECONDS [DRIVER...]}
seconds=${2:?usage: tests/fuzz/run.sh BUILD SECONDS [DRIVER...]}
shift 2
drivers=("$@")
if [ "${#drivers[@]}" -eq 0 ]; then
    for f in tests/fuzz/fuzz_*.c; do
        n=${f#tests/fuzz/fuzz_}; drivers+=("${n%.c}")
    done
fi

crashed=0
printf '%-10s %12s %9s %7s %7s  %s\n' driver executions exec/s cov corpus result
for name in "${drivers[@]}"; do
    bin=$build/fuzz/fuzz_$name
    [ -x "$bin" ] || { echo "$name: $bin is missing (make fuzz builds it)"; crashed=1; continue; }
    mkdir -p "$build/corpus/$name" "$build/artifacts/$name" "$build/logs"
    log=$build/logs/$name.log
    dict=()
    [ -f "tests/fuzz/$name.dict" ] && dict=(-dict="tests/fuzz/$name.dict")
    "$bin" "${dict[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$build/artifacts/$name/" \
        "$build/corpus/$name" "tests/fuzz/$name" >"$log" 2>&1
    rc=$?
    stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -1; }
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
    corpus=$(find "$build/corpus/$name" -type f | wc -l)
    result=ok
    if [ "$rc" -ne 0 ]; then
        result="CRASH (exit $rc): $(ls "$build/artifacts/$name" | head -3 | tr '\n' ' ')see $log"
        crashed=1
    fi
    printf '%-10s %12s %9s %7s %7s  %s\n' "$name" "$(stat number_of_executed_units)" \
        "$(stat average_exec_per_sec)" "${cov:-?}" "$corpus" "$result"
done
exit $crashed

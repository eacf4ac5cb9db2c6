#!/usr/bin/env bash
# bench/soak.sh [SECONDS] — the soak run of live updates (issue 7): the
# portal on a copy of the corpus's data, with a write token, under 95 %
# reads and 5 % writes from bench/soak.py for SECONDS (default 600); then
# every acknowledged write is checked.  Prints the summary (and writes it
# to bench/results/soak-<date>.txt).  Uses $HEALTHQA_DATA (default
# ./healthqa-data, indexed from ../shared/corpus when empty), copied so
# the soak's writes do not stay.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}
data=${HEALTHQA_DATA:-$PWD/healthqa-data}
port=${HQ_BENCH_PORT:-18421}
make -s -j2
[ -f "$data/store.db" ] || build/healthqa --data "$data" index ../shared/corpus >/dev/null
tmp=$(mktemp -d)
trap '[ -n "${pid:-}" ] && kill -TERM "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
cp -r "$data" "$tmp/data"
token=$(build/healthqa token new --tokens "$tmp/tokens" --note soak)
build/healthqa --data "$tmp/data" serve --port "$port" --tokens "$tmp/tokens" --quiet 2>"$tmp/server.log" &
pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
mkdir -p bench/results
out=bench/results/soak-$(date +%Y%m%d-%H%M).txt
set +e
python3 bench/soak.py "http://127.0.0.1:$port" "$token" "$secs" "$pid" | tee "$out"
rc=${PIPESTATUS[0]}
set -e
build/healthqa --data "$tmp/data" check >/dev/null 2>&1 && echo "  check after the soak: ok" | tee -a "$out"
exit "$rc"

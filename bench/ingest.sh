#!/usr/bin/env bash
# bench/ingest.sh [RUNS] [CORPUS] — time `healthqa index` of the whole corpus
# into a fresh data folder RUNS times (default 5) with /usr/bin/time -v;
# prints each run and the median wall time, peak RSS and store size.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
corpus=${2:-../shared/corpus}
make -s
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (Debian package 'time')" >&2; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
walls=(); rss=()
for i in $(seq "$runs"); do
    rm -rf "$tmp/data"
    /usr/bin/time -v build/healthqa --data "$tmp/data" index --quiet "$corpus" 2>"$tmp/time.txt" >/dev/null
    w=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(k=1;k<=n;k++) s=s*60+t[k]; print s}' "$tmp/time.txt")
    r=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/time.txt")
    walls+=("$w"); rss+=("$r")
    echo "run $i: wall ${w} s, peak RSS ${r} KiB"
done
size=$(du -sb "$tmp/data" | cut -f1)
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "median wall: $(median "${walls[@]}") s; median peak RSS: $(median "${rss[@]}") KiB; store size: $size bytes ($(du -sh "$tmp/data" | cut -f1))"

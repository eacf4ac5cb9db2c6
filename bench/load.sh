#!/usr/bin/env bash
# bench/load.sh [SECONDS] — load test of the portal (issue 6): wrk with 64
# connections against
#   1. /api/search with a rotating mix of real questions (LiveQA-Med
#      summaries and MedQuAD questions), 10 results with snippets;
#   2. /search result pages with the same questions;
#   3. /api/suggest with prefixes of those questions (the < 2 ms target);
#   4. nginx serving a static file the size of an average /api/search
#      reply, on another port, in the same run: the ceiling.
# Each after a warm-up run; SECONDS per run (default 30).  Reports
# requests/s, p50/p90/p99 latency, errors and the server's RSS (at start,
# after each run, and its peak: VmHWM) into bench/results/load-<date>.md.
#
# Needs wrk and nginx: when missing they are installed here (as root), not
# by scripts/setup.sh (CI does not need them).  Uses $HEALTHQA_DATA (default
# ./healthqa-data), ingesting ../shared/corpus into it when it is empty.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
conns=64
threads=2
data=${HEALTHQA_DATA:-$PWD/healthqa-data}
hq_port=${HQ_BENCH_PORT:-18411}
ng_port=${HQ_NGINX_PORT:-18412}

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
if [ "${#need[@]}" -gt 0 ]; then
    [ "$(id -u)" -eq 0 ] || { echo "load.sh: needs ${need[*]} (apt-get install -y ${need[*]})" >&2; exit 2; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >/dev/null
fi
nginx=$(command -v nginx || echo /usr/sbin/nginx)
make -s -j2
[ -f "$data/store.db" ] || build/healthqa --data "$data" index ../shared/corpus >/dev/null

tmp=$(mktemp -d)
chmod 755 "$tmp"
hq_pid=
ng_pid=
cleanup() {
    [ -n "$hq_pid" ] && kill -TERM "$hq_pid" 2>/dev/null
    [ -n "$ng_pid" ] && kill -QUIT "$ng_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

# ---- the questions -------------------------------------------------------------
python3 - "$tmp" <<'EOF'
import glob, random, re, sys, urllib.parse
tmp = sys.argv[1]
qs = [l.split("\t", 1)[1].strip() for l in open("../shared/eval/liveqa-med/queries.summary.tsv", encoding="utf-8") if "\t" in l]
files = sorted(glob.glob("../shared/corpus/medquad/*/*.xml"))
random.seed(6)
for f in random.sample(files, min(150, len(files))):
    m = re.search(r"<Question[^>]*>([^<]+)</Question>", open(f, encoding="utf-8").read())
    if m:
        qs.append(m.group(1).strip())
qs = [q[:300] for q in qs if q]
enc = [urllib.parse.quote_plus(q) for q in qs]
open(f"{tmp}/api.paths", "w").write("".join(f"/api/search?q={e}\n" for e in enc))
open(f"{tmp}/page.paths", "w").write("".join(f"/search?q={e}\n" for e in enc))
pre = sorted({q[:n].rstrip() for q in qs for n in (3, 5, 8) if len(q) > n})
open(f"{tmp}/suggest.paths", "w").write("".join(f"/api/suggest?q={urllib.parse.quote_plus(p)}\n" for p in pre))
print(len(qs), "questions,", len(pre), "prefixes", file=sys.stderr)
EOF

# ---- the servers --------------------------------------------------------------------
build/healthqa --data "$data" serve --port "$hq_port" --threads "$threads" >"$tmp/access.log" 2>"$tmp/server.log" &
hq_pid=$!
for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$hq_port/healthz" >/dev/null && break; sleep 0.1; done
rss() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$hq_pid/status"; }
rss_start=$(rss VmRSS)

# a static file of the average /api/search reply size
total=0; n=0
while IFS= read -r p && [ "$n" -lt 40 ]; do
    total=$((total + $(curl -s "http://127.0.0.1:$hq_port$p" | wc -c))); n=$((n + 1))
done <"$tmp/api.paths"
size=$((total / n))
mkdir -p "$tmp/www"
head -c "$size" /dev/zero | tr '\0' x >"$tmp/www/reply.json"
cat >"$tmp/nginx.conf" <<EOF
worker_processes $threads;
daemon off;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $tmp/cb; proxy_temp_path $tmp/px; fastcgi_temp_path $tmp/fc;
    uwsgi_temp_path $tmp/uw; scgi_temp_path $tmp/sc;
    server {
        listen 127.0.0.1:$ng_port;
        root $tmp/www;
        default_type application/json;
    }
}
EOF
"$nginx" -c "$tmp/nginx.conf" -p "$tmp" &
ng_pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$ng_port/reply.json" >/dev/null && break; sleep 0.1; done

# run NAME PORT PATHS SECONDS: one wrk run; prints its RESULT line
run() {
    HQ_PATHS=$3 wrk -t"$threads" -c"$conns" -d"${4}s" --latency -s bench/load.lua \
        "http://127.0.0.1:$2" 2>&1 | grep '^RESULT' | sed "s/^RESULT/$1/"
}
printf '/reply.json\n' >"$tmp/static.paths"
echo "warm-up (10 s each)..." >&2
run warm "$hq_port" "$tmp/api.paths" 10 >/dev/null
run warm "$hq_port" "$tmp/page.paths" 5 >/dev/null
run warm "$ng_port" "$tmp/static.paths" 5 >/dev/null
rss_warm=$(rss VmRSS)
echo "measuring ($secs s each)..." >&2
r_api=$(run api_search "$hq_port" "$tmp/api.paths" "$secs"); rss_api=$(rss VmRSS)
r_page=$(run search_page "$hq_port" "$tmp/page.paths" "$secs"); rss_page=$(rss VmRSS)
r_sugg=$(run api_suggest "$hq_port" "$tmp/suggest.paths" "$((secs / 3 > 5 ? secs / 3 : 5))"); rss_sugg=$(rss VmRSS)
r_ng=$(run nginx_static "$ng_port" "$tmp/static.paths" "$secs")
printf '/healthz\n' >"$tmp/healthz.paths"
r_hz=$(run healthz "$hq_port" "$tmp/healthz.paths" "$((secs / 3 > 5 ? secs / 3 : 5))")
r_api2=$(conns=2; run api_search_c2 "$hq_port" "$tmp/api.paths" "$((secs / 3 > 5 ? secs / 3 : 5))")
rss_peak=$(rss VmHWM)
bad=$(awk '$3 != 200' "$tmp/access.log" | wc -l)
lines=$(wc -l <"$tmp/access.log")

# ---- the report ------------------------------------------------------------------------
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }
row() {
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$(field "$2" rps)" "$(field "$2" p50_ms)" \
        "$(field "$2" p90_ms)" "$(field "$2" p99_ms)" "$(field "$2" max_ms)" \
        "$(( $(field "$2" errors_connect) + $(field "$2" errors_read) + $(field "$2" errors_write) + $(field "$2" errors_status) + $(field "$2" errors_timeout) ))"
}
ratio=$(python3 -c "print(f'{100 * $(field "$r_api" rps) / $(field "$r_ng" rps):.1f}')")
mkdir -p bench/results
out=bench/results/load-$(date +%Y-%m-%d).md
{
    echo "# Load benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "\`bash bench/load.sh $secs\`: wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}'), -t$threads -c$conns, ${secs} s per run after warm-up;"
    echo "healthqa serve --threads $threads (access log on, to a file) over \`$data\`"
    echo "($(curl -s "http://127.0.0.1:$hq_port/metrics" | awk '/^healthqa_documents\{kind="section"\}/ {print $2}') sections);"
    echo "nginx $("$nginx" -v 2>&1 | sed 's|.*/||') with $threads workers serving a static file of $size bytes"
    echo "(the mean /api/search reply) on the same machine in the same run."
    echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo);"
    echo "wrk, the server and nginx share the cores, and other builds were running: figures are noisy."
    echo
    echo "| run | req/s | p50 ms | p90 ms | p99 ms | max ms | errors |"
    echo "|---|---|---|---|---|---|---|"
    row "/api/search (real questions, 10 hits with snippets)" "$r_api"
    row "/search pages (same questions)" "$r_page"
    row "/api/suggest (3-, 5-, 8-byte prefixes)" "$r_sugg"
    row "nginx, static file of the same size" "$r_ng"
    row "/healthz (the HTTP layer alone)" "$r_hz"
    row "/api/search with 2 connections (no queueing)" "$r_api2"
    echo
    echo "- /api/search ÷ nginx static: **${ratio} %** (target ≥ 40 %)."
    echo "- Non-200 lines in the access log: $bad of $lines requests."
    echo "- Server RSS (KiB): start $rss_start, after warm-up $rss_warm, after /api/search $rss_api,"
    echo "  after /search $rss_page, after /api/suggest $rss_sugg; peak (VmHWM) **$rss_peak**."
    echo
    echo "Raw wrk lines:"
    echo
    echo '```'
    printf '%s\n' "$r_api" "$r_page" "$r_sugg" "$r_ng" "$r_hz" "$r_api2"
    echo '```'
    echo
    echo "Server-side time per request (from the access log: arrival to reply queued,"
    echo "no queueing in the kernel or wrk), all runs, warm-up included:"
    echo
    python3 - "$tmp/access.log" <<'PY'
import sys
by = {}
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) == 4:
        route = f[1] if not f[1].startswith("/articles/") else "/articles/{id}"
        by.setdefault(route, []).append(int(f[3]))
print("| path | requests | p50 µs | p90 µs | p99 µs |")
print("|---|---|---|---|---|")
for route, v in sorted(by.items(), key=lambda kv: -len(kv[1])):
    v.sort()
    q = lambda p: v[min(len(v) - 1, int(p * len(v)))]
    print(f"| {route} | {len(v)} | {q(0.5)} | {q(0.9)} | {q(0.99)} |")
PY
} >"$out"
cat "$out"
echo "written to $out" >&2

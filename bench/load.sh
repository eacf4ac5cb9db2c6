#!/usr/bin/env bash
# bench/load.sh [SECONDS] — load test of the portal (issue 6): wrk with 64
# connections against
#   1. /api/search with a rotating mix of real questions (LiveQA-Med
#      summaries and MedQuAD questions), 10 results with snippets: the
#      same 202 questions again and again, so after the first pass the
#      result cache answers nearly all of them (the hit rate is reported);
#   2. /api/search with distinct questions (44,000 MedQuAD questions and
#      the MeQSum summaries, shuffled, none of the 202): no request
#      repeats one the cache still holds, every request runs the full
#      search — the engine's own throughput;
#   3. /api/search alternating the two (about half hits);
#   4. /search result pages with the same questions (not cached);
#   5. /api/suggest with prefixes of those questions (the < 2 ms target);
#   6. nginx serving a static file the size of an average /api/search
#      reply, on another port, in the same run: the ceiling;
#   7. /healthz alone (the HTTP layer), and /healthz probed lightly
#      (2 connections, 10 ms apart) while run 2's load goes on: what a
#      cheap request waits while searches run;
#   8. /api/search with 2 connections (no queueing), distinct questions.
# Each after a warm-up run; SECONDS per run (default 30).  Reports
# requests/s, p50/p90/p99 latency, errors, cache hits, the server's CPU
# time per request and its RSS into bench/results/load-<date>.md.
#
# bash bench/load.sh --rss-minutes N [SECONDS-BETWEEN-SAMPLES]: the long
# run instead: N minutes of /api/search (half distinct questions, so the
# cache fills to its bound and keeps evicting) with the server's RSS
# sampled every 10 s (default), and the trend after warm-up (the first
# minute) fitted: written to bench/results/load-rss-<date>.md.
#
# Needs wrk and nginx: when missing they are installed here (as root), not
# by scripts/setup.sh (CI does not need them).  Uses $HEALTHQA_DATA (default
# ./healthqa-data), ingesting ../shared/corpus into it when it is empty.
# $HQ_SERVE_ARGS adds options to `healthqa serve` (e.g. --cache-mb 0);
# $HQ_BIN benchmarks another build of healthqa (default build/healthqa),
# $HQ_REPORT names the report file.
set -euo pipefail
cd "$(dirname "$0")/.."
rss_minutes=
rss_every=10
if [ "${1:-}" = --rss-minutes ]; then
    rss_minutes=${2:?--rss-minutes wants a number of minutes}
    rss_every=${3:-10}
    [[ "$rss_minutes" =~ ^[0-9]+$ && "$rss_minutes" -ge 2 ]] ||
        { echo "load.sh: --rss-minutes wants a whole number of minutes >= 2" >&2; exit 2; }
    [[ "$rss_every" =~ ^[0-9]+$ && "$rss_every" -ge 1 ]] ||
        { echo "load.sh: the sampling interval is a whole number of seconds" >&2; exit 2; }
    secs=0
else
    secs=${1:-30}
    [[ "$secs" =~ ^[0-9]+$ && "$secs" -ge 5 ]] ||
        { echo "usage: bash bench/load.sh [SECONDS >= 5] | --rss-minutes N [EVERY]" >&2; exit 2; }
fi
conns=64
threads=2
data=${HEALTHQA_DATA:-$PWD/healthqa-data}
hq_port=${HQ_BENCH_PORT:-18411}
ng_port=${HQ_NGINX_PORT:-18412}
serve_args=${HQ_SERVE_ARGS:-}
hq_bin=${HQ_BIN:-build/healthqa}

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
if [ "${#need[@]}" -gt 0 ]; then
    [ "$(id -u)" -eq 0 ] || { echo "load.sh: needs ${need[*]} (apt-get install -y ${need[*]})" >&2; exit 2; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >/dev/null
fi
nginx=$(command -v nginx || echo /usr/sbin/nginx)
make -s -j2
[ -f "$data/store.db" ] || "$hq_bin" --data "$data" index ../shared/corpus >/dev/null

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
# distinct questions for the runs the cache must not answer
seen = set(qs)
more = []
for f in files:
    for m in re.finditer(r"<Question[^>]*>([^<]+)</Question>", open(f, encoding="utf-8").read()):
        q = m.group(1).strip()[:300]
        if re.sub(r"(?i)\b(what|is|are)\b|\W", "", q) and q not in seen:  # not "What is (are)  ?"
            seen.add(q); more.append(q)
for l in open("../shared/eval/meqsum.tsv", encoding="utf-8"):
    if "\t" in l and not l.startswith("#"):
        q = l.rstrip("\n").split("\t")[1].strip()[:300]
        if q and q not in seen:
            seen.add(q); more.append(q)
random.shuffle(more)
open(f"{tmp}/unique.paths", "w").write("".join(f"/api/search?q={urllib.parse.quote_plus(q)}\n" for q in more))
print(len(qs), "questions,", len(more), "distinct others,", len(pre), "prefixes", file=sys.stderr)
EOF

# ---- the server ---------------------------------------------------------------------
# shellcheck disable=SC2086  # serve_args is a list of options
"$hq_bin" --data "$data" serve --port "$hq_port" --threads "$threads" $serve_args \
    >"$tmp/access.log" 2>"$tmp/server.log" &
hq_pid=$!
for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$hq_port/healthz" >/dev/null && break; sleep 0.1; done
rss() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$hq_pid/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$hq_pid/stat"; }
metric() { curl -s "http://127.0.0.1:$hq_port/metrics" | awk -v k="$1" '$1 == k {print $2}'; }
count() { local v; v=$(metric "$1"); echo "${v:-0}"; }
hits() { count 'healthqa_search_cache_requests_total{result="hit"}'; }
misses() { count 'healthqa_search_cache_requests_total{result="miss"}'; }
rss_start=$(rss VmRSS)

# run NAME PORT PATHS SECONDS [ENV...]: one wrk run; prints its RESULT line
# with the server's CPU µs per request and the cache hits (in %) added.
# ENV: HQ_UNIQUE=all|half, HQ_START=n (where in the distinct questions to
# start, so that runs do not revisit each other's), HQ_DELAY_MS (load.lua).
run() {
    local name=$1 port=$2 paths=$3 s=$4
    shift 4
    local h0 m0 c0 line
    h0=$(hits); m0=$(misses); c0=$(cpu_ticks)
    line=$(env HQ_PATHS="$paths" HQ_UNIQUE_PATHS="$tmp/unique.paths" HQ_THREADS="$threads" "$@" \
        wrk -t"$threads" -c"${CONNS:-$conns}" -d"${s}s" \
        --latency -s bench/load.lua "http://127.0.0.1:$port" 2>&1 | grep '^RESULT' | sed "s/^RESULT/$name/")
    local n dh dm
    n=$(sed -n 's/.* requests=\([0-9]*\).*/\1/p' <<<"$line")
    dh=$(( $(hits) - h0 )); dm=$(( $(misses) - m0 ))
    if [ "$port" = "$hq_port" ] && [ "${n:-0}" -gt 0 ]; then
        line="$line cpu_us=$(( ($(cpu_ticks) - c0) * 1000000 / $(getconf CLK_TCK) / n ))"
    else
        line="$line cpu_us=-"
    fi
    if [ $((dh + dm)) -gt 0 ]; then line="$line cache_hits=$((100 * dh / (dh + dm)))%"; else line="$line cache_hits=-"; fi
    echo "$line"
}
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }

# ---- the long run: RSS over time ----------------------------------------------------
if [ -n "$rss_minutes" ]; then
    total=$((rss_minutes * 60))
    echo "RSS run: $rss_minutes min of /api/search, half distinct questions, sampled every ${rss_every} s..." >&2
    {
        CONNS=$conns run rss_run "$hq_port" "$tmp/api.paths" "$total" HQ_UNIQUE=half >"$tmp/rss.result"
    } &
    load_pid=$!
    t=0
    : >"$tmp/rss.tsv"
    while kill -0 "$load_pid" 2>/dev/null; do
        printf '%s\t%s\t%s\t%s\n' "$t" "$(rss VmRSS)" "$(rss RssAnon)" \
            "$(metric 'healthqa_search_cache_bytes{kind="used"}')" >>"$tmp/rss.tsv"
        sleep "$rss_every"; t=$((t + rss_every))
    done
    wait "$load_pid"
    mkdir -p bench/results
    out=${HQ_REPORT:-bench/results/load-rss-$(date +%Y-%m-%d).md}
    {
        echo "# RSS over a long run, $(date -u '+%Y-%m-%d %H:%M UTC')"
        echo
        echo "\`bash bench/load.sh --rss-minutes $rss_minutes $rss_every\`: wrk -t$threads -c$conns for $rss_minutes min"
        echo "against /api/search, every other question a distinct one (so the result cache fills to"
        echo "its bound and then evicts all along), \`$hq_bin serve --threads $threads $serve_args\` over \`$data\`."
        echo "RSS sampled every $rss_every s from /proc (VmRSS; RssAnon is the heap part, without"
        echo "the mapped index and store files); cache bytes from /metrics."
        echo
        echo "Requests: $(field "$(cat "$tmp/rss.result")" requests), $(field "$(cat "$tmp/rss.result")" rps) req/s,"
        echo "p99 $(field "$(cat "$tmp/rss.result")" p99_ms) ms, errors $(( $(field "$(cat "$tmp/rss.result")" errors_status) + $(field "$(cat "$tmp/rss.result")" errors_timeout) )),"
        echo "cache hits $(field "$(cat "$tmp/rss.result")" cache_hits); peak RSS (VmHWM) $(rss VmHWM) KiB."
        echo
        python3 - "$tmp/rss.tsv" <<'PY'
import sys
rows = [l.split("\t") for l in open(sys.argv[1]) if l.strip()]
t = [int(r[0]) for r in rows]
rss = [int(r[1]) for r in rows]
anon = [int(r[2] or 0) for r in rows]
print("| after (s) | VmRSS KiB | RssAnon KiB | cache bytes |")
print("|---:|---:|---:|---:|")
step = max(1, len(rows) // 30)
for i in list(range(0, len(rows), step)) + ([len(rows) - 1] if (len(rows) - 1) % step else []):
    print(f"| {t[i]} | {rss[i]} | {anon[i]} | {rows[i][3].strip()} |")
# the trend after warm-up (the first minute): per minute, and least
# squares over the second half of the run
def at(sec):  # the last sample at or before sec
    return max((r for r in zip(t, rss) if r[0] <= sec), key=lambda r: r[0])[1]
def slope(pts):
    n = len(pts); mx = sum(x for x, _ in pts) / n; my = sum(y for _, y in pts) / n
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    return sum((x - mx) * (y - my) for x, y in pts) / sxx if sxx else 0.0
if t[-1] >= 120:
    minutes = [(m, at(min(60 * (m + 1), t[-1])) - at(60 * m)) for m in range(1, (t[-1] + 59) // 60)]
    pts = [(x, y) for x, y in zip(t, rss) if x >= t[-1] / 2]
    lo, hi = min(y for x, y in zip(t, rss) if x >= 60), max(y for x, y in zip(t, rss) if x >= 60)
    print()
    print(f"After warm-up (the first minute): VmRSS {lo}–{hi} KiB ({100.0 * (hi - lo) / lo:.1f} % "
          f"spread); growth per minute: " +
          ", ".join(f"minute {m + 1} {d:+d} KiB" for m, d in minutes) +
          f"; least-squares trend over the second half {slope(pts) * 60:+.0f} KiB per minute.")
PY
    } >"$out"
    cat "$out"
    echo "written to $out" >&2
    exit 0
fi

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

printf '/reply.json\n' >"$tmp/static.paths"
printf '/healthz\n' >"$tmp/healthz.paths"
short=$((secs / 3 > 5 ? secs / 3 : 5))
echo "warm-up (10 s each)..." >&2
run warm "$hq_port" "$tmp/api.paths" 10 >/dev/null
run warm "$hq_port" "$tmp/page.paths" 5 >/dev/null
run warm "$ng_port" "$tmp/static.paths" 5 >/dev/null
rss_warm=$(rss VmRSS)
echo "measuring ($secs s each)..." >&2
r_api=$(run api_search "$hq_port" "$tmp/api.paths" "$secs"); rss_api=$(rss VmRSS)
r_uniq=$(run api_search_distinct "$hq_port" "$tmp/api.paths" "$secs" HQ_UNIQUE=all); rss_uniq=$(rss VmRSS)
r_half=$(run api_search_half "$hq_port" "$tmp/api.paths" "$secs" HQ_UNIQUE=half HQ_START=20000)
r_page=$(run search_page "$hq_port" "$tmp/page.paths" "$secs"); rss_page=$(rss VmRSS)
r_sugg=$(run api_suggest "$hq_port" "$tmp/suggest.paths" "$short"); rss_sugg=$(rss VmRSS)
r_ng=$(run nginx_static "$ng_port" "$tmp/static.paths" "$secs")
r_hz=$(run healthz "$hq_port" "$tmp/healthz.paths" "$short")
# /healthz probed lightly while distinct searches load the server
run api_search_distinct_bg "$hq_port" "$tmp/api.paths" $((short + 4)) HQ_UNIQUE=all HQ_START=8000 >"$tmp/bg.result" &
bg=$!
sleep 2
r_probe=$(CONNS=2 run healthz_during_searches "$hq_port" "$tmp/healthz.paths" "$short" HQ_DELAY_MS=10)
wait "$bg"
r_bg=$(cat "$tmp/bg.result")
r_api2=$(CONNS=2 run api_search_distinct_c2 "$hq_port" "$tmp/api.paths" "$short" HQ_UNIQUE=all HQ_START=20000)
rss_peak=$(rss VmHWM)
bad=$(awk '$3 != 200' "$tmp/access.log" | wc -l)
lines=$(wc -l <"$tmp/access.log")

# ---- the report ------------------------------------------------------------------------
row() {
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$(field "$2" rps)" "$(field "$2" p50_ms)" \
        "$(field "$2" p90_ms)" "$(field "$2" p99_ms)" "$(field "$2" max_ms)" \
        "$(( $(field "$2" errors_connect) + $(field "$2" errors_read) + $(field "$2" errors_write) + $(field "$2" errors_status) + $(field "$2" errors_timeout) ))" \
        "$(field "$2" cache_hits)" "$(field "$2" cpu_us)"
}
pct() { python3 -c "print(f'{100 * $(field "$1" rps) / $(field "$r_ng" rps):.1f}')"; }
mkdir -p bench/results
out=${HQ_REPORT:-bench/results/load-$(date +%Y-%m-%d).md}
{
    echo "# Load benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "\`bash bench/load.sh $secs\`: wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}'), -t$threads -c$conns, ${secs} s per run after warm-up;"
    echo "\`$hq_bin serve --threads $threads $serve_args\` (access log on, to a file) over \`$data\`"
    echo "($(metric 'healthqa_documents{kind="section"}') sections); $(sed -n 's/^healthqa: serving [^ ]* with //p' "$tmp/server.log" | sed 's/ (Ctrl-C stops)//');"
    echo "nginx $("$nginx" -v 2>&1 | sed 's|.*/||') with $threads workers serving a static file of $size bytes"
    echo "(the mean /api/search reply) on the same machine in the same run."
    echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo);"
    echo "wrk, the server and nginx share the cores, and other builds were running: figures are noisy."
    echo "\"cache hits\": share of the run's /api/search requests the result cache answered;"
    echo "\"CPU µs\": the server's user + system CPU time per request during the run."
    echo
    echo "| run | req/s | p50 ms | p90 ms | p99 ms | max ms | errors | cache hits | CPU µs |"
    echo "|---|---|---|---|---|---|---|---|---|"
    row "/api/search, 202 real questions repeated (cache warm)" "$r_api"
    row "/api/search, distinct questions (cache defeated)" "$r_uniq"
    row "/api/search, every other question distinct" "$r_half"
    row "/search pages (same questions, not cached)" "$r_page"
    row "/api/suggest (3-, 5-, 8-byte prefixes)" "$r_sugg"
    row "nginx, static file of the same size" "$r_ng"
    row "/healthz (the HTTP layer alone)" "$r_hz"
    row "/healthz, 2 connections 10 ms apart, during distinct searches" "$r_probe"
    row "… the distinct searches meanwhile (64 connections)" "$r_bg"
    row "/api/search, distinct, 2 connections (no queueing)" "$r_api2"
    echo
    if [ -n "$(metric 'healthqa_search_cache_bytes{kind="max"}')" ]; then
        echo "- /api/search ÷ nginx static: **$(pct "$r_api") %** with repeated questions (cache),"
        echo "  **$(pct "$r_uniq") %** with distinct questions (no cache), $(pct "$r_half") % with half"
        echo "  distinct (target ≥ 40 %)."
    else
        echo "- /api/search ÷ nginx static: **$(pct "$r_api") %** with repeated questions,"
        echo "  **$(pct "$r_uniq") %** with distinct questions, $(pct "$r_half") % with half distinct"
        echo "  (target ≥ 40 %); this server has no result cache: every request is searched."
    fi
    echo "- Non-200 lines in the access log: $bad of $lines requests."
    echo "- Server RSS (KiB): start $rss_start, after warm-up $rss_warm, after /api/search $rss_api,"
    echo "  after distinct searches $rss_uniq, after /search $rss_page, after /api/suggest $rss_sugg;"
    echo "  peak (VmHWM) **$rss_peak**; result cache at the end: $(count 'healthqa_search_cache_entries') entries,"
    echo "  $(count 'healthqa_search_cache_bytes{kind="used"}') of $(count 'healthqa_search_cache_bytes{kind="max"}') bytes."
    echo
    echo "Raw wrk lines:"
    echo
    echo '```'
    printf '%s\n' "$r_api" "$r_uniq" "$r_half" "$r_page" "$r_sugg" "$r_ng" "$r_hz" "$r_probe" "$r_bg" "$r_api2"
    echo '```'
    echo
    echo "Server-side time per request (from the access log: arrival to reply queued,"
    echo "the wait in the search pool's queue included; not the kernel's or wrk's), all runs,"
    echo "warm-up included:"
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

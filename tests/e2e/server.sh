#!/usr/bin/env bash
# End-to-end: `healthqa serve` over the fixtures of tests/fixtures/server —
# every example of docs/API.md, error statuses, security headers, the
# stylesheet's caching and the absence of path traversal, a hostile page
# rendered inert, malformed requests, parallel searches, the access log,
# and a clean stop on SIGTERM.
. "$(dirname "$0")/../support/e2e.sh"
. "$(dirname "$0")/../support/server.sh"
tmp=$(mktemp -d)
trap '[ -n "${HQ_PID:-}" ] && kill -TERM "$HQ_PID" 2>/dev/null; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/logs"
check "healthqa serve --help shows usage" bash -c "'$HQ' serve --help | grep -q 'usage: healthqa'"
"$HQ" serve --port 70000 >/dev/null 2>&1; check_eq "serve --port 70000: exit 2" 2 $?
"$HQ" serve --threads 0 >/dev/null 2>&1; check_eq "serve --threads 0: exit 2" 2 $?
"$HQ" serve --bogus >/dev/null 2>&1; check_eq "serve --bogus: exit 2" 2 $?
check "the fixtures index" hq_fixture_data "$tmp/data"
"$HQ" --data "$tmp/data" serve --bind not-an-address --port 0 >/dev/null 2>"$tmp/bind.err"
check_eq "serve on a bad address: exit 4" 4 $?
check "serve on a bad address says why" grep -q 'not-an-address' "$tmp/bind.err"
# the write API is on, for the token made here (docs/API.md's examples use it)
HQ_TOKEN=$("$HQ" token new --tokens "$tmp/tokens" --note "server.sh"); export HQ_TOKEN
printf 'sha256:%s\t1000\texpired in 1970\n' "$(printf %s hq_expired | sha256sum | cut -d' ' -f1)" >>"$tmp/tokens"
HQ_SERVE_ARGS="--tokens $tmp/tokens"
if ! hq_start_server "$tmp/data" "$tmp/logs"; then
    echo "not ok 2 - the server starts"
    sed 's/^/#   /' "$tmp/logs/server.log"
    tap_done
    exit 1
fi
check "the server starts and prints its port" test -n "$HQ_PORT"
B=$HQ_BASE

# ---- docs/API.md, example by example -----------------------------------------
while IFS=$'\t' read -r verdict name why; do
    if [ "$verdict" = ok ]; then check "API example: $name" true
    else check "API example: $name" bash -c "echo \"\$0\"; false" "$why"; fi
done < <(python3 tests/e2e/api_examples.py "$B" docs/API.md 2>&1 || echo $'fail\tapi_examples.py\tcrashed')

# ---- statuses ------------------------------------------------------------------
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
check_eq "q over 1024 bytes: 400" 400 "$(code "$B/api/search?q=$(head -c 1100 /dev/zero | tr '\0' a)")"
check_eq "negative offset: 400" 400 "$(code "$B/api/search?q=pain&offset=-1")"
check_eq "limit over 100: 400" 400 "$(code "$B/api/search?q=pain&limit=101")"
check_eq "a bad %-escape: 400" 400 "$(code "$B/api/search?q=%zz")"
check_eq "an encoded NUL: 400" 400 "$(code "$B/api/search?q=a%00b")"
check_eq "not UTF-8: 400" 400 "$(code "$B/api/search?q=%C3%28")"
check_eq "a quote in source: 400" 400 "$(code "$B/api/search?q=pain&source=a%22b")"
check_eq "suggest without q: 400" 400 "$(code "$B/api/suggest")"
check_eq "an id with a slash: 404" 404 "$(code "$B/api/articles/%2Fetc%2Fpasswd")"
check_eq "a section id: 200" 200 "$(code "$B/api/articles/NINDS_0000001_Back_Pain_Sec2.txt")"
check_eq "DELETE without a token: 401" 401 "$(code -X DELETE "$B/api/articles/topic:1")"
check_eq "DELETE of a search: 405" 405 "$(code -X DELETE "$B/api/search?q=x")"
check "405 names the allowed methods" bash -c "curl -s -i -X PUT '$B/healthz' | grep -qi '^Allow: GET, HEAD'"
check_eq "URL over 8 KB on a page: 414" 414 "$(code "$B/search?q=$(head -c 9000 /dev/zero | tr '\0' a)")"
head -c 6000 /dev/zero | tr '\0' x >"$tmp/body"
check_eq "a body over 4 KB: 413" 413 "$(code -X POST --data-binary "@$tmp/body" "$B/api/search?q=a")"
check_eq "an unknown page: 404" 404 "$(code "$B/no/such/page")"
check "the 404 page is HTML" bash -c "curl -s '$B/no/such/page' | grep -q '<h1>Page not found</h1>'"
check_eq "an unknown article page: 404" 404 "$(code "$B/articles/page:nope")"
check_eq "a section id redirects to its article" 302 "$(code "$B/articles/NINDS_0000001_Back_Pain_Sec2.txt")"
check_eq "HEAD /healthz: 200" 200 "$(code -I "$B/healthz")"

# ---- headers, stylesheet, traversal -----------------------------------------------
headers=$(curl -s -D - -o /dev/null "$B/search?q=back+pain")
check "CSP forbids scripts" grep -qi "^Content-Security-Policy: default-src 'self'; script-src 'none'" <<<"$headers"
check "nosniff" grep -qi '^X-Content-Type-Options: nosniff' <<<"$headers"
check "Referrer-Policy" grep -qi '^Referrer-Policy: no-referrer' <<<"$headers"
check "pages are HTML in UTF-8" grep -qi '^Content-Type: text/html; charset=utf-8' <<<"$headers"
css=$(curl -s -D - -o /dev/null "$B/static/style.css")
check "the stylesheet has Cache-Control" grep -qi '^Cache-Control: public, max-age=' <<<"$css"
etag=$(sed -n 's/^[Ee][Tt][Aa][Gg]: *//p' <<<"$css" | tr -d '\r')
check "the stylesheet has an ETag" test -n "$etag"
check_eq "If-None-Match gets 304" 304 "$(code -H "If-None-Match: $etag" "$B/static/style.css")"
check_eq "no traversal: /static/../Makefile" 404 "$(code --path-as-is "$B/static/../Makefile")"
check_eq "no traversal: encoded dots" 404 "$(code --path-as-is "$B/static/%2e%2e/Makefile")"
check_eq "no other static file" 404 "$(code "$B/static/style.css.bak")"

# ---- pages -------------------------------------------------------------------------
home=$(curl -s "$B/")
check "home has the labelled search form" grep -q '<label for="q">' <<<"$home"
check "home has landmarks" bash -c 'grep -q "<header" <<<"$0" && grep -q "<main" <<<"$0" && grep -q "<footer" <<<"$0"' "$home"
check "home links topics" grep -q 'href="/search?q=back%20pain"' <<<"$home"
results=$(curl -s "$B/search?q=back+pain+after+an+IUD")
check "results highlight with <mark>" grep -q '<mark>IUD</mark>' <<<"$results"
check "results show the trust badge" grep -q 'trust-unknown">unverified source' <<<"$results"
check "results show a high-trust badge" grep -q 'trust-high">high trust' <<<"$results"
check "results count" grep -q 'Results 1–' <<<"$results"
article=$(curl -s "$B/articles/page%3A011_miscarriage_back_pain")
check "article links its previous page" grep -q 'rel="prev" href="/articles/page%3A010_iud_back_pain"' <<<"$article"
check "article links its next page" grep -q 'rel="next" href="/articles/page%3A012_pregnancy_back_pain"' <<<"$article"
topic=$(curl -s "$B/articles/topic:1")
check "an http(s) source URL is linked" grep -q 'href="https://medlineplus.gov/backpain.html"' <<<"$topic"

# ---- the hostile page renders inert ---------------------------------------------------
for url in "/articles/page:013_hostile" "/articles/topic:2" "/search?q=hostile+script+alert" "/search?q=diabetes"; do
    page=$(curl -s "$B$url")
    check "$url: no <script> element" bash -c '! grep -qi "<script" <<<"$0"' "$page"
    check "$url: no <img> or <b> element from the data" bash -c '! grep -qiE "<img|<b " <<<"$0"' "$page"
    check "$url: no event handler attribute" bash -c '! grep -qiE "<[^>]* on[a-z]+=" <<<"$0"' "$page"
    check "$url: no javascript: link" bash -c '! grep -qi "href=\"javascript:" <<<"$0"' "$page"
done
hostile=$(curl -s "$B/articles/page:013_hostile")
check "the hostile title is shown escaped" grep -q 'Hostile page &lt;script&gt;alert(1)&lt;/script&gt;' <<<"$hostile"
check "the hostile body is shown escaped" grep -q '&lt;img src=x onerror=alert(1)&gt;' <<<"$hostile"
check "a javascript: URL is shown, not linked" grep -q 'not linked): javascript:alert(1)' <<<"$(curl -s "$B/articles/topic:2")"

# ---- malformed requests, parallel load ---------------------------------------------------
raw() { python3 - "$HQ_PORT" "$1" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(sys.argv[2].encode("latin-1").decode("unicode_escape").encode("latin-1"))
try:
    data = s.recv(65536)
except socket.timeout:
    data = b""
print(data.split(b"\r\n", 1)[0].decode("latin-1"))
EOF
}
check "garbage request line: 400" grep -q ' 400 ' <<<"$(raw 'GARBAGE\r\n\r\n')"
check "HTTP/9.9: an error" grep -qE ' (400|505) ' <<<"$(raw 'GET / HTTP/9.9\r\n\r\n')"
check "a 30 KB header: refused" grep -qE ' (400|413|431) ' <<<"$(raw "GET / HTTP/1.1\\r\\nX-A: $(head -c 30000 /dev/zero | tr '\0' a)\\r\\n\\r\\n")"
check "a NUL in the request line: an error" grep -q ' 400 ' <<<"$(raw 'GET /\x00 HTTP/1.1\r\n\r\n')"
check "absolute-form target: 400" grep -q ' 400 ' <<<"$(raw 'GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n')"
head_then_get=$(python3 - "$HQ_PORT" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
data = b""
while data.count(b"HTTP/1.1 200") < 2 or not data.endswith(b"}\n"):
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
head, rest = data.split(b"\r\n\r\n", 1)
print("length" if b"Content-Length: 34" in head else "no-length",
      "next" if rest.startswith(b"HTTP/1.1 200") else "body")
EOF
)
check_eq "HEAD: the length, no body (keep-alive stays in step)" "length next" "$head_then_get"
seq 1 48 | sed "s|^|$B/api/search?q=back+pain+|" >"$tmp/urls"
statuses=$(xargs -P 8 -n 1 curl -s -o /dev/null -w '%{http_code}\n' <"$tmp/urls" | sort | uniq -c | tr -s ' ')
check_eq "48 parallel searches all answered 200" " 48 200" "$statuses"
check_eq "still healthy after all that" 200 "$(code "$B/healthz")"

# ---- the result cache and the search pool ---------------------------------------------------
xcache() { curl -s -D - -o "$tmp/reply.$2" "$1" | sed -n 's/^[Xx]-[Cc]ache: *//p' | tr -d '\r'; }
check_eq "a new search: X-Cache miss" miss "$(xcache "$B/api/search?q=cache+check+back+pain" 1)"
check_eq "the same search again: X-Cache hit" hit "$(xcache "$B/api/search?q=cache+check+back+pain&limit=10&offset=0" 2)"
check "a hit sends the same reply" cmp -s "$tmp/reply.1" "$tmp/reply.2"
check_eq "another page is another entry" miss "$(xcache "$B/api/search?q=cache+check+back+pain&offset=1" 3)"
check_eq "a filter is part of the key" miss "$(xcache "$B/api/search?q=cache+check+back+pain&source=medlineplus" 4)"
check_eq "HEAD of a cached search: 200" 200 "$(code -I "$B/api/search?q=cache+check+back+pain")"
check_eq "a bad parameter is not cached: 400" 400 "$(code "$B/api/search?q=cache+check&limit=0")"
metrics=$(curl -s "$B/metrics")
check "metrics count searches" grep -q 'healthqa_http_requests_total{route="api_search",status="200"}' <<<"$metrics"
check "metrics count documents" grep -q 'healthqa_documents{kind="article"} 7' <<<"$metrics"
check "metrics give the index size" grep -qE '^healthqa_index_bytes [1-9]' <<<"$metrics"
check "metrics count cache hits" grep -qE '^healthqa_search_cache_requests_total\{result="hit"\} [1-9]' <<<"$metrics"
check "metrics give the cache bound" grep -qE '^healthqa_search_cache_bytes\{kind="max"\} 33554432$' <<<"$metrics"

# ---- access log and shutdown ------------------------------------------------------------------
check "access log: method, path, status, microseconds" grep -qE '^GET /healthz 200 [0-9]+$' "$tmp/logs/access.log"
check "access log leaves the query out" bash -c '! grep -q "q=back" "$0"' "$tmp/logs/access.log"
"$HQ" --data "$tmp/data" serve --port "$HQ_PORT" >/dev/null 2>"$tmp/busy.err"
check_eq "serve on a port in use: exit 4" 4 $?
check "a port in use is named" grep -q "port $HQ_PORT" "$tmp/busy.err"
hq_stop_server; rc=$?
check_eq "SIGTERM: exit 0" 0 "$rc"
check "SIGTERM: a clean stop is logged" grep -q 'healthqa: stopped' "$tmp/logs/server.log"
check_eq "nothing listens after the stop" 000 "$(code --max-time 2 "$B/healthz")"
"$HQ" serve --search-threads 65 >/dev/null 2>&1; check_eq "serve --search-threads 65: exit 2" 2 $?
"$HQ" serve --cache-mb -1 >/dev/null 2>&1; check_eq "serve --cache-mb -1: exit 2" 2 $?
mkdir -p "$tmp/logs2"
if hq_start_server "$tmp/data" "$tmp/logs2" --search-threads 0 --cache-mb 0; then
    check_eq "no pool, no cache: searches answer" 200 "$(code "$HQ_BASE/api/search?q=back+pain")"
    check_eq "no cache: no X-Cache header" "" "$(xcache "$HQ_BASE/api/search?q=back+pain" 5)"
    check_eq "no pool: pages answer" 200 "$(code "$HQ_BASE/search?q=back+pain")"
    check "no cache: no cache metrics" bash -c '! curl -s "$0/metrics" | grep -q search_cache' "$HQ_BASE"
    hq_stop_server; check_eq "no pool, no cache: SIGTERM exit 0" 0 $?
    cat "$tmp/logs2/server.log" >>"$tmp/logs/server.log"
else
    check "the server starts with --search-threads 0 --cache-mb 0" false
fi
check "no sanitizer report" bash -c '! grep -qE "ERROR: (Address|Leak)Sanitizer|WARNING: ThreadSanitizer|runtime error" "$0"' "$tmp/logs/server.log"
HQ_PID=

# ---- the write API: refused when expired, off without a token file ---------------------------
"$HQ" --data "$tmp/data" serve --port 0 --tokens "$tmp/nonexistent" >/dev/null 2>"$tmp/tok.err"
check_eq "serve with an unreadable token file: exit 4" 4 $?
check "the token file is named" grep -q "nonexistent" "$tmp/tok.err"
hq_start_server "$tmp/data" "$tmp/logs"
B=$HQ_BASE
check_eq "an expired token: 401 token_expired" "401 token_expired" \
    "$(curl -s -w ' %{http_code}' -X DELETE -H 'Authorization: Bearer hq_expired' "$B/api/articles/page:010_iud_back_pain" | python3 -c 'import json,sys; b,c=sys.stdin.read().rsplit(" ",1); print(c, json.loads(b)["error"]["code"])')"
check_eq "a write with a valid token, after a restart" 200 \
    "$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $HQ_TOKEN" -d '{"title":"Restart test"}' "$B/api/articles/editor:restart")"
hq_stop_server
HQ_SERVE_ARGS=""
hq_start_server "$tmp/data" "$tmp/logs"
B=$HQ_BASE
check_eq "without --tokens the write API is off: 403" 403 \
    "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE -H "Authorization: Bearer $HQ_TOKEN" "$B/api/articles/editor:restart")"
check_eq "the article written before the restart is there" 200 "$(code "$B/api/articles/editor:restart")"
hq_stop_server
HQ_PID=
tap_done

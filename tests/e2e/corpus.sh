#!/usr/bin/env bash
# End-to-end: ingest all of ../shared/corpus and check the counts, the
# portal pages' links, idempotent re-indexing and show by path.
. "$(dirname "$0")/../support/e2e.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
data=$tmp/data
if [ ! -d "$SHARED/corpus" ]; then
    echo "not ok 1 - ../shared/corpus is missing"; tap_done; exit 1
fi
out=$("$HQ" --data "$data" index "$SHARED/corpus" 2>&1); rc=$?
check_eq "indexing the whole corpus exits 0" 0 "$rc"
[ "$rc" -eq 0 ] || printf '%s\n' "$out" | tail -5 | sed 's/^/#   /'
"$HQ" --data "$data" stats --json >"$tmp/stats.json"
py() { python3 -c "import json,sys; s=json.load(open('$tmp/stats.json')); print($1)"; }
check_eq "MedQuAD sections" 47457 "$(py 's["by_format"]["medquad"]["sections"]')"
check_eq "MedQuAD articles (one per XML file)" 11274 "$(py 's["by_format"]["medquad"]["articles"]')"
check_eq "MedlinePlus topics" 1017 "$(py 's["by_format"]["jsonl"]["articles"]')"
check_eq "portal pages" 5 "$(py 's["by_source"]["portal"]["articles"]')"
check_eq "portal pages are of unknown trust" unknown "$(py 's["by_source"]["portal"]["trust"]')"
check_eq "MedlinePlus is trusted" high "$(py 's["by_source"]["MedlinePlus Health Topics"]["trust"]')"
check_eq "NIH sources are trusted" high "$(py 's["by_source"]["GARD"]["trust"]')"
check_eq "removed MedQuAD answers are sections without body" 1 "$(py '1 if s["sections_without_body"] > 10000 else 0')"
check_eq "treatment questions counted" 3910 "$(py 's["by_question_type"]["treatment"]')"

show() { "$HQ" --data "$data" show --json "$1"; }
page=$(show page:000_467e91df3828f596)
pj() { python3 -c "import json,sys; a=json.load(sys.stdin); print($1)" <<<"$page"; }
check_eq "page title" "What is the reason for back pain after miscarriage? Why does back pain occur?" "$(pj 'a["title"]')"
check_eq "page previous (not stored: the portal's title kept)" "Can I take a shower after a miscarriage? How should I take care of myself after a miscarriage?" "$(pj 'a["previous"]["portal_title"]')"
check_eq "page next (not stored: the portal's title kept)" "How long does it take to get your period after an abortion? What are the reasons for not getting your period after an abortion?" "$(pj 'a["next"]["portal_title"]')"
check_eq "page previous and next come from the topic order" "topic topic" "$(pj 'a["previous"]["via"] + " " + a["next"]["via"]')"
check_eq "page recommend entries" 12 "$(pj 'len(a["recommend"])')"
check_eq "page recommend truncated" True "$(pj 'a["recommend"][0]["truncated"]')"
check_eq "page trust" unknown "$(pj 'a["trust"]')"
page=$(show "$SHARED/corpus/portal/002_58dc5c042d5ac6f0.txt")
check_eq "show by path finds the page" "page:002_58dc5c042d5ac6f0" "$(pj 'a["id"]')"
check_eq "page 002 recommend entries" 14 "$(pj 'len(a["recommend"])')"
sec=$(show ADAM_0003147_Sec2.txt)
check_eq "a MedQuAD section by its answer id" "medquad:ADAM_0003147" "$(python3 -c 'import json,sys; print(json.load(sys.stdin)["article"]["id"])' <<<"$sec")"
file=$(show "$SHARED/corpus/medlineplus/health_topics.jsonl")
check_eq "show of the JSON Lines file lists its articles" 1017 "$(python3 -c 'import json,sys; print(len(json.load(sys.stdin)["articles"]))' <<<"$file")"

out=$("$HQ" --data "$data" index "$SHARED/corpus" 2>&1); rc=$?
check_eq "re-indexing exits 0" 0 "$rc"
check "re-indexing changes nothing" grep -q ' 0 new or changed, 0 removed' <<<"$out"
"$HQ" --data "$data" stats --json >"$tmp/stats2.json"
check "re-indexing leaves the same counts" cmp -s <(python3 -c "import json; s=json.load(open('$tmp/stats.json')); print(s['articles'], s['sections'], s['last_change'])") <(python3 -c "import json; s=json.load(open('$tmp/stats2.json')); print(s['articles'], s['sections'], s['last_change'])")
out=$("$HQ" --data "$data" index "$SHARED/corpus/portal" 2>/dev/null </dev/null | cat)
check "no progress output when not a terminal" bash -c "! grep -q 'ETA' <<<\"\$0\"" "$out"

# ---- search, eval, check, dump, recovery ----------------------------------
js() { python3 -c "import json,sys; r=json.load(sys.stdin); print($1)"; }
r=$("$HQ" --data "$data" search --json --limit 5 "back pain after miscarriage")
check_eq "search finds the miscarriage back-pain page first" "page:000_467e91df3828f596" "$(js 'r["hits"][0]["article_id"]' <<<"$r")"
check_eq "hits carry trust" "unknown" "$(js 'r["hits"][0]["trust"]' <<<"$r")"
check_eq "snippets highlight query words (byte offsets)" "True" "$(js 'all(r["hits"][0]["snippet"]["text"].encode()[s:e].decode().lower().startswith(("back","pain","after","miscarriag")) for s,e in r["hits"][0]["snippet"]["highlights"]) and len(r["hits"][0]["snippet"]["highlights"])>0' <<<"$r")"
r=$("$HQ" --data "$data" search --json --limit 3 --offset 2 "back pain after miscarriage")
check_eq "paging: offset 2 returns the third hit" 3 "$(js 'len(r["hits"])' <<<"$r")"
r=$("$HQ" --data "$data" search --json --limit 50 'polycystic ovary type:treatment source:GARD')
check_eq "filters: every hit is a GARD treatment section" "True" "$(js 'len(r["hits"])>0 and all(h["source"]=="GARD" and h["question_type"]=="treatment" for h in r["hits"])' <<<"$r")"
r=$("$HQ" --data "$data" search --json --limit 100 'back pain -miscarriage trust:unknown')
check_eq "exclusion and trust filter" "False" "$(js 'any(h["article_id"]=="page:000_467e91df3828f596" for h in r["hits"])' <<<"$r")"
r=$("$HQ" --data "$data" search --json --limit 100 '"lumbar disc herniation"')
check_eq "a phrase finds the Mirena page" "True" "$(js 'any(h["article_id"]=="text:003_5e5c47f7d83159ad" for h in r["hits"])' <<<"$r")"
"$HQ" --data "$data" search 'trust:sky' >/dev/null 2>&1; check_eq "a bad filter value: exit 2" 2 $?
"$HQ" --data "$data" search 'the and of' >/dev/null 2>&1; check_eq "a query of stop words only: exit 2" 2 $?

q=$SHARED/eval/liveqa-med/queries.original.tsv
qrels=$SHARED/eval/liveqa-med/qrels.txt
"$HQ" --data "$data" eval --queries "$q" --qrels "$qrels" --run "$tmp/run.txt" >"$tmp/ours.txt"
check "eval prints latency and qps" grep -qE '^latency_p99_ms	[0-9.]+$' "$tmp/ours.txt"
python3 "$SHARED/eval/eval.py" "$tmp/run.txt" --qrels "$qrels" --queries "$q" >"$tmp/theirs.txt"
check "eval's metrics equal eval.py's on the same run" cmp -s "$tmp/theirs.txt" <(grep -vE '^(num_queries|latency_|qps)' "$tmp/ours.txt")
ndcg=$(awk -F'\t' '$1=="ndcg@10" {print $2}' "$tmp/ours.txt")
map=$(awk -F'\t' '$1=="map@100" {print $2}' "$tmp/ours.txt")
check "with question understanding nDCG@10 and MAP@100 >= 0.38 on the dev questions (got $ndcg, $map)" python3 -c "import sys; sys.exit(0 if $ndcg >= 0.38 and $map >= 0.38 else 1)"
"$HQ" --data "$data" eval --plain --queries "$q" --qrels "$qrels" >"$tmp/plain.txt"
ndcg=$(awk -F'\t' '$1=="ndcg@10" {print $2}' "$tmp/plain.txt")
check "plain BM25F reaches nDCG@10 >= 0.25 on the dev questions (got $ndcg)" python3 -c "import sys; sys.exit(0 if $ndcg >= 0.25 else 1)"

# ---- question understanding ------------------------------------------------
a=$("$HQ" --data "$data" analyze --json "Back pain after IUD insertion, what should I do? Thanks")
check_eq "analyze: the focus of an IUD back-pain question" "back pain" "$(js 'r["focus"]["name"]' <<<"$a")"
check_eq "analyze: its type" "treatment" "$(js 'r["type"]' <<<"$a")"
check_eq "analyze: its context" "after IUD insertion" "$(js 'r["context"]' <<<"$a")"
check_eq "analyze: thanks are ignored" "['Thanks']" "$(js 'r["ignored"]' <<<"$a")"
a=$("$HQ" --data "$data" analyze --json "hi, my coil was fitted and my waist is so sore")
check_eq "analyze: lay words find the concepts (coil, sore waist)" "low back pain|intrauterine devices" "$(js '"|".join(sorted({c["concept"] for c in r["concepts"]}, key=lambda c: c != r["focus"]["name"]))' <<<"$a")"
"$HQ" --data "$data" analyze --queries "$q" >"$tmp/analyses.jsonl"
check_eq "analyze --queries: one JSON line per question" 52 "$(wc -l <"$tmp/analyses.jsonl" | tr -d ' ')"
"$HQ" --data "$data" analyze "$(printf 'bad \xff')" >/dev/null 2>&1; check_eq "analyze: invalid UTF-8 exits 4, as search does" 4 $?
top=$("$HQ" --data "$data" search --json --limit 1 "what causes low back pain" | js 'r["hits"][0]["section_id"]')
x=$("$HQ" --data "$data" explain --json "what causes low back pain" "$top")
check_eq "explain: the top hit is rank 1" 1 "$(js 'r["rank"]' <<<"$x")"
check "explain: contributions add up to the total" python3 -c "import json,sys; r=json.loads(sys.argv[1]); c=r['contributions']; assert abs(sum(c.values()) - r['total']) < 1e-6" "$x"
"$HQ" --data "$data" explain "back pain" no-such-section >/dev/null 2>&1; check_eq "explain: an unknown section exits 3" 3 $?

check "check passes on a fresh index" "$HQ" --data "$data" check
d=$("$HQ" --data "$data" dump Pain --max 1)
check_eq "dump analyses the term" pain "$(js 'r["term"]' <<<"$d")"
check "dump shows postings" bash -c "python3 -c 'import json,sys; r=json.load(sys.stdin); assert r[\"segments_with_term\"][0][\"df\"] > 1000' <<<'$d'"

before=$("$HQ" --data "$data" search --json --limit 10 "iud insertion pain" | js '[h["section_id"] for h in r["hits"]]')
rm -rf "$data/index"
after=$("$HQ" --data "$data" search --json --limit 10 "iud insertion pain" | js '[h["section_id"] for h in r["hits"]]')
check_eq "deleting the index: the next search rebuilds it, same hits" "$before" "$after"
seg=$(ls "$data"/index/seg-*.hqs | head -1)
python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[len(b)//2]^=0xFF; open(p,'wb').write(b)" "$seg"
out=$("$HQ" --data "$data" check 2>&1); rc=$?
check_eq "check on a damaged segment: exit 4" 4 "$rc"
check "check names the damaged file" grep -q "$(basename "$seg")" <<<"$out"
"$HQ" --data "$data" index --rebuild >/dev/null 2>&1
check "index --rebuild repairs it" "$HQ" --data "$data" check
truncate -s 100 "$data/index/MANIFEST"
"$HQ" --data "$data" search "back pain" >/dev/null 2>&1; check_eq "a truncated manifest: search exits 4" 4 $?
"$HQ" --data "$data" index --rebuild >/dev/null 2>&1
after=$("$HQ" --data "$data" search --json --limit 10 "iud insertion pain" | js '[h["section_id"] for h in r["hits"]]')
check_eq "after the rebuild the hits are back" "$before" "$after"
tap_done

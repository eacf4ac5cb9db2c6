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
check_eq "page previous" "Can I take a shower after a miscarriage? How should I take care of myself after a miscarriage?" "$(pj 'a["previous"]["title"]')"
check_eq "page next" "How long does it take to get your period after an abortion? What are the reasons for not getting your period after an abortion?" "$(pj 'a["next"]["title"]')"
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
tap_done

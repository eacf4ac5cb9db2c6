#!/usr/bin/env bash
# End-to-end over the real corpus (all of ../shared/corpus): `healthqa
# related` of the five portal back-pain pages lists on-topic articles
# only (back pain, miscarriage, IUD, pelvic inflammatory disease,
# pregnancy and the other back-pain pages), with the MedlinePlus/MedQuAD
# topic pages each page is about, never the pages of its own Recommend
# list that are off-topic ("iPhone sales", "hawthorn cake"); previous and
# next by topic; ids, paths and bad inputs of the command.
. "$(dirname "$0")/../support/e2e.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
data=$tmp/data
if [ ! -d "$SHARED/corpus/portal" ]; then
    echo "not ok 1 - ../shared/corpus is missing"; tap_done; exit 1
fi
"$HQ" --data "$data" index "$SHARED/corpus" >"$tmp/index.log" 2>&1
check_eq "indexing the whole corpus exits 0" 0 $?

# What a reader of these pages may be sent to: words of back pain and of
# gynaecology / pregnancy.  Anything else in a list is off-topic filler.
ON_TOPIC='back|lumb|spin|dis[ck]|sciatic|pain|ache|miscarr|abort|pregnan|ectopic|iud|intrauterine|contracep|birth control|pelvi|uter|menstru|period|endometri|ovar|vagin|gyn|implant|waist|cramp|piriformis'
JUNK='iphone|hawthorn|cake|height and weight|lunch break|breast nodule|kidney crystal'

# lists PAGE: the related list of PAGE as "article_id<TAB>trust<TAB>title" lines
lists() {
    "$HQ" --data "$data" related --json --limit 10 "$1" >"$tmp/r.json" || return 1
    python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
for e in r["related"]:
    print("%s\t%s\t%s" % (e["article_id"], e["trust"], e["title"]))' "$tmp/r.json"
}

# expect PAGE MIN REGEX...: the list has at least MIN entries, each on
# topic, none junk nor the page itself, and a title matching each REGEX
expect() {
    local page=$1 min=$2; shift 2
    local out
    out=$(lists "$page")
    check "related $page runs" test -n "$out"
    check "related $page: at least $min articles" test "$(wc -l <<<"$out")" -ge "$min"
    check "related $page: every article on topic" \
        bash -c '! cut -f3 <<<"$0" | grep -viE "$1"' "$out" "$ON_TOPIC"
    check "related $page: no junk" bash -c '! cut -f3 <<<"$0" | grep -iE "$1"' "$out" "$JUNK"
    check "related $page: not itself" bash -c '! cut -f1 <<<"$0" | grep -qxF "$1"' "$out" "$page"
    check "related $page: a trusted topic page in the first three" \
        bash -c 'head -3 <<<"$0" | cut -f2 | grep -qx high' "$out"
    local want
    for want in "$@"; do
        check "related $page: has '$want'" bash -c 'cut -f3 <<<"$0" | grep -qiE "$1"' "$out" "$want"
    done
}

expect page:000_467e91df3828f596 8 '^back pain$' '^miscarriage$' '^pelvic inflammatory disease$' \
    'back pain due to miscarriage'
expect page:001_81a66c25a5a3e8c2 8 '^back pain$' '^miscarriage$' 'back pain after miscarriage'
expect page:002_58dc5c042d5ac6f0 8 '^back pain$' 'IUD' 'Mirena IUD'
expect text:003_5e5c47f7d83159ad 8 '^back pain$' 'IUD' '^pelvic inflammatory disease$' \
    'lower back pain after having an IUD'
expect text:004_fe98f0bb4ad81f5b 8 '^back pain$' '^ectopic pregnancy$' 'pregnancy'

# the Recommend lists of pages 001 and 002 hold off-topic pages
# ("hawthorn cake", "iPhone sales"): none of them comes back
show() { "$HQ" --data "$data" show --json "$1"; }
for page in page:001_81a66c25a5a3e8c2 page:002_58dc5c042d5ac6f0; do
    show "$page" | python3 -c '
import json, sys
for r in json.load(sys.stdin)["recommend"]:
    print(r["title"])' >"$tmp/recommend"
    lists "$page" | cut -f3 >"$tmp/related"
    check "related $page: the Recommend list holds junk" grep -qiE "$JUNK" "$tmp/recommend"
    check "related $page: none of it comes back" bash -c '! grep -iE "$1" "$0"' \
        "$tmp/related" "$JUNK"
done

# previous / next: by topic (the portal's links name pages not stored), on topic
for page in page:000_467e91df3828f596 page:002_58dc5c042d5ac6f0 text:003_5e5c47f7d83159ad; do
    nav=$(show "$page" | python3 -c '
import json, sys
a = json.load(sys.stdin)
for k in ("previous", "next"):
    print("%s\t%s\t%s" % (a[k]["via"], a[k]["id"], a[k]["title"]))')
    check_eq "$page: previous and next by topic" "topic topic" "$(cut -f1 <<<"$nav" | tr '\n' ' ' | sed 's/ $//')"
    check "$page: previous and next on topic" bash -c '! cut -f3 <<<"$0" | grep -viE "$1"' "$nav" "$ON_TOPIC"
done
a=$(show page:000_467e91df3828f596 | python3 -c 'import json,sys; print(json.load(sys.stdin)["next"]["id"])')
b=$(show "$a" | python3 -c 'import json,sys; print(json.load(sys.stdin)["previous"]["id"])')
check_eq "the next article's previous is the page again" page:000_467e91df3828f596 "$b"

# ids, paths, text output, bad inputs
p=$("$HQ" --data "$data" related --json "$SHARED/corpus/portal/002_58dc5c042d5ac6f0.txt" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["article"]["id"])')
check_eq "related of a file path: its article" page:002_58dc5c042d5ac6f0 "$p"
p=$("$HQ" --data "$data" related --json ADAM_0003147_Sec2.txt |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["article"]["id"])')
check_eq "related of a MedQuAD answer id: its article" medquad:ADAM_0003147 "$p"
check "the text output gives the reasons" bash -c \
    "'$HQ' --data '$data' related page:000_467e91df3828f596 | grep -q 'why: same focus: Back pain'"
check "related --help shows usage" bash -c "'$HQ' related --help | grep -q 'usage: healthqa'"
"$HQ" --data "$data" related page:nope >/dev/null 2>"$tmp/err"
check_eq "an unknown id: exit 3" 3 $?
check "an unknown id is named" grep -q 'page:nope' "$tmp/err"
"$HQ" --data "$data" related "$SHARED/corpus/medlineplus/health_topics.jsonl" >/dev/null 2>"$tmp/err"
check_eq "a file of many articles: exit 2" 2 $?
check "a file of many articles: says to name one" grep -q 'holds 1017 articles' "$tmp/err"
"$HQ" --data "$data" related --limit 0 page:000_467e91df3828f596 >/dev/null 2>&1
check_eq "--limit 0: exit 2" 2 $?
"$HQ" --data "$data" related --limit 51 page:000_467e91df3828f596 >/dev/null 2>&1
check_eq "--limit 51: exit 2" 2 $?
"$HQ" --data "$data" related >/dev/null 2>&1
check_eq "no id: exit 2" 2 $?
"$HQ" --data "$data" related a b >/dev/null 2>&1
check_eq "two ids: exit 2" 2 $?
printf 'page:000_467e91df3828f596\n\npage:nope\n' >"$tmp/ids"
"$HQ" --data "$data" related --ids "$tmp/ids" --limit 3 >"$tmp/ids.out"
check_eq "--ids: exit 0" 0 $?
check_eq "--ids: one line per id" 2 "$(wc -l <"$tmp/ids.out")"
check "--ids: an unknown id is an error line" grep -q '"id":"page:nope","error"' "$tmp/ids.out"
"$HQ" --data "$data" related --ids "$tmp/nope" >/dev/null 2>&1
check_eq "--ids of a missing file: exit 4" 4 $?
tap_done

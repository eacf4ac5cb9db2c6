#!/usr/bin/env bash
# End-to-end: `healthqa ask` on the whole of ../shared/corpus — the three
# questions of the answers issue get a card with the triage first,
# focus/type/context, passages by aspect cited from MedQuAD/MedlinePlus,
# portal pages labelled unknown-trust, the same text on two sites cited
# once, sections without text as links; an emergency comes first in the
# text output; bad questions get clear errors.
. "$(dirname "$0")/../support/e2e.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
d=$tmp/data
if [ ! -d "$SHARED/corpus" ]; then
    echo "not ok 1 - ../shared/corpus is missing"; tap_done; exit 1
fi
check "index the whole corpus" "$HQ" --data "$d" index "$SHARED/corpus"
check "ask --help shows usage" bash -c "'$HQ' ask --help | grep -q 'usage: healthqa'"

ask() { "$HQ" --data "$d" ask --json "$1" >"$tmp/card.json"; }
card() { python3 -c "import json; c=json.load(open('$tmp/card.json')); $1"; }
# Properties every card must have (prints what breaks, nothing when fine).
card_ok='
first = list(c)[0]
if first != "triage": print("first key is", first)
for a in c["aspects"]:
    ps = a["passages"]
    if not ps: print("empty aspect", a["aspect"])
    for p in ps:
        t = p["text"]
        if t.endswith("?") or len(t) > 500: print("bad passage", t[:80])
        for s, e in p["highlights"]:
            if not (0 <= s < e <= len(t)): print("bad highlight", s, e)
        for ci in p["citations"]:
            if ci["untrusted"] != (ci["trust"] in ("low", "unknown")): print("label", ci)
    f = {"high": 1.0, "medium": 0.9, "low": 0.8, "unknown": 0.7}
    for i in range(len(ps) - 1):
        x, y = ps[i], ps[i + 1]
        tx, ty = x["citations"][0]["trust"], y["citations"][0]["trust"]
        if x["score"] * f[tx] < y["score"] * f[ty] - 1e-3: print("order", a["aspect"], i)
'
sources='print(" ".join(sorted({ci["trust"] for a in c["aspects"] for p in a["passages"] for ci in p["citations"]})))'

q1="What should I do if I have back pain after a miscarriage?"
check "ask q1" ask "$q1"
check_eq "q1: a well-formed card" "" "$(card "$card_ok")"
check_eq "q1: focus, type, context" "back pain|treatment|after a miscarriage" \
    "$(card 'q=c["question"]; print(q["focus"]["name"], q["type"], q["context"], sep="|")')"
check_eq "q1: triage level" soon "$(card 'print(c["triage"]["level"])')"
check_eq "q1: the four aspects, in order" "overview causes what_to_do see_doctor" \
    "$(card 'print(" ".join(a["aspect"] for a in c["aspects"]))')"
check_eq "q1: what to do is what was asked" what_to_do \
    "$(card 'print(" ".join(a["aspect"] for a in c["aspects"] if a["asked"]))')"
check_eq "q1: trusted and portal sources cited" "high unknown" "$(card "$sources")"
check_eq "q1: the same text on MedlinePlus and in MedQuAD is one passage citing both" yes \
    "$(card 'print("yes" if any({"medlineplus:157","medquad:MPlusHealthTopics_0000078"} <= {ci["article_id"] for ci in p["citations"]} for a in c["aspects"] for p in a["passages"]) else "no")')"
check_eq "q1: when to see a doctor quotes MedlinePlus" yes \
    "$(card 'a=[a for a in c["aspects"] if a["aspect"]=="see_doctor"][0]; print("yes" if any("call your health care provider" in p["text"] for p in a["passages"]) else "no")')"
check_eq "q1: ADAM's removed answers are links to read at the source" yes \
    "$(card 'print("yes" if any(l["source"]=="ADAM" and l["url"].startswith("http") for l in c["read_at_source"]) else "no")')"

q2="Back pain after IUD insertion, what can I do?"
check "ask q2" ask "$q2"
check_eq "q2: a well-formed card" "" "$(card "$card_ok")"
check_eq "q2: focus and context" "back pain|after IUD insertion" \
    "$(card 'q=c["question"]; print(q["focus"]["name"], q["context"], sep="|")')"
check_eq "q2: trusted and portal sources cited" "high unknown" "$(card "$sources")"
check_eq "q2: the IUD portal page is cited, labelled unverified" "unknown True" \
    "$(card 'ci=[ci for a in c["aspects"] for p in a["passages"] for ci in p["citations"] if ci["article_id"]=="page:002_58dc5c042d5ac6f0"][0]; print(ci["trust"], ci["untrusted"])')"

q3="Will implantation cause a sore waist on one side?"
check "ask q3" ask "$q3"
check_eq "q3: a well-formed card" "" "$(card "$card_ok")"
check_eq "q3: the lay words find the clinical focus" "low back pain|sore waist|causes" \
    "$(card 'q=c["question"]; print(q["focus"]["name"], q["focus"]["as_written"], q["type"], sep="|")')"
check_eq "q3: what it is comes from trusted sources" high \
    "$(card 'a=[a for a in c["aspects"] if a["aspect"]=="overview"][0]; print(" ".join(sorted({p["citations"][0]["trust"] for p in a["passages"]})))')"
check_eq "q3: ADAM's low back pain articles to read at the source" yes \
    "$(card 'print("yes" if any("Low back pain" in l["title"] for l in c["read_at_source"]) else "no")')"

# text output: the red flag comes before everything
out=$("$HQ" --data "$d" ask "I am 7 weeks pregnant and have heavy bleeding and severe pain on one side"); rc=$?
check_eq "emergency question: exit 0" 0 "$rc"
check_eq "emergency: the first line is the notice" EMERGENCY "$(head -1 <<<"$out" | cut -d: -f1)"
check "text output ends with the notice that it is not a diagnosis" bash -c "tail -1 <<<'$(tail -1 <<<"$out")' | grep -q 'not a diagnosis'"

# bad questions
"$HQ" --data "$d" ask "" 2>"$tmp/err"; rc=$?
check_eq "empty question: exit 2" 2 "$rc"
check "empty question: says so" grep -q "question is empty" "$tmp/err"
"$HQ" --data "$d" ask "$(printf 'back pain \xff')" 2>"$tmp/err"; rc=$?
check_eq "invalid UTF-8: exit 4" 4 "$rc"
check "invalid UTF-8: names the byte" grep -q "not valid UTF-8" "$tmp/err"
"$HQ" --data "$d" ask "$(head -c 9000 /dev/zero | tr '\0' a)" 2>"$tmp/err"; rc=$?
check_eq "over 8 KiB: exit 2" 2 "$rc"
"$HQ" --data "$d" ask "the of and" 2>"$tmp/err"; rc=$?
check_eq "only stop words: exit 2" 2 "$rc"
check "only stop words: says there is no word" grep -q "no word" "$tmp/err"
"$HQ" --data "$d" ask --bogus x 2>/dev/null; rc=$?
check_eq "unknown option: exit 2" 2 "$rc"
tap_done

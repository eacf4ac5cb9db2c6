#!/usr/bin/env bash
# End-to-end: `healthqa triage` — text and JSON output, levels, negation,
# the informational cap, stdin, usage errors, and a bad rules file named
# with its line.  Needs no data folder.
. "$(dirname "$0")/../support/e2e.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
HQ=$(cd "$(dirname "$HQ")" && pwd)/$(basename "$HQ")
cd "$tmp" || exit 1   # no data folder is created or needed
json_field() { python3 -c 'import json,sys; o=json.load(sys.stdin); print(o'"$1"')'; }

check "triage --help shows usage" bash -c "'$HQ' triage --help | grep -q 'usage: healthqa triage'"
check "help lists triage" bash -c "'$HQ' --help | grep -q 'triage TEXT'"

out=$("$HQ" triage "I have lower back pain and I can't control my bladder"); rc=$?
check_eq "emergency: exit 0" 0 "$rc"
check_eq "text output starts with the level and message" "EMERGENCY:" "$(head -1 <<<"$out" | cut -d' ' -f1)"
check "text output names the guidance" grep -q '^guidance: NHS, Cauda equina syndrome <https://' <<<"$out"
check "text output lists the matched phrases" grep -q '^matched: "can.t control my bladder"' <<<"$out"
check "text output says it is not a diagnosis" grep -q 'not a diagnosis' <<<"$out"

j=$("$HQ" triage --json I am 7 weeks pregnant and bleeding)
check_eq "words are joined: urgent" urgent "$(json_field '["level"]' <<<"$j")"
check_eq "JSON names the rule" pregnancy.bleeding "$(json_field '["rule"]' <<<"$j")"
check_eq "JSON guidance has a URL" True "$(json_field '["guidance"]["url"].startswith("https://")' <<<"$j")"
check_eq "JSON offsets point at the text" bleeding "$(json_field '["matched"][0]["text"]' <<<"$j")"

j=$("$HQ" triage --json "I'm 7 weeks pregnant and I don't have any bleeding")
check_eq "negated symptom does not fire" none "$(json_field '["level"]' <<<"$j")"
check_eq "the negated phrase is listed" bleeding "$(json_field '["negated"][0]["text"]' <<<"$j")"

j=$("$HQ" triage --json "What causes heavy bleeding in early pregnancy?")
check_eq "a question is capped at soon" soon "$(json_field '["level"]' <<<"$j")"
check_eq "the uncapped level is kept" emergency "$(json_field '["uncapped_level"]' <<<"$j")"

j=$(printf 'Hello,\nI had my D&C on Monday.\nNow I have a fever and chills.\n' | "$HQ" triage --json -)
check_eq "text from stdin, across lines" urgent "$(json_field '["level"]' <<<"$j")"
check_eq "none for a harmless text" none "$("$HQ" triage --json 'back pain after sitting all day at work' | json_field '["level"]')"

"$HQ" triage >/dev/null 2>&1; check_eq "no text: exit 2" 2 $?
"$HQ" triage --bogus x >/dev/null 2>&1; check_eq "unknown option: exit 2" 2 $?
out=$("$HQ" triage "$(printf 'bleeding \xff')" 2>&1); rc=$?
check_eq "invalid UTF-8: exit 4" 4 "$rc"
check "invalid UTF-8: says so" grep -q 'invalid UTF-8' <<<"$out"

printf 'rule = a\nlevel = urgent\nneed = fever || chills\n' >"$tmp/bad.rules"
out=$(HEALTHQA_TRIAGE_RULES="$tmp/bad.rules" "$HQ" triage fever 2>&1); rc=$?
check_eq "bad rules file: exit 4" 4 "$rc"
check "bad rules file: file, line and reason" grep -q 'bad.rules:3: .*empty phrase' <<<"$out"
out=$(HEALTHQA_TRIAGE_RULES="$tmp/missing.rules" "$HQ" triage fever 2>&1); rc=$?
check_eq "missing rules file: exit 4" 4 "$rc"
check "missing rules file: named" grep -q 'missing.rules' <<<"$out"
check "no data folder was created" test ! -e "$tmp/healthqa-data"
tap_done

#!/usr/bin/env bash
# End-to-end: live updates with `healthqa add` and `healthqa rm` — a
# record is searchable as soon as add returns, re-adding replaces it, a
# bad record stores nothing of its file and names its line, rm removes,
# and merges keep the segment count logarithmic over 120 one-record
# writes, with `check` passing and a rebuild finding the same.
. "$(dirname "$0")/../support/e2e.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
d=$tmp/d
check "index the server fixtures" "$HQ" --data "$d" index tests/fixtures/server
check "add --help shows usage" bash -c "'$HQ' add --help | grep -q 'usage: healthqa'"
check "rm --help shows usage" bash -c "'$HQ' rm --help | grep -q 'usage: healthqa'"
total() { "$HQ" --data "$d" search --json "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"]["value"])'; }
rec() { printf '{"id": "%s", "title": "%s", "body": "%s"}\n' "$1" "$2" "$3"; }

rec ed:1 "Caring for a zebrafish" "Zebrafish need clean water and a stable temperature." >"$tmp/one.jsonl"
out=$("$HQ" --data "$d" add --json "$tmp/one.jsonl"); rc=$?
check_eq "add: exit 0" 0 "$rc"
check_eq "add: one record, one change" "1 1" "$(python3 -c 'import json,sys; o=json.load(sys.stdin); print(o["records"], o["changed"])' <<<"$out")"
check_eq "searchable as soon as add returns" 1 "$(total zebrafish)"
check_eq "a record without a source is from the api source, of unknown trust" "api unknown" \
    "$("$HQ" --data "$d" show --json ed:1 | python3 -c 'import json,sys; a=json.load(sys.stdin); print(a["source"], a["trust"])')"
rec ed:1 "Caring for a goldfish" "Goldfish need clean water too." | "$HQ" --data "$d" add - >/dev/null
check_eq "re-adding an id replaces the article" "0 1" "$(total zebrafish) $(total goldfish)"

# a file with a bad line stores none of its records
{ rec ed:2 "Axolotl care" "Axolotls like cold water."; echo '{"id": "ed:3", "title": 5}'; } >"$tmp/bad.jsonl"
"$HQ" --data "$d" add "$tmp/bad.jsonl" 2>"$tmp/err"; rc=$?
check_eq "bad record: exit 4" 4 "$rc"
check "bad record: the error names the file and line 2" grep -q "bad.jsonl:2" "$tmp/err"
check_eq "bad record: nothing of the file was stored" 0 "$(total axolotl)"
printf 'not json\xff\n' >"$tmp/utf.jsonl"
"$HQ" --data "$d" add "$tmp/utf.jsonl" "$tmp/one.jsonl" 2>"$tmp/err" >/dev/null; rc=$?
check_eq "one bad file of two: exit 1" 1 "$rc"
check "invalid UTF-8 is named" grep -q "not valid UTF-8" "$tmp/err"

out=$("$HQ" --data "$d" rm --json ed:1 ed:missing); rc=$?
check_eq "rm of a missing id: exit 3" 3 "$rc"
check_eq "rm: one removed, one not found" "1 ['ed:missing']" "$(python3 -c 'import json,sys; o=json.load(sys.stdin); print(o["removed"], o["not_found"])' <<<"$out")"
check_eq "removed articles are gone from searches" "0 0" "$(total zebrafish) $(total goldfish)"

# many small writes: merges keep the segments few
for i in $(seq 1 120); do rec "bulk:$i" "Bulk note $i about quokkas" "Quokka fact number $i."; done >"$tmp/all.jsonl"
split -l 1 "$tmp/all.jsonl" "$tmp/part-"
for f in "$tmp"/part-*; do "$HQ" --data "$d" add "$f" >/dev/null || echo "add $f failed"; done >"$tmp/adds"
check_eq "120 one-record writes succeed" "" "$(cat "$tmp/adds")"
check_eq "all 120 are searchable" 120 "$(total quokka)"
segs=$("$HQ" --data "$d" dump | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["segments"]))')
check "merges keep the segment count small (<= 20 after 120 writes): $segs" test "$segs" -le 20
check "check passes after merges" "$HQ" --data "$d" check
"$HQ" --data "$d" rm bulk:7 bulk:70 >/dev/null
check_eq "deletes after merges" 118 "$(total quokka)"
check "rebuild" "$HQ" --data "$d" index --rebuild
check_eq "a rebuild finds the same" 118 "$(total quokka)"

# a full disk (a file size limit) fails the write clearly and keeps the rest
python3 -c '
import json
for i in range(300): print(json.dumps({"id": "big:%d" % i, "title": "Big record %d" % i, "body": ("wombat%d " % i) * 300}))' >"$tmp/big.jsonl"
limit=$(( $(du -k "$d/store.db" | cut -f1) + 64 ))
(ulimit -f "$limit"; "$HQ" --data "$d" add "$tmp/big.jsonl") 2>"$tmp/err" >/dev/null; rc=$?
check_eq "disk full: exit 4 (not killed by SIGXFSZ)" 4 "$rc"
check "disk full: the error says what to do" grep -q "disk may be full" "$tmp/err"
check "disk full: check still passes" "$HQ" --data "$d" check
check_eq "disk full: nothing of the file was stored, the rest is intact" "0 118" "$(total wombat5) $(total quokka)"
tap_done

#!/usr/bin/env bash
# End-to-end: bad inputs are named with where and why, exit 1, and lose
# nothing: good files are stored, stored articles survive a bad update.
. "$(dirname "$0")/../support/e2e.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
in=$tmp/in; data=$tmp/data
mkdir -p "$in"
xml=$SHARED/corpus/medquad/2_GARD_QA/0000004.xml
cp "$SHARED/corpus/portal/000_467e91df3828f596.txt" "$in/good_page.txt"
cp "$xml" "$in/0000004.xml"   # the stem makes the id: medquad:GARD_0000004
head -c 700 "$xml" >"$in/truncated.xml"
printf '<?xml version="1.0"?>\n<Document id="1" source="X">\n<Focus>A</Focus>\n<QAPairs><QAPair pid="1"><Question qtype="x">Q?</Answer></QAPair></QAPairs></Document>\n' >"$in/malformed.xml"
printf 'A title\n\nSome body \xff\xfe text.\n' >"$in/bad_utf8.txt"
head -c 10485760 /dev/zero | tr '\0' a >"$in/long_line.txt"
: >"$in/empty.txt"
printf '\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00' >"$in/binary.bin"
printf '{"id": "x:1", "title": "ok"}\n{"id": "x:2", "title": }\n' >"$in/bad.jsonl"
ln -s /nonexistent/file "$in/dangling.txt"
mkfifo "$in/fifo.txt"

out=$("$HQ" --data "$data" index "$in" "$tmp/missing-path" 2>&1); rc=$?
check_eq "exit status 1 when some files fail" 1 "$rc"
for f in truncated.xml malformed.xml bad_utf8.txt long_line.txt empty.txt binary.bin bad.jsonl dangling.txt fifo.txt missing-path; do
    check "the error names $f" grep -q "$f" <<<"$out"
done
check "truncated XML: line number" grep -qE 'truncated.xml:[0-9]+: .*XML' <<<"$out"
check "malformed XML: line 4" grep -qE 'malformed.xml:4: ' <<<"$out"
check "invalid UTF-8: line and byte" grep -qE 'bad_utf8.txt:3: invalid UTF-8 at byte 19' <<<"$out"
check "10 MB line: the line limit" grep -qE "long_line.txt:1: line is 10485760 bytes long, over the limit" <<<"$out"
check "bad JSON Lines: line 2" grep -qE 'bad.jsonl:2: ' <<<"$out"
check "empty file: says empty" grep -qE 'empty.txt: .*empty' <<<"$out"
check "binary file: says binary" grep -qE 'binary.bin: .*binary' <<<"$out"
check "the summary counts 10 rejected files" grep -q '10 files rejected' <<<"$out"
n=$("$HQ" --data "$data" stats --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["articles"])')
check_eq "the two good files are stored" 2 "$n"
check "no article of the bad JSON Lines file was stored" bash -c "! '$HQ' --data '$data' show x:1 >/dev/null 2>&1"

# a stored article survives a bad new version of its file
sections() { "$HQ" --data "$data" show --json medquad:GARD_0000004 | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["sections"]))'; }
before=$(sections)
head -c 900 "$xml" >"$in/0000004.xml"
"$HQ" --data "$data" index "$in/0000004.xml" >/dev/null 2>&1; rc=$?
check_eq "re-indexing a broken version: exit 1" 1 "$rc"
check_eq "the stored version is intact" "$before" "$(sections)"
tap_done

#!/usr/bin/env bash
# End-to-end: the command line itself — help, usage errors, exit codes.
. "$(dirname "$0")/../support/e2e.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

check "healthqa --help exits 0" "$HQ" --help
check "healthqa --help lists the exit codes" bash -c "'$HQ' --help | grep -q 'Exit status'"
for c in index stats show; do
    check "healthqa $c --help exits 0 and shows usage" bash -c "'$HQ' $c --help | grep -q 'usage: healthqa'"
    check "healthqa help $c shows usage" bash -c "'$HQ' help $c | grep -q 'usage: healthqa'"
done
"$HQ" >/dev/null 2>&1; check_eq "no command: exit 2" 2 $?
"$HQ" frobnicate >/dev/null 2>&1; check_eq "unknown command: exit 2" 2 $?
"$HQ" --bogus stats >/dev/null 2>&1; check_eq "unknown global option: exit 2" 2 $?
"$HQ" --data "$tmp/d" index >/dev/null 2>&1; check_eq "index without paths updates the search index: exit 0" 0 $?
"$HQ" --data "$tmp/d" index --trust sky "$tmp" >/dev/null 2>&1; check_eq "bad trust level: exit 2" 2 $?
"$HQ" --data "$tmp/d" stats --bogus >/dev/null 2>&1; check_eq "unknown stats option: exit 2" 2 $?
"$HQ" --data "$tmp/d" show >/dev/null 2>&1; check_eq "show without id: exit 2" 2 $?
out=$("$HQ" --data "$tmp/d" show page:nope 2>&1); rc=$?
check_eq "show of an unknown id: exit 3" 3 $rc
check "show of an unknown id names it" grep -q "page:nope" <<<"$out"
echo "not a database, just some text long enough to be a header....................." >"$tmp/bad.db"
mkdir -p "$tmp/corrupt" && cp "$tmp/bad.db" "$tmp/corrupt/store.db"
out=$("$HQ" --data "$tmp/corrupt" stats 2>&1); rc=$?
check_eq "a store that is not a database: exit 4" 4 $rc
check "the message names the store file" grep -q "corrupt/store.db" <<<"$out"
HEALTHQA_DATA="$tmp/envdata" "$HQ" stats >/dev/null 2>&1
check "HEALTHQA_DATA selects the data folder" test -f "$tmp/envdata/store.db"
tap_done

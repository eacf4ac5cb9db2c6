#!/usr/bin/env bash
# End-to-end: `healthqa dups` on tests/fixtures/dedup — three copies of
# one text (identical but for a few words, paragraphs reordered) form the
# only cluster; a text sharing a sentence and two identical short notes
# stay alone; fingerprints are stored, reused, and dropped with their
# section when a file changes.
. "$(dirname "$0")/../support/e2e.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fx=tests/fixtures/dedup
d="$tmp/d"
jget() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

check "index the fixture corpus" "$HQ" --data "$d" index "$fx"
check "dups --help shows usage" bash -c "'$HQ' dups --help | grep -q 'usage: healthqa'"
out=$("$HQ" --data "$d" dups --json); rc=$?
check_eq "dups --json: exit 0" 0 $rc
check_eq "six sections, four long enough" "6 4" "$(jget 'd["n_sections"], d["n_fingerprinted"]' <<<"$out")"
check_eq "fingerprints computed and stored the first time" 6 "$(jget 'd["n_computed"]' <<<"$out")"
check_eq "one cluster" 1 "$(jget 'd["n_clusters"]' <<<"$out")"
check_eq "the three copies, in id order" \
    "text:backpain-copy:s1 text:backpain-nhs:s1 text:backpain-reordered:s1" \
    "$(jget '" ".join(s["section_id"] for s in d["clusters"][0]["sections"])' <<<"$out")"
check_eq "a cluster lists article, title, source and trust" \
    "text:backpain-nhs dedup unknown" \
    "$(jget '" ".join([d["clusters"][0]["sections"][1][k] for k in ("article_id", "source", "trust")])' <<<"$out")"
check_eq "the threshold is stated" 0.703125 "$(jget 'd["threshold"]' <<<"$out")"
out=$("$HQ" --data "$d" dups --json)
check_eq "stored fingerprints are reused" 0 "$(jget 'd["n_computed"]' <<<"$out")"
out=$("$HQ" --data "$d" dups --json --refresh)
check_eq "--refresh recomputes them" 6 "$(jget 'd["n_computed"]' <<<"$out")"
out=$("$HQ" --data "$d" dups --json --exhaustive)
check_eq "--exhaustive finds the same cluster" 3 "$(jget 'd["clusters"][0]["size"]' <<<"$out")"
out=$("$HQ" --data "$d" dups --json --min-size 4)
check_eq "--min-size 4: no cluster" "0 []" "$(jget 'd["n_clusters"], d["clusters"]' <<<"$out")"
out=$("$HQ" --data "$d" dups --json --limit 0)
check_eq "--limit 0 lists all" 1 "$(jget 'len(d["clusters"])' <<<"$out")"
check "text output names the cluster" bash -c "'$HQ' --data '$d' dups | grep -q 'cluster 1: 3 sections'"

# a changed file: its section's fingerprint goes with the old section
cp -r "$fx" "$tmp/fx"
"$HQ" --data "$tmp/d2" index "$tmp/fx" >/dev/null 2>&1
"$HQ" --data "$tmp/d2" dups >/dev/null 2>&1
sed -i 's/Most women can return to work the next day./Nobody should lift heavy loads for a week./' \
    "$tmp/fx/backpain-nhs.txt"
"$HQ" --data "$tmp/d2" index "$tmp/fx" >/dev/null 2>&1
out=$("$HQ" --data "$tmp/d2" dups --json)
check_eq "after a re-index only the changed section is computed" 1 \
    "$(jget 'd["n_computed"]' <<<"$out")"
check_eq "and the changed copy still is a duplicate" 3 "$(jget 'd["clusters"][0]["size"]' <<<"$out")"
out=$("$HQ" --data "$tmp/d2" dups --json)
check_eq "and then none" 0 "$(jget 'd["n_computed"]' <<<"$out")"

"$HQ" --data "$d" dups --min-size x >/dev/null 2>&1; check_eq "bad --min-size: exit 2" 2 $?
"$HQ" --data "$d" dups --limit >/dev/null 2>&1; check_eq "--limit without a value: exit 2" 2 $?
"$HQ" --data "$d" dups extra >/dev/null 2>&1; check_eq "unexpected argument: exit 2" 2 $?
"$HQ" --data "$tmp/empty" dups >/dev/null 2>&1; check_eq "an empty store: exit 0" 0 $?
tap_done

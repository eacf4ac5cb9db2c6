#!/usr/bin/env bash
# End-to-end: the index follows the store's change log.  A changed file is
# re-indexed (its old documents tombstoned), an article removed from a
# JSON Lines file leaves the search results, unchanged files cost nothing,
# and check agrees throughout.
. "$(dirname "$0")/../support/e2e.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
in=$tmp/in; data=$tmp/data
mkdir -p "$in"
printf '# Zebrafish care\n\nThe zebrafish likes warm water.\n' >"$in/fish.md"
printf '{"id": "t:1", "title": "Quokka facts", "body": "The quokka smiles."}\n{"id": "t:2", "title": "Wombat facts", "body": "The wombat digs."}\n' >"$in/animals.jsonl"
"$HQ" --data "$data" index "$in" >/dev/null 2>&1
hits() { "$HQ" --data "$data" search --json --limit 10 "$1" | python3 -c 'import json,sys; print(" ".join(h["article_id"] for h in json.load(sys.stdin)["hits"]))'; }
check_eq "the first index finds the zebrafish" "md:fish" "$(hits zebrafish)"
check_eq "and the wombat" "t:2" "$(hits wombat)"

printf '# Zebrafish care\n\nThe zebrafish likes cold water and axolotl company.\n' >"$in/fish.md"
printf '{"id": "t:1", "title": "Quokka facts", "body": "The quokka smiles."}\n' >"$in/animals.jsonl"
out=$("$HQ" --data "$data" index "$in" 2>&1)
check "re-indexing reports the change and the deletion" grep -q "1 new or changed, 1 removed" <<<"$out"
check "the index is updated, not rebuilt: 2 old documents deleted, 1 added" grep -q "1 documents added, 2 deleted" <<<"$out"
check_eq "the new text is found" "md:fish" "$(hits axolotl)"
check_eq "the removed article is gone" "" "$(hits wombat)"
check_eq "the unchanged article is still found" "t:1" "$(hits quokka)"
check_eq "the old text of the changed article is gone" "" "$(hits warm)"
check "check passes after the update" "$HQ" --data "$data" check
out=$("$HQ" --data "$data" index "$in" 2>&1)
check "an unchanged re-index leaves the index as it is" grep -q "already up to date" <<<"$out"
segs=$("$HQ" --data "$data" dump | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["segments"]))')
check_eq "two segments: the first build and the update" 2 "$segs"
"$HQ" --data "$data" index --rebuild >/dev/null 2>&1
segs=$("$HQ" --data "$data" dump | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["segments"]))')
check_eq "a rebuild makes one segment" 1 "$segs"
check_eq "with the same results" "md:fish" "$(hits axolotl)"
tap_done

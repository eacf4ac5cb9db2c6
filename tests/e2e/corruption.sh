#!/usr/bin/env bash
# End-to-end: a damaged index through the real program (docs/ROBUSTNESS.md).
# For a flipped byte and a cut in each kind of index file (segment,
# tombstones, MANIFEST) and a missing segment: `healthqa check` exits 4
# naming the file and what is wrong, a search exits 4 naming the file and
# the remedy, and so does `healthqa serve` before it listens;
# `healthqa index --rebuild` restores an index whose check passes
# and whose searches find what the intact one found.  (Damage at many
# offsets, with the sanitizers: tests/engine/test_corruption.c.)
. "$(dirname "$0")/../support/e2e.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
data=$tmp/data
idx=$data/index

# an index with two segments and a tombstone file: the fixtures, then one
# article changed
printf 'Knee pain after running\n\nKnee pain after running often comes from the tendon.\n' >"$tmp/knee.txt"
"$HQ" --data "$data" index tests/fixtures/server "$tmp/knee.txt" >/dev/null 2>&1
printf 'Knee pain after cycling\n\nKnee pain after cycling often comes from the saddle.\n' >"$tmp/knee.txt"
"$HQ" --data "$data" index "$tmp/knee.txt" >/dev/null 2>&1
check "the index has two segments and tombstones" \
    bash -c "ls '$idx'/seg-000001.hqs '$idx'/seg-000002.hqs '$idx'/seg-000001-1.del"
check "healthqa check passes on the intact index" "$HQ" --data "$data" check

# the section ids a plain search finds, sorted (an index rebuilt into other
# segments must find the same)
found() {
    "$HQ" --data "$data" search --json --plain --limit 1000 "$1" |
        python3 -c 'import json,sys; print(" ".join(sorted(h["section_id"] for h in json.load(sys.stdin)["hits"])))'
}
queries=("back pain" '"lower back pain" -iud' "knee cycling")
before=()
for q in "${queries[@]}"; do before+=("$(found "$q")"); done
check "the searches find something" test -n "${before[0]}"

save=$tmp/save
cp -a "$idx" "$save"
restore() { rm -rf "$idx"; cp -a "$save" "$idx"; }
flip() { # flip FILE OFFSET: xor the byte at OFFSET with 0xFF
    python3 -c 'import sys; p,o=sys.argv[1],int(sys.argv[2]); d=bytearray(open(p,"rb").read()); d[o]^=0xFF; open(p,"wb").write(d)' "$1" "$2"
}

# expect_damage NAME FILE WHAT: check and search fail naming FILE
expect_damage() {
    local name=$1 file=$2 what=$3 out rc
    out=$("$HQ" --data "$data" check 2>&1); rc=$?
    check_eq "$name: check exits 4" 4 "$rc"
    check "$name: check names $file and says $what" grep -qE "$file.*$what" <<<"$out"
    out=$("$HQ" --data "$data" check --json 2>/dev/null)
    check "$name: check --json says corrupt" \
        python3 -c 'import json,sys; r=json.loads(sys.argv[1]); sys.exit(r["status"]!="corrupt" or "error" not in r)' "$out"
    out=$("$HQ" --data "$data" search --plain back pain 2>&1); rc=$?
    check_eq "$name: search exits 4" 4 "$rc"
    check "$name: search names $file and the remedy" grep -qE "$file.*index --rebuild" <<<"$out"
}

seg=seg-000001.hqs
size=$(stat -c %s "$idx/$seg")
flip "$idx/$seg" $((size / 2))
expect_damage "segment byte flipped" "$seg" "checksum mismatch"
restore
truncate -s $((size - 100)) "$idx/$seg"
expect_damage "segment cut short" "$seg" "(outside the file|end at byte|truncated)"
restore
flip "$idx/seg-000001-1.del" 17
expect_damage "tombstone byte flipped" "seg-000001-1.del" "checksum mismatch"
restore
flip "$idx/MANIFEST" 30
expect_damage "manifest byte flipped" "MANIFEST" "checksum mismatch"
restore
truncate -s 20 "$idx/MANIFEST"
expect_damage "manifest cut short" "MANIFEST" "(bad magic|does not fit|truncated)"
restore
rm "$idx/seg-000002.hqs"
expect_damage "segment missing" "seg-000002.hqs" "missing"

# the server checks the index before it listens: it refuses to start
"$HQ" --data "$data" serve --port 0 >/dev/null 2>"$tmp/serve.err"
check_eq "serve on a damaged index: exit 4" 4 $?
check "serve names the missing file and the remedy" grep -qE "seg-000002.hqs.*index --rebuild" "$tmp/serve.err"

# the remedy, with every file damaged at once
restore
for f in "$idx"/seg-*.hqs "$idx"/*.del "$idx"/MANIFEST; do flip "$f" $(($(stat -c %s "$f") / 2)); done
out=$("$HQ" --data "$data" index --rebuild 2>&1); rc=$?
check_eq "index --rebuild over a damaged index exits 0" 0 "$rc"
check "index --rebuild says it rebuilt" grep -q "rebuilt" <<<"$out"
check "healthqa check passes after the rebuild" "$HQ" --data "$data" check
for i in "${!queries[@]}"; do
    check_eq "after the rebuild, '${queries[$i]}' finds the same sections" "${before[$i]}" "$(found "${queries[$i]}")"
done
tap_done

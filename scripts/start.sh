#!/usr/bin/env bash
# scripts/start.sh [PATH...] — README command 1: installs what is missing,
# builds, ingests the bundled corpora (../shared/corpus, or the PATHs
# given) into $HEALTHQA_DATA (default ./healthqa-data), then runs the
# main job over the store: it prints what the store holds, answers a
# sample question with the search engine, then serves the portal on
# http://127.0.0.1:8080/ in the foreground (Ctrl-C stops it; $HEALTHQA_PORT
# chooses another port).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
make -s -j"$(nproc 2>/dev/null || echo 2)"
export HEALTHQA_DATA=${HEALTHQA_DATA:-$PWD/healthqa-data}
if [ $# -eq 0 ]; then
    [ -d ../shared/corpus ] || { echo "start.sh: ../shared/corpus not found; give the corpus paths as arguments" >&2; exit 2; }
    set -- ../shared/corpus
fi
rc=0
build/healthqa index "$@" || rc=$?
[ "$rc" -le 1 ] || exit "$rc"   # 1: some files rejected (named above), the rest stored
build/healthqa stats
echo
echo '$ build/healthqa search --limit 3 "back pain after IUD insertion"'
build/healthqa search --limit 3 "back pain after IUD insertion"
echo
echo "Try:  build/healthqa search \"what causes lower back pain after a miscarriage\""
echo "      build/healthqa show page:000_467e91df3828f596"
echo "      build/healthqa eval --queries ../shared/eval/liveqa-med/queries.original.tsv \\"
echo "                          --qrels ../shared/eval/liveqa-med/qrels.txt"
echo "      build/healthqa --help"
echo
port=${HEALTHQA_PORT:-8080}
echo "The portal: http://127.0.0.1:$port/  (API: docs/API.md; Ctrl-C stops it)"
exec build/healthqa serve --port "$port"

#!/usr/bin/env bash
# bench/compare.sh [compare.py options] — healthqa vs SQLite FTS5 vs Xapian on the
# same text (see bench/README.md).  Builds healthqa first, then runs compare.py
# with the Debian interpreter (python3-xapian is installed for /usr/bin/python3).
#   bash bench/compare.sh --quick          # ~3 minutes: 1 build each, 1,000 sampled questions, no 10x
#   bash bench/compare.sh                  # the full comparison (5 builds each, 10,000 questions, 10x)
set -euo pipefail
cd "$(dirname "$0")/.."
make -s || echo "compare.sh: make failed; healthqa will be skipped where it does not work" >&2
py=/usr/bin/python3
[ -x "$py" ] || py=python3
"$py" -c 'import xapian, sqlite3' 2>/dev/null || {
    echo "compare.sh: needs python3-xapian (apt-get install python3-xapian) for $py" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || echo "compare.sh: /usr/bin/time missing (Debian package 'time'): peak RSS falls back to wait4, which can include the harness's own" >&2
HQ_BENCH_ARGV="bash bench/compare.sh $(printf "%q " "$@")" exec "$py" bench/compare.py "$@"

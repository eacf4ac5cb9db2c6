#!/usr/bin/env bash
# End-to-end: the kill test of live updates (tests/e2e/crash.py): writers
# killed with SIGKILL at random moments never cost an acknowledged write
# nor leave data that fails `check`.  HQ_CRASH_TRIALS sets the number of
# trials (CI: 15; the closing note gives a long run's figures).
. "$(dirname "$0")/../support/e2e.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
python3 tests/e2e/crash.py "$HQ" "$tmp/data" "${HQ_CRASH_TRIALS:-15}" "${HQ_CRASH_SEED:-7}"

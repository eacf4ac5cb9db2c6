#!/usr/bin/env bash
# End-to-end in a real browser: starts `healthqa serve` over the fixtures
# of tests/fixtures/server and runs tests/browser/run.mjs (playwright-core
# driving Debian's chromium, headless), whose TAP lines tests/run.sh
# counts; screenshots go to build/screenshots/.
#
# Needs node, npm and /usr/bin/chromium: as root, missing ones are
# installed (scripts/setup.sh, then npm for playwright-core).  When
# chromium still cannot start, the test fails; it is never skipped.
. "$(dirname "$0")/../support/e2e.sh"
. "$(dirname "$0")/../support/server.sh"
tmp=$(mktemp -d)
trap '[ -n "${HQ_PID:-}" ] && kill -TERM "$HQ_PID" 2>/dev/null; rm -rf "$tmp"' EXIT

# ---- what the browser tests need ---------------------------------------------
if [ ! -x /usr/bin/chromium ] || ! command -v node >/dev/null; then
    [ "$(id -u)" -eq 0 ] && bash scripts/setup.sh >&2
fi
if ! command -v npm >/dev/null && [ "$(id -u)" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends npm >/dev/null 2>&1
fi
check "chromium is installed (/usr/bin/chromium)" test -x /usr/bin/chromium
check "node is installed" command -v node
if [ ! -d tests/browser/node_modules/playwright-core ]; then
    (cd tests/browser && { npm ci --no-audit --no-fund || npm install --no-audit --no-fund; }) >"$tmp/npm.log" 2>&1
fi
check "playwright-core is installed (tests/browser/node_modules)" test -d tests/browser/node_modules/playwright-core

# ---- the server and the browser -----------------------------------------------------
mkdir -p "$tmp/logs"
check "the fixtures index" hq_fixture_data "$tmp/data"
if ! hq_start_server "$tmp/data" "$tmp/logs"; then
    echo "not ok $((tap_n + 1)) - the server starts"
    sed 's/^/#   /' "$tmp/logs/server.log"
    exit 1
fi
build=${HQ_BUILD:-build}
shots=build/screenshots
[ "$build" = build ] || shots=$build/screenshots
mkdir -p "$shots"
# run.mjs numbers its own TAP lines: renumber them after ours
HQ_BASE=$HQ_BASE HQ_SCREENSHOTS=$shots node tests/browser/run.mjs >"$tmp/browser.tap" 2>&1
brc=$?
while IFS= read -r line; do
    case $line in
        "ok "*) tap_n=$((tap_n + 1)); echo "ok $tap_n ${line#ok [0-9]* }" ;;
        "not ok "*) tap_n=$((tap_n + 1)); echo "not ok $tap_n ${line#not ok [0-9]* }" ;;
        1..*) ;;
        *) echo "# $line" ;;
    esac
done <"$tmp/browser.tap"
check_eq "the browser tests exit 0" 0 "$brc"
hq_stop_server; rc=$?
check_eq "the server stops cleanly" 0 "$rc"
HQ_PID=
tap_done

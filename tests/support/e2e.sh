# tests/support/e2e.sh — TAP helpers for end-to-end scripts (sourced).
# check NAME CMD...      passes when CMD exits 0
# check_eq NAME WANT GOT passes when the two strings are equal
# Each prints "ok N - NAME" or "not ok N - NAME" with detail.
set -u
HQ=${HQ_BUILD:-build}/healthqa
SHARED=${HQ_SHARED:-../shared}
tap_n=0
check() {
    local name=$1; shift
    tap_n=$((tap_n + 1))
    local out
    if out=$("$@" 2>&1); then
        echo "ok $tap_n - $name"
    else
        echo "not ok $tap_n - $name"
        printf '%s\n' "$out" | head -20 | sed 's/^/#   /'
    fi
}
check_eq() {
    local name=$1 want=$2 got=$3
    tap_n=$((tap_n + 1))
    if [ "$want" = "$got" ]; then
        echo "ok $tap_n - $name"
    else
        echo "not ok $tap_n - $name"
        echo "#   want: $want"
        echo "#   got:  $got"
    fi
}
tap_done() { echo "1..$tap_n"; }

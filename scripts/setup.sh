#!/usr/bin/env bash
# scripts/setup.sh [--check] [--fuzz] — installs the Debian packages
# healthqa needs to build and test (as root: apt-get install -y; otherwise
# prints the command to run).  --check only lists what is missing (exit 1
# if any); --fuzz adds what `make fuzz` needs (clang and its libFuzzer
# runtime; the normal test run replays the fuzz corpora with gcc).
set -euo pipefail

# What each package is for is in the README ("Dependencies").
PACKAGES=(
    build-essential pkg-config      # compiler, make, library lookup
    libxml2-dev                     # MedQuAD XML (streaming reader)
    libjansson-dev                  # JSON Lines input, JSON output
    libsqlite3-dev                  # the article store
    libutf8proc-dev                 # Unicode normalisation, case folding, categories
    libstemmer-dev                  # Snowball English stemmer
    libdeflate-dev                  # CRC-32 checksums of index files (fast, carry-less multiply)
    libevent-dev                    # the portal's HTTP server (evhttp, one loop per thread)
    libssl-dev                      # write tokens: SHA-256 and constant-time compare (libcrypto)
    libcmocka-dev                   # unit tests
    python3                         # the shared evaluator (eval.py)
    chromium                        # browser tests of the portal (driven by playwright-core)
    nodejs                          # runs playwright-core (tests/browser; npm comes with it)
)

FUZZ_PACKAGES=(
    clang                           # make fuzz: the drivers are built with clang (14)
    libclang-rt-14-dev              # libFuzzer and the sanitizer runtimes for clang
)
check_only=false
for arg in "$@"; do
    case $arg in
        --check) check_only=true ;;
        --fuzz) PACKAGES=("${FUZZ_PACKAGES[@]}") ;;
        *) echo "usage: scripts/setup.sh [--check] [--fuzz]" >&2; exit 2 ;;
    esac
done

missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi
if $check_only; then
    echo "missing packages: ${missing[*]}"
    exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "healthqa needs these Debian packages: ${missing[*]}" >&2
    echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends "${missing[@]}" >/tmp/healthqa-apt.log 2>&1; then
    apt-get update -q >/tmp/healthqa-apt.log 2>&1
    apt-get install -y --no-install-recommends "${missing[@]}" >>/tmp/healthqa-apt.log 2>&1 ||
        { tail -20 /tmp/healthqa-apt.log >&2; echo "healthqa: apt-get install failed (log: /tmp/healthqa-apt.log)" >&2; exit 1; }
fi

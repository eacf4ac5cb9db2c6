#!/usr/bin/env python3
"""bench/coldstart.py — what a cold page cache costs `healthqa index --rebuild`.

    python3 bench/coldstart.py [--runs N] [--binary build/healthqa] DATA

Rebuilds DATA's index N times (default 9) in each of four states, in turn:
everything cached ("warm"); the store evicted ("store"); the binary, its
shared libraries and data/*.conf evicted ("libraries"); both ("both").
Evicting is posix_fadvise(DONTNEED) on each file, which drops its clean
pages from the page cache, as the kernel's reclaim does to files left idle.
Prints, per state, the median of the process's wall time, of the build time
healthqa reports (from opening the data folder to closing it), and of their
difference: the process's start-up and exit, which bench/compare.py's
build times leave out for every engine.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

from compare import healthqa_build_time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFS = ("sources.tsv", "ranking.conf", "rerank.conf", "related.conf")


def libraries(binary):
    """The shared libraries ldd resolves for binary, then binary itself."""
    out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    libs = [line.split("=>")[1].split("(")[0].strip() for line in out.splitlines() if "=>" in line]
    return [p for p in libs if p] + [binary]


def evict(paths):
    for path in paths:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def rebuild(binary, data):
    """(process wall ms, reported build ms) of one rebuild."""
    t0 = time.perf_counter()
    p = subprocess.run([binary, "--data", data, "index", "--rebuild"], capture_output=True, text=True)
    wall = (time.perf_counter() - t0) * 1000
    build_s = healthqa_build_time(p.stdout)
    if p.returncode != 0 or build_s is None:
        sys.exit(f"coldstart.py: `{binary} --data {data} index --rebuild` failed "
                 f"(exit {p.returncode}): {p.stderr.strip() or p.stdout.strip()}")
    return wall, build_s * 1000


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", help="a data folder with a store (healthqa --data DATA)")
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "healthqa"))
    a = ap.parse_args()
    store = os.path.join(a.data, "store.db")
    if not os.path.isfile(store):
        sys.exit(f"coldstart.py: {store} does not exist: give a data folder made by `healthqa index`")
    libs = libraries(a.binary) + [os.path.join(ROOT, "data", c) for c in CONFS]
    states = {"warm": [], "store": [store], "libraries": libs, "both": libs + [store]}
    res = {s: [] for s in states}
    for _ in range(a.runs):
        for state, paths in states.items():
            evict(paths)
            res[state].append(rebuild(a.binary, a.data))
    med = statistics.median
    print(f"{a.runs} rebuilds per state, medians (ms):")
    print(f"{'evicted':10s} {'process':>8s} {'reported':>9s} {'start-up + exit':>16s}")
    for state, v in res.items():
        print(f"{state:10s} {med(w for w, _ in v):8.1f} {med(r for _, r in v):9.1f} "
              f"{med(w - r for w, r in v):16.1f}")


if __name__ == "__main__":
    main()

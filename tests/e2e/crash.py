#!/usr/bin/env python3
"""crash.py HQ DATA TRIALS SEED — the kill test of live updates.

Each trial starts one writer — `add` of a file of records, `rm` of
acknowledged ids, `index` of a changed corpus file, or `index --rebuild`
— and kills it with SIGKILL after a random delay (0-400 ms; some finish
first).  A write whose command exited 0 before the kill was acknowledged.
After every trial: the data opens, `healthqa check` passes, and every
acknowledged article is found by a search while every acknowledged
removal is not; a write that was killed may be there or not (never half
a file: its records are all present or all absent).  Prints TAP lines
and, last, "# trials T acknowledged A lost L killed K".
"""
import json
import os
import random
import signal
import subprocess
import sys
import time

HQ, DATA, TRIALS, SEED = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
MARK = "crashmarker"
rng = random.Random(SEED)
tap = 0
failed = 0


def ok(cond, name, detail=""):
    global tap, failed
    tap += 1
    print(("ok %d - %s" if cond else "not ok %d - %s") % (tap, name))
    if not cond:
        failed += 1
        for line in str(detail).splitlines()[:15]:
            print("#   " + line)
    sys.stdout.flush()


def run(*args, check=False):
    p = subprocess.run([HQ, "--data", DATA, *args], capture_output=True, text=True)
    return p


def found_ids():
    """Ids of every stored article holding the marker, by searching."""
    ids, offset = set(), 0
    while True:
        p = run("search", "--json", "--limit", "1000", "--offset", str(offset), MARK)
        if p.returncode != 0:
            raise RuntimeError(p.stderr)
        hits = json.loads(p.stdout)["hits"]
        ids |= {h["article_id"] for h in hits}
        if len(hits) < 1000:
            return ids
        offset += 1000


present, absent = set(), set()  # acknowledged state
maybe = []                      # killed writes: (ids, "add"|"rm"), all or none
next_id = 0
stats = {"acknowledged": 0, "killed": 0}
corpus = os.path.join(os.path.dirname(DATA), "corpus")
os.makedirs(corpus, exist_ok=True)


def new_records(n):
    global next_id
    recs = []
    for _ in range(n):
        next_id += 1
        recs.append({"id": "crash:%d" % next_id, "title": "Crash test note %d" % next_id,
                     "body": "%s record %d keeps its words." % (MARK, next_id)})
    return recs


def start(kind):
    if kind == "add":
        recs = new_records(rng.randint(1, 30))
        path = os.path.join(os.path.dirname(DATA), "batch.jsonl")
        with open(path, "w") as f:
            f.writelines(json.dumps(r) + "\n" for r in recs)
        return [HQ, "--data", DATA, "add", path], {r["id"] for r in recs}, "add"
    if kind == "rm" and present:
        ids = set(rng.sample(sorted(present), min(len(present), rng.randint(1, 5))))
        return [HQ, "--data", DATA, "rm", *sorted(ids)], ids, "rm"
    if kind == "index":
        recs = new_records(rng.randint(1, 40))
        path = os.path.join(corpus, "file%d.jsonl" % rng.randint(1, 3))
        with open(path, "w") as f:
            f.writelines(json.dumps(r) + "\n" for r in recs)
        # the file's earlier records vanish when it is re-indexed: they go to
        # the killed-or-acknowledged bookkeeping as a removal of the old ones
        return [HQ, "--data", DATA, "index", path], {r["id"] for r in recs}, "index:" + path
    return [HQ, "--data", DATA, "index", "--rebuild"], set(), "rebuild"


file_ids = {}  # corpus file -> ids it held when last acknowledged


def settle(kind, ids, acknowledged):
    if kind.startswith("index:"):
        path = kind[6:]
        old = file_ids.get(path, set())
        if acknowledged:
            present.difference_update(old - ids)
            absent.update(old - ids)
            present.update(ids)
            absent.difference_update(ids)
            file_ids[path] = ids
        else:
            maybe.append((ids, "add"))
            maybe.append((old - ids, "rm"))
            file_ids[path] = old | ids  # either version may be stored
        return
    if kind == "add":
        if acknowledged:
            present.update(ids)
            absent.difference_update(ids)
        else:
            maybe.append((ids, "add"))
    elif kind == "rm":
        if acknowledged:
            present.difference_update(ids)
            absent.update(ids)
        else:
            maybe.append((ids, "rm"))


ok(run("index", "tests/fixtures/server").returncode == 0, "index the fixtures")
for trial in range(1, TRIALS + 1):
    kind = rng.choice(["add", "add", "rm", "index", "rebuild"])
    argv, ids, kind = start(kind)
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(rng.uniform(0, 0.4))
    acknowledged = False
    if p.poll() is None:
        p.send_signal(signal.SIGKILL)
        p.wait()
        stats["killed"] += 1
    else:
        acknowledged = p.returncode == 0
        if p.returncode != 0:
            ok(False, "trial %d: %s failed on its own" % (trial, argv[3]), p.stderr.read().decode())
    p.stderr.close()
    if acknowledged and kind != "rebuild":
        stats["acknowledged"] += 1
    settle(kind, ids, acknowledged)
    c = run("check")
    ok(c.returncode == 0, "trial %d (%s, %s): check passes" %
       (trial, kind.split(":")[0], "done" if acknowledged else "killed"), c.stdout + c.stderr)
    got = found_ids()
    # a killed write resolves now: all or none of its ids, then it is known
    for m_ids, m_kind in maybe:
        if not m_ids:
            continue
        here = len(m_ids & got)
        ok(here in (0, len(m_ids)), "trial %d: a killed %s is all or nothing" % (trial, m_kind),
           "%d of %d" % (here, len(m_ids)))
        (present if here else absent).update(m_ids)
        (absent if here else present).difference_update(m_ids)
    maybe.clear()
    lost = present - got
    ghosts = absent & got
    ok(not lost and not ghosts, "trial %d: every acknowledged write is as written" % trial,
       "lost %s; removed but found %s" % (sorted(lost)[:10], sorted(ghosts)[:10]))
    stats.setdefault("lost", 0)
    stats["lost"] += len(lost)
print("# trials %d acknowledged %d lost %d killed %d" %
      (TRIALS, stats["acknowledged"], stats.get("lost", 0), stats["killed"]))
print("1..%d" % tap)
sys.exit(1 if failed else 0)

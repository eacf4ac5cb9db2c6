#!/usr/bin/env python3
"""soak.py BASE TOKEN SECONDS PID [THREADS] — the soak run of live updates.

THREADS clients (default 8) send, for SECONDS, a mix of 95 % reads
(/api/search with real questions, /api/articles/{id} of what was written)
and 5 % writes (PUT /api/articles/soak:<client>-<n> of a new record, one
in five a DELETE of an earlier one).  The server's RSS (VmRSS of PID) is
sampled every 5 s.  At the end every write the server acknowledged is
checked: each put article is found by GET and by a search for its unique
word, each deleted one is gone.  Prints a summary; exit 1 on any error
response, lost write or found deletion.
"""
import json
import random
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

BASE, TOKEN, SECONDS, PID = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
THREADS = int(sys.argv[5]) if len(sys.argv) > 5 else 8
QUESTIONS = [l.split("\t", 1)[1].strip() for l in
             open("../shared/eval/liveqa-med/queries.summary.tsv", encoding="utf-8") if "\t" in l]

lock = threading.Lock()
stats = {"reads": 0, "writes": 0, "deletes": 0, "errors": 0, "statuses": {}}
put_ok, deleted_ok = {}, set()
lat = {"read": [], "write": []}


def call(method, path, body=None):
    req = urllib.request.Request(BASE + path, method=method, data=body,
                                 headers={"Authorization": "Bearer " + TOKEN} if method != "GET" else {})
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            status, data = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, data = e.code, e.read()
    except Exception as e:  # connection reset, timeout
        status, data = 0, str(e).encode()
    return status, data, time.perf_counter() - t0


error_bodies = []


def note(status, kind, took, body=b""):
    with lock:
        stats["statuses"][status] = stats["statuses"].get(status, 0) + 1
        lat[kind].append(took)
        if status not in (200, 404) and len(error_bodies) < 5:
            error_bodies.append("%s %s" % (status, body[:300].decode("utf-8", "replace")))


def client(k):
    rng = random.Random(k)
    n = 0
    mine = []
    end = time.time() + SECONDS
    while time.time() < end:
        if rng.random() < 0.05:
            if mine and rng.random() < 0.2:
                victim = mine.pop(rng.randrange(len(mine)))
                status, body, took = call("DELETE", "/api/articles/" + victim)
                note(status, "write", took, body)
                with lock:
                    stats["deletes"] += 1
                    if status == 200:
                        deleted_ok.add(victim)
                        put_ok.pop(victim, None)
                    else:
                        stats["errors"] += 1
                continue
            n += 1
            aid = "soak:%d-%d" % (k, n)
            word = "soakword%dx%d" % (k, n)
            rec = {"title": "Soak record %d of client %d" % (n, k),
                   "body": "%s: back pain after exercise usually settles with rest." % word}
            status, body, took = call("PUT", "/api/articles/" + aid, json.dumps(rec).encode())
            note(status, "write", took, body)
            with lock:
                stats["writes"] += 1
                if status == 200:
                    put_ok[aid] = word
                    mine.append(aid)
                else:
                    stats["errors"] += 1
        else:
            if mine and rng.random() < 0.1:
                status, body, took = call("GET", "/api/articles/" + urllib.parse.quote(rng.choice(mine)))
            else:
                q = urllib.parse.quote_plus(rng.choice(QUESTIONS))
                status, body, took = call("GET", "/api/search?q=" + q)
            note(status, "read", took, body)
            with lock:
                stats["reads"] += 1
                if status != 200:
                    stats["errors"] += 1


def rss_kib():
    for line in open("/proc/%s/status" % PID):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


samples = []
stop = threading.Event()


def sampler():
    while not stop.wait(5):
        samples.append((time.time(), rss_kib()))


t0 = time.time()
s = threading.Thread(target=sampler)
s.start()
threads = [threading.Thread(target=client, args=(k,)) for k in range(THREADS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
stop.set()
s.join()
took = time.time() - t0

lost = [a for a, w in put_ok.items() if call("GET", "/api/articles/" + urllib.parse.quote(a))[0] != 200]
unsearchable = []
for a, w in list(put_ok.items())[:300]:  # a search per article: a sample of 300
    st, body, _ = call("GET", "/api/search?q=" + w)
    if st != 200 or a not in {h["article_id"] for h in json.loads(body)["hits"]}:
        unsearchable.append(a)
ghosts = [a for a in deleted_ok if call("GET", "/api/articles/" + urllib.parse.quote(a))[0] != 404]


def pct(v, p):
    v = sorted(v)
    return 1000 * v[min(len(v) - 1, int(p * len(v)))] if v else 0


third = max(1, len(samples) // 3)
early = sum(r for _, r in samples[:third]) / third if samples else 0
late = sum(r for _, r in samples[-third:]) / third if samples else 0
print("soak: %.0f s, %d clients: %d reads, %d writes (acknowledged: %d articles put and kept, %d deleted)"
      % (took, THREADS, stats["reads"], stats["writes"] + stats["deletes"], len(put_ok), len(deleted_ok)))
print("  requests/s %.0f; read p50 %.1f ms p99 %.1f ms; write p50 %.1f ms p99 %.1f ms"
      % ((stats["reads"] + stats["writes"] + stats["deletes"]) / took, pct(lat["read"], .5),
         pct(lat["read"], .99), pct(lat["write"], .5), pct(lat["write"], .99)))
print("  statuses %s; errors %d" % (json.dumps(stats["statuses"]), stats["errors"]))
for e in error_bodies:
    print("  error: " + e)
print("  RSS KiB: first %d, mean of first third %.0f, of last third %.0f, max %d"
      % (samples[0][1] if samples else 0, early, late, max((r for _, r in samples), default=0)))
print("  acknowledged puts lost %d; not found by search %d (of %d checked); deleted but found %d"
      % (len(lost), len(unsearchable), min(300, len(put_ok)), len(ghosts)))
sys.exit(1 if stats["errors"] or lost or unsearchable or ghosts else 0)

#!/usr/bin/env python3
"""bench/related.py — how on-topic `healthqa related` is, on 200 random
MedQuAD and MedlinePlus articles (a fixed seed), by labels the ranking
does not compute itself.

  python3 bench/related.py --data DIR [--healthqa build/healthqa]
                           [--n 200] [--seed 5] [--top 5] [--config FILE]

DIR must hold the full corpus (`healthqa index ../shared/corpus`).

The labels of an article, found here, in Python, from the store and the
MeSH file, not through healthqa's concept table:
  group  the UMLS semantic group MedQuAD gives the document
         (articles.semgroup: "Disorders", "Chemicals & Drugs", ...).
  mesh   the tree numbers of the MeSH descriptor whose name or entry term
         equals the article's focus (MedQuAD) or title (MedlinePlus), or one
         of its synonyms, lower-cased with punctuation made spaces (MeSH's
         inverted "backache, low" also read "low backache").

A related pair (source, one of its top N) is "on topic" when the two
share the semantic group, or a MeSH tree branch of 3 characters (the
top of a tree: C23 "pathological conditions, signs and symptoms", C13
"female urogenital diseases and pregnancy complications", D27 ...).  The
3-character level is the issue's measure; it is coarse (C23 holds every
symptom), so the finer level of two (C23.888, signs and symptoms) is
reported too, and so is the semantic group alone, which is weak: most
MedQuAD documents are "Disorders".  Pairs where either side has no label
of a kind the other has (a group on both sides, or tree numbers on
both) are not judged (counted as unlabelled).

Printed as metric<TAB>value: the share over judged pairs, at 3 characters
(the target: >= 0.9), at two levels, by the group alone, by MeSH alone
(pairs where both have tree numbers); the coverage; how many sources got
fewer than N related articles; the chance level (each source paired with
N random articles of the sample's pool, same seed); and healthqa's time
per call (took_ms, in one process, after a warm-up call that builds the
concept table).

How circular it is: the ranking uses MeSH tree numbers too (a shared
branch is one of its reasons, through the concept table, which maps text
to MeSH with stemming and synonyms), so the MeSH part of this measure is
partly the ranking's own signal, seen through a cruder, independent
mapping.  The semantic group is never used by the ranking.  Run with
--config FILE (a data/related.conf with related.concept = 0 and
related.min_text_alone = related.min_text) to see text similarity alone.
"""
import argparse, json, os, random, re, sqlite3, subprocess, sys, tempfile, time


def norm(s):
    return " ".join(re.sub(r"[^a-z0-9]+", " ", s.lower()).split())


def load_mesh(path):
    """name or entry term (normalised) -> list of tree numbers"""
    trees = {}
    for line in open(path, encoding="utf-8"):
        if line.startswith("#"):
            continue
        f = line.rstrip("\n").split("\t")
        if len(f) < 3 or not f[2]:
            continue
        names = [f[1]] + (f[3].split("|") if len(f) > 3 and f[3] else [])
        for n in names:
            forms = [n]
            if n.count(",") == 1:
                a, b = n.split(",")
                forms.append(b + " " + a)
            for x in forms:
                trees.setdefault(norm(x), set()).update(f[2].split(";"))
    return trees


def variants(name):
    """name and its other number: MeSH names are often plural
    ("cardiomyopathies"), topics singular ("Cardiomyopathy")."""
    n = norm(name)
    out = [n]
    if n.endswith("ies"):
        out.append(n[:-3] + "y")
    elif n.endswith("y"):
        out.append(n[:-1] + "ies")
    if n.endswith("s"):
        out.append(n[:-1])
    else:
        out.append(n + "s")
    return out


def labels(db, mesh):
    """article id -> (semgroup or None, set of tree numbers)"""
    out = {}
    rows = db.execute("SELECT id, format, title, focus, synonyms, semgroup FROM articles"
                      " WHERE format IN ('medquad', 'jsonl')")
    for aid, fmt, title, focus, syn, group in rows:
        names = [focus or title or ""]
        try:
            names += [s for s in json.loads(syn or "[]") if isinstance(s, str)]
        except ValueError:
            pass
        t = set()
        for n in names:
            for v in variants(n):
                t |= mesh.get(v, set())
            if t:
                break
        out[aid] = (group or None, t)
    return out


def shares(a, b, level):
    """a and b (tree number sets) share a branch: the first 3 characters
    (level 1) or the first two levels (7 characters)."""
    n = 3 if level == 1 else 7
    pa = {x[:n] for x in a if len(x) >= n}
    pb = {x[:n] for x in b if len(x) >= n}
    return bool(pa & pb)


def judge(lab, src, dst):
    """None when the two have no kind of label in common (a group on
    both sides, or tree numbers on both), else a dict of booleans."""
    gs, ts = lab.get(src, (None, set()))
    gd, td = lab.get(dst, (None, set()))
    if not ((gs and gd) or (ts and td)):
        return None
    group = bool(gs and gd and gs == gd)
    return {
        "branch3": group or shares(ts, td, 1),
        "branch7": group or shares(ts, td, 2),
        "group": group if gs and gd else None,
        "mesh": shares(ts, td, 1) if ts and td else None,
    }


def summarise(pairs):
    out = {}
    for key in ("branch3", "branch7", "group", "mesh"):
        vals = [p[key] for p in pairs if p is not None and p[key] is not None]
        out[key] = (sum(vals) / len(vals) if vals else float("nan"), len(vals))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--healthqa", default="build/healthqa")
    ap.add_argument("--data", required=True)
    ap.add_argument("--shared", default="../shared")
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--top", type=int, default=5)
    ap.add_argument("--config", help="a related.conf to use instead of data/related.conf")
    ap.add_argument("--verbose", action="store_true", help="print every source's list")
    a = ap.parse_args()

    db = sqlite3.connect(os.path.join(a.data, "store.db"))
    mesh = load_mesh(os.path.join(a.shared, "vocab", "mesh_terms.tsv"))
    lab = labels(db, mesh)
    pool = sorted(lab)
    rnd = random.Random(a.seed)
    sample = rnd.sample(pool, a.n)

    with tempfile.NamedTemporaryFile("w", suffix=".ids", delete=False) as f:
        # the first call builds the concept table (about a second): a
        # warm-up, left out of the figures
        f.write("\n".join([sample[0]] + sample) + "\n")
        ids = f.name
    env = dict(os.environ)
    if a.config:
        env["HEALTHQA_RELATED"] = os.path.abspath(a.config)
    t0 = time.time()
    out = subprocess.run([a.healthqa, "--data", a.data, "related", "--limit", str(a.top),
                          "--ids", ids], capture_output=True, text=True, env=env)
    wall = time.time() - t0
    os.unlink(ids)
    if out.returncode != 0:
        sys.exit("healthqa related failed: " + out.stderr)

    pairs, chance, short, took = [], [], 0, []
    unlabelled = errors = 0
    for line in out.stdout.splitlines()[1:]:
        r = json.loads(line)
        if "error" in r:
            errors += 1
            continue
        res = r["result"]
        took.append(res["took_ms"])
        rel = [x["article_id"] for x in res["related"]][: a.top]
        short += len(rel) < a.top
        for dst in rel:
            j = judge(lab, r["id"], dst)
            unlabelled += j is None
            pairs.append(j)
        for dst in rnd.sample(pool, a.top):
            chance.append(judge(lab, r["id"], dst))
        if a.verbose:
            print("#", r["id"], lab.get(r["id"]), file=sys.stderr)
            for x in res["related"][: a.top]:
                print("#    %-36s %-5s %s" % (x["article_id"], judge(lab, r["id"], x["article_id"]),
                                             x["title"]), file=sys.stderr)
    s, c = summarise(pairs), summarise(chance)
    took.sort()
    print("sources\t%d" % a.n)
    print("errors\t%d" % errors)
    print("pairs\t%d" % len(pairs))
    print("pairs_judged\t%d" % s["branch3"][1])
    print("pairs_unlabelled\t%d" % unlabelled)
    print("sources_with_fewer_than_%d\t%d" % (a.top, short))
    for key, name in (("branch3", "share_branch3_or_group"), ("branch7", "share_branch7_or_group"),
                      ("group", "share_group_only"), ("mesh", "share_mesh3_only")):
        print("%s\t%.3f\t(judged %d; chance %.3f)" % (name, s[key][0], s[key][1], c[key][0]))
    if took:
        print("took_ms_p50\t%.1f" % took[len(took) // 2])
        print("took_ms_p99\t%.1f" % took[min(len(took) - 1, int(len(took) * 0.99))])
    print("wall_s\t%.1f" % wall)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""bench/tune.py — coordinate ascent over data/rerank.conf's weights on
the dev questions (original wording), the objective nDCG@10 + MAP@100
as `healthqa eval` reports them.  Never per question: one set of weights
for all 52.  Prints each improvement and the best configuration; with
--ablate, also the ablation table of docs/QUESTIONS.md (each feature
switched off in turn from the given configuration).

  python3 bench/tune.py --data DIR [--rounds 2] [--ablate]
"""
import argparse, os, subprocess, tempfile

GRID = {
    "query.focus": [1.0, 1.5, 2.0, 3.0],
    "query.concept": [0.5, 0.75, 1.0, 1.5],
    "query.context": [0.3, 0.5, 0.7, 1.0],
    "query.other": [0.2, 0.35, 0.5, 0.75],
    "query.synonym": [0.0, 0.15, 0.3, 0.5],
    "query.synonyms": [0, 3, 6, 10],
    "rerank.focus": [0.0, 0.1, 0.2, 0.3, 0.5],
    "rerank.type": [0.0, 0.05, 0.1, 0.2],
    "rerank.trust": [0.0, 0.05, 0.1],
}

def read_conf(path):
    conf = {}
    for line in open(path):
        line = line.split("#")[0].strip()
        if "=" in line:
            k, v = (x.strip() for x in line.split("=", 1))
            conf[k] = float(v)
    return conf

def evaluate(a, conf, queries="queries.original.tsv"):
    with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
        for k, v in conf.items():
            f.write(f"{k} = {v}\n")
    env = dict(os.environ, HEALTHQA_RERANK=f.name)
    out = subprocess.run([a.healthqa, "--data", a.data, "eval", "--no-warmup",
                          "--queries", f"{a.shared}/eval/liveqa-med/{queries}",
                          "--qrels", f"{a.shared}/eval/liveqa-med/qrels.txt"],
                         env=env, check=True, capture_output=True, text=True).stdout
    os.unlink(f.name)
    m = dict(line.split("\t") for line in out.splitlines() if "\t" in line)
    return float(m["ndcg@10"]), float(m["map@100"])

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--healthqa", default="build/healthqa")
    ap.add_argument("--data", default="healthqa-data")
    ap.add_argument("--shared", default="../shared")
    ap.add_argument("--conf", default="data/rerank.conf")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--ablate", action="store_true")
    a = ap.parse_args()
    conf = read_conf(a.conf)
    best = sum(evaluate(a, conf))
    print(f"start\t{best:.4f}\t{conf}")
    for _ in range(a.rounds if not a.ablate else 0):
        improved = False
        for key, values in GRID.items():
            for v in values:
                trial = dict(conf, **{key: v})
                s = sum(evaluate(a, trial))
                if s > best + 1e-4:
                    best, conf, improved = s, trial, True
                    print(f"{key}={v}\t{best:.4f}", flush=True)
        if not improved:
            break
    print("best\t" + "  ".join(f"{k} = {v:g}" for k, v in conf.items()))
    if a.ablate:
        rows = [("all features", conf)]
        rows.append(("no focus re-ranking", dict(conf, **{"rerank.focus": 0})))
        rows.append(("no type re-ranking", dict(conf, **{"rerank.type": 0})))
        rows.append(("no trust re-ranking", dict(conf, **{"rerank.trust": 0})))
        rows.append(("no synonym expansion", dict(conf, **{"query.synonyms": 0})))
        flat = {k: 1.0 for k in ("query.focus", "query.concept", "query.context", "query.other")}
        rows.append(("no term weighting by role", dict(conf, **flat)))
        print("| configuration | nDCG@10 original | MAP@100 original | nDCG@10 summary | MAP@100 summary |")
        print("|---|---|---|---|---|")
        for name, c in rows:
            n, m = evaluate(a, c)
            ns, ms = evaluate(a, c, "queries.summary.tsv")
            print(f"| {name} | {n:.3f} | {m:.3f} | {ns:.3f} | {ms:.3f} |")

if __name__ == "__main__":
    main()

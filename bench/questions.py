#!/usr/bin/env python3
"""bench/questions.py — how well `healthqa analyze` understands the dev
questions, against NLM's annotations (../shared/eval/liveqa-med/annotations.tsv).

  python3 bench/questions.py [--healthqa build/healthqa] [--data DIR]

Measures (stated here, printed as metric<TAB>value):
  type_accuracy   share of questions whose LiveQA type (healthqa's
                  liveqa_type) is one of the annotated types.
  focus_found     share of questions where healthqa's focus is one of the
                  annotated foci, "exact or synonym": the focus text as
                  written in the question, or one of the focus concept's
                  names, equals an annotated focus or shares with it a
                  specific word stem (not "syndrome", "disease", "pain",
                  "cancer" or another generic word of GENERIC).
  focus_any       the same for any concept found (focus or secondary).
Words are compared lower-cased, with a crude suffix strip (s, es, ing,
ed), so that the measure does not depend on healthqa's own analyzer.
"""
import argparse, json, re, subprocess, sys

STOP = set("a an the of in on and or to for with my his her is are was be by at as".split())

def stems(text):
    out = set()
    for w in re.findall(r"[a-z0-9]+", text.lower()):
        if w in STOP:
            continue
        for suf in ("ing", "es", "ed", "s"):
            if len(w) > len(suf) + 2 and w.endswith(suf):
                w = w[: -len(suf)]
                break
        out.add(w)
    return out

GENERIC = set("syndrome diseas disorder pain health issue problem infection cancer "
              "condition effect symptom type".split())

def covers(candidate, gold):
    """Both name the same thing: they share a word stem that is not a
    generic word (syndrome, disease, pain, ...), or are equal."""
    c, g = stems(candidate), stems(gold)
    return bool(g) and (c == g or bool((c & g) - GENERIC))

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--healthqa", default="build/healthqa")
    ap.add_argument("--data", default="healthqa-data")
    ap.add_argument("--shared", default="../shared")
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()
    ann = {}
    for line in open(f"{a.shared}/eval/liveqa-med/annotations.tsv"):
        f = line.rstrip("\n").split("\t")
        if f[0] == "qid" or len(f) < 3:
            continue
        foci = [x.split(":", 1)[1] for x in f[1].split("|") if ":" in x]
        ann[f[0]] = (foci, set(f[2].split("|")))
    out = subprocess.run([a.healthqa, "--data", a.data, "analyze", "--queries",
                          f"{a.shared}/eval/liveqa-med/queries.original.tsv"],
                         check=True, capture_output=True, text=True).stdout
    n = typ = foc = anyc = 0
    for line in out.splitlines():
        r = json.loads(line)
        if r["qid"] not in ann:
            continue
        foci, types = ann[r["qid"]]
        n += 1
        typ += r["liveqa_type"] in types
        f = r["focus"]
        cands = [] if f is None else [f.get("as_written", ""), f["name"]] + f["names"]
        hit = any(covers(c, g) for c in cands for g in foci)
        foc += hit
        anyc += hit or any(covers(m["text"], g) or covers(m["concept"], g)
                           for m in r["concepts"] for g in foci)
        if a.verbose and not hit:
            print(f"# {r['qid']}: focus {f and f['name']!r}, annotated {foci}", file=sys.stderr)
    print(f"questions\t{n}")
    print(f"type_accuracy\t{typ / n:.3f}")
    print(f"focus_found\t{foc / n:.3f}")
    print(f"focus_any\t{anyc / n:.3f}")

if __name__ == "__main__":
    main()

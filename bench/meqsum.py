#!/usr/bin/env python3
"""bench/meqsum.py — how close healthqa's reduction of a long consumer
message gets to an expert's one-line summary, on MeQSum's 985 questions
(../shared/eval/meqsum.tsv; it has no relevance judgments).

  python3 bench/meqsum.py [--healthqa build/healthqa] [--data DIR]

The reduction is the set of key terms `healthqa analyze` keeps with a
weight above the "other" words' (the focus, other concepts and the
context), i.e. what the search leans on.  The measure, stated:
  recall     share of the summary's terms (analysed by the same
             analyzer: the summary is run through `analyze` too, all its
             key terms) found among the reduction's terms, averaged over
             questions (ROUGE-1 recall over stems);
  precision  share of the reduction's terms that are in the summary;
  f1         their harmonic mean, averaged per question;
  focus      share of questions whose focus concept is the same as the
             summary's focus concept (both found by healthqa).
Also printed: the same recall for all the message's key terms (no
reduction), to show what the reduction keeps and drops.
"""
import argparse, json, subprocess, tempfile

def analyses(a, texts):
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as f:
        for i, t in enumerate(texts):
            f.write(f"{i}\t{t}\n")
    out = subprocess.run([a.healthqa, "--data", a.data, "analyze", "--queries", f.name],
                         check=True, capture_output=True, text=True).stdout
    return {int(r["qid"]): r for r in map(json.loads, out.splitlines())}

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--healthqa", default="build/healthqa")
    ap.add_argument("--data", default="healthqa-data")
    ap.add_argument("--shared", default="../shared")
    a = ap.parse_args()
    pairs = []
    for line in open(f"{a.shared}/eval/meqsum.tsv", encoding="utf-8"):
        if line.startswith("#") or "\t" not in line:
            continue
        q, s = line.rstrip("\n").split("\t", 1)
        pairs.append((q.replace("\\n", " ").replace("\t", " "), s.replace("\t", " ")))
    qa = analyses(a, [p[0] for p in pairs])
    sa = analyses(a, [p[1] for p in pairs])
    n = len(pairs)
    rec = prec = f1 = rec_all = foc = 0.0
    for i in range(n):
        q, s = qa[i], sa[i]
        other = min((k["weight"] for k in q["key_terms"] if k["role"] == "other"), default=0)
        red = {k["term"] for k in q["key_terms"] if k["role"] in ("focus", "concept", "context")}
        allt = {k["term"] for k in q["key_terms"] if k["role"] != "synonym"}
        gold = {k["term"] for k in s["key_terms"] if k["role"] != "synonym"}
        if not gold:
            continue
        r = len(red & gold) / len(gold)
        p = len(red & gold) / len(red) if red else 0.0
        rec += r; prec += p; f1 += 2 * r * p / (r + p) if r + p else 0.0
        rec_all += len(allt & gold) / len(gold)
        foc += q["focus"] is not None and s["focus"] is not None and q["focus"]["name"] == s["focus"]["name"]
    print(f"questions\t{n}")
    print(f"reduction_recall\t{rec / n:.3f}")
    print(f"reduction_precision\t{prec / n:.3f}")
    print(f"reduction_f1\t{f1 / n:.3f}")
    print(f"all_terms_recall\t{rec_all / n:.3f}")
    print(f"same_focus\t{foc / n:.3f}")

if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""bench/compare.py - healthqa against SQLite FTS5 and Xapian on the same text.

usage: compare.py [--data D] [--runs N] [--quick] [--skip-10x] [more: --help]

In one run it
  1. reads the sections of a healthqa store (D/store.db: question/title, focus +
     synonyms, body; the section id is the document id), by default the MedQuAD
     sections only (the text of the reference figures in ../shared/eval/README.md);
  2. builds that text into healthqa (`index --rebuild`), SQLite FTS5 (with content
     and contentless) and Xapian, each build in its own subprocess: wall time and
     peak RSS (median of --runs builds), index size on disk;
  3. runs the 52 dev questions (original and summary wordings) and N short questions
     sampled (fixed seed) from MedQuAD's own questions through each engine, in one
     subprocess per engine, after a warm-up pass: latency p50/p99 and throughput
     (single thread), and the eval.py metrics of the dev runs;
  4. does 2-3 again on a 10x corpus (every section 10 times, the words of each field
     shuffled within the field, fixed seed, new id suffix per copy);
  5. prints a Markdown report with the healthqa / other ratios next to the targets
     and writes it to bench/results/compare-<date>[-quick].md (+ .json, raw numbers).

healthqa is driven only through its command line (`index`, `index --rebuild`,
`eval`); whatever of it fails or is missing is reported as skipped, with the
reason, and the FTS5 / Xapian parts still run.

Only the Python standard library, sqlite3 (FTS5) and python3-xapian (Debian) are
used.  When the running interpreter has no xapian module (e.g. a pyenv python3
first on PATH), the script re-executes itself with /usr/bin/python3.
"""
import argparse
import datetime
import json
import math
import os
import platform
import random
import re
import shlex
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time

try:
    import xapian
except ImportError:  # pragma: no cover - depends on the interpreter
    xapian = None
    if (os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable)
            != os.path.realpath("/usr/bin/python3") and not os.environ.get("HQ_BENCH_REEXEC")):
        os.environ["HQ_BENCH_REEXEC"] = "1"
        os.environ.setdefault("HQ_BENCH_ARGV", shlex.join([sys.executable] + sys.argv))
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared"))
EVAL_DIR = os.path.join(SHARED, "eval")
EVAL_PY = os.path.join(EVAL_DIR, "eval.py")
QRELS = os.path.join(EVAL_DIR, "liveqa-med", "qrels.txt")
DEV_QUERIES = {
    "original": os.path.join(EVAL_DIR, "liveqa-med", "queries.original.tsv"),
    "summary": os.path.join(EVAL_DIR, "liveqa-med", "queries.summary.tsv"),
}
# ../shared/eval/README.md, "Reference systems on the same corpus", dev half.
REFERENCE = {
    ("fts5", "original"): {"ndcg@10": 0.249, "map@100": 0.265, "mrr@10": 0.383, "p@10": 0.255},
    ("xapian", "original"): {"ndcg@10": 0.193, "map@100": 0.211, "mrr@10": 0.299, "p@10": 0.198},
    ("fts5", "summary"): {"ndcg@10": 0.377, "map@100": 0.380, "mrr@10": 0.532, "p@10": 0.345},
    ("xapian", "summary"): {"ndcg@10": 0.305, "map@100": 0.306, "mrr@10": 0.435, "p@10": 0.288},
}
QUALITY_METRICS = ["ndcg@10", "map@100", "p@10", "mrr@10"]
TOP_K = 100
SEED = 20240601

# ---------------------------------------------------------------------------
# Engine configurations.  The defaults are the ones that reproduce (FTS5:
# exactly) or come closest to (Xapian) the reference quality; `--variants`
# re-checks all of them on the dev questions.

FTS5_CONFIGS = {
    # columns, how the text's three fields map onto them
    "tfb": {"columns": ["title", "focus", "body"],
            "desc": "3 columns title, focus (+synonyms), body; bm25() with equal weights"},
    "tb": {"columns": ["title", "body"],
           "desc": "2 columns title, body (no focus/synonyms)"},
    "one": {"columns": ["text"],
            "desc": "1 column: title + focus + body concatenated"},
}
FTS5_DEFAULT = "tfb"

XAPIAN_CONFIGS = {
    "flat-tgstop": {"fields": "flat", "tg_stop": True, "qp_stop": False,
                    "desc": "title, focus (+synonyms), body as unprefixed text (termpos gap between "
                            "fields); stopper on the TermGenerator (STOP_STEMMED), none on the QueryParser"},
    "flat-stop": {"fields": "flat", "tg_stop": True, "qp_stop": True,
                  "desc": "as flat-tgstop, and the QueryParser drops stop words too"},
    "flat-nostop": {"fields": "flat", "tg_stop": False, "qp_stop": False,
                    "desc": "as flat-tgstop without any stopper"},
    "prefixed-stop": {"fields": "prefixed", "tg_stop": True, "qp_stop": True,
                      "desc": "each field under its own prefix (S, XF, XB), the QueryParser "
                              "searching all three (add_prefix('', ...)); stoppers on both"},
    "both-tgstop": {"fields": "both", "tg_stop": True, "qp_stop": False,
                    "desc": "title and focus both prefixed (S, XF) and unprefixed, body unprefixed; "
                            "TermGenerator stopper only"},
}
XAPIAN_DEFAULT = "flat-tgstop"

# Snowball's English stop list (snowballstem.org algorithms/english/stop.txt), the
# list Xapian ships as stopwords/english.list (not packaged by Debian).
SNOWBALL_STOP = """i me my myself we our ours ourselves you your yours yourself yourselves he him
his himself she her hers herself it its itself they them their theirs themselves what which who
whom this that these those am is are was were be been being have has had having do does did
doing would should could ought i'm you're he's she's it's we're they're i've you've we've they've
i'd you'd he'd she'd we'd they'd i'll you'll he'll she'll we'll they'll isn't aren't wasn't
weren't hasn't haven't hadn't doesn't don't didn't won't wouldn't shan't shouldn't can't cannot
couldn't mustn't let's that's who's what's here's there's when's where's why's how's a an the and
but if or because as until while of at by for with about against between into through during
before after above below to from up down in out on off over under again further then once here
there when where why how all any both each few more most other some such no nor not only own
same so than too very""".split()

# ---------------------------------------------------------------------------
# Small helpers


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def percentile(values, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    s = sorted(values)
    k = max(1, math.ceil(p / 100.0 * len(s)))
    return s[k - 1]


def latency_stats(lat_ns, wall_s):
    ms = [v / 1e6 for v in lat_ns]
    return {"n": len(ms), "p50_ms": statistics.median(ms), "p99_ms": percentile(ms, 99),
            "mean_ms": statistics.fmean(ms), "max_ms": max(ms),
            "qps": len(ms) / wall_s if wall_s > 0 else None}


def path_size(path):
    """Apparent size in bytes of a file or of every file under a folder."""
    if os.path.isfile(path):
        return os.path.getsize(path)
    total = 0
    for d, _, files in os.walk(path):
        for f in files:
            try:
                total += os.path.getsize(os.path.join(d, f))
            except OSError:
                pass
    return total


def read_queries(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.strip():
                qid, _, text = line.partition("\t")
                out.append((qid, text))
    return out


def clean(s):
    """A field as one line: tabs and line breaks become spaces (both engines and
    healthqa treat them as separators anyway)."""
    if not s:
        return ""
    return s.replace("\t", " ").replace("\r", " ").replace("\n", " ").strip()


def read_text(path):
    """Yields (id, title, focus, body) from a text TSV written by export_text."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            yield p[0], p[1], p[2], p[3]


class Proc:
    """Result of run_measured."""

    def __init__(self, rc, wall, maxrss_kib, out, err, timed_out=False, missing=False, cpu=None):
        self.rc, self.wall, self.maxrss_kib, self.cpu = rc, wall, maxrss_kib, cpu
        self.out, self.err, self.timed_out, self.missing = out, err, timed_out, missing

    @property
    def ok(self):
        return self.rc == 0 and not self.timed_out and not self.missing

    def reason(self):
        if self.missing:
            return self.err.strip()
        if self.timed_out:
            return "timed out"
        lines = [l for l in self.err.strip().splitlines() if l.strip()]
        first = lines[0] if lines else "(no message)"
        return f"exit {self.rc}: {first}"


TIME_BIN = "/usr/bin/time"


def run_measured(cmd, timeout, cwd=None, env=None):
    """Runs cmd (stdout/stderr to temp files), returns its wall time and peak RSS
    (KiB).  The peak RSS comes from /usr/bin/time (GNU time, %M): a child forked
    straight from this Python process would inherit its RSS high-water mark
    (Linux keeps it across execve), so os.wait4's ru_maxrss would be wrong
    whenever the harness itself is bigger than the command."""
    have_time = os.access(TIME_BIN, os.X_OK)
    with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe, \
            tempfile.NamedTemporaryFile(prefix="hq-time-") as ft:
        full = [TIME_BIN, "-f", "%M", "-o", ft.name] + cmd if have_time else cmd
        if have_time and not (os.path.isfile(cmd[0]) and os.access(cmd[0], os.X_OK)) \
                and shutil.which(cmd[0]) is None:
            return Proc(None, 0.0, 0, "", f"cannot run {cmd[0]}: not found", missing=True)
        t0 = time.perf_counter()
        try:
            p = subprocess.Popen(full, stdout=fo, stderr=fe, stdin=subprocess.DEVNULL,
                                 cwd=cwd, env=env, start_new_session=True)
        except OSError as e:
            return Proc(None, 0.0, 0, "", f"cannot run {cmd[0]}: {e.strerror}", missing=True)
        timed_out = []

        def kill():  # the whole process group: /usr/bin/time and the command under it
            timed_out.append(True)
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except OSError:
                pass
        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, ru = os.wait4(p.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        fo.seek(0)
        fe.seek(0)
        out = fo.read().decode("utf-8", "replace")
        err = fe.read().decode("utf-8", "replace")
        maxrss = ru.ru_maxrss
        if have_time:
            try:
                with open(ft.name) as f:
                    lines = [l.strip() for l in f if l.strip()]
                maxrss = int(lines[-1])
            except (OSError, ValueError, IndexError):
                maxrss = None
    # user + system CPU of the process tree (GNU time's own is a few ms):
    # set beside the wall time, it tells a busy machine (same CPU, more
    # wall) from a slower build (more CPU)
    cpu = ru.ru_utime + ru.ru_stime
    return Proc(p.returncode, wall, maxrss, out, err, timed_out=bool(timed_out), cpu=cpu)


# ---------------------------------------------------------------------------
# FTS5


WORD_RE = re.compile(r"[^\W_]+")  # unicode61: runs of letters and digits


def fts5_match(text):
    """Every word of the question, double-quoted (escapes FTS5 syntax), OR-ed."""
    words = WORD_RE.findall(text)
    return " OR ".join('"' + w.replace('"', '""') + '"' for w in words)


def fts5_fields(cfg, title, focus, body):
    if cfg == "tfb":
        return [title, focus, body]
    if cfg == "tb":
        return [title, body]
    return [" ".join(x for x in (title, focus, body) if x)]


def fts5_build(text_path, db_path, cfg, contentless):
    if os.path.exists(db_path):
        os.remove(db_path)
    cols = FTS5_CONFIGS[cfg]["columns"]
    opts = ", content=''" if contentless else ""
    con = sqlite3.connect(db_path, isolation_level=None)
    con.execute(f"CREATE VIRTUAL TABLE fts USING fts5(id UNINDEXED, {', '.join(cols)}"
                f"{opts}, tokenize='porter unicode61')")
    sql = f"INSERT INTO fts(rowid, id, {', '.join(cols)}) VALUES (?, ?{', ?' * len(cols)})"
    n = 0

    def rows():
        nonlocal n
        for sid, title, focus, body in read_text(text_path):
            n += 1
            yield [n, sid] + fts5_fields(cfg, title, focus, body)
    con.execute("BEGIN")
    con.executemany(sql, rows())
    con.execute("COMMIT")
    con.close()
    return {"docs": n}


def fts5_compact_size(db_path):
    """Size after 'optimize' (one b-tree segment) and VACUUM, on a copy."""
    tmp = db_path + ".compact"
    shutil.copyfile(db_path, tmp)
    con = sqlite3.connect(tmp, isolation_level=None)
    con.execute("INSERT INTO fts(fts) VALUES ('optimize')")
    con.execute("VACUUM")
    con.close()
    size = os.path.getsize(tmp)
    os.remove(tmp)
    return size


def load_ids(text_path):
    """The document ids in build order: FTS5 rowid n / Xapian docid n is ids[n - 1].
    Both searchers map their internal numbers to ids through this list, as an
    application would, rather than reading a stored column / the document data
    for every hit (0.5 ms a query for Xapian through the Python bindings)."""
    with open(text_path, encoding="utf-8") as f:
        return [line.split("\t", 1)[0] for line in f]


class Fts5Searcher:
    def __init__(self, db_path, cfg, ids):
        self.con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        self.sql = f"SELECT rowid, rank FROM fts WHERE fts MATCH ? ORDER BY rank LIMIT {TOP_K}"
        self.ids = ids
        n, last = self.con.execute("SELECT count(*), max(rowid) FROM fts").fetchone()
        if n != len(ids) or last != len(ids):
            raise RuntimeError(f"{db_path}: {n} rows, {len(ids)} ids")

    def search(self, text):
        q = fts5_match(text)
        if not q:
            return []
        ids = self.ids
        return [(ids[i - 1], -r) for i, r in self.con.execute(self.sql, (q,))]


# ---------------------------------------------------------------------------
# Xapian


def xapian_stopper():
    st = xapian.SimpleStopper()
    for w in SNOWBALL_STOP:
        st.add(w)
    return st


def xapian_build(text_path, db_path, cfg):
    c = XAPIAN_CONFIGS[cfg]
    if os.path.exists(db_path):
        shutil.rmtree(db_path)
    db = xapian.WritableDatabase(db_path, xapian.DB_CREATE_OR_OVERWRITE)
    tg = xapian.TermGenerator()
    tg.set_stemmer(xapian.Stem("english"))
    tg.set_stemming_strategy(xapian.TermGenerator.STEM_SOME)
    if c["tg_stop"]:
        stopper = xapian_stopper()  # keep a reference: the TermGenerator does not own it
        tg.set_stopper(stopper)
        tg.set_stopper_strategy(xapian.TermGenerator.STOP_STEMMED)
    n = 0
    for sid, title, focus, body in read_text(text_path):
        doc = xapian.Document()
        tg.set_document(doc)
        for prefix, txt in (("S", title), ("XF", focus), ("XB", body)):
            if c["fields"] == "flat":
                tg.index_text(txt)
            elif c["fields"] == "prefixed":
                tg.index_text(txt, 1, prefix)
            else:  # both
                if prefix != "XB":
                    tg.index_text(txt, 1, prefix)
                tg.index_text(txt)
            tg.increase_termpos()
        doc.set_data(sid)
        db.add_document(doc)
        n += 1
    db.commit()
    db.close()
    return {"docs": n}


class XapianSearcher:
    def __init__(self, db_path, cfg, ids):
        c = XAPIAN_CONFIGS[cfg]
        self.db = xapian.Database(db_path)
        self.ids = ids
        n = self.db.get_doccount()
        if n != len(ids) or self.db.get_lastdocid() != n or \
                self.db.get_document(n).get_data().decode("utf-8") != ids[-1]:
            raise RuntimeError(f"{db_path}: docids do not match the {len(ids)} ids")
        self.stopper = xapian_stopper()
        qp = xapian.QueryParser()
        qp.set_database(self.db)
        qp.set_stemmer(xapian.Stem("english"))
        qp.set_stemming_strategy(xapian.QueryParser.STEM_SOME)
        qp.set_default_op(xapian.Query.OP_OR)
        if c["qp_stop"]:
            qp.set_stopper(self.stopper)
        if c["fields"] == "prefixed":
            for p in ("S", "XF", "XB"):
                qp.add_prefix("", p)
        self.qp = qp
        self.enq = xapian.Enquire(self.db)
        self.enq.set_weighting_scheme(xapian.BM25Weight())
        self.flags = xapian.QueryParser.FLAG_PHRASE  # no boolean / love-hate surprises
        self.fallbacks = 0

    def search(self, text):
        try:
            q = self.qp.parse_query(text, self.flags)
        except xapian.QueryParserError:
            self.fallbacks += 1
            q = self.qp.parse_query(text, 0)
        self.enq.set_query(q)
        ids = self.ids
        return [(ids[m.docid - 1], m.weight) for m in self.enq.get_mset(0, TOP_K)]


# ---------------------------------------------------------------------------
# Workers: `compare.py _worker JSON` runs one build or one query session, in its
# own process, and prints one JSON line.


def write_run(path, qids, results, tag):
    with open(path, "w", encoding="utf-8") as f:
        for qid, hits in zip(qids, results):
            for rank, (doc, score) in enumerate(hits, 1):
                f.write(f"{qid} Q0 {doc} {rank} {score:.6f} {tag}\n")


def query_session(searcher, sets, tag):
    """sets: [{"name", "queries", "run"}]; warm-up pass, then a timed pass."""
    out = {}
    for s in sets:
        qs = read_queries(s["queries"])
        if s.get("max"):
            qs = qs[:s["max"]]
        for _, text in qs:  # warm-up
            searcher.search(text)
        lat, results = [], []
        clock = time.perf_counter_ns
        t0 = clock()
        for _, text in qs:
            a = clock()
            r = searcher.search(text)
            lat.append(clock() - a)
            results.append(r)
        wall = (clock() - t0) / 1e9
        st = latency_stats(lat, wall)
        st["empty"] = sum(1 for r in results if not r)
        if s.get("run"):
            write_run(s["run"], [q for q, _ in qs], results, tag)
        out[s["name"]] = st
    return out


def worker(spec):
    kind = spec["kind"]
    t0 = time.perf_counter()
    if kind == "fts5-build":
        res = fts5_build(spec["text"], spec["db"], spec["cfg"], spec["contentless"])
        res["inner_s"] = time.perf_counter() - t0
    elif kind == "xapian-build":
        res = xapian_build(spec["text"], spec["db"], spec["cfg"])
        res["inner_s"] = time.perf_counter() - t0
    elif kind == "fts5-query":
        res = query_session(Fts5Searcher(spec["db"], spec["cfg"], load_ids(spec["text"])), spec["sets"], "fts5")
    elif kind == "xapian-query":
        s = XapianSearcher(spec["db"], spec["cfg"], load_ids(spec["text"]))
        res = query_session(s, spec["sets"], "xapian")
        res["_parse_fallbacks"] = s.fallbacks
    else:
        raise SystemExit(f"unknown worker kind {kind}")
    print(json.dumps(res))


def store_files(hq_data):
    """healthqa's input to a rebuild: the store's files (not the index); none
    when the folder cannot be listed (the build then reports why)."""
    try:
        names = sorted(os.listdir(hq_data))
    except OSError:
        return []
    return [os.path.join(hq_data, n) for n in names if n.startswith("store.db")]


def code_files(path):
    """An executable or extension module and the shared libraries it loads
    (as ldd lists them); [path] alone when ldd cannot tell."""
    files = [path]
    try:
        out = subprocess.run(["ldd", path], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return files
    for line in out.splitlines():
        part = line.split("=>")[-1].split("(")[0].strip()
        if part.startswith("/") and os.path.isfile(part):
            files.append(part)
    return files


def engine_code(eng, hq_bin):
    """The files of an engine's code that its build runs: healthqa's binary,
    or the Python interpreter with SQLite's or Xapian's extension module,
    each with its shared libraries.  The machine's page reclaim evicts
    code as well as files left idle for a minute (DAMON pageout: 12
    intervals of 5 s without an access), and an engine's code is idle
    while the others build: a MedQuAD rebuild whose binary and libraries
    had been evicted took 18 major faults and 12 to 24 ms more (0.200,
    0.188, 0.156 s against 0.176, 0.171, 0.143 s warm, in turns), while
    the SQLite library FTS5 runs in stays warm in the harness itself.  So
    each engine's code is read before its build, as its input is."""
    if eng == "healthqa":
        return code_files(hq_bin)
    files = code_files(sys.executable)
    try:
        if eng == "xapian":
            import xapian._xapian as ext
        else:
            import _sqlite3 as ext
        files += code_files(ext.__file__)
    except (ImportError, AttributeError):
        pass
    return files


def read_inputs(paths):
    """Reads each file once, so that the build that follows finds its input in
    the page cache whatever ran before it: the machine's page reclaim evicts
    files left idle for a while, and a round's builds follow other engines'
    long ones.  Every engine gets this before every build, so that builds are
    compared, not disk reads; bench/coldstart.py measures what a cold store
    costs healthqa."""
    for path in paths:
        try:
            with open(path, "rb") as f:
                while f.read(1 << 20):
                    pass
        except OSError as e:
            log(f"  could not read {path} ahead of its build: {e}")


def run_worker(spec, timeout):
    cmd = [sys.executable, os.path.abspath(__file__), "_worker", json.dumps(spec)]
    p = run_measured(cmd, timeout)
    if not p.ok:
        raise RuntimeError(f"{spec['kind']} worker failed: {p.reason()}\n{p.err[-2000:]}")
    return p, json.loads(p.out.strip().splitlines()[-1])


# ---------------------------------------------------------------------------
# healthqa (command line only; every failure is reported and skipped)


class Healthqa:
    def __init__(self, binary, timeout):
        self.bin = binary
        self.timeout = timeout
        self.version = None
        self.problem = None
        if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
            self.problem = f"{binary} not found (run `make` in {ROOT})"
            return
        p = run_measured([binary, "--version"], 60)
        self.version = p.out.strip() if p.ok else None

    @property
    def available(self):
        return self.problem is None

    def run(self, data, *args, timeout=None):
        if not self.available:
            return Proc(None, 0, 0, "", self.problem, missing=True)
        return run_measured([self.bin, "--data", data] + list(args), timeout or self.timeout)

    def eval(self, data, queries, run_path, qrels=None, plain=True):
        """`healthqa eval`: plain BM25F by default (--plain), the like-for-like of
        FTS5's bm25() and Xapian's BM25Weight; plain=False is healthqa's own
        default, with question analysis and re-ranking."""
        args = ["eval", "--queries", queries, "--limit", str(TOP_K), "--run", run_path]
        if plain:
            args.append("--plain")
        if qrels:
            args += ["--qrels", qrels]
        p = self.run(data, *args)
        metrics = {}
        for line in p.out.splitlines():
            k, sep, v = line.partition("\t")
            if sep:
                try:
                    metrics[k.strip()] = float(v)
                except ValueError:
                    pass
        return p, metrics


# ---------------------------------------------------------------------------
# Orchestration


def eval_run(run_path, queries_path):
    p = subprocess.run([sys.executable, EVAL_PY, run_path, "--qrels", QRELS, "--queries", queries_path],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"eval.py failed on {run_path}: {p.stderr.strip()}")
    out = {}
    for line in p.stdout.splitlines():
        k, _, v = line.partition("\t")
        try:
            out[k] = float(v)
        except ValueError:
            pass
    return out


def export_text(store, text_path, sections):
    """Sections of the store -> TSV id, title, focus (+ synonyms), body."""
    con = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    where = "WHERE a.format = 'medquad'" if sections == "medquad" else ""
    n = chars = 0
    titles = []
    with open(text_path, "w", encoding="utf-8") as f:
        for sid, title, focus, syn, body in con.execute(
                "SELECT s.id, s.title, a.focus, a.synonyms, s.body FROM sections s "
                f"JOIN articles a ON a.id = s.article_id {where} ORDER BY a.id, s.ord"):
            try:
                syns = json.loads(syn) if syn else []
            except ValueError:
                syns = []
            fo = clean(" ".join([focus or ""] + [s for s in syns if isinstance(s, str)]))
            t, b = clean(title), clean(body)
            f.write(f"{clean(sid)}\t{t}\t{fo}\t{b}\n")
            titles.append(t)
            n += 1
            chars += len(t) + len(fo) + len(b)
    total = con.execute("SELECT count(*) FROM sections").fetchone()[0]
    con.close()
    return {"sections": n, "chars": chars, "store_sections": total}, titles


def make_10x(text_path, out_text, jsonl_dir, copies, seed, want_jsonl):
    """Streams the 10x corpus: copy k of every section, words of each field shuffled
    within the field, id + '~k'.  Writes the engines' TSV and, for healthqa, JSON
    Lines files under the ingest limits (32 MiB, 100,000 records per file)."""
    rng = random.Random(seed)
    files, out_j, jbytes, jrecs = [], None, 0, 0
    max_bytes, max_recs = 24 << 20, 25000
    n = 0

    def shuf(s):
        w = s.split()
        rng.shuffle(w)
        return " ".join(w)
    if want_jsonl:
        os.makedirs(jsonl_dir, exist_ok=True)
    with open(out_text, "w", encoding="utf-8") as out_t:
        for k in range(copies):
            for sid, title, focus, body in read_text(text_path):
                nid = f"{sid}~{k}"
                t, fo, b = shuf(title), shuf(focus), shuf(body)
                out_t.write(f"{nid}\t{t}\t{fo}\t{b}\n")
                n += 1
                if not want_jsonl:
                    continue
                rec = {"id": nid, "title": t or nid, "body": b or None, "source": "bench"}
                if fo:
                    rec["synonyms"] = [fo]
                line = (json.dumps(rec, ensure_ascii=False) + "\n").encode("utf-8")
                if out_j is None or jbytes + len(line) > max_bytes or jrecs >= max_recs:
                    if out_j:
                        out_j.close()
                    files.append(os.path.join(jsonl_dir, f"bench10x-{len(files) + 1:03d}.jsonl"))
                    out_j = open(files[-1], "wb")
                    jbytes = jrecs = 0
                out_j.write(line)
                jbytes += len(line)
                jrecs += 1
    if out_j:
        out_j.close()
    return n, files


def median_of(values):
    return statistics.median(values) if values else None


ENGINES = ["fts5", "fts5_contentless", "xapian", "healthqa"]
PASS_FIGURES = ("p50_ms", "p99_ms", "qps")


def merge_passes(passes):
    """One engine's query sessions on one corpus, a result per pass, as one:
    each figure the median over the passes (every pass's value kept in
    <figure>_passes); the rest from the first pass."""
    first = passes[0]
    if "skipped" in first:
        return first
    for later in passes[1:]:
        if "skipped" in later:
            return later
    out = dict(first)
    for name, st in first.items():
        if not isinstance(st, dict) or "p50_ms" not in st:
            continue
        merged = dict(st)
        for fig in PASS_FIGURES:
            vals = [p[name].get(fig) for p in passes if name in p]
            vals = [v for v in vals if v is not None]
            merged[fig] = median_of(vals)
            merged[fig + "_passes"] = vals
        out[name] = merged
    return out


class Bench:
    def __init__(self, a):
        self.a = a
        self.R = {"notes": []}
        self.work = a.workdir or tempfile.mkdtemp(prefix="hq-compare-")
        os.makedirs(self.work, exist_ok=True)
        self.hq = Healthqa(a.healthqa, a.timeout)

    # -- builds ---------------------------------------------------------------
    def build_rounds(self, corpora):
        """Every engine built on every corpus (corpora: {scale: (text, healthqa data
        or None)}), round after round, so that the load of a shared machine, which
        drifts over minutes, weighs on every engine and corpus alike.  In a round
        each engine builds its 1x and 10x index back to back (the 10x / 1x ratio
        compares neighbouring moments), FTS5 contentless and healthqa are
        neighbours (the build target compares them), and the order of the engines
        and of the corpora turns from round to round.  Sizes are taken after the
        last round."""
        a, work = self.a, self.work
        runs = {"1x": a.runs, "10x": a.runs_10x}
        acc = {(e, sc): {"walls": [], "inner": [], "rss": [], "cpu": [], "rounds": [], "info": {}}
               for e in ENGINES for sc in corpora}
        skip = {}
        for sc, (_, hq_data) in corpora.items():
            if not self.hq.available:
                skip[sc] = self.hq.problem
            elif not hq_data:
                skip[sc] = "no healthqa data"
        groups = [["fts5"], ["xapian"], ["fts5_contentless", "healthqa"]]
        n_rounds = max(runs[sc] for sc in corpora)
        log(f"builds: {n_rounds} round(s) of {', '.join(ENGINES)} on {', '.join(corpora)}")
        for r in range(n_rounds):
            order = groups[r % len(groups):] + groups[:r % len(groups)]
            scales = list(corpora) if r % 2 == 0 else list(reversed(corpora))
            for group in order:
                for eng in (group if r % 2 == 0 else list(reversed(group))):
                    for sc in scales:
                        if r >= runs[sc] or (eng == "healthqa" and sc in skip):
                            continue
                        self.build_once(eng, sc, corpora[sc], acc[(eng, sc)], r, skip)
        out = {}
        for sc, (text, hq_data) in corpora.items():
            out[sc] = {e: self.build_summary(acc[(e, sc)]) for e in ENGINES if e != "healthqa"}
            out[sc]["healthqa"] = ({"skipped": skip[sc]} if sc in skip
                                   else self.build_summary(acc[("healthqa", sc)], hq_data))
            self.measure_sizes(sc, out[sc])
        return out

    def db_path(self, eng, scale):
        return os.path.join(self.work, {"fts5": f"fts5-{scale}.db",
                                        "fts5_contentless": f"fts5-{scale}-contentless.db",
                                        "xapian": f"xapian-{scale}"}[eng])

    def build_once(self, eng, scale, corpus, acc, r, skip):
        """One build of eng on the corpus (text, healthqa data) into acc, its input
        read into the page cache first (see read_inputs)."""
        a = self.a
        text, hq_data = corpus
        read_inputs((store_files(hq_data) if eng == "healthqa" else [text]) +
                    engine_code(eng, self.hq.bin))
        if eng == "healthqa":
            p = self.hq.run(hq_data, "index", "--rebuild")
            inner = healthqa_build_time(p.out) if p.ok else None
            if inner is None:
                skip[scale] = (f"`healthqa index --rebuild` failed ({p.reason()})" if not p.ok else
                               "`healthqa index --rebuild` did not report its build time")
                log(f"  healthqa {scale}: {skip[scale]}; skipping healthqa's build")
                return
        else:
            spec = ({"kind": "xapian-build", "text": text, "db": self.db_path(eng, scale),
                     "cfg": a.xapian_config} if eng == "xapian" else
                    {"kind": "fts5-build", "text": text, "db": self.db_path(eng, scale),
                     "cfg": a.fts5_config, "contentless": eng == "fts5_contentless"})
            p, info = run_worker(spec, a.timeout)
            inner = info["inner_s"]
            acc["info"] = info
        acc["walls"].append(p.wall)
        acc["cpu"].append(p.cpu)
        acc["inner"].append(inner)
        acc["rss"].append(p.maxrss_kib)
        acc["rounds"].append(r)
        log(f"  round {r + 1}: {eng} {scale} build: {inner:.2f} s (process {p.wall:.2f} s, "
            f"CPU {fmt(p.cpu)} s), "
            f"peak RSS {fmt(mib(p.maxrss_kib), '.1f')} MiB")

    @staticmethod
    def build_summary(v, hq_data=None):
        """Medians of one engine's builds on one corpus: the build inside its
        process (build_s; see healthqa_build_time) and the process's wall time
        (process_s, start-up included)."""
        res = {"build_s": median_of(v["inner"]), "build_all_s": v["inner"], "rounds": v["rounds"],
               "rss_kib": median_of([x for x in v["rss"] if x is not None]), "rss_all_kib": v["rss"],
               "process_s": median_of(v["walls"]), "process_all_s": v["walls"],
               "cpu_s": median_of([x for x in v["cpu"] if x is not None]), "cpu_all_s": v["cpu"]}
        if hq_data is None:
            res.update(docs=v["info"].get("docs"))
        else:
            idx = os.path.join(hq_data, "index")
            if os.path.isdir(idx):
                res["size"] = path_size(idx)
            else:
                res["size_missing"] = f"{idx} does not exist after the build"
        return res

    def measure_sizes(self, scale, out):
        """Index sizes as built and compacted (FTS5 optimize + VACUUM on a copy,
        Xapian compact()); the contentless FTS5 database is not queried, so it
        goes."""
        for eng in ("fts5", "fts5_contentless"):
            db = self.db_path(eng, scale)
            out[eng].update(size=os.path.getsize(db), size_compact=fts5_compact_size(db))
        os.remove(self.db_path("fts5_contentless", scale))
        xdb = self.db_path("xapian", scale)
        comp = xdb + ".compact"
        shutil.rmtree(comp, ignore_errors=True)
        xapian.Database(xdb).compact(comp)
        out["xapian"].update(size=path_size(xdb), size_compact=path_size(comp))
        shutil.rmtree(comp, ignore_errors=True)

    # -- queries --------------------------------------------------------------
    def query_sets(self, scale):
        sets = [("dev-original", DEV_QUERIES["original"], True),
                ("sampled", self.sampled_path, False)]
        if scale == "1x":
            sets.insert(1, ("dev-summary", DEV_QUERIES["summary"], True))
        return sets

    def query_passes(self, corpora, built):
        """Every query set through every engine and corpus, in --query-passes
        passes; in a pass, Xapian's and healthqa's sessions on a corpus are
        neighbours, in an order that turns from pass to pass, and each figure is
        the median over the passes (the ratios compare the same stretch of time,
        not phases minutes apart).  FTS5, ~100x slower than both and in no
        target, runs in the first pass only, as does healthqa's default mode."""
        out = {sc: {} for sc in corpora}
        per = {sc: {} for sc in corpora}
        for i in range(self.a.query_passes):
            for sc, (text, hq_data) in corpora.items():
                engines = ["xapian", "healthqa"] if i % 2 == 0 else ["healthqa", "xapian"]
                if i == 0:
                    engines.insert(0, "fts5")
                for eng in engines:
                    if eng == "healthqa":
                        res = self.healthqa_session(sc, hq_data, built[sc], first=i == 0)
                    else:
                        res = self.python_session(eng, sc, text, first=i == 0)
                    per[sc].setdefault(eng, []).append(res)
        for sc in corpora:
            for eng, passes in per[sc].items():
                out[sc][eng] = merge_passes(passes)
        return out

    def python_session(self, eng, scale, text, first):
        a = self.a
        runs_dir = os.path.join(self.work, "runs")
        os.makedirs(runs_dir, exist_ok=True)
        log(f"{scale}: {eng} queries")
        cfg = a.fts5_config if eng == "fts5" else a.xapian_config
        spec = {"kind": f"{eng}-query", "db": self.db_path(eng, scale), "cfg": cfg, "text": text,
                "sets": [{"name": n, "queries": q,
                          "run": os.path.join(runs_dir, f"{eng}-{scale}-{n}.run")
                          if scale == "1x" and r and first else None,
                          "max": a.fts5_sampled if eng == "fts5" and n == "sampled" else None}
                         for n, q, r in self.query_sets(scale)]}
        p, res = run_worker(spec, a.timeout)
        res["_rss_kib"] = p.maxrss_kib
        return res

    def healthqa_session(self, scale, hq_data, built, first):
        if not self.hq.available:
            return {"skipped": self.hq.problem}
        if not built:
            return {"skipped": "no healthqa index (the build was skipped)"}
        log(f"{scale}: healthqa queries")
        runs_dir = os.path.join(self.work, "runs")
        os.makedirs(runs_dir, exist_ok=True)
        res = {}
        sets = self.query_sets(scale)
        for n, q, r in sets:
            run_path = os.path.join(runs_dir, f"healthqa-{scale}-{n}.run")
            # `healthqa eval` runs an untimed warm-up pass itself (unless --no-warmup)
            p, m = self.hq.eval(hq_data, q, run_path, QRELS if r else None)
            if not p.ok:
                res = {"skipped": f"`healthqa eval` failed ({p.reason()})"}
                log(f"  healthqa: {res['skipped']}")
                return res
            st = {"p50_ms": m.get("latency_p50_ms"), "p99_ms": m.get("latency_p99_ms"),
                  "qps": m.get("qps"), "n": len(read_queries(q)), "printed": m,
                  "_rss_kib": p.maxrss_kib}
            missing = [k for k in ("latency_p50_ms", "latency_p99_ms", "qps") if k not in m]
            if missing:
                st["note"] = "healthqa eval did not print " + ", ".join(missing)
            res[n] = st
        if scale == "1x" and first:
            res["understood"] = self.understood(hq_data, sets, runs_dir)
        return res

    def understood(self, hq_data, sets, runs_dir):
        """The same questions through healthqa's default mode (question analysis,
        re-ranking): reported apart, never in the ratios."""
        res = {}
        for n, q, r in sets:
            p, m = self.hq.eval(hq_data, q, os.path.join(runs_dir, f"healthqa-understood-{n}.run"),
                                QRELS if r else None, plain=False)
            if not p.ok:
                return {"skipped": f"`healthqa eval` failed ({p.reason()})"}
            res[n] = {"p50_ms": m.get("latency_p50_ms"), "p99_ms": m.get("latency_p99_ms"),
                      "qps": m.get("qps"), "ndcg@10": m.get("ndcg@10"), "map@100": m.get("map@100")}
        return res

    def quality(self, queries):
        q = {}
        runs_dir = os.path.join(self.work, "runs")
        for eng in ("healthqa", "fts5", "xapian"):
            for wording in ("original", "summary"):
                run = os.path.join(runs_dir, f"{eng}-1x-dev-{wording}.run")
                if eng == "healthqa":
                    hq = queries.get("healthqa", {})
                    if "skipped" in hq or f"dev-{wording}" not in hq:
                        continue
                    if not os.path.exists(run) or os.path.getsize(run) == 0:
                        printed = hq[f"dev-{wording}"].get("printed", {})
                        if all(k in printed for k in QUALITY_METRICS):
                            q[(eng, wording)] = {k: printed[k] for k in QUALITY_METRICS}
                            q[(eng, wording)]["source"] = "printed by healthqa eval (no run file)"
                        continue
                if os.path.exists(run):
                    q[(eng, wording)] = eval_run(run, DEV_QUERIES[wording])
                    if eng != "healthqa":
                        q[(eng, wording)]["run"] = run
                    else:  # healthqa's own figures should be eval.py's
                        printed = queries["healthqa"][f"dev-{wording}"].get("printed", {})
                        diff = [f"{k} {printed[k]:.4f} vs {q[(eng, wording)][k]:.4f}" for k in QUALITY_METRICS
                                if k in printed and abs(printed[k] - q[(eng, wording)][k]) > 0.00051]
                        if diff:
                            self.R["notes"].append(f"`healthqa eval` prints other figures than eval.py on its "
                                                   f"own run ({wording}): " + ", ".join(diff))
        return q

    # -- variants (reference check) ---------------------------------------------
    def variants(self, text_path):
        """Quality of every FTS5 / Xapian configuration on the dev questions
        (in-process, untimed)."""
        rows = []
        vdir = os.path.join(self.work, "variants")
        ids = load_ids(text_path)
        os.makedirs(vdir, exist_ok=True)
        for eng, cfgs in (("fts5", FTS5_CONFIGS), ("xapian", XAPIAN_CONFIGS)):
            for cfg in cfgs:
                log(f"variant {eng}/{cfg}")
                db = os.path.join(vdir, f"{eng}-{cfg}" + (".db" if eng == "fts5" else ""))
                if eng == "fts5":
                    fts5_build(text_path, db, cfg, False)
                    s = Fts5Searcher(db, cfg, ids)
                else:
                    xapian_build(text_path, db, cfg)
                    s = XapianSearcher(db, cfg, ids)
                res = {}
                for wording, qpath in DEV_QUERIES.items():
                    run = os.path.join(vdir, f"{eng}-{cfg}-{wording}.run")
                    query_session(s, [{"name": wording, "queries": qpath, "run": run}], eng)
                    res[wording] = eval_run(run, qpath)
                ref = [REFERENCE[(eng, w)][m] for w in DEV_QUERIES for m in QUALITY_METRICS]
                got = [res[w][m] for w in DEV_QUERIES for m in QUALITY_METRICS]
                dist = sum(abs(x - y) for x, y in zip(ref, got))
                rows.append({"engine": eng, "config": cfg, "desc": cfgs[cfg]["desc"], "res": res,
                             "distance": dist})
                del s
                if eng == "fts5":
                    os.remove(db)
                else:
                    shutil.rmtree(db, ignore_errors=True)
        return rows

    def make_corpus_10x(self, text1):
        """The 10x text (R["text_10x"]) and, when healthqa runs, a healthqa store
        of the same sections; returns (text, healthqa data or None)."""
        R = self.R
        text10 = os.path.join(self.work, "text-10x.tsv")
        jdir = os.path.join(self.work, "jsonl-10x")
        log(f"generating the {self.a.copies}x corpus")
        t0 = time.perf_counter()
        n10, files = make_10x(text1, text10, jdir, self.a.copies, self.a.seed, self.hq.available)
        R["text_10x"] = {"sections": n10, "jsonl_files": len(files), "gen_s": time.perf_counter() - t0,
                         "bytes": os.path.getsize(text10)}
        self.ingest_10x_skip = self.hq.problem
        if not self.hq.available:
            return text10, None
        data10 = os.path.join(self.work, "hq-10x")
        log(f"10x: ingesting {len(files)} JSON Lines files into {data10} (not timed)")
        shutil.rmtree(data10, ignore_errors=True)
        p = self.hq.run(data10, "index", "--quiet", *files)
        R["text_10x"]["healthqa_ingest_s"] = p.wall
        if p.rc not in (0, 1):
            self.ingest_10x_skip = f"`healthqa index FILE.jsonl...` failed ({p.reason()})"
            return text10, None
        if p.rc == 1:
            R["notes"].append(f"10x ingest rejected some files: {p.reason()}")
        return text10, data10

    # -- main -------------------------------------------------------------------
    def main(self):
        try:
            self.run()
        finally:
            if not self.a.keep and not self.a.workdir:
                shutil.rmtree(self.work, ignore_errors=True)
            else:
                log(f"kept {self.work}")

    def run(self):
        a, R = self.a, self.R
        R["started"] = datetime.datetime.now().isoformat(timespec="seconds")
        R["command"] = os.environ.get("HQ_BENCH_ARGV") or shlex.join([sys.executable] + sys.argv)
        R["machine"] = machine_info()
        R["versions"] = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
                         "xapian": xapian.version_string(),
                         "healthqa": self.hq.version or f"healthqa unavailable ({self.hq.problem})",
                         "healthqa_git": git_describe()}
        R["params"] = {"runs": a.runs, "runs_10x": a.runs_10x, "query_passes": a.query_passes, "sampled": a.sampled, "seed": a.seed,
                       "skip_10x": a.skip_10x, "fts5_sampled": a.fts5_sampled, "sections": a.sections, "fts5_config": a.fts5_config,
                       "xapian_config": a.xapian_config, "copies": a.copies}
        log(f"work folder: {self.work}")

        # 1. the healthqa store the text comes from
        if a.data:
            data1 = os.path.abspath(a.data)
            R["data"] = {"folder": data1, "ingested": False}
        else:
            data1 = os.path.join(self.work, "hq-1x")
            corpus = a.corpus or os.path.join(SHARED, "corpus", "medquad" if a.sections == "medquad" else "")
            corpus = os.path.normpath(corpus)
            if not self.hq.available:
                sys.exit(f"compare.py: the text is read from a healthqa store, and {self.hq.problem}; "
                         "pass --data D with an ingested data folder")
            log(f"ingesting {corpus} into {data1}")
            p = self.hq.run(data1, "index", "--quiet", corpus)
            R["data"] = {"folder": data1, "ingested": True, "corpus": corpus, "ingest_s": p.wall,
                         "ingest_rc": p.rc}
            if p.rc not in (0, 1):
                R["data"]["ingest_error"] = p.reason()
                R["notes"].append(f"`healthqa index {corpus}` ended with {p.reason()}")
        store = os.path.join(data1, "store.db")
        if not os.path.exists(store):
            sys.exit(f"compare.py: no store at {store}")

        text1 = os.path.join(self.work, "text-1x.tsv")
        info, titles = export_text(store, text1, a.sections)
        R["text"] = info
        log(f"text: {info['sections']} sections ({info['chars'] / 1e6:.1f} M characters) "
            f"of {info['store_sections']} in the store")
        if info["store_sections"] != info["sections"]:
            R["notes"].append(
                f"the store holds {info['store_sections']} sections, the engines get the "
                f"{info['sections']} {a.sections} ones: healthqa's index covers "
                f"{info['store_sections'] - info['sections']} more sections than FTS5/Xapian")

        # 2. sampled short questions
        rng = random.Random(a.seed)
        n = min(a.sampled, len(titles))
        self.sampled_path = os.path.join(self.work, f"sampled-{n}.tsv")
        with open(self.sampled_path, "w", encoding="utf-8") as f:
            for i, t in enumerate(rng.sample(titles, n), 1):
                f.write(f"S{i:05d}\t{t}\n")
        del titles
        R["sampled_queries"] = n

        if a.variants:
            R["variants"] = self.variants(text1)

        # 3. the 10x corpus (generated and ingested into healthqa untimed, before
        # any build: its builds share rounds with the 1x ones)
        corpora = {"1x": (text1, data1)}
        if not a.skip_10x:
            corpora["10x"] = self.make_corpus_10x(text1)

        # 4. builds, round by round; queries, pass by pass
        builds = self.build_rounds(corpora)
        built = {sc: "skipped" not in builds[sc]["healthqa"] for sc in corpora}
        queries = self.query_passes(corpora, built)
        for sc in corpora:
            R[f"build_{sc}"], R[f"queries_{sc}"] = builds[sc], queries[sc]
        if "10x" in corpora and corpora["10x"][1] is None:
            R["build_10x"]["healthqa"] = {"skipped": self.ingest_10x_skip}
        R["quality"] = {f"{e}/{w}": v for (e, w), v in self.quality(R["queries_1x"]).items()}
        for sc in corpora:
            os.remove(self.db_path("fts5", sc))
            shutil.rmtree(self.db_path("xapian", sc), ignore_errors=True)
        if "10x" in corpora and not a.keep:
            shutil.rmtree(os.path.join(self.work, "hq-10x"), ignore_errors=True)
            shutil.rmtree(os.path.join(self.work, "jsonl-10x"), ignore_errors=True)
            os.remove(corpora["10x"][0])

        R["finished"] = datetime.datetime.now().isoformat(timespec="seconds")
        md = report(R)
        print(md)
        os.makedirs(a.results, exist_ok=True)
        stem = os.path.join(a.results, f"compare-{datetime.date.today().isoformat()}"
                            + ("-quick" if a.quick else ""))
        with open(stem + ".md", "w", encoding="utf-8") as f:
            f.write(md)
        with open(stem + ".json", "w", encoding="utf-8") as f:
            json.dump(R, f, indent=1, default=str)
        log(f"wrote {stem}.md and {stem}.json")


def machine_info():
    model = "?"
    mem = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal"):
                    mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                    break
    except OSError:
        pass
    try:
        nproc = len(os.sched_getaffinity(0))
    except AttributeError:
        nproc = os.cpu_count()
    return {"nproc": nproc, "model": model, "memory": mem, "kernel": platform.release(),
            "os": platform.platform()}


def git_describe():
    try:
        c = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                           text=True).stdout.strip()
        d = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
        return c + ("+uncommitted changes" if d else "") if c else "?"
    except OSError:
        return "?"


# ---------------------------------------------------------------------------
# Report


def fmt(v, spec=".2f", unit=""):
    if v is None:
        return "—"
    return f"{v:{spec}}{unit}"


def mib(kib_or_bytes, bytes_=False):
    if kib_or_bytes is None:
        return None
    return kib_or_bytes / (1024 * 1024) if bytes_ else kib_or_bytes / 1024


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def healthqa_build_time(out):
    """The build time `healthqa index --rebuild` reports ("search index rebuilt
    in S s"): from opening its data folder to closing it, the index written
    and synced; like FTS5's and Xapian's times, taken inside their worker
    once Python and its libraries are loaded, it leaves out the process's
    start-up (loading 19 shared libraries, ~45 ms when the page cache holds
    none of them).  None when absent."""
    m = re.search(r"search index rebuilt in ([0-9.]+) s", out)
    return float(m.group(1)) if m else None


def paired_ratios(a, b, key="build_all_s"):
    """The ratios a / b of the builds made in the same round (see
    build_rounds), in round order; [] when a build has no rounds."""
    if not a or not b or "rounds" not in a or "rounds" not in b:
        return []
    bx = dict(zip(b["rounds"], b[key]))
    return [x / bx[r] for r, x in zip(a["rounds"], a[key]) if bx.get(r)]


def paired(a, b, key="build_all_s"):
    """paired_ratios as text; '' when there are fewer than two."""
    rs = paired_ratios(a, b, key)
    if len(rs) < 2:
        return ""
    return "; round by round: " + ", ".join(f"{x:.3f}" for x in rs)


def build_ratio(a, b, key="build_all_s"):
    """A build target's ratio a / b: the median of the ratios of builds
    made in the same round (neighbouring moments, which is what the rounds
    are for: the machine's speed drifts between rounds, and a median over
    every round of a against one over every round of b mixes the drift in,
    as when the 10x builds run in the first rounds only), or, with fewer
    than two rounds in common, the ratio of the medians."""
    rs = paired_ratios(a, b, key)
    if len(rs) >= 2:
        return median_of(rs)
    med = "build_s" if key == "build_all_s" else "process_s"
    return ratio(a.get(med), b.get(med)) if a and b else None


def per_pass(a, b):
    """The p50 ratios a / b pass by pass, as text; '' when single-pass."""
    pa, pb = a.get("p50_ms_passes", []), b.get("p50_ms_passes", [])
    if len(pa) < 2 or len(pa) != len(pb):
        return ""
    return "; pass by pass: " + ", ".join(f"{x / y:.3f}" for x, y in zip(pa, pb) if y)


def report(R):
    L = []
    add = L.append
    p = R["params"]
    m = R["machine"]
    v = R["versions"]
    add(f"# healthqa vs SQLite FTS5 vs Xapian — {R['started'][:10]}")
    add("")
    add(f"Command: `{R['command']}`  ")
    add(f"Run: {R['started']} – {R['finished']}  ")
    add(f"Machine: {m['nproc']} cores ({m['model']}), {m['memory']} RAM, Linux {m['kernel']}  ")
    add(f"Versions: SQLite {v['sqlite']} (Python's sqlite3 module), Xapian {v['xapian']} (python3-xapian), "
        f"Python {v['python']}, {v['healthqa']} (git {v['healthqa_git']})  ")
    add(f"Builds: median of {p['runs']} (1×) / {p['runs_10x']} (10×) builds, each in its own process, "
        f"in rounds: each round builds every engine once on each corpus, an engine's 1× and 10× "
        f"builds back to back, FTS5 contentless and healthqa next to each other, the order of engines "
        f"and corpora turning from round to round, each engine's input (healthqa's store, the others' "
        f"text file) read into the page cache just before its build; "
        f"time = the build inside each engine's process: healthqa: the time `index --rebuild` reports, "
        f"from opening its data folder (the SQLite store) to closing it, the index written and synced; "
        f"FTS5 / Xapian: the build inside their Python worker (connecting, reading the text file, "
        f"indexing, commit, close); none counts its process's start-up (interpreter, loading shared "
        f"libraries), which the process wall times (also given) include; a build ratio (the "
        f"targets, the 10× ÷ 1× column) = the median of the ratios of the builds made in the same "
        f"round, the ratio of the medians beside it; peak RSS = the "
        f"whole process (GNU time %M). Queries: one process per engine, corpus and pass, one warm-up pass "
        f"per query set, then one timed pass, single thread; {p.get('query_passes', 1)} pass(es), "
        f"Xapian's and healthqa's sessions next to each other in each, in turns, figures = median "
        f"over the passes (FTS5: first pass only).")
    add("")
    t = R["text"]
    d = R["data"]
    src = (f"a temporary data folder into which `{d['corpus']}` was ingested" if d.get("ingested")
           else f"the existing data folder `{d['folder']}`")
    add(f"**Text**: {t['sections']:,} sections ({p['sections']}; {t['chars'] / 1e6:.1f} M characters of "
        f"question + focus/synonyms + body) from the healthqa store of {src}; document id = section id.  ")
    add(f"**FTS5** (`{p['fts5_config']}`): {FTS5_CONFIGS[p['fts5_config']]['desc']}; "
        f"`tokenize='porter unicode61'`; query = every word of the question (runs of letters/digits), "
        f"double-quoted, OR-ed; `ORDER BY rank LIMIT 100` (bm25()).  ")
    add(f"**Xapian** (`{p['xapian_config']}`): {XAPIAN_CONFIGS[p['xapian_config']]['desc']}; Stem(\"english\"), "
        f"STEM_SOME, Snowball English stop list; BM25Weight() defaults; QueryParser OP_OR, STEM_SOME, "
        f"FLAG_PHRASE only; top 100.  ")
    add(f"**Sampled questions**: {R['sampled_queries']:,} section titles (MedQuAD's own questions) "
        f"drawn with seed {p['seed']}; FTS5 runs only the first {min(p['fts5_sampled'], R['sampled_queries']):,} "
        f"of them (an OR of every word makes it score every row that has any of them).  ")
    for note in R["notes"]:
        add(f"**Note**: {note}  ")
    add("")

    b1 = R["build_1x"]
    hq1 = b1.get("healthqa", {})

    # --- build
    add("## Index build (1×)")
    add("")
    add("| engine | build (s) | process (s) | peak RSS (MiB) | index size (MiB) | compacted (MiB) | healthqa ÷ engine: time / process / RSS / size (vs compacted) |")
    add("|---|---:|---:|---:|---:|---:|---|")

    def build_row(name, r, is_hq=False):
        if "skipped" in r:
            add(f"| {name} | skipped: {r['skipped']} | | | | | |")
            return
        rt = [ratio(hq1.get("build_s"), r["build_s"]), ratio(hq1.get("process_s"), r.get("process_s")),
              ratio(hq1.get("rss_kib"), r["rss_kib"]), ratio(hq1.get("size"), r.get("size_compact"))]
        rs = "" if is_hq else " / ".join(fmt(x, ".2f", "×") for x in rt)
        add(f"| {name} | {fmt(r['build_s'])} | {fmt(r.get('process_s'))} | {fmt(mib(r['rss_kib']), '.1f')} | "
            f"{fmt(mib(r.get('size'), True), '.1f')} | {fmt(mib(r.get('size_compact'), True), '.1f')} | {rs} |")
    build_row("healthqa (`index --rebuild`; size = D/index/)", hq1, True)
    build_row("FTS5 contentless (`content=''`) — **compared**", b1["fts5_contentless"])
    build_row("FTS5 with content", b1["fts5"])
    build_row("Xapian (glass)", b1["xapian"])
    add("")
    per_round = [f"{name}: " + ", ".join(f"{t:.3f} / {c:.3f}" for t, c in zip(r["build_all_s"], r["cpu_all_s"])
                                         if t is not None and c is not None)
                 for name, r in (("healthqa", hq1), ("FTS5 contentless", b1["fts5_contentless"]))
                 if r.get("cpu_all_s")]
    if per_round:
        add("Round by round (1×), build (s) / process CPU, user + system (s) — the CPU tells a slower "
            "build (more CPU) from a busier machine (the same CPU, more time): " + "; ".join(per_round) + ".")
        add("")
    add("Sizes are apparent bytes. FTS5 \"compacted\" = after `INSERT INTO fts(fts) VALUES('optimize')` + "
        "`VACUUM` (on a copy, not timed); Xapian \"compacted\" = `Database.compact()`. healthqa's index "
        "holds no text (the text stays in store.db), so the like-for-like FTS5 is the contentless one: "
        "the targets compare against its build and against its compacted size (the smallest FTS5 can be).")
    add("")

    # --- queries
    def query_table(scale, Q):
        add("| query set | engine | p50 (ms) | p99 (ms) | queries/s | healthqa ÷ engine p50 | p99 |")
        add("|---|---|---:|---:|---:|---:|---:|")
        names = [("dev-original", "52 dev questions, original wording"),
                 ("dev-summary", "52 dev questions, summary wording"),
                 ("sampled", f"{R['sampled_queries']:,} sampled MedQuAD questions")]
        for key, label in names:
            if key not in Q.get("fts5", {}):
                continue
            hq = Q.get("healthqa", {})
            hqs = hq.get(key, {}) if "skipped" not in hq else {}
            for eng in ("healthqa", "fts5", "xapian"):
                r = Q.get(eng, {})
                if "skipped" in r:
                    add(f"| {label} | {eng} | skipped: {r['skipped']} | | | | |")
                    continue
                s = r.get(key)
                if not s:
                    continue
                rr = ("", "") if eng == "healthqa" else (
                    fmt(ratio(hqs.get("p50_ms"), s["p50_ms"]), ".3f", "×"),
                    fmt(ratio(hqs.get("p99_ms"), s["p99_ms"]), ".3f", "×"))
                lab = label
                if eng == "fts5" and key == "sampled" and s.get("n") != R["sampled_queries"]:
                    lab = f"{label} (FTS5: first {s.get('n'):,})"
                add(f"| {lab} | {eng} | {fmt(s.get('p50_ms'), '.3f')} | {fmt(s.get('p99_ms'), '.3f')} | "
                    f"{fmt(s.get('qps'), ',.0f')} | {rr[0]} | {rr[1]} |")
        add("")
    add("## Query latency and throughput (1×)")
    add("")
    query_table("1x", R["queries_1x"])
    add("FTS5 and Xapian latencies are timed around the Python call (building the query, searching, "
        "mapping the 100 rowids/docids to ids through an in-memory list), so they include the "
        "bindings' overhead; healthqa's come from its own `eval --plain` output (searches only: "
        "parsing and analysing the question, ranking, the top 100 ids).")
    add("")
    und = R["queries_1x"].get("healthqa", {}).get("understood", {})
    if und and "skipped" not in und:
        add("healthqa's default mode (`eval` without `--plain`: question analysis, re-ranking of the "
            "first 100 hits), not in the ratios:")
        add("")
        add("| query set | p50 (ms) | p99 (ms) | queries/s | nDCG@10 | MAP@100 |")
        add("|---|---:|---:|---:|---:|---:|")
        for key, u in und.items():
            add(f"| {key} | {fmt(u.get('p50_ms'), '.3f')} | {fmt(u.get('p99_ms'), '.3f')} | "
                f"{fmt(u.get('qps'), ',.0f')} | {fmt(u.get('ndcg@10'), '.3f')} | {fmt(u.get('map@100'), '.3f')} |")
        add("")

    # --- quality
    add("## Quality on the dev questions (eval.py; reference = ../shared/eval/README.md)")
    add("")
    add("| questions | engine | nDCG@10 | MAP@100 | P@10 | MRR@10 |")
    add("|---|---|---:|---:|---:|---:|")
    Qd = R["quality"]
    for wording in ("original", "summary"):
        for eng in ("healthqa", "fts5", "xapian"):
            r = Qd.get(f"{eng}/{wording}")
            if r:
                add(f"| {wording} | {eng} | " + " | ".join(fmt(r.get(k), ".3f") for k in QUALITY_METRICS) + " |")
            elif eng == "healthqa":
                add(f"| {wording} | healthqa | — | — | — | — |")
            ref = REFERENCE.get((eng, wording))
            if ref:
                add(f"| {wording} | *{eng} reference* | " + " | ".join(f"*{ref[k]:.3f}*" for k in QUALITY_METRICS) + " |")
    add("")
    for eng, cfg in (("fts5", p["fts5_config"]), ("xapian", p["xapian_config"])):
        got = [Qd.get(f"{eng}/{w}", {}).get(k) for w in ("original", "summary") for k in QUALITY_METRICS]
        if None in got:
            continue
        ref = [REFERENCE[(eng, w)][k] for w in ("original", "summary") for k in QUALITY_METRICS]
        dist = sum(abs(x - y) for x, y in zip(got, ref))
        worst = max(abs(x - y) for x, y in zip(got, ref))
        verdict = ("reproduces the reference" if worst < 0.005 else
                   "close to the reference" if worst < 0.05 else "does NOT reproduce the reference")
        add(f"Reference check: {eng} `{cfg}` {verdict} (Σ|Δ| = {dist:.3f} over the 8 figures, largest "
            f"|Δ| = {worst:.3f}; bench/README.md lists the configurations tried, `--variants` re-checks them).  ")
    add("")

    # --- variants
    if R.get("variants"):
        add("## Reference check: every configuration on the dev questions")
        add("")
        add("| engine | config | original nDCG@10 / MAP@100 / P@10 / MRR@10 | summary nDCG@10 / MAP@100 / P@10 / MRR@10 | Σ|Δ| to reference |")
        add("|---|---|---|---|---:|")
        for r in R["variants"]:
            cells = [" / ".join(f"{r['res'][w][k]:.3f}" for k in QUALITY_METRICS) for w in ("original", "summary")]
            add(f"| {r['engine']} | `{r['config']}`: {r['desc']} | {cells[0]} | {cells[1]} | {r['distance']:.3f} |")
        add("")

    # --- 10x
    b10 = R.get("build_10x")
    if b10:
        t10 = R["text_10x"]
        jl = f"; healthqa: {t10['jsonl_files']} JSON Lines files" if t10["jsonl_files"] else ""
        add(f"## 10× corpus ({t10['sections']:,} sections, {t10['bytes'] / 2**20:.0f} MiB of text{jl})")
        add("")
        add("| engine | build (s) | 10× ÷ 1× time | peak RSS (MiB) | index size (MiB) | compacted (MiB) |")
        add("|---|---:|---:|---:|---:|---:|")
        for name, key in (("healthqa", "healthqa"), ("FTS5 contentless", "fts5_contentless"),
                          ("FTS5 with content", "fts5"), ("Xapian", "xapian")):
            r = b10.get(key, {})
            if "skipped" in r:
                add(f"| {name} | skipped: {r['skipped']} | | | | |")
                continue
            add(f"| {name} | {fmt(r.get('build_s'))} | {fmt(build_ratio(r, b1.get(key, {})), '.2f', '×')} | "
                f"{fmt(mib(r.get('rss_kib')), '.1f')} | {fmt(mib(r.get('size'), True), '.1f')} | "
                f"{fmt(mib(r.get('size_compact'), True), '.1f')} |")
        add("")
        add("### Queries on the 10× corpus")
        add("")
        query_table("10x", R["queries_10x"])

    # --- targets
    add("## Targets (healthqa ÷ other)")
    add("")
    add("| target | measured | met? |")
    add("|---|---|---|")
    fc = b1["fts5_contentless"]

    def verdict(x, ok):
        return "—" if x is None else ("yes" if ok(x) else "**no**")
    r = build_ratio(hq1, fc)
    add(f"| 1× build ≥ 4× faster than FTS5 (time ratio ≤ 0.25; median of the rounds' ratios) | "
        f"{fmt(r, '.3f', '×')} (medians {fmt(hq1.get('build_s'))} s vs {fmt(fc['build_s'])} s: "
        f"{fmt(ratio(hq1.get('build_s'), fc['build_s']), '.3f', '×')}; vs FTS5 with content: "
        f"{fmt(build_ratio(hq1, b1['fts5']), '.3f', '×')}{paired(hq1, fc)}; "
        f"whole processes, start-up included: {fmt(build_ratio(hq1, fc, 'process_all_s'), '.3f', '×')}"
        f"{paired(hq1, fc, 'process_all_s')}) | {verdict(r, lambda x: x <= 0.25)} |")
    r = ratio(hq1.get("rss_kib"), fc["rss_kib"])
    add(f"| 1× build peak memory ≤ 2× FTS5's | {fmt(r, '.2f', '×')} ({fmt(mib(hq1.get('rss_kib')), '.1f')} MiB vs "
        f"{fmt(mib(fc['rss_kib']), '.1f')} MiB) | {verdict(r, lambda x: x <= 2)} |")
    if b10:
        h10 = b10.get("healthqa", {})
        r = build_ratio(h10, hq1)
        add(f"| 10× corpus build ≤ 11× the 1× time (median of the rounds' ratios) | {fmt(r, '.2f', '×')} "
            f"(medians: {fmt(ratio(h10.get('build_s'), hq1.get('build_s')), '.2f', '×')}; FTS5 contentless "
            f"{fmt(build_ratio(b10['fts5_contentless'], fc), '.2f', '×')}, Xapian "
            f"{fmt(build_ratio(b10['xapian'], b1['xapian']), '.2f', '×')}{paired(h10, hq1)}) | "
            f"{verdict(r, lambda x: x <= 11)} |")
    else:
        add("| 10× corpus build ≤ 11× the 1× time | not run (--skip-10x / --quick) | — |")
    for scale, Q in (("1×", R["queries_1x"]), ("10×", R.get("queries_10x"))):
        if not Q:
            continue
        for key, label in (("dev-original", "dev questions"), ("sampled", "sampled questions")):
            hq = Q.get("healthqa", {})
            hqs = hq.get(key, {}) if "skipped" not in hq else {}
            x = Q["xapian"].get(key, {})
            r = ratio(hqs.get("p50_ms"), x.get("p50_ms"))
            add(f"| {scale} query p50 ≥ 10× lower than Xapian's, {label} (ratio ≤ 0.1) | {fmt(r, '.3f', '×')} "
                f"({fmt(hqs.get('p50_ms'), '.3f')} ms vs {fmt(x.get('p50_ms'), '.3f')} ms{per_pass(hqs, x)}) | "
                f"{verdict(r, lambda v: v <= 0.1)} |")
    hqs = R["queries_1x"].get("healthqa", {})
    p99 = hqs.get("dev-original", {}).get("p99_ms") if "skipped" not in hqs else None
    add(f"| healthqa p99 < 5 ms on the long consumer questions (1×, dev original) | {fmt(p99, '.3f', ' ms')} | "
        f"{verdict(p99, lambda v: v < 5)} |")
    r = ratio(hq1.get("size"), fc.get("size_compact"))
    add(f"| index size ≤ FTS5's (contentless, compacted) | {fmt(r, '.2f', '×')} ({fmt(mib(hq1.get('size'), True), '.1f')} MiB "
        f"vs {fmt(mib(fc.get('size_compact'), True), '.1f')} MiB; vs with content as built "
        f"{fmt(ratio(hq1.get('size'), b1['fts5'].get('size')), '.2f', '×')}) | {verdict(r, lambda v: v <= 1)} |")
    add("")
    return "\n".join(L) + "\n"


# ---------------------------------------------------------------------------


def parse_args(argv):
    ap = argparse.ArgumentParser(
        description="Build the same text into healthqa, SQLite FTS5 and Xapian; compare build time, "
                    "memory, size, query latency and quality.")
    ap.add_argument("--data", help="an ingested healthqa data folder (default: ingest the corpus into a "
                                   "temporary folder). Its search index is rebuilt --runs times.")
    ap.add_argument("--corpus", help="what to ingest when --data is not given (default: "
                                     "../shared/corpus/medquad, or ../shared/corpus with --sections all)")
    ap.add_argument("--sections", choices=["medquad", "all"], default="medquad",
                    help="which sections of the store the engines get (default medquad: the text of "
                         "the reference figures)")
    ap.add_argument("--runs", type=int, default=5, help="builds per engine, median reported (default 5)")
    ap.add_argument("--runs-10x", type=int, help="builds per engine on the 10x corpus (default: --runs)")
    ap.add_argument("--sampled", type=int, default=10000, help="sampled MedQuAD questions (default 10000)")
    ap.add_argument("--fts5-sampled", type=int, default=500,
                    help="FTS5 runs only the first N sampled questions (default 500): an OR of every "
                         "word costs it ~0.1 s a question on 1x and ~1 s on 10x")
    ap.add_argument("--query-passes", type=int, default=3,
                    help="passes of Xapian's and healthqa's query sessions, interleaved, median "
                         "reported (default 3; FTS5 runs in the first only)")
    ap.add_argument("--quick", action="store_true",
                    help="1 build, 1 query pass, 1,000 sampled questions, no 10x corpus")
    ap.add_argument("--skip-10x", action="store_true", help="skip the 10x corpus")
    ap.add_argument("--copies", type=int, default=10, help=argparse.SUPPRESS)
    ap.add_argument("--seed", type=int, default=SEED, help=f"seed for sampling and shuffling (default {SEED})")
    ap.add_argument("--fts5-config", choices=sorted(FTS5_CONFIGS), default=FTS5_DEFAULT)
    ap.add_argument("--xapian-config", choices=sorted(XAPIAN_CONFIGS), default=XAPIAN_DEFAULT)
    ap.add_argument("--variants", action="store_true",
                    help="also score every FTS5 / Xapian configuration on the dev questions (reference check)")
    ap.add_argument("--healthqa", default=os.path.join(ROOT, "build", "healthqa"), help="the healthqa binary")
    ap.add_argument("--results", default=os.path.join(HERE, "results"), help="where the report goes")
    ap.add_argument("--workdir", help="work folder (default: a temporary one, removed at the end)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("--timeout", type=float, default=4 * 3600, help="seconds per subprocess")
    ap.add_argument("--report", metavar="JSON",
                    help="only write the report again from a run's JSON (next to it, .md)")
    a = ap.parse_args(argv)
    if a.quick:
        a.runs, a.skip_10x, a.query_passes = 1, True, 1
        if a.sampled == 10000:
            a.sampled = 1000
    if a.runs_10x is None:
        a.runs_10x = a.runs
    if a.runs < 1 or a.runs_10x < 1 or a.query_passes < 1:
        ap.error("--runs, --runs-10x and --query-passes must be at least 1")
    return a


def rewrite_report(json_path):
    """The Markdown report of a finished run, from its JSON (after a change
    to how the report presents the figures; nothing is measured)."""
    with open(json_path, encoding="utf-8") as f:
        R = json.load(f)
    md_path = os.path.splitext(json_path)[0] + ".md"
    with open(md_path, "w", encoding="utf-8") as f:
        f.write(report(R))
    log(f"wrote {md_path} from {json_path}")


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "_worker":
        worker(json.loads(sys.argv[2]))
        return
    a = parse_args(sys.argv[1:])
    if a.report:
        rewrite_report(a.report)
        return
    if xapian is None:
        sys.exit("compare.py: needs the xapian module (Debian package python3-xapian) under "
                 "/usr/bin/python3")
    Bench(a).main()


if __name__ == "__main__":
    main()

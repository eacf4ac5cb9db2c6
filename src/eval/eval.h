/*
 * eval.h — scoring a run against judged answers, exactly as the
 * reference scorer ../shared/eval/eval.py does: same parsing, same
 * ordering, same averaging, same printed digits.
 *
 * Three files, one block each below:
 *   qrels.c    reading text files line by line the way Python's text mode
 *              does, the judgments (qrels) and the question list (queries
 *              TSV), and the small string map every file here uses;
 *   run.c      a run in memory (per question: docid, score, rank), loaded
 *              from a TREC run file or filled by the engine, and written
 *              back as a TREC run file;
 *   metrics.c  every metric eval.py prints, in its order, and its output.
 *
 * The future `healthqa eval` command fills an hq_run with hq_run_add(),
 * scores it with hq_eval_compute() and writes it with hq_run_write();
 * `healthqa eval --score RUN` is hq_eval_score_files().
 *
 * What eval.py does that the code here matches (each is tested):
 *   - Lines end at "\n", "\r\n" or a lone "\r" (Python's universal
 *     newlines), and are split into fields at Python's white space
 *     (str.split(): also U+001C..U+001F, U+0085, U+00A0, U+2028, ...).
 *   - qrels: lines with fewer than 4 fields are skipped silently; a docid
 *     judged twice keeps max(grade, previous, 0), so negative grades are
 *     stored as 0.
 *   - run: a non-blank line with fewer than 6 fields is an error; the
 *     score is read as Python's float() reads it (underscores, "inf",
 *     "Infinity", ".5", "5.", exponents; not hex), the rank as int().
 *   - Order per question: score descending, ties by docid descending
 *     (code point order, which is strcmp order on UTF-8); with keep_order
 *     the rank column ascending, ties by line order.  Only the first
 *     occurrence of a docid counts.
 *   - The ranking metrics average over the questions of the qrels, in
 *     Python's order sorted(key=(len(qid), qid)) where len counts code
 *     points; the LiveQA metrics over the queries file's list of qids
 *     (duplicates count twice; a line without a tab has the whole line,
 *     newline included, as its qid).
 *   - Float sums are plain left-to-right additions in that order, as
 *     Python <= 3.11's sum() does (the reference interpreter here is
 *     3.11.7).  Python 3.12 switched sum() to compensated summation; that
 *     can change a printed 4th decimal only when an exact mean lies within
 *     about 1e-16 of a rounding boundary (the committed fixtures print
 *     the same under both: checked once with a model of 3.12's sum()).
 *   - math.log2 is the C library's log2, called at run time (never folded
 *     by the compiler), as CPython calls it.
 *   - Values print as "%.4f" (Python's f"{v:.4f}" rounds the binary value
 *     correctly, half to even, as glibc's printf does), counts as
 *     integers.
 * Where eval.py would crash (a malformed number, a bad byte, no judged
 * question, an empty queries file) we return an error, naming file:line
 * when a line is at fault.
 * Where Python accepts what we do not, we refuse with an error rather
 * than guess: non-ASCII digits in numbers, NaN scores, NUL bytes, lines
 * over HQ_EVAL_MAX_LINE_BYTES, grades beyond +-HQ_EVAL_MAX_GRADE, ranks
 * beyond 64 bits.
 */
#ifndef HQ_EVAL_H
#define HQ_EVAL_H

#include "../base/base.h"

#include <locale.h>
#include <stdbool.h>
#include <stdio.h>

#define HQ_EVAL_MAX_LINE_BYTES 65536u   /* one line of a qrels, run or queries file */
#define HQ_EVAL_MAX_FILE_BYTES (256u << 20) /* one qrels, run or queries file */
#define HQ_EVAL_MAX_ROWS 10000000u      /* rows of one run */
#define HQ_EVAL_MAX_ID_BYTES 4096u      /* a qid, docid or tag given to hq_run_add/write */
#define HQ_EVAL_MAX_GRADE 1000000       /* |grade| in a qrels file */
#define HQ_EVAL_MAX_QIDS 1000000u       /* questions in a queries file */

/* ---- Interface to code in qrels.c ------------------------------------ */

/* A string -> size_t map (open addressing).  Keys are not copied: the
 * caller keeps them alive (in an arena) as long as the map. */
typedef struct hq_strmap_slot hq_strmap_slot;
typedef struct hq_strmap {
    hq_strmap_slot *slots;
    size_t n, cap;
} hq_strmap;

void hq_strmap_init(hq_strmap *m);
void hq_strmap_free(hq_strmap *m);
/* Forgets every key but keeps the memory. */
void hq_strmap_clear(hq_strmap *m);
/* Returns the value of key[0..len), or NULL when absent.  The pointer is
 * valid until the next put. */
size_t *hq_strmap_get(const hq_strmap *m, const char *key, size_t len);
/* Adds key[0..len) with value 0 when absent (*added = true) and returns
 * a pointer to its value, valid until the next put. */
size_t *hq_strmap_put(hq_strmap *m, const char *key, size_t len, bool *added);

/* True for the code points Python's str.isspace() accepts (str.split()
 * splits at them): U+0009..U+000D, U+001C..U+0020, U+0085, U+00A0,
 * U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000. */
bool hq_eval_is_space(int32_t cp);

/* A field of a line: s[0..len), pointing into the line. */
typedef struct hq_eval_field {
    const char *s;
    size_t len;
} hq_eval_field;

/* Splits s[0..len) (valid UTF-8) at runs of hq_eval_is_space() as
 * Python's str.split() does; stores the first max fields in fields[] and
 * returns how many it stored (so min(number of fields, max)). */
size_t hq_eval_split(const char *s, size_t len, hq_eval_field *fields, size_t max);

/* Reads a text file line by line as Python's text mode does: "\n",
 * "\r\n" and a lone "\r" end a line.  Each line is checked: at most
 * HQ_EVAL_MAX_LINE_BYTES bytes, no NUL byte, valid UTF-8; the file at
 * most HQ_EVAL_MAX_FILE_BYTES. */
typedef struct hq_eval_lines {
    FILE *f;
    const char *path;   /* as given to open; not copied */
    char *line;         /* the current line, NUL-terminated, without its end */
    size_t len;         /* its length in bytes */
    bool terminated;    /* the line ended with a newline (false: end of file) */
    long lineno;        /* 1-based number of the current line */
    unsigned long long n_bytes; /* bytes read so far */
} hq_eval_lines;

/* Opens path (which must stay valid until close).  HQ_EIO when it cannot
 * be opened, HQ_EINVAL when it is a folder.  On failure nothing needs
 * closing. */
hq_status hq_eval_lines_open(hq_eval_lines *r, const char *path, hq_error *err);
/* Reads the next line into r->line: returns HQ_OK with *got = true, or
 * HQ_OK with *got = false at the end of the file, or an error naming
 * path:line (HQ_ELIMIT, HQ_EFORMAT for a NUL byte, HQ_EUTF8, HQ_EIO). */
hq_status hq_eval_lines_next(hq_eval_lines *r, bool *got, hq_error *err);
void hq_eval_lines_close(hq_eval_lines *r);

/* Parses tok[0..len) as Python's int() does for a base-10 ASCII integer
 * (sign, digits, single underscores between digits) into *out.  Returns
 * false when the syntax is wrong or the value does not fit in 64 bits. */
bool hq_eval_parse_int(const char *tok, size_t len, long long *out);

/* The judgments of one question, in order of first appearance. */
typedef struct hq_qrels_doc {
    const char *docid;
    int grade; /* max of its judgments and 0, so >= 0 */
} hq_qrels_doc;

typedef struct hq_qrels_query {
    const char *qid;
    hq_qrels_doc *docs;
    size_t n_docs, cap_docs;
    hq_strmap by_docid; /* docid -> index in docs */
} hq_qrels_query;

typedef struct hq_qrels {
    hq_arena arena; /* every string */
    hq_qrels_query *queries; /* in order of first appearance */
    size_t n_queries, cap_queries;
    hq_strmap by_qid; /* qid -> index in queries */
} hq_qrels;

/* Loads a qrels file, `qid 0 docid grade` per line, as eval.py's
 * load_qrels does (see the top of this file).  On success *out is to be
 * released with hq_qrels_free(); on failure *out is NULL and err names
 * path:line: a grade that is not an integer (HQ_EFORMAT) or out of range
 * (HQ_ELIMIT), or a reading error of hq_eval_lines_next(). */
hq_status hq_qrels_load(const char *path, hq_qrels **out, hq_error *err);
void hq_qrels_free(hq_qrels *q);
/* The judgments of qid, or NULL when qid has none. */
const hq_qrels_query *hq_qrels_find(const hq_qrels *q, const char *qid);
/* True when docid is judged for the question, with its grade in *grade. */
bool hq_qrels_grade(const hq_qrels_query *qq, const char *docid, int *grade);

/* The question list of a queries TSV (`qid<TAB>text`), in file order,
 * duplicates kept, as eval.py builds all_qids: lines that are blank
 * (Python white space only) are skipped; the qid is the text before the
 * first tab, not trimmed, or the whole line and its "\n" when the line
 * has no tab. */
typedef struct hq_queries {
    hq_arena arena;
    const char **qids;
    size_t n_qids, cap_qids;
} hq_queries;

/* Loads path; on success *out is to be released with hq_queries_free().
 * Errors are those of hq_eval_lines_next(), and HQ_ELIMIT past
 * HQ_EVAL_MAX_QIDS lines. */
hq_status hq_queries_load(const char *path, hq_queries **out, hq_error *err);
void hq_queries_free(hq_queries *q);

/* ---- Interface to code in run.c -------------------------------------- */

/* One result: a docid returned for a question with its score and rank;
 * seq is the order in which rows were added (the line order of a file). */
typedef struct hq_run_row {
    const char *docid;
    double score;
    long long rank;
    size_t seq;
} hq_run_row;

typedef struct hq_run_query {
    const char *qid;
    hq_run_row *rows; /* in the order added */
    size_t n_rows, cap_rows;
} hq_run_query;

typedef struct hq_run {
    hq_arena arena;          /* every string */
    hq_run_query *queries;   /* in order of first appearance */
    size_t n_queries, cap_queries;
    hq_strmap by_qid;        /* qid -> index in queries */
    size_t n_rows;           /* rows of all questions */
} hq_run;

/* Returns an empty run (never NULL); release with hq_run_free(). */
hq_run *hq_run_new(void);
void hq_run_free(hq_run *run);

/* Adds a result for qid (copied).  qid and docid must be non-empty, valid
 * UTF-8, at most HQ_EVAL_MAX_ID_BYTES, without white space (they have to
 * survive the TREC format); score must not be NaN (Python's sort has no
 * defined order with NaN).  Returns HQ_OK, HQ_EINVAL (run unchanged; err
 * says why) or HQ_ELIMIT past HQ_EVAL_MAX_ROWS.  Any rank is accepted;
 * see hq_run_sorted() for how ranks and scores order the results. */
hq_status hq_run_add(hq_run *run, const char *qid, const char *docid, long long rank,
                     double score, hq_error *err);

/* Loads a TREC run file, `qid Q0 docid rank score tag` per line, as
 * eval.py's load_run does: blank lines are skipped; extra fields are
 * ignored.  On success *out is to be released with hq_run_free(); on
 * failure *out is NULL and err names path:line: a non-blank line with
 * fewer than 6 fields, a score that is not a number or is NaN, or a rank
 * that is not an integer (HQ_EFORMAT); HQ_ELIMIT past HQ_EVAL_MAX_ROWS;
 * reading errors of hq_eval_lines_next(). */
hq_status hq_run_load(const char *path, hq_run **out, hq_error *err);

/* The question qid of the run, or NULL when it has no row. */
const hq_run_query *hq_run_find(const hq_run *run, const char *qid);

/* Fills rows[0..qq->n_rows) (caller-allocated) with pointers to qq's rows
 * in the order eval.py ranks them: without keep_order by score descending,
 * ties by docid descending (strcmp), then by seq; with keep_order by rank
 * ascending, then by seq.  Duplicates are kept (callers skip them). */
void hq_run_sorted(const hq_run_query *qq, bool keep_order, const hq_run_row **rows);

/* Writes the run as a TREC file, `qid Q0 docid rank score tag\n` per row:
 * questions in order of first appearance, rows in hq_run_sorted(
 * keep_order) order with ranks renumbered 1..n, every row kept
 * (duplicates too).  The scores written are such that eval.py reading
 * the file - with or without --keep-order - sees exactly that order, so
 * its metrics equal hq_eval_compute(run, ..., keep_order):
 *   - each score is printed in the fewest significant digits (1..17,
 *     "%.*g") that read back as the same double, so no two distinct
 *     scores collapse (a fixed "%.6f" would merge 1.0000001 and
 *     1.0000002, and eval.py would then order them by docid);
 *   - with keep_order, where the rank order disagrees with eval.py's
 *     (score, docid) order - a higher score below a lower one, or equal
 *     scores with the docids ascending - the later score is lowered to
 *     the previous written score, or one ulp under it (nextafter), the
 *     least change that keeps the order.  Without keep_order no score
 *     changes.
 * tag must be a non-empty field without white space.  Returns HQ_OK,
 * HQ_EINVAL (bad tag, or an order that cannot be kept because a score
 * would have to go below -inf), or HQ_EIO when writing fails. */
hq_status hq_run_write(const hq_run *run, bool keep_order, const char *tag, FILE *out,
                       hq_error *err);

/* Parses tok[0..len) as Python's float() does, ASCII only (sign; digits
 * with single underscores between them; optional fraction and exponent;
 * "inf", "infinity", "nan" in any case), converting in the C locale
 * whatever the process locale.  Returns false when the syntax is wrong. */
bool hq_eval_parse_float(const char *tok, size_t len, double *out);

/* The "C" locale, created once (thread-safe) and never freed, for
 * strtod_l() and for printing numbers with uselocale() whatever the
 * process locale says about the decimal point.  (locale_t)0 only if the
 * C library cannot create it, in which case callers use the process
 * locale. */
locale_t hq_eval_c_locale(void);

/* ---- Interface to code in metrics.c ---------------------------------- */

/* eval.py's metrics in its output order: name, and whether it is a count
 * (printed as an integer) or a float (printed "%.4f").  The first
 * HQ_EVAL_N_RANKING are averaged over the judged questions (and are the
 * per-question values of --per-query). */
#define HQ_EVAL_METRICS(X)                        \
    X(MAP100, "map@100", false)                   \
    X(MAP100_STRICT, "map@100_strict", false)     \
    X(MAP10, "map@10", false)                     \
    X(MAP10_STRICT, "map@10_strict", false)       \
    X(MRR10, "mrr@10", false)                     \
    X(MRR10_STRICT, "mrr@10_strict", false)       \
    X(P5, "p@5", false)                           \
    X(P10, "p@10", false)                         \
    X(P5_STRICT, "p@5_strict", false)             \
    X(P10_STRICT, "p@10_strict", false)           \
    X(NDCG10, "ndcg@10", false)                   \
    X(JUDGED10, "judged@10", false)               \
    X(AVG_SCORE, "avg_score", false)              \
    X(SUCC2, "succ@2+", false)                    \
    X(SUCC3, "succ@3+", false)                    \
    X(SUCC4, "succ@4+", false)                    \
    X(NUM_Q_RUN, "num_q_run", true)               \
    X(NUM_Q_JUDGED, "num_q_judged", true)         \
    X(NUM_Q_REL2, "num_q_rel2", true)             \
    X(NUM_Q_REL3, "num_q_rel3", true)             \
    X(NUM_Q_ALL, "num_q_all", true)

typedef enum hq_eval_metric_id {
#define HQ_EVAL_ENUM(id, name, is_count) HQ_EVAL_##id,
    HQ_EVAL_METRICS(HQ_EVAL_ENUM)
#undef HQ_EVAL_ENUM
    HQ_EVAL_N_METRICS
} hq_eval_metric_id;

#define HQ_EVAL_N_RANKING (HQ_EVAL_JUDGED10 + 1)

/* The name of metric id ("map@100"), or NULL when id is out of range. */
const char *hq_eval_metric_name(hq_eval_metric_id id);
/* True when metric id is a count. */
bool hq_eval_metric_is_count(hq_eval_metric_id id);

/* The ranking metrics of one judged question. */
typedef struct hq_eval_per_query {
    const char *qid;
    double values[HQ_EVAL_N_RANKING];
} hq_eval_per_query;

typedef struct hq_eval_result {
    double values[HQ_EVAL_N_METRICS]; /* counts are stored as exact doubles too */
    long long counts[HQ_EVAL_N_METRICS]; /* the counts; 0 for the others */
    hq_eval_per_query *per;  /* the judged questions in eval.py's order */
    size_t n_per;
    hq_arena arena;          /* the qids of per */
} hq_eval_result;

/* Computes every metric of eval.py for run against qrels, the LiveQA
 * metrics over queries' qid list.  On success *res holds copies of what
 * it needs (release with hq_eval_result_free()); on failure *res needs no
 * freeing.  HQ_EINVAL when qrels judges no question or queries lists none
 * (eval.py divides by zero there). */
hq_status hq_eval_compute(const hq_run *run, const hq_qrels *qrels, const hq_queries *queries,
                          bool keep_order, hq_eval_result *res, hq_error *err);
void hq_eval_result_free(hq_eval_result *res);

/* Prints "name\tvalue\n" per metric as eval.py does ("%.4f" or an
 * integer, in the C locale); with per_query, then one line per judged
 * question as eval.py --per-query: "qid\tmap@100=0.123 map@100_strict=...".
 * Returns HQ_OK or HQ_EIO (err names "output") when writing fails. */
hq_status hq_eval_print(const hq_eval_result *res, bool per_query, FILE *out, hq_error *err);

/* Loads the three files (qrels first, then run, then queries, as eval.py
 * does), scores and prints as `eval.py RUN --qrels QRELS --queries
 * QUERIES [--keep-order]`.  Nothing is printed on failure.  Returns the
 * first error of the steps above. */
hq_status hq_eval_score_files(const char *run_path, const char *qrels_path,
                              const char *queries_path, bool keep_order, FILE *out,
                              hq_error *err);

#endif

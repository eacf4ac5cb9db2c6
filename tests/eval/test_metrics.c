/*
 * test_metrics.c — the scorer of src/eval against the reference
 * ../shared/eval/eval.py: for fixed runs (hand-made with every parsing
 * and ordering quirk, and two realistic 52-question runs) the output must
 * be eval.py's, byte for byte.  The expected files were made by running
 * eval.py (tests/fixtures/eval/make_fixtures.py).  Also: the Python
 * number and white-space rules, errors naming file:line, limits, and
 * writing runs that eval.py reads in our order.
 */
#include "../support/test_support.h"

#include "eval/eval.h"

#include <locale.h>
#include <math.h>
#include <unistd.h>

#define FIX HQ_FIXTURES "/eval/"

/* Everything written to f, as a malloc'd string. */
static char *slurp(FILE *f)
{
    assert_int_equal(fflush(f), 0);
    long size = ftell(f);
    assert_true(size >= 0);
    rewind(f);
    char *buf = malloc((size_t)size + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
    buf[size] = '\0';
    return buf;
}

/* Fails with the first differing line when got is not the expected file. */
static void assert_same_as_file(const char *got, const char *expected_path)
{
    size_t len;
    char *want = test_read_file(expected_path, &len);
    if (strcmp(got, want) != 0) {
        const char *g = got, *w = want;
        long line = 1;
        while (*g && *g == *w) {
            line += *g == '\n';
            g++;
            w++;
        }
        print_error("%s: differs at line %ld:\n got: %.80s\nwant: %.80s\n", expected_path, line,
                    g, w);
        free(want);
        fail();
    }
    free(want);
}

/* Scores run against qrels and queries (fixture names) and compares with
 * the expected file eval.py printed. */
static void check_scores(const char *run, const char *qrels, const char *queries,
                         bool keep_order, bool per_query, const char *expected)
{
    char paths[4][256];
    snprintf(paths[0], sizeof paths[0], FIX "%s", run);
    snprintf(paths[1], sizeof paths[1], FIX "%s", qrels);
    snprintf(paths[2], sizeof paths[2], FIX "%s", queries);
    snprintf(paths[3], sizeof paths[3], FIX "%s", expected);
    FILE *out = tmpfile();
    assert_non_null(out);
    hq_error err;
    hq_error_clear(&err);
    if (!per_query) {
        assert_int_equal(hq_eval_score_files(paths[0], paths[1], paths[2], keep_order, out, &err),
                         HQ_OK);
    } else {
        hq_qrels *q = NULL;
        hq_run *r = NULL;
        hq_queries *t = NULL;
        hq_eval_result res;
        assert_int_equal(hq_qrels_load(paths[1], &q, &err), HQ_OK);
        assert_int_equal(hq_run_load(paths[0], &r, &err), HQ_OK);
        assert_int_equal(hq_queries_load(paths[2], &t, &err), HQ_OK);
        assert_int_equal(hq_eval_compute(r, q, t, keep_order, &res, &err), HQ_OK);
        assert_int_equal(hq_eval_print(&res, true, out, &err), HQ_OK);
        hq_eval_result_free(&res);
        hq_queries_free(t);
        hq_run_free(r);
        hq_qrels_free(q);
    }
    char *got = slurp(out);
    fclose(out);
    assert_same_as_file(got, paths[3]);
    free(got);
}

static void test_small_fixture(void **state)
{
    check_scores("small.run", "small.qrels", "small.queries.tsv", false, false, "small.expected");
    check_scores("small.run", "small.qrels", "small.queries.tsv", true, false,
                 "small.keep.expected");
    check_scores("small.run", "small.qrels", "small.queries.tsv", false, true,
                 "small.per.expected");
}

static void test_liveqa_random_run(void **state)
{
    check_scores("liveqa_random.run", "liveqa.qrels", "liveqa.queries.tsv", false, false,
                 "liveqa_random.expected");
    check_scores("liveqa_random.run", "liveqa.qrels", "liveqa.queries.tsv", true, false,
                 "liveqa_random.keep.expected");
    check_scores("liveqa_random.run", "liveqa.qrels", "liveqa.queries.tsv", false, true,
                 "liveqa_random.per.expected");
}

static void test_liveqa_messy_run(void **state)
{
    check_scores("liveqa_messy.run", "liveqa.qrels", "liveqa.queries.tsv", false, false,
                 "liveqa_messy.expected");
    check_scores("liveqa_messy.run", "liveqa.qrels", "liveqa.queries.tsv", true, false,
                 "liveqa_messy.keep.expected");
    check_scores("liveqa_messy.run", "liveqa.qrels", "liveqa.queries.tsv", false, true,
                 "liveqa_messy.per.expected");
}

/* ---- Python's rules for fields and numbers ------------------------------ */

static void test_split_python_white_space(void **state)
{
    /* \x1c..\x1f, NBSP, U+3000 split; U+200B (zero width space) does not. */
    const char *s = " a\x1c" "b\xc2\xa0" "c\xe3\x80\x80" "d\xe2\x80\x8b" "e\t\x0b\x0c\x1f ";
    hq_eval_field f[8];
    size_t n = hq_eval_split(s, strlen(s), f, 8);
    assert_int_equal(n, 4);
    assert_true(f[0].len == 1 && f[0].s[0] == 'a');
    assert_true(f[2].len == 1 && f[2].s[0] == 'c');
    assert_int_equal(f[3].len, 5); /* d U+200B e */
    assert_int_equal(hq_eval_split(s, strlen(s), f, 2), 2);
    assert_int_equal(hq_eval_split(" \t\xe2\x80\xa8 ", 6, f, 2), 0); /* U+2028 */
    assert_false(hq_eval_is_space(0x180E));
    assert_false(hq_eval_is_space(0xFEFF));
    assert_true(hq_eval_is_space(0x85));
    assert_true(hq_eval_is_space(0x205F));
}

static void test_parse_float_like_python(void **state)
{
    static const struct {
        const char *s;
        double v;
    } good[] = {
        {"1", 1.0},        {"+1.5", 1.5},     {"-2", -2.0},        {".5", 0.5},
        {"5.", 5.0},       {"1e3", 1000.0},   {"1E-3", 0.001},     {"2.5e+1", 25.0},
        {"1_000.5", 1000.5}, {"1_0e1_0", 1e11}, {"0.3", 0.3},       {"007", 7.0},
        {"1e400", INFINITY}, {"-1e400", -INFINITY}, {"1e-400", 0.0},
        {"inf", INFINITY}, {"-Infinity", -INFINITY}, {"+INF", INFINITY}, {"iNfInItY", INFINITY},
        {"0.30000000000000004", 0.30000000000000004},
        {"2.2250738585072011e-308", 2.2250738585072011e-308},
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        double v = -42;
        if (!hq_eval_parse_float(good[i].s, strlen(good[i].s), &v))
            fail_msg("'%s' should parse", good[i].s);
        if (memcmp(&v, &good[i].v, sizeof v) != 0 && v != good[i].v)
            fail_msg("'%s' gave %.17g", good[i].s, v);
    }
    double v;
    assert_true(hq_eval_parse_float("-0", 2, &v));
    assert_true(v == 0.0 && signbit(v));
    assert_true(hq_eval_parse_float("NaN", 3, &v) && isnan(v));
    assert_true(hq_eval_parse_float("-nan", 4, &v) && isnan(v));
    /* float() refuses all of these (checked with Python 3.11). */
    static const char *bad[] = {"",     ".",     "e5",    "1e",   "1e+",   "_1",   "1_",
                                "1__0", "1_.5",  "1._5",  "1e_5", "0x10",  "1,5",  "in",
                                "infinit", "nan(1)", "--1", "+-1", "1.5.", "1 2",  "\xd9\xa3",
                                "1d5",  "inf5",  "1e5_",  "1.e",  "+",     "-.",  "e"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (hq_eval_parse_float(bad[i], strlen(bad[i]), &v))
            fail_msg("'%s' should not parse", bad[i]);
}

static void test_parse_int_like_python(void **state)
{
    long long v;
    assert_true(hq_eval_parse_int("+4", 2, &v) && v == 4);
    assert_true(hq_eval_parse_int("-0", 2, &v) && v == 0);
    assert_true(hq_eval_parse_int("0_3", 3, &v) && v == 3);
    assert_true(hq_eval_parse_int("007", 3, &v) && v == 7);
    assert_true(hq_eval_parse_int("1_000_000", 9, &v) && v == 1000000);
    assert_true(hq_eval_parse_int("-9223372036854775808", 20, &v) && v == INT64_MIN);
    assert_true(hq_eval_parse_int("9223372036854775807", 19, &v) && v == INT64_MAX);
    assert_false(hq_eval_parse_int("9223372036854775808", 19, &v));   /* Python: fine; we: too big */
    assert_false(hq_eval_parse_int("-9223372036854775809", 20, &v));
    static const char *bad[] = {"", "+", "-", "_1", "1_", "1__0", "1.0", "1e3", "0x1", "--1", " 1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (hq_eval_parse_int(bad[i], strlen(bad[i]), &v))
            fail_msg("'%s' should not parse", bad[i]);
}

/* ---- files with errors -------------------------------------------------- */

typedef struct tmpdir {
    char dir[64];
    char path[128];
} tmpdir;

static int setup(void **state)
{
    tmpdir *t = calloc(1, sizeof *t);
    test_make_temp_dir(t->dir, sizeof t->dir, "eval");
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    tmpdir *t = *state;
    test_remove_dir(t->dir);
    free(t);
    return 0;
}

/* Writes data[0..len) to <dir>/name and returns the path (in t). */
static const char *put_file(tmpdir *t, const char *name, const char *data, size_t len)
{
    snprintf(t->path, sizeof t->path, "%s/%s", t->dir, name);
    FILE *f = fopen(t->path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    return t->path;
}

/* Loads data as a run and expects code, an error at line, and a message
 * containing text. */
static void expect_run_error(tmpdir *t, const char *data, size_t len, hq_status code, long line,
                             const char *text)
{
    const char *path = put_file(t, "bad.run", data, len);
    hq_run *run = (hq_run *)1;
    hq_error err;
    hq_error_clear(&err);
    assert_int_equal(hq_run_load(path, &run, &err), code);
    assert_null(run);
    assert_string_equal(err.where, path);
    assert_int_equal(err.line, line);
    if (strstr(err.message, text) == NULL)
        fail_msg("message '%s' lacks '%s'", err.message, text);
}

static void test_run_errors(void **state)
{
    tmpdir *t = *state;
    /* Lines end at \n, \r\n and a lone \r, as in Python's text mode. */
    const char *short_line = "q Q0 d 1 1 t\r\nq Q0 d 2 2 t\r\n  \nq Q0 d 3\n";
    expect_run_error(t, short_line, strlen(short_line), HQ_EFORMAT, 4,
                     "expected 'qid Q0 docid rank score tag', found 4 fields");
    const char *cr = "q Q0 d 1 1 t\rq Q0 d 2 x t\r";
    expect_run_error(t, cr, strlen(cr), HQ_EFORMAT, 2, "score 'x' is not a number");
    const char *nan = "q Q0 d 1 nan t\n";
    expect_run_error(t, nan, strlen(nan), HQ_EFORMAT, 1, "is NaN");
    const char *rank = "\n\nq Q0 d 1.0 1 t\n";
    expect_run_error(t, rank, strlen(rank), HQ_EFORMAT, 3, "rank '1.0' is not an integer");
    const char nul[] = "q Q0 d 1 1 t\nq Q0 d\0 1 1 t\n";
    expect_run_error(t, nul, sizeof nul - 1, HQ_EFORMAT, 2, "NUL byte");
    const char *utf8 = "q Q0 d\xff 1 1 t\n";
    expect_run_error(t, utf8, strlen(utf8), HQ_EUTF8, 1, "invalid UTF-8");
    const char *bom_ok = "\xef\xbb\xbfq Q0 d 1 1 t\n"; /* a BOM is part of the qid, as in Python */
    const char *path = put_file(t, "bom.run", bom_ok, strlen(bom_ok));
    hq_run *run = NULL;
    assert_int_equal(hq_run_load(path, &run, NULL), HQ_OK);
    assert_non_null(hq_run_find(run, "\xef\xbb\xbfq"));
    assert_null(hq_run_find(run, "q"));
    hq_run_free(run);

    /* One line over the cap: an error, never a crash. */
    size_t big = HQ_EVAL_MAX_LINE_BYTES + 10;
    char *data = malloc(big + 20);
    memcpy(data, "q Q0 d 1 1 t\n", 13);
    memset(data + 13, 'x', big);
    expect_run_error(t, data, 13 + big, HQ_ELIMIT, 2, "over the limit");
    free(data);

    hq_error err;
    hq_error_clear(&err);
    run = (hq_run *)1;
    assert_int_equal(hq_run_load("/nonexistent/run.txt", &run, &err), HQ_EIO);
    assert_null(run);
    assert_string_equal(err.where, "/nonexistent/run.txt");
    hq_error_clear(&err);
    assert_int_equal(hq_run_load(t->dir, &run, &err), HQ_EINVAL);
    assert_non_null(strstr(err.message, "folder"));
    char msg[2048];
    hq_error_clear(&err);
    path = put_file(t, "bad2.run", "q Q0 d 1 1e t\n", 14);
    assert_int_equal(hq_run_load(path, &run, &err), HQ_EFORMAT);
    hq_error_format(&err, msg, sizeof msg);
    assert_non_null(strstr(msg, "bad2.run:1: score '1e' is not a number"));
}

static void test_qrels_and_queries(void **state)
{
    tmpdir *t = *state;
    /* Short lines are skipped (even garbage); the grade must be an int. */
    const char *ok = "garbage\nq 0\nq 0 d 2 more\nq 0 d 4\nq 0 e -3\n";
    const char *path = put_file(t, "ok.qrels", ok, strlen(ok));
    hq_qrels *q = NULL;
    assert_int_equal(hq_qrels_load(path, &q, NULL), HQ_OK);
    assert_int_equal(q->n_queries, 1);
    const hq_qrels_query *qq = hq_qrels_find(q, "q");
    assert_non_null(qq);
    int g = -1;
    assert_true(hq_qrels_grade(qq, "d", &g) && g == 4);
    assert_true(hq_qrels_grade(qq, "e", &g) && g == 0); /* max(-3, 0) */
    assert_false(hq_qrels_grade(qq, "f", &g));
    hq_qrels_free(q);

    hq_error err;
    hq_error_clear(&err);
    const char *bad = "q 0 d 2\nq 0 d two\n";
    path = put_file(t, "bad.qrels", bad, strlen(bad));
    q = (hq_qrels *)1;
    assert_int_equal(hq_qrels_load(path, &q, &err), HQ_EFORMAT);
    assert_null(q);
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.message, "grade 'two' is not an integer"));
    hq_error_clear(&err);
    const char *huge = "q 0 d 99999999999\n";
    path = put_file(t, "huge.qrels", huge, strlen(huge));
    assert_int_equal(hq_qrels_load(path, &q, &err), HQ_ELIMIT);
    assert_int_equal(err.line, 1);

    /* Queries: blank lines skipped, duplicates kept, no tab = whole line
     * with its newline, CRLF read as "\n". */
    const char *tsv = "a\tx\r\n\r\n \t \nb\nc\t\tz\na\ty\nlast";
    path = put_file(t, "q.tsv", tsv, strlen(tsv));
    hq_queries *qs = NULL;
    assert_int_equal(hq_queries_load(path, &qs, NULL), HQ_OK);
    assert_int_equal(qs->n_qids, 5);
    assert_string_equal(qs->qids[0], "a");
    assert_string_equal(qs->qids[1], "b\n");
    assert_string_equal(qs->qids[2], "c");
    assert_string_equal(qs->qids[3], "a");
    assert_string_equal(qs->qids[4], "last");
    hq_queries_free(qs);
}

/* Where eval.py divides by zero we return an error. */
static void test_nothing_to_average(void **state)
{
    tmpdir *t = *state;
    char qrels[128], empty[128], queries[128], run[128];
    snprintf(qrels, sizeof qrels, "%s", put_file(t, "a.qrels", "q 0 d 2\n", 8));
    snprintf(empty, sizeof empty, "%s", put_file(t, "empty", "\n \n", 3));
    snprintf(queries, sizeof queries, "%s", put_file(t, "q.tsv", "q\tx\n", 4));
    snprintf(run, sizeof run, "%s", put_file(t, "r.run", "q Q0 d 1 1 t\n", 13));
    FILE *out = tmpfile();
    hq_error err;
    hq_error_clear(&err);
    assert_int_equal(hq_eval_score_files(run, empty, queries, false, out, &err), HQ_EINVAL);
    assert_non_null(strstr(err.message, "judge no question"));
    hq_error_clear(&err);
    assert_int_equal(hq_eval_score_files(run, qrels, empty, false, out, &err), HQ_EINVAL);
    assert_non_null(strstr(err.message, "lists no question"));
    assert_int_equal(ftell(out), 0); /* nothing printed */
    /* An empty run is fine: every question scores 0. */
    assert_int_equal(hq_eval_score_files(empty, qrels, queries, false, out, NULL), HQ_OK);
    char *got = slurp(out);
    assert_non_null(strstr(got, "map@100\t0.0000\n"));
    assert_non_null(strstr(got, "avg_score\t0.0000\n"));
    assert_non_null(strstr(got, "num_q_run\t0\n"));
    free(got);
    fclose(out);
}

/* ---- building and writing runs ------------------------------------------ */

static void test_run_add_rejects(void **state)
{
    hq_run *run = hq_run_new();
    hq_error err;
    hq_error_clear(&err);
    assert_int_equal(hq_run_add(run, "q", "a b", 1, 1.0, &err), HQ_EINVAL);
    assert_non_null(strstr(err.message, "white space"));
    assert_int_equal(hq_run_add(run, "q", "a\xc2\xa0" "b", 1, 1.0, NULL), HQ_EINVAL);
    assert_int_equal(hq_run_add(run, "", "d", 1, 1.0, NULL), HQ_EINVAL);
    assert_int_equal(hq_run_add(run, "q", "\xff", 1, 1.0, NULL), HQ_EINVAL);
    assert_int_equal(hq_run_add(run, "q", "d", 1, NAN, NULL), HQ_EINVAL);
    assert_int_equal(run->n_rows, 0);
    assert_int_equal(hq_run_add(run, "q", "d", 1, -INFINITY, NULL), HQ_OK);
    assert_int_equal(hq_run_add(run, "q", "e", 2, -INFINITY, NULL), HQ_OK);
    FILE *out = tmpfile();
    hq_error_clear(&err);
    /* "e" after "d" at -inf cannot be kept: nothing is below -inf. */
    assert_int_equal(hq_run_write(run, true, "t", out, &err), HQ_EINVAL);
    assert_non_null(strstr(err.message, "-inf"));
    assert_int_equal(hq_run_write(run, false, "t", out, NULL), HQ_OK);
    assert_int_equal(hq_run_write(run, false, "bad tag", out, NULL), HQ_EINVAL);
    fclose(out);
    hq_run_free(run);
}

/* The run the engine might produce: ranks 1..n in its own order, which
 * disagrees with eval.py's (score desc, docid desc) where scores tie with
 * ascending docids, where a higher score is ranked below a lower one,
 * and where scores differ past the 6th digit. */
static hq_run *engine_run(void)
{
    static const struct {
        const char *qid, *docid;
        double score;
    } rows[] = {
        {"Q1", "d1", 2.5},        {"Q1", "d2", 2.5},        {"Q1", "d4", 2.5},
        {"Q1", "u1", 3.0},        {"Q1", "d3", 1.0000002},  {"Q1", "u2", 1.0000001},
        {"Q1", "d5", 0.0},        {"Q1", "u4", -0.0},       {"Q1", "d6", 0.0},
        {"Q3", "w", 0.1},         {"Q3", "z", 0.1},         {"Q3", "x", 0.1},
        {"Q3", "y", 1e-300},      {"Q4", "d8", INFINITY},   {"Q4", "d9", INFINITY},
        {"Q4", "d7", 12.345678901234567}, {"Q\xc3\xa9", "e1", 1}, {"Q\xc3\xa9", "e2", 2},
        {"Qab", "ab1", -1},       {"Qab", "ab2", -1},       {"Q8", "y", 5},
    };
    hq_run *run = hq_run_new();
    long long rank = 0;
    const char *prev = "";
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        rank = strcmp(prev, rows[i].qid) == 0 ? rank + 1 : 1;
        prev = rows[i].qid;
        assert_int_equal(hq_run_add(run, rows[i].qid, rows[i].docid, rank, rows[i].score, NULL),
                         HQ_OK);
    }
    return run;
}

static char *write_run(const hq_run *run, bool keep_order)
{
    FILE *out = tmpfile();
    assert_non_null(out);
    assert_int_equal(hq_run_write(run, keep_order, "healthqa", out, NULL), HQ_OK);
    char *s = slurp(out);
    fclose(out);
    return s;
}

static char *score_run(const hq_run *run, const char *qrels, const char *queries, bool keep,
                       bool per_query)
{
    hq_qrels *q = NULL;
    hq_queries *t = NULL;
    hq_eval_result res;
    assert_int_equal(hq_qrels_load(qrels, &q, NULL), HQ_OK);
    assert_int_equal(hq_queries_load(queries, &t, NULL), HQ_OK);
    assert_int_equal(hq_eval_compute(run, q, t, keep, &res, NULL), HQ_OK);
    FILE *out = tmpfile();
    assert_int_equal(hq_eval_print(&res, per_query, out, NULL), HQ_OK);
    char *s = slurp(out);
    fclose(out);
    hq_eval_result_free(&res);
    hq_queries_free(t);
    hq_qrels_free(q);
    return s;
}

/* hq_run_write(keep_order) gives the golden file, and eval.py on that
 * file (written_keep.*.expected, made by make_fixtures.py) prints what
 * we compute on the run in memory in rank order. */
static void test_write_keep_order(void **state)
{
    hq_run *run = engine_run();
    char *written = write_run(run, true);
    if (getenv("HQ_EVAL_REGEN") != NULL) { /* see make_fixtures.py */
        FILE *f = fopen(FIX "written_keep.run", "wb");
        assert_non_null(f);
        assert_int_equal(fputs(written, f) >= 0 && fclose(f) == 0, 1);
    }
    assert_same_as_file(written, FIX "written_keep.run");
    free(written);
    char *got = score_run(run, FIX "small.qrels", FIX "small.queries.tsv", true, true);
    assert_same_as_file(got, FIX "written_keep.per.expected");
    free(got);
    /* eval.py with and without --keep-order agree on the written file. */
    got = score_run(run, FIX "small.qrels", FIX "small.queries.tsv", true, false);
    assert_same_as_file(got, FIX "written_keep.expected");
    assert_same_as_file(got, FIX "written_keep.keep.expected");
    free(got);
    hq_run_free(run);
}

/* Reading a written run back gives the same metrics in both orders. */
static void test_write_round_trip(void **state)
{
    tmpdir *t = *state;
    const char *qrels = FIX "liveqa.qrels", *queries = FIX "liveqa.queries.tsv";
    for (int keep = 0; keep <= 1; keep++) {
        hq_run *run = NULL;
        assert_int_equal(hq_run_load(FIX "liveqa_messy.run", &run, NULL), HQ_OK);
        char *want = score_run(run, qrels, queries, keep, true);
        char *text = write_run(run, keep);
        const char *path = put_file(t, "w.run", text, strlen(text));
        hq_run *back = NULL;
        assert_int_equal(hq_run_load(path, &back, NULL), HQ_OK);
        for (int keep2 = 0; keep2 <= 1; keep2++) {
            char *got = score_run(back, qrels, queries, keep2, true);
            assert_string_equal(got, want);
            free(got);
        }
        /* Writing what was read changes nothing. */
        char *again = write_run(back, false);
        assert_string_equal(again, text);
        free(again);
        hq_run_free(back);
        free(text);
        free(want);
        hq_run_free(run);
    }
}

/* The output does not depend on the process locale's decimal point. */
static void test_locale_independent(void **state)
{
    static const char *names[] = {"de_DE.UTF-8", "fr_FR.UTF-8", "de_DE.utf8", "fr_FR.utf8",
                                  "ru_RU.UTF-8"};
    const char *set = NULL;
    for (size_t i = 0; i < sizeof names / sizeof *names && set == NULL; i++)
        set = setlocale(LC_NUMERIC, names[i]);
    if (set == NULL) {
        /* No locale with a decimal comma is installed: nothing to check.
         * (Not skip(): cmocka's TAP prints "not ok # SKIP", which
         * tests/run.sh would count as a failure.) */
        print_message("# no decimal-comma locale installed; locale check not run\n");
        return;
    }
    check_scores("small.run", "small.qrels", "small.queries.tsv", false, true,
                 "small.per.expected");
    setlocale(LC_NUMERIC, "C");
}

static void test_metric_names(void **state)
{
    assert_string_equal(hq_eval_metric_name(HQ_EVAL_MAP100), "map@100");
    assert_string_equal(hq_eval_metric_name(HQ_EVAL_JUDGED10), "judged@10");
    assert_string_equal(hq_eval_metric_name(HQ_EVAL_NUM_Q_ALL), "num_q_all");
    assert_null(hq_eval_metric_name(HQ_EVAL_N_METRICS));
    assert_true(hq_eval_metric_is_count(HQ_EVAL_NUM_Q_RUN));
    assert_false(hq_eval_metric_is_count(HQ_EVAL_AVG_SCORE));
    assert_int_equal(HQ_EVAL_N_METRICS, 21);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_fixture),
        cmocka_unit_test(test_liveqa_random_run),
        cmocka_unit_test(test_liveqa_messy_run),
        cmocka_unit_test(test_split_python_white_space),
        cmocka_unit_test(test_parse_float_like_python),
        cmocka_unit_test(test_parse_int_like_python),
        cmocka_unit_test_setup_teardown(test_run_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_qrels_and_queries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nothing_to_average, setup, teardown),
        cmocka_unit_test(test_run_add_rejects),
        cmocka_unit_test(test_write_keep_order),
        cmocka_unit_test_setup_teardown(test_write_round_trip, setup, teardown),
        cmocka_unit_test(test_locale_independent),
        cmocka_unit_test(test_metric_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

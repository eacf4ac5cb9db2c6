/*
 * run.c — a run in memory: per question, the (docid, score, rank) rows a
 * system returned, filled by the engine through hq_run_add() or read
 * from a TREC run file; their order as eval.py ranks them; and writing
 * them back as a TREC run file that eval.py reads in the same order.
 *
 * The run owns every string (one arena) and its row arrays.  Called by
 * metrics.c and, later, by the `healthqa eval` command.
 */
#include "eval.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ---- the C locale ------------------------------------------------------ */

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void make_c_locale(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

locale_t hq_eval_c_locale(void)
{
    pthread_once(&c_locale_once, make_c_locale);
    return c_locale;
}

/* ---- Python's float() --------------------------------------------------- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* digitpart ::= digit (["_"] digit)*, copied to buf without the '_'. */
static bool digitpart(const char *s, size_t len, size_t *i, char *buf, size_t *o)
{
    if (*i >= len || !is_digit(s[*i]))
        return false;
    buf[(*o)++] = s[(*i)++];
    while (*i < len) {
        if (is_digit(s[*i]))
            buf[(*o)++] = s[(*i)++];
        else if (s[*i] == '_' && *i + 1 < len && is_digit(s[*i + 1]))
            (*i)++;
        else
            break;
    }
    return true;
}

/* True when s[0..len) equals the lower-case ASCII word w, in any case. */
static bool same_word(const char *s, size_t len, const char *w)
{
    if (strlen(w) != len)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != w[i])
            return false;
    }
    return true;
}

/* Validates the syntax of Python's floatvalue into buf (underscores
 * dropped, NUL-terminated; buf has len + 1 bytes).  Returns 1 for a
 * number in buf, 2 for an infinity, 3 for a NaN, 0 for bad syntax. */
static int float_syntax(const char *s, size_t len, char *buf, bool *neg)
{
    size_t i = 0, o = 0;
    *neg = false;
    if (i < len && (s[i] == '+' || s[i] == '-')) {
        *neg = s[i] == '-';
        buf[o++] = s[i++];
    }
    if (same_word(s + i, len - i, "inf") || same_word(s + i, len - i, "infinity"))
        return 2;
    if (same_word(s + i, len - i, "nan"))
        return 3;
    bool has_int = digitpart(s, len, &i, buf, &o);
    bool has_frac = false;
    if (i < len && s[i] == '.') {
        buf[o++] = s[i++];
        has_frac = digitpart(s, len, &i, buf, &o);
    }
    if (!has_int && !has_frac)
        return 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        buf[o++] = s[i++];
        if (i < len && (s[i] == '+' || s[i] == '-'))
            buf[o++] = s[i++];
        if (!digitpart(s, len, &i, buf, &o))
            return 0;
    }
    buf[o] = '\0';
    return i == len ? 1 : 0;
}

bool hq_eval_parse_float(const char *tok, size_t len, double *out)
{
    char small[128];
    char *buf = len < sizeof small ? small : hq_xmalloc(len + 1);
    bool neg;
    int kind = float_syntax(tok, len, buf, &neg);
    if (kind == 1) {
        locale_t loc = hq_eval_c_locale();
        /* strtod rounds correctly, as Python's dtoa does; overflow gives
         * +-inf and underflow 0 or a subnormal in both. */
        *out = loc ? strtod_l(buf, NULL, loc) : strtod(buf, NULL);
    } else if (kind == 2) {
        *out = neg ? -INFINITY : INFINITY;
    } else if (kind == 3) {
        *out = NAN;
    }
    if (buf != small)
        free(buf);
    return kind != 0;
}

/* ---- the run ------------------------------------------------------------ */

hq_run *hq_run_new(void)
{
    hq_run *run = hq_xcalloc(1, sizeof *run);
    hq_arena_init(&run->arena);
    hq_strmap_init(&run->by_qid);
    return run;
}

void hq_run_free(hq_run *run)
{
    if (run == NULL)
        return;
    for (size_t i = 0; i < run->n_queries; i++)
        free(run->queries[i].rows);
    free(run->queries);
    hq_strmap_free(&run->by_qid);
    hq_arena_free(&run->arena);
    free(run);
}

/* Appends a row; qid and docid need not be NUL-terminated.  The caller
 * has checked the row limit and the score. */
static void add_row(hq_run *run, const char *qid, size_t qid_len, const char *docid,
                    size_t docid_len, long long rank, double score)
{
    size_t *idx = hq_strmap_get(&run->by_qid, qid, qid_len);
    hq_run_query *qq;
    if (idx) {
        qq = &run->queries[*idx];
    } else {
        hq_grow((void **)&run->queries, &run->cap_queries, run->n_queries + 1,
                sizeof *run->queries);
        qq = &run->queries[run->n_queries];
        memset(qq, 0, sizeof *qq);
        qq->qid = hq_arena_strndup(&run->arena, qid, qid_len);
        bool added;
        *hq_strmap_put(&run->by_qid, qq->qid, qid_len, &added) = run->n_queries++;
    }
    hq_grow((void **)&qq->rows, &qq->cap_rows, qq->n_rows + 1, sizeof *qq->rows);
    qq->rows[qq->n_rows++] = (hq_run_row){
        .docid = hq_arena_strndup(&run->arena, docid, docid_len),
        .score = score,
        .rank = rank,
        .seq = run->n_rows++,
    };
}

/* Checks that s is one TREC field: non-empty, valid UTF-8, short enough,
 * without Python white space.  what names it in the error. */
static hq_status check_field(const char *s, const char *what, hq_error *err)
{
    size_t len = strlen(s);
    if (len == 0)
        return hq_fail(err, HQ_EINVAL, NULL, 0, -1, "%s is empty", what);
    if (len > HQ_EVAL_MAX_ID_BYTES)
        return hq_fail(err, HQ_EINVAL, NULL, 0, -1, "%s is %zu bytes long, over the limit of %u",
                       what, len, HQ_EVAL_MAX_ID_BYTES);
    if (hq_utf8_invalid_at(s, len) >= 0)
        return hq_fail(err, HQ_EINVAL, NULL, 0, -1, "%s is not valid UTF-8", what);
    hq_eval_field f[2];
    if (hq_eval_split(s, len, f, 2) != 1 || f[0].len != len)
        return hq_fail(err, HQ_EINVAL, NULL, 0, -1, "%s '%s' contains white space", what, s);
    return HQ_OK;
}

hq_status hq_run_add(hq_run *run, const char *qid, const char *docid, long long rank,
                     double score, hq_error *err)
{
    hq_status rc = check_field(qid, "qid", err);
    if (rc == HQ_OK)
        rc = check_field(docid, "docid", err);
    if (rc != HQ_OK)
        return rc;
    if (isnan(score))
        return hq_fail(err, HQ_EINVAL, NULL, 0, -1, "score of %s for %s is NaN", docid, qid);
    if (run->n_rows >= HQ_EVAL_MAX_ROWS)
        return hq_fail(err, HQ_ELIMIT, NULL, 0, -1, "run has more than %u rows",
                       HQ_EVAL_MAX_ROWS);
    add_row(run, qid, strlen(qid), docid, strlen(docid), rank, score);
    return HQ_OK;
}

/* One line of a run file: a row, nothing (blank) or an error. */
static hq_status load_line(hq_run *run, const hq_eval_lines *r, hq_error *err)
{
    hq_eval_field f[6];
    size_t n = hq_eval_split(r->line, r->len, f, 6);
    if (n == 0)
        return HQ_OK; /* blank */
    if (n < 6)
        return hq_fail(err, HQ_EFORMAT, r->path, r->lineno, -1,
                       "expected 'qid Q0 docid rank score tag', found %zu field%s", n,
                       n == 1 ? "" : "s");
    double score;
    long long rank;
    int shown = f[4].len > 40 ? 40 : (int)f[4].len;
    if (!hq_eval_parse_float(f[4].s, f[4].len, &score))
        return hq_fail(err, HQ_EFORMAT, r->path, r->lineno, -1,
                       "score '%.*s' is not a number", shown, f[4].s);
    if (isnan(score))
        return hq_fail(err, HQ_EFORMAT, r->path, r->lineno, -1,
                       "score '%.*s' is NaN, which has no place in an order", shown, f[4].s);
    shown = f[3].len > 40 ? 40 : (int)f[3].len;
    if (!hq_eval_parse_int(f[3].s, f[3].len, &rank))
        return hq_fail(err, HQ_EFORMAT, r->path, r->lineno, -1,
                       "rank '%.*s' is not an integer of at most 64 bits", shown, f[3].s);
    if (run->n_rows >= HQ_EVAL_MAX_ROWS)
        return hq_fail(err, HQ_ELIMIT, r->path, r->lineno, -1, "run has more than %u rows",
                       HQ_EVAL_MAX_ROWS);
    add_row(run, f[0].s, f[0].len, f[2].s, f[2].len, rank, score);
    return HQ_OK;
}

hq_status hq_run_load(const char *path, hq_run **out, hq_error *err)
{
    *out = NULL;
    hq_eval_lines r;
    hq_status rc = hq_eval_lines_open(&r, path, err);
    if (rc != HQ_OK)
        return rc;
    hq_run *run = hq_run_new();
    bool got;
    while ((rc = hq_eval_lines_next(&r, &got, err)) == HQ_OK && got)
        if ((rc = load_line(run, &r, err)) != HQ_OK)
            break;
    hq_eval_lines_close(&r);
    if (rc != HQ_OK) {
        hq_run_free(run);
        return rc;
    }
    *out = run;
    return HQ_OK;
}

const hq_run_query *hq_run_find(const hq_run *run, const char *qid)
{
    size_t *idx = hq_strmap_get(&run->by_qid, qid, strlen(qid));
    return idx ? &run->queries[*idx] : NULL;
}

/* ---- order -------------------------------------------------------------- */

static int by_seq(const hq_run_row *x, const hq_run_row *y)
{
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* lst.sort(key=(score, docid), reverse=True); Python's sort is stable, so
 * equal keys keep the file order (and have the same docid anyway).
 * -0.0 and 0.0 are equal here as in Python. */
static int by_score(const void *a, const void *b)
{
    const hq_run_row *x = *(const hq_run_row *const *)a, *y = *(const hq_run_row *const *)b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    int c = strcmp(x->docid, y->docid);
    if (c != 0)
        return c > 0 ? -1 : 1;
    return by_seq(x, y);
}

/* lst.sort(key=(rank, line number)) */
static int by_rank(const void *a, const void *b)
{
    const hq_run_row *x = *(const hq_run_row *const *)a, *y = *(const hq_run_row *const *)b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return by_seq(x, y);
}

void hq_run_sorted(const hq_run_query *qq, bool keep_order, const hq_run_row **rows)
{
    for (size_t i = 0; i < qq->n_rows; i++)
        rows[i] = &qq->rows[i];
    if (qq->n_rows > 1)
        qsort(rows, qq->n_rows, sizeof *rows, keep_order ? by_rank : by_score);
}

/* ---- writing ------------------------------------------------------------ */

/* The shortest "%.*g" of w that reads back as w (C locale in effect). */
static void format_score(double w, char *buf, size_t size)
{
    locale_t loc = hq_eval_c_locale();
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, size, "%.*g", p, w);
        double back = loc ? strtod_l(buf, NULL, loc) : strtod(buf, NULL);
        if (back == w)
            return;
    }
}

/* The scores to write for rows[0..n) so that sorting by (score, docid)
 * descending keeps this order: the least downward change (see eval.h). */
static hq_status written_scores(const hq_run_query *qq, const hq_run_row **rows, double *w,
                                hq_error *err)
{
    for (size_t i = 0; i < qq->n_rows; i++) {
        w[i] = rows[i]->score;
        if (i == 0)
            continue;
        if (w[i] > w[i - 1])
            w[i] = w[i - 1];
        if (w[i] == w[i - 1] && strcmp(rows[i]->docid, rows[i - 1]->docid) > 0) {
            if (w[i - 1] == -INFINITY)
                return hq_fail(err, HQ_EINVAL, NULL, 0, -1,
                               "question %s: cannot keep the rank order of %s under a score "
                               "of -inf",
                               qq->qid, rows[i]->docid);
            w[i] = nextafter(w[i - 1], -INFINITY);
        }
    }
    return HQ_OK;
}

static hq_status write_query(const hq_run_query *qq, bool keep_order, const char *tag,
                             FILE *out, hq_error *err)
{
    const hq_run_row **rows = hq_xmalloc(qq->n_rows * sizeof *rows);
    double *w = hq_xmalloc(qq->n_rows * sizeof *w);
    hq_run_sorted(qq, keep_order, rows);
    hq_status rc = written_scores(qq, rows, w, err);
    for (size_t i = 0; rc == HQ_OK && i < qq->n_rows; i++) {
        char score[64];
        format_score(w[i], score, sizeof score);
        size_t len = strlen(qq->qid) + strlen(rows[i]->docid) + strlen(score) + strlen(tag) + 28;
        if (len > HQ_EVAL_MAX_LINE_BYTES)
            rc = hq_fail(err, HQ_ELIMIT, NULL, 0, -1,
                         "question %s: a line would be over %u bytes", qq->qid,
                         HQ_EVAL_MAX_LINE_BYTES);
        else if (fprintf(out, "%s Q0 %s %zu %s %s\n", qq->qid, rows[i]->docid, i + 1, score,
                         tag) < 0)
            rc = hq_fail(err, HQ_EIO, "output", 0, -1, "cannot write the run");
    }
    free(w);
    free(rows);
    return rc;
}

hq_status hq_run_write(const hq_run *run, bool keep_order, const char *tag, FILE *out,
                       hq_error *err)
{
    hq_status rc = check_field(tag, "tag", err);
    if (rc != HQ_OK)
        return rc;
    locale_t loc = hq_eval_c_locale();
    locale_t old = loc ? uselocale(loc) : (locale_t)0;
    for (size_t q = 0; rc == HQ_OK && q < run->n_queries; q++)
        rc = write_query(&run->queries[q], keep_order, tag, out, err);
    if (rc == HQ_OK && fflush(out) != 0)
        rc = hq_fail(err, HQ_EIO, "output", 0, -1, "cannot write the run");
    if (loc)
        uselocale(old);
    return rc;
}

/*
 * metrics.c — every metric ../shared/eval/eval.py computes, with its
 * definitions, averaging, order of floating-point operations and output
 * format, so that the printed lines are the same bytes.
 *
 * The functions below mirror eval.py's ap, rr, prec, ndcg and evaluate;
 * the comments quote the Python they reproduce.  Owns nothing but the
 * results it returns.  Called by hq_eval_score_files (the future
 * `healthqa eval --score`) and the future `healthqa eval`.
 */
#include "eval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TOP 100 /* the deepest cut any metric looks at (map@100) */

static const struct {
    const char *name;
    bool is_count;
} metric_info[HQ_EVAL_N_METRICS] = {
#define HQ_EVAL_INFO(id, name, is_count) {name, is_count},
    HQ_EVAL_METRICS(HQ_EVAL_INFO)
#undef HQ_EVAL_INFO
};

const char *hq_eval_metric_name(hq_eval_metric_id id)
{
    return (unsigned)id < HQ_EVAL_N_METRICS ? metric_info[id].name : NULL;
}

bool hq_eval_metric_is_count(hq_eval_metric_id id)
{
    return (unsigned)id < HQ_EVAL_N_METRICS && metric_info[id].is_count;
}

/* ---- one question's ranking --------------------------------------------- */

/* The top of one question's ranking: first occurrences only, at most TOP,
 * with each docid's grade (1 when unjudged, as grades.get(d, 1)) and
 * whether it is judged. */
typedef struct ranking {
    size_t n;
    int grade[TOP];
    bool judged[TOP];
} ranking;

static void rank_query(const hq_run_query *qq, const hq_qrels_query *judg, bool keep_order,
                       hq_strmap *seen, ranking *out)
{
    out->n = 0;
    if (qq == NULL)
        return; /* run.get(q, []) */
    const hq_run_row **rows = hq_xmalloc(qq->n_rows * sizeof *rows);
    hq_run_sorted(qq, keep_order, rows);
    hq_strmap_clear(seen);
    for (size_t i = 0; i < qq->n_rows && out->n < TOP; i++) {
        bool added;
        hq_strmap_put(seen, rows[i]->docid, strlen(rows[i]->docid), &added);
        if (!added)
            continue; /* only the first occurrence counts */
        int g = 1;
        out->judged[out->n] = judg != NULL && hq_qrels_grade(judg, rows[i]->docid, &g);
        out->grade[out->n] = g;
        out->n++;
    }
    free(rows);
}

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* math.log2(i) as Python computes it: the C library's log2 at run time.
 * volatile stops the compiler from folding it with its own (correctly
 * rounded) arithmetic, which could differ from the library in the last
 * bit. */
static double py_log2(size_t i)
{
    volatile double x = (double)i;
    return log2(x);
}

/* ap(ranked, rel, k): rel = judgment >= thr; nrel counts them all. */
static double ap(const ranking *r, int thr, size_t nrel, size_t k)
{
    if (nrel == 0)
        return 0.0;
    size_t hits = 0;
    double s = 0.0;
    for (size_t i = 1; i <= min_size(r->n, k); i++) {
        if (r->grade[i - 1] >= thr) {
            hits++;
            s += (double)hits / (double)i;
        }
    }
    return s / (double)nrel;
}

/* rr(ranked, rel, k) */
static double rr(const ranking *r, int thr, size_t k)
{
    for (size_t i = 1; i <= min_size(r->n, k); i++)
        if (r->grade[i - 1] >= thr)
            return 1.0 / (double)i;
    return 0.0;
}

/* prec(ranked, rel, k): divided by k even when fewer were returned. */
static double prec(const ranking *r, int thr, size_t k)
{
    size_t hits = 0;
    for (size_t i = 0; i < min_size(r->n, k); i++)
        hits += r->grade[i] >= thr;
    return (double)hits / (double)k;
}

static int gain(int g)
{
    return g > 1 ? g - 1 : 0; /* max(0, g - 1) */
}

static int by_int_desc(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return x > y ? -1 : x < y;
}

/* ndcg(ranked, grades, k).  Python's sum() of floats (3.11) adds left to
 * right from 0; so do we. */
static double ndcg(const ranking *r, const hq_qrels_query *judg, size_t k)
{
    double dcg = 0.0;
    for (size_t i = 1; i <= min_size(r->n, k); i++)
        dcg += (double)gain(r->grade[i - 1]) / py_log2(i + 1);
    int *ideal = hq_xmalloc((judg->n_docs ? judg->n_docs : 1) * sizeof *ideal);
    for (size_t i = 0; i < judg->n_docs; i++)
        ideal[i] = gain(judg->docs[i].grade);
    qsort(ideal, judg->n_docs, sizeof *ideal, by_int_desc);
    double idcg = 0.0;
    for (size_t i = 1; i <= min_size(judg->n_docs, k); i++)
        idcg += (double)ideal[i - 1] / py_log2(i + 1);
    free(ideal);
    return idcg > 0 ? dcg / idcg : 0.0;
}

static size_t count_at_least(const hq_qrels_query *judg, int thr)
{
    size_t n = 0;
    for (size_t i = 0; i < judg->n_docs; i++)
        n += judg->docs[i].grade >= thr;
    return n;
}

/* per[q] of evaluate(), in the order of its keys. */
static void per_query(const ranking *r, const hq_qrels_query *judg, double *v)
{
    size_t n2 = count_at_least(judg, 2), n3 = count_at_least(judg, 3);
    v[HQ_EVAL_MAP100] = ap(r, 2, n2, 100);
    v[HQ_EVAL_MAP100_STRICT] = ap(r, 3, n3, 100);
    v[HQ_EVAL_MAP10] = ap(r, 2, n2, 10);
    v[HQ_EVAL_MAP10_STRICT] = ap(r, 3, n3, 10);
    v[HQ_EVAL_MRR10] = rr(r, 2, 10);
    v[HQ_EVAL_MRR10_STRICT] = rr(r, 3, 10);
    v[HQ_EVAL_P5] = prec(r, 2, 5);
    v[HQ_EVAL_P10] = prec(r, 2, 10);
    v[HQ_EVAL_P5_STRICT] = prec(r, 3, 5);
    v[HQ_EVAL_P10_STRICT] = prec(r, 3, 10);
    v[HQ_EVAL_NDCG10] = ndcg(r, judg, 10);
    size_t top10 = min_size(r->n, 10), judged = 0;
    for (size_t i = 0; i < top10; i++)
        judged += r->judged[i];
    v[HQ_EVAL_JUDGED10] = top10 ? (double)judged / (double)top10 : 0.0;
}

/* ---- the judged questions in eval.py's order ---------------------------- */

typedef struct judged_q {
    const hq_qrels_query *q;
    size_t n_chars; /* len(qid) in Python: code points */
} judged_q;

static size_t n_code_points(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* sorted(qrels, key=lambda s: (len(s), s)) */
static int by_len_then_qid(const void *a, const void *b)
{
    const judged_q *x = a, *y = b;
    if (x->n_chars != y->n_chars)
        return x->n_chars < y->n_chars ? -1 : 1;
    return strcmp(x->q->qid, y->q->qid);
}

/* ---- evaluate ----------------------------------------------------------- */

void hq_eval_result_free(hq_eval_result *res)
{
    free(res->per);
    hq_arena_free(&res->arena);
    memset(res, 0, sizeof *res);
}

static void set_count(hq_eval_result *res, hq_eval_metric_id id, long long n)
{
    res->counts[id] = n;
    res->values[id] = (double)n;
}

/* The LiveQA top-1 metrics over every question of queries. */
static void liveqa(const hq_run *run, const hq_qrels *qrels, const hq_queries *queries,
                   bool keep_order, hq_eval_result *res)
{
    long long sum = 0, succ[5] = {0}, n_run = 0;
    for (size_t i = 0; i < queries->n_qids; i++) {
        const char *qid = queries->qids[i];
        const hq_run_query *qq = hq_run_find(run, qid);
        int g = 1; /* qrels.get(q, {}).get(ranked[0], 1) if ranked else 1 */
        if (qq != NULL) {
            n_run++;
            const hq_run_row **rows = hq_xmalloc(qq->n_rows * sizeof *rows);
            hq_run_sorted(qq, keep_order, rows);
            const hq_qrels_query *judg = hq_qrels_find(qrels, qid);
            if (judg != NULL)
                hq_qrels_grade(judg, rows[0]->docid, &g);
            free(rows);
        }
        sum += g - 1;
        for (int k = 2; k <= 4; k++)
            succ[k] += g >= k;
    }
    double n = (double)queries->n_qids;
    /* Python's int / int: both exact in a double, one correctly rounded
     * division. */
    res->values[HQ_EVAL_AVG_SCORE] = (double)sum / n;
    res->values[HQ_EVAL_SUCC2] = (double)succ[2] / n;
    res->values[HQ_EVAL_SUCC3] = (double)succ[3] / n;
    res->values[HQ_EVAL_SUCC4] = (double)succ[4] / n;
    set_count(res, HQ_EVAL_NUM_Q_RUN, n_run);
    set_count(res, HQ_EVAL_NUM_Q_ALL, (long long)queries->n_qids);
}

hq_status hq_eval_compute(const hq_run *run, const hq_qrels *qrels, const hq_queries *queries,
                          bool keep_order, hq_eval_result *res, hq_error *err)
{
    memset(res, 0, sizeof *res);
    if (qrels->n_queries == 0)
        return hq_fail(err, HQ_EINVAL, NULL, 0, -1,
                       "the qrels judge no question: nothing to average over");
    if (queries->n_qids == 0)
        return hq_fail(err, HQ_EINVAL, NULL, 0, -1,
                       "the queries file lists no question: nothing to average over");
    size_t n = qrels->n_queries;
    judged_q *order = hq_xmalloc(n * sizeof *order);
    for (size_t i = 0; i < n; i++)
        order[i] = (judged_q){&qrels->queries[i], n_code_points(qrels->queries[i].qid)};
    qsort(order, n, sizeof *order, by_len_then_qid);

    hq_arena_init(&res->arena);
    res->per = hq_xcalloc(n, sizeof *res->per);
    res->n_per = n;
    hq_strmap seen;
    hq_strmap_init(&seen);
    ranking *r = hq_xmalloc(sizeof *r);
    long long n_rel2 = 0, n_rel3 = 0;
    for (size_t i = 0; i < n; i++) {
        const hq_qrels_query *judg = order[i].q;
        rank_query(hq_run_find(run, judg->qid), judg, keep_order, &seen, r);
        res->per[i].qid = hq_arena_strdup(&res->arena, judg->qid);
        per_query(r, judg, res->per[i].values);
        n_rel2 += count_at_least(judg, 2) > 0;
        n_rel3 += count_at_least(judg, 3) > 0;
    }
    free(r);
    hq_strmap_free(&seen);
    free(order);

    /* res[k] = sum(per[q][k] for q in judged_q) / len(judged_q) */
    for (int k = 0; k < HQ_EVAL_N_RANKING; k++) {
        double s = 0.0;
        for (size_t i = 0; i < n; i++)
            s += res->per[i].values[k];
        res->values[k] = s / (double)n;
    }
    liveqa(run, qrels, queries, keep_order, res);
    set_count(res, HQ_EVAL_NUM_Q_JUDGED, (long long)n);
    set_count(res, HQ_EVAL_NUM_Q_REL2, n_rel2);
    set_count(res, HQ_EVAL_NUM_Q_REL3, n_rel3);
    return HQ_OK;
}

/* ---- output ------------------------------------------------------------- */

static bool print_all(const hq_eval_result *res, bool per_query_lines, FILE *out)
{
    for (int k = 0; k < HQ_EVAL_N_METRICS; k++) {
        int w = metric_info[k].is_count
                    ? fprintf(out, "%s\t%lld\n", metric_info[k].name, res->counts[k])
                    : fprintf(out, "%s\t%.4f\n", metric_info[k].name, res->values[k]);
        if (w < 0)
            return false;
    }
    if (!per_query_lines)
        return true;
    /* q + "\t" + " ".join(f"{k}={v:.3f}" for k, v in m.items()) */
    for (size_t i = 0; i < res->n_per; i++) {
        if (fprintf(out, "%s\t", res->per[i].qid) < 0)
            return false;
        for (int k = 0; k < HQ_EVAL_N_RANKING; k++)
            if (fprintf(out, "%s%s=%.3f", k ? " " : "", metric_info[k].name,
                        res->per[i].values[k]) < 0)
                return false;
        if (fputc('\n', out) == EOF)
            return false;
    }
    return true;
}

hq_status hq_eval_print(const hq_eval_result *res, bool per_query_lines, FILE *out,
                        hq_error *err)
{
    locale_t loc = hq_eval_c_locale();
    locale_t old = loc ? uselocale(loc) : (locale_t)0;
    bool ok = print_all(res, per_query_lines, out) && fflush(out) == 0;
    if (loc)
        uselocale(old);
    return ok ? HQ_OK : hq_fail(err, HQ_EIO, "output", 0, -1, "cannot write the metrics");
}

hq_status hq_eval_score_files(const char *run_path, const char *qrels_path,
                              const char *queries_path, bool keep_order, FILE *out,
                              hq_error *err)
{
    hq_qrels *qrels = NULL;
    hq_run *run = NULL;
    hq_queries *queries = NULL;
    hq_eval_result res;
    memset(&res, 0, sizeof res);
    hq_status rc = hq_qrels_load(qrels_path, &qrels, err);
    if (rc == HQ_OK)
        rc = hq_run_load(run_path, &run, err);
    if (rc == HQ_OK)
        rc = hq_queries_load(queries_path, &queries, err);
    if (rc == HQ_OK)
        rc = hq_eval_compute(run, qrels, queries, keep_order, &res, err);
    if (rc == HQ_OK) {
        rc = hq_eval_print(&res, false, out, err);
        hq_eval_result_free(&res);
    }
    hq_queries_free(queries);
    hq_run_free(run);
    hq_qrels_free(qrels);
    return rc;
}

/*
 * evaluate.c — hq_evaluate(): every question of a TSV file through the
 * search engine in one process, timed; the run scored with the metrics
 * of ../shared/eval/eval.py (src/eval/).
 */
#include "engine.h"
#include "../eval/eval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct questions {
    hq_qline *items;
    size_t n, cap;
    const char *path;
    hq_error *err;
} questions;

static hq_status question_line(void *ctx, char *line, long lineno)
{
    questions *qs = ctx;
    if (line[0] == '\0')
        return HQ_OK; /* blank lines are skipped */
    char *tab = strchr(line, '\t');
    if (tab == NULL || tab == line)
        return hq_fail(qs->err, HQ_EFORMAT, qs->path, lineno, -1, "expected \"qid<TAB>question\"");
    *tab = '\0';
    hq_grow((void **)&qs->items, &qs->cap, qs->n + 1, sizeof *qs->items);
    qs->items[qs->n++] = (hq_qline){hq_xstrdup(line), hq_xstrdup(tab + 1)};
    return HQ_OK;
}

hq_status hq_read_qlines(const char *path, hq_qline **out, size_t *n, hq_error *err)
{
    questions qs = {.path = path, .err = err};
    hq_status rc = hq_read_lines(path, 256u << 20, question_line, &qs, err);
    *out = qs.items;
    *n = qs.n;
    return rc;
}

void hq_qlines_free(hq_qline *qs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(qs[i].qid);
        free(qs[i].text);
    }
    free(qs);
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted[0..n). */
static double percentile(const double *sorted, size_t n, double p)
{
    if (n == 0)
        return 0;
    size_t rank = (size_t)ceil(p / 100.0 * (double)n);
    return sorted[rank ? rank - 1 : 0];
}

/* Runs every question; adds its hits to run (when not NULL) and its
 * latency to lat. */
static hq_status run_all(hq_engine *e, hq_snapshot *snap, const hq_qline *qs, size_t n,
                         size_t limit, unsigned mode, hq_run *run, double *lat, hq_error *err)
{
    hq_analyzer *a = hq_engine_take_analyzer(e);
    hq_status rc = HQ_OK;
    for (size_t i = 0; rc == HQ_OK && i < n; i++) {
        hq_search_run sr;
        hq_error qerr;
        hq_error_clear(&qerr);
        double t0 = hq_now();
        hq_status qrc = hq_engine_search(e, a, snap, qs[i].text, limit, mode, &sr, &qerr);
        double t = hq_now() - t0;
        if (lat)
            lat[i] = t;
        if (qrc == HQ_EINVAL || qrc == HQ_EUTF8 || qrc == HQ_ELIMIT) {
            /* a question the parser rejects (e.g. only stop words) has no hits */
        } else if (qrc != HQ_OK) {
            rc = hq_fail(err, qrc, qerr.where, qerr.line, qerr.offset, "question %s: %s",
                         qs[i].qid, qerr.message);
        }
        for (size_t h = 0; run && rc == HQ_OK && qrc == HQ_OK && h < sr.n_hits; h++) {
            const hq_segment *s = snap->segs[sr.hits[h].seg];
            hq_docinfo di;
            hq_segment_doc(s, sr.hits[h].doc, &di);
            rc = hq_run_add(run, qs[i].qid, hq_segment_string(s, di.section_id),
                            (long long)h + 1, sr.hits[h].score, err);
        }
        hq_search_run_free(&sr);
    }
    hq_engine_release_analyzer(e, a);
    return rc;
}

static hq_status write_run(const hq_run *run, const char *path, hq_error *err)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return hq_fail(err, HQ_EIO, path, 0, -1, "cannot create the run file");
    hq_status rc = hq_run_write(run, true, "healthqa", f, err); /* our order, ties included */
    if (fclose(f) != 0 && rc == HQ_OK)
        rc = hq_fail(err, HQ_EIO, path, 0, -1, "cannot write the run file");
    return rc;
}

static hq_status score(const hq_run *run, const hq_eval_options *o, FILE *out, hq_error *err)
{
    hq_qrels *qrels = NULL;
    hq_queries *queries = NULL;
    hq_status rc = hq_qrels_load(o->qrels, &qrels, err);
    if (rc == HQ_OK)
        rc = hq_queries_load(o->queries, &queries, err);
    hq_eval_result res;
    if (rc == HQ_OK)
        rc = hq_eval_compute(run, qrels, queries, true, &res, err);
    if (rc == HQ_OK) {
        rc = hq_eval_print(&res, o->per_query, out, err);
        hq_eval_result_free(&res);
    }
    hq_qrels_free(qrels);
    hq_queries_free(queries);
    return rc;
}

hq_status hq_evaluate(hq_engine *e, const hq_eval_options *o, FILE *out, hq_error *err)
{
    hq_qline *qs = NULL;
    size_t n = 0;
    hq_status rc = hq_read_qlines(o->queries, &qs, &n, err);
    hq_snapshot *snap = NULL;
    if (rc == HQ_OK)
        rc = hq_engine_snapshot(e, &snap, err);
    size_t limit = o->limit ? o->limit : 100;
    unsigned mode = o->plain ? HQ_SEARCH_PLAIN : 0;
    double *lat = hq_xcalloc(n + 1, sizeof *lat);
    hq_run *run = hq_run_new();
    if (rc == HQ_OK && o->warmup)
        rc = run_all(e, snap, qs, n, limit, mode, NULL, NULL, err);
    double t0 = hq_now();
    if (rc == HQ_OK)
        rc = run_all(e, snap, qs, n, limit, mode, run, lat, err);
    double wall = hq_now() - t0;
    if (rc == HQ_OK && o->run_out)
        rc = write_run(run, o->run_out, err);
    if (rc == HQ_OK && o->qrels)
        rc = score(run, o, out, err);
    if (rc == HQ_OK) {
        double sum = 0;
        for (size_t i = 0; i < n; i++)
            sum += lat[i];
        qsort(lat, n, sizeof *lat, compare_double);
        fprintf(out, "num_queries\t%zu\n", n);
        fprintf(out, "latency_p50_ms\t%.4f\n", percentile(lat, n, 50) * 1e3);
        fprintf(out, "latency_p99_ms\t%.4f\n", percentile(lat, n, 99) * 1e3);
        fprintf(out, "latency_mean_ms\t%.4f\n", n ? sum / (double)n * 1e3 : 0.0);
        fprintf(out, "qps\t%.1f\n", wall > 0 ? (double)n / wall : 0.0);
    }
    hq_run_free(run);
    free(lat);
    hq_snapshot_unref(snap);
    hq_qlines_free(qs, n);
    return rc;
}

/*
 * search.c — hq_search(): a query string through the parser, into a
 * ranking plan, over the current snapshot, to hits with snippets.
 *
 * Also the internal hq_engine_search(), which the evaluator uses to get
 * ranked section ids without building JSON or snippets.
 */
#include "engine.h"
#include "../answer/answer.h"
#include "../query/query.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LIMIT 1000
#define MAX_DEPTH 10000

/* The plan's arrays, owned here; strings point into the hq_query. */
typedef struct plan_store {
    hq_plan plan;
    hq_plan_term *terms;
    hq_plan_phrase *required, *excluded;
    hq_plan_term *phrase_terms;
    uint32_t *rel_pos;
    hq_plan_filter *filters;
} plan_store;

static hq_plan_phrase make_phrase(plan_store *ps, size_t *used, const hq_qterm *t, uint32_t n)
{
    hq_plan_phrase ph = {&ps->phrase_terms[*used], &ps->rel_pos[*used], n};
    for (uint32_t i = 0; i < n; i++) {
        ps->phrase_terms[*used + i] = (hq_plan_term){t[i].term, t[i].len, 1.0};
        ps->rel_pos[*used + i] = t[i].pos;
    }
    *used += n;
    return ph;
}

static void plan_build(plan_store *ps, const hq_query *q, const hq_snapshot *snap,
                       const hq_bm25f *params)
{
    memset(ps, 0, sizeof *ps);
    ps->terms = hq_xcalloc(q->n_terms + 1, sizeof *ps->terms);
    for (uint32_t i = 0; i < q->n_terms; i++)
        ps->terms[i] = (hq_plan_term){q->terms[i].term, q->terms[i].len, q->terms[i].weight};
    size_t n_words = q->n_excluded;
    for (uint32_t i = 0; i < q->n_phrases; i++)
        n_words += q->phrases[i].n;
    ps->phrase_terms = hq_xcalloc(n_words + 1, sizeof *ps->phrase_terms);
    ps->rel_pos = hq_xcalloc(n_words + 1, sizeof *ps->rel_pos);
    ps->required = hq_xcalloc(q->n_phrases + 1, sizeof *ps->required);
    ps->excluded = hq_xcalloc(q->n_phrases + q->n_excluded + 1, sizeof *ps->excluded);
    size_t used = 0, n_req = 0, n_exc = 0;
    for (uint32_t i = 0; i < q->n_phrases; i++) {
        hq_plan_phrase ph = make_phrase(ps, &used, q->phrases[i].terms, q->phrases[i].n);
        if (q->phrases[i].excluded)
            ps->excluded[n_exc++] = ph;
        else
            ps->required[n_req++] = ph;
    }
    for (uint32_t i = 0; i < q->n_excluded; i++)
        ps->excluded[n_exc++] = make_phrase(ps, &used, &q->excluded[i], 1);
    ps->filters = hq_xcalloc(q->n_filters + 1, sizeof *ps->filters);
    for (uint32_t i = 0; i < q->n_filters; i++) {
        static const hq_plan_filter_kind kinds[] = {
            [HQ_FILTER_SOURCE] = HQ_PF_SOURCE, [HQ_FILTER_TYPE] = HQ_PF_TYPE,
            [HQ_FILTER_TRUST] = HQ_PF_TRUST};
        ps->filters[i] = (hq_plan_filter){kinds[q->filters[i].kind], q->filters[i].value,
                                          q->filters[i].excluded};
    }
    ps->plan = (hq_plan){snap,          params,      ps->terms,    q->n_terms,
                         ps->required,  n_req,       ps->excluded, n_exc,
                         ps->filters,   q->n_filters, 0};
}

static void plan_free(plan_store *ps)
{
    free(ps->terms);
    free(ps->required);
    free(ps->excluded);
    free(ps->phrase_terms);
    free(ps->rel_pos);
    free(ps->filters);
}

/* The weight question analysis gives a parser term: its key term's
 * weight, growing slowly with repeats; 0 for words it ignores
 * (greetings, codes). */
static double understood_weight(const hq_question *qn, const hq_plan_term *t)
{
    for (size_t i = 0; i < qn->n_keys; i++) {
        const hq_key_term *k = &qn->keys[i];
        if (k->len == t->len && memcmp(k->term, t->term, t->len) == 0)
            return k->weight * sqrt((double)k->count);
    }
    return 0;
}

/* Reweights the plan's scored terms by question analysis and appends the
 * focus' synonyms.  A query left with no weighted term keeps its own
 * weights. */
static void plan_understand(plan_store *ps, const hq_question *qn)
{
    size_t n = ps->plan.n_terms, kept = 0;
    double *w = hq_xcalloc(n + 1, sizeof *w);
    for (size_t i = 0; i < n; i++) {
        w[i] = understood_weight(qn, &ps->terms[i]);
        kept += w[i] > 0;
    }
    if (kept == 0) {
        free(w);
        return;
    }
    size_t n_out = 0;
    hq_plan_term *terms = hq_xcalloc(n + qn->n_keys + 1, sizeof *terms);
    for (size_t i = 0; i < n; i++)
        if (w[i] > 0)
            terms[n_out++] = (hq_plan_term){ps->terms[i].term, ps->terms[i].len, w[i]};
    for (size_t i = 0; i < qn->n_keys; i++)
        if (qn->keys[i].role == HQ_ROLE_SYNONYM && n_out < HQ_QUERY_MAX_TERMS)
            terms[n_out++] = (hq_plan_term){qn->keys[i].term, qn->keys[i].len, qn->keys[i].weight};
    free(w);
    free(ps->terms);
    ps->terms = terms;
    ps->plan.terms = terms;
    ps->plan.n_terms = n_out;
}

hq_status hq_engine_search(hq_engine *e, hq_analyzer *a, hq_snapshot *snap, const char *text,
                           size_t k, unsigned mode, hq_search_run *run, hq_error *err)
{
    memset(run, 0, sizeof *run);
    hq_query *q = hq_xcalloc(1, sizeof *q);
    hq_status rc = hq_query_parse(a, text, strlen(text), q, err);
    if (rc != HQ_OK) {
        hq_query_free(q);
        free(q);
        return rc;
    }
    run->query = q;
    bool understand = !(mode & HQ_SEARCH_PLAIN);
    if (understand)
        rc = hq_engine_understanding(e, err);
    if (rc != HQ_OK)
        return rc;
    plan_store *ps = hq_xmalloc(sizeof *ps);
    plan_build(ps, q, snap, &e->params);
    run->plan = ps;
    ps->plan.count_exact = mode & HQ_SEARCH_COUNT ? HQ_COUNT_EXACT : 0;
    size_t depth = k;
    if (understand) {
        run->question = hq_xcalloc(1, sizeof *run->question);
        hq_question_analyze(e->vocab, e->cues, a, &e->rerank.query, text, strlen(text),
                            run->question);
        plan_understand(ps, run->question);
        if (depth < (size_t)e->rerank.depth)
            depth = (size_t)e->rerank.depth;
    }
    run->hits = hq_xmalloc((depth ? depth : 1) * sizeof *run->hits);
    rc = hq_topk(&ps->plan, depth, mode & HQ_SEARCH_EXHAUSTIVE, run->hits, &run->n_hits,
                 &run->stats, err);
    hq_engine_hint_rebuild(err);
    run->best_first_stage = rc == HQ_OK && run->n_hits ? run->hits[0].score : 0;
    if (rc == HQ_OK && understand)
        hq_rerank(&e->rerank, snap, e->vocab, run->question, run->hits, run->n_hits);
    if (run->n_hits > k)
        run->n_hits = k;
    return rc;
}

const hq_plan *hq_search_run_plan(const hq_search_run *run)
{
    return &run->plan->plan;
}

void hq_search_run_free(hq_search_run *run)
{
    if (run->plan) {
        plan_free(run->plan);
        free(run->plan);
    }
    if (run->query) {
        hq_query_free(run->query);
        free(run->query);
    }
    if (run->question) {
        hq_question_free(run->question);
        free(run->question);
    }
    free(run->hits);
    memset(run, 0, sizeof *run);
}

static json_t *snippet_json(hq_analyzer *a, const char *body, const hq_query *q)
{
    hq_snippet sn = {0};
    json_t *o = json_object(), *spans = json_array();
    if (hq_snippet_make(a, body, body ? strlen(body) : 0, q, 0, &sn) == HQ_OK) {
        json_object_set_new(o, "text", json_string(sn.text ? sn.text : ""));
        for (uint32_t i = 0; i < sn.n_spans; i++)
            json_array_append_new(spans, json_pack("[ii]", (json_int_t)sn.spans[i].start,
                                                   (json_int_t)sn.spans[i].end));
    } else {
        json_object_set_new(o, "text", json_string(""));
    }
    json_object_set_new(o, "highlights", spans);
    hq_snippet_free(&sn);
    return o;
}

static json_t *nullable(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* The section id of hit h in snap (a string of its segment). */
static const char *hit_section_id(const hq_snapshot *snap, const hq_hit *h)
{
    const hq_segment *s = snap->segs[h->seg];
    hq_docinfo di;
    hq_segment_doc(s, h->doc, &di);
    return hq_segment_string(s, di.section_id);
}

static json_t *hit_json(hq_analyzer *a, const hq_snapshot *snap, const hq_hit *h,
                        const hq_store_hit_info *info, const hq_query *q, bool snippets)
{
    const hq_segment *s = snap->segs[h->seg];
    hq_docinfo di;
    hq_segment_doc(s, h->doc, &di);
    json_t *o = json_object();
    json_object_set_new(o, "section_id", json_string(hq_segment_string(s, di.section_id)));
    json_object_set_new(o, "article_id", json_string(hq_segment_string(s, di.article_id)));
    json_object_set_new(o, "title", nullable(info->title));
    json_object_set_new(o, "article_title", nullable(info->article_title));
    json_object_set_new(o, "source", json_string(hq_segment_string(s, di.source)));
    json_object_set_new(o, "trust", json_string(hq_trust_name(di.trust)));
    json_object_set_new(o, "url", nullable(info->url));
    json_object_set_new(o, "question_type", nullable(info->qtype));
    json_object_set_new(o, "score", json_real(h->score));
    json_object_set_new(o, "has_body", json_boolean(info->body != NULL && *info->body));
    if (snippets)
        json_object_set_new(o, "snippet", snippet_json(a, info->body, q));
    return o;
}

/* The hits run->hits[from..n_hits) as a JSON array, their rows read from
 * the store in one batch. */
static hq_status hits_json(hq_engine *e, hq_analyzer *a, const hq_snapshot *snap,
                           const hq_search_run *run, size_t from, bool snippets, json_t **out,
                           hq_error *err)
{
    size_t n = run->n_hits > from ? run->n_hits - from : 0;
    const char **ids = hq_xcalloc(n + 1, sizeof *ids);
    hq_store_hit_info *info = hq_xcalloc(n + 1, sizeof *info);
    for (size_t i = 0; i < n; i++)
        ids[i] = hit_section_id(snap, &run->hits[from + i]);
    hq_status rc = hq_store_hits(e->store, ids, n, info, err);
    *out = rc == HQ_OK ? json_array() : NULL;
    for (size_t i = 0; rc == HQ_OK && i < n; i++) {
        json_array_append_new(*out, hit_json(a, snap, &run->hits[from + i], &info[i],
                                             run->query, snippets));
        hq_store_hit_free(&info[i]);
    }
    free(info);
    free(ids);
    return rc;
}

hq_status hq_search(hq_engine *e, const char *query, const hq_search_options *o, json_t **out,
                    hq_error *err)
{
    *out = NULL;
    hq_search_options opt = o ? *o : (hq_search_options){0};
    if (opt.limit == 0)
        opt.limit = 10;
    if (opt.limit > MAX_LIMIT || opt.offset > MAX_DEPTH - opt.limit)
        return hq_fail(err, HQ_EINVAL, NULL, 0, -1,
                       "limit must be 1..%d and offset + limit at most %d", MAX_LIMIT, MAX_DEPTH);
    double t0 = hq_now();
    hq_snapshot *snap = NULL;
    hq_status rc = hq_engine_snapshot(e, &snap, err);
    if (rc != HQ_OK)
        return rc;
    hq_analyzer *a = hq_engine_take_analyzer(e);
    hq_search_run run;
    rc = hq_engine_search(e, a, snap, query, opt.offset + opt.limit,
                          HQ_SEARCH_COUNT | (opt.exhaustive ? HQ_SEARCH_EXHAUSTIVE : 0) |
                              (opt.plain ? HQ_SEARCH_PLAIN : 0),
                          &run, err);
    double took = hq_now() - t0;
    json_t *hits = NULL;
    if (rc == HQ_OK)
        rc = hits_json(e, a, snap, &run, opt.offset, opt.snippets, &hits, err);
    if (rc == HQ_OK) {
        json_t *res = json_object(), *total = json_object();
        json_object_set_new(res, "query", json_string(query));
        json_object_set_new(total, "value", json_integer((json_int_t)run.stats.matched));
        json_object_set_new(total, "relation", json_string(run.stats.exact ? "eq" : "gte"));
        json_object_set_new(res, "total", total);
        json_object_set_new(res, "offset", json_integer((json_int_t)opt.offset));
        json_object_set_new(res, "took_ms", json_real(took * 1000.0));
        json_object_set_new(res, "hits", hits);
        *out = res;
    }
    hq_search_run_free(&run);
    hq_engine_release_analyzer(e, a);
    hq_snapshot_unref(snap);
    return rc;
}

/*
 * explain.c — hq_explain(): why a section ranks where it does for a
 * query: each query term's BM25F contribution in the first stage, then
 * each re-ranking feature's value, weight and contribution, and the
 * section's rank in the final list.
 */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

/* The live (seg, doc) of section_id in snap; false when absent. */
static bool find_section(const hq_snapshot *snap, const char *section_id, uint32_t *seg,
                         uint32_t *doc)
{
    for (uint32_t s = snap->n_segs; s-- > 0;) {
        const hq_segment *sg = snap->segs[s];
        for (uint32_t d = 0; d < hq_segment_n_docs(sg); d++) {
            if (snap->deleted[s] && (snap->deleted[s][d >> 3] >> (d & 7)) & 1)
                continue;
            hq_docinfo di;
            hq_segment_doc(sg, d, &di);
            if (strcmp(hq_segment_string(sg, di.section_id), section_id) == 0) {
                *seg = s;
                *doc = d;
                return true;
            }
        }
    }
    return false;
}

static json_t *first_stage_json(const hq_plan *plan, const double *contrib)
{
    json_t *terms = json_array();
    double sum = 0;
    for (size_t i = 0; i < plan->n_terms; i++) {
        sum += contrib[i];
        if (contrib[i] > 0)
            json_array_append_new(terms, json_pack("{s:s%, s:f, s:f}", "term", plan->terms[i].term,
                                                   (size_t)plan->terms[i].len, "weight",
                                                   plan->terms[i].weight, "contribution",
                                                   contrib[i]));
    }
    return json_pack("{s:f, s:o}", "score", sum, "terms", terms);
}

static json_t *features_json(const hq_rerank_params *p, const hq_rerank_features *f)
{
    return json_pack("{s:{s:f, s:f, s:f, s:f}, s:{s:f, s:f, s:f, s:f}, s:{s:f, s:f, s:f, s:f}}",
                     "features", "bm25", f->bm25, "focus", f->focus, "type", f->type, "trust",
                     f->trust, "weights", "bm25", 1.0, "focus", p->focus, "type", p->type,
                     "trust", p->trust, "contributions", "bm25", f->bm25, "focus",
                     p->focus * f->focus, "type", p->type * f->type, "trust",
                     p->trust * f->trust);
}

hq_status hq_explain(hq_engine *e, const char *query, const char *section_id, json_t **out,
                     hq_error *err)
{
    *out = NULL;
    hq_snapshot *snap = NULL;
    hq_status rc = hq_engine_snapshot(e, &snap, err);
    if (rc != HQ_OK)
        return rc;
    uint32_t seg, doc;
    if (!find_section(snap, section_id, &seg, &doc)) {
        hq_snapshot_unref(snap);
        return hq_fail(err, HQ_ENOTFOUND, section_id, 0, -1,
                       "no section with this id in the index (see 'healthqa show')");
    }
    hq_analyzer *a = hq_engine_take_analyzer(e);
    hq_search_run run;
    size_t depth = e->rerank.depth > 1 ? (size_t)e->rerank.depth : 1;
    rc = hq_engine_search(e, a, snap, query, depth, 0, &run, err);
    if (rc == HQ_OK) {
        const hq_plan *plan = hq_search_run_plan(&run);
        double *contrib = hq_xcalloc(plan->n_terms + 1, sizeof *contrib);
        rc = hq_explain_doc(plan, seg, doc, contrib, err);
        json_t *o = json_object();
        json_object_set_new(o, "query", json_string(query));
        json_object_set_new(o, "section_id", json_string(section_id));
        json_t *rank = json_null();
        for (size_t i = 0; i < run.n_hits; i++)
            if (run.hits[i].seg == seg && run.hits[i].doc == doc)
                rank = json_integer((json_int_t)i + 1);
        json_object_set_new(o, "rank", rank);
        json_object_set_new(o, "first_stage", first_stage_json(plan, contrib));
        hq_hit mine = {seg, doc, 0};
        for (size_t i = 0; i < plan->n_terms; i++)
            mine.score += contrib[i];
        hq_rerank_features f;
        hq_rerank_features_of(&e->rerank, snap, e->vocab, run.question, &mine,
                              run.best_first_stage, &f);
        json_t *features = features_json(&e->rerank, &f);
        json_object_update(o, features);
        json_decref(features);
        json_object_set_new(o, "total", json_real(f.total));
        free(contrib);
        if (rc == HQ_OK)
            *out = o;
        else
            json_decref(o);
    }
    hq_search_run_free(&run);
    hq_engine_release_analyzer(e, a);
    hq_snapshot_unref(snap);
    return rc;
}

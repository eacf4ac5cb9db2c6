/*
 * dups.c — hq_dups() and hq_collapse(): near-duplicate sections over the
 * whole store, and near-duplicate hits of one search.  The fingerprints
 * and the clustering are src/rank/dedup.c's; the store caches the
 * fingerprints (table fingerprints, deleted with their section): dups
 * computes and stores the missing ones, collapse computes missing ones
 * without storing them (a search never writes).
 */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

/* ---- reading fingerprints ------------------------------------------------ */

typedef struct dup_section {
    const char *id, *article_id, *title, *source, *trust; /* in corpus.strings */
} dup_section;

/* The sections read, their fingerprints, and which were computed now. */
typedef struct corpus {
    hq_arena strings;
    dup_section *secs;
    hq_fingerprint *fps;
    size_t n, cap, cap_fps;
    uint32_t *computed; /* indices whose fingerprint was computed from text */
    size_t n_computed, cap_computed;
    hq_analyzer *a;
    hq_tokens tok;
    hq_error *err;
} corpus;

static const char *keep(corpus *c, const char *s)
{
    return s ? hq_arena_strdup(&c->strings, s) : NULL;
}

/* The fingerprint of row r into *fp: decoded, or computed from its text
 * (*computed set), or empty when it has none. */
static hq_status row_fingerprint(corpus *c, const hq_fp_row *r, hq_fingerprint *fp,
                                 bool *computed)
{
    *computed = false;
    if (r->value) {
        if (hq_fingerprint_decode(r->value, r->value_len, fp) == HQ_OK)
            return HQ_OK;
        return hq_fail(c->err, HQ_ECORRUPT, r->section_id, 0, -1,
                       "the stored fingerprint is damaged: run 'healthqa dups --refresh'");
    }
    size_t len = r->body ? strlen(r->body) : 0;
    hq_fingerprint_text(c->a, r->body, len, &c->tok, fp);
    *computed = r->body != NULL;
    return HQ_OK;
}

static hq_status take_row(void *ctx, const hq_fp_row *r)
{
    corpus *c = ctx;
    if (c->n >= UINT32_MAX - 1)
        return hq_fail(c->err, HQ_ELIMIT, NULL, 0, -1, "more than 2^32 sections");
    hq_grow((void **)&c->secs, &c->cap, c->n + 1, sizeof *c->secs);
    hq_grow((void **)&c->fps, &c->cap_fps, c->n + 1, sizeof *c->fps);
    bool computed;
    hq_status rc = row_fingerprint(c, r, &c->fps[c->n], &computed);
    if (rc != HQ_OK)
        return rc;
    if (computed) {
        hq_grow((void **)&c->computed, &c->cap_computed, c->n_computed + 1,
                sizeof *c->computed);
        c->computed[c->n_computed++] = (uint32_t)c->n;
    }
    c->secs[c->n++] = (dup_section){keep(c, r->section_id), keep(c, r->article_id),
                                    keep(c, r->title), keep(c, r->source), keep(c, r->trust)};
    return HQ_OK;
}

static void corpus_free(corpus *c)
{
    hq_arena_free(&c->strings);
    free(c->secs);
    free(c->fps);
    free(c->computed);
    hq_tokens_free(&c->tok);
}

/* Stores the fingerprints computed in this run, in one transaction. */
static hq_status store_computed(hq_engine *e, const corpus *c, hq_error *err)
{
    if (c->n_computed == 0)
        return HQ_OK;
    const char **ids = hq_xmalloc(c->n_computed * sizeof *ids);
    uint8_t *values = hq_xmalloc(c->n_computed * HQ_FP_BYTES);
    for (size_t i = 0; i < c->n_computed; i++) {
        ids[i] = c->secs[c->computed[i]].id;
        hq_fingerprint_encode(&c->fps[c->computed[i]], values + i * HQ_FP_BYTES);
    }
    hq_status rc = hq_store_begin(e->store, err);
    if (rc == HQ_OK)
        rc = hq_store_fp_put(e->store, HQ_FP_VERSION, ids, values, HQ_FP_BYTES, c->n_computed,
                             err);
    if (rc == HQ_OK)
        rc = hq_store_commit(e->store, err);
    if (rc != HQ_OK)
        hq_store_rollback(e->store);
    free(ids);
    free(values);
    return rc;
}

/* ---- clusters as JSON ------------------------------------------------------- */

typedef struct cluster_ref {
    uint32_t root, size;
} cluster_ref;

static int compare_clusters(const void *pa, const void *pb)
{
    const cluster_ref *a = pa, *b = pb;
    if (a->size != b->size)
        return a->size > b->size ? -1 : 1;
    return a->root < b->root ? -1 : a->root > b->root;
}

static json_t *section_json(const dup_section *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "section_id", json_string(s->id));
    json_object_set_new(o, "article_id", json_string(s->article_id));
    json_object_set_new(o, "title", s->title ? json_string(s->title) : json_null());
    json_object_set_new(o, "source", json_string(s->source));
    json_object_set_new(o, "trust", json_string(s->trust));
    return o;
}

/* The clusters of root[0..n) with min_size members or more, largest
 * first, at most limit (0: all) into out["clusters"]; counts into out. */
static void clusters_json(const corpus *c, const uint32_t *root, size_t min_size, size_t limit,
                          json_t *out)
{
    size_t n = c->n;
    uint32_t *size = hq_xcalloc(n + 1, sizeof *size), *next = hq_xmalloc((n + 1) * sizeof *next),
             *head = hq_xmalloc((n + 1) * sizeof *head);
    for (size_t i = 0; i < n; i++) {
        size[root[i]]++;
        head[i] = UINT32_MAX;
    }
    for (size_t i = n; i-- > 0;) { /* members in index (= id) order */
        next[i] = head[root[i]];
        head[root[i]] = (uint32_t)i;
    }
    cluster_ref *refs = hq_xmalloc((n + 1) * sizeof *refs);
    size_t n_refs = 0, in_clusters = 0;
    for (size_t r = 0; r < n; r++)
        if (size[r] >= min_size) {
            refs[n_refs++] = (cluster_ref){(uint32_t)r, size[r]};
            in_clusters += size[r];
        }
    qsort(refs, n_refs, sizeof *refs, compare_clusters);
    json_t *list = json_array();
    for (size_t k = 0; k < n_refs && (limit == 0 || k < limit); k++) {
        json_t *cl = json_object(), *secs = json_array();
        json_object_set_new(cl, "size", json_integer(refs[k].size));
        for (uint32_t i = head[refs[k].root]; i != UINT32_MAX; i = next[i])
            json_array_append_new(secs, section_json(&c->secs[i]));
        json_object_set_new(cl, "sections", secs);
        json_array_append_new(list, cl);
    }
    json_object_set_new(out, "n_clusters", json_integer((json_int_t)n_refs));
    json_object_set_new(out, "n_in_clusters", json_integer((json_int_t)in_clusters));
    json_object_set_new(out, "clusters", list);
    free(size);
    free(next);
    free(head);
    free(refs);
}

/* ---- hq_dups ------------------------------------------------------------------- */

hq_status hq_dups(hq_engine *e, const hq_dups_options *o, json_t **out, hq_error *err)
{
    *out = NULL;
    hq_dups_options opt = o ? *o : (hq_dups_options){0};
    if (opt.min_size < 2)
        opt.min_size = 2;
    double t0 = hq_now();
    corpus c = {.err = err};
    hq_arena_init(&c.strings);
    c.a = hq_engine_take_analyzer(e);
    hq_status rc = hq_store_fp_rows(e->store, NULL, 0, HQ_FP_VERSION, HQ_FP_BYTES, !opt.refresh,
                                    take_row, &c, err);
    hq_engine_release_analyzer(e, c.a);
    if (rc == HQ_OK)
        rc = store_computed(e, &c, err);
    if (rc != HQ_OK) {
        corpus_free(&c);
        return rc;
    }
    uint32_t *root = hq_xmalloc((c.n + 1) * sizeof *root);
    hq_dedup_stats st;
    hq_dedup_cluster(c.fps, c.n, opt.exhaustive, root, &st);
    size_t usable = 0;
    for (size_t i = 0; i < c.n; i++)
        usable += hq_fingerprint_usable(&c.fps[i]);
    json_t *res = json_object();
    json_object_set_new(res, "threshold", json_real((double)HQ_FP_MIN_MATCHES / HQ_FP_HASHES));
    json_object_set_new(res, "n_sections", json_integer((json_int_t)c.n));
    json_object_set_new(res, "n_fingerprinted", json_integer((json_int_t)usable));
    json_object_set_new(res, "n_computed", json_integer((json_int_t)c.n_computed));
    json_object_set_new(res, "candidates", json_integer((json_int_t)st.candidates));
    json_object_set_new(res, "compared", json_integer((json_int_t)st.compared));
    clusters_json(&c, root, opt.min_size, opt.limit, res);
    json_object_set_new(res, "took_ms", json_real((hq_now() - t0) * 1000.0));
    free(root);
    corpus_free(&c);
    *out = res;
    return HQ_OK;
}

/* ---- hq_collapse ------------------------------------------------------------------ */

/* Rows come in the order of the ids asked for, without those that do
 * not exist: each row is matched to the next id equal to it. */
typedef struct hit_fps {
    corpus c;
    const char *const *ids;
    size_t k, at;
    hq_fingerprint *fps;
    const hq_fingerprint **ptrs; /* NULL: section gone */
} hit_fps;

static hq_status take_hit_row(void *ctx, const hq_fp_row *r)
{
    hit_fps *h = ctx;
    while (h->at < h->k && strcmp(h->ids[h->at], r->section_id) != 0)
        h->at++;
    if (h->at == h->k)
        return HQ_OK;
    bool computed;
    hq_status rc = row_fingerprint(&h->c, r, &h->fps[h->at], &computed);
    if (rc == HQ_OK)
        h->ptrs[h->at] = &h->fps[h->at];
    h->at++;
    return rc;
}

/* What a duplicate keeps of its hit. */
static json_t *duplicate_json(json_t *hit)
{
    static const char *const keys[] = {"section_id", "article_id", "title", "article_title",
                                       "source",     "trust",      "url",   "score"};
    json_t *o = json_object();
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        json_t *v = json_object_get(hit, keys[i]);
        if (v)
            json_object_set(o, keys[i], v);
    }
    return o;
}

static hq_status hit_ids(json_t *hits, const char **ids, hq_error *err)
{
    size_t i;
    json_t *hit;
    json_array_foreach(hits, i, hit)
    {
        ids[i] = json_string_value(json_object_get(hit, "section_id"));
        if (ids[i] == NULL)
            return hq_fail(err, HQ_EINVAL, NULL, 0, -1, "hit %zu has no section_id", i);
    }
    return HQ_OK;
}

hq_status hq_collapse(hq_engine *e, json_t *result, hq_error *err)
{
    json_t *hits = json_object_get(result, "hits");
    if (!json_is_array(hits))
        return hq_fail(err, HQ_EINVAL, NULL, 0, -1, "not a search result: no \"hits\" array");
    size_t k = json_array_size(hits);
    hit_fps h = {.c = {.err = err}, .k = k};
    const char **ids = hq_xcalloc(k + 1, sizeof *ids);
    h.ids = ids;
    h.fps = hq_xcalloc(k + 1, sizeof *h.fps);
    h.ptrs = hq_xcalloc(k + 1, sizeof *h.ptrs);
    hq_arena_init(&h.c.strings);
    hq_status rc = hit_ids(hits, ids, err);
    if (rc == HQ_OK) {
        h.c.a = hq_engine_take_analyzer(e);
        rc = hq_store_fp_rows(e->store, (char *const *)ids, k, HQ_FP_VERSION, HQ_FP_BYTES, true,
                              take_hit_row, &h, err);
        hq_engine_release_analyzer(e, h.c.a);
    }
    if (rc == HQ_OK) {
        uint32_t *group = hq_xmalloc((k + 1) * sizeof *group);
        hq_dedup_group(h.ptrs, k, group);
        json_t *kept = json_array();
        json_t **dups = hq_xcalloc(k + 1, sizeof *dups);
        for (size_t i = 0; i < k; i++) {
            json_t *hit = json_array_get(hits, i);
            if (group[i] == i) {
                dups[i] = json_array();
                json_object_set_new(hit, "duplicates", dups[i]);
                json_array_append(kept, hit);
            } else {
                json_array_append_new(dups[group[i]], duplicate_json(hit));
            }
        }
        json_object_set_new(result, "collapsed",
                            json_integer((json_int_t)(k - json_array_size(kept))));
        json_object_set_new(result, "hits", kept);
        free(dups);
        free(group);
    }
    free(ids);
    free(h.fps);
    free(h.ptrs);
    corpus_free(&h.c);
    return rc;
}

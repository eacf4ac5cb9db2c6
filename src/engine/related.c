/*
 * related.c — hq_related(): the articles a reader of one article would
 * want next, from the content only.  What this file gathers:
 *   1. the source article (hq_show: an article, a section's article or
 *      the one article of an ingested file) and what it is about: its
 *      focus concept (the concept table's) and the concepts its title
 *      names, or its text names at least mlt.mentions times;
 *   2. its key terms as a "more like this" query (keyterms.c);
 *   3. the mlt.depth best sections for that query (BM25F, as search),
 *      grouped by article (an article's best section speaks for it; the
 *      source's own sections give the reference score: text similarity
 *      = a candidate's score / the source's best section's, at most 1),
 *      and the best sections for the names of its focus and most named
 *      concepts, scored by the same query;
 *   4. src/answer/related.c scores, floors and orders the candidates;
 *      articles with the same title are grouped under the best one, and
 *      hq_collapse() groups near-duplicate texts (those of the source
 *      itself are left out: the same text elsewhere is not "related").
 * Thread-safe as hq_search: it reads the snapshot, the concept table and
 * the store, and takes an analyzer from the pool.
 */
#include "engine.h"
#include "../answer/answer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_LIMIT 10
#define MAX_LIMIT 50
#define MAX_NAMED 16       /* concepts the source names, kept (most named first) */
#define MAX_CANDIDATES 100 /* articles scored, best text first */
#define CONCEPT_QUERIES 4  /* named concepts whose articles are looked up by name */
#define CONCEPT_DEPTH 10   /* sections retrieved per concept */

/* Everything one call owns; released by rel_free. */
typedef struct rel {
    hq_engine *e;
    const hq_related_params *p;
    hq_arena arena;
    hq_analyzer *a;
    hq_tokens toks;
    hq_snapshot *snap;
    json_t *article;            /* hq_show's article */
    const char *id;             /* its id (in article) */
    hq_related_concept focus;   /* id HQ_NO_CONCEPT when none */
    hq_related_concept *named;  /* MAX_NAMED */
    size_t n_named;
    hq_keyterms query;          /* the "more like this" query */
    hq_related_cand *cands;     /* MAX_CANDIDATES */
    size_t n_cands;
    const char *self_section;   /* the source's best section, or NULL */
    hq_error *err;
} rel;

/* What a candidate carries for the JSON: its best section and store data. */
typedef struct cand_data {
    const char *section_id, *source, *title, *url;
    uint32_t seg, doc; /* its best section in the snapshot */
    double raw;        /* that section's BM25F score */
} cand_data;

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* ---- 1. the source article ------------------------------------------------ */

/* hq_show(id) as an article: a section gives its article; a file its one
 * article (HQ_EINVAL when it holds several). */
static hq_status source_article(hq_engine *e, const char *id, json_t **out, hq_error *err)
{
    json_t *o = NULL;
    hq_status rc = hq_show(e, id, &o, err);
    if (rc != HQ_OK)
        return rc;
    const char *kind = str(o, "kind");
    if (kind && strcmp(kind, "section") == 0) {
        char *aid = hq_xstrdup(str(json_object_get(o, "article"), "id"));
        json_decref(o);
        rc = hq_show(e, aid, &o, err);
        free(aid);
        if (rc != HQ_OK)
            return rc;
        kind = str(o, "kind");
    }
    if (kind == NULL || strcmp(kind, "article") != 0) {
        size_t n = json_array_size(json_object_get(o, "articles"));
        json_decref(o);
        return hq_fail(err, HQ_EINVAL, id, 0, -1,
                       "this file holds %zu articles: give the id of one of them "
                       "('healthqa show %s' lists them)", n, id);
    }
    *out = o;
    return HQ_OK;
}

/* Adds weight to concept c, named as text[sp.start..sp.end). */
static void add_named(rel *r, uint32_t c, double weight, const char *text, hq_span sp,
                      bool in_title)
{
    const hq_concept *k = hq_vocab_concept(r->e->vocab, c);
    if (k == NULL || c == r->focus.id || !hq_about_worth(k, in_title))
        return;
    for (size_t i = 0; i < r->n_named; i++)
        if (r->named[i].id == c) {
            r->named[i].weight += weight;
            return;
        }
    if (r->n_named == MAX_NAMED * 4)
        return;
    const char *name = hq_arena_strndup(&r->arena, text + sp.start, sp.end - sp.start);
    r->named[r->n_named++] = (hq_related_concept){c, name, k->tree, weight};
}

/* Adds the concepts named in text, each mention weighing each. */
static void name_concepts(rel *r, const char *text, double each)
{
    size_t len = text ? strlen(text) : 0;
    hq_analyze(r->a, text, len, 0, &r->toks);
    if (r->toks.n == 0)
        return;
    hq_concept_match *m = hq_xmalloc(r->toks.n * sizeof *m);
    size_t n = hq_vocab_match(r->e->vocab, text, &r->toks, m, r->toks.n);
    for (size_t i = 0; i < n; i++)
        if (m[i].specificity >= HQ_MIN_SPECIFICITY)
            add_named(r, m[i].concept, each, text, (hq_span){m[i].start, m[i].end}, false);
    free(m);
}

static int by_weight(const void *pa, const void *pb)
{
    const hq_related_concept *a = pa, *b = pb;
    if (a->weight != b->weight)
        return a->weight > b->weight ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id);
}

/* A concept's name for a reader: for MeSH's inverted names ("abortion,
 * spontaneous") the shortest of its other names ("miscarriage"), the
 * first letter upper-cased. */
static const char *display_name(rel *r, uint32_t c)
{
    const hq_concept *k = hq_vocab_concept(r->e->vocab, c);
    const char *name = k->name, *texts[16];
    size_t n = strchr(name, ',') ? hq_vocab_texts(r->e->vocab, c, texts, 16) : 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || strlen(texts[i]) < strlen(name))
            name = texts[i];
    char *out = hq_arena_strdup(&r->arena, name);
    if (out[0] >= 'a' && out[0] <= 'z')
        out[0] = (char)(out[0] - 'a' + 'A');
    return out;
}

/* The focus and the named concepts of the source; body concepts named
 * fewer than mlt.mentions times count in proportion, those named once
 * not at all. */
static void source_concepts(rel *r)
{
    const hq_vocab *v = r->e->vocab;
    r->focus = (hq_related_concept){HQ_NO_CONCEPT, NULL, NULL, 1};
    uint32_t f = hq_vocab_article(v, r->id);
    if (f != HQ_NO_CONCEPT) {
        const hq_concept *k = hq_vocab_concept(v, f);
        const char *as_written = str(r->article, "focus"); /* MedQuAD's own name */
        r->focus = (hq_related_concept){
            f, as_written ? hq_arena_strdup(&r->arena, as_written) : display_name(r, f), k->tree,
            1};
    }
    r->named = hq_arena_alloc(&r->arena, MAX_NAMED * 4 * sizeof *r->named);
    const char *title = str(r->article, "title");
    uint32_t in_title[MAX_NAMED];
    hq_span spans[MAX_NAMED];
    size_t n = hq_about_title(r->e->vocab, r->a, &r->toks, title, f, in_title, spans, MAX_NAMED);
    for (size_t i = 0; i < n; i++)
        add_named(r, in_title[i], r->p->min_mentions, title, spans[i], true);
    size_t i;
    const json_t *s;
    json_array_foreach(json_object_get(r->article, "sections"), i, s)
        name_concepts(r, str(s, "body"), 1);
    size_t kept = 0;
    for (i = 0; i < r->n_named; i++) {
        const hq_concept *k = hq_vocab_concept(v, r->named[i].id);
        double w = r->named[i].weight / r->p->min_mentions;
        w = w < 1 ? w : 1;
        if (r->named[i].weight < r->p->min_mentions && !(k->groups & HQ_GROUP_DISORDER))
            w *= r->p->context; /* pregnancy, diet: what the text is set in */
        if (r->named[i].weight >= 2) /* named once: in passing */
            r->named[kept++] = (hq_related_concept){r->named[i].id, r->named[i].name,
                                                     r->named[i].tree, w};
    }
    qsort(r->named, kept, sizeof *r->named, by_weight);
    r->n_named = kept < MAX_NAMED ? kept : MAX_NAMED;
}

/* ---- 3. candidates ---------------------------------------------------------- */

static hq_related_cand *find_cand(rel *r, const char *article_id)
{
    for (size_t i = 0; i < r->n_cands; i++)
        if (strcmp(r->cands[i].article_id, article_id) == 0)
            return &r->cands[i];
    return NULL;
}

/* What candidate c is about: its focus concept, then the concepts its
 * title names. */
static void candidate_concepts(rel *r, hq_related_cand *c, const char *title)
{
    const hq_vocab *v = r->e->vocab;
    c->concepts[0] = hq_vocab_article(v, c->article_id);
    c->n_concepts = 1 + hq_about_title(v, r->a, &r->toks, title, c->concepts[0], c->concepts + 1,
                                       NULL, HQ_RELATED_MAX_CONCEPTS - 1);
    for (size_t j = 0; j < c->n_concepts; j++) {
        const hq_concept *k = hq_vocab_concept(v, c->concepts[j]);
        c->trees[j] = k ? k->tree : NULL;
    }
}

/* The store's title and URL of a candidate, its concepts and title key. */
static hq_status complete_cand(rel *r, hq_related_cand *c)
{
    cand_data *d = c->data;
    hq_store_hit_info info;
    hq_status rc = hq_store_hit(r->e->store, d->section_id, &info, r->err);
    if (rc != HQ_OK)
        return rc;
    d->title = hq_arena_strdup(&r->arena, info.article_title ? info.article_title : "");
    d->url = info.url ? hq_arena_strdup(&r->arena, info.url) : NULL;
    hq_store_hit_free(&info);
    hq_buf key;
    hq_buf_init(&key, 0);
    hq_utf8_key(d->title, &key);
    c->title_key = hq_arena_strdup(&r->arena, hq_buf_str(&key));
    hq_buf_free(&key);
    candidate_concepts(r, c, d->title);
    return HQ_OK;
}

/* Takes hit h (scored by the main query) as a candidate, or as the
 * source's reference score. */
static void take_hit(rel *r, const hq_hit *h, double *self)
{
    const hq_segment *s = r->snap->segs[h->seg];
    hq_docinfo di;
    hq_segment_doc(s, h->doc, &di);
    const char *aid = hq_segment_string(s, di.article_id);
    if (strcmp(aid, r->id) == 0) {
        if (h->score > *self) {
            *self = h->score;
            r->self_section = hq_segment_string(s, di.section_id);
        }
        return;
    }
    hq_related_cand *c = find_cand(r, aid);
    cand_data *d = c ? c->data : NULL;
    if (d && d->raw >= h->score)
        return;
    if (d == NULL) {
        if (r->n_cands == MAX_CANDIDATES)
            return;
        d = hq_arena_alloc(&r->arena, sizeof *d);
        c = &r->cands[r->n_cands++];
        *c = (hq_related_cand){.article_id = aid, .trust = di.trust, .data = d};
    }
    *d = (cand_data){hq_segment_string(s, di.section_id), hq_segment_string(s, di.source),
                     NULL, NULL, h->seg, h->doc, h->score};
}

/* The articles about the source's concepts (its focus and the most named
 * ones): each concept's name as a query of its own, its best sections
 * scored by the main query (hq_explain_doc) and taken as candidates.  The
 * main query alone can miss a general topic page ("Pregnancy") that many
 * sections outscore. */
static hq_status concept_candidates(rel *r, const hq_plan *main, double *self)
{
    hq_status rc = HQ_OK;
    double *contrib = hq_xcalloc(main->n_terms + 1, sizeof *contrib);
    hq_hit hits[CONCEPT_DEPTH];
    for (size_t k = 0; rc == HQ_OK && k <= r->n_named && k <= CONCEPT_QUERIES; k++) {
        const hq_related_concept *c = k == 0 ? &r->focus : &r->named[k - 1];
        if (c->id == HQ_NO_CONCEPT)
            continue;
        hq_analyze(r->a, c->name, strlen(c->name), 0, &r->toks);
        hq_plan_term terms[16];
        size_t n = 0, n_hits = 0;
        for (size_t i = 0; i < r->toks.n && n < 16; i++)
            terms[n++] = (hq_plan_term){r->toks.items[i].term, r->toks.items[i].len, 1};
        hq_plan plan = {r->snap, &r->e->params, terms, n, NULL, 0, NULL, 0, NULL, 0, 0};
        hq_topk_stats stats;
        if (n > 0)
            rc = hq_topk(&plan, CONCEPT_DEPTH, false, hits, &n_hits, &stats, r->err);
        for (size_t i = 0; rc == HQ_OK && i < n_hits; i++) {
            rc = hq_explain_doc(main, hits[i].seg, hits[i].doc, contrib, r->err);
            double sum = 0;
            for (size_t t = 0; t < main->n_terms; t++)
                sum += contrib[t];
            hits[i].score = sum;
            if (rc == HQ_OK && sum > 0)
                take_hit(r, &hits[i], self);
        }
    }
    free(contrib);
    return rc;
}

/* Runs the queries and groups their hits by article. */
static hq_status candidates(rel *r)
{
    if (r->query.n == 0)
        return HQ_OK;
    hq_plan plan = {r->snap, &r->e->params, r->query.terms, r->query.n, NULL, 0, NULL, 0, NULL, 0, 0};
    size_t depth = (size_t)r->p->depth, n_hits = 0;
    hq_hit *hits = hq_xmalloc(depth * sizeof *hits);
    hq_topk_stats stats;
    hq_status rc = hq_topk(&plan, depth, false, hits, &n_hits, &stats, r->err);
    double self = 0;
    r->cands = hq_arena_alloc(&r->arena, MAX_CANDIDATES * sizeof *r->cands);
    for (size_t i = 0; rc == HQ_OK && i < n_hits; i++)
        take_hit(r, &hits[i], &self);
    free(hits);
    if (rc == HQ_OK)
        rc = concept_candidates(r, &plan, &self);
    if (self == 0 && r->n_cands > 0) /* the source is not indexed: compare with the best */
        self = ((cand_data *)r->cands[0].data)->raw;
    /* the key terms shared matter only from the text similarity where
     * text alone can count (the costly part: a postings lookup per term) */
    double *contrib = hq_xcalloc(plan.n_terms + 1, sizeof *contrib);
    double need = r->p->min_text_alone < r->p->similar_text ? r->p->min_text_alone
                                                           : r->p->similar_text;
    for (size_t i = 0; rc == HQ_OK && i < r->n_cands; i++) {
        cand_data *d = r->cands[i].data;
        double t = d->raw / self;
        r->cands[i].text = t < 1 ? t : 1;
        if (r->cands[i].text >= need)
            rc = hq_explain_doc(&plan, d->seg, d->doc, contrib, r->err);
        for (size_t k = 0; rc == HQ_OK && r->cands[i].text >= need && k < plan.n_terms; k++)
            r->cands[i].shared += contrib[k] > 0;
        if (rc == HQ_OK)
            rc = complete_cand(r, &r->cands[i]);
    }
    free(contrib);
    return rc;
}

/* ---- 4. the list -------------------------------------------------------------- */

static json_t *nullable(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* A candidate as hq_collapse() reads a hit, naming section sid. */
static json_t *hit_json(const hq_related_cand *c, const char *sid)
{
    const cand_data *d = c->data;
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:f}", "section_id", sid, "article_id",
                     c->article_id, "title", d->title, "source", d->source, "trust",
                     hq_trust_name(c->trust), "url", nullable(d->url), "score", c->score);
}

static json_t *duplicate_json(const hq_related_cand *c, const char *reason)
{
    const cand_data *d = c->data;
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:s}", "article_id", c->article_id, "title",
                     d->title, "source", d->source, "trust", hq_trust_name(c->trust), "url",
                     nullable(d->url), "reason", reason);
}

/* The related entry of candidate c, with an empty "duplicates". */
static json_t *entry_json(const hq_related_source *src, const hq_related_cand *c)
{
    const cand_data *d = c->data;
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:f, s:f, s:o, s:[]}", "article_id",
                     c->article_id, "title", d->title, "source", d->source, "trust",
                     hq_trust_name(c->trust), "url", nullable(d->url), "section_id",
                     d->section_id, "score", c->score, "text", c->text, "why",
                     hq_related_why(src, c), "duplicates");
}

/* The id of the first section of article id, by the rule of
 * docs/ARCHITECTURE.md (medquad:<P>_<STEM> → <P>_<STEM>_Sec1.txt,
 * others <id>:s1); a section that does not exist is left alone by
 * hq_collapse. */
static const char *first_section(rel *r, const char *id)
{
    if (strncmp(id, "medquad:", 8) == 0)
        return hq_arena_printf(&r->arena, "%s_Sec1.txt", id + 8);
    return hq_arena_printf(&r->arena, "%s:s1", id);
}

static size_t find_root(size_t *parent, size_t i)
{
    while (parent[i] != i)
        i = parent[i] = parent[parent[i]];
    return i;
}

/* The index among prim[0..n) of article id; n for the source. */
static size_t index_of(const rel *r, const size_t *prim, size_t n, const char *id)
{
    for (size_t k = 0; k < n; k++)
        if (strcmp(r->cands[prim[k]].article_id, id) == 0)
            return k;
    return n;
}

/* Groups the candidates prim[0..n) (best first) whose texts are
 * near-duplicates of each other or of the source (index n): hq_collapse
 * over each one's best and first sections; two articles with a section
 * in one group are in one group (parent[], a union-find over 0..n). */
static hq_status text_groups(rel *r, const size_t *prim, size_t n, size_t *parent)
{
    json_t *res = json_object(), *hits = json_array();
    if (r->self_section)
        json_array_append_new(hits, json_pack("{s:s, s:s}", "section_id", r->self_section,
                                              "article_id", r->id));
    json_array_append_new(hits, json_pack("{s:s, s:s}", "section_id", first_section(r, r->id),
                                          "article_id", r->id));
    for (size_t k = 0; k < n; k++) {
        const hq_related_cand *c = &r->cands[prim[k]];
        const char *best = ((const cand_data *)c->data)->section_id;
        const char *first = first_section(r, c->article_id);
        json_array_append_new(hits, hit_json(c, best));
        if (strcmp(first, best) != 0)
            json_array_append_new(hits, hit_json(c, first));
    }
    json_object_set_new(res, "hits", hits);
    for (size_t k = 0; k <= n; k++)
        parent[k] = k;
    hq_status rc = hq_collapse(r->e, res, r->err);
    size_t i, j;
    json_t *h, *d;
    json_array_foreach(json_object_get(res, "hits"), i, h)
    {
        size_t a = find_root(parent, index_of(r, prim, n, str(h, "article_id")));
        json_array_foreach(json_object_get(h, "duplicates"), j, d)
        {
            size_t b = find_root(parent, index_of(r, prim, n, str(d, "article_id")));
            if (a != b) /* the better-ranked (smaller) index stays the root */
                parent[a > b ? a : b] = a < b ? a : b;
            a = find_root(parent, a);
        }
    }
    json_decref(res);
    return rc;
}

/* Orders, groups and cuts the candidates into the "related" array: the
 * best of each group of the same title or near-duplicate text, with the
 * others as its "duplicates"; those of the source's own text left out. */
static hq_status related_list(rel *r, size_t limit, json_t **out)
{
    hq_related_source src = {r->focus.id != HQ_NO_CONCEPT ? &r->focus : NULL, r->named,
                             r->n_named, r->query.has_text};
    size_t kept = hq_related_select(r->p, &src, r->cands, r->n_cands), n = 0;
    size_t *prim = hq_xcalloc(kept + 1, sizeof *prim), *parent = hq_xcalloc(kept + 2, sizeof *parent);
    json_t **entry = hq_xcalloc(kept + 1, sizeof *entry);
    for (size_t i = 0; i < kept; i++)
        if (r->cands[i].same_title_of == i)
            prim[n++] = i;
    hq_status rc = text_groups(r, prim, n, parent);
    json_t *list = json_array();
    size_t self = find_root(parent, n);
    for (size_t k = 0; rc == HQ_OK && k < n; k++) {
        size_t root = find_root(parent, k);
        const hq_related_cand *c = &r->cands[prim[k]];
        if (root == self)
            continue; /* the source's own text elsewhere */
        if (root != k) {
            json_array_append_new(json_object_get(entry[root], "duplicates"),
                                  duplicate_json(c, "same text"));
            continue;
        }
        entry[k] = entry_json(&src, c);
        for (size_t i = prim[k] + 1; i < kept; i++)
            if (r->cands[i].same_title_of == prim[k])
                json_array_append_new(json_object_get(entry[k], "duplicates"),
                                      duplicate_json(&r->cands[i], "same title"));
        json_array_append_new(list, entry[k]); /* list and entry[k] share it */
    }
    while (json_array_size(list) > limit)
        json_array_remove(list, json_array_size(list) - 1);
    free(entry);
    free(parent);
    free(prim);
    if (rc != HQ_OK) {
        json_decref(list);
        return rc;
    }
    *out = list;
    return HQ_OK;
}

static json_t *concept_json(const hq_related_concept *c)
{
    if (c->id == HQ_NO_CONCEPT)
        return json_null();
    return json_pack("{s:s, s:o}", "name", c->name, "mesh_tree", nullable(c->tree));
}

static json_t *source_json(const rel *r)
{
    json_t *a = r->article, *named = json_array(), *terms = json_array();
    for (size_t i = 0; i < r->n_named; i++)
        json_array_append_new(named, json_string(r->named[i].name));
    for (size_t i = 0; i < r->query.n; i++)
        json_array_append_new(terms, json_stringn(r->query.terms[i].term, r->query.terms[i].len));
    return json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?, s:o, s:o, s:o}", "id", json_object_get(a, "id"),
                     "title", json_object_get(a, "title"), "source",
                     json_object_get(a, "source"), "trust", json_object_get(a, "trust"), "url",
                     json_object_get(a, "url"), "focus", concept_json(&r->focus), "names",
                     named, "key_terms", terms);
}

static void rel_free(rel *r)
{
    if (r->a)
        hq_engine_release_analyzer(r->e, r->a);
    hq_snapshot_unref(r->snap);
    hq_tokens_free(&r->toks);
    json_decref(r->article);
    hq_keyterms_free(&r->query);
    hq_arena_free(&r->arena);
}

hq_status hq_related(hq_engine *e, const char *id, size_t limit, json_t **out, hq_error *err)
{
    *out = NULL;
    if (id == NULL || *id == '\0')
        return hq_fail(err, HQ_EINVAL, NULL, 0, -1, "no article id given");
    if (limit > MAX_LIMIT)
        return hq_fail(err, HQ_EINVAL, NULL, 0, -1, "limit must be 1..%d", MAX_LIMIT);
    double t0 = hq_now();
    rel r = {.e = e, .p = &e->related, .err = err};
    hq_arena_init(&r.arena);
    hq_status rc = source_article(e, id, &r.article, err);
    if (rc == HQ_OK)
        rc = hq_engine_understanding(e, err);
    if (rc == HQ_OK)
        rc = hq_engine_snapshot(e, &r.snap, err);
    json_t *list = NULL;
    if (rc == HQ_OK) {
        r.id = str(r.article, "id");
        r.a = hq_engine_take_analyzer(e);
        source_concepts(&r);
        rc = hq_keyterms_build(e->vocab, r.a, &r.toks, r.snap, r.p, r.article, r.focus.id,
                               &r.query, err);
    }
    if (rc == HQ_OK)
        rc = candidates(&r);
    if (rc == HQ_OK)
        rc = related_list(&r, limit ? limit : DEFAULT_LIMIT, &list);
    if (rc == HQ_OK) {
        *out = json_pack("{s:o, s:o, s:f}", "article", source_json(&r), "related", list,
                         "took_ms", (hq_now() - t0) * 1000.0);
    }
    rel_free(&r);
    return rc;
}

/*
 * understand.c — the engine's question understanding: the concept table
 * and cue table, built on first use and then shared read-only by every
 * search; and the public views of it, hq_analyze_question() (`healthqa
 * analyze`) and the table's statistics.
 *
 * The concept table comes from what this data folder holds (each
 * article's focus or topic with its synonyms) and from files:
 *   $HEALTHQA_VOCAB (default ../shared/vocab beside the project):
 *       mesh_terms.tsv, abbreviations.tsv — optional: without them the
 *       table has the corpus' own vocabulary only, and says so;
 *   data/lay_terms.tsv, data/question_cues.tsv — required.
 * Pages without a focus (portal pages, plain text) get the concept that
 * question analysis finds in their title, once the table is complete.
 */
#include "engine.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef HQ_DATA_DIR
#define HQ_DATA_DIR "data"
#endif
#ifndef HQ_VOCAB_DIR
#define HQ_VOCAB_DIR "../shared/vocab"
#endif

static const char *vocab_dir(void)
{
    const char *env = getenv("HEALTHQA_VOCAB");
    return env && *env ? env : HQ_VOCAB_DIR;
}

typedef struct untitled {
    char *article_id, *title;
} untitled;

typedef struct topic_ctx {
    hq_vocab *v;
    hq_analyzer *a;
    untitled *pending; /* articles without a focus or topic of their own */
    size_t n_pending, cap_pending;
} topic_ctx;

static unsigned groups_of(const hq_topic *t)
{
    const char *g = t->semgroup ? t->semgroup : "";
    if (strcmp(g, "Disorders") == 0)
        return HQ_GROUP_DISORDER;
    if (strcmp(g, "Chemicals & Drugs") == 0 || strncmp(t->source, "MPlusDrugs", 10) == 0 ||
        strncmp(t->source, "MPlusHerbs", 10) == 0)
        return HQ_GROUP_DRUG;
    if (strcmp(g, "Procedures") == 0 || strcmp(g, "Devices") == 0)
        return HQ_GROUP_PROCEDURE;
    if (strcmp(g, "Anatomy") == 0)
        return HQ_GROUP_ANATOMY;
    return 0;
}

static hq_status topic_row(void *vctx, const hq_topic *t)
{
    topic_ctx *ctx = vctx;
    json_t *syn = t->synonyms_json ? json_loads(t->synonyms_json, 0, NULL) : NULL;
    size_t n = json_is_array(syn) ? json_array_size(syn) : 0;
    bool has_topic = t->focus != NULL || n > 0;
    if (!has_topic) {
        hq_grow((void **)&ctx->pending, &ctx->cap_pending, ctx->n_pending + 1,
                sizeof *ctx->pending);
        ctx->pending[ctx->n_pending++] = (untitled){hq_xstrdup(t->article_id),
                                                    hq_xstrdup(t->title)};
        json_decref(syn);
        return HQ_OK;
    }
    const char **names = hq_xcalloc(n + 1, sizeof *names);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (json_is_string(json_array_get(syn, i)))
            names[k++] = json_string_value(json_array_get(syn, i));
    uint32_t c = hq_vocab_add_topic(ctx->v, ctx->a, t->focus ? t->focus : t->title, names, k,
                                    groups_of(t),
                                    t->focus ? HQ_CONCEPT_FOCUS : HQ_CONCEPT_TOPIC);
    if (c != HQ_NO_CONCEPT)
        hq_vocab_set_article(ctx->v, t->article_id, c);
    free(names);
    json_decref(syn);
    return HQ_OK;
}

/* Loads path with load() when the file exists; records whether it did. */
static hq_status optional_file(hq_status (*load)(hq_vocab *, hq_analyzer *, const char *,
                                                 hq_error *),
                               hq_vocab *v, hq_analyzer *a, const char *name, bool *loaded,
                               hq_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", vocab_dir(), name);
    *loaded = access(path, R_OK) == 0;
    return *loaded ? load(v, a, path, err) : HQ_OK;
}

static void focus_of_titles(hq_engine *e, topic_ctx *ctx)
{
    for (size_t i = 0; i < ctx->n_pending; i++) {
        hq_question q;
        const untitled *u = &ctx->pending[i];
        hq_question_analyze(ctx->v, e->cues, ctx->a, &e->rerank.query, u->title,
                            strlen(u->title), &q);
        if (q.focus != HQ_NO_CONCEPT)
            hq_vocab_set_article(ctx->v, u->article_id, q.focus);
        hq_question_free(&q);
    }
}

static void free_pending(topic_ctx *ctx)
{
    for (size_t i = 0; i < ctx->n_pending; i++) {
        free(ctx->pending[i].article_id);
        free(ctx->pending[i].title);
    }
    free(ctx->pending);
}

static hq_status build(hq_engine *e, hq_error *err)
{
    double t0 = hq_now();
    hq_analyzer *a = hq_engine_take_analyzer(e);
    hq_vocab *v = hq_vocab_new();
    topic_ctx ctx = {v, a, NULL, 0, 0};
    hq_status rc = hq_cues_load(HQ_DATA_DIR "/question_cues.tsv", a, &e->cues, err);
    if (rc == HQ_OK)
        rc = optional_file(hq_vocab_load_mesh, v, a, "mesh_terms.tsv", &e->vocab_mesh, err);
    if (rc == HQ_OK)
        rc = hq_store_each_topic(e->store, topic_row, &ctx, err);
    if (rc == HQ_OK)
        rc = hq_vocab_load_lay(v, a, HQ_DATA_DIR "/lay_terms.tsv", &e->vocab_lay_unresolved, err);
    if (rc == HQ_OK)
        rc = optional_file(hq_vocab_load_abbrev, v, a, "abbreviations.tsv", &e->vocab_abbrev,
                           err);
    if (rc == HQ_OK)
        focus_of_titles(e, &ctx);
    free_pending(&ctx);
    hq_engine_release_analyzer(e, a);
    if (rc != HQ_OK) {
        hq_vocab_free(v);
        return rc;
    }
    e->vocab = v;
    e->vocab_ms = (hq_now() - t0) * 1000.0;
    return HQ_OK;
}

hq_status hq_engine_understanding(hq_engine *e, hq_error *err)
{
    pthread_mutex_lock(&e->vocab_lock);
    hq_status rc = e->vocab ? HQ_OK : build(e, err);
    pthread_mutex_unlock(&e->vocab_lock);
    return rc;
}

/* ---- JSON views ------------------------------------------------------ */

json_t *hq_engine_concept_json(const hq_vocab *v, uint32_t id)
{
    const hq_concept *c = hq_vocab_concept(v, id);
    if (c == NULL)
        return json_null();
    json_t *o = json_object(), *names = json_array();
    json_object_set_new(o, "name", json_string(c->name));
    if (c->tree)
        json_object_set_new(o, "mesh_tree", json_string(c->tree));
    const char *texts[8];
    size_t n = hq_vocab_texts(v, id, texts, 8);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(names, json_string(texts[i]));
    json_object_set_new(o, "names", names);
    return o;
}

static json_t *span_text(const char *text, hq_span s)
{
    return json_stringn(text + s.start, s.end - s.start);
}

hq_status hq_check_question(const char *text, size_t len, hq_error *err)
{
    if (len > HQ_MAX_QUERY_BYTES)
        return hq_fail(err, HQ_ELIMIT, "question", 0, HQ_MAX_QUERY_BYTES,
                       "the question is longer than %d bytes; shorten it", HQ_MAX_QUERY_BYTES);
    long bad = hq_utf8_invalid_at(text, len);
    if (bad >= 0)
        return hq_fail(err, HQ_EUTF8, "question", 0, bad, "the question is not valid UTF-8");
    return HQ_OK;
}

hq_status hq_analyze_question(hq_engine *e, const char *text, json_t **out, hq_error *err)
{
    *out = NULL;
    size_t len = strlen(text);
    hq_status rc = hq_check_question(text, len, err);
    if (rc == HQ_OK)
        rc = hq_engine_understanding(e, err);
    if (rc != HQ_OK)
        return rc;
    hq_analyzer *a = hq_engine_take_analyzer(e);
    hq_question q;
    double t0 = hq_now();
    hq_question_analyze(e->vocab, e->cues, a, &e->rerank.query, text, len, &q);
    double took = hq_now() - t0;
    hq_engine_release_analyzer(e, a);
    json_t *o = json_object(), *matches = json_array(), *ignored = json_array(),
           *keys = json_array();
    json_object_set_new(o, "question", json_string(text));
    json_object_set_new(o, "focus", hq_engine_concept_json(e->vocab, q.focus));
    if (q.focus_match)
        json_object_set_new(json_object_get(o, "focus"), "as_written",
                            span_text(text, (hq_span){q.focus_match->start, q.focus_match->end}));
    for (size_t i = 0; i < q.n_matches; i++) {
        const hq_concept_match *m = &q.matches[i];
        json_t *mj = json_object();
        json_object_set_new(mj, "text", span_text(text, (hq_span){m->start, m->end}));
        json_object_set_new(mj, "concept", json_string(hq_vocab_concept(e->vocab, m->concept)->name));
        json_object_set_new(mj, "focus", json_boolean(m->concept == q.focus));
        if (m->abbrev)
            json_object_set_new(mj, "abbreviation", json_true());
        if (m->n_alts > 1)
            json_object_set_new(mj, "ambiguous", json_true());
        json_array_append_new(matches, mj);
    }
    json_object_set_new(o, "concepts", matches);
    json_object_set_new(o, "type", json_string(q.type));
    json_object_set_new(o, "liveqa_type", json_string(q.liveqa_type));
    json_object_set_new(o, "type_from_cue", json_boolean(q.type_found));
    json_object_set_new(o, "context", q.context.end ? span_text(text, q.context) : json_null());
    for (size_t i = 0; i < q.n_ignored; i++)
        json_array_append_new(ignored, span_text(text, q.ignored[i]));
    json_object_set_new(o, "ignored", ignored);
    for (size_t i = 0; i < q.n_keys; i++)
        json_array_append_new(keys, json_pack("{s:s, s:f, s:s}", "term", q.keys[i].term,
                                              "weight", q.keys[i].weight, "role",
                                              hq_role_name(q.keys[i].role)));
    json_object_set_new(o, "key_terms", keys);
    json_object_set_new(o, "took_us", json_real(took * 1e6));
    json_object_set_new(o, "vocabulary",
                        json_pack("{s:i, s:i, s:b, s:b, s:i, s:f}", "concepts",
                                  (json_int_t)hq_vocab_size(e->vocab), "phrases",
                                  (json_int_t)hq_vocab_phrases(e->vocab), "mesh", e->vocab_mesh,
                                  "abbreviations", e->vocab_abbrev, "lay_unresolved",
                                  (json_int_t)e->vocab_lay_unresolved, "build_ms", e->vocab_ms));
    hq_question_free(&q);
    *out = o;
    return HQ_OK;
}

hq_status hq_analyze_questions(hq_engine *e, const char *path, FILE *out, hq_error *err)
{
    hq_qline *qs = NULL;
    size_t n = 0;
    hq_status rc = hq_read_qlines(path, &qs, &n, err);
    for (size_t i = 0; rc == HQ_OK && i < n; i++) {
        json_t *a = NULL;
        rc = hq_analyze_question(e, qs[i].text, &a, err);
        if (rc == HQ_OK) {
            json_object_set_new(a, "qid", json_string(qs[i].qid));
            json_dumpf(a, out, JSON_COMPACT);
            fputc('\n', out);
            json_decref(a);
        }
    }
    hq_qlines_free(qs, n);
    return rc;
}

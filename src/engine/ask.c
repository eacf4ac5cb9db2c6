/*
 * ask.c — hq_ask(): the answer card.  Triage first (on the reader's own
 * words), then what the question is about, then passages by aspect.
 *
 * Candidates: the question's own search (understood, re-ranked), and,
 * when a focus was found, a search for the focus concept's name — so a
 * question in lay words ("sore waist") still reaches the sections about
 * its clinical concept (low back pain) that the words alone do not
 * match.  Each list's scores are divided by its best; the focus list's
 * by FOCUS_LIST_SHARE more, so it fills in rather than takes over.
 * A section is on topic when its article's concept is the focus, one
 * next to it in MeSH, or another concept the question names, or when
 * its title names the focus.
 */
#include "engine.h"
#include "../answer/answer.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define QUESTION_DEPTH 30
#define FOCUS_DEPTH 40
#define FOCUS_LIST_SHARE 0.8

/* ---- the aspect table, loaded once per process -------------------------- */

static pthread_once_t aspects_once = PTHREAD_ONCE_INIT;
static hq_aspects *aspects;
static hq_status aspects_status;
static hq_error aspects_error;

static void load_aspects(void)
{
    hq_analyzer *a = hq_analyzer_new();
    hq_error_clear(&aspects_error);
    aspects_status = hq_aspects_load(hq_aspects_default_path(), a, &aspects, &aspects_error);
    hq_analyzer_free(a);
}

static hq_status the_aspects(const hq_aspects **out, hq_error *err)
{
    pthread_once(&aspects_once, load_aspects);
    if (aspects_status != HQ_OK && err && err->code == HQ_OK)
        *err = aspects_error;
    *out = aspects;
    return aspects_status;
}

/* ---- candidates --------------------------------------------------------- */

typedef struct candidate {
    hq_hit hit;
    double relevance;
} candidate;

typedef struct candidates {
    candidate items[HQ_CARD_MAX_SECTIONS];
    size_t n;
} candidates;

/* Adds run's hits with their scores over the best, times share; a
 * section already there keeps the higher relevance. */
static void add_hits(candidates *c, const hq_search_run *run, double share)
{
    double best = run->n_hits ? run->hits[0].score : 0;
    for (size_t i = 0; i < run->n_hits && best > 0; i++) {
        const hq_hit *h = &run->hits[i];
        double r = share * h->score / best;
        size_t k = 0;
        while (k < c->n && (c->items[k].hit.seg != h->seg || c->items[k].hit.doc != h->doc))
            k++;
        if (k < c->n) {
            if (r > c->items[k].relevance)
                c->items[k].relevance = r;
        } else if (c->n < HQ_CARD_MAX_SECTIONS) {
            c->items[c->n++] = (candidate){*h, r};
        }
    }
}

static int by_relevance(const void *a, const void *b)
{
    const candidate *x = a, *y = b;
    return x->relevance > y->relevance ? -1 : x->relevance < y->relevance;
}

/* The question's search, then the focus' (when there is one). */
static hq_status gather(hq_engine *e, hq_analyzer *a, hq_snapshot *snap, const char *text,
                        hq_search_run *run, candidates *c, hq_error *err)
{
    hq_status rc = hq_engine_search(e, a, snap, text, QUESTION_DEPTH, 0, run, err);
    if (rc != HQ_OK)
        return rc;
    add_hits(c, run, 1.0);
    const hq_concept *focus = hq_vocab_concept(e->vocab, run->question->focus);
    if (focus) {
        hq_search_run fr;
        hq_error ignored;
        hq_error_clear(&ignored);
        if (hq_engine_search(e, a, snap, focus->name, FOCUS_DEPTH, 0, &fr, &ignored) == HQ_OK)
            add_hits(c, &fr, FOCUS_LIST_SHARE);
        hq_search_run_free(&fr);
    }
    qsort(c->items, c->n, sizeof *c->items, by_relevance);
    return HQ_OK;
}

/* ---- what the card needs of each section --------------------------------- */

typedef struct section_data {
    hq_store_hit_info info;
    hq_question title_q; /* analysis of the title: its concepts and type */
    bool analysed;
} section_data;

static bool names_question_concept(const hq_vocab *v, const hq_question *q, uint32_t concept)
{
    if (hq_vocab_near(v, concept, q->focus))
        return true;
    for (size_t i = 0; i < q->n_matches; i++)
        if (q->matches[i].concept == concept)
            return true;
    return false;
}

/* Whether the section's article, or its title, is about the question. */
static bool on_topic(const hq_engine *e, hq_analyzer *a, const hq_question *q,
                     const hq_card_section *s)
{
    if (q->focus == HQ_NO_CONCEPT)
        return true;
    if (names_question_concept(e->vocab, q, s->concept))
        return true;
    hq_tokens toks = {0};
    uint32_t start;
    hq_analyze(a, s->title, strlen(s->title), 0, &toks);
    bool named = hq_vocab_mentions(e->vocab, &toks, q->focus, &start, 1) > 0;
    hq_tokens_free(&toks);
    return named;
}

static hq_status load_section(hq_engine *e, hq_analyzer *a, const hq_snapshot *snap,
                              const hq_question *q, const hq_aspects *asp, const candidate *c,
                              hq_card_section *s, section_data *d, hq_error *err)
{
    const hq_segment *seg = snap->segs[c->hit.seg];
    hq_docinfo di;
    hq_segment_doc(seg, c->hit.doc, &di);
    s->section_id = hq_segment_string(seg, di.section_id);
    s->article_id = hq_segment_string(seg, di.article_id);
    s->source = hq_segment_string(seg, di.source);
    s->trust = hq_trust_name(di.trust);
    hq_status rc = hq_store_hit(e->store, s->section_id, &d->info, err);
    if (rc != HQ_OK)
        return rc;
    s->title = d->info.title ? d->info.title : "";
    s->article_title = d->info.article_title;
    s->url = d->info.url;
    s->body = d->info.body;
    s->relevance = c->relevance;
    s->concept = hq_vocab_article(e->vocab, s->article_id);
    hq_question_analyze(e->vocab, e->cues, a, &e->rerank.query, s->title, strlen(s->title),
                        &d->title_q);
    d->analysed = true;
    s->on_topic = on_topic(e, a, q, s);
    /* Its own type's aspect; without a type (portal pages, topic pages),
     * what its title asks, else the card's first aspect (overview). */
    if (d->info.qtype) {
        s->aspect = hq_aspect_of_section(asp, d->info.qtype);
    } else {
        int asked = d->title_q.type_found ? hq_aspect_asked(asp, d->title_q.type) : HQ_ASPECT_NONE;
        s->aspect = asked != HQ_ASPECT_NONE ? asked : 0;
    }
    return HQ_OK;
}

static void section_data_free(section_data *d)
{
    hq_store_hit_free(&d->info);
    if (d->analysed)
        hq_question_free(&d->title_q);
}

/* ---- the card ----------------------------------------------------------- */

static json_t *triage_part(json_t *t)
{
    return json_pack("{s:O, s:O, s:O, s:O}", "level", json_object_get(t, "level"), "message",
                     json_object_get(t, "message"), "guidance", json_object_get(t, "guidance"),
                     "rule", json_object_get(t, "rule"));
}

static json_t *question_part(const hq_engine *e, const char *text, const hq_question *q)
{
    json_t *o = json_object();
    json_object_set_new(o, "text", json_string(text));
    json_t *focus = hq_engine_concept_json(e->vocab, q->focus);
    if (q->focus_match && json_is_object(focus))
        json_object_set_new(focus, "as_written",
                            json_stringn(text + q->focus_match->start,
                                         q->focus_match->end - q->focus_match->start));
    json_object_set_new(o, "focus", focus);
    json_object_set_new(o, "type", json_string(q->type));
    json_object_set_new(o, "type_from_cue", json_boolean(q->type_found));
    json_object_set_new(o, "context", q->context.end ? json_stringn(text + q->context.start,
                                                                    q->context.end - q->context.start)
                                                     : json_null());
    return o;
}

static hq_status check_question(const char *text, hq_error *err)
{
    if (text == NULL)
        return hq_fail(err, HQ_EINVAL, "question", 0, -1, "the question is NULL");
    hq_status rc = hq_check_question(text, strlen(text), err);
    if (rc != HQ_OK)
        return rc;
    if (text[strspn(text, " \t\r\n")] == '\0')
        return hq_fail(err, HQ_EINVAL, "question", 0, -1, "the question is empty");
    return HQ_OK;
}

/* The passages part, from a finished search. */
static hq_status passages_part(hq_engine *e, hq_analyzer *a, const hq_snapshot *snap,
                               const hq_aspects *asp, const hq_question *q,
                               const candidates *c, json_t **out, hq_error *err)
{
    hq_card_section secs[HQ_CARD_MAX_SECTIONS];
    section_data data[HQ_CARD_MAX_SECTIONS];
    memset(data, 0, sizeof data);
    hq_status rc = HQ_OK;
    size_t n = 0;
    for (; rc == HQ_OK && n < c->n; n++)
        rc = load_section(e, a, snap, q, asp, &c->items[n], &secs[n], &data[n], err);
    if (rc == HQ_OK) {
        hq_card_input in = {.aspects = asp, .vocab = e->vocab, .focus = q->focus,
                            .keys = q->keys, .n_keys = q->n_keys,
                            .asked = hq_aspect_asked(asp, q->type), .sections = secs,
                            .n_sections = n};
        *out = hq_card_build(a, &in);
    }
    for (size_t i = 0; i < n; i++)
        section_data_free(&data[i]);
    return rc;
}

hq_status hq_ask(hq_engine *e, const char *text, json_t **out, hq_error *err)
{
    *out = NULL;
    hq_status rc = check_question(text, err);
    const hq_aspects *asp = NULL;
    json_t *triage = NULL, *card = NULL;
    if (rc == HQ_OK)
        rc = hq_triage(text, &triage, err);
    if (rc == HQ_OK)
        rc = the_aspects(&asp, err);
    if (rc == HQ_OK)
        rc = hq_engine_understanding(e, err);
    if (rc != HQ_OK) {
        json_decref(triage);
        return rc;
    }
    double t0 = hq_now();
    hq_snapshot *snap = NULL;
    rc = hq_engine_snapshot(e, &snap, err);
    if (rc != HQ_OK) {
        json_decref(triage);
        return rc;
    }
    hq_analyzer *a = hq_engine_take_analyzer(e);
    hq_search_run run;
    candidates c = {.n = 0};
    rc = gather(e, a, snap, text, &run, &c, err);
    if (rc == HQ_OK)
        rc = passages_part(e, a, snap, asp, run.question, &c, &card, err);
    if (rc == HQ_OK) {
        json_t *o = json_object();
        json_object_set_new(o, "triage", triage_part(triage));
        json_object_set_new(o, "question", question_part(e, text, run.question));
        json_object_set_new(o, "aspects", json_incref(json_object_get(card, "aspects")));
        json_object_set_new(o, "read_at_source",
                            json_incref(json_object_get(card, "read_at_source")));
        json_object_set_new(o, "notice",
                            json_string("General information from the sources cited, not a "
                                        "diagnosis. If you are worried about your health, "
                                        "contact a doctor."));
        json_object_set_new(o, "took_ms", json_real((hq_now() - t0) * 1000.0));
        *out = o;
    }
    json_decref(card);
    json_decref(triage);
    hq_search_run_free(&run);
    hq_engine_release_analyzer(e, a);
    hq_snapshot_unref(snap);
    return rc;
}

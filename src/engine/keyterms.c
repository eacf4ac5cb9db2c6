/*
 * keyterms.c — the "more like this" query of an article, for related
 * articles (related.c): its key terms, chosen as Lucene's MoreLikeThis
 * chooses them (tf * idf over the article's own text), weighted by their
 * score over the best one's, plus the names of its focus concept.
 *
 * Which text counts: the title (each occurrence counts mlt.title times),
 * the headings of sections that have no question type, and the bodies.
 * MedQuAD's questions ("What is (are) X ?", "How to diagnose X ?") are
 * templates around the focus: only X says something, and X is the title.
 * A term is kept when it is at least 2 bytes, not a number, occurs
 * mlt.min_tf times (once in a text under mlt.short words), and is in at
 * least mlt.min_df sections of the index and — unless in fewer than
 * MAX_DF_FLOOR — in at most the share mlt.max_df of them.
 */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

#define MAX_FOCUS_NAMES 4 /* names of the focus added to the query */
#define MAX_TITLE_BYTES 4096
/* An article with fewer words of body text (removed MedQuAD answers: a
 * title and template questions only) has no text of its own. */
#define MIN_BODY_WORDS 20
/* mlt.max_df leaves terms of fewer sections alone: in a small collection
 * every word is in a large share of it. */
#define MAX_DF_FLOOR 100

typedef struct term_count {
    const char *term; /* in the query's arena */
    uint32_t len;
    double tf, score;
} term_count;

/* One call's state. */
typedef struct counter {
    hq_keyterms *q;
    hq_analyzer *a;
    hq_tokens *toks;
    const hq_snapshot *snap;
    const hq_related_params *p;
    term_count *items;
    size_t n, cap;
    size_t words;      /* analysed words of the text (stop words left out) */
    size_t body_words; /* of which in section bodies */
} counter;

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static void count_terms(counter *c, const char *text, double each)
{
    size_t len = text ? strlen(text) : 0;
    hq_analyze(c->a, text, len, 0, c->toks);
    for (size_t i = 0; i < c->toks->n; i++) {
        const hq_token *k = &c->toks->items[i];
        hq_grow((void **)&c->items, &c->cap, c->n + 1, sizeof *c->items);
        c->items[c->n++] = (term_count){hq_arena_strndup(&c->q->arena, k->term, k->len), k->len,
                                        each, 0};
    }
    c->words += c->toks->n;
}

static int by_term(const void *pa, const void *pb)
{
    const term_count *a = pa, *b = pb;
    return strcmp(a->term, b->term);
}

static int by_score(const void *pa, const void *pb)
{
    const term_count *a = pa, *b = pb;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return strcmp(a->term, b->term);
}

/* Merges equal terms (sorting them), summing their counts. */
static void merge_terms(counter *c)
{
    qsort(c->items, c->n, sizeof *c->items, by_term);
    size_t out = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (out > 0 && strcmp(c->items[out - 1].term, c->items[i].term) == 0)
            c->items[out - 1].tf += c->items[i].tf;
        else
            c->items[out++] = c->items[i];
    }
    c->n = out;
}

/* True when the term is only digits and punctuation: a number says
 * nothing of a topic. */
static bool is_number(const char *term, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((term[i] < '0' || term[i] > '9') && term[i] != '.' && term[i] != ',' && term[i] != '-')
            return false;
    return true;
}

/* Adds term with weight, or raises the weight of the term already there. */
static void add_term(hq_keyterms *q, const char *term, uint32_t len, double weight)
{
    for (size_t i = 0; i < q->n; i++)
        if (q->terms[i].len == len && memcmp(q->terms[i].term, term, len) == 0) {
            if (weight > q->terms[i].weight)
                q->terms[i].weight = weight;
            return;
        }
    hq_grow((void **)&q->terms, &q->cap, q->n + 1, sizeof *q->terms);
    q->terms[q->n++] = (hq_plan_term){term, len, weight};
}

/* Scores the merged terms by tf * idf and keeps the mlt.terms best. */
static hq_status pick_terms(counter *c, hq_error *err)
{
    const hq_related_params *p = c->p;
    double min_tf = (double)c->words < p->short_text ? 1 : p->min_tf;
    uint64_t n_all = c->snap->n_all;
    size_t kept = 0;
    for (size_t i = 0; i < c->n; i++) {
        term_count *t = &c->items[i];
        uint64_t df = 0;
        if (t->tf < min_tf || t->len < 2 || t->len > HQ_MAX_TERM_BYTES ||
            is_number(t->term, t->len))
            continue;
        hq_status rc = hq_snapshot_df(c->snap, t->term, t->len, &df);
        if (rc != HQ_OK)
            return hq_fail(err, rc, "index", 0, -1,
                           "a lexicon could not be read: run 'healthqa check'");
        bool common = (double)df > p->max_df * (double)n_all && df > MAX_DF_FLOOR;
        if ((double)df < p->min_df || common)
            continue;
        t->score = t->tf * hq_bm25f_idf(n_all, df);
        c->items[kept++] = *t;
    }
    qsort(c->items, kept, sizeof *c->items, by_score);
    size_t n = kept < (size_t)p->terms ? kept : (size_t)p->terms;
    for (size_t i = 0; i < n; i++)
        add_term(c->q, c->items[i].term, c->items[i].len, c->items[i].score / c->items[0].score);
    return HQ_OK;
}

/* The focus' names at mlt.focus: articles about the same concept under
 * another name ("backache", "lumbago") are found too. */
static void add_focus_names(counter *c, const hq_vocab *v, uint32_t focus)
{
    if (focus == HQ_NO_CONCEPT || c->p->focus_weight <= 0)
        return;
    const char *names[MAX_FOCUS_NAMES];
    size_t n = hq_vocab_texts(v, focus, names, MAX_FOCUS_NAMES);
    for (size_t i = 0; i < n; i++) {
        hq_analyze(c->a, names[i], strlen(names[i]), 0, c->toks);
        for (size_t k = 0; k < c->toks->n; k++) {
            const hq_token *tk = &c->toks->items[k];
            uint64_t df = 0;
            if (tk->len < 2 || is_number(tk->term, tk->len))
                continue; /* MeSH entry terms such as "R-14,889" */
            if (hq_snapshot_df(c->snap, tk->term, tk->len, &df) == HQ_OK && df > 0)
                add_term(c->q, hq_arena_strndup(&c->q->arena, tk->term, tk->len), tk->len,
                         c->p->focus_weight);
        }
    }
}

hq_status hq_keyterms_build(const hq_vocab *v, hq_analyzer *a, hq_tokens *toks,
                            const hq_snapshot *snap, const hq_related_params *p,
                            const json_t *article, uint32_t focus, hq_keyterms *q,
                            hq_error *err)
{
    memset(q, 0, sizeof *q);
    hq_arena_init(&q->arena);
    counter c = {.q = q, .a = a, .toks = toks, .snap = snap, .p = p};
    const char *title = str(article, "title");
    if (title && strlen(title) <= MAX_TITLE_BYTES)
        count_terms(&c, title, p->title_tf);
    size_t i;
    const json_t *s;
    json_array_foreach(json_object_get(article, "sections"), i, s)
    {
        const char *heading = str(s, "title");
        if (heading && str(s, "question_type") == NULL && (title == NULL || strcmp(heading, title) != 0))
            count_terms(&c, heading, 1);
        size_t before = c.words;
        count_terms(&c, str(s, "body"), 1);
        c.body_words += c.words - before;
    }
    q->has_text = c.body_words >= MIN_BODY_WORDS;
    merge_terms(&c);
    hq_status rc = pick_terms(&c, err);
    free(c.items);
    if (rc == HQ_OK)
        add_focus_names(&c, v, focus);
    return rc;
}

void hq_keyterms_free(hq_keyterms *q)
{
    free(q->terms);
    hq_arena_free(&q->arena);
    memset(q, 0, sizeof *q);
}

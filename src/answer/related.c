/*
 * related.c — which of the candidates an engine found are related
 * articles of a source article, in what order, and why.  The engine
 * (src/engine/related.c) finds the candidates with a "more like this"
 * query (the article's key terms, as Lucene's MoreLikeThis builds one)
 * and gives each its text similarity (0..1), the key terms it shares and
 * the concepts it is about (focus, then title); this file adds what the
 * concept table knows and decides.
 *
 * A candidate is related by its content only, never by a page's own
 * links (the portal's Recommend lists hold "iPhone sales" and "hawthorn
 * cake"):
 *   concept  the best of: it is about the source's focus concept
 *            (same_focus = 1); about a concept the source names in its
 *            title or often in its text (named 0.8, times how firmly
 *            the source names it); in a MeSH branch it shares with the
 *            focus or a named concept (branch 0.15 per level beyond the
 *            first, at most 0.6: C23.888 → 0.15, C23.888.592.612 →
 *            0.45); through a concept of the candidate's title rather
 *            than its focus, title_factor (0.8) of that.
 *   text     the engine's similarity of the texts.
 *   trust    high 1, medium 2/3, low 1/3, unknown 0, weighted 0.05: an
 *            unknown page never outranks an equally related trusted one.
 * score = text + w_concept * concept + w_trust * trust.
 *
 * The relevance floor: a candidate needs a concept link (a concept
 * feature of min_concept, 0.3) and some text similarity (min_text, 0.1),
 * or, without a link, much text similarity (min_text_alone, 0.35) with
 * min_shared (3) key terms in common, from a source that has a text of
 * its own.  Fewer related articles are better than filler: nothing else
 * fills the list.  The order is greedy, with the concept feature of a
 * candidate linked through an already used source concept damped
 * (diversity), so one concept does not fill the list.  The defaults below
 * and data/related.conf hold the numbers; how they were chosen and what
 * they give is in docs/RELATED.md.
 */
#include "answer.h"
#include "../index/index.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifndef HQ_DATA_DIR
#define HQ_DATA_DIR "data"
#endif

void hq_related_defaults(hq_related_params *p)
{
    *p = (hq_related_params){
        .terms = 25, .min_tf = 2, .short_text = 150, .min_df = 2, .max_df = 0.1,
        .title_tf = 3, .focus_weight = 1, .depth = 200, .min_mentions = 3, .context = 0.5,
        .same_focus = 1, .named = 0.8, .branch = 0.15, .branch_max = 0.6, .title_factor = 0.8,
        .w_concept = 0.5, .w_trust = 0.05, .diversity = 0.6,
        .min_text = 0.1, .min_text_alone = 0.35, .min_concept = 0.3, .min_shared = 3,
        .similar_text = 0.35,
    };
}

const char *hq_related_default_path(void)
{
    const char *env = getenv("HEALTHQA_RELATED");
    return env && *env ? env : HQ_DATA_DIR "/related.conf";
}

hq_status hq_related_load(const char *path, hq_related_params *p, hq_error *err)
{
    hq_related_defaults(p);
    const hq_param params[] = {
        {"mlt.terms", &p->terms, 1, 256, false},
        {"mlt.min_tf", &p->min_tf, 1, 100, false},
        {"mlt.short", &p->short_text, 0, 1e6, false},
        {"mlt.min_df", &p->min_df, 1, 1e9, false},
        {"mlt.max_df", &p->max_df, 0, 1, true},
        {"mlt.title", &p->title_tf, 0, 100, false},
        {"mlt.focus", &p->focus_weight, 0, 100, false},
        {"mlt.depth", &p->depth, 1, 1000, false},
        {"mlt.mentions", &p->min_mentions, 1, 100, false},
        {"mlt.context", &p->context, 0, 1, false},
        {"related.same_focus", &p->same_focus, 0, 1, false},
        {"related.named", &p->named, 0, 1, false},
        {"related.branch", &p->branch, 0, 1, false},
        {"related.branch_max", &p->branch_max, 0, 1, false},
        {"related.title", &p->title_factor, 0, 1, false},
        {"related.concept", &p->w_concept, 0, 100, false},
        {"related.trust", &p->w_trust, 0, 100, false},
        {"related.diversity", &p->diversity, 0, 1, false},
        {"related.min_text", &p->min_text, 0, 1, false},
        {"related.min_text_alone", &p->min_text_alone, 0, 1, false},
        {"related.min_concept", &p->min_concept, 0, 1, false},
        {"related.min_shared", &p->min_shared, 0, 256, false},
        {"related.similar_text", &p->similar_text, 0, 1, false},
    };
    return hq_params_load(path, params, sizeof params / sizeof *params, err);
}

static double trust_value(int trust)
{
    static const double TRUST[] = {1.0, 2.0 / 3.0, 1.0 / 3.0, 0.0};
    return trust >= 0 && trust <= HQ_TRUST_UNKNOWN ? TRUST[trust] : 0;
}

/* One link of a candidate concept to a source concept k: its value, and
 * the reason it gives. */
typedef struct link {
    double value;
    unsigned why;
    const hq_related_concept *named, *via;
    char branch[HQ_RELATED_BRANCH_BYTES];
} link;

/* The link of concept id (tree numbers tree) to k, s's focus when
 * is_focus, scaled by factor; kept in *best when it is better. */
static void try_link(const hq_related_params *p, uint32_t id, const char *tree,
                     const hq_related_concept *k, bool is_focus, double factor, link *best)
{
    link l = {.via = k};
    if (id == k->id) {
        l.value = (is_focus ? p->same_focus : p->named) * k->weight * factor;
        l.why = is_focus ? HQ_WHY_SAME_FOCUS : HQ_WHY_NAMED;
        l.named = is_focus ? NULL : k;
    } else {
        size_t levels = hq_mesh_common_branch(k->tree, tree, l.branch, sizeof l.branch);
        if (levels < 2)
            return;
        double f = p->branch * (double)(levels - 1);
        l.value = (f < p->branch_max ? f : p->branch_max) * k->weight * factor;
        l.why = HQ_WHY_BRANCH;
    }
    if (l.value > best->value)
        *best = l;
}

void hq_related_score(const hq_related_params *p, const hq_related_source *s,
                      hq_related_cand *c)
{
    link best = {0}, branch = {0};
    for (size_t j = 0; j < c->n_concepts && j < HQ_RELATED_MAX_CONCEPTS; j++) {
        if (c->concepts[j] == HQ_NO_CONCEPT)
            continue;
        double factor = j == 0 ? 1 : p->title_factor;
        link l = {0};
        if (s->focus)
            try_link(p, c->concepts[j], c->trees[j], s->focus, true, factor, &l);
        for (size_t i = 0; i < s->n_named; i++)
            try_link(p, c->concepts[j], c->trees[j], &s->named[i], false, factor, &l);
        link *into = l.why == HQ_WHY_BRANCH ? &branch : &best;
        if (l.value > into->value)
            *into = l;
    }
    /* the reasons: the best direct link, and the best branch beside it */
    c->why = best.why | (branch.value > 0 ? HQ_WHY_BRANCH : 0);
    c->named = best.named;
    c->via = best.value >= branch.value ? best.via : branch.via;
    memcpy(c->branch, branch.branch, sizeof c->branch);
    double concept = best.value > branch.value ? best.value : branch.value;
    bool similar = s->has_text && (double)c->shared >= p->min_shared;
    if (c->text >= p->similar_text && similar)
        c->why |= HQ_WHY_TEXT;
    c->concept_score = concept;
    c->score = c->text + p->w_concept * concept + p->w_trust * trust_value(c->trust);
    c->kept = (concept >= p->min_concept && c->text >= p->min_text) ||
              (c->text >= p->min_text_alone && similar);
}

/* True when a ranks before b at the same score: more trusted, then by id. */
static bool before(const hq_related_cand *a, double sa, const hq_related_cand *b, double sb)
{
    if (sa != sb)
        return sa > sb;
    if (a->trust != b->trust)
        return a->trust < b->trust;
    return strcmp(a->article_id, b->article_id) < 0;
}

/* How many candidates of c[0..n) were linked through k. */
static size_t uses(const hq_related_cand *c, size_t n, const hq_related_concept *k)
{
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        u += k && c[i].via == k;
    return u;
}

size_t hq_related_select(const hq_related_params *p, const hq_related_source *s,
                         hq_related_cand *c, size_t n)
{
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        hq_related_score(p, s, &c[i]);
        if (c[i].kept) {
            hq_related_cand t = c[kept];
            c[kept++] = c[i];
            c[i] = t;
        }
    }
    for (size_t at = 0; at < kept; at++) {
        size_t best = at;
        double best_score = -1;
        for (size_t i = at; i < kept; i++) {
            double decay = pow(p->diversity, (double)uses(c, at, c[i].via));
            double sc = c[i].text + p->w_concept * c[i].concept_score * decay +
                        p->w_trust * trust_value(c[i].trust);
            if (best_score < 0 || before(&c[i], sc, &c[best], best_score)) {
                best = i;
                best_score = sc;
            }
        }
        hq_related_cand t = c[at];
        c[at] = c[best];
        c[best] = t;
        c[at].score = best_score;
    }
    for (size_t i = 0; i < kept; i++) {
        c[i].same_title_of = i;
        for (size_t j = 0; j < i && *c[i].title_key; j++)
            if (c[j].same_title_of == j && strcmp(c[i].title_key, c[j].title_key) == 0) {
                c[i].same_title_of = j;
                break;
            }
    }
    return kept;
}

json_t *hq_related_why(const hq_related_source *s, const hq_related_cand *c)
{
    json_t *why = json_array();
    if ((c->why & HQ_WHY_SAME_FOCUS) && s->focus)
        json_array_append_new(why, json_sprintf("same focus: %s", s->focus->name));
    if ((c->why & HQ_WHY_NAMED) && c->named)
        json_array_append_new(why, json_sprintf("named in this article: %s", c->named->name));
    if (c->why & HQ_WHY_BRANCH)
        json_array_append_new(why, json_sprintf("MeSH branch %s", c->branch));
    if (c->why & HQ_WHY_TEXT)
        json_array_append_new(why, json_string("similar text"));
    return why;
}

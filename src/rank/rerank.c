/*
 * rerank.c — the second stage of ranking: the first-stage BM25F top-k
 * re-scored with features a reader would name, each explainable on its
 * own (`healthqa explain`):
 *   bm25    the first-stage score divided by the best one of the list
 *           (0..1, so the weights below mean the same for every query);
 *   focus   the section's article is about the question's focus concept
 *           (1), about another concept the question names (secondary),
 *           or about a concept sharing the focus' MeSH branch (branch);
 *   type    the section answers the type of question asked (its MedQuAD
 *           question type equals the question's), when a cue gave one;
 *   trust   the source's trust level: high 1, medium 2/3, low 1/3,
 *           unknown 0 — so an untrusted page never outranks an equally
 *           relevant trusted one.
 * total = bm25 + w_focus * focus + w_type * type + w_trust * trust.
 * The weights and the query-side weights of question analysis live in
 * data/rerank.conf; they were tuned on the dev questions only.
 */
#include "rank.h"

#include <stdlib.h>
#include <string.h>

#ifndef HQ_DATA_DIR
#define HQ_DATA_DIR "data"
#endif

void hq_rerank_defaults(hq_rerank_params *p)
{
    memset(p, 0, sizeof *p);
    hq_question_weights_default(&p->query);
    p->depth = 100;
    p->focus = 0.3;
    p->secondary = 0.5;
    p->branch = 0.2;
    p->type = 0.1;
    p->trust = 0.05;
}

const char *hq_rerank_default_path(void)
{
    const char *env = getenv("HEALTHQA_RERANK");
    return env && *env ? env : HQ_DATA_DIR "/rerank.conf";
}

hq_status hq_rerank_load(const char *path, hq_rerank_params *p, hq_error *err)
{
    hq_rerank_defaults(p);
    double synonyms = (double)p->query.max_synonyms;
    const hq_param params[] = {
        {"query.focus", &p->query.role[HQ_ROLE_FOCUS], 0, 100, false},
        {"query.concept", &p->query.role[HQ_ROLE_CONCEPT], 0, 100, false},
        {"query.context", &p->query.role[HQ_ROLE_CONTEXT], 0, 100, false},
        {"query.other", &p->query.role[HQ_ROLE_OTHER], 0, 100, false},
        {"query.synonym", &p->query.role[HQ_ROLE_SYNONYM], 0, 100, false},
        {"query.synonyms", &synonyms, 0, 16, false},
        {"rerank.depth", &p->depth, 1, 1000, false},
        {"rerank.focus", &p->focus, 0, 100, false},
        {"rerank.secondary", &p->secondary, 0, 1, false},
        {"rerank.branch", &p->branch, 0, 1, false},
        {"rerank.type", &p->type, 0, 100, false},
        {"rerank.trust", &p->trust, 0, 100, false},
    };
    hq_status rc = hq_params_load(path, params, sizeof params / sizeof *params, err);
    p->query.max_synonyms = (size_t)synonyms;
    return rc;
}

/* True when a tree number of one ';'-list is the other's or one's
 * ancestor, two levels deep or more (C23.888.592.612 and its ancestor
 * C23.888.592; not siblings such as C23.888.592.612 and C23.888.821,
 * which hq_mesh_common_branch would count: the weights of rerank.conf
 * were tuned with this narrower relation, and the broader one costs
 * 0.007 nDCG@10 on the dev questions). */
static bool same_branch(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return false;
    for (const char *x = a; *x;) {
        size_t xl = strcspn(x, ";");
        for (const char *y = b; *y;) {
            size_t yl = strcspn(y, ";");
            size_t n = 0;
            while (n < xl && n < yl && x[n] == y[n])
                n++;
            /* Two levels: "C23.888" is 7 bytes. */
            if (n >= 7 && (n == xl || n == yl || x[n] == '.'))
                return true;
            y += yl + (y[yl] == ';');
        }
        x += xl + (x[xl] == ';');
    }
    return false;
}

static double focus_feature(const hq_rerank_params *p, const hq_vocab *v, const hq_question *q,
                            uint32_t concept)
{
    if (concept == HQ_NO_CONCEPT || q->focus == HQ_NO_CONCEPT)
        return 0;
    if (concept == q->focus)
        return 1;
    for (size_t i = 0; i < q->n_matches; i++)
        if (q->matches[i].concept == concept)
            return p->secondary;
    if (same_branch(hq_vocab_concept(v, concept)->tree, hq_vocab_concept(v, q->focus)->tree))
        return p->branch;
    return 0;
}

void hq_rerank_features_of(const hq_rerank_params *p, const hq_snapshot *snap,
                           const hq_vocab *v, const hq_question *q, const hq_hit *h,
                           double top_score, hq_rerank_features *f)
{
    static const double TRUST[] = {1.0, 2.0 / 3.0, 1.0 / 3.0, 0.0};
    const hq_segment *s = snap->segs[h->seg];
    hq_docinfo di;
    hq_segment_doc(s, h->doc, &di);
    memset(f, 0, sizeof *f);
    f->bm25 = top_score > 0 ? h->score / top_score : 0;
    f->focus = focus_feature(p, v, q, hq_vocab_article(v, hq_segment_string(s, di.article_id)));
    if (q->type_found && di.qtype != HQ_NO_STRING &&
        strcmp(hq_segment_string(s, di.qtype), q->type) == 0)
        f->type = 1;
    f->trust = di.trust <= HQ_TRUST_UNKNOWN ? TRUST[di.trust] : 0;
    f->total = f->bm25 + p->focus * f->focus + p->type * f->type + p->trust * f->trust;
}

typedef struct scored {
    hq_hit hit;
    double total;
    size_t order;
} scored;

static int by_total(const void *a, const void *b)
{
    const scored *x = a, *y = b;
    if (x->total != y->total)
        return x->total < y->total ? 1 : -1;
    return (x->order > y->order) - (x->order < y->order);
}

void hq_rerank(const hq_rerank_params *p, const hq_snapshot *snap, const hq_vocab *v,
               const hq_question *q, hq_hit *hits, size_t n)
{
    if (n == 0)
        return;
    scored *s = hq_xmalloc(n * sizeof *s);
    double top = hits[0].score;
    for (size_t i = 0; i < n; i++) {
        hq_rerank_features f;
        hq_rerank_features_of(p, snap, v, q, &hits[i], top, &f);
        s[i] = (scored){hits[i], f.total, i};
    }
    qsort(s, n, sizeof *s, by_total);
    for (size_t i = 0; i < n; i++) {
        hits[i] = s[i].hit;
        hits[i].score = s[i].total;
    }
    free(s);
}

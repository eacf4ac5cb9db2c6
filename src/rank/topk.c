/*
 * topk.c — the k best documents of a plan, segment by segment, with one
 * heap (and so one threshold) over the whole snapshot.
 *
 * Scores are fixed-point: every term's contribution is rounded down to a
 * multiple of 2^-32 (FIX), so sums of contributions are exact whatever
 * their order, and every upper bound is rounded up to such a multiple.
 * Documents can then be scored term at a time or document at a time, in
 * any order, and pruning compares exactly: a document whose bound is
 * below the threshold, or equal to it while it would lose the tie on
 * document order, cannot enter the heap.
 *
 * Disjunctive plans use MaxScore (Turtle & Flood 1995) over windows of
 * documents bounded by the postings blocks (block-max MaxScore, as
 * Lucene's MaxScoreBulkScorer), regions of the segment best bound first;
 * in a window the essential terms are scored term at a time into an
 * accumulator (see "disjunctive" below).
 *
 * Exactness: the heap keeps the k best hits in the order of hq_hit
 * (score descending, then segment and document ascending) whatever the
 * order documents are scored in; a document is pruned only when it
 * cannot enter (above), and scores do not depend on the order of
 * summation.  So pruned and exhaustive runs return the same hits with the
 * same scores (tested on random plans).
 *
 * Plans with required phrases are conjunctive: the rarest required term
 * drives, the others are advanced to its documents, positions confirm
 * the phrases, and every candidate is scored completely.
 */
#include "rank.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FIX 4294967296.0 /* 2^32: contributions are multiples of 1 / FIX */
#define WINDOW 4096       /* documents per accumulator window, at most */

/* v rounded down to a multiple of 1 / FIX (v >= 0, v * FIX < 2^63):
 * exact sums of up to 2^21 in any order. */
static inline double fix_down(double v)
{
    return (double)(int64_t)(v * FIX) / FIX;
}

/* An upper bound of v rounded up to a multiple of 1 / FIX, with room for
 * the rounding of the different operations that computed v and it. */
static inline double fix_up(double v)
{
    return ceil(v * (1.0 + 1e-9) * FIX) / FIX + 1.0 / FIX;
}

typedef struct cursor {
    hq_postings p;
    hq_terminfo ti; /* where p was opened, to reopen it */
    double mult; /* weight * idf */
    uint32_t term;
    bool present;
    double wb;   /* bound over the current window (see maxscore) */
    double *bounds; /* every block's bound (in search.bounds), fix_up */
    uint32_t wblock; /* the block holding the window's start, or the first after it */
} cursor;

/* Phrase cursors and scratch for positions. */
typedef struct phrase_cur {
    const hq_plan_phrase *ph;
    hq_postings *p; /* ph->n cursors */
    bool present;   /* every term occurs in the segment */
} phrase_cur;

typedef struct filt {
    hq_plan_filter_kind kind;
    uint32_t value; /* string offset, or trust code */
    bool excluded, never; /* never: the value is absent from the segment */
} filt;

typedef struct search {
    const hq_plan *plan;
    size_t k;
    bool exhaustive;
    hq_hit *heap; /* min-heap: worst hit on top */
    double theta; /* see update_theta */
    size_t n_heap;
    hq_topk_stats *stats;
    hq_error *err;
    hq_status rc;
    /* per segment */
    uint32_t seg;
    const hq_segment *s;
    bool exact_bounds; /* the segment's max_tfn holds for this plan's parameters */
    cursor *cur;
    double *mult; /* per plan term: weight * idf over the whole snapshot */
    phrase_cur *req, *exc;
    filt *filters;
    size_t n_filters;
    uint32_t *pos_a, *pos_b;
    uint32_t pos_cap;
    hq_terminfo *tis;  /* per plan term and segment (df 0: absent) */
    double *bounds;    /* block bounds of the segment's cursors */
    size_t cap_bounds;
    struct region *reg; /* the segment's regions */
    size_t cap_reg;
    const uint8_t *len_codes; /* the segment's (hq_segment_length_codes) */
    const double (*factor)[256]; /* hq_field_factor by field and length code */
    double *acc;      /* WINDOW partial scores, 0 outside a window's scoring */
    uint64_t *hits;   /* WINDOW bits: the documents of acc, 0 outside it */
    uint32_t *cand_doc; /* WINDOW: a window's candidates (see complete) */
    double *cand_score; /* WINDOW: their partial scores */
    double tfn[HQ_BLOCK]; /* a block's normalised frequencies */
} search;

/* Per thread, kept between searches: the accumulator (all zero outside
 * a window's scoring), and the last factor table with its parameters. */
static _Thread_local double acc_buf[WINDOW];
static _Thread_local uint64_t hits_buf[WINDOW / 64];
static _Thread_local uint32_t cand_doc_buf[WINDOW];
static _Thread_local double cand_score_buf[WINDOW];
static _Thread_local struct {
    bool valid;
    double key[3][HQ_NFIELDS]; /* w, b, average length */
    double factor[HQ_NFIELDS][256];
} factors;

/* ---- the heap ------------------------------------------------------- */

/* a is worse than b: lower score, or same score and later document */
static bool worse(const hq_hit *a, const hq_hit *b)
{
    if (a->score != b->score)
        return a->score < b->score;
    return a->seg != b->seg ? a->seg > b->seg : a->doc > b->doc;
}

/* Moves h[i] down to its place (a hole goes down, the hit is written
 * once). */
static void sift_down(hq_hit *h, size_t n, size_t i)
{
    hq_hit x = h[i];
    for (size_t l; (l = 2 * i + 1) < n;) {
        size_t m = l + 1 < n && worse(&h[l + 1], &h[l]) ? l + 1 : l;
        if (!worse(&h[m], &x))
            break;
        h[i] = h[m];
        i = m;
    }
    h[i] = x;
}

static void sift_up(hq_hit *h, size_t i)
{
    while (i > 0 && worse(&h[i], &h[(i - 1) / 2])) {
        hq_hit t = h[i];
        h[i] = h[(i - 1) / 2];
        h[(i - 1) / 2] = t;
        i = (i - 1) / 2;
    }
}

static bool heap_full(const search *q)
{
    return q->n_heap == q->k;
}

/* Sets the pruning threshold q->theta: the heap's worst score once it
 * is full and pruning is allowed (not exhaustive, every match counted up
 * to plan->count_exact), else -infinity.  Called whenever one of those
 * changes. */
static void update_theta(search *q)
{
    bool prune = heap_full(q) && !q->exhaustive && q->stats->matched >= q->plan->count_exact;
    q->theta = prune ? q->heap[0].score : -INFINITY;
}

/* Can no document of this segment from doc on, bounded by `bound`, enter
 * the heap?  Only when pruning (q->theta), and the bound is below the
 * heap's worst score, or equal to it while the tie on document order is
 * lost. */
static inline bool cannot_enter(const search *q, double bound, uint32_t doc)
{
    if (bound != q->theta)
        return bound < q->theta;
    const hq_hit *worst = &q->heap[0];
    return q->seg != worst->seg ? q->seg > worst->seg : doc > worst->doc;
}

static void offer(search *q, uint32_t doc, double score)
{
    hq_hit h = {q->seg, doc, score};
    if (!heap_full(q)) {
        q->heap[q->n_heap] = h;
        sift_up(q->heap, q->n_heap++);
    } else if (worse(&q->heap[0], &h)) {
        q->heap[0] = h;
        sift_down(q->heap, q->n_heap, 0);
    }
    update_theta(q);
}

/* ---- filters -------------------------------------------------------- */

static uint32_t find_ci(const hq_segment *s, const char *value)
{
    /* sources and types are few per segment: hq_segment_find_string
     * compares exactly, so try the value as written, then a scan */
    uint32_t off = hq_segment_find_string(s, value);
    if (off != HQ_NO_STRING)
        return off;
    for (uint32_t d = 0, n = hq_segment_n_docs(s); d < n; d++) {
        hq_docinfo di;
        hq_segment_doc(s, d, &di);
        if (strcasecmp(hq_segment_string(s, di.source), value) == 0)
            return di.source;
        if (di.qtype != HQ_NO_STRING && strcasecmp(hq_segment_string(s, di.qtype), value) == 0)
            return di.qtype;
    }
    return HQ_NO_STRING;
}

static void resolve_filters(search *q)
{
    q->n_filters = q->plan->n_filters;
    for (size_t i = 0; i < q->n_filters; i++) {
        const hq_plan_filter *pf = &q->plan->filters[i];
        filt *f = &q->filters[i];
        f->kind = pf->kind;
        f->excluded = pf->excluded;
        f->value = pf->kind == HQ_PF_TRUST ? (uint32_t)hq_trust_code(pf->value)
                                           : find_ci(q->s, pf->value);
        f->never = f->value == HQ_NO_STRING;
    }
}

static bool filter_hit(const filt *f, const hq_docinfo *di)
{
    if (f->never)
        return false;
    switch (f->kind) {
    case HQ_PF_SOURCE:
        return di->source == f->value;
    case HQ_PF_TYPE:
        return di->qtype == f->value;
    case HQ_PF_TRUST:
        return di->trust == f->value;
    }
    return false;
}

/* Filters of one kind are alternatives (OR); kinds combine with AND;
 * excluded filters must all miss. */
static bool filters_pass(const search *q, const hq_docinfo *di)
{
    for (int kind = HQ_PF_SOURCE; kind <= HQ_PF_TRUST; kind++) {
        bool any = false, hit = false;
        for (size_t i = 0; i < q->n_filters; i++) {
            const filt *f = &q->filters[i];
            if ((int)f->kind != kind)
                continue;
            if (f->excluded) {
                if (filter_hit(f, di))
                    return false;
            } else {
                any = true;
                hit = hit || filter_hit(f, di);
            }
        }
        if (any && !hit)
            return false;
    }
    return true;
}

/* ---- phrases -------------------------------------------------------- */

static bool open_phrase(search *q, const hq_plan_phrase *ph, phrase_cur *pc)
{
    pc->ph = ph;
    pc->p = hq_xcalloc(ph->n ? ph->n : 1, sizeof *pc->p);
    pc->present = true;
    for (uint32_t i = 0; i < ph->n; i++) {
        hq_terminfo ti;
        hq_status rc = hq_segment_term(q->s, ph->terms[i].term, ph->terms[i].len, &ti);
        if (rc == HQ_ENOTFOUND) {
            pc->present = false;
            continue;
        }
        if (rc == HQ_OK)
            rc = hq_segment_postings(q->s, &ti, &pc->p[i]);
        if (rc != HQ_OK) {
            q->rc = hq_fail(q->err, HQ_ECORRUPT, hq_segment_path(q->s), 0, -1,
                            "cannot read the postings of \"%s\"", ph->terms[i].term);
            return false;
        }
    }
    return true;
}

static void grow_pos(search *q, uint32_t n)
{
    if (n <= q->pos_cap)
        return;
    q->pos_cap = n;
    q->pos_a = hq_xrealloc(q->pos_a, n * sizeof *q->pos_a);
    q->pos_b = hq_xrealloc(q->pos_b, n * sizeof *q->pos_b);
}

/* Positions of cursor p (at the current document) in field f into
 * *out (grown as needed); returns their number. */
static uint32_t positions(search *q, hq_postings *p, int f, uint32_t **out)
{
    uint32_t tf = hq_postings_tf(p)[f];
    grow_pos(q, tf);
    hq_postings_positions(p, f, *out, tf);
    return tf;
}

/* Every term of the phrase is at doc (cursors advanced); do positions
 * line up in some field? */
static bool phrase_positions_match(search *q, phrase_cur *pc)
{
    const hq_plan_phrase *ph = pc->ph;
    for (int f = 0; f < HQ_NFIELDS; f++) {
        bool all = true;
        for (uint32_t i = 0; i < ph->n && all; i++)
            all = hq_postings_tf(&pc->p[i])[f] > 0;
        if (!all)
            continue;
        /* candidates: start positions implied by term 0, filtered by each term */
        uint32_t n = positions(q, &pc->p[0], f, &q->pos_a);
        for (uint32_t i = 1; i < ph->n && n > 0; i++) {
            uint32_t m = positions(q, &pc->p[i], f, &q->pos_b);
            uint32_t keep = 0, j = 0;
            for (uint32_t a = 0; a < n; a++) {
                uint64_t want = (uint64_t)q->pos_a[a] + ph->rel_pos[i] - ph->rel_pos[0];
                while (j < m && q->pos_b[j] < want)
                    j++;
                if (j < m && q->pos_b[j] == want)
                    q->pos_a[keep++] = q->pos_a[a];
            }
            n = keep;
        }
        if (n > 0)
            return true;
    }
    return false;
}

/* Does the phrase occur in doc?  Moves its cursors there (backwards
 * too: disjunctive plans visit documents out of order). */
static bool phrase_at(search *q, phrase_cur *pc, uint32_t doc)
{
    if (!pc->present)
        return false;
    for (uint32_t i = 0; i < pc->ph->n; i++)
        if (hq_postings_seek(&pc->p[i], doc) != doc)
            return false;
    return pc->ph->n == 1 || phrase_positions_match(q, pc);
}

static bool excluded_at(search *q, uint32_t doc)
{
    for (size_t i = 0; i < q->plan->n_excluded; i++)
        if (phrase_at(q, &q->exc[i], doc))
            return true;
    return false;
}

/* ---- scoring -------------------------------------------------------- */

/* hq_field_factor of every field and length code, under the plan's
 * parameters and the snapshot's average lengths (tabulated again only
 * when those change). */
static void tabulate_factors(search *q)
{
    const hq_bm25f *p = q->plan->params;
    const double *avg = q->plan->snap->avg_len;
    double key[3][HQ_NFIELDS];
    memcpy(key[0], p->w, sizeof key[0]);
    memcpy(key[1], p->b, sizeof key[1]);
    memcpy(key[2], avg, sizeof key[2]);
    if (!factors.valid || memcmp(key, factors.key, sizeof key) != 0) {
        for (int f = 0; f < HQ_NFIELDS; f++)
            for (int k = 0; k < 256; k++)
                factors.factor[f][k] = hq_field_factor(p->w[f], p->b[f], avg[f], (uint8_t)k);
        memcpy(factors.key, key, sizeof key);
        factors.valid = true;
    }
    q->factor = (const double(*)[256])factors.factor;
}

/* A term's contribution from its normalised frequency, fixed-point. */
static inline double contribution(const search *q, const cursor *c, double tfn)
{
    return fix_down(c->mult * hq_bm25f_saturate(q->plan->params->k1, tfn));
}

/* c's contribution to doc (c at doc): from its frequencies and the
 * document's length codes, no document record read (hq_tfn_coded, as
 * hq_postings_block_tfn). */
static double term_score(const search *q, cursor *c, uint32_t doc)
{
    const uint8_t *code = q->len_codes + (size_t)doc * HQ_NFIELDS;
    return contribution(q, c, hq_tfn_coded(hq_postings_tf(&c->p), code, q->factor));
}

static double block_bound(const search *q, const cursor *c, uint32_t b)
{
    hq_skip sk;
    hq_postings_skip(&c->p, b, &sk);
    const hq_bm25f *p = q->plan->params;
    double tfn = q->exact_bounds ? (double)sk.max_tfn
                                 : hq_bm25f_tfn_bound(p, q->plan->snap->avg_len, &sk);
    return fix_up(c->mult * hq_bm25f_saturate(p->k1, tfn));
}

/* The segment's exact bounds hold when they were computed with the
 * plan's field parameters and average lengths at least the current ones
 * (a larger average length makes every normalised frequency larger). */
static bool exact_bounds_hold(const search *q)
{
    hq_field_params hint;
    double avg[HQ_NFIELDS];
    if (!hq_segment_hint(q->s, &hint, avg))
        return false;
    const hq_bm25f *p = q->plan->params;
    for (int f = 0; f < HQ_NFIELDS; f++)
        if (hint.w[f] != p->w[f] || hint.b[f] != p->b[f] || q->plan->snap->avg_len[f] > avg[f])
            return false;
    return true;
}

/* Is doc acceptable: live, through the filters, not excluded?  The
 * document record is read only when there are filters. */
static bool admissible(search *q, uint32_t doc)
{
    if (hq_snapshot_is_deleted(q->plan->snap, q->seg, doc))
        return false;
    if (q->n_filters > 0) {
        hq_docinfo di;
        hq_segment_doc(q->s, doc, &di);
        if (!filters_pass(q, &di))
            return false;
    }
    return !excluded_at(q, doc);
}

/* ---- opening a segment ---------------------------------------------- */

/* weight * idf of every plan term, idf from the whole snapshot; the
 * terms' places in each segment are kept for open_terms (one lexicon
 * lookup per term and segment). */
static hq_status term_multipliers(search *q)
{
    const hq_plan *plan = q->plan;
    uint32_t n_segs = plan->snap->n_segs;
    q->tis = hq_xmalloc((plan->n_terms * n_segs + 1) * sizeof *q->tis);
    for (size_t i = 0; i < plan->n_terms; i++) {
        uint64_t df = 0;
        for (uint32_t seg = 0; seg < n_segs; seg++) {
            hq_terminfo *ti = &q->tis[i * n_segs + seg];
            hq_status rc = hq_segment_term(plan->snap->segs[seg], plan->terms[i].term,
                                           plan->terms[i].len, ti);
            if (rc == HQ_ENOTFOUND)
                ti->df = 0; /* absent */
            else if (rc != HQ_OK)
                return q->rc = hq_fail(q->err, rc, NULL, 0, -1,
                                       "the lexicon does not decode (term \"%s\")",
                                       plan->terms[i].term);
            df += ti->df;
        }
        q->mult[i] = plan->terms[i].weight * hq_bm25f_idf(plan->snap->n_all, df);
    }
    return HQ_OK;
}

static bool open_terms(search *q)
{
    const hq_plan *plan = q->plan;
    for (size_t i = 0; i < plan->n_terms; i++) {
        cursor *c = &q->cur[i];
        c->term = (uint32_t)i;
        c->present = false;
        c->mult = 0;
        c->ti = q->tis[i * plan->snap->n_segs + q->seg];
        if (c->ti.df == 0)
            continue; /* not in this segment */
        hq_status rc = hq_segment_postings(q->s, &c->ti, &c->p);
        if (rc != HQ_OK) {
            q->rc = hq_fail(q->err, HQ_ECORRUPT, hq_segment_path(q->s), 0, -1,
                            "cannot read the postings of \"%s\"", plan->terms[i].term);
            return false;
        }
        c->present = true;
        c->mult = q->mult[i];
    }
    return true;
}

static bool corrupt_cursor(search *q, const hq_postings *p)
{
    if (p->rc == HQ_OK)
        return false;
    q->rc = hq_fail(q->err, HQ_ECORRUPT, hq_segment_path(q->s), 0, -1,
                    "a postings list does not decode");
    return true;
}

/* ---- disjunctive: block-max MaxScore, best regions first ------------- */
/*
 * The segment is cut into a few regions of consecutive documents, each
 * bounded by the sum over the terms of the largest bound of the term's
 * blocks that reach into it.  Regions are searched best bound first, so
 * the heap fills early with good documents and the threshold rises fast
 * (in document order, with k = 100 and a frequent word in the question,
 * most of that word's documents would be scored before 100 good ones
 * were found); the search stops at the first region whose bound cannot
 * beat the threshold, since every later one is bounded lower.
 *
 * Inside a region, documents go in order, in windows cut at every block
 * boundary of every term (and after WINDOW documents): in a window each
 * term's documents lie in one block, so its contribution is bounded by
 * that block's bound (wb).  A window whose bounds sum below the
 * threshold is skipped without decoding.  Otherwise MaxScore: the terms
 * ordered by wb, the longest prefix whose bounds sum below the threshold
 * is "non-essential" (a document holding only those terms cannot enter).
 * The essential terms are scored term at a time: each adds its
 * contributions to an accumulator of the window's documents, a tight
 * loop over one decoded block.  The accumulated documents that can
 * still enter become the window's candidates, and the non-essential
 * terms, most promising first, each go once through them in document
 * order, dropping those that can no longer enter: one cursor at a time,
 * and no branch on the coin toss of a candidate's fate.  Cursors move
 * backwards between regions (hq_postings_seek).
 */

#define REGIONS 4          /* at most, per segment */
#define REGION_MIN_DOCS 1024 /* documents of a region, at least */
#define MIN_WINDOW 1024      /* documents of a window, at least (but for a region's end) */

typedef struct region {
    uint32_t first, last; /* documents [first, last] */
    double bound;         /* no document of the region scores more */
} region;

static bool before(const cursor *a, const cursor *b)
{
    return a->wb < b->wb || (a->wb == b->wb && a->term < b->term);
}

/* Orders ord[0..n) by window bound (insertion sort: n is small). */
static void sort_window(cursor **ord, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        cursor *c = ord[i];
        size_t j = i;
        for (; j > 0 && before(c, ord[j - 1]); j--)
            ord[j] = ord[j - 1];
        ord[j] = c;
    }
}

/* Moves c to doc (or past it); false when its list is corrupt. */
static bool seek_doc(search *q, cursor *c, uint32_t doc)
{
    if (c->p.block != UINT32_MAX && c->p.doc == doc) /* UINT32_MAX: not started */
        return true;
    hq_postings_seek(&c->p, doc);
    return !corrupt_cursor(q, &c->p);
}

/* Adds c's contributions to the documents of [w0, w1] into the
 * accumulator, a decoded block at a time; leaves c on its last document
 * there.  False when its list is corrupt. */
static bool accumulate(search *q, cursor *c, uint32_t w0, uint32_t w1)
{
    hq_postings *p = &c->p;
    if (!seek_doc(q, c, w0))
        return false;
    while (p->doc <= w1) { /* HQ_DOC_END is not */
        uint32_t i0 = p->i, i1 = i0;
        while (i1 < p->n && p->docs[i1] <= w1)
            i1++;
        hq_postings_block_tfn(p, i0, i1, q->len_codes, q->factor, q->tfn);
        for (uint32_t i = i0; i < i1; i++) {
            uint32_t x = p->docs[i] - w0;
            q->acc[x] += contribution(q, c, q->tfn[i - i0]);
            q->hits[x / 64] |= 1ull << (x % 64);
        }
        p->i = i1 - 1;
        p->doc = p->docs[i1 - 1];
        if (i1 < p->n)
            break; /* its next document is past the window */
        hq_postings_next_block(p);
        if (corrupt_cursor(q, p))
            return false;
    }
    return true;
}

/* !cannot_enter, for the loops over a window's candidates: branch-free
 * in the common case (a bound rarely equals the threshold, but whether
 * it is above or below is a coin toss). */
static inline bool can_enter(const search *q, double bound, uint32_t doc)
{
    bool above = bound > q->theta;
    if (bound == q->theta)
        above = !cannot_enter(q, bound, doc);
    return above;
}

/* Moves the window's accumulated documents that can still enter, given
 * the bounds of the non-essential terms (sum: more), into the candidates
 * (q->cand_*, in document order), and clears the accumulator; returns
 * their number. */
static size_t gather(search *q, double more, uint32_t w0, uint32_t w1)
{
    size_t n = 0;
    for (uint32_t k = 0; k <= (w1 - w0) / 64; k++) {
        for (uint64_t bits = q->hits[k]; bits != 0; bits &= bits - 1) {
            uint32_t x = k * 64 + (uint32_t)__builtin_ctzll(bits);
            double partial = q->acc[x];
            q->acc[x] = 0;
            q->cand_doc[n] = w0 + x;
            q->cand_score[n] = partial;
            n += can_enter(q, partial + more, w0 + x);
        }
        q->hits[k] = 0;
    }
    return n;
}

/* Completes the candidates' scores with the non-essential terms
 * ord[0..ess), term after term, most promising first (cum[j]: the sum of
 * the window bounds of ord[0..j)), keeping after term j only the
 * candidates that can enter with the terms left (cum[j]); then offers
 * them.  Term-major, so that a cursor goes through the window once, in
 * order; the threshold is the window's (documents are offered at its
 * end), which prunes no less safely. */
static void complete(search *q, cursor **ord, size_t ess, const double *cum, size_t n)
{
    uint32_t *doc = q->cand_doc;
    double *s = q->cand_score;
    for (size_t j = ess; j-- > 0 && n > 0;) {
        cursor *c = ord[j];
        size_t kept = 0;
        for (size_t i = 0; i < n; i++) {
            uint32_t d = doc[i];
            if (c->p.doc < d && !seek_doc(q, c, d)) /* past d: not there (see run_region) */
                return;
            double si = s[i];
            if (c->p.doc == d)
                si += term_score(q, c, d);
            doc[kept] = d;
            s[kept] = si;
            kept += can_enter(q, si + cum[j], d);
        }
        n = kept;
    }
    for (size_t i = 0; i < n; i++) { /* theta rises as the window's documents enter */
        if (cannot_enter(q, s[i], doc[i]) || !admissible(q, doc[i]))
            continue;
        q->stats->matched++; /* before offering (which updates theta) */
        q->stats->scored++;
        offer(q, doc[i], s[i]); /* a tie is decided by document order */
    }
}

/* Scores the documents of the window [w0, w1] (ord[0..n) sorted by
 * window bound, cum its prefix sums). */
static void scan_window(search *q, cursor **ord, size_t n, const double *cum, uint32_t w0,
                        uint32_t w1)
{
    size_t ess = 0;
    while (ess < n && cannot_enter(q, cum[ess + 1], w0))
        ess++;
    for (size_t j = ess; j < n; j++)
        if (!accumulate(q, ord[j], w0, w1)) {
            memset(q->acc, 0, (size_t)(w1 - w0 + 1) * sizeof *q->acc);
            memset(q->hits, 0, WINDOW / 8);
            return;
        }
    complete(q, ord, ess, cum, gather(q, cum[ess], w0, w1));
}

/* The block bounds of every cursor of ord[0..n) into q->bounds (cursor
 * c's at c->bounds). */
static void block_bounds(search *q, cursor **ord, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += ord[i]->p.n_blocks;
    hq_grow((void **)&q->bounds, &q->cap_bounds, total + 1, sizeof *q->bounds);
    double *b = q->bounds;
    for (size_t i = 0; i < n; i++) {
        ord[i]->bounds = b;
        for (uint32_t k = 0; k < ord[i]->p.n_blocks; k++)
            *b++ = block_bound(q, ord[i], k);
    }
}

/* Cuts the segment into regions (q->reg) and bounds them; returns their
 * number. */
static size_t make_regions(search *q, cursor **live, size_t n)
{
    uint32_t n_docs = hq_segment_n_docs(q->s);
    size_t n_reg = (n_docs + REGION_MIN_DOCS - 1) / REGION_MIN_DOCS;
    if (n_reg > REGIONS)
        n_reg = REGIONS;
    if (n_reg == 0)
        return 0;
    uint32_t span = (uint32_t)((n_docs + n_reg - 1) / n_reg);
    hq_grow((void **)&q->reg, &q->cap_reg, n_reg, sizeof *q->reg);
    for (size_t r = 0; r < n_reg; r++) {
        uint32_t last = (uint32_t)((r + 1) * span - 1);
        q->reg[r] = (region){(uint32_t)(r * span), last < n_docs ? last : n_docs - 1, 0};
    }
    for (size_t i = 0; i < n; i++) {
        double most[REGIONS] = {0}; /* the term's largest block bound per region */
        cursor *c = live[i];
        uint32_t from = 0; /* the block's documents are in [from, its last] */
        for (uint32_t b = 0; b < c->p.n_blocks; b++) {
            uint32_t to = hq_postings_block_last(&c->p, b);
            for (size_t r = from / span; r < n_reg && r <= to / span; r++)
                if (c->bounds[b] > most[r])
                    most[r] = c->bounds[b];
            from = to + 1;
        }
        for (size_t r = 0; r < n_reg; r++)
            q->reg[r].bound += most[r];
    }
    return n_reg;
}

static int best_region(const void *x, const void *y)
{
    const region *a = x, *b = y;
    if (a->bound != b->bound)
        return a->bound > b->bound ? -1 : 1;
    return (a->first > b->first) - (a->first < b->first);
}

/* The largest bound of c's blocks that hold documents of [w0, w1]
 * (c->wblock: the first block whose last document is >= w0). */
static double window_bound(const cursor *c, uint32_t w1)
{
    uint32_t b = c->wblock;
    double wb = c->bounds[b];
    while (++b < c->p.n_blocks && hq_postings_block_last(&c->p, b - 1) < w1)
        if (c->bounds[b] > wb)
            wb = c->bounds[b];
    return wb;
}

/* Moves c->wblock to the first block whose last document is >= w0
 * (windows only move forwards in a region); false when there is none. */
static bool window_block(cursor *c, uint32_t w0)
{
    while (c->wblock < c->p.n_blocks && hq_postings_block_last(&c->p, c->wblock) < w0)
        c->wblock++;
    return c->wblock < c->p.n_blocks;
}

/* Searches the documents [r0, r1] window by window, in document order
 * (exhaustively: every term essential, no bound used).  A window ends at
 * the first block end of any term, but not before MIN_WINDOW documents:
 * a term's bound is then the largest of its blocks in the window. */
static void run_region(search *q, cursor **live, size_t n, cursor **ord, double *cum,
                       uint32_t r0, uint32_t r1)
{
    /* Every cursor at its first document >= r0: from there on cursors
     * only move forwards, each to the first document >= some document
     * already searched, so one past a candidate does not hold it. */
    for (size_t i = 0; i < n; i++) {
        cursor *c = live[i];
        c->wblock = q->exhaustive ? 0 : hq_postings_block_at(&c->p, r0);
        hq_postings_seek(&c->p, r0);
        if (corrupt_cursor(q, &c->p))
            return;
    }
    /* a window's own cost grows with the terms: longer ones for more */
    uint32_t min_window = (uint32_t)(n * 128 < MIN_WINDOW ? MIN_WINDOW : n * 128 > WINDOW ? WINDOW : n * 128);
    memcpy(ord, live, n * sizeof *ord); /* kept from window to window: nearly sorted */
    size_t m = n;
    for (uint32_t w0 = r0; q->rc == HQ_OK;) {
        uint32_t w1 = r1 - w0 >= WINDOW ? w0 + WINDOW - 1 : r1;
        uint32_t least = r1 - w0 >= min_window ? w0 + min_window - 1 : r1;
        size_t kept = 0;
        for (size_t i = 0; i < m; i++) {
            cursor *c = ord[i];
            if (q->exhaustive) {
                c->wb = INFINITY;
                ord[kept++] = c;
                continue;
            }
            if (!window_block(c, w0))
                continue; /* the term's last document is before the window, and later ones */
            uint32_t last = hq_postings_block_last(&c->p, c->wblock);
            if (last < w1)
                w1 = last < least ? least : last;
            ord[kept++] = c;
        }
        m = kept;
        if (m == 0)
            return;
        for (size_t i = 0; i < m && !q->exhaustive; i++)
            ord[i]->wb = window_bound(ord[i], w1);
        sort_window(ord, m);
        cum[0] = 0;
        for (size_t i = 0; i < m; i++)
            cum[i + 1] = cum[i] + ord[i]->wb;
        if (!cannot_enter(q, cum[m], w0))
            scan_window(q, ord, m, cum, w0, w1);
        if (w1 >= r1)
            return;
        w0 = w1 + 1;
    }
}

static void maxscore(search *q)
{
    size_t n = 0, nt = q->plan->n_terms + 1;
    cursor **live = hq_xmalloc(nt * sizeof *live), **ord = hq_xmalloc(nt * sizeof *ord);
    double *cum = hq_xcalloc(nt, sizeof *cum);
    for (size_t i = 0; i < q->plan->n_terms; i++)
        if (q->cur[i].present)
            live[n++] = &q->cur[i];
    uint32_t n_docs = hq_segment_n_docs(q->s);
    if (q->exhaustive) { /* the reference: every document in order, no bound used */
        if (n > 0 && n_docs > 0)
            run_region(q, live, n, ord, cum, 0, n_docs - 1);
    } else if (n > 0) {
        block_bounds(q, live, n);
        size_t n_reg = make_regions(q, live, n);
        qsort(q->reg, n_reg, sizeof *q->reg, best_region);
        for (size_t i = 0; i < n_reg && q->rc == HQ_OK; i++) {
            if (cannot_enter(q, q->reg[i].bound, 0))
                break; /* and every region after it */
            run_region(q, live, n, ord, cum, q->reg[i].first, q->reg[i].last);
        }
    }
    free(cum);
    free(ord);
    free(live);
}

/* ---- conjunctive: required phrases ---------------------------------- */

static void conjunctive(search *q)
{
    /* the driver: the first term of the required phrase with the fewest documents */
    hq_postings *drive = NULL;
    for (size_t i = 0; i < q->plan->n_required; i++) {
        if (!q->req[i].present)
            return; /* a required phrase has a term absent from the segment */
        for (uint32_t t = 0; t < q->req[i].ph->n; t++)
            if (drive == NULL || q->req[i].p[t].n_docs < drive->n_docs)
                drive = &q->req[i].p[t];
    }
    for (uint32_t doc = hq_postings_next(drive); doc != HQ_DOC_END;
         doc = hq_postings_advance(drive, doc + 1)) {
        bool all = true;
        for (size_t i = 0; i < q->plan->n_required && all; i++)
            all = phrase_at(q, &q->req[i], doc);
        if (!all || !admissible(q, doc))
            continue;
        q->stats->matched++; /* before offering (which updates theta) */
        q->stats->scored++;
        double s = 0;
        for (size_t i = 0; i < q->plan->n_terms; i++) {
            cursor *c = &q->cur[i];
            if (c->present && hq_postings_advance(&c->p, doc) == doc)
                s += term_score(q, c, doc);
        }
        offer(q, doc, s);
    }
    if (drive->rc != HQ_OK)
        corrupt_cursor(q, drive);
}

/* A plan of filters only: every admissible document, score 0. */
static void filter_only(search *q)
{
    for (uint32_t doc = 0, n = hq_segment_n_docs(q->s); doc < n; doc++) {
        if (!admissible(q, doc))
            continue;
        q->stats->matched++; /* before offering (which updates theta) */
        if (!heap_full(q))
            offer(q, doc, 0.0);
    }
}

/* ---- driver ----------------------------------------------------------- */

/* A cursor that met damage while the segment was searched (positions
 * of a phrase, a skipped-to block) makes the search fail, even when it
 * did not stop the loop that used it. */
static void report_damage(search *q)
{
    const hq_plan *plan = q->plan;
    for (size_t i = 0; i < plan->n_terms && q->rc == HQ_OK; i++)
        if (q->cur[i].present)
            corrupt_cursor(q, &q->cur[i].p);
    for (int k = 0; k < 2; k++) {
        phrase_cur *pcs = k == 0 ? q->req : q->exc;
        size_t n = k == 0 ? plan->n_required : plan->n_excluded;
        for (size_t i = 0; i < n && q->rc == HQ_OK; i++)
            for (uint32_t t = 0; pcs[i].present && t < pcs[i].ph->n && q->rc == HQ_OK; t++)
                corrupt_cursor(q, &pcs[i].p[t]);
    }
}

static void close_phrases(phrase_cur *pc, size_t n)
{
    for (size_t i = 0; pc && i < n; i++)
        free(pc[i].p);
    free(pc);
}

static void search_segment(search *q, uint32_t seg)
{
    const hq_plan *plan = q->plan;
    q->seg = seg;
    q->s = plan->snap->segs[seg];
    q->len_codes = hq_segment_length_codes(q->s);
    q->exact_bounds = exact_bounds_hold(q);
    resolve_filters(q);
    q->req = hq_xcalloc(plan->n_required + 1, sizeof *q->req);
    q->exc = hq_xcalloc(plan->n_excluded + 1, sizeof *q->exc);
    bool ok = open_terms(q);
    for (size_t i = 0; ok && i < plan->n_required; i++)
        ok = open_phrase(q, &plan->required[i], &q->req[i]);
    for (size_t i = 0; ok && i < plan->n_excluded; i++)
        ok = open_phrase(q, &plan->excluded[i], &q->exc[i]);
    if (ok) {
        if (plan->n_required > 0)
            conjunctive(q);
        else if (plan->n_terms > 0)
            maxscore(q);
        else
            filter_only(q);
        report_damage(q);
    }
    close_phrases(q->req, plan->n_required);
    close_phrases(q->exc, plan->n_excluded);
    q->req = q->exc = NULL;
}

/* Sorts the heap best first, in place: the worst hit goes last, again
 * and again. */
static void sort_heap(hq_hit *h, size_t n)
{
    for (; n > 1; n--) {
        hq_hit t = h[0];
        h[0] = h[n - 1];
        h[n - 1] = t;
        sift_down(h, n - 1, 0);
    }
}
hq_status hq_topk(const hq_plan *plan, size_t k, bool exhaustive, hq_hit *hits, size_t *n_hits,
                  hq_topk_stats *stats, hq_error *err)
{
    hq_topk_stats local;
    if (stats == NULL)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    *n_hits = 0;
    if (k == 0)
        return HQ_OK;
    search q = {.plan = plan, .k = k, .exhaustive = exhaustive, .stats = stats, .err = err,
                .theta = -INFINITY};
    q.heap = hits;
    q.cur = hq_xcalloc(plan->n_terms + 1, sizeof *q.cur);
    q.acc = acc_buf;
    q.hits = hits_buf;
    q.cand_doc = cand_doc_buf;
    q.cand_score = cand_score_buf;
    q.filters = hq_xcalloc(plan->n_filters + 1, sizeof *q.filters);
    q.mult = hq_xcalloc(plan->n_terms + 1, sizeof *q.mult);
    tabulate_factors(&q);
    if (term_multipliers(&q) == HQ_OK)
        for (uint32_t seg = 0; seg < plan->snap->n_segs && q.rc == HQ_OK; seg++)
            search_segment(&q, seg);
    free(q.mult);
    free(q.tis);
    free(q.cur);
    free(q.filters);
    free(q.pos_a);
    free(q.pos_b);
    free(q.bounds);
    free(q.reg);
    stats->exact = exhaustive || plan->n_required > 0 || plan->n_terms == 0 ||
                   stats->matched < plan->count_exact;
    if (q.rc != HQ_OK)
        return q.rc;
    sort_heap(hits, q.n_heap);
    *n_hits = q.n_heap;
    return HQ_OK;
}

hq_status hq_explain_doc(const hq_plan *plan, uint32_t seg, uint32_t doc, double *contrib,
                         hq_error *err)
{
    search *q = hq_xcalloc(1, sizeof *q);
    *q = (search){.plan = plan, .err = err, .seg = seg, .s = plan->snap->segs[seg]};
    q->len_codes = hq_segment_length_codes(q->s);
    tabulate_factors(q);
    q->cur = hq_xcalloc(plan->n_terms + 1, sizeof *q->cur);
    q->mult = hq_xcalloc(plan->n_terms + 1, sizeof *q->mult);
    if (term_multipliers(q) == HQ_OK && open_terms(q))
        for (size_t i = 0; i < plan->n_terms; i++) {
            cursor *c = &q->cur[i];
            contrib[i] = 0;
            if (c->present && hq_postings_advance(&c->p, doc) == doc)
                contrib[i] = term_score(q, c, doc);
        }
    hq_status rc = q->rc;
    free(q->mult);
    free(q->tis);
    free(q->cur);
    free(q);
    return rc;
}

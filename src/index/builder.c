/*
 * builder.c — turning sections into segments: each section's fields are
 * analysed (question/title, focus with its synonyms, body) and inverted
 * into a memindex, which is written as a segment when it passes the
 * memory budget and at the end.
 *
 * The work is a pipeline over batches of documents (BATCH_TEXT bytes of
 * text or BATCH_DOCS documents each), in a ring of slots:
 *   1. filling: the caller's thread copies each document it is given
 *      into the batch being filled (hq_builder_add);
 *   2. analysis: a full batch is claimed by a worker thread, or by the
 *      caller's thread when it has nothing else to do, and its fields are
 *      analysed with that thread's analyzer straight into the batch's
 *      tokens (hq_analyze_ids), terms numbered in the analyzer's own
 *      dictionary (HQ_ANALYZE_IDS), words looked up in its own term
 *      cache, so that a repeated word costs no hashing; the thread's
 *      tokens are then inverted into the batch's runs, one of postings
 *      per term (hq_runs_build).  The analyzers share nothing: with one
 *      term cache and one dictionary for all, each word and term met
 *      first by a thread cost a lock and lines moved between cores, and
 *      a MedQuAD rebuild's analysis ~40 % more CPU per token than on one
 *      thread; apart, a word is folded and stemmed once per thread;
 *   3. merging: batch after batch in order, by one thread at a time
 *      (whichever finds the next batch analysed: the one that analysed
 *      it, or the caller's), the runs are appended to the memindex
 *      through the map of their analyzer's ids to its terms
 *      (hq_memindex_append), which looks a term up by its string once per
 *      analyzer; the documents are added to the segment's document table
 *      as it will be written (hq_segdocs_add).  The caller's thread only
 *      fills batches then, which is what limits a large build.
 * The dictionaries grow with the distinct terms seen; after a segment is
 * written, once they hold more than one term per ID_BYTES of the memory
 * budget, the pipeline is drained and they start afresh (their maps
 * emptied).  Which id a term gets depends on timing, but nothing
 * written does: the memindex sorts its terms by their bytes.  The
 * memory budget is checked after each merged batch, and batches are cut
 * by the documents alone: where a segment ends, and its bytes, depend
 * only on the documents, never on the number of threads or on timing.
 * A segment is written by the thread merging when the budget is passed,
 * while the others go on filling and analysing the next batches.
 *
 * Locking: the builder's mutex guards the batches' states, the
 * sequence numbers and merging; a batch's contents belong to the one
 * thread its state gives it to (filling: the caller's; busy: its
 * analyser; done and claimed for merging: the merger).  What merging
 * owns (the memindex, the documents, the segments written) is touched
 * by the merger alone, or by the caller's thread once the pipeline is
 * drained.  The sticky failure and the clear_ids mark, which the merger
 * sets, are read by the caller's thread with atomic loads.
 *
 * Field positions: each field starts at 0.  The focus field holds the
 * focus and each synonym, one after the other, with a gap of one
 * position between them so that a phrase never spans two names.
 */
#include "index.h"
#include "../text/text.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Batches of 256 KiB: a term's postings in a batch are merged as one
 * run, and a run costs a random access to its term.  Since the tokens
 * and the inverting scratch are the threads' rather than each batch's,
 * a batch keeps only its text, documents and runs: against 128 KiB, 2.5 %
 * less CPU over 20 alternated MedQuAD rebuilds for 1.3 MB more peak
 * memory; 512 KiB gained nothing more and cost 4 MB. */
#define BATCH_TEXT (256u << 10) /* bytes of text that close a batch */
/* A batch's text buffer at first: the document that closes a batch
 * overflows it by its own bytes, and a short-lived process's heap is
 * resident as it grows (hq_memory_short_lived), so room never written
 * costs peak memory: twice BATCH_TEXT cost 1.1 MB more. */
#define BATCH_TEXT_ROOM (BATCH_TEXT + (64u << 10))
#define BATCH_DOCS 1024         /* or documents */
/* The first batches close at fewer documents (BATCH_DOCS >>
 * FIRST_BATCH_SHIFT, then twice as many each, up to BATCH_DOCS), so that
 * the other threads start analysing sooner: a whole first batch kept
 * them waiting ~1.5 ms while the caller's thread read it from the store.
 * (A count of documents, not of bytes: the bytes depend on the focus
 * names given again or not, hq_builder_doc.same_focus.) */
#define FIRST_BATCH_SHIFT 3
#define MAX_THREADS 8          /* analyzers, the caller's included */
#define MAX_SEGMENT_DOCS (1u << 30) /* a segment is written at this many documents */
#define ID_BYTES 256 /* budget per term numbered by the analyzers (see clear_ids) */

/* A document of a batch: its strings as offsets into the batch's text,
 * and, once analysed, its field lengths. */
typedef struct bdoc {
    uint32_t section_id, article_id, source, qtype; /* in ids; qtype UINT32_MAX: none */
    uint32_t title, body;                           /* UINT32_MAX: none */
    uint32_t title_len, body_len;                   /* their bytes */
    uint32_t focus, n_focus;  /* offsets of the focus names in batch.focus */
    bool same_focus;          /* those of the document before it in the batch */
    uint8_t trust, flags;
    uint32_t len[HQ_NFIELDS]; /* field lengths in positions (analysis) */
} bdoc;

enum { B_FREE, B_FULL, B_BUSY, B_DONE };

typedef struct batch {
    int state; /* B_*, under the builder's mutex */
    int an;    /* the analyzer that analysed it (its runs' ids are that one's) */
    uint64_t seq;
    char *text; /* NUL-terminated strings: titles, bodies, focus names */
    size_t text_len, text_cap;
    char *ids; /* NUL-terminated strings: the documents' ids, sources and types */
    size_t ids_len, ids_cap;
    uint32_t *focus; /* offsets of focus names */
    size_t n_focus, cap_focus;
    bdoc *docs;
    size_t n_docs, cap_docs;
    hq_runs runs;           /* the tokens inverted */
} batch;

/* An analyzer with what it keeps between documents: the focus terms of
 * the focus names last seen (sections of an article share them); and
 * the tokens of the batch it analyses, which are inverted into the
 * batch's runs at once: kept with the thread, so that the same memory,
 * warm in its core's cache, serves batch after batch. */
typedef struct actx {
    hq_analyzer *a;
    hq_idmap map;    /* a's ids to the memindex's terms: the merger's */
    hq_tokpos *toks; /* term: an id of a's dictionary */
    size_t n_toks, cap_toks;
    hq_runs_scratch inverting;
    char *focus_of; /* those names, each NUL-terminated; NULL: none yet */
    size_t focus_of_len;
    hq_tokpos *focus; /* their tokens (doc 0) */
    size_t n_focus, cap_focus;
    uint32_t focus_len;
} actx;

struct hq_builder {
    char *dir;
    uint32_t *next_id;
    size_t budget;
    bool has_hint;
    hq_field_params hint;
    hq_memindex *mi;
    hq_segdocs docs; /* the documents merged since the last segment */
    hq_manifest_seg *segs;
    size_t n_segs, cap_segs;
    hq_status rc; /* sticky: the first failure (atomic: set by the merger) */
    hq_error err;
    actx an[MAX_THREADS]; /* an[0]: the caller's thread; an[1..]: the workers' */
    int n_an;
    batch *ring;
    size_t n_ring;
    uint64_t fill_seq, claim_seq, merge_seq; /* the batch filled, next claimed, next merged */
    bool merging; /* a thread is merging (merge_seq is its batch) */
    pthread_mutex_t mu; /* guards batch states, claim_seq, merge_seq, merging and stop */
    pthread_cond_t cv;
    pthread_t workers[MAX_THREADS];
    int n_workers;
    bool stop;
    bool clear_ids; /* the analyzers' dictionaries are cleared before the next batch (atomic) */
    pthread_t reaper; /* freeing what a finished build no longer needs (see reap) */
    bool reaping;
};

typedef struct worker_arg {
    hq_builder *b;
    int index; /* its analyzer */
} worker_arg;

/* ---- filling ------------------------------------------------------------ */

/* The documents that close batch seq (see FIRST_BATCH_SHIFT). */
static size_t batch_docs(uint64_t seq)
{
    return seq >= FIRST_BATCH_SHIFT ? BATCH_DOCS : BATCH_DOCS >> (FIRST_BATCH_SHIFT - seq);
}

/* Copies s (len bytes; 0: up to its NUL) and its NUL to the end of the
 * strings *buf (*used bytes of *cap; room first when empty); returns
 * its offset, UINT32_MAX for NULL. */
static uint32_t put_string(char **buf, size_t *used, size_t *cap, size_t room, const char *s,
                           size_t len)
{
    if (s == NULL)
        return UINT32_MAX;
    size_t n = (len ? len : strlen(s)) + 1;
    if (*used + n > *cap) {
        size_t c = *cap ? *cap : room;
        while (c < *used + n)
            c *= 2;
        *buf = hq_xrealloc(*buf, c);
        *cap = c;
    }
    memcpy(*buf + *used, s, n);
    *used += n;
    return (uint32_t)(*used - n);
}

static uint32_t put_text_n(batch *bt, const char *s, size_t len)
{
    return put_string(&bt->text, &bt->text_len, &bt->text_cap, BATCH_TEXT_ROOM, s, len);
}

static uint32_t put_text(batch *bt, const char *s)
{
    return put_text_n(bt, s, 0);
}

/* The documents' ids, sources and types lie apart from the text, one
 * after the other, so that merging the batch reads them in sequence
 * (among the bodies, each cost the merger a miss or two: ~250 ns a
 * document). */
static uint32_t put_id(batch *bt, const char *s)
{
    return put_string(&bt->ids, &bt->ids_len, &bt->ids_cap, 16u << 10, s, 0);
}

static const char *text_at(const batch *bt, uint32_t off)
{
    return off == UINT32_MAX ? NULL : bt->text + off;
}

static const char *id_at(const batch *bt, uint32_t off)
{
    return off == UINT32_MAX ? NULL : bt->ids + off;
}

static void put_doc(batch *bt, const hq_builder_doc *d)
{
    hq_grow((void **)&bt->docs, &bt->cap_docs, bt->n_docs + 1, sizeof *bt->docs);
    bdoc *x = &bt->docs[bt->n_docs++];
    memset(x, 0, sizeof *x);
    x->section_id = put_id(bt, d->section_id ? d->section_id : "");
    x->article_id = put_id(bt, d->article_id ? d->article_id : "");
    x->source = put_id(bt, d->source ? d->source : "");
    x->qtype = put_id(bt, d->qtype);
    x->trust = (uint8_t)hq_trust_code(d->trust);
    x->flags = d->body && *d->body ? HQ_DOC_HAS_BODY : 0;
    x->title = put_text_n(bt, d->title, d->title_len);
    x->title_len = d->title ? (uint32_t)(bt->text_len - x->title - 1) : 0;
    x->body = put_text_n(bt, d->body, d->body_len);
    x->body_len = d->body ? (uint32_t)(bt->text_len - x->body - 1) : 0;
    if (d->same_focus && bt->n_docs > 1) { /* the names, analysed with the document before */
        x->focus = x[-1].focus;
        x->n_focus = x[-1].n_focus;
        x->same_focus = true;
        return;
    }
    x->focus = (uint32_t)bt->n_focus;
    for (size_t i = 0; i < d->n_focus; i++) {
        if (d->focus[i] == NULL || *d->focus[i] == '\0')
            continue;
        hq_grow((void **)&bt->focus, &bt->cap_focus, bt->n_focus + 1, sizeof *bt->focus);
        bt->focus[bt->n_focus++] = put_text(bt, d->focus[i]);
    }
    x->n_focus = (uint32_t)bt->n_focus - x->focus;
}

/* ---- analysis (any thread; the batch and the analyzer are its own) ------- */

/* Analyses text (len bytes) into ax's tokens of document doc, field f;
 * returns the position after its last token. */
static uint32_t analyze_text(actx *ax, uint32_t doc, uint32_t f, const char *text, uint32_t len)
{
    if (text == NULL || len == 0)
        return 0;
    return hq_analyze_ids(ax->a, text, len, doc, f, 0, &ax->toks, &ax->n_toks, &ax->cap_toks);
}

/* Are x's focus names those analysed last? */
static bool same_focus(const actx *ax, const batch *bt, const bdoc *x)
{
    if (ax->focus_of == NULL)
        return false;
    size_t at = 0;
    for (uint32_t i = 0; i < x->n_focus; i++) {
        const char *name = text_at(bt, bt->focus[x->focus + i]);
        size_t n = strlen(name) + 1;
        if (at + n > ax->focus_of_len || memcmp(ax->focus_of + at, name, n) != 0)
            return false;
        at += n;
    }
    return at == ax->focus_of_len;
}

/* The focus and synonyms of x, analysed once for a run of sections with
 * the same ones (an article's): synonyms follow one position apart. */
static void analyze_focus(actx *ax, const batch *bt, const bdoc *x)
{
    if (x->same_focus || same_focus(ax, bt, x))
        return;
    ax->focus_of_len = 0;
    for (uint32_t i = 0; i < x->n_focus; i++)
        ax->focus_of_len += strlen(text_at(bt, bt->focus[x->focus + i])) + 1;
    free(ax->focus_of);
    ax->focus_of = hq_xmalloc(ax->focus_of_len + 1);
    for (size_t i = 0, at = 0; i < x->n_focus; i++) {
        const char *name = text_at(bt, bt->focus[x->focus + i]);
        size_t n = strlen(name) + 1;
        memcpy(ax->focus_of + at, name, n);
        at += n;
    }
    ax->n_focus = 0;
    uint32_t pos = 0;
    for (uint32_t i = 0; i < x->n_focus; i++) {
        const char *text = text_at(bt, bt->focus[x->focus + i]);
        uint32_t base = pos ? pos + 1 : 0;
        uint32_t end = hq_analyze_ids(ax->a, text, strlen(text), 0, HQ_FIELD_FOCUS, base,
                                      &ax->focus, &ax->n_focus, &ax->cap_focus);
        pos = end ? base + end : base;
    }
    ax->focus_len = pos;
}

/* Analyses bt with analyzer number an (its thread's). */
static void analyze_batch(hq_builder *b, int an, batch *bt)
{
    actx *ax = &b->an[an];
    ax->n_toks = 0;
    for (uint32_t i = 0; i < bt->n_docs; i++) {
        bdoc *x = &bt->docs[i];
        x->len[HQ_FIELD_TITLE] = analyze_text(ax, i, HQ_FIELD_TITLE, text_at(bt, x->title),
                                               x->title_len);
        analyze_focus(ax, bt, x);
        hq_grow((void **)&ax->toks, &ax->cap_toks, ax->n_toks + ax->n_focus, sizeof *ax->toks);
        for (size_t k = 0; k < ax->n_focus; k++) {
            ax->toks[ax->n_toks] = ax->focus[k];
            ax->toks[ax->n_toks++].doc = i;
        }
        x->len[HQ_FIELD_FOCUS] = ax->focus_len;
        x->len[HQ_FIELD_BODY] = analyze_text(ax, i, HQ_FIELD_BODY, text_at(bt, x->body),
                                              x->body_len);
    }
    /* every id of the batch's tokens is below the dictionary's size now */
    hq_runs_build(&bt->runs, &ax->inverting, ax->toks, ax->n_toks,
                  (uint32_t)hq_analyzer_n_ids(ax->a));
    bt->an = an; /* its runs' ids are ax's */
}

/* Claims the next full batch (mu held): its index, or -1. */
static long claim(hq_builder *b)
{
    batch *bt = &b->ring[b->claim_seq % b->n_ring];
    if (bt->state != B_FULL || bt->seq != b->claim_seq)
        return -1;
    bt->state = B_BUSY;
    b->claim_seq++;
    return (long)(bt - b->ring);
}

static void merge_ready(hq_builder *b);

static void *worker_main(void *arg)
{
    worker_arg *w = arg;
    hq_builder *b = w->b;
    pthread_mutex_lock(&b->mu);
    for (;;) {
        long i = claim(b);
        if (i < 0) {
            if (b->stop)
                break;
            pthread_cond_wait(&b->cv, &b->mu);
            continue;
        }
        pthread_mutex_unlock(&b->mu);
        analyze_batch(b, w->index, &b->ring[i]);
        pthread_mutex_lock(&b->mu);
        b->ring[i].state = B_DONE;
        merge_ready(b);
        pthread_cond_broadcast(&b->cv);
    }
    pthread_mutex_unlock(&b->mu);
    free(w);
    return NULL;
}

/* ---- merging (one thread at a time, in batch order) ----------------------- */

static hq_status flush(hq_builder *b, hq_error *err);

static void merge_batch(hq_builder *b, batch *bt)
{
    /* numbered after the segment's documents */
    hq_memindex_append(b->mi, &b->an[bt->an].map, b->docs.n, &bt->runs);
    for (size_t i = 0; i < bt->n_docs; i++) {
        const bdoc *x = &bt->docs[i];
        hq_newdoc d = {
            .section_id = id_at(bt, x->section_id),
            .article_id = id_at(bt, x->article_id),
            .source = id_at(bt, x->source),
            .qtype = id_at(bt, x->qtype),
            .trust = x->trust,
            .flags = x->flags,
        };
        memcpy(d.len, x->len, sizeof x->len);
        hq_segdocs_add(&b->docs, &d);
    }
}

static hq_status rc_of(hq_builder *b)
{
    return __atomic_load_n(&b->rc, __ATOMIC_ACQUIRE);
}

/* Records a failure (b->err filled first), for the caller's thread. */
static void set_rc(hq_builder *b, hq_status rc)
{
    __atomic_store_n(&b->rc, rc, __ATOMIC_RELEASE);
}

/* Merges bt, the next batch, and writes a segment when the memory budget
 * is passed (mu not held: the merger owns all it touches). */
static void merge_one(hq_builder *b, batch *bt)
{
    merge_batch(b, bt);
    if (rc_of(b) == HQ_OK &&
        (hq_memindex_bytes(b->mi) + hq_segdocs_bytes(&b->docs) > b->budget ||
         b->docs.n >= MAX_SEGMENT_DOCS)) {
        hq_status rc = flush(b, &b->err);
        if (rc != HQ_OK)
            set_rc(b, rc);
    }
}

/* With mu held: merges the analysed batches from merge_seq on, in order,
 * unless another thread is merging (which then goes on with them). */
static void merge_ready(hq_builder *b)
{
    while (!b->merging) {
        batch *bt = &b->ring[b->merge_seq % b->n_ring];
        if (bt->state != B_DONE || bt->seq != b->merge_seq)
            return;
        b->merging = true;
        pthread_mutex_unlock(&b->mu);
        merge_one(b, bt);
        pthread_mutex_lock(&b->mu);
        bt->state = B_FREE;
        b->merge_seq++;
        b->merging = false;
        pthread_cond_broadcast(&b->cv);
    }
}

/* With mu held, for the caller's thread while it waits for the pipeline:
 * merges what is ready, else analyses a full batch itself rather than
 * idle, else waits for another thread's step. */
static void step(hq_builder *b)
{
    uint64_t merged = b->merge_seq;
    merge_ready(b);
    if (b->merge_seq != merged)
        return;
    long i = claim(b);
    if (i < 0) {
        pthread_cond_wait(&b->cv, &b->mu);
        return;
    }
    pthread_mutex_unlock(&b->mu);
    analyze_batch(b, 0, &b->ring[i]);
    pthread_mutex_lock(&b->mu);
    b->ring[i].state = B_DONE;
    merge_ready(b);
    pthread_cond_broadcast(&b->cv);
}

/* Waits (stepping) until every batch filled is merged. */
static void drain(hq_builder *b)
{
    pthread_mutex_lock(&b->mu);
    while (b->merge_seq < b->fill_seq)
        step(b);
    pthread_mutex_unlock(&b->mu);
}

/* Hands the batch being filled over to analysis (nothing when empty). */
static void submit(hq_builder *b)
{
    batch *bt = &b->ring[b->fill_seq % b->n_ring];
    if (bt->state != B_FREE || bt->seq != b->fill_seq || bt->n_docs == 0)
        return;
    pthread_mutex_lock(&b->mu);
    bt->state = B_FULL;
    b->fill_seq++;
    pthread_cond_broadcast(&b->cv);
    if (b->n_workers == 0) /* alone: analyse and merge at once */
        while (b->merge_seq < b->fill_seq)
            step(b);
    merge_ready(b); /* whatever is ready, in order */
    pthread_mutex_unlock(&b->mu);
}

/* Clears the dictionary, once every batch analysed with it has been
 * merged (the workers are idle then, and nothing is merging). */
static void clear_ids(hq_builder *b)
{
    drain(b);
    for (int i = 0; i < b->n_an; i++) {
        actx *ax = &b->an[i];
        hq_analyzer_clear_ids(ax->a);
        hq_idmap_reset(&ax->map);
        free(ax->focus_of); /* its cached focus terms hold old ids */
        ax->focus_of = NULL;
    }
    __atomic_store_n(&b->clear_ids, false, __ATOMIC_RELAXED);
}

/* The terms the analyzers have numbered (read by the merger while they
 * number more). */
static size_t ids_held(const hq_builder *b)
{
    size_t n = 0;
    for (int i = 0; i < b->n_an; i++)
        n += hq_intern_size(b->an[i].map.names);
    return n;
}

/* The batch to fill, made free first (merging, and analysing, as
 * needed). */
static batch *filling(hq_builder *b)
{
    if (__atomic_load_n(&b->clear_ids, __ATOMIC_ACQUIRE))
        clear_ids(b);
    batch *bt = &b->ring[b->fill_seq % b->n_ring];
    if (bt->seq == b->fill_seq)
        return bt;
    pthread_mutex_lock(&b->mu);
    while (bt->state != B_FREE) /* the oldest batch holds this slot */
        step(b);
    pthread_mutex_unlock(&b->mu);
    bt->seq = b->fill_seq;
    bt->text_len = bt->ids_len = bt->n_docs = bt->n_focus = 0;
    return bt;
}

/* ---- segments --------------------------------------------------------------- */

static hq_status flush(hq_builder *b, hq_error *err)
{
    if (b->docs.n == 0)
        return HQ_OK;
    uint32_t id = (*b->next_id)++;
    char *path = hq_segment_file(b->dir, id);
    hq_status rc = hq_segment_write_docs(path, &b->docs, b->mi, b->has_hint ? &b->hint : NULL,
                                         (unsigned)b->n_an, err);
    free(path);
    if (rc != HQ_OK)
        return rc;
    hq_grow((void **)&b->segs, &b->cap_segs, b->n_segs + 1, sizeof *b->segs);
    b->segs[b->n_segs++] = (hq_manifest_seg){id, b->docs.n, 0, 0};
    if (b->ring == NULL) /* the last segment: hq_builder_finish lets the rest go */
        return HQ_OK;
    hq_memindex_free(b->mi);
    b->mi = hq_memindex_new();
    for (int i = 0; i < b->n_an; i++) /* they led to the records just freed */
        hq_idmap_reset(&b->an[i].map);
    __atomic_store_n(&b->clear_ids, ids_held(b) > b->budget / ID_BYTES, __ATOMIC_RELEASE);
    hq_segdocs_free(&b->docs);
    return HQ_OK;
}

/* The CPUs this process may run on (its affinity mask: a container's
 * cpuset, taskset), else the online ones. */
static int default_threads(void)
{
    cpu_set_t set;
    long n = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set)
                                                        : sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (int)n;
}

hq_builder *hq_builder_new(const char *dir, uint32_t *next_id, size_t budget,
                           const hq_field_params *hint, unsigned threads)
{
    hq_builder *b = hq_xcalloc(1, sizeof *b);
    if (hint) {
        b->has_hint = true;
        b->hint = *hint;
    }
    b->dir = hq_xstrdup(dir);
    b->next_id = next_id;
    b->budget = budget;
    b->mi = hq_memindex_new();
    hq_error_clear(&b->err);
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->cv, NULL);
    b->n_an = threads == 0 ? default_threads() : threads > MAX_THREADS ? MAX_THREADS : (int)threads;
    for (int i = 0; i < b->n_an; i++) {
        actx *ax = &b->an[i];
        ax->a = hq_analyzer_new();
        ax->map = (hq_idmap){.names = hq_analyzer_ids(ax->a)};
    }
    b->n_ring = 2 * (size_t)b->n_an + 2;
    b->ring = hq_xcalloc(b->n_ring, sizeof *b->ring);
    for (size_t i = 0; i < b->n_ring; i++)
        b->ring[i].seq = i; /* free, and ready for the batch of that number */
    for (int i = 1; i < b->n_an; i++) {
        worker_arg *w = hq_xmalloc(sizeof *w);
        *w = (worker_arg){b, i};
        if (pthread_create(&b->workers[b->n_workers], NULL, worker_main, w) != 0) {
            free(w); /* fewer threads: the caller's analyses the rest */
            break;
        }
        b->n_workers++;
    }
    return b;
}

static void stop_workers(hq_builder *b)
{
    pthread_mutex_lock(&b->mu);
    b->stop = true;
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
    for (int i = 0; i < b->n_workers; i++)
        pthread_join(b->workers[i], NULL);
    b->n_workers = 0;
}

/* What the last segment was made of, taken out of its builder. */
typedef struct remains {
    hq_memindex *mi;
    hq_segdocs docs;
} remains;

static void *free_remains(void *arg)
{
    remains *r = arg;
    hq_memindex_free(r->mi);
    hq_segdocs_free(&r->docs);
    free(r);
    return NULL;
}

/* Frees what fn frees, arg, on a thread of its own that hq_builder_free
 * joins (or at once, when no thread can start): the caller goes on to
 * commit the segments meanwhile. */
static void reap(hq_builder *b, void *(*fn)(void *), void *arg)
{
    if (!b->reaping && pthread_create(&b->reaper, NULL, fn, arg) == 0)
        b->reaping = true;
    else
        fn(arg);
}

/* Frees the pipeline (the workers stopped): the ring and the analyzers.
 * At once (~0.5 ms at the end of a MedQuAD rebuild, its blocks all in
 * the heap), before the last segment is written, so that writing it
 * reuses that memory whatever the timing; on a thread of its own (reap)
 * it could be freed after the writer had grown the heap. */
static void drop_pipeline(hq_builder *b)
{
    for (size_t i = 0; i < b->n_ring; i++) {
        batch *bt = &b->ring[i];
        free(bt->text);
        free(bt->ids);
        free(bt->focus);
        free(bt->docs);
        hq_runs_free(&bt->runs);
    }
    free(b->ring);
    b->ring = NULL;
    b->n_ring = 0;
    for (int i = 0; i < b->n_an; i++) {
        actx *ax = &b->an[i];
        hq_analyzer_free(ax->a);
        hq_idmap_free(&ax->map);
        free(ax->focus_of);
        free(ax->focus);
        free(ax->toks);
        hq_runs_scratch_free(&ax->inverting);
    }
    memset(b->an, 0, sizeof b->an);
}

/* Lets the memindex and the documents go (the last segment is written,
 * or failed). */
static void drop_remains(hq_builder *b)
{
    remains *r = hq_xmalloc(sizeof *r);
    *r = (remains){b->mi, b->docs};
    b->mi = NULL;
    memset(&b->docs, 0, sizeof b->docs);
    reap(b, free_remains, r);
}

void hq_builder_free(hq_builder *b)
{
    if (b == NULL)
        return;
    stop_workers(b);
    pthread_mutex_destroy(&b->mu);
    pthread_cond_destroy(&b->cv);
    if (b->ring != NULL)
        drop_pipeline(b);
    if (b->mi != NULL)
        drop_remains(b);
    if (b->reaping)
        pthread_join(b->reaper, NULL);
    free(b->segs);
    free(b->dir);
    free(b);
}

static hq_status sticky(hq_builder *b, hq_error *err)
{
    hq_status rc = rc_of(b);
    if (rc != HQ_OK && err != NULL && err->code == HQ_OK)
        *err = b->err;
    return rc;
}

hq_status hq_builder_add(hq_builder *b, const hq_builder_doc *d, hq_error *err)
{
    if (rc_of(b) != HQ_OK)
        return sticky(b, err);
    if (b->ring == NULL)
        return hq_fail(err, HQ_EINVAL, b->dir, 0, -1, "document added after the last segment");
    batch *bt = filling(b);
    put_doc(bt, d);
    if (bt->text_len + bt->ids_len >= BATCH_TEXT || bt->n_docs >= batch_docs(bt->seq))
        submit(b);
    return sticky(b, err);
}

hq_status hq_builder_finish(hq_builder *b, hq_error *err)
{
    if (rc_of(b) == HQ_OK && b->ring != NULL) {
        filling(b);
        submit(b);
        drain(b);
    }
    stop_workers(b);
    if (b->ring != NULL) /* its memory is not needed to write the last segment */
        drop_pipeline(b);
    if (b->rc == HQ_OK)
        b->rc = flush(b, &b->err);
    if (b->mi != NULL)
        drop_remains(b);
    return sticky(b, err);
}

const hq_manifest_seg *hq_builder_segments(const hq_builder *b, uint32_t *n)
{
    *n = (uint32_t)b->n_segs;
    return b->segs;
}

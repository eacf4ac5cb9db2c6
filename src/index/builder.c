/*
 * builder.c — turning sections into segments: each section's fields are
 * analysed (question/title, focus with its synonyms, body) into a
 * memindex, which is written as a segment when it passes the memory
 * budget and at the end.
 *
 * Two stages on two threads: the caller's thread (which also reads the
 * store) analyses documents into batches of token records; a worker
 * thread adds each batch to the memindex.  Two batches alternate
 * (double buffering), so both cores stay busy; the worker takes the
 * batches in order, so the segment is the same as a single thread's.
 * Before a segment is written the pipeline is drained; if the worker
 * cannot be started, batches are consumed on the caller's thread.
 *
 * Field positions: each field starts at 0.  The focus field holds the
 * focus and each synonym, one after the other, with a gap of one
 * position between them so that a phrase never spans two names.
 */
#include "index.h"
#include "../text/text.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_BYTES (1u << 20) /* a batch is handed over past this size */

/* Token records: u32 doc, u32 pos, u8 field, u8 len, len bytes. */
typedef struct batch {
    hq_buf bytes;
    bool ready; /* handed to the worker, not yet consumed */
} batch;

/* A focus term and its position, kept while the sections of one article
 * are added (sections of an article share its focus and synonyms). */
typedef struct focus_term {
    char *term;
    uint32_t len, pos;
} focus_term;

struct hq_builder {
    char *dir;
    char *focus_of;        /* article id whose focus is cached, or NULL */
    hq_arena focus_arena;  /* the cached terms */
    focus_term *focus;
    size_t n_focus, cap_focus;
    uint32_t focus_len;
    uint32_t *next_id;
    size_t budget;
    bool has_hint;
    hq_field_params hint;
    hq_analyzer *analyzer;
    hq_tokens tokens;
    hq_memindex *mi;
    hq_arena strings; /* the pending documents' strings */
    hq_newdoc *docs;
    size_t n_docs, cap_docs;
    hq_manifest_seg *segs;
    size_t n_segs, cap_segs;
    /* the pipeline; mu guards batch[].ready, stop and mi_bytes */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t worker;
    bool started, threaded, stop;
    batch batch[2];
    int filling;      /* the batch the caller fills */
    size_t mi_bytes;  /* the memindex's size, as the worker last saw it */
};

/* Adds a batch's token records to the memindex. */
static void consume(hq_memindex *mi, hq_buf *bytes)
{
    const unsigned char *p = (const unsigned char *)bytes->data, *end = p + bytes->len;
    while (p < end) {
        uint32_t doc = hq_get_u32(p), pos = hq_get_u32(p + 4);
        int field = p[8];
        size_t len = p[9];
        hq_memindex_add(mi, doc, field, (const char *)p + 10, len, pos);
        p += 10 + len;
    }
    hq_buf_reset(bytes);
}

static void *worker_main(void *arg)
{
    hq_builder *b = arg;
    int k = 0;
    pthread_mutex_lock(&b->mu);
    for (;;) {
        while (!b->batch[k].ready && !b->stop)
            pthread_cond_wait(&b->cv, &b->mu);
        if (!b->batch[k].ready)
            break; /* stop, and nothing left */
        pthread_mutex_unlock(&b->mu);
        consume(b->mi, &b->batch[k].bytes);
        size_t bytes = hq_memindex_bytes(b->mi);
        pthread_mutex_lock(&b->mu);
        b->mi_bytes = bytes;
        b->batch[k].ready = false;
        pthread_cond_broadcast(&b->cv);
        k ^= 1;
    }
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

/* Hands the batch being filled to the worker and waits until the other
 * one is free to fill. */
static void hand_off(hq_builder *b)
{
    batch *cur = &b->batch[b->filling];
    if (cur->bytes.len == 0)
        return;
    if (!b->started) {
        b->started = true;
        b->threaded = pthread_create(&b->worker, NULL, worker_main, b) == 0;
    }
    if (!b->threaded) {
        consume(b->mi, &cur->bytes);
        b->mi_bytes = hq_memindex_bytes(b->mi);
        return;
    }
    pthread_mutex_lock(&b->mu);
    cur->ready = true;
    pthread_cond_broadcast(&b->cv);
    b->filling ^= 1;
    while (b->batch[b->filling].ready)
        pthread_cond_wait(&b->cv, &b->mu);
    pthread_mutex_unlock(&b->mu);
}

/* Waits until the worker has consumed every batch. */
static void drain(hq_builder *b)
{
    hand_off(b);
    if (!b->threaded)
        return;
    pthread_mutex_lock(&b->mu);
    while (b->batch[0].ready || b->batch[1].ready)
        pthread_cond_wait(&b->cv, &b->mu);
    pthread_mutex_unlock(&b->mu);
}

static void stop_worker(hq_builder *b)
{
    if (!b->threaded)
        return;
    drain(b);
    pthread_mutex_lock(&b->mu);
    b->stop = true;
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
    pthread_join(b->worker, NULL);
    b->threaded = false;
}

/* Appends a token record to the batch being filled. */
static void emit(hq_builder *b, uint32_t doc, int field, const char *term, size_t len,
                 uint32_t pos)
{
    if (len == 0 || len > HQ_MAX_TERM_BYTES)
        return;
    hq_buf *out = &b->batch[b->filling].bytes;
    unsigned char head[10];
    for (int i = 0; i < 4; i++) {
        head[i] = (unsigned char)(doc >> (8 * i));
        head[4 + i] = (unsigned char)(pos >> (8 * i));
    }
    head[8] = (unsigned char)field;
    head[9] = (unsigned char)len;
    hq_buf_append(out, head, 10);
    hq_buf_append(out, term, len);
}

hq_builder *hq_builder_new(const char *dir, uint32_t *next_id, size_t budget,
                           const hq_field_params *hint)
{
    hq_builder *b = hq_xcalloc(1, sizeof *b);
    if (hint) {
        b->has_hint = true;
        b->hint = *hint;
    }
    b->dir = hq_xstrdup(dir);
    b->next_id = next_id;
    b->budget = budget;
    b->analyzer = hq_analyzer_new();
    b->mi = hq_memindex_new();
    hq_arena_init(&b->strings);
    hq_arena_init(&b->focus_arena);
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->cv, NULL);
    hq_buf_init(&b->batch[0].bytes, 0);
    hq_buf_init(&b->batch[1].bytes, 0);
    return b;
}

void hq_builder_free(hq_builder *b)
{
    if (b == NULL)
        return;
    stop_worker(b);
    pthread_mutex_destroy(&b->mu);
    pthread_cond_destroy(&b->cv);
    hq_buf_free(&b->batch[0].bytes);
    hq_buf_free(&b->batch[1].bytes);
    hq_memindex_free(b->mi);
    hq_analyzer_free(b->analyzer);
    hq_tokens_free(&b->tokens);
    hq_arena_free(&b->strings);
    hq_arena_free(&b->focus_arena);
    free(b->focus);
    free(b->focus_of);
    free(b->docs);
    free(b->segs);
    free(b->dir);
    free(b);
}

/* Analyses text into field f of document doc starting at position base;
 * returns the position after the text's last word. */
static uint32_t add_text(hq_builder *b, uint32_t doc, int f, const char *text, uint32_t base)
{
    if (text == NULL || *text == '\0')
        return base;
    hq_analyze(b->analyzer, text, strlen(text), 0, &b->tokens);
    uint32_t end = base;
    for (size_t i = 0; i < b->tokens.n; i++) {
        const hq_token *t = &b->tokens.items[i];
        emit(b, doc, f, t->term, t->len, base + t->pos);
        if (base + t->pos + 1 > end)
            end = base + t->pos + 1;
    }
    return end;
}

/* Analyses the focus and synonyms of d's article once; the terms are
 * replayed for each of its sections.  Synonyms follow one position apart. */
static void cache_focus(hq_builder *b, const hq_builder_doc *d)
{
    if (b->focus_of && strcmp(b->focus_of, d->article_id) == 0)
        return;
    free(b->focus_of);
    b->focus_of = hq_xstrdup(d->article_id);
    hq_arena_free(&b->focus_arena);
    b->n_focus = 0;
    uint32_t pos = 0;
    for (size_t i = 0; i < d->n_focus; i++) {
        const char *text = d->focus[i];
        if (text == NULL || *text == '\0')
            continue;
        uint32_t base = pos ? pos + 1 : 0, end = base;
        hq_analyze(b->analyzer, text, strlen(text), 0, &b->tokens);
        for (size_t k = 0; k < b->tokens.n; k++) {
            const hq_token *t = &b->tokens.items[k];
            hq_grow((void **)&b->focus, &b->cap_focus, b->n_focus + 1, sizeof *b->focus);
            b->focus[b->n_focus++] = (focus_term){
                hq_arena_strndup(&b->focus_arena, t->term, t->len), t->len, base + t->pos};
            if (base + t->pos + 1 > end)
                end = base + t->pos + 1;
        }
        pos = end;
    }
    b->focus_len = pos;
}

static hq_status flush(hq_builder *b, hq_error *err)
{
    drain(b); /* the memindex is the caller's again until the next hand-off */
    if (b->n_docs == 0)
        return HQ_OK;
    uint32_t id = (*b->next_id)++;
    char *path = hq_segment_file(b->dir, id);
    hq_status rc = hq_segment_write(path, b->docs, (uint32_t)b->n_docs, b->mi,
                                    b->has_hint ? &b->hint : NULL, err);
    free(path);
    if (rc != HQ_OK)
        return rc;
    hq_grow((void **)&b->segs, &b->cap_segs, b->n_segs + 1, sizeof *b->segs);
    b->segs[b->n_segs++] = (hq_manifest_seg){id, (uint32_t)b->n_docs, 0, 0};
    hq_memindex_free(b->mi);
    b->mi = hq_memindex_new();
    b->mi_bytes = 0;
    hq_arena_free(&b->strings);
    b->n_docs = 0;
    return HQ_OK;
}

hq_status hq_builder_add(hq_builder *b, const hq_builder_doc *d, hq_error *err)
{
    if (b->n_docs >= UINT32_MAX - 1)
        return hq_fail(err, HQ_ELIMIT, b->dir, 0, -1, "too many documents in one segment");
    hq_grow((void **)&b->docs, &b->cap_docs, b->n_docs + 1, sizeof *b->docs);
    uint32_t doc = (uint32_t)b->n_docs;
    hq_newdoc *nd = &b->docs[b->n_docs++];
    nd->section_id = hq_arena_strdup(&b->strings, d->section_id);
    nd->article_id = hq_arena_strdup(&b->strings, d->article_id);
    nd->source = hq_arena_strdup(&b->strings, d->source ? d->source : "");
    nd->qtype = d->qtype ? hq_arena_strdup(&b->strings, d->qtype) : NULL;
    nd->trust = (uint8_t)hq_trust_code(d->trust);
    nd->flags = d->body && *d->body ? HQ_DOC_HAS_BODY : 0;
    nd->len[HQ_FIELD_TITLE] = add_text(b, doc, HQ_FIELD_TITLE, d->title, 0);
    cache_focus(b, d);
    for (size_t i = 0; i < b->n_focus; i++)
        emit(b, doc, HQ_FIELD_FOCUS, b->focus[i].term, b->focus[i].len, b->focus[i].pos);
    nd->len[HQ_FIELD_FOCUS] = b->focus_len;
    nd->len[HQ_FIELD_BODY] = add_text(b, doc, HQ_FIELD_BODY, d->body, 0);
    if (b->batch[b->filling].bytes.len >= BATCH_BYTES)
        hand_off(b);
    pthread_mutex_lock(&b->mu);
    size_t used = b->mi_bytes;
    pthread_mutex_unlock(&b->mu);
    if (used + 2 * BATCH_BYTES + b->strings.used > b->budget)
        return flush(b, err);
    return HQ_OK;
}

hq_status hq_builder_finish(hq_builder *b, hq_error *err)
{
    hq_status rc = flush(b, err);
    stop_worker(b);
    return rc;
}

const hq_manifest_seg *hq_builder_segments(const hq_builder *b, uint32_t *n)
{
    *n = (uint32_t)b->n_segs;
    return b->segs;
}

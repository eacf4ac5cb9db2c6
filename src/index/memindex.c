/*
 * memindex.c — the inverted index of a segment under construction:
 * an open-addressing hash table from term bytes to hq_memterm, whose
 * postings grow as documents are added in order.
 *
 * Positions of a term in a document are appended to the term's varint
 * stream as postings.c describes: per field, in field order, as deltas
 * from the previous position of the same field (the first from 0).
 */
#include "index.h"

#include <stdlib.h>
#include <string.h>

struct hq_memindex {
    hq_arena arena;      /* terms' bytes and hq_memterm records */
    hq_memterm **slots;  /* open addressing, power-of-two size */
    size_t n_slots, n_terms;
    hq_memterm **sorted; /* built on demand */
    size_t bytes;        /* estimate of heap use */
};

static uint64_t term_hash(const char *s, size_t len)
{
    return hq_hash_bytes(s, len);
}

/* Appends v as a varint to b: the common case writes in place. */
static inline void put_varint(hq_buf *b, uint32_t v)
{
    if (b->cap - b->len < 6) {
        hq_put_varint(b, v);
        return;
    }
    unsigned char *p = (unsigned char *)b->data + b->len;
    while (v >= 0x80) {
        *p++ = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    *p++ = (unsigned char)v;
    b->len = (size_t)(p - (unsigned char *)b->data);
    b->data[b->len] = '\0';
}

hq_memindex *hq_memindex_new(void)
{
    hq_memindex *mi = hq_xcalloc(1, sizeof *mi);
    hq_arena_init(&mi->arena);
    mi->n_slots = 1 << 16;
    mi->slots = hq_xcalloc(mi->n_slots, sizeof *mi->slots);
    mi->bytes = mi->n_slots * sizeof *mi->slots;
    return mi;
}

void hq_memindex_free(hq_memindex *mi)
{
    if (mi == NULL)
        return;
    for (size_t i = 0; i < mi->n_slots; i++) {
        hq_memterm *t = mi->slots[i];
        if (t) {
            free(t->docs);
            free(t->tf);
            hq_buf_free(&t->pos);
        }
    }
    free(mi->slots);
    free(mi->sorted);
    hq_arena_free(&mi->arena);
    free(mi);
}

static void rehash(hq_memindex *mi)
{
    size_t n = mi->n_slots * 2;
    hq_memterm **slots = hq_xcalloc(n, sizeof *slots);
    for (size_t i = 0; i < mi->n_slots; i++) {
        hq_memterm *t = mi->slots[i];
        if (t == NULL)
            continue;
        size_t j = term_hash(t->term, t->len) & (n - 1);
        while (slots[j])
            j = (j + 1) & (n - 1);
        slots[j] = t;
    }
    mi->bytes += (n - mi->n_slots) * sizeof *slots;
    free(mi->slots);
    mi->slots = slots;
    mi->n_slots = n;
}

static hq_memterm *find_or_add(hq_memindex *mi, const char *term, size_t len)
{
    size_t mask = mi->n_slots - 1;
    size_t j = term_hash(term, len) & mask;
    for (hq_memterm *t; (t = mi->slots[j]) != NULL; j = (j + 1) & mask)
        if (t->len == len && memcmp(t->term, term, len) == 0)
            return t;
    hq_memterm *t = hq_arena_alloc(&mi->arena, sizeof *t);
    memset(t, 0, sizeof *t);
    t->term = hq_arena_strndup(&mi->arena, term, len);
    t->len = (uint32_t)len;
    t->last_doc = UINT32_MAX;
    hq_buf_init(&t->pos, 0);
    mi->slots[j] = t;
    mi->bytes += sizeof *t + len + 1;
    if (++mi->n_terms * 2 > mi->n_slots)
        rehash(mi);
    free(mi->sorted);
    mi->sorted = NULL;
    return t;
}

static void start_doc(hq_memindex *mi, hq_memterm *t, uint32_t doc)
{
    if (t->n_docs == t->cap_docs) {
        uint32_t cap = t->cap_docs ? t->cap_docs * 2 : 2;
        t->docs = hq_xrealloc(t->docs, cap * sizeof *t->docs);
        t->tf = hq_xrealloc(t->tf, (size_t)cap * HQ_NFIELDS * sizeof *t->tf);
        mi->bytes += (size_t)(cap - t->cap_docs) * (1 + HQ_NFIELDS) * sizeof(uint32_t);
        t->cap_docs = cap;
    }
    t->docs[t->n_docs] = doc;
    memset(&t->tf[(size_t)t->n_docs * HQ_NFIELDS], 0, HQ_NFIELDS * sizeof *t->tf);
    t->n_docs++;
    t->last_doc = doc;
    t->last_field = -1;
}

void hq_memindex_add(hq_memindex *mi, uint32_t doc, int field, const char *term, size_t len,
                     uint32_t pos)
{
    if (len == 0 || len > HQ_MAX_TERM_BYTES || field < 0 || field >= HQ_NFIELDS)
        return;
    hq_memterm *t = find_or_add(mi, term, len);
    if (t->last_doc != doc)
        start_doc(mi, t, doc);
    if (t->last_field != field) {
        t->last_field = field;
        t->last_pos = 0;
    }
    t->tf[(size_t)(t->n_docs - 1) * HQ_NFIELDS + (size_t)field]++;
    size_t before = t->pos.cap;
    put_varint(&t->pos, pos - t->last_pos);
    mi->bytes += t->pos.cap - before;
    t->last_pos = pos;
}

size_t hq_memindex_bytes(const hq_memindex *mi)
{
    return mi->bytes + mi->arena.used;
}

static int compare_terms(const void *x, const void *y)
{
    const hq_memterm *a = *(hq_memterm *const *)x, *b = *(hq_memterm *const *)y;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->term, b->term, n);
    if (c != 0)
        return c;
    return a->len < b->len ? -1 : a->len > b->len;
}

hq_memterm **hq_memindex_sorted(hq_memindex *mi, size_t *n_terms)
{
    if (mi->sorted == NULL) {
        mi->sorted = hq_xmalloc((mi->n_terms ? mi->n_terms : 1) * sizeof *mi->sorted);
        size_t k = 0;
        for (size_t i = 0; i < mi->n_slots; i++)
            if (mi->slots[i])
                mi->sorted[k++] = mi->slots[i];
        qsort(mi->sorted, k, sizeof *mi->sorted, compare_terms);
    }
    *n_terms = mi->n_terms;
    return mi->sorted;
}

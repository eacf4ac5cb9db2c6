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

/* Makes room for need more bytes in b (and its NUL). */
static inline void reserve(hq_memindex *mi, hq_buf *b, size_t need)
{
    if (b->cap - b->len > need)
        return;
    size_t before = b->cap;
    size_t cap = b->cap ? b->cap * 2 : 16;
    while (cap - b->len <= need)
        cap *= 2;
    b->data = hq_xrealloc(b->data, cap);
    b->cap = cap;
    mi->bytes += cap - before;
}

/* Writes v as a varint at *p, advancing it. */
static inline void write_varint(unsigned char **p, uint32_t v)
{
    while (v >= 0x80) {
        *(*p)++ = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    *(*p)++ = (unsigned char)v;
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
            hq_buf_free(&t->post);
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
    t->last_doc = t->prev_doc = UINT32_MAX;
    hq_buf_init(&t->pos, 0);
    hq_buf_init(&t->post, 0);
    mi->slots[j] = t;
    mi->bytes += sizeof *t + len + 1;
    if (++mi->n_terms * 2 > mi->n_slots)
        rehash(mi);
    free(mi->sorted);
    mi->sorted = NULL;
    return t;
}

/* Writes the pending document of t to its postings stream. */
static void finish_doc(hq_memindex *mi, hq_memterm *t)
{
    if (t->last_doc == UINT32_MAX || t->last_doc == t->prev_doc)
        return;
    reserve(mi, &t->post, 5 + 1 + 5 * HQ_NFIELDS);
    unsigned char *p = (unsigned char *)t->post.data + t->post.len;
    write_varint(&p, t->last_doc - (t->prev_doc == UINT32_MAX ? 0 : t->prev_doc + 1));
    unsigned char mask = 0;
    for (int f = 0; f < HQ_NFIELDS; f++)
        if (t->cur_tf[f])
            mask |= (unsigned char)(1u << f);
    *p++ = mask;
    for (int f = 0; f < HQ_NFIELDS; f++)
        if (t->cur_tf[f])
            write_varint(&p, t->cur_tf[f] - 1);
    t->post.len = (size_t)(p - (unsigned char *)t->post.data);
    t->post.data[t->post.len] = '\0';
    t->prev_doc = t->last_doc;
}

static void start_doc(hq_memindex *mi, hq_memterm *t, uint32_t doc)
{
    finish_doc(mi, t);
    memset(t->cur_tf, 0, sizeof t->cur_tf);
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
    t->cur_tf[field]++;
    reserve(mi, &t->pos, 5);
    unsigned char *p = (unsigned char *)t->pos.data + t->pos.len;
    write_varint(&p, pos - t->last_pos);
    t->pos.len = (size_t)(p - (unsigned char *)t->pos.data);
    t->pos.data[t->pos.len] = '\0';
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
            if (mi->slots[i]) {
                finish_doc(mi, mi->slots[i]);
                mi->sorted[k++] = mi->slots[i];
            }
        qsort(mi->sorted, k, sizeof *mi->sorted, compare_terms);
    }
    *n_terms = mi->n_terms;
    return mi->sorted;
}

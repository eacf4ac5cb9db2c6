/*
 * docs.c — the documents of a segment being built, made into the
 * segment's document table and string table as they are added
 * (hq_segdocs_add), so that writing the segment copies both out whole.
 * The builder adds each batch's documents as it merges the batch, while
 * other threads analyse the next ones; the segment's writer, which made
 * them from the documents at the end, then had ~6 ms of a MedQuAD
 * rebuild's serial tail to do.
 *
 * The layout is segment.c's (its header comment): a record of
 * HQ_DOC_RECORD_BYTES a document; strings NUL-terminated, a source or a
 * type stored once (found by hash), an article's id once for a run of
 * its sections, section ids as they come.
 */
#include "index.h"

#include <stdlib.h>
#include <string.h>

/* A source or type in the strings, found by hash: the slot keeps the
 * hash, so growing re-reads no string, and a probe compares strings only
 * when the hashes agree. */
struct hq_strslot {
    uint32_t off; /* offset + 1, 0 = empty */
    uint32_t tag; /* the string's hash, low 32 bits */
};

/* Appends s (len bytes and its NUL) to the strings; its offset. */
static uint32_t append(hq_segdocs *d, const char *s, size_t len)
{
    uint32_t off = (uint32_t)d->strings.len;
    hq_buf_append(&d->strings, s, len + 1);
    return off;
}

static void grow_slots(hq_segdocs *d)
{
    size_t n = d->n_slots ? d->n_slots * 2 : 64;
    struct hq_strslot *slots = hq_xcalloc(n, sizeof *slots);
    for (size_t i = 0; i < d->n_slots; i++) {
        if (d->slots[i].off == 0)
            continue;
        size_t j = d->slots[i].tag & (n - 1);
        while (slots[j].off)
            j = (j + 1) & (n - 1);
        slots[j] = d->slots[i];
    }
    free(d->slots);
    d->slots = slots;
    d->n_slots = n;
}

/* The offset of s (len bytes) stored once: found, or appended. */
static uint32_t add_once(hq_segdocs *d, const char *s, size_t len)
{
    if (d->n_hashed * 2 >= d->n_slots)
        grow_slots(d);
    uint32_t tag = (uint32_t)hq_hash_bytes(s, len);
    size_t j = tag & (d->n_slots - 1);
    for (; d->slots[j].off; j = (j + 1) & (d->n_slots - 1))
        if (d->slots[j].tag == tag && strcmp(d->strings.data + d->slots[j].off - 1, s) == 0)
            return d->slots[j].off - 1;
    uint32_t off = append(d, s, len);
    d->slots[j] = (struct hq_strslot){off + 1, tag};
    d->n_hashed++;
    return off;
}

/* The offset of s as the k-th key of a document: the last document's
 * when s is the same string (a document's article, source or type is
 * often the one before's), else stored (once, when once). */
static uint32_t again(hq_segdocs *d, int k, const char *s, bool once)
{
    if (d->last[k] != HQ_NO_STRING && strcmp(d->strings.data + d->last[k], s) == 0)
        return d->last[k];
    size_t len = strlen(s);
    return d->last[k] = once ? add_once(d, s, len) : append(d, s, len);
}

void hq_segdocs_add(hq_segdocs *d, const hq_newdoc *doc)
{
    if (d->n == 0 && d->records.data == NULL) {
        hq_buf_init(&d->records, 0);
        hq_buf_init(&d->strings, 0);
        d->last[0] = d->last[1] = d->last[2] = HQ_NO_STRING;
    }
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 1024;
        d->len = hq_xrealloc(d->len, d->cap * HQ_NFIELDS * sizeof *d->len);
        d->code = hq_xrealloc(d->code, d->cap * HQ_NFIELDS);
    }
    unsigned char r[HQ_DOC_RECORD_BYTES];
    hq_store_u32(r, append(d, doc->section_id, strlen(doc->section_id)));
    hq_store_u32(r + 4, again(d, 0, doc->article_id, false));
    hq_store_u32(r + 8, again(d, 1, doc->source, true));
    hq_store_u32(r + 12, doc->qtype ? again(d, 2, doc->qtype, true) : HQ_NO_STRING);
    for (int f = 0; f < HQ_NFIELDS; f++) {
        hq_store_u32(r + 16 + 4 * f, doc->len[f]);
        d->len[(size_t)d->n * HQ_NFIELDS + (size_t)f] = doc->len[f];
        d->code[(size_t)d->n * HQ_NFIELDS + (size_t)f] = hq_length_code(doc->len[f]);
        d->total[f] += doc->len[f];
    }
    r[28] = doc->trust;
    r[29] = doc->flags;
    r[30] = r[31] = 0;
    hq_buf_append(&d->records, r, sizeof r);
    d->n++;
}

size_t hq_segdocs_bytes(const hq_segdocs *d)
{
    return d->records.cap + d->strings.cap + d->cap * HQ_NFIELDS * (sizeof *d->len + 1) +
           d->n_slots * sizeof *d->slots;
}

void hq_segdocs_free(hq_segdocs *d)
{
    hq_buf_free(&d->records);
    hq_buf_free(&d->strings);
    free(d->len);
    free(d->code);
    free(d->slots);
    memset(d, 0, sizeof *d);
}

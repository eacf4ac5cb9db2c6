/*
 * lexicon.c — the sorted term dictionary of a segment, front-coded.
 *
 * Byte layout:
 *   lexicon section: blocks of up to 16 terms; each entry is
 *     varint shared    bytes in common with the previous term of the
 *                      block (0 for a block's first term)
 *     varint suffix    length of the rest, then the rest's bytes
 *     varint df        documents holding the term (>= 1)
 *     varint post_off  offset of its postings in the postings section
 *     varint post_len
 *     varint pos_off   offset of its positions in the positions section
 *     varint pos_len
 *   lexicon index section: one u32 per block, the block's offset in the
 *     lexicon section (increasing).
 * A lookup binary-searches the blocks by their first term, then scans
 * one block.  Terms are compared as bytes (memcmp, shorter first).
 */
#include "index.h"

#include <string.h>

#define LEX_BLOCK 16

void hq_lexwriter_init(hq_lexwriter *w)
{
    hq_buf_init(&w->lex, 0);
    hq_buf_init(&w->index, 0);
    hq_buf_init(&w->prev, 0);
    w->n_terms = 0;
}

void hq_lexwriter_free(hq_lexwriter *w)
{
    hq_buf_free(&w->lex);
    hq_buf_free(&w->index);
    hq_buf_free(&w->prev);
}

/* Stores v as a varint at p; returns the bytes used (at most 10). */
static size_t store_varint(unsigned char *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (unsigned char)v;
    return n;
}

hq_status hq_lexwriter_add(hq_lexwriter *w, const char *term, size_t len, const hq_terminfo *ti)
{
    size_t shared = 0;
    if (w->n_terms % LEX_BLOCK == 0) {
        hq_put_u32(&w->index, (uint32_t)w->lex.len);
    } else {
        size_t max = len < w->prev.len ? len : w->prev.len;
        while (shared < max && w->prev.data[shared] == term[shared])
            shared++;
    }
    /* the entry assembled here, appended at once (a suffix longer than
     * the memindex keeps, in two pieces) */
    unsigned char e[7 * 10 + HQ_MAX_TERM_BYTES];
    size_t n = store_varint(e, shared);
    n += store_varint(e + n, len - shared);
    if (len - shared <= HQ_MAX_TERM_BYTES) {
        memcpy(e + n, term + shared, len - shared);
        n += len - shared;
    } else {
        hq_buf_append(&w->lex, e, n);
        hq_buf_append(&w->lex, term + shared, len - shared);
        n = 0;
    }
    const uint64_t nums[5] = {ti->df, ti->post_off, ti->post_len, ti->pos_off, ti->pos_len};
    for (int i = 0; i < 5; i++)
        n += store_varint(e + n, nums[i]);
    hq_buf_append(&w->lex, e, n);
    hq_buf_reset(&w->prev);
    hq_buf_append(&w->prev, term, len);
    w->n_terms++;
    return HQ_OK;
}

/* A reader over one block. */
typedef struct lexcur {
    const unsigned char *p, *end;
    char term[HQ_MAX_TERM_BYTES + 1];
    size_t len;
    hq_terminfo ti;
} lexcur;

static inline bool read_varint(lexcur *c, uint64_t *v)
{
    if (c->p < c->end && *c->p < 0x80) { /* most are one byte */
        *v = *c->p++;
        return true;
    }
    size_t n = hq_get_varint(c->p, (size_t)(c->end - c->p), v);
    c->p += n;
    return n > 0;
}

/* Decodes the next entry; false at the block's end or on corruption
 * (*bad set then). */
static bool lexcur_next(lexcur *c, bool *bad)
{
    if (c->p >= c->end)
        return false;
    uint64_t shared, suffix, df, po, pl, qo, ql;
    if (!read_varint(c, &shared) || !read_varint(c, &suffix) || shared > c->len ||
        shared + suffix > HQ_MAX_TERM_BYTES || suffix > (uint64_t)(c->end - c->p)) {
        *bad = true;
        return false;
    }
    memcpy(c->term + shared, c->p, suffix);
    c->p += suffix;
    c->len = shared + suffix;
    c->term[c->len] = '\0';
    if (!read_varint(c, &df) || !read_varint(c, &po) || !read_varint(c, &pl) ||
        !read_varint(c, &qo) || !read_varint(c, &ql) || df == 0 || df > UINT32_MAX ||
        pl > UINT32_MAX || ql > UINT32_MAX) {
        *bad = true;
        return false;
    }
    c->ti = (hq_terminfo){(uint32_t)df, po, qo, (uint32_t)pl, (uint32_t)ql};
    return true;
}

static int compare(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = memcmp(a, b, n);
    return c != 0 ? c : (alen < blen ? -1 : alen > blen);
}

/* Positions c at block b; false when the index is corrupt. */
static bool open_block(lexcur *c, const unsigned char *lex, size_t lex_len,
                       const unsigned char *index, uint32_t n_blocks, uint32_t b)
{
    uint32_t start = hq_get_u32(index + 4 * (size_t)b);
    uint32_t end = b + 1 < n_blocks ? hq_get_u32(index + 4 * (size_t)(b + 1)) : (uint32_t)lex_len;
    if (start > end || end > lex_len)
        return false;
    c->p = lex + start;
    c->end = lex + end;
    c->len = 0;
    return true;
}

/* Compares block c's first term (shared 0, then its bytes in place)
 * with term; false when the entry is corrupt. */
static bool compare_first(lexcur *c, const char *term, size_t len, int *cmp)
{
    uint64_t shared, suffix;
    if (!read_varint(c, &shared) || !read_varint(c, &suffix) || shared != 0 ||
        suffix > HQ_MAX_TERM_BYTES || suffix > (uint64_t)(c->end - c->p))
        return false;
    *cmp = compare((const char *)c->p, (size_t)suffix, term, len);
    return true;
}

/* The last block whose first term is <= term (0 when none is). */
static hq_status find_block(const unsigned char *lex, size_t lex_len, const unsigned char *index,
                            uint32_t n_blocks, const char *term, size_t len, uint32_t *out)
{
    uint32_t lo = 0, hi = n_blocks;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        lexcur c;
        int cmp;
        if (!open_block(&c, lex, lex_len, index, n_blocks, mid) || !compare_first(&c, term, len, &cmp))
            return HQ_ECORRUPT;
        if (cmp <= 0)
            lo = mid;
        else
            hi = mid;
    }
    *out = lo;
    return HQ_OK;
}

hq_status hq_lexicon_find(const unsigned char *lex, size_t lex_len, const unsigned char *index,
                          uint32_t n_blocks, const char *term, size_t len, hq_terminfo *ti)
{
    if (n_blocks == 0 || len > HQ_MAX_TERM_BYTES)
        return HQ_ENOTFOUND;
    uint32_t b;
    hq_status rc = find_block(lex, lex_len, index, n_blocks, term, len, &b);
    if (rc != HQ_OK)
        return rc;
    lexcur c;
    bool bad = false;
    if (!open_block(&c, lex, lex_len, index, n_blocks, b))
        return HQ_ECORRUPT;
    while (lexcur_next(&c, &bad)) {
        int cmp = compare(c.term, c.len, term, len);
        if (cmp == 0) {
            *ti = c.ti;
            return HQ_OK;
        }
        if (cmp > 0)
            break;
    }
    return bad ? HQ_ECORRUPT : HQ_ENOTFOUND;
}

hq_status hq_lexicon_scan(const unsigned char *lex, size_t lex_len, const unsigned char *index,
                          uint32_t n_blocks, const char *prefix, size_t prefix_len,
                          hq_lexicon_fn fn, void *ctx)
{
    if (n_blocks == 0)
        return HQ_OK;
    uint32_t b;
    hq_status rc = find_block(lex, lex_len, index, n_blocks, prefix, prefix_len, &b);
    if (rc != HQ_OK)
        return rc;
    for (; b < n_blocks; b++) {
        lexcur c;
        bool bad = false;
        if (!open_block(&c, lex, lex_len, index, n_blocks, b))
            return HQ_ECORRUPT;
        while (lexcur_next(&c, &bad)) {
            int cmp = compare(c.term, c.len < prefix_len ? c.len : prefix_len, prefix, prefix_len);
            if (cmp < 0)
                continue;
            if (cmp > 0)
                return HQ_OK;
            if (!fn(ctx, c.term, c.len, &c.ti))
                return HQ_OK;
        }
        if (bad)
            return HQ_ECORRUPT;
    }
    return HQ_OK;
}

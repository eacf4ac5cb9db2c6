/*
 * postings.c — the codec of one term's postings and positions.
 *
 * Byte layout (all integers little-endian).  A term with df documents has
 * nb = ceil(df / 128) blocks; the last holds df - 128 * (nb - 1).
 *
 *   postings of a term (at terminfo.post_off in the postings section):
 *     skip table: nb entries of 34 bytes
 *       u32 last_doc     the block's last document number
 *       u32 doc_off      the block's offset from the end of the skip table
 *       u32 pos_off      the block's offset in the term's positions
 *       u16 max_tf[3]    the block's largest frequency per field (saturated)
 *       u16 min_len[3]   the smallest field length among the block's
 *                        documents holding the term in that field
 *                        (saturated at 65535; 65535 when none)
 *       u16 min_ratio[3] the smallest len / tf among those documents, in
 *                        sixteenths, rounded down (65535 when none)
 *       f32 max_tfn      the largest normalised frequency (hq_field_factor) of the
 *                        block under the segment's hint parameters and
 *                        average lengths, rounded up; 0 without hints
 *     blocks, each of n documents:
 *       u8 B1, then ceil(n * B1 / 8) bytes: the n document gaps bit-packed
 *            with B1 bits each (0..32): gap i = doc[i] - doc[i-1] - 1, with
 *            doc[-1] = last_doc of the previous block, or -1 for the first
 *       ceil(n/2) bytes: a nibble per document (low nibble first), bit f
 *            set when field f holds the term
 *       u8 B2, then ceil(m * B2 / 8) bytes: tf - 1 for each of the m set
 *            bits, in document order then field order, B2 bits each
 *     Bit-packing is little-endian: value i occupies bits [i*B, i*B+B) of
 *     the byte string read as one little-endian number.
 *
 *   positions of a term (at terminfo.pos_off in the positions section):
 *     for each document, for each field holding the term (in field
 *     order), tf varints: the positions as deltas from the previous
 *     position in that field (the first from 0).
 *
 * Bounds for dynamic pruning come from the skip entries: in each field a
 * document of the block has tf <= max_tf, len >= min_len and len >= tf *
 * min_ratio, and tf / norm(len) is largest at tf = max_tf, len =
 * max(min_len, max_tf * min_ratio) (see rank/bm25f.c).  They hold for any
 * BM25F parameters.  When the segment records hint parameters (its
 * header), max_tfn is the exact block maximum under them; a reader uses
 * it only for those parameters and average lengths no larger than the
 * segment's (a larger average would raise the true values).
 *
 * Reading a block decodes its documents; the frequencies of a document
 * are unpacked in place when asked (hq_postings_tf), since lookups often
 * decode a block to find one document, or none.
 *
 * Every length read from disk is checked against the bytes available
 * before decoding, and decoded documents against the segment's count.
 * The postings section ends with 16 bytes of padding because the
 * unpacker loads 8 bytes at a time and may read past the last byte it
 * uses.
 *
 * Why bit-packing rather than libstreamvbyte: Debian builds that library
 * for baseline x86-64 (no SSSE3), so its decoder runs scalar; measured
 * with callgrind it took about 6,600 instructions per 128 values, the
 * unpacking loop below about 700.
 */
#include "index.h"

#include <endian.h>
#include <math.h>
#include <string.h>

#define SKIP_BYTES 34

/* ---- encoding ------------------------------------------------------ */

static uint16_t sat16(uint32_t v)
{
    return v > 0xFFFF ? 0xFFFF : (uint16_t)v;
}

static uint8_t bits_for(const uint32_t *v, uint32_t n)
{
    uint32_t all = 0;
    for (uint32_t i = 0; i < n; i++)
        all |= v[i];
    return all == 0 ? 0 : (uint8_t)(32 - __builtin_clz(all));
}

/* Appends "u8 B, then n values of B bits" (see the layout above): the
 * values go into a 64-bit accumulator, stored 4 bytes at a time. */
static hq_status pack(hq_buf *out, const uint32_t *v, uint32_t n)
{
    unsigned char tmp[1 + HQ_BLOCK * HQ_NFIELDS * 4 + 8];
    uint8_t b = bits_for(v, n);
    size_t len = 1;
    tmp[0] = b;
    uint64_t acc = 0; /* bits not yet stored, the lowest first */
    unsigned have = 0; /* < 32 between values, so that b <= 32 more fit */
    for (uint32_t i = 0; i < n && b > 0; i++) {
        acc |= (uint64_t)v[i] << have;
        have += b;
        if (have >= 32) {
            hq_store_u32(tmp + len, (uint32_t)acc);
            len += 4;
            acc >>= 32;
            have -= 32;
        }
    }
    for (; have > 0; have = have > 8 ? have - 8 : 0) {
        tmp[len++] = (unsigned char)acc;
        acc >>= 8;
    }
    return hq_buf_append(out, tmp, len);
}

/* Reads a varint the memindex wrote (trusted: it is our own memory). */
static inline uint32_t read_varint(const unsigned char **p)
{
    if (**p < 0x80) /* most gaps and frequencies */
        return *(*p)++;
    uint32_t v = 0;
    for (int shift = 0;; shift += 7) {
        unsigned char c = *(*p)++;
        v |= (uint32_t)(c & 0x7F) << shift;
        if (!(c & 0x80))
            return v;
    }
}

/* Rounds a positive bound up to a float that is not smaller. */
static float round_up(double v)
{
    float f = (float)v;
    return (double)f < v ? nextafterf(f, INFINITY) : f;
}

/* Encodes the next n documents of t's stream (see hq_memterm), from byte
 * *off on, into data as one block, and fills its skip entry, in one pass
 * over the stream: the stream's gaps and field masks are the block's
 * own, its frequencies are read once for the values, the bounds and the
 * positions' count.  *prev is the last document of the previous block
 * (UINT32_MAX: none), and becomes this block's last.  Returns the number
 * of positions the block's documents hold; *rc becomes HQ_ELIMIT if data
 * could not take the block. */
static uint64_t encode_block(const hq_memterm *t, size_t *off, uint32_t *prev, uint32_t n,
                             const hq_encode_ctx *ctx, hq_buf *data, hq_skip *sk, hq_status *rc)
{
    const unsigned char *p = (const unsigned char *)t->post.data + *off;
    const uint32_t *doc_len = ctx->doc_len;
    double max_tfn = 0;
    uint64_t count = 0;
    uint32_t gaps[HQ_BLOCK], vals[HQ_BLOCK * HQ_NFIELDS];
    uint32_t n_vals = 0, doc = *prev;
    uint8_t masks[HQ_BLOCK / 2];
    for (int f = 0; f < HQ_NFIELDS; f++) {
        sk->max_tf[f] = 0;
        sk->min_len[f] = 0xFFFF;
        sk->min_ratio[f] = 0xFFFF;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t gap = read_varint(&p);
        doc = doc == UINT32_MAX ? gap : doc + 1 + gap;
        gaps[i] = gap; /* doc[i] - doc[i-1] - 1, doc[-1] = -1 for the first */
        unsigned mask = *p++ & ((1u << HQ_NFIELDS) - 1);
        if (i % 2 == 0)
            masks[i / 2] = (uint8_t)mask;
        else
            masks[i / 2] |= (uint8_t)(mask << 4);
        uint32_t tfs[HQ_NFIELDS] = {0};
        for (unsigned m = mask; m != 0; m &= m - 1) {
            int f = __builtin_ctz(m);
            uint32_t v = read_varint(&p), tf = v + 1;
            vals[n_vals++] = v;
            count += tf;
            tfs[f] = tf;
            if (tf > sk->max_tf[f])
                sk->max_tf[f] = sat16(tf);
            uint32_t full_len = doc_len[(size_t)doc * HQ_NFIELDS + (size_t)f];
            uint16_t len = sat16(full_len);
            if (len < sk->min_len[f])
                sk->min_len[f] = len;
            /* floor(len * 16 / tf) < min exactly when len * 16 < min * tf */
            if ((uint64_t)full_len * 16 < (uint64_t)sk->min_ratio[f] * tf)
                sk->min_ratio[f] = sat16((uint32_t)(((uint64_t)full_len * 16) / tf));
        }
        double tfn = ctx->hint ? hq_tfn_coded(tfs, &ctx->len_code[(size_t)doc * HQ_NFIELDS],
                                              ctx->factor)
                               : 0.0;
        if (tfn > max_tfn)
            max_tfn = tfn;
    }
    *off = (size_t)(p - (const unsigned char *)t->post.data);
    *prev = doc;
    if (pack(data, gaps, n) != HQ_OK || hq_buf_append(data, masks, (n + 1) / 2) != HQ_OK ||
        pack(data, vals, n_vals) != HQ_OK)
        *rc = HQ_ELIMIT;
    sk->last_doc = doc;
    sk->max_tfn = ctx->hint ? round_up(max_tfn) : 0.0f;
    return count;
}

/* The byte length of count positions, starting at byte start of t's
 * positions: count varints, each ending at a byte below 0x80.  Counted
 * 8 bytes at a time where 8 are left (a count of the last bytes),
 * then byte by byte. */
static size_t positions_bytes(const hq_memterm *t, uint64_t count, size_t start)
{
    const unsigned char *d = (const unsigned char *)t->pos.data;
    size_t off = start, len = t->pos.len;
#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    while (count >= 8 && off + 8 <= len) { /* 8 bytes hold at most 8 ends */
        uint64_t x;
        memcpy(&x, d + off, 8);
        /* the ends' high bits moved to each byte's low bit and summed into
         * the top byte by one multiply (at most 8: no carry); baseline
         * x86-64 has no popcount instruction, and the library call cost
         * more than the loop's other work */
        count -= (((~x & 0x8080808080808080ULL) >> 7) * 0x0101010101010101ULL) >> 56;
        off += 8;
    }
#endif
    for (; count > 0 && off < len; count--) {
        while (off < len && (d[off] & 0x80))
            off++;
        off++;
    }
    return off - start;
}

/* Fills skip entry e (SKIP_BYTES) from sk. */
static void store_skip(unsigned char *e, const hq_skip *sk)
{
    uint32_t bits;
    memcpy(&bits, &sk->max_tfn, 4);
    const uint32_t u32s[3] = {sk->last_doc, sk->doc_off, sk->pos_off};
    for (int k = 0; k < 3; k++, e += 4)
        hq_store_u32(e, u32s[k]);
    for (int f = 0; f < HQ_NFIELDS; f++, e += 2)
        hq_store_u16(e, sk->max_tf[f]);
    for (int f = 0; f < HQ_NFIELDS; f++, e += 2)
        hq_store_u16(e, sk->min_len[f]);
    for (int f = 0; f < HQ_NFIELDS; f++, e += 2)
        hq_store_u16(e, sk->min_ratio[f]);
    hq_store_u32(e, bits);
}

#define SKIPS_AT_ONCE 32 /* skip entries kept on the stack (more: malloc) */

/* The skip table's room is appended first, the blocks after it, and the
 * entries filled in place once the blocks are encoded. */
hq_status hq_postings_encode(const hq_memterm *t, const hq_encode_ctx *ctx, hq_buf *out,
                             hq_buf *pos_out)
{
    uint32_t nb = (t->n_docs + HQ_BLOCK - 1) / HQ_BLOCK;
    hq_skip stack[SKIPS_AT_ONCE];
    hq_skip *skips = nb <= SKIPS_AT_ONCE ? stack : hq_xmalloc(nb * sizeof *skips);
    static const unsigned char zeros[SKIPS_AT_ONCE * SKIP_BYTES];
    size_t table = out->len, blocks = table + (size_t)nb * SKIP_BYTES;
    hq_status rc = HQ_OK;
    for (uint32_t b = 0; b < nb && rc == HQ_OK; b += SKIPS_AT_ONCE)
        rc = hq_buf_append(out, zeros, (nb - b < SKIPS_AT_ONCE ? nb - b : SKIPS_AT_ONCE) * SKIP_BYTES);
    size_t pos_off = 0, post_off = 0;
    uint32_t prev = UINT32_MAX;
    for (uint32_t b = 0; b < nb && rc == HQ_OK; b++) {
        uint32_t n = t->n_docs - b * HQ_BLOCK < HQ_BLOCK ? t->n_docs - b * HQ_BLOCK : HQ_BLOCK;
        skips[b].doc_off = (uint32_t)(out->len - blocks);
        skips[b].pos_off = (uint32_t)pos_off;
        uint64_t count = encode_block(t, &post_off, &prev, n, ctx, out, &skips[b], &rc);
        pos_off += positions_bytes(t, count, pos_off);
    }
    for (uint32_t b = 0; b < nb && rc == HQ_OK; b++)
        store_skip((unsigned char *)out->data + table + (size_t)b * SKIP_BYTES, &skips[b]);
    if (rc == HQ_OK && pos_out)
        rc = hq_buf_append(pos_out, t->pos.data ? t->pos.data : "", t->pos.len);
    if (rc != HQ_OK && out->data != NULL) { /* out as it was */
        out->len = table;
        out->data[table] = '\0';
    }
    if (skips != stack)
        free(skips);
    return rc;
}

/* ---- decoding ------------------------------------------------------ */

/* Unpacks n values of b bits at d into v: eight at a time (eight values
 * take b bytes, so that with b constant every shift is), then one by
 * one. */
static inline __attribute__((always_inline)) void unpack_width(const unsigned char *d, uint32_t n,
                                                                unsigned b, uint32_t *v)
{
    uint64_t mask = b == 32 ? 0xFFFFFFFFu : (1u << b) - 1;
    uint32_t i = 0;
    for (; i + 8 <= n; i += 8, d += b)
#pragma GCC unroll 8
        for (unsigned j = 0; j < 8; j++) {
            uint64_t w;
            memcpy(&w, d + j * b / 8, 8); /* the section's padding covers the overshoot */
            v[i + j] = (uint32_t)((le64toh(w) >> (j * b % 8)) & mask);
        }
    for (uint32_t j = 0; i < n; i++, j++) {
        uint64_t w, bit = (uint64_t)j * b;
        memcpy(&w, d + bit / 8, 8);
        v[i] = (uint32_t)((le64toh(w) >> (bit % 8)) & mask);
    }
}

/* Checks "u8 B, n values of B bits" at data[*off..) fits, and unpacks it
 * into v; advances *off.  False when corrupt. */
static bool unpack(const hq_postings *p, size_t *off, uint32_t n, uint32_t *v)
{
    if (*off >= p->data_len)
        return false;
    unsigned b = p->data[*off];
    size_t bytes = ((size_t)n * b + 7) / 8;
    if (b > 32 || p->data_len - *off - 1 < bytes)
        return false;
    const unsigned char *d = p->data + *off + 1;
    *off += 1 + bytes;
    if (b == 0) {
        memset(v, 0, n * sizeof *v);
        return true;
    }
    switch (b) { /* a copy of the loop per width, so that shifts are constants */
#define WIDTH(k) case k: unpack_width(d, n, k, v); break;
        WIDTH(1) WIDTH(2) WIDTH(3) WIDTH(4) WIDTH(5) WIDTH(6) WIDTH(7) WIDTH(8)
        WIDTH(9) WIDTH(10) WIDTH(11) WIDTH(12) WIDTH(13) WIDTH(14) WIDTH(15) WIDTH(16)
#undef WIDTH
    default:
        unpack_width(d, n, b, v);
    }
    return true;
}

void hq_postings_skip(const hq_postings *p, uint32_t b, hq_skip *out)
{
    const unsigned char *s = p->skips + (size_t)b * SKIP_BYTES;
    out->last_doc = hq_get_u32(s);
    out->doc_off = hq_get_u32(s + 4);
    out->pos_off = hq_get_u32(s + 8);
    for (int f = 0; f < HQ_NFIELDS; f++) {
        out->max_tf[f] = hq_get_u16(s + 12 + 2 * f);
        out->min_len[f] = hq_get_u16(s + 18 + 2 * f);
        out->min_ratio[f] = hq_get_u16(s + 24 + 2 * f);
    }
    uint32_t bits = hq_get_u32(s + 30);
    memcpy(&out->max_tfn, &bits, 4);
}

static uint32_t corrupt(hq_postings *p)
{
    p->rc = HQ_ECORRUPT;
    p->block = p->n_blocks;
    p->doc = HQ_DOC_END;
    return HQ_DOC_END;
}

/* Are the n documents' field masks (a nibble each, low nibble first)
 * all in 1..7: at least one field, none past the third? */
static bool valid_masks(const unsigned char *m, uint32_t n)
{
    const uint64_t ones = 0x1111111111111111ull, highs = 0x8888888888888888ull;
    for (uint32_t left = n; left > 0; m += 8) { /* 16 nibbles a word; padding follows */
        uint64_t w;
        memcpy(&w, m, 8);
        w = le64toh(w);
        uint32_t here = left < 16 ? left : 16;
        if (here < 16) { /* the nibbles past the block count as valid */
            uint64_t keep = (1ull << (4 * here)) - 1;
            w = (w & keep) | (ones & ~keep);
        }
        if ((w & highs) != 0 || ((w - ones) & ~w & highs) != 0)
            return false; /* a nibble above 7, or a zero one */
        left -= here;
    }
    return true;
}

/* The set bits of the 16 nibbles of w, each at most 0111. */
static inline uint32_t nibble_bits(uint64_t w)
{
    uint64_t x = w & 0x7777777777777777ull;
    x = x - ((x >> 1) & 0x3333333333333333ull) - ((x >> 2) & 0x1111111111111111ull);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
    return (uint32_t)((x * 0x0101010101010101ull) >> 56);
}

/* The number of frequencies of the block's documents 0..i-1: the set
 * bits of their masks (every nibble is valid, at most 0111). */
static uint32_t tf_index(const hq_postings *p, uint32_t i)
{
    const unsigned char *m = p->masks;
    uint32_t nibbles = i, k = 0;
    for (; nibbles >= 16; nibbles -= 16, m += 8) {
        uint64_t w;
        memcpy(&w, m, 8);
        k += nibble_bits(le64toh(w));
    }
    if (nibbles > 0) { /* the padding covers the 8-byte load */
        uint64_t w;
        memcpy(&w, m, 8);
        k += nibble_bits(le64toh(w) & ((1ull << (4 * nibbles)) - 1));
    }
    return k;
}

/* Where each document's frequencies start (p->first_tf), once per block
 * and only when a single document's are asked for. */
static void index_tfs(hq_postings *p)
{
    static const uint8_t COUNT[16] = {0, 1, 1, 2, 1, 2, 2, 3, 0, 1, 1, 2, 1, 2, 2, 3};
    uint32_t k = 0;
    for (uint32_t i = 0; i < p->n; i += 2) {
        unsigned m = p->masks[i / 2];
        p->first_tf[i] = (uint16_t)k;
        k += COUNT[m & 15];
        p->first_tf[i + 1] = (uint16_t)k;
        k += COUNT[m >> 4];
    }
    p->tfs_indexed = true;
}

static inline unsigned doc_fields(const hq_postings *p, uint32_t i)
{
    return (p->masks[i / 2] >> (4 * (i % 2))) & 15;
}

/* Decodes block b: its documents into p->docs, and checks its field
 * masks and the size of its frequencies, which are read in place when
 * asked (hq_postings_tf, hq_postings_block_tfn: a block is often decoded
 * to find one document, or none). */
static bool decode_block(hq_postings *p, uint32_t b)
{
    const unsigned char *s = p->skips + (size_t)b * SKIP_BYTES;
    uint32_t last_doc = hq_get_u32(s), n = b + 1 < p->n_blocks ? HQ_BLOCK : p->n_docs - b * HQ_BLOCK;
    size_t off = hq_get_u32(s + 4);
    uint32_t gaps[HQ_BLOCK];
    if (off > p->data_len || !unpack(p, &off, n, gaps))
        return false;
    uint64_t doc = b > 0 ? hq_postings_block_last(p, b - 1) : UINT64_MAX; /* UINT64_MAX: -1 */
    for (uint32_t i = 0; i < n; i++) { /* gaps < 2^32: no overflow, checked at the end */
        doc += (uint64_t)gaps[i] + 1;
        p->docs[i] = (uint32_t)doc;
    }
    if (doc >= p->max_doc || doc != last_doc)
        return false; /* past the segment's documents, or not the skip entry's */
    size_t mask_bytes = (n + 1) / 2;
    if (p->data_len - off < mask_bytes || !valid_masks(p->data + off, n))
        return false; /* a document with no field, or a fourth one */
    p->masks = p->data + off;
    off += mask_bytes;
    uint32_t k = tf_index(p, n);
    /* u8 B2, then k values of B2 bits (read in place: the padding covers
     * the 8-byte loads) */
    if (off >= p->data_len)
        return false;
    unsigned b2 = p->data[off];
    if (b2 > 32 || p->data_len - off - 1 < ((size_t)k * b2 + 7) / 8)
        return false;
    p->tf_bits = (uint8_t)b2;
    p->tf_data = p->data + off + 1;
    p->tf_doc = UINT32_MAX;
    p->tfs_indexed = false;
    p->block = b;
    p->n = n;
    p->i = 0;
    p->pos_ready = false;
    return true;
}

/* The frequency at bit `bit` of the block's frequencies (tf - 1 in
 * tf_bits bits; the padding covers the 8-byte load). */
static inline uint32_t tf_at(const hq_postings *p, uint64_t bit)
{
    unsigned b = p->tf_bits;
    if (b == 0)
        return 1;
    uint64_t w;
    memcpy(&w, p->tf_data + bit / 8, 8);
    uint64_t mask = b == 32 ? 0xFFFFFFFFu : (1u << b) - 1;
    return (uint32_t)((le64toh(w) >> (bit % 8)) & mask) + 1;
}

void hq_postings_load_tf(hq_postings *p)
{
    if (!p->tfs_indexed)
        index_tfs(p);
    unsigned m = doc_fields(p, p->i);
    uint64_t bit = (uint64_t)p->first_tf[p->i] * p->tf_bits;
    for (int f = 0; f < HQ_NFIELDS; f++) {
        p->tf[f] = 0;
        if (!((m >> f) & 1))
            continue;
        p->tf[f] = tf_at(p, bit);
        bit += p->tf_bits;
    }
    p->tf_doc = p->i;
}

void hq_postings_block_tfn(const hq_postings *p, uint32_t i0, uint32_t i1,
                           const uint8_t *len_codes, const double (*factor)[256], double *out)
{
    uint64_t bit = (uint64_t)tf_index(p, i0) * p->tf_bits;
    for (uint32_t i = i0; i < i1; i++) {
        unsigned m = doc_fields(p, i);
        const uint8_t *code = len_codes + (size_t)p->docs[i] * HQ_NFIELDS;
        double tfn = 0; /* hq_tfn_coded's sum, fused with reading the frequencies */
        for (int f = 0; f < HQ_NFIELDS; f++) {
            if (!((m >> f) & 1))
                continue;
            tfn += (double)tf_at(p, bit) * factor[f][code[f]];
            bit += p->tf_bits;
        }
        out[i - i0] = tfn;
    }
}

hq_status hq_postings_init(hq_postings *p, const unsigned char *data, size_t len,
                           const unsigned char *pos, size_t pos_len, uint32_t n_docs,
                           uint32_t max_doc)
{
    memset(p, 0, offsetof(hq_postings, docs));
    p->n_docs = n_docs;
    p->max_doc = max_doc;
    p->n_blocks = (n_docs + HQ_BLOCK - 1) / HQ_BLOCK;
    p->doc = 0;
    p->rc = HQ_OK;
    size_t skip_bytes = (size_t)p->n_blocks * SKIP_BYTES;
    if (n_docs == 0 || len < skip_bytes) {
        corrupt(p);
        return HQ_ECORRUPT;
    }
    p->skips = data;
    p->data = data + skip_bytes;
    p->data_len = len - skip_bytes;
    p->pos = pos;
    p->pos_len = pos_len;
    p->block = UINT32_MAX; /* nothing decoded yet */
    return HQ_OK;
}

uint32_t hq_postings_next_block(hq_postings *p)
{
    if (p->rc != HQ_OK || p->doc == HQ_DOC_END)
        return HQ_DOC_END;
    if (p->block != UINT32_MAX && p->i + 1 < p->n) {
        p->i++;
        return p->doc = p->docs[p->i];
    }
    uint32_t b = p->block == UINT32_MAX ? 0 : p->block + 1;
    if (b >= p->n_blocks) {
        p->block = p->n_blocks;
        return p->doc = HQ_DOC_END;
    }
    if (!decode_block(p, b))
        return corrupt(p);
    return p->doc = p->docs[0];
}

uint32_t hq_postings_block_of(const hq_postings *p, uint32_t target)
{
    uint32_t lo = p->block == UINT32_MAX ? 0 : p->block, hi = p->n_blocks;
    while (lo < hi) { /* first block whose last_doc >= target */
        uint32_t mid = lo + (hi - lo) / 2;
        if (hq_get_u32(p->skips + (size_t)mid * SKIP_BYTES) < target)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

uint32_t hq_postings_block_last(const hq_postings *p, uint32_t b)
{
    return hq_get_u32(p->skips + (size_t)b * SKIP_BYTES);
}

uint32_t hq_postings_block_at(const hq_postings *p, uint32_t target)
{
    uint32_t lo = 0, hi = p->n_blocks;
    while (lo < hi) { /* first block whose last_doc >= target */
        uint32_t mid = lo + (hi - lo) / 2;
        if (hq_postings_block_last(p, mid) < target)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

uint32_t hq_postings_seek_far(hq_postings *p, uint32_t target)
{
    if (p->rc != HQ_OK)
        return HQ_DOC_END;
    uint32_t b = p->block;
    bool here = b < p->n_blocks && target <= p->docs[p->n - 1] &&
                (b == 0 || target > hq_postings_block_last(p, b - 1));
    uint32_t lo = 0, hi;
    if (here) {
        uint32_t i = p->i;
        if (p->docs[i] >= target) {
            if (i == 0 || p->docs[i - 1] < target)
                return p->doc = p->docs[i]; /* already there */
            hi = i;
        } else { /* forwards, past the documents hq_postings_seek walked */
            lo = i + 1 + HQ_SEEK_STEPS < p->n ? i + 1 + HQ_SEEK_STEPS : p->n - 1;
            hi = p->n - 1;
        }
    } else {
        b = hq_postings_block_at(p, target);
        if (b >= p->n_blocks) {
            p->block = p->n_blocks;
            return p->doc = HQ_DOC_END;
        }
        if (!decode_block(p, b))
            return corrupt(p);
        if (p->docs[p->n - 1] < target) /* the skip entry promised a document >= target */
            return corrupt(p);
        hi = p->n - 1;
    }
    while (lo < hi) { /* the first document >= target in docs[lo..hi] (docs[hi] is) */
        uint32_t mid = lo + (hi - lo) / 2;
        if (p->docs[mid] < target)
            lo = mid + 1;
        else
            hi = mid;
    }
    p->i = lo;
    return p->doc = p->docs[lo];
}

uint32_t hq_postings_advance(hq_postings *p, uint32_t target)
{
    if (p->rc != HQ_OK || p->doc == HQ_DOC_END)
        return HQ_DOC_END;
    if (p->block != UINT32_MAX && p->doc >= target)
        return p->doc;
    uint32_t b = hq_postings_block_of(p, target);
    if (b >= p->n_blocks) {
        p->block = p->n_blocks;
        return p->doc = HQ_DOC_END;
    }
    if (b != p->block && !decode_block(p, b))
        return corrupt(p);
    uint32_t i = p->i;
    while (i < p->n && p->docs[i] < target)
        i++;
    if (i == p->n) /* the skip entry promised a document >= target */
        return corrupt(p);
    p->i = i;
    return p->doc = p->docs[i];
}

/* Finds where each document's positions start in the current block. */
static bool locate_positions(hq_postings *p)
{
    uint32_t at = p->i;
    bool ok = true;
    hq_skip sk;
    hq_postings_skip(p, p->block, &sk);
    size_t off = sk.pos_off;
    for (uint32_t i = 0; i <= p->n; i++) {
        p->pos_start[i] = (uint32_t)off;
        if (i == p->n)
            break;
        p->i = i;
        const uint32_t *tf = hq_postings_tf(p);
        uint32_t count = tf[0] + tf[1] + tf[2];
        for (uint32_t k = 0; k < count; k++) {
            while (off < p->pos_len && (p->pos[off] & 0x80))
                off++;
            if (off >= p->pos_len)
                ok = false;
            off++;
        }
    }
    p->i = at;
    p->pos_ready = ok;
    return ok;
}

uint32_t hq_postings_positions(hq_postings *p, int field, uint32_t *out, uint32_t max)
{
    if (p->rc != HQ_OK || p->doc == HQ_DOC_END || field < 0 || field >= HQ_NFIELDS)
        return 0;
    if (!p->pos_ready && (p->block == UINT32_MAX || !locate_positions(p))) {
        corrupt(p);
        return 0;
    }
    size_t off = p->pos_start[p->i];
    size_t end = p->pos_start[p->i + 1];
    const uint32_t *tfs = hq_postings_tf(p);
    for (int f = 0; f < field; f++) /* skip the earlier fields' positions */
        for (uint32_t k = 0; k < tfs[f]; k++) {
            uint64_t v;
            size_t n = hq_get_varint(p->pos + off, end - off, &v);
            if (n == 0) {
                corrupt(p);
                return 0;
            }
            off += n;
        }
    uint32_t tf = tfs[field], pos = 0;
    for (uint32_t k = 0; k < tf; k++) {
        uint64_t v;
        size_t n = hq_get_varint(p->pos + off, end - off, &v);
        if (n == 0 || v > UINT32_MAX - pos) {
            corrupt(p);
            return 0;
        }
        off += n;
        pos += (uint32_t)v;
        if (k < max)
            out[k] = pos;
    }
    return tf;
}

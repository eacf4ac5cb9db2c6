/*
 * memindex.c — the inverted index of a segment under construction: its
 * terms numbered by its dictionary (an hq_intern), a record per term
 * (hq_memterm, in an arena: they never move) found by id, whose postings
 * grow as documents are added in order.  The builder's analyzers number
 * the terms each in a dictionary of its own, and a batch's runs are
 * appended through that analyzer's hq_idmap: an id is looked up by its
 * string once, the first time the memindex meets it, and by the map
 * after that.
 *
 * Positions of a term in a document are appended to the term's varint
 * stream as postings.c describes: per field, in field order, as deltas
 * from the previous position of the same field (the first from 0).
 */
#include "index.h"

#include <stdlib.h>
#include <string.h>

/* The terms' postings and positions buffers (hq_memterm.post, .pos) live
 * in a pool, not in malloc: a buffer holds a power of two of bytes, from
 * POOL_MIN on; when it outgrows its block it moves to one twice as large,
 * and the old block goes onto the free list of its size, for the next
 * buffer that grows to that size.  Blocks up to POOL_MAX are carved from
 * slabs of SLAB bytes; larger ones (the few terms of most documents) are
 * malloc'd on their own and listed in big.  So growing a buffer calls no
 * allocator, and freeing the memindex frees a few dozen slabs rather than
 * two blocks a term: with 33,000 terms that free took ~10 ms of a MedQuAD
 * rebuild, on the one thread left at its end. */
#define POOL_MIN_SHIFT 4 /* 16 bytes */
#define POOL_MAX_SHIFT 16 /* 64 KiB */
#define POOL_MIN ((size_t)1 << POOL_MIN_SHIFT)
#define POOL_MAX ((size_t)1 << POOL_MAX_SHIFT)
#define SLAB ((size_t)1 << 20)

typedef struct pool {
    void *free[POOL_MAX_SHIFT + 1]; /* by log2 of the size; linked through their first bytes */
    unsigned char *at;              /* the current slab's unused end, left bytes of it */
    size_t left;
    void **slabs;
    size_t n_slabs, cap_slabs;
    hq_stream **big; /* the streams whose block is malloc'd (> POOL_MAX) */
    size_t n_big, cap_big;
} pool;

struct hq_memindex {
    hq_intern *names;    /* term bytes → id */
    hq_memterm **terms;  /* the records by id (made with their ids); they live in arena */
    size_t n_terms, cap_terms;
    hq_arena arena;
    hq_memterm **sorted; /* built on demand */
    size_t bytes;        /* the postings buffers' bytes (their capacities) */
    pool pool;
};

static void pool_give(pool *p, void *block, unsigned shift)
{
    *(void **)block = p->free[shift];
    p->free[shift] = block;
}

/* The largest shift with 1 << shift <= n (n >= POOL_MIN), at most POOL_MAX_SHIFT. */
static unsigned floor_shift(size_t n)
{
    unsigned s = (unsigned)(63 - __builtin_clzll((unsigned long long)n));
    return s > POOL_MAX_SHIFT ? POOL_MAX_SHIFT : s;
}

/* A block of 1 << shift bytes (POOL_MIN_SHIFT <= shift <= POOL_MAX_SHIFT). */
static void *pool_take(pool *p, unsigned shift)
{
    void *block = p->free[shift];
    if (block != NULL) {
        p->free[shift] = *(void **)block;
        return block;
    }
    size_t size = (size_t)1 << shift;
    if (p->left < size) {
        while (p->left >= POOL_MIN) { /* the slab's end, cut into free blocks */
            unsigned s = floor_shift(p->left);
            pool_give(p, p->at, s);
            p->at += (size_t)1 << s;
            p->left -= (size_t)1 << s;
        }
        hq_grow((void **)&p->slabs, &p->cap_slabs, p->n_slabs + 1, sizeof *p->slabs);
        p->at = p->slabs[p->n_slabs++] = hq_xmalloc(SLAB);
        p->left = SLAB;
    }
    block = p->at;
    p->at += size;
    p->left -= size;
    return block;
}

static void pool_free(pool *p)
{
    for (size_t i = 0; i < p->n_slabs; i++)
        free(p->slabs[i]);
    for (size_t i = 0; i < p->n_big; i++)
        free(p->big[i]->data);
    free(p->slabs);
    free(p->big);
    memset(p, 0, sizeof *p);
}

/* Moves b to a block of at least cap bytes (a power of two > b->cap). */
static void pool_move(hq_memindex *mi, hq_stream *b, size_t cap)
{
    if (cap > UINT32_MAX)
        abort(); /* 4 GiB of one term's postings: the budget flushes long before */
    pool *p = &mi->pool;
    char *data;
    if (b->cap > POOL_MAX) {
        data = hq_xrealloc(b->data, cap); /* big already, listed */
    } else {
        if (cap > POOL_MAX) {
            data = hq_xmalloc(cap);
            hq_grow((void **)&p->big, &p->cap_big, p->n_big + 1, sizeof *p->big);
            p->big[p->n_big++] = b;
        } else {
            data = pool_take(p, (unsigned)__builtin_ctzll((unsigned long long)cap));
        }
        if (b->data != NULL) {
            memcpy(data, b->data, b->len + 1);
            pool_give(p, b->data, (unsigned)__builtin_ctzll((unsigned long long)b->cap));
        }
    }
    mi->bytes += cap - b->cap;
    b->data = data;
    b->cap = (uint32_t)cap;
}

/* Makes room for need more bytes in b (and its NUL). */
static inline void reserve(hq_memindex *mi, hq_stream *b, size_t need)
{
    if (b->cap - b->len > need)
        return;
    size_t cap = b->cap ? (size_t)b->cap * 2 : POOL_MIN;
    while (cap - b->len <= need)
        cap *= 2;
    pool_move(mi, b, cap);
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
    mi->names = hq_intern_new();
    hq_arena_init(&mi->arena);
    return mi;
}

void hq_memindex_free(hq_memindex *mi)
{
    if (mi == NULL)
        return;
    pool_free(&mi->pool); /* every term's buffers */
    free(mi->terms);
    hq_arena_free(&mi->arena);
    free(mi->sorted);
    hq_intern_free(mi->names);
    free(mi);
}

/* The record of id, or NULL when it has none. */
static inline hq_memterm *term_of_id(const hq_memindex *mi, uint32_t id)
{
    return id < mi->n_terms ? mi->terms[id] : NULL;
}

/* The record of id, the term s[0..len) (the dictionary's string: it
 * lives as long as mi), made when id is new (the next: ids are dense,
 * and each gets its record as it is numbered). */
static hq_memterm *record(hq_memindex *mi, uint32_t id, const char *s, size_t len)
{
    if (id < mi->n_terms)
        return mi->terms[id];
    hq_grow((void **)&mi->terms, &mi->cap_terms, mi->n_terms + 1, sizeof *mi->terms);
    hq_memterm *t = hq_arena_alloc(&mi->arena, sizeof *t);
    mi->terms[mi->n_terms++] = t;
    memset(t, 0, sizeof *t);
    t->term = s;
    t->len = (uint32_t)len;
    t->last_doc = t->prev_doc = UINT32_MAX;
    free(mi->sorted);
    mi->sorted = NULL;
    return t;
}

/* The record of term[0..len) (0 < len <= HQ_MAX_TERM_BYTES), whose
 * hq_intern_tag is tag, made when there is none; *id its id. */
static hq_memterm *record_of_tagged(hq_memindex *mi, const char *term, size_t len, uint32_t tag,
                                    uint32_t *id)
{
    *id = hq_intern_id_tagged(mi->names, term, len, tag, NULL);
    size_t n;
    const char *s = hq_intern_str(mi->names, *id, &n);
    return record(mi, *id, s, n);
}

static hq_memterm *record_of(hq_memindex *mi, const char *term, size_t len, uint32_t *id)
{
    return record_of_tagged(mi, term, len, hq_intern_tag(term, len), id);
}

uint32_t hq_memindex_term(hq_memindex *mi, const char *term, size_t len)
{
    if (len == 0 || len > HQ_MAX_TERM_BYTES)
        return HQ_NO_ID;
    uint32_t id;
    record_of(mi, term, len, &id);
    return id;
}

void hq_idmap_reset(hq_idmap *m)
{
    if (m->term != NULL)
        memset(m->term, 0, m->cap * sizeof *m->term);
}

void hq_idmap_free(hq_idmap *m)
{
    free(m->term);
    m->term = NULL;
    m->cap = 0;
}

/* The record of run id in map, or NULL when the map has none yet. */
static inline hq_memterm *mapped(const hq_idmap *map, uint32_t id)
{
    return id < map->cap ? map->term[id] : NULL;
}

/* Makes room in map for id. */
static void map_room(hq_idmap *map, uint32_t id)
{
    if (id < map->cap)
        return;
    size_t old = map->cap;
    hq_grow((void **)&map->term, &map->cap, (size_t)id + 1, sizeof *map->term);
    memset(map->term + old, 0, (map->cap - old) * sizeof *map->term);
}

/* A term the map has not met: its id there, its string and tag. */
typedef struct newterm {
    uint32_t id, tag;
    const char *s;
    size_t len;
} newterm;

#define LOOKUP_GROUP 16 /* terms new to a map looked up together */

/* Maps the terms g[0..n), looked up together: each stage's prefetch for
 * them all, then the lookups (see hq_intern_prefetch). */
static void map_group(hq_memindex *mi, hq_idmap *map, const newterm *g, size_t n)
{
    for (int stage = HQ_INTERN_SLOT; stage <= HQ_INTERN_STRING; stage++)
        for (size_t k = 0; k < n; k++)
            hq_intern_prefetch(mi->names, g[k].tag, stage);
    for (size_t k = 0; k < n; k++) {
        uint32_t own;
        map->term[g[k].id] = record_of_tagged(mi, g[k].s, g[k].len, g[k].tag, &own);
    }
}

/* Maps the terms of r's runs the map has not met, LOOKUP_GROUP at a
 * time.  One by one, each lookup waited for up to three misses in turn
 * (the dictionary's slot, entry, string): ~60,000 a MedQuAD rebuild, each
 * analyzer meeting every term once, a third of the merge's CPU. */
static void map_new_terms(hq_memindex *mi, hq_idmap *map, const hq_runs *r)
{
    newterm g[LOOKUP_GROUP];
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++) {
        uint32_t id = r->runs[i].term;
        if (mapped(map, id) != NULL)
            continue;
        map_room(map, id);
        newterm *x = &g[n++];
        x->id = id;
        x->s = hq_intern_str(map->names, id, &x->len);
        x->tag = hq_intern_tag(x->s, x->len);
        if (n == LOOKUP_GROUP) {
            map_group(mi, map, g, n);
            n = 0;
        }
    }
    map_group(mi, map, g, n);
}

/* The byte of a document's fields: bit f set when field f holds the term. */
static inline unsigned char field_mask(const uint32_t *tf)
{
    unsigned m = 0;
    for (int f = 0; f < HQ_NFIELDS; f++)
        m |= (unsigned)(tf[f] != 0) << f;
    return (unsigned char)m;
}

/* Writes a document's field mask, then tf - 1 of each field it has. */
static inline void write_doc(unsigned char **p, unsigned mask, const uint32_t *tf)
{
    *(*p)++ = (unsigned char)mask;
    for (; mask != 0; mask &= mask - 1)
        write_varint(p, tf[__builtin_ctz(mask)] - 1);
}

/* Writes the pending document of t to its postings stream. */
static void finish_doc(hq_memindex *mi, hq_memterm *t)
{
    if (t->last_doc == UINT32_MAX || t->last_doc == t->prev_doc)
        return;
    reserve(mi, &t->post, 5 + 1 + 5 * HQ_NFIELDS);
    unsigned char *p = (unsigned char *)t->post.data + t->post.len;
    write_varint(&p, t->last_doc - (t->prev_doc == UINT32_MAX ? 0 : t->prev_doc + 1));
    write_doc(&p, field_mask(t->cur_tf), t->cur_tf);
    t->post.len = (uint32_t)(p - (unsigned char *)t->post.data);
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
    uint32_t id = hq_memindex_term(mi, term, len);
    if (id != HQ_NO_ID)
        hq_memindex_add_id(mi, doc, field, id, pos);
}

void hq_memindex_add_id(hq_memindex *mi, uint32_t doc, int field, uint32_t id, uint32_t pos)
{
    hq_memterm *t = term_of_id(mi, id);
    if (t == NULL || field < 0 || field >= HQ_NFIELDS)
        return;
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
    t->pos.len = (uint32_t)(p - (unsigned char *)t->pos.data);
    t->pos.data[t->pos.len] = '\0';
    t->last_pos = pos;
}

size_t hq_memindex_bytes(const hq_memindex *mi)
{
    return mi->bytes + mi->cap_terms * sizeof *mi->terms + mi->arena.used +
           hq_intern_bytes(mi->names);
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

/* A term for sorting: its first 8 bytes big-endian, zero-padded (their
 * order is the bytes' order, a prefix first), and the term.  Sorting
 * these compares most pairs without reading a term: the terms are
 * scattered in memory, and the sort is on the writing thread alone. */
typedef struct sort_key {
    uint64_t prefix;
    hq_memterm *t;
} sort_key;

static uint64_t prefix_of(const hq_memterm *t)
{
    uint64_t x = 0;
    for (uint32_t i = 0; i < 8 && i < t->len; i++)
        x |= (uint64_t)(unsigned char)t->term[i] << (56 - 8 * i);
    return x;
}

static int compare_keys(const void *x, const void *y)
{
    const sort_key *a = x, *b = y;
    if (a->prefix != b->prefix)
        return a->prefix < b->prefix ? -1 : 1;
    return compare_terms(&a->t, &b->t);
}

/* Sorts keys[0..n) as compare_keys does: by prefix with a radix sort
 * (least significant byte first; a byte every key shares costs no pass),
 * then each run of equal prefixes by the whole terms.  qsort took ~5 ms
 * of the 33,000 terms of MedQuAD, on the one thread left at the end of a
 * build. */
static void sort_keys(sort_key *keys, size_t n)
{
    size_t count[8][256] = {{0}};
    for (size_t i = 0; i < n; i++)
        for (int b = 0; b < 8; b++)
            count[b][(keys[i].prefix >> (8 * b)) & 0xFF]++;
    sort_key *from = keys, *to = hq_xmalloc((n ? n : 1) * sizeof *to);
    for (int b = 0; b < 8 && n > 0; b++) {
        if (count[b][(keys[0].prefix >> (8 * b)) & 0xFF] == n)
            continue; /* every key has this byte */
        size_t at = 0;
        for (int v = 0; v < 256; v++) {
            size_t c = count[b][v];
            count[b][v] = at;
            at += c;
        }
        for (size_t i = 0; i < n; i++)
            to[count[b][(from[i].prefix >> (8 * b)) & 0xFF]++] = from[i];
        sort_key *t = from;
        from = to;
        to = t;
    }
    if (from != keys) { /* the sorted keys are in the scratch array */
        memcpy(keys, from, n * sizeof *keys);
        to = from;
    }
    free(to);
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && keys[j].prefix == keys[i].prefix; j++)
            ;
        if (j - i > 1)
            qsort(keys + i, j - i, sizeof *keys, compare_keys);
    }
}

hq_memterm **hq_memindex_sorted(hq_memindex *mi, size_t *n_terms)
{
    if (mi->sorted == NULL) {
        sort_key *keys = hq_xmalloc((mi->n_terms ? mi->n_terms : 1) * sizeof *keys);
        for (size_t i = 0; i < mi->n_terms; i++) {
            finish_doc(mi, mi->terms[i]);
            keys[i] = (sort_key){prefix_of(mi->terms[i]), mi->terms[i]};
        }
        sort_keys(keys, mi->n_terms);
        mi->sorted = hq_xmalloc((mi->n_terms ? mi->n_terms : 1) * sizeof *mi->sorted);
        for (size_t i = 0; i < mi->n_terms; i++)
            mi->sorted[i] = keys[i].t;
        free(keys);
    }
    *n_terms = mi->n_terms;
    return mi->sorted;
}

/* ---- runs: a batch's postings, inverted apart ------------------------- */

/* Makes room for need more bytes at the end of *buf. */
static unsigned char *room(unsigned char **buf, size_t *len, size_t *cap, size_t need)
{
    if (*cap - *len < need) {
        size_t c = *cap ? *cap : 4096;
        while (c - *len < need)
            c *= 2;
        *buf = hq_xrealloc(*buf, c);
        *cap = c;
    }
    return *buf + *len;
}

/* A token of a run as inverting sorts it: its document in the batch
 * (above bit 34), field (bits 32-33) and position (the low 32 bits). */
static inline uint64_t pack_token(const hq_tokpos *t)
{
    return (uint64_t)t->doc << 34 | (uint64_t)t->field << 32 | t->pos;
}

/* Encodes the postings of one run from its n tokens (doc, field, pos
 * increasing; pack_token): as hq_memterm.post without the first
 * document's gap, and as hq_memterm.pos.  Room for the worst case is
 * made first: a token adds at most one document (gap, mask,
 * frequencies: 21 bytes) and one position (5 bytes).  The field mask is
 * kept as fields are met (it is field_mask() of the frequencies). */
static void encode_run(hq_runs *r, hq_postrun *run, const uint64_t *toks, size_t n)
{
    unsigned char *post = room(&r->post, &r->post_len, &r->post_cap, n * 21), *p = post;
    unsigned char *pos = room(&r->pos, &r->pos_len, &r->pos_cap, n * 5), *q = pos;
    uint32_t doc = (uint32_t)(toks[0] >> 34), tf[HQ_NFIELDS] = {0}, last_pos = 0;
    uint32_t field = UINT32_MAX;
    unsigned mask = 0;
    run->post_off = (uint32_t)r->post_len;
    run->pos_off = (uint32_t)r->pos_len;
    run->first = doc;
    run->n_docs = 1;
    for (size_t k = 0; k < n; k++) {
        uint32_t t_doc = (uint32_t)(toks[k] >> 34), t_field = (uint32_t)(toks[k] >> 32) & 3;
        uint32_t t_pos = (uint32_t)toks[k];
        if (t_doc != doc) { /* the document's frequencies, the next one's gap */
            write_doc(&p, mask, tf);
            write_varint(&p, t_doc - doc - 1);
            run->n_docs++;
            doc = t_doc;
            memset(tf, 0, sizeof tf);
            mask = 0;
            field = UINT32_MAX;
        }
        if (t_field != field) {
            field = t_field;
            mask |= 1u << field;
            last_pos = 0;
        }
        tf[field]++;
        write_varint(&q, t_pos - last_pos);
        last_pos = t_pos;
    }
    write_doc(&p, mask, tf);
    run->last = doc;
    run->post_len = (uint32_t)(p - post);
    run->pos_len = (uint32_t)(q - pos);
    r->post_len += run->post_len;
    r->pos_len += run->pos_len;
}

/* A counting sort of the tokens by run, runs in order of their terms'
 * first tokens, each run's tokens in text order: one pass gives each
 * token its run (s->run_of) and counts the runs' tokens (s->at), a
 * second writes each token, packed, at its run's next place (s->sorted;
 * s->at holds that place meanwhile); then each run is encoded from its
 * tokens, read in sequence.  Following linked lists instead, token to
 * token, each step waited for the load before. */
void hq_runs_build(hq_runs *r, hq_runs_scratch *s, const hq_tokpos *toks, size_t n,
                   uint32_t n_terms)
{
    r->n = r->post_len = r->pos_len = 0;
    if (n_terms > s->cap_slot) { /* term → run; HQ_NO_ID between builds */
        size_t old = s->cap_slot;
        hq_grow((void **)&s->slot, &s->cap_slot, n_terms, sizeof *s->slot);
        memset(s->slot + old, 0xFF, (s->cap_slot - old) * sizeof *s->slot);
    }
    hq_grow((void **)&s->run_of, &s->cap_run_of, n + 1, sizeof *s->run_of);
    hq_grow((void **)&s->sorted, &s->cap_sorted, n + 1, sizeof *s->sorted);
    uint32_t *run_of = s->run_of, *slot = s->slot;
    for (size_t i = 0; i < n; i++) {
        uint32_t t = toks[i].term;
        if (t >= n_terms || toks[i].field >= HQ_NFIELDS) {
            run_of[i] = HQ_NO_ID;
            continue;
        }
        uint32_t k = slot[t];
        if (k == HQ_NO_ID) {
            if (r->n == r->cap)
                hq_grow((void **)&r->runs, &r->cap, r->n + 1, sizeof *r->runs);
            if (r->n == s->cap_at)
                hq_grow((void **)&s->at, &s->cap_at, r->n + 1, sizeof *s->at);
            slot[t] = k = (uint32_t)r->n;
            r->runs[r->n++].term = t;
            s->at[k] = 0;
        }
        s->at[k]++;
        run_of[i] = k;
    }
    uint32_t *at = s->at, start = 0;
    for (size_t k = 0; k < r->n; k++) {
        uint32_t count = at[k];
        at[k] = start;
        start += count;
    }
    for (size_t i = 0; i < n; i++)
        if (run_of[i] != HQ_NO_ID)
            s->sorted[at[run_of[i]]++] = pack_token(&toks[i]);
    for (size_t k = 0, first = 0; k < r->n; k++) { /* at[k]: the end of run k's tokens */
        hq_postrun *run = &r->runs[k];
        slot[run->term] = HQ_NO_ID;
        encode_run(r, run, s->sorted + first, at[k] - first);
        first = at[k];
    }
}

void hq_runs_free(hq_runs *r)
{
    free(r->runs);
    free(r->post);
    free(r->pos);
    memset(r, 0, sizeof *r);
}

void hq_runs_scratch_free(hq_runs_scratch *s)
{
    free(s->slot);
    free(s->run_of);
    free(s->at);
    free(s->sorted);
    memset(s, 0, sizeof *s);
}

/* Appends run to term t's postings, its documents numbered from base. */
static void append_run(hq_memindex *mi, hq_memterm *t, uint32_t base, const hq_runs *r,
                       const hq_postrun *run)
{
    finish_doc(mi, t);
    uint32_t first = base + run->first;
    reserve(mi, &t->post, 5 + run->post_len);
    unsigned char *p = (unsigned char *)t->post.data + t->post.len;
    write_varint(&p, first - (t->prev_doc == UINT32_MAX ? 0 : t->prev_doc + 1));
    memcpy(p, r->post + run->post_off, run->post_len);
    t->post.len = (uint32_t)(p - (unsigned char *)t->post.data) + run->post_len;
    t->post.data[t->post.len] = '\0';
    reserve(mi, &t->pos, run->pos_len);
    memcpy(t->pos.data + t->pos.len, r->pos + run->pos_off, run->pos_len);
    t->pos.len += run->pos_len;
    t->pos.data[t->pos.len] = '\0';
    t->n_docs += run->n_docs;
    t->prev_doc = t->last_doc = base + run->last;
}

#define PREFETCH_SLOT 16  /* runs ahead whose term's slot in the map is prefetched */
#define PREFETCH_RECORD 8 /* and whose term record (the slot read by then) */
#define PREFETCH_TAILS 4  /* and whose streams' ends (the record read by then) */

/* Prefetches the record t for writing: all its lines (it is over 64
 * bytes, and the fields a run's append reads lie in more than one). */
static inline void prefetch_record(const hq_memterm *t)
{
    for (size_t at = 0; at < sizeof *t; at += 64)
        __builtin_prefetch((const char *)t + at, 1);
    __builtin_prefetch((const char *)t + sizeof *t - 1, 1);
}

/* Every run's term is in the map first (map_new_terms).  The runs'
 * slots in the map, their term records and the records' streams are
 * scattered in memory: rather than wait for each in turn, the slots of
 * the runs a few ahead are prefetched, then their records, then the ends
 * of their streams. */
void hq_memindex_append(hq_memindex *mi, hq_idmap *map, uint32_t base, const hq_runs *r)
{
    map_new_terms(mi, map, r);
    hq_memterm *const *term = map->term;
    for (size_t i = 0; i < r->n; i++) {
        if (i + PREFETCH_SLOT < r->n)
            __builtin_prefetch(&term[r->runs[i + PREFETCH_SLOT].term]);
        if (i + PREFETCH_RECORD < r->n)
            prefetch_record(term[r->runs[i + PREFETCH_RECORD].term]);
        if (i + PREFETCH_TAILS < r->n) {
            const hq_memterm *t = term[r->runs[i + PREFETCH_TAILS].term];
            if (t->post.data != NULL && t->pos.data != NULL) {
                __builtin_prefetch(t->post.data + t->post.len, 1);
                __builtin_prefetch(t->pos.data + t->pos.len, 1);
            }
        }
        append_run(mi, term[r->runs[i].term], base, r, &r->runs[i]);
    }
}

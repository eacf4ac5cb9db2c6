/*
 * analyzer.c — the analysis chain: words of the tokenizer, each turned
 * into its term by the term cache (fold → stop words → stem), with
 * positions and byte offsets of the source words.  The index calls it
 * per field at build time, the query layer per question; both use the
 * same flags so that their terms meet.
 *
 * An analyzer owns a term cache and a scratch arena.  Terms point into
 * the cache (they outlive the call) or, once the cache is full, into the
 * scratch arena, which is emptied at the next call; either way the
 * contract is "valid until the next hq_analyze()".  One per thread,
 * sharing nothing (the index builder has one per thread).
 *
 * With HQ_ANALYZE_IDS each token also gets its term's number in the
 * analyzer's dictionary (an hq_intern, which other threads may read:
 * hq_analyzer_ids): a cached word keeps the id of its stem in its term
 * cache entry, so a repeated word costs no second hash.  The
 * index builder inverts tokens by these ids, and gets them from
 * hq_analyze_ids(): the same chain in one pass per word (scan, lookup,
 * token), with no arrays of words, terms or tokens between.
 */
#include "scan.h"

#include <stdlib.h>
#include <string.h>

#define BATCH 256 /* words asked of the tokenizer at a time */

/* What hq_analyze_ids needs of the most frequent words, in front of the
 * term cache: a direct-mapped table, by the scan's hash, of ASCII words
 * of under 16 bytes (their key words: hq_word.key_last, after the first 8
 * bytes when there are 8 or more), each with its outcome: no token (a
 * stop word, or nothing), or its term id.  A hit reads one slot of a
 * table small enough to stay in cache (192 KiB), where the term cache
 * (megabytes) costs two dependent misses, its slot then its entry: that
 * lookup was a sixth of a build's CPU.  Filled from term cache hits,
 * emptied with the ids. */
#define HOT_SLOTS 8192 /* a power of two */
#define HOT_MAX_LEN 15
#define HOT_NONE 0x100u /* hot.len_none: the word gives no token */

typedef struct hot {
    uint64_t key[2];   /* the word's bytes, zero-padded */
    uint32_t len_none; /* its length (0: an empty slot), | HOT_NONE */
    uint32_t id;       /* its term id, unless HOT_NONE */
} hot;

/* A word of ASCII letters that missed the hot table is not looked up in
 * the term cache at once: its token is written with no term yet, its
 * cache slot prefetched, and it waits with the next ones, up to PENDING;
 * then their entries are prefetched, and they are looked up together
 * (resolve_pending).  One at a time, each waited for two dependent cache
 * misses (its slot, then its entry): the words missing the hot table
 * (one in ten) cost a fifth of the analyzer's time. */
#define PENDING 32

typedef struct pending {
    hq_word w;
    size_t k;       /* its token in the output */
    hot *h;         /* its slot in the hot table; NULL: too long for one */
    uint64_t key[2];
} pending;

struct hq_analyzer {
    hq_termcache *cache;
    hq_intern *ids; /* the terms numbered for HQ_ANALYZE_IDS; NULL until then */
    hq_arena scratch; /* terms the cache could not keep, for one call */
    size_t max_tokens; /* emit() gives no token once out holds this many */
    hq_tokens one;     /* hq_analyze_ids: the tokens of one word off its common path */
    hot *hot;          /* hq_analyze_ids: HOT_SLOTS, NULL until then */
    pending pend[PENDING]; /* hq_analyze_ids: words waiting for their terms */
    size_t n_pend;
    hq_word words[BATCH];
    hq_term *terms[BATCH]; /* the words' terms, hq_termcache_get_words */
};

hq_analyzer *hq_analyzer_new(void)
{
    hq_analyzer *a = hq_xmalloc(sizeof *a);
    a->cache = hq_termcache_new();
    a->ids = NULL;
    hq_arena_init(&a->scratch);
    a->max_tokens = HQ_TEXT_MAX_TOKENS;
    a->one = (hq_tokens){0};
    a->hot = NULL;
    return a;
}

void hq_analyzer_free(hq_analyzer *a)
{
    if (a == NULL)
        return;
    hq_termcache_free(a->cache);
    hq_intern_free(a->ids);
    hq_arena_free(&a->scratch);
    hq_tokens_free(&a->one);
    free(a->hot);
    free(a);
}

void hq_analyzer_cache_limit(hq_analyzer *a, size_t max)
{
    hq_termcache_limit(a->cache, max);
}

void hq_tokens_free(hq_tokens *t)
{
    if (t == NULL)
        return;
    free(t->items);
    t->items = NULL;
    t->n = t->cap = 0;
}

/* The id of cached term t (not a stop word), numbered at its first use. */
static inline uint32_t term_id(hq_analyzer *a, hq_term *t)
{
    if (t->id == HQ_NO_ID)
        t->id = hq_intern_id(a->ids, t->stem, t->stem_len, NULL);
    return t->id;
}

/* The token of term t (as the term cache gives it) for the source word
 * text[start..end), at pos: none for a word that yields nothing or a
 * stop word (unless kept). */
static inline __attribute__((always_inline)) void emit_term(hq_analyzer *a, hq_term *t,
                                                           size_t start, size_t end,
                                                           uint32_t pos, unsigned flags,
                                                           hq_tokens *out)
{
    if (t->folded == NULL || (t->stop && !(flags & HQ_ANALYZE_KEEP_STOPWORDS)))
        return;
    const char *term = t->stem;
    uint32_t term_len = t->stem_len;
    uint32_t id = HQ_NO_ID;
    if (flags & HQ_ANALYZE_NO_STEM) {
        term = t->folded;
        term_len = t->folded_len;
        if (flags & HQ_ANALYZE_IDS) /* the entry's id is its stem's */
            id = hq_intern_id(a->ids, term, term_len, NULL);
    } else if (flags & HQ_ANALYZE_IDS) {
        id = term_id(a, t); /* kept in t when t is cached */
    }
    if (!t->cached)
        term = hq_arena_strndup(&a->scratch, term, term_len);
    if (out->n == out->cap)
        hq_grow((void **)&out->items, &out->cap, out->n + 1, sizeof *out->items);
    out->items[out->n++] = (hq_token){.term = term,
                                      .len = term_len,
                                      .id = id,
                                      .pos = pos,
                                      .start = (uint32_t)start,
                                      .end = (uint32_t)end};
}

/* One word, text[start..end) of text[0..len), into at most one token at
 * pos.  fold_opts: HQ_FOLD_*. */
static void emit(hq_analyzer *a, const char *text, size_t len, size_t start, size_t end,
                 uint32_t pos, unsigned fold_opts, unsigned flags, hq_tokens *out)
{
    if (out->n >= a->max_tokens)
        return;
    hq_term *t = hq_termcache_get(a->cache, text + start, end - start, len - start, fold_opts);
    emit_term(a, t, start, end, pos, flags, out);
}

/* A compound: the whole word at pos, then its parts at pos, pos+1, ...
 * Returns the position after the last part. */
static uint32_t emit_compound(hq_analyzer *a, const char *text, size_t len, const hq_word *w,
                              uint32_t pos, unsigned flags, hq_tokens *out)
{
    emit(a, text, len, w->start, w->end, pos, 0, flags, out);
    size_t at = w->start, n;
    hq_word parts[16];
    while ((n = hq_tokenize(text, w->end, &at, HQ_TOKENIZE_SPLIT_HYPHENS, parts, 16)) > 0)
        for (size_t i = 0; i < n; i++)
            emit(a, text, len, parts[i].start, parts[i].end, pos++, 0, flags, out);
    return pos;
}

/* A CJK run: overlapping bigrams, or the lone character.  Marks (kana
 * voicing) are kept.  Returns the position after the last token. */
static uint32_t emit_cjk(hq_analyzer *a, const char *text, size_t len, const hq_word *w,
                         uint32_t pos, unsigned flags, hq_tokens *out)
{
    size_t u0 = w->start, u1 = hq_cjk_next(text, w->end, u0);
    if (u1 >= w->end) {
        emit(a, text, len, u0, w->end, pos, HQ_FOLD_KEEP_MARKS, flags, out);
        return pos + 1;
    }
    while (u1 < w->end) {
        size_t u2 = hq_cjk_next(text, w->end, u1);
        emit(a, text, len, u0, u2, pos++, HQ_FOLD_KEEP_MARKS, flags, out);
        u0 = u1;
        u1 = u2;
    }
    return pos;
}

/* One word w of text[0..len), at pos, into out; t: its term from the
 * cache, or NULL to look it up here (a CJK run and a compound are
 * analysed part by part).  Returns the position after it. */
static inline __attribute__((always_inline)) uint32_t analyze_word(hq_analyzer *a,
                                                                   const char *text, size_t len,
                                                                   const hq_word *w, hq_term *t,
                                                                   uint32_t pos, unsigned flags,
                                                                   hq_tokens *out)
{
    if (w->flags & HQ_WORD_CJK)
        return emit_cjk(a, text, len, w, pos, flags, out);
    if (w->flags & HQ_WORD_HYPHEN)
        return emit_compound(a, text, len, w, pos, flags, out);
    if (t != NULL)
        emit_term(a, t, w->start, w->end, pos, flags, out);
    else
        emit(a, text, len, w->start, w->end, pos, 0, flags, out);
    return pos + 1;
}

/* The words of text[0..len) into out (hq_analyze without its checks). */
static void analyze_words(hq_analyzer *a, const char *text, size_t len, unsigned flags,
                          hq_tokens *out)
{
    size_t at = 0, n;
    uint32_t pos = 0;
    hq_word *words = a->words;
    hq_term **terms = a->terms;
    while (out->n < HQ_TEXT_MAX_TOKENS && (n = hq_tokenize(text, len, &at, 0, words, BATCH)) > 0) {
        /* The batch's plain words are looked up together; the cache gives
         * up before a word it cannot keep, which goes alone (emit). */
        for (size_t i = 0; i < n && out->n < HQ_TEXT_MAX_TOKENS;) {
            size_t done = i + hq_termcache_get_words(a->cache, text, len, words + i, n - i,
                                                     terms + i);
            for (; i < done && out->n < HQ_TEXT_MAX_TOKENS; i++)
                pos = analyze_word(a, text, len, &words[i], terms[i], pos, flags, out);
            if (i < done)
                break; /* out is full */
            if (i < n) { /* the cache is full */
                emit(a, text, len, words[i].start, words[i].end, pos++, 0, flags, out);
                i++;
            }
        }
    }
}

/* What every call starts with: the previous call's scratch terms freed,
 * the dictionary made when ids are wanted; returns len within the input
 * limit. */
static size_t begin_call(hq_analyzer *a, bool ids, size_t len)
{
    if (a->scratch.used > 0)
        hq_arena_free(&a->scratch);
    if (ids && a->ids == NULL)
        a->ids = hq_intern_new();
    a->max_tokens = HQ_TEXT_MAX_TOKENS;
    return len > HQ_TEXT_MAX_INPUT ? HQ_TEXT_MAX_INPUT : len;
}

void hq_analyze(hq_analyzer *a, const char *text, size_t len, unsigned flags, hq_tokens *out)
{
    out->n = 0;
    len = begin_call(a, flags & HQ_ANALYZE_IDS, len);
    if (text != NULL)
        analyze_words(a, text, len, flags, out);
}

/* The term id of the pending word p of text[0..len) (HQ_NO_ID: it gives
 * no token), from the term cache, or analysed when the cache has none;
 * the outcome goes to its hot slot. */
static uint32_t resolve_one(hq_analyzer *a, const char *text, size_t len, const pending *p)
{
    size_t wlen = p->w.end - p->w.start;
    uint32_t id = HQ_NO_ID;
    hq_term *t = hq_termcache_find_hashed(a->cache, text, &p->w, wlen);
    if (t != NULL) { /* as emit_term() with HQ_ANALYZE_IDS */
        if (t->folded != NULL && !t->stop)
            id = term_id(a, t);
    } else { /* a word of letters gives one token or none */
        a->one.n = 0;
        a->max_tokens = 1;
        analyze_word(a, text, len, &p->w, NULL, 0, HQ_ANALYZE_IDS, &a->one);
        if (a->one.n == 1)
            id = a->one.items[0].id;
    }
    if (p->h != NULL)
        *p->h = (hot){{p->key[0], p->key[1]}, (uint32_t)wlen | (id == HQ_NO_ID ? HOT_NONE : 0),
                      id};
    return id;
}

/* Gives the pending words' tokens (in out, from out[pend[0].k] on, among
 * others) their terms, dropping those of words that give none; *k, the
 * end of out, moves back by as many. */
static void resolve_pending(hq_analyzer *a, const char *text, size_t len, hq_termpos *out,
                            size_t *k)
{
    for (size_t i = 0; i < a->n_pend; i++)
        hq_termcache_prefetch_entry(a->cache, a->pend[i].w.key_hash,
                                    a->pend[i].w.end - a->pend[i].w.start);
    size_t dropped = 0;
    for (size_t i = 0; i < a->n_pend; i++) {
        uint32_t id = resolve_one(a, text, len, &a->pend[i]);
        out[a->pend[i].k].term = id;
        dropped += id == HQ_NO_ID;
    }
    if (dropped > 0) {
        size_t to = a->pend[0].k;
        for (size_t from = to; from < *k; from++)
            if (out[from].term != HQ_NO_ID)
                out[to++] = out[from];
        *k = to;
    }
    a->n_pend = 0;
}

/* Where hq_analyze_ids writes its tokens: out[0..k) written, room
 * allocated, up to limit; a token {term, doc, pos, field} is stored as
 * two 8-byte halves, the caller's document and field already shifted
 * into theirs. */
typedef struct sink {
    hq_termpos *out;
    size_t k, room, limit;
    uint64_t doc_hi, field_hi; /* doc << 32, field << 32 */
    uint32_t base;
} sink;

/* Stores the token {id, doc, base_pos, field} at *q as its two halves
 * (doc_hi, field_hi: see sink). */
static inline __attribute__((always_inline)) void store_token(hq_termpos *q, uint32_t id,
                                                              uint32_t base_pos, uint64_t doc_hi,
                                                              uint64_t field_hi)
{
    uint64_t half[2] = {id | doc_hi, base_pos | field_hi};
    memcpy(q, half, sizeof half);
}

/* Writes {id, doc, base + pos, field} at o->out[o->k], room made first;
 * o->k is the caller's to move. */
static inline __attribute__((always_inline)) void put_token(sink *o, uint32_t id, uint32_t pos)
{
    if (o->k == o->room)
        hq_grow((void **)&o->out, &o->room, o->k + 1, sizeof *o->out);
    store_token(&o->out[o->k], id, o->base + pos, o->doc_hi, o->field_hi);
}

/* A hashed word's token written with no term yet, the word pending (see
 * PENDING); h: its hot slot, or NULL when it is too long for one. */
static inline __attribute__((always_inline)) void defer(hq_analyzer *a, const char *text,
                                                        size_t len, const hq_word *w, hot *h,
                                                        const uint64_t *key, uint32_t pos,
                                                        sink *o)
{
    pending *p = &a->pend[a->n_pend];
    p->w = *w;
    p->h = h;
    p->key[0] = key[0];
    p->key[1] = key[1];
    hq_termcache_prefetch_slot(a->cache, w->key_hash);
    put_token(o, HQ_NO_ID, pos);
    p->k = o->k++;
    if (++a->n_pend == PENDING)
        resolve_pending(a, text, len, o->out, &o->k);
}

/* A word off the common path (not ASCII letters alone, or too long for
 * the hot table), at pos: its tokens into o.  Returns the position after
 * it.  Out of line, so that the common path keeps its values in
 * registers. */
static __attribute__((noinline)) uint32_t other_word(hq_analyzer *a, const char *text,
                                                     size_t len, const hq_word *w, uint32_t pos,
                                                     sink *o)
{
    size_t wlen = w->end - w->start;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if ((w->flags & HQ_WORD_HASHED) && wlen <= HQ_TEXT_MAX_WORD) {
        static const uint64_t no_key[2] = {0, 0};
        defer(a, text, len, w, NULL, no_key, pos, o);
        return pos + 1;
    }
#endif
    /* a word gives fewer tokens than its bytes: the limit binds only then,
     * and must count just the pending words that give one */
    if (a->n_pend > 0 && o->limit - o->k <= wlen)
        resolve_pending(a, text, len, o->out, &o->k);
    a->one.n = 0;
    a->max_tokens = o->limit - o->k;
    pos = analyze_word(a, text, len, w, NULL, pos, HQ_ANALYZE_IDS, &a->one);
    for (size_t i = 0; i < a->one.n; i++) {
        put_token(o, a->one.items[i].id, a->one.items[i].pos);
        o->k++;
    }
    return pos;
}

/* Where hot_words stopped. */
enum { RUN_END, RUN_FULL, RUN_WORD };

/* A word hot_words scanned and did not write: its hot slot and key when
 * it is one for the hot table (h NULL otherwise). */
typedef struct next_word {
    hq_word w;
    hot *h;
    uint64_t key[2];
} next_word;

/* The common path: writes the tokens of the words from text[*at] on
 * that the hot table holds, at out[*k..], positions from *pos on, until
 * the end of the text (RUN_END), *k reaching stop (RUN_FULL: nothing
 * more read), or a word the table does not give (RUN_WORD: that word in
 * *nw, its position *pos, *at past it).  Its loop calls nothing (the
 * caller makes the room), so that its values can stay in registers. */
static int hot_words(hot *table, const char *text, size_t len, size_t *at, uint32_t *pos,
                     hq_termpos *out, size_t *k, size_t stop, uint64_t doc_hi,
                     uint64_t field_hi, uint32_t base, next_word *nw)
{
    /* as few values as the loop can keep in registers: the next token's
     * place and the end of the room, the next position plus base */
    size_t i = *at;
    hq_termpos *q = out + *k, *q_end = out + stop;
    uint32_t bp = base + *pos;
    hq_word w; /* copied out only when given back */
    int why = RUN_WORD;
    for (;;) {
        if (q >= q_end) {
            why = RUN_FULL;
            break;
        }
        if (!hq_next_word(text, len, &i, 0, &w)) {
            why = RUN_END;
            break;
        }
        size_t wlen = w.end - w.start;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        if (!(w.flags & HQ_WORD_HASHED) || wlen > HOT_MAX_LEN) {
            *nw = (next_word){.w = w};
            break;
        }
        uint64_t key[2] = {w.key_last, 0};
        if (wlen >= 8) {
            memcpy(&key[0], text + w.start, 8);
            key[1] = w.key_last;
        }
        hot *h = &table[w.key_hash & (HOT_SLOTS - 1)];
        if (h->key[0] != key[0] || h->key[1] != key[1] || (h->len_none & 0xFF) != wlen) {
            *nw = (next_word){w, h, {key[0], key[1]}};
            break;
        }
        /* written either way, kept unless a stop word: whether a word is
         * one follows no pattern a branch could learn */
        store_token(q, h->id, bp, doc_hi, field_hi);
        q += !(h->len_none & HOT_NONE);
        bp++;
#else
        *nw = (next_word){.w = w};
        break;
#endif
    }
    *at = i;
    *k = (size_t)(q - out);
    *pos = bp - base;
    return why;
}

/* Words hot_words gives back: a word of ASCII letters that the hot table
 * does not hold, with its term to come (see PENDING); any other word
 * through analyze_word() into a->one, then copied out (other_word). */
uint32_t hq_analyze_ids(hq_analyzer *a, const char *text, size_t len, uint32_t doc,
                        uint32_t field, uint32_t base, hq_termpos **items, size_t *n,
                        size_t *cap)
{
    len = begin_call(a, true, len);
    if (a->hot == NULL)
        a->hot = hq_xcalloc_eager(HOT_SLOTS, sizeof *a->hot);
    if (text == NULL)
        return 0;
    sink o = {*items, *n, *cap, *n + HQ_TEXT_MAX_TOKENS, (uint64_t)doc << 32,
              (uint64_t)field << 32, base};
    size_t first = o.k, at = 0;
    uint32_t pos = 0;
    next_word nw;
    a->n_pend = 0;
    for (;;) {
        if (o.k >= o.limit) {
            if (a->n_pend > 0) /* some of them may give no token */
                resolve_pending(a, text, len, o.out, &o.k);
            if (o.k >= o.limit)
                break;
        }
        if (o.k == o.room)
            hq_grow((void **)&o.out, &o.room, o.k + 1, sizeof *o.out);
        int why = hot_words(a->hot, text, len, &at, &pos, o.out, &o.k,
                            o.room < o.limit ? o.room : o.limit, o.doc_hi, o.field_hi, base, &nw);
        if (why == RUN_END)
            break;
        if (why == RUN_FULL)
            continue;
        if (nw.h != NULL)
            defer(a, text, len, &nw.w, nw.h, nw.key, pos++, &o);
        else
            pos = other_word(a, text, len, &nw.w, pos, &o);
    }
    if (a->n_pend > 0)
        resolve_pending(a, text, len, o.out, &o.k);
    a->max_tokens = HQ_TEXT_MAX_TOKENS;
    *items = o.out;
    *n = o.k;
    *cap = o.room;
    return o.k > first ? o.out[o.k - 1].pos - base + 1 : 0; /* positions never decrease */
}

size_t hq_analyzer_n_ids(const hq_analyzer *a)
{
    return a->ids ? hq_intern_size(a->ids) : 0;
}

const char *hq_analyzer_term(const hq_analyzer *a, uint32_t id, size_t *len)
{
    return hq_intern_str(a->ids, id, len);
}

void hq_analyzer_clear_ids(hq_analyzer *a)
{
    if (a->ids == NULL)
        return;
    hq_intern_clear(a->ids);
    hq_termcache_clear_ids(a->cache); /* the ids its words and hot words keep */
    if (a->hot != NULL)
        memset(a->hot, 0, HOT_SLOTS * sizeof *a->hot);
}

const hq_intern *hq_analyzer_ids(hq_analyzer *a)
{
    if (a->ids == NULL)
        a->ids = hq_intern_new();
    return a->ids;
}

const char *hq_analyzer_stem(hq_analyzer *a, const char *word, size_t len, size_t *out_len)
{
    const hq_term *t = hq_termcache_get(a->cache, word, len, len, 0);
    *out_len = t->stem_len;
    return t->stem;
}

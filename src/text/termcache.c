/*
 * termcache.c — the memo of the analysis of one word: the word as
 * written → its folded form, its stem and whether it is a stop word.
 * The analyzer owns one and asks it once per word of the text; only a
 * word it has not seen is folded (normalize.c), looked up in the stop
 * list (stopwords.c) and stemmed (stemmer.c).  Not thread-safe.
 *
 * Why keyed by the word as written: most words of the corpus are seen
 * thousands of times, and this way a repeat costs one hash and one
 * probe, without folding.  "Fever" and "fever" are two entries with the
 * same stem; that costs a little memory, never a different result.
 *
 * Layout: an open-addressing table (linear probing, at most two thirds
 * full: half full cost each of the index builder's caches 1 MiB more,
 * its ~40,000 words past 32,768) of 16-byte slots {entry, and in one
 * word compared at once: the 32-bit tag of the hash, key length, fold
 * options}, a key's probe starting at
 * the low bits of its tag (hq_slot_home: growing the table places the
 * slots again without reading an entry); an entry, in the cache's
 * arena, is the hq_term handed out followed by its strings:
 *     key, zero-padded to a multiple of 8 bytes (at least one zero)
 *     folded form + NUL   (absent when it equals the key)
 *     stem + NUL          (absent when it equals the folded form)
 * so a hit reads one slot and one entry, and returns the entry's term
 * as it is.  Keys are hashed and compared 8 bytes at a time; where the
 * text allows, the word is read in place, 8 bytes at a time, with the
 * bytes past its end masked off.  At most HQ_TERM_CACHE_MAX words and
 * HQ_TERM_CACHE_BYTES of entries are kept; after that new words are
 * computed into a temporary each time, so memory stays bounded whatever
 * the input.
 *
 * One cache per thread: the index builder's analyzers, one per thread,
 * once shared one table, so that each word was folded and stemmed once
 * in all; the lock each new word took and the lines moved between cores
 * cost more than folding and stemming it again (see builder.c).
 */
#include "scan.h"

#include <stdlib.h>

#define INITIAL_SLOTS 4096 /* a power of two */

static slots *new_slots(size_t n)
{
    slots *t = hq_xcalloc_eager(1, sizeof *t + n * sizeof *t->s);
    t->mask = n - 1;
    return t;
}

hq_termcache *hq_termcache_new(void)
{
    hq_termcache *c = hq_xcalloc(1, sizeof *c);
    c->tab.cur = new_slots(INITIAL_SLOTS);
    c->tab.max = HQ_TERM_CACHE_MAX;
    hq_arena_init(&c->tab.arena);
    c->stemmer = hq_stemmer_new();
    c->dropped = (hq_term){.cached = true, .id = HQ_NO_ID};
    return c;
}

void hq_termcache_free(hq_termcache *c)
{
    if (c == NULL)
        return;
    hq_stemmer_free(c->stemmer);
    free(c->tab.cur);
    hq_arena_free(&c->tab.arena);
    free(c);
}

size_t hq_termcache_size(const hq_termcache *c)
{
    return c->tab.n;
}

void hq_termcache_limit(hq_termcache *c, size_t max)
{
    c->tab.max = max < HQ_TERM_CACHE_MAX ? max : HQ_TERM_CACHE_MAX;
}

/* The hash of a padded key: hq_key_step() over its 8-byte words, then
 * hq_key_end() (text.h), which the tokenizer computes while it scans a
 * word (hq_word.key_hash).  Not hq_hash64(): FNV-1a multiplies once per
 * byte, and that chain of multiplications was a tenth of the analyzer's
 * time. */

/* The hash of a key already padded in k. */
static uint64_t hash_key(const uint64_t *k, size_t len, unsigned opts)
{
    uint64_t h = HQ_KEY_SEED;
    for (size_t i = 0; i < KEY_WORDS(len); i++)
        h = hq_key_step(h, k[i]);
    return hq_key_end(h, len, opts);
}

/* Loads word[0..len) into k[] zero-padded, and returns its hash.
 * readable: how many bytes may be read from word on. */
static inline uint64_t load_key(uint64_t *k, const char *word, size_t len, size_t readable,
                                unsigned opts)
{
    size_t n = KEY_WORDS(len);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (readable >= n * 8) { /* in place; the first byte in memory is the lowest */
        uint64_t h = HQ_KEY_SEED;
        /* (hashing in this loop also keeps it from becoming a slow rep movs) */
        for (size_t i = 0; i < n; i++) {
            uint64_t x;
            memcpy(&x, word + 8 * i, 8);
            if (i == n - 1)
                x &= (1ULL << (8 * (len % 8))) - 1; /* the word's bytes only */
            k[i] = x;
            h = hq_key_step(h, x);
        }
        return hq_key_end(h, len, opts);
    }
#else
    (void)readable;
#endif
    k[n - 1] = 0;
    memcpy(k, word, len);
    return hash_key(k, len, opts);
}

static inline bool same_key(const uint64_t *a, const uint64_t *b, size_t len)
{
    for (size_t i = 0; i < KEY_WORDS(len); i++)
        if (a[i] != b[i])
            return false;
    return true;
}

/* Doubles tb's table: every slot placed again in a new one. */
static void grow(termtab *tb)
{
    slots *o = tb->cur, *t = new_slots((o->mask + 1) * 2);
    for (size_t i = 0; i <= o->mask; i++) {
        const slot *sl = &o->s[i];
        if (sl->e == NULL)
            continue;
        /* placed by its tag: no entry read */
        size_t j = hq_slot_home(HQ_SLOT_TAG_HASH(sl->meta), t->mask);
        while (t->s[j].e != NULL)
            j = (j + 1) & t->mask;
        t->s[j] = *sl;
    }
    free(o);
    tb->cur = t;
}

/* The slot of t of the word whose padded key is k (len bytes, folded
 * with opts, hash h): the slot holding it, *e its entry, or the empty
 * one where it goes, *e NULL. */
static size_t probe(const slots *t, const uint64_t *k, uint64_t h, size_t len, unsigned opts,
                    entry **e)
{
    uint64_t meta = hq_slot_meta(h, len, opts);
    size_t i = hq_slot_home(h, t->mask);
    for (; (*e = t->s[i].e) != NULL; i = (i + 1) & t->mask)
        if (t->s[i].meta == meta && same_key((*e)->key, k, len))
            break;
    return i;
}

/* The entry of the word whose padded key is k in tb's table, or NULL. */
static entry *find(const termtab *tb, const uint64_t *k, uint64_t h, size_t len, unsigned opts)
{
    entry *e;
    probe(tb->cur, k, h, len, opts, &e);
    return e;
}

/* The cached entry of folded[0..len) as written, folded with opts,
 * when it folds to itself; NULL otherwise. */
static const hq_term *find_folded(const hq_termcache *c, const char *folded, size_t len,
                                  unsigned opts)
{
    if (len == 0 || len > HQ_TEXT_MAX_WORD)
        return NULL;
    uint64_t k[KEY_WORDS(HQ_TEXT_MAX_WORD)];
    uint64_t h = load_key(k, folded, len, len, opts);
    const entry *e = find(&c->tab, k, h, len, opts);
    if (e == NULL)
        return NULL;
    const hq_term *t = &e->term;
    bool folds_to_itself = t->folded != NULL && t->folded_len == len &&
                           memcmp(t->folded, folded, len) == 0;
    return folds_to_itself ? t : NULL;
}

/* Folds, stems and checks word[0..len) into c->tmp, whose strings may
 * point into the folder or the stemmer until the next call. */
static hq_term *compute(hq_termcache *c, const char *word, size_t len, unsigned opts)
{
    hq_term *t = &c->tmp;
    size_t folded_len, stem_len = 0;
    t->folded = hq_fold(&c->folder, word, len, opts, &folded_len);
    t->folded_len = (uint32_t)folded_len;
    t->id = HQ_NO_ID;
    /* A word written otherwise than its folded form ("Fever", "FEVER"):
     * when that form is cached, its stem and stop mark are this word's. */
    bool variant = t->folded != NULL && (folded_len != len || memcmp(t->folded, word, len) != 0);
    const hq_term *same = variant ? find_folded(c, t->folded, folded_len, opts) : NULL;
    if (same != NULL) {
        t->stop = same->stop;
        t->stem = same->stem;
        t->stem_len = same->stem_len;
        t->id = same->id;
        return t;
    }
    t->stop = t->folded != NULL && hq_is_stopword(t->folded, folded_len);
    t->stem = t->folded ? hq_stem(c->stemmer, t->folded, folded_len, &stem_len) : NULL;
    t->stem_len = (uint32_t)stem_len;
    return t;
}

/* Caches t, the term of the word whose padded key is k, at the empty
 * slot i of tb's table (mu held); returns the cached term. */
static hq_term *insert(termtab *tb, size_t i, uint64_t meta, const uint64_t *k, size_t len,
                       const hq_term *t, const char *word)
{
    size_t key_size = KEY_WORDS(len) * 8;
    bool folded_is_key = t->folded && t->folded_len == len && memcmp(t->folded, word, len) == 0;
    bool stem_is_folded = t->stem == t->folded;
    size_t size = sizeof(entry) + key_size + (t->folded && !folded_is_key ? t->folded_len + 1 : 0) +
                  (t->folded && !stem_is_folded ? t->stem_len + 1 : 0);
    entry *e = hq_arena_alloc(&tb->arena, size);
    memcpy(e->key, k, key_size);
    char *q = (char *)e->key + key_size;
    e->term = *t;
    e->term.cached = true;
    if (t->folded != NULL) {
        e->term.folded = (const char *)e->key;
        if (!folded_is_key) {
            memcpy(q, t->folded, t->folded_len + 1);
            e->term.folded = q;
            q += t->folded_len + 1;
        }
        e->term.stem = e->term.folded;
        if (!stem_is_folded) {
            memcpy(q, t->stem, t->stem_len);
            q[t->stem_len] = '\0';
            e->term.stem = q;
        }
    }
    slot *sl = &tb->cur->s[i];
    sl->meta = meta;
    sl->e = e;
    tb->n++;
    return &e->term;
}

/* t (c->tmp, just computed) as an uncached term, its strings copied
 * into c's temporaries. */
static hq_term *temporary(hq_termcache *c, hq_term *t)
{
    t->cached = false;
    if (t->folded == NULL)
        return t;
    if (t->stem != t->folded) {
        memcpy(c->tmp_stem, t->stem, t->stem_len);
        c->tmp_stem[t->stem_len] = '\0';
        t->stem = c->tmp_stem;
    }
    memcpy(c->tmp_folded, t->folded, t->folded_len + 1);
    if (t->stem == t->folded)
        t->stem = c->tmp_folded;
    t->folded = c->tmp_folded;
    return t;
}

/* Finds or inserts word, whose padded key is k and hash h (computing
 * its term only reads the table: the empty slot found stays empty). */
static hq_term *lookup(hq_termcache *c, const uint64_t *k, uint64_t h, const char *word,
                       size_t len, unsigned opts)
{
    termtab *tb = &c->tab;
    entry *e;
    size_t i = probe(tb->cur, k, h, len, opts, &e);
    if (e != NULL)
        return &e->term;
    hq_term *t = compute(c, word, len, opts);
    if (tb->n >= tb->max || tb->arena.used >= HQ_TERM_CACHE_BYTES)
        return temporary(c, t);
    if (3 * (tb->n + 1) > 2 * (tb->cur->mask + 1)) {
        grow(tb);
        i = probe(tb->cur, k, h, len, opts, &e); /* the empty slot in the grown table */
    }
    return insert(tb, i, hq_slot_meta(h, len, opts), k, len, t, word);
}

size_t hq_termcache_get_words(hq_termcache *c, const char *text, size_t len,
                              const hq_word *words, size_t n, hq_term **terms)
{
    for (size_t i = 0; i < n; i++) {
        const hq_word *w = &words[i];
        size_t wlen = w->end - w->start;
        hq_term *t = NULL;
        if (w->flags & (HQ_WORD_CJK | HQ_WORD_HYPHEN)) {
            terms[i] = NULL; /* the caller's, part by part */
            continue;
        }
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        if ((w->flags & HQ_WORD_HASHED) && wlen > 0 && wlen <= HQ_TEXT_MAX_WORD)
            t = hq_termcache_find_hashed(c, text, w, wlen);
#endif
        if (t == NULL) {
            t = hq_termcache_get(c, text + w->start, wlen, len - w->start, 0);
            if (!t->cached)
                return i;
        }
        terms[i] = t;
    }
    return n;
}

hq_term *hq_termcache_get(hq_termcache *c, const char *word, size_t len, size_t readable,
                          unsigned opts)
{
    if (len == 0 || len > HQ_TEXT_MAX_WORD) {
        c->dropped = (hq_term){.cached = true, .id = HQ_NO_ID};
        return &c->dropped;
    }
    uint64_t k[KEY_WORDS(HQ_TEXT_MAX_WORD)];
    uint64_t h = load_key(k, word, len, readable, opts);
    return lookup(c, k, h, word, len, opts);
}

void hq_termcache_clear_ids(hq_termcache *c)
{
    const slots *t = c->tab.cur;
    for (size_t i = 0; i <= t->mask; i++)
        if (t->s[i].e != NULL)
            t->s[i].e->term.id = HQ_NO_ID;
}

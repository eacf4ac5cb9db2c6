/*
 * scan.h — internal to src/text: the hot paths of the chain, inline, so
 * that hq_tokenize() and the analyzer's path for the index
 * (hq_analyze_ids) scan and look words up with the same code:
 *   - the tokenizer's scan of one word (hq_next_word; the rules are in
 *     text.h, the rare cases out of line in tokenizer.c);
 *   - the term cache's table and its lookup of a word the tokenizer
 *     hashed (hq_termcache_find_hashed; the rest in termcache.c).
 * Nothing outside src/text includes it.
 */
#ifndef HQ_TEXT_SCAN_H
#define HQ_TEXT_SCAN_H

#include "text.h"

#include <string.h>

/* ---- the tokenizer (tokenizer.c) ----------------------------------- */

/* Character classes of segmentation. */
enum {
    C_SEP,    /* separates words */
    C_LETTER, /* L* outside CJK */
    C_DIGIT,  /* N* outside CJK */
    C_MARK,   /* Mn, Mc: belongs to the character before it */
    C_CJK,    /* Han, kana, Hangul letters and numbers */
    C_APOS,   /* ' U+2019: between letters */
    C_HYPHEN, /* - U+2010 U+2011: between letters or digits */
    C_AMP,    /* &: between letters */
    C_POINT,  /* . , : between digits */
    C_INVIS,  /* U+00AD U+200C U+200D: between letters or digits */
    C_UTF8    /* (bytes only) >= 0x80: decode to know */
};

/* The class of each byte: ASCII directly, the rest C_UTF8. */
extern const unsigned char hq_byte_class[256];

/* The class of code point cp (never C_UTF8). */
int hq_class_of_cp(int32_t cp);

/* Scans the rest of a word that is not ASCII letters alone: it starts at
 * s[i] with a character of class c (letter, digit or mark) and n bytes;
 * returns its end and sets *flags (HQ_WORD_*).  Out of line. */
size_t hq_scan_word(const unsigned char *s, size_t len, size_t i, int c, size_t n, unsigned opts,
                    unsigned *flags);

/* The class of the code point at s[i] (i < len); *n = its byte length. */
static inline int hq_class_at(const unsigned char *s, size_t len, size_t i, size_t *n)
{
    int c = hq_byte_class[s[i]];
    if (c != C_UTF8) {
        *n = 1;
        return c;
    }
    int32_t cp;
    *n = (size_t)hq_utf8_decode((const char *)s + i, len - i, &cp);
    return hq_class_of_cp(cp);
}

#define HQ_ONES 0x0101010101010101ULL
#define HQ_HIGH (0x80 * HQ_ONES)

/* The bytes of x (8 bytes of text, the first the lowest) that are not
 * ASCII letters, as their high bit (0x80) in the result: a byte is a
 * letter when, with bit 0x20 set (A-Z onto a-z, nothing else onto a-z)
 * and its high bit clear, it lies in 'a'..'z'; the sums cannot carry
 * between bytes of 7 bits. */
static inline uint64_t hq_not_letters(uint64_t x)
{
    uint64_t l = (x | 0x20 * HQ_ONES) & ~HQ_HIGH;
    uint64_t letter = (l + (0x80 - 'a') * HQ_ONES) & ~(l + (0x80 - 'z' - 1) * HQ_ONES) & ~x &
                      HQ_HIGH;
    return ~letter & HQ_HIGH;
}

/* The end of the run of ASCII letters at s[i..len), eight bytes at a
 * time where eight are left. */
static inline size_t hq_letters_end(const unsigned char *s, size_t len, size_t i)
{
#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    while (i + 8 <= len) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        uint64_t other = hq_not_letters(x);
        if (other != 0)
            return i + (size_t)__builtin_ctzll(other) / 8;
        i += 8;
    }

#endif
    while (i < len && hq_byte_class[s[i]] == C_LETTER)
        i++;
    return i;
}

#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* Ends hq_letters_hashed's run in load x, taken at s[i], whose non-letter
 * bytes are other (not 0): h is the hash of the loads before it. */
static inline void hq_letters_last(uint64_t x, uint64_t other, uint64_t h, size_t start,
                                   size_t i, size_t *end, hq_word *w)
{
    unsigned k = (unsigned)__builtin_ctzll(other) / 8; /* letters of this load: 0..7 */
    w->key_last = x & ((1ULL << (8 * k)) - 1);
    *end = i + k;
    w->key_hash = hq_key_end(hq_key_step(h, w->key_last), *end - start, 0);
}
#endif

/* The end of the run of ASCII letters that starts at s[i] (a letter),
 * read 8 bytes at a time from s[i] on (never past s[len]), each load
 * (the last masked to the run's bytes) hashed as the term cache keys
 * words: returns true with the run's end in *end and w's key_hash and
 * key_last set (see hq_word).  On big-endian machines, false with *end
 * the run's end. */
static inline bool hq_letters_hashed(const unsigned char *s, size_t len, size_t i, size_t *end,
                                     hq_word *w)
{
#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    size_t start = i;
    uint64_t h = HQ_KEY_SEED;
    while (i + 8 <= len) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        uint64_t other = hq_not_letters(x);
        if (other != 0) {
            hq_letters_last(x, other, h, start, i, end, w);
            return true;
        }
        h = hq_key_step(h, x);
        i += 8;
    }
    /* Under 8 bytes left (a field's last word): the same, from a copy
     * padded with zeros, which are not letters. */
    uint64_t x = 0;
    memcpy(&x, s + i, len - i);
    hq_letters_last(x, hq_not_letters(x), h, start, i, end, w);
    return true;
#else
    *end = hq_letters_end(s, len, i);
    return false;
#endif
}

/* The next word of text[*at..len) into *w, *at moved past it; false
 * (*at moved to len) when none is left.  What hq_tokenize() does per
 * word. */
static inline __attribute__((always_inline)) bool hq_next_word(const char *text, size_t len,
                                                               size_t *at, unsigned opts,
                                                               hq_word *w)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = *at, n = 1;
    int c = C_SEP;
    for (;;) { /* separators */
        while (i < len && (c = hq_byte_class[s[i]]) != C_LETTER && c != C_DIGIT && c != C_UTF8)
            i++; /* ASCII ones */
        if (i >= len || c != C_UTF8)
            break;
        c = hq_class_at(s, len, i, &n);
        if (c == C_LETTER || c == C_DIGIT || c == C_MARK || c == C_CJK)
            break;
        i += n;
        n = 1;
    }
    if (i >= len) {
        *at = i;
        return false;
    }
    w->start = (uint32_t)i;
    if (c == C_LETTER && n == 1) {
        /* Most words: ASCII letters, then the end, a separator, or a '.'
         * or ',' (which only joins digits). */
        size_t e;
        bool hashed = hq_letters_hashed(s, len, i, &e, w);
        if (e >= len) {
            w->end = (uint32_t)e;
            w->flags = hashed ? HQ_WORD_HASHED : 0;
            *at = e;
            return true;
        }
        int after = hq_byte_class[s[e]];
        if (after == C_SEP || after == C_POINT) {
            w->end = (uint32_t)e;
            w->flags = hashed ? HQ_WORD_HASHED : 0;
            *at = e + 1; /* that byte is an ASCII separator here: skipped */
            return true;
        }
    }
    if (c == C_CJK) {
        w->flags = HQ_WORD_CJK | HQ_WORD_NONASCII;
        for (i += n; i < len; i += n) {
            c = hq_class_at(s, len, i, &n);
            if (c != C_CJK && c != C_MARK)
                break;
        }
    } else {
        i = hq_scan_word(s, len, i, c, n, opts, &w->flags);
    }
    w->end = (uint32_t)i;
    *at = i;
    return true;
}

/* ---- the term cache (termcache.c) ---------------------------------- */

#define KEY_WORDS(len) ((size_t)(len) / 8 + 1) /* 8-byte words of a padded key */

typedef struct entry {
    hq_term term;
    uint64_t key[]; /* KEY_WORDS(key_len), then the strings */
} entry;

typedef struct slot {
    entry *e;      /* NULL: empty; set once */
    uint64_t meta; /* hq_slot_meta() of the key: compared in one go */
} slot;

/* One size of the table: slots are filled, never emptied; a table that
 * grows is copied into a new one. */
typedef struct slots {
    size_t mask; /* number of slots - 1 */
    slot s[];
} slots;

/* The words cached. */
typedef struct termtab {
    slots *cur;
    size_t n;    /* words cached */
    size_t max;  /* most words: HQ_TERM_CACHE_MAX unless lowered */
    hq_arena arena; /* the entries */
} termtab;

/* A slot's tag (the high 32 bits of the key's hash h), the key's length
 * (<= HQ_TEXT_MAX_WORD) and the HQ_FOLD_* options it was folded with,
 * in one word. */
static inline uint64_t hq_slot_meta(uint64_t h, size_t len, unsigned opts)
{
    return h >> 32 | (uint64_t)len << 32 | (uint64_t)opts << 40;
}
/* The high half of a hash whose tag is meta's (its low half zero). */
#define HQ_SLOT_TAG_HASH(meta) ((meta) << 32)

/* Where a key of hash h starts probing in a table of mask + 1 slots: the
 * low bits of its tag, which the slot keeps, so that growing the table
 * places each slot again without reading its entry. */
static inline size_t hq_slot_home(uint64_t h, size_t mask)
{
    return (size_t)(h >> 32) & mask;
}

/* The cache: its table, folder, stemmer and temporaries. */
struct hq_termcache {
    termtab tab;
    hq_stemmer *stemmer;
    hq_term tmp; /* a term computed but not cached (the cache is full) */
    hq_term dropped; /* what words over HQ_TEXT_MAX_WORD bytes give */
    char tmp_folded[HQ_TEXT_MAX_WORD + 1];
    char tmp_stem[HQ_TEXT_MAX_WORD + 1];
    hq_folder folder;
};

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* Whether the padded key k is the word w of text, whose whole 8-byte
 * words are read in place and whose last one is w->key_last. */
static inline bool hq_same_key_in_place(const uint64_t *k, const char *text,
                                        const hq_word *w, size_t len)
{
    size_t last = len / 8;
    for (size_t i = 0; i < last; i++) {
        uint64_t x;
        memcpy(&x, text + w->start + 8 * i, 8);
        if (x != k[i])
            return false;
    }
    return k[last] == w->key_last;
}

/* The cached term of the hashed word w of text, folded without options;
 * NULL when not cached. */
static inline hq_term *hq_termcache_find_hashed(const hq_termcache *c, const char *text,
                                                const hq_word *w, size_t len)
{
    uint64_t h = w->key_hash, meta = hq_slot_meta(h, len, 0);
    const slots *t = c->tab.cur;
    entry *e;
    for (size_t i = hq_slot_home(h, t->mask);
         (e = t->s[i].e) != NULL; i = (i + 1) & t->mask)
        if (t->s[i].meta == meta && hq_same_key_in_place(e->key, text, w, len))
            return &e->term;
    return NULL;
}

/* Prefetches the slot where hq_termcache_find_hashed(c, ..., w, ...)
 * starts probing, for a word of hash h. */
static inline void hq_termcache_prefetch_slot(const hq_termcache *c, uint64_t h)
{
    const slots *t = c->tab.cur;
    __builtin_prefetch(&t->s[hq_slot_home(h, t->mask)]);
}

/* Prefetches the entry of the first slot that hq_termcache_find_hashed
 * would compare, for a word of hash h and len bytes (its slot read, so
 * best prefetched first). */
static inline void hq_termcache_prefetch_entry(const hq_termcache *c, uint64_t h, size_t len)
{
    uint64_t meta = hq_slot_meta(h, len, 0);
    const slots *t = c->tab.cur;
    entry *e;
    for (size_t i = hq_slot_home(h, t->mask);
         (e = t->s[i].e) != NULL; i = (i + 1) & t->mask)
        if (t->s[i].meta == meta) {
            __builtin_prefetch(e);
            return;
        }
}
#endif

#endif

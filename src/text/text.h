/*
 * text.h — the text analyzer: UTF-8 bytes → terms with positions and
 * byte offsets.  The index uses it on section fields, the query layer on
 * the user's question; both must call it the same way, so a query term
 * meets the indexed term.  The rules are in docs/ANALYSIS.md.
 *
 * The chain, in the order Snowball requires (it wants lower-cased, NFC
 * input): segment (tokenizer.c) → fold (normalize.c) → stop words
 * (stopwords.c) → stem (stemmer.c).  termcache.c remembers the outcome
 * of the last three for each distinct word; analyzer.c runs it all.
 *
 * Threads: hq_is_stopword(), hq_stopwords(), hq_tokenize() and
 * hq_cjk_next() are pure and thread-safe.  An hq_folder, hq_stemmer,
 * hq_termcache or hq_analyzer is used by one thread at a time
 * (libstemmer's sb_stemmer keeps state between calls): give each thread
 * its own analyzer.
 *
 * One block per file, as in FTS5's fts5Int.h.
 */
#ifndef HQ_TEXT_H
#define HQ_TEXT_H

#include "../base/base.h"

#include <stdint.h>

/* Hard limits (bytes, tokens) on what input controls. */
#define HQ_TEXT_MAX_WORD 128          /* longer words, as written or folded, are dropped */
#define HQ_TEXT_MAX_STEM 64           /* longer folded words are indexed unstemmed */
#define HQ_TEXT_MAX_INPUT 0xFFFFFFFEu /* bytes analysed per call; offsets are 32-bit */
#define HQ_TEXT_MAX_TOKENS (1u << 21) /* tokens per call; the rest of the text is ignored */

/* ---- Interface to code in tokenizer.c ------------------------------ */
/* Segmentation over code points (utf8proc categories).  A word is a
 * maximal run of letters (L*), digits (N*) and combining marks (Mn, Mc),
 * joined across one inner connector when both neighbours qualify:
 *   ' or U+2019 between letters         o'clock, women's, don't
 *   - U+2010 U+2011 between letters/digits   covid-19, x-ray
 *   & between letters                  d&c, at&t
 *   . or , between digits              2.5, 1,000
 *   U+00AD U+200C U+200D between letters/digits (invisible; folded away)
 * Han, Hiragana, Katakana and Hangul characters form runs of their own
 * (HQ_WORD_CJK) with their combining marks; they never join other
 * letters.  Everything else, and every byte that is not well-formed
 * UTF-8, separates words. */

enum {
    HQ_WORD_NONASCII = 1, /* some byte of the word is >= 0x80 */
    HQ_WORD_DIGIT = 2,    /* holds a digit (N*) */
    HQ_WORD_HYPHEN = 4,   /* holds a joining hyphen: a compound */
    HQ_WORD_CJK = 8,      /* a run of CJK characters (and their marks) */
    HQ_WORD_HASHED = 16   /* hq_word.key_hash is set (see below) */
};

typedef struct hq_word {
    uint32_t start, end; /* bytes [start, end) of the text */
    unsigned flags;      /* HQ_WORD_* */
    /* With HQ_WORD_HASHED (a word of ASCII letters the tokenizer scanned
     * 8 bytes at a time, len = end - start): key_hash is the term cache's
     * hash of it, hq_key_end(hq_key_step(...hq_key_step(HQ_KEY_SEED, x[0])
     * ..., x[len / 8]), len, 0), where x[i] is bytes [8i, 8i + 8) of the
     * word read as a little-endian number with the bytes past its end
     * zero, so the last, x[len / 8], is never whole; key_last is that
     * last one.  Both are computed during the scan, so that the cache
     * need not read the word again to hash it, nor mask its end to
     * compare it.  Otherwise unset. */
    uint64_t key_hash, key_last;
} hq_word;

/* The term cache's hash of a word, one multiply per 8 bytes: seeded with
 * HQ_KEY_SEED, fed 8 bytes at a time with hq_key_step(), then the word's
 * length and fold options (HQ_FOLD_*) mixed in by hq_key_end().  Its
 * high 32 bits are the cache's tag, its low bits the slot. */
#define HQ_KEY_SEED 0x9E3779B97F4A7C15ULL
static inline uint64_t hq_key_step(uint64_t h, uint64_t x)
{
    return (h ^ x) * 0xBF58476D1CE4E5B9ULL;
}
static inline uint64_t hq_key_end(uint64_t h, size_t len, unsigned opts)
{
    h = (h ^ (len | (uint64_t)opts << 8)) * 0x9E3779B97F4A7C15ULL;
    /* the high bits of a product depend on all the bits multiplied; the
     * table index is taken from the low bits, so fold the high ones in */
    return h ^ (h >> 32);
}

/* Options of hq_tokenize(). */
enum { HQ_TOKENIZE_SPLIT_HYPHENS = 1 }; /* hyphens separate (the parts of a compound) */

/* Finds the words of text[*at..len) (len <= HQ_TEXT_MAX_INPUT), at most
 * max of them, in order, into words[]; returns how many (0: none left)
 * and moves *at past the last (and maybe past one separator after it).
 * Reads only text[*at..len); never fails.  O(bytes scanned).  Words come
 * in batches to spare a call per word. */
size_t hq_tokenize(const char *text, size_t len, size_t *at, unsigned opts, hq_word *words,
                   size_t max);

/* For a CJK run text[at..end) as hq_tokenize() gives it: returns
 * the end of the character at `at` and of the combining marks after it
 * (at < return <= end). */
size_t hq_cjk_next(const char *text, size_t end, size_t at);

/* ---- Interface to code in normalize.c ------------------------------ */
/* Folding of one word: Unicode case folding, compatibility (NFKC-like)
 * composition, accents removed, U+2019 → ', U+2010/U+2011 → -, and
 * default-ignorable code points (soft hyphen, ZWJ) removed.  Pure ASCII
 * words take a fast path (A-Z lowered, nothing else changes). */

/* Code points one word may decompose into (the worst expansion of a
 * code point is 18, U+FDFA). */
#define HQ_FOLD_CPS (HQ_TEXT_MAX_WORD * 18)

typedef struct hq_folder {
    int32_t cps[HQ_FOLD_CPS + 1]; /* utf8proc's work space, then the UTF-8 result */
    char ascii[HQ_TEXT_MAX_WORD + 1]; /* the ASCII fast path's result */
} hq_folder;

/* Options of hq_fold(). */
enum { HQ_FOLD_KEEP_MARKS = 1 }; /* keep combining marks (CJK: が stays が) */

/* Folds word[0..len) into a NUL-terminated string inside f and returns
 * it (valid until the next call on f), with its length in *out_len.
 * Returns NULL (and *out_len = 0) when len is 0 or over
 * HQ_TEXT_MAX_WORD, when the word folds to nothing (a lone accent) or to
 * more than HQ_TEXT_MAX_WORD bytes, or when it is not valid UTF-8. */
const char *hq_fold(hq_folder *f, const char *word, size_t len, unsigned opts, size_t *out_len);

/* ---- Interface to code in stopwords.c ------------------------------ */

/* True when word[0..len) (folded: lower case, ASCII apostrophe) is on
 * the English stop list. */
bool hq_is_stopword(const char *word, size_t len);

/* The stop list itself, sorted by bytes, *n entries; static storage. */
const char *const *hq_stopwords(size_t *n);

/* ---- Interface to code in stemmer.c -------------------------------- */
/* Snowball "english" through libstemmer, UTF-8. */

typedef struct hq_stemmer hq_stemmer;

/* Never NULL (out of memory aborts).  Release with hq_stemmer_free(). */
hq_stemmer *hq_stemmer_new(void);
/* NULL is allowed. */
void hq_stemmer_free(hq_stemmer *st);

/* Returns the stem of the folded word[0..len) and its length in
 * *stem_len: word itself when it holds a digit 0-9, is longer than
 * HQ_TEXT_MAX_STEM bytes, or Snowball leaves it alone (so callers can
 * tell by comparing pointers); otherwise Snowball's buffer, valid until
 * the next call on st.  Not NUL-terminated. */
const char *hq_stem(hq_stemmer *st, const char *word, size_t len, size_t *stem_len);

/* ---- Interface to code in termcache.c ------------------------------ */
/* The memo of the analysis of one word as written: folded form, stem,
 * stop flag, each computed once per distinct word.  Holds at most
 * HQ_TERM_CACHE_MAX words in at most HQ_TERM_CACHE_BYTES of entries (a
 * table of at most 32 MiB beside), then stops inserting: lookups keep
 * working, new words are computed each time.  The raw MedQuAD XML
 * makes about 100,000 words, some 12 MiB in all. */

#define HQ_TERM_CACHE_MAX (1u << 20)
#define HQ_TERM_CACHE_BYTES (64u << 20)

typedef struct hq_term {
    const char *folded; /* NUL-terminated; NULL when the word yields nothing (it
                           folds to nothing, or is over HQ_TEXT_MAX_WORD bytes) */
    const char *stem;   /* NUL-terminated; == folded when it is its own stem */
    uint32_t folded_len, stem_len;
    bool stop;   /* hq_is_stopword(folded) */
    bool cached; /* true: the strings live until hq_termcache_free();
                    false (the cache is full): until the next lookup */
    uint32_t id; /* free for the caller (the analyzer keeps the stem's term id
                    here); HQ_NO_ID until set, and in an uncached term */
} hq_term;

typedef struct hq_termcache hq_termcache;

/* Never NULL (out of memory aborts).  Release with hq_termcache_free(). */
hq_termcache *hq_termcache_new(void);
/* Frees c and every string it handed out; NULL is allowed. */
void hq_termcache_free(hq_termcache *c);

/* Returns the term of word[0..len) as written, folded with opts
 * (HQ_FOLD_*).  readable is how many bytes may be read from word
 * on (>= len): the rest of the text, so that the word can be read 8
 * bytes at a time in place.  The hq_term itself is valid until the next
 * call on c (or, cached, until c is freed); for its strings see
 * hq_term.cached.  Its id may be set by the caller (a cached term keeps
 * it).  Never NULL. */
hq_term *hq_termcache_get(hq_termcache *c, const char *word, size_t len, size_t readable,
                          unsigned opts);

/* The terms of words[0..n) of text[0..len) as hq_tokenize() gave
 * them, folded without options, into terms[0..n): for each word what
 * hq_termcache_get() returns, except NULL for a CJK run or a compound
 * (HQ_WORD_CJK, HQ_WORD_HYPHEN), which the caller analyses part by part.
 * A word flagged HQ_WORD_HASHED is looked up by its key_hash, not read
 * twice.  Stops before the first word the cache cannot keep (it is
 * full) and returns how many words it did (n: all); every term it gives
 * is cached (hq_term.cached), so they stay valid together. */
size_t hq_termcache_get_words(hq_termcache *c, const char *text, size_t len,
                              const hq_word *words, size_t n, hq_term **terms);

/* Sets every cached word's id back to HQ_NO_ID. */
void hq_termcache_clear_ids(hq_termcache *c);

/* The number of words cached (at most HQ_TERM_CACHE_MAX). */
size_t hq_termcache_size(const hq_termcache *c);

/* Lowers the most words c may hold to max (a query-time analyzer needs
 * fewer; tests reach the limit quickly).  Words already cached stay. */
void hq_termcache_limit(hq_termcache *c, size_t max);

/* ---- Interface to code in analyzer.c ------------------------------- */
/* The chain: words of the tokenizer, folded, stop words dropped, stemmed.
 *   - Every word takes one position (0, 1, 2, ...), whether it yields a
 *     token or not (stop words, words over HQ_TEXT_MAX_WORD bytes).
 *   - A hyphenated compound takes one position per part: its parts are
 *     ordinary tokens, and the compound itself is one more token at the
 *     position of its first part, emitted just before it ("covid-19" →
 *     covid-19@p, covid@p, 19@p+1).  Tokens sharing a position are
 *     alternatives for phrase matching.
 *   - A CJK run of n >= 2 characters yields its n-1 overlapping bigrams
 *     at consecutive positions; a lone CJK character is a unigram. */

typedef struct hq_token {
    const char *term; /* the indexed form, NUL-terminated; owned by the analyzer,
                         valid until the next hq_analyze() on it */
    uint32_t len;     /* bytes of term */
    uint32_t id;      /* with HQ_ANALYZE_IDS: term's number in the analyzer's
                         dictionary (hq_analyzer_term); else HQ_NO_ID */
    uint32_t pos;     /* position, see above */
    uint32_t start, end; /* bytes [start, end) of the source word in the input */
} hq_token;

/* Zero-initialise ({0}) before the first use; release with hq_tokens_free(). */
typedef struct hq_tokens {
    hq_token *items; /* n tokens, cap allocated; owned by this struct */
    size_t n, cap;
} hq_tokens;

typedef struct hq_analyzer hq_analyzer;

/* Never NULL (out of memory aborts).  One per thread. */
hq_analyzer *hq_analyzer_new(void);
/* NULL is allowed.  Terms handed out by a become invalid. */
void hq_analyzer_free(hq_analyzer *a);

enum {
    HQ_ANALYZE_KEEP_STOPWORDS = 1, /* stop words yield tokens too */
    HQ_ANALYZE_NO_STEM = 2,        /* terms are folded words, not stems */
    HQ_ANALYZE_IDS = 4             /* number the terms (hq_token.id) */
};

/* Analyses text[0..len) into out, which is reset first (its array is
 * reused).  Any bytes are accepted: malformed UTF-8 and NUL bytes
 * separate words; text may be NULL when len is 0.  Bytes past
 * HQ_TEXT_MAX_INPUT and tokens past HQ_TEXT_MAX_TOKENS are ignored.
 * Tokens come in text order (a compound before its first part). */
void hq_analyze(hq_analyzer *a, const char *text, size_t len, unsigned flags, hq_tokens *out);

/* A token as the index builder inverts them: its term's number and
 * position, with the document and field the caller gives. */
typedef struct hq_termpos {
    uint32_t term;  /* the term's id in the analyzer's dictionary (HQ_ANALYZE_IDS) */
    uint32_t doc;   /* the caller's */
    uint32_t pos;   /* position: the caller's base + the token's (see above) */
    uint32_t field; /* the caller's */
} hq_termpos;

/* The index builder's path: the tokens hq_analyze(a, text, len,
 * HQ_ANALYZE_IDS, ...) gives, appended to (*items)[*n..] (grown with
 * hq_grow(), *cap its capacity) as {id, doc, base + pos, field}, with
 * the same limits; the word of text is scanned, looked up and written
 * out in one pass, without the byte offsets.  Returns 1 + the position
 * (before base) of the last token, 0 when none. */
uint32_t hq_analyze_ids(hq_analyzer *a, const char *text, size_t len, uint32_t doc,
                        uint32_t field, uint32_t base, hq_termpos **items, size_t *n,
                        size_t *cap);

/* Lowers the number of words a's term cache may hold (see
 * hq_termcache_limit()). */
void hq_analyzer_cache_limit(hq_analyzer *a, size_t max);

/* Frees t's array and zeroes it; NULL is allowed. */
void hq_tokens_free(hq_tokens *t);

/* The term dictionary of HQ_ANALYZE_IDS: ids are dense (0 ..
 * hq_analyzer_n_ids() - 1), given in order of first sight, and the same
 * term always gets the same id until hq_analyzer_clear_ids().  It grows
 * with the distinct terms analysed (about 40 bytes each); the index
 * builder clears it between segments. */
size_t hq_analyzer_n_ids(const hq_analyzer *a);
/* The term of id (< hq_analyzer_n_ids), NUL-terminated, with its length
 * in *len; valid until the ids are cleared or a is freed. */
const char *hq_analyzer_term(const hq_analyzer *a, uint32_t id, size_t *len);
/* Forgets the ids a has given: its dictionary is emptied (while no
 * other thread reads it). */
void hq_analyzer_clear_ids(hq_analyzer *a);
/* a's dictionary, made when there is none yet: the ids of
 * HQ_ANALYZE_IDS.  It lives as long as a.  While a numbers more terms,
 * another thread may name an id a gave (hq_intern_str), once it was
 * handed over safely (by a mutex, say), and read its size. */
const hq_intern *hq_analyzer_ids(hq_analyzer *a);

/* The term hq_analyze() would give the already-folded word[0..len)
 * (as hq_fold() gives it): its stem, by the rules of hq_stem().  Stop
 * words get their stem too.  Returns NULL (and *out_len = 0) when len is
 * 0 or over HQ_TEXT_MAX_WORD, or the word folds to nothing.  The string
 * is NUL-terminated and valid until the next call on a. */
const char *hq_analyzer_stem(hq_analyzer *a, const char *word, size_t len, size_t *out_len);

/* ---- Interface to code in sentence.c ------------------------------- */

/* The sentences of text[0..len) (any bytes), as spans trimmed of white
 * space, in order, not overlapping; the rules are at the top of
 * sentence.c (abbreviations such as "e.g." and "Dr." do not end a
 * sentence; blank lines and list items do).  The first max go into out;
 * returns how many there are (more than max when out was too small). */
size_t hq_sentences(const char *text, size_t len, hq_span *out, size_t max);

#endif

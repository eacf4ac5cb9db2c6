/*
 * tokenizer.c — segmentation of UTF-8 text into words: byte ranges of
 * the input, never copies.  The analyzer (analyzer.c) asks it for
 * batches of words, at index time and at query time.  It owns nothing.
 *
 * Most of the corpus is ASCII, so ASCII bytes are classified by a table
 * of our own (not <ctype.h>, which knows nothing of UTF-8) and only
 * bytes >= 0x80 are decoded and asked of utf8proc; runs of ASCII
 * letters are scanned eight bytes at a time, and a word of ASCII letters
 * alone is hashed in the same loads as the term cache keys it
 * (hq_word.key_hash), so the cache does not read it again.  Malformed bytes decode as
 * U+FFFD, a symbol, hence a separator.  The scan looks one code point
 * ahead at most, so it is linear in the bytes it reads.
 */
#include "text.h"

#include <string.h>
#include <utf8proc.h>

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
#define L_ C_LETTER
#define D_ C_DIGIT
#define U4_ C_UTF8, C_UTF8, C_UTF8, C_UTF8
#define U16_ U4_, U4_, U4_, U4_
static const unsigned char byte_class[256] = {
    ['0'] = D_, ['1'] = D_, ['2'] = D_, ['3'] = D_, ['4'] = D_,
    ['5'] = D_, ['6'] = D_, ['7'] = D_, ['8'] = D_, ['9'] = D_,
    ['A'] = L_, ['B'] = L_, ['C'] = L_, ['D'] = L_, ['E'] = L_, ['F'] = L_, ['G'] = L_,
    ['H'] = L_, ['I'] = L_, ['J'] = L_, ['K'] = L_, ['L'] = L_, ['M'] = L_, ['N'] = L_,
    ['O'] = L_, ['P'] = L_, ['Q'] = L_, ['R'] = L_, ['S'] = L_, ['T'] = L_, ['U'] = L_,
    ['V'] = L_, ['W'] = L_, ['X'] = L_, ['Y'] = L_, ['Z'] = L_,
    ['a'] = L_, ['b'] = L_, ['c'] = L_, ['d'] = L_, ['e'] = L_, ['f'] = L_, ['g'] = L_,
    ['h'] = L_, ['i'] = L_, ['j'] = L_, ['k'] = L_, ['l'] = L_, ['m'] = L_, ['n'] = L_,
    ['o'] = L_, ['p'] = L_, ['q'] = L_, ['r'] = L_, ['s'] = L_, ['t'] = L_, ['u'] = L_,
    ['v'] = L_, ['w'] = L_, ['x'] = L_, ['y'] = L_, ['z'] = L_,
    ['\''] = C_APOS, ['-'] = C_HYPHEN, ['&'] = C_AMP, ['.'] = C_POINT, [','] = C_POINT,
    [0x80] = U16_, U16_, U16_, U16_, U16_, U16_, U16_, U16_,
};
#undef L_
#undef D_
#undef U4_
#undef U16_

/* Han, Hiragana, Katakana, Hangul (and their compatibility forms). */
static bool is_cjk(int32_t cp)
{
    if (cp < 0x1100)
        return false;
    return (cp <= 0x11FF) ||                   /* Hangul Jamo */
           (cp >= 0x3005 && cp <= 0x3007) ||   /* 々 〆 〇 */
           (cp >= 0x3021 && cp <= 0x3029) ||   /* Hangzhou numerals */
           (cp >= 0x3038 && cp <= 0x303C) ||
           (cp >= 0x3040 && cp <= 0x30FF) ||   /* Hiragana, Katakana */
           (cp >= 0x3130 && cp <= 0x318F) ||   /* Hangul compatibility Jamo */
           (cp >= 0x31F0 && cp <= 0x31FF) ||   /* Katakana extension */
           (cp >= 0x3400 && cp <= 0x4DBF) ||   /* Han extension A */
           (cp >= 0x4E00 && cp <= 0x9FFF) ||   /* Han */
           (cp >= 0xA960 && cp <= 0xA97F) ||   /* Hangul Jamo extension A */
           (cp >= 0xAC00 && cp <= 0xD7FF) ||   /* Hangul syllables, Jamo extension B */
           (cp >= 0xF900 && cp <= 0xFAFF) ||   /* Han compatibility */
           (cp >= 0xFF66 && cp <= 0xFFDC) ||   /* half-width Katakana and Hangul */
           (cp >= 0x1B000 && cp <= 0x1B16F) || /* kana supplement and extension */
           (cp >= 0x20000 && cp <= 0x3134F);   /* Han extensions B-G, compatibility */
}

static int class_of_cp(int32_t cp)
{
    switch (cp) {
    case 0x2019:
        return C_APOS;
    case 0x2010:
    case 0x2011:
        return C_HYPHEN;
    case 0x00AD:
    case 0x200C:
    case 0x200D:
        return C_INVIS;
    case 0xFF9E: /* half-width (semi-)voiced sound marks: letters that NFKC */
    case 0xFF9F: /* turns into the combining marks U+3099, U+309A */
        return C_MARK;
    default:
        break;
    }
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
        return is_cjk(cp) ? C_CJK : C_LETTER;
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return is_cjk(cp) ? C_CJK : C_DIGIT;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
        return C_MARK;
    default:
        return C_SEP;
    }
}

/* The class of the code point at s[i] (i < len); *n = its byte length. */
static inline int class_at(const unsigned char *s, size_t len, size_t i, size_t *n)
{
    int c = byte_class[s[i]];
    if (c != C_UTF8) {
        *n = 1;
        return c;
    }
    int32_t cp;
    *n = (size_t)hq_utf8_decode((const char *)s + i, len - i, &cp);
    return class_of_cp(cp);
}

/* Whether connector c joins a word whose last base character has class
 * prev to a character of class next. */
static bool joins(int c, int prev, int next, unsigned opts)
{
    bool ld = (prev == C_LETTER || prev == C_DIGIT) && (next == C_LETTER || next == C_DIGIT);
    switch (c) {
    case C_APOS:
    case C_AMP:
        return prev == C_LETTER && next == C_LETTER;
    case C_HYPHEN:
        return ld && !(opts & HQ_TOKENIZE_SPLIT_HYPHENS);
    case C_POINT:
        return prev == C_DIGIT && next == C_DIGIT;
    case C_INVIS:
        return ld;
    default:
        return false;
    }
}

#define ONES 0x0101010101010101ULL
#define HIGH (0x80 * ONES)

/* The bytes of x (8 bytes of text, the first the lowest) that are not
 * ASCII letters, as their high bit (0x80) in the result: a byte is a
 * letter when, with bit 0x20 set (A-Z onto a-z, nothing else onto a-z)
 * and its high bit clear, it lies in 'a'..'z'; the sums cannot carry
 * between bytes of 7 bits. */
static inline uint64_t not_letters(uint64_t x)
{
    uint64_t l = (x | 0x20 * ONES) & ~HIGH;
    uint64_t letter = (l + (0x80 - 'a') * ONES) & ~(l + (0x80 - 'z' - 1) * ONES) & ~x & HIGH;
    return ~letter & HIGH;
}

/* The end of the run of ASCII letters at s[i..len), eight bytes at a
 * time where eight are left. */
static inline size_t letters_end(const unsigned char *s, size_t len, size_t i)
{
#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    while (i + 8 <= len) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        uint64_t other = not_letters(x);
        if (other != 0)
            return i + (size_t)__builtin_ctzll(other) / 8;
        i += 8;
    }
#endif
    while (i < len && byte_class[s[i]] == C_LETTER)
        i++;
    return i;
}

/* The end of the run of ASCII letters that starts at s[i] (a letter),
 * read 8 bytes at a time from s[i] on, each load (the last masked to the
 * run's bytes) hashed as the term cache keys words: when every load fits
 * in s[0..len), returns true with the run's end in *end and w's key_hash
 * and key_last set (see hq_word).  Otherwise false, *end the run's end. */
static inline bool letters_hashed(const unsigned char *s, size_t len, size_t i, size_t *end,
                                  hq_word *w)
{
    size_t start = i;
#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t h = HQ_KEY_SEED;
    while (i + 8 <= len) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        uint64_t other = not_letters(x);
        if (other != 0) {
            unsigned k = (unsigned)__builtin_ctzll(other) / 8; /* letters of this load: 0..7 */
            w->key_last = x & ((1ULL << (8 * k)) - 1);
            *end = i + k;
            w->key_hash = hq_key_end(hq_key_step(h, w->key_last), *end - start, 0);
            return true;
        }
        h = hq_key_step(h, x);
        i += 8;
    }
#endif
    *end = letters_end(s, len, i);
    return false;
}

/* Scans the word that starts at s[i] with a character of class c
 * (letter, digit or mark) and n bytes; returns its end and adds to
 * *flags.  Out of line: kept apart, the common path of hq_tokenize()
 * keeps its state in registers. */
static __attribute__((noinline)) size_t scan_word(const unsigned char *s, size_t len, size_t i,
                                                  int c, size_t n, unsigned opts,
                                                  unsigned *flags)
{
    int prev = c == C_MARK ? C_SEP : c; /* class of the last base character */
    unsigned f = (c == C_DIGIT ? HQ_WORD_DIGIT : 0) | (s[i] >= 0x80 ? HQ_WORD_NONASCII : 0);
    i += n;
    for (;;) {
        size_t e = letters_end(s, len, i); /* the common case */
        if (e > i) {
            prev = C_LETTER;
            i = e;
        }
        if (i >= len)
            break;
        unsigned char b = s[i];
        c = class_at(s, len, i, &n);
        if (c == C_LETTER || c == C_DIGIT) {
            prev = c;
            f |= c == C_DIGIT ? HQ_WORD_DIGIT : 0;
        } else if (c != C_MARK) {
            if (c < C_APOS || i + n >= len) /* a separator, CJK, or nothing after */
                break;
            size_t n2;
            if (!joins(c, prev, class_at(s, len, i + n, &n2), opts))
                break;
            f |= c == C_HYPHEN ? HQ_WORD_HYPHEN : 0;
        }
        f |= b >= 0x80 ? HQ_WORD_NONASCII : 0;
        i += n;
    }
    *flags = f;
    return i;
}

size_t hq_tokenize(const char *text, size_t len, size_t *at, unsigned opts, hq_word *words,
                   size_t max)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = *at, n_words = 0;
    while (n_words < max) {
        size_t n = 1;
        int c = C_SEP;
        for (;;) { /* separators */
            while (i < len && (c = byte_class[s[i]]) != C_LETTER && c != C_DIGIT && c != C_UTF8)
                i++; /* ASCII ones */
            if (i >= len || c != C_UTF8)
                break;
            c = class_at(s, len, i, &n);
            if (c == C_LETTER || c == C_DIGIT || c == C_MARK || c == C_CJK)
                break;
            i += n;
            n = 1;
        }
        if (i >= len)
            break;
        hq_word *w = &words[n_words++];
        w->start = (uint32_t)i;
        if (c == C_LETTER && n == 1) {
            /* Most words: ASCII letters, then the end, a separator, or a
             * '.' or ',' (which only joins digits). */
            size_t e;
            bool hashed = letters_hashed(s, len, i, &e, w);
            if (e >= len || byte_class[s[e]] == C_SEP || byte_class[s[e]] == C_POINT) {
                w->end = (uint32_t)e;
                w->flags = hashed ? HQ_WORD_HASHED : 0;
                i = e;
                continue;
            }
        }
        if (c == C_CJK) {
            w->flags = HQ_WORD_CJK | HQ_WORD_NONASCII;
            for (i += n; i < len; i += n) {
                c = class_at(s, len, i, &n);
                if (c != C_CJK && c != C_MARK)
                    break;
            }
        } else {
            i = scan_word(s, len, i, c, n, opts, &w->flags);
        }
        w->end = (uint32_t)i;
    }
    *at = i;
    return n_words;
}

size_t hq_cjk_next(const char *text, size_t end, size_t at)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t n;
    class_at(s, end, at, &n);
    for (at += n; at < end; at += n)
        if (class_at(s, end, at, &n) != C_MARK)
            break;
    return at;
}

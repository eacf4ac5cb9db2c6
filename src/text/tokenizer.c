/*
 * tokenizer.c — segmentation of UTF-8 text into words: byte ranges of
 * the input, never copies.  The analyzer (analyzer.c) asks it for
 * batches of words at query time, and scans word by word with the same
 * inline code (scan.h: hq_next_word) at index time.  It owns nothing.
 *
 * Most of the corpus is ASCII, so ASCII bytes are classified by a table
 * of our own (not <ctype.h>, which knows nothing of UTF-8) and only
 * bytes >= 0x80 are decoded and asked of utf8proc; runs of ASCII
 * letters are scanned eight bytes at a time, and a word of ASCII letters
 * alone is hashed in the same loads as the term cache keys it
 * (hq_word.key_hash), so the cache does not read it again.  The common
 * path is inline in scan.h; the rare cases are here.  Malformed bytes decode as
 * U+FFFD, a symbol, hence a separator.  The scan looks one code point
 * ahead at most, so it is linear in the bytes it reads.
 */
#include "scan.h"

#include <utf8proc.h>

/* The class of each byte: ASCII directly, the rest C_UTF8. */
#define L_ C_LETTER
#define D_ C_DIGIT
#define U4_ C_UTF8, C_UTF8, C_UTF8, C_UTF8
#define U16_ U4_, U4_, U4_, U4_
const unsigned char hq_byte_class[256] = {
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

int hq_class_of_cp(int32_t cp)
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

/* Out of line: kept apart, the common path of hq_next_word() keeps its
 * state in registers. */
size_t hq_scan_word(const unsigned char *s, size_t len, size_t i, int c, size_t n, unsigned opts,
                    unsigned *flags)
{
    int prev = c == C_MARK ? C_SEP : c; /* class of the last base character */
    unsigned f = (c == C_DIGIT ? HQ_WORD_DIGIT : 0) | (s[i] >= 0x80 ? HQ_WORD_NONASCII : 0);
    i += n;
    for (;;) {
        size_t e = hq_letters_end(s, len, i); /* the common case */
        if (e > i) {
            prev = C_LETTER;
            i = e;
        }
        if (i >= len)
            break;
        unsigned char b = s[i];
        c = hq_class_at(s, len, i, &n);
        if (c == C_LETTER || c == C_DIGIT) {
            prev = c;
            f |= c == C_DIGIT ? HQ_WORD_DIGIT : 0;
        } else if (c != C_MARK) {
            if (c < C_APOS || i + n >= len) /* a separator, CJK, or nothing after */
                break;
            size_t n2;
            if (!joins(c, prev, hq_class_at(s, len, i + n, &n2), opts))
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
    size_t n = 0;
    while (n < max && hq_next_word(text, len, at, opts, &words[n]))
        n++;
    return n;
}

size_t hq_cjk_next(const char *text, size_t end, size_t at)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t n;
    hq_class_at(s, end, at, &n);
    for (at += n; at < end; at += n)
        if (hq_class_at(s, end, at, &n) != C_MARK)
            break;
    return at;
}

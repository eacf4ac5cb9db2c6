/*
 * stemmer.c — Snowball "english" (libstemmer) and the rules of when to
 * use it.  The term cache (termcache.c) owns one hq_stemmer and calls it
 * once per distinct word; nobody else needs to.  Not thread-safe: an
 * sb_stemmer keeps its work buffer between calls.
 *
 * A word of ASCII letters alone (most of them) goes to the ISO-8859-1
 * build of the same algorithm: both builds come from one Snowball
 * source and see the same characters in ASCII, so the stems are the
 * same, and the byte build skips UTF-8 decoding (about a fifth of the
 * time per word on MedQuAD's vocabulary).  Any other word goes to the
 * UTF-8 build.
 */
#include "text.h"

#include <libstemmer.h>
#include <stdlib.h>
#include <string.h>

struct hq_stemmer {
    struct sb_stemmer *utf8, *ascii; /* ascii: the ISO-8859-1 build, for ASCII words */
};

static struct sb_stemmer *english(const char *encoding)
{
    struct sb_stemmer *sb = sb_stemmer_new("english", encoding);
    if (sb == NULL) { /* only out of memory: both builds are always in libstemmer */
        fprintf(stderr, "healthqa: cannot create the Snowball english stemmer (%s)\n", encoding);
        abort();
    }
    return sb;
}

hq_stemmer *hq_stemmer_new(void)
{
    hq_stemmer *st = hq_xmalloc(sizeof *st);
    st->utf8 = english("UTF_8");
    st->ascii = english("ISO_8859_1");
    return st;
}

void hq_stemmer_free(hq_stemmer *st)
{
    if (st == NULL)
        return;
    sb_stemmer_delete(st->utf8);
    sb_stemmer_delete(st->ascii);
    free(st);
}

/* Whether s[0..len) has a digit (*ascii: whether it is all ASCII). */
static bool has_digit(const char *s, size_t len, bool *ascii)
{
    unsigned char high = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] >= '0' && s[i] <= '9')
            return true;
        high |= (unsigned char)s[i];
    }
    *ascii = high < 0x80;
    return false;
}

const char *hq_stem(hq_stemmer *st, const char *word, size_t len, size_t *stem_len)
{
    *stem_len = len;
    bool ascii;
    if (len == 0 || len > HQ_TEXT_MAX_STEM || has_digit(word, len, &ascii))
        return word;
    struct sb_stemmer *sb = ascii ? st->ascii : st->utf8;
    const sb_symbol *s = sb_stemmer_stem(sb, (const sb_symbol *)word, (int)len);
    if (s == NULL) { /* libstemmer's only failure */
        fprintf(stderr, "healthqa: out of memory in the stemmer\n");
        abort();
    }
    int n = sb_stemmer_length(sb);
    /* english only removes or shortens suffixes; bound it all the same */
    *stem_len = n <= 0 ? 0 : n > HQ_TEXT_MAX_STEM ? HQ_TEXT_MAX_STEM : (size_t)n;
    if (*stem_len == len && memcmp(s, word, len) == 0)
        return word;
    return (const char *)s;
}

/*
 * stemmer.c — Snowball "english" (libstemmer, UTF-8) and the rules of
 * when to use it.  The term cache (termcache.c) owns one hq_stemmer and
 * calls it once per distinct word; nobody else needs to.  Not
 * thread-safe: an sb_stemmer keeps its work buffer between calls.
 */
#include "text.h"

#include <libstemmer.h>
#include <stdlib.h>
#include <string.h>

struct hq_stemmer {
    struct sb_stemmer *sb;
};

hq_stemmer *hq_stemmer_new(void)
{
    hq_stemmer *st = hq_xmalloc(sizeof *st);
    st->sb = sb_stemmer_new("english", "UTF_8");
    if (st->sb == NULL) { /* only out of memory: "english" is always built in */
        fprintf(stderr, "healthqa: cannot create the Snowball english stemmer\n");
        abort();
    }
    return st;
}

void hq_stemmer_free(hq_stemmer *st)
{
    if (st == NULL)
        return;
    sb_stemmer_delete(st->sb);
    free(st);
}

static bool has_digit(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] >= '0' && s[i] <= '9')
            return true;
    return false;
}

const char *hq_stem(hq_stemmer *st, const char *word, size_t len, size_t *stem_len)
{
    *stem_len = len;
    if (len == 0 || len > HQ_TEXT_MAX_STEM || has_digit(word, len))
        return word;
    const sb_symbol *s = sb_stemmer_stem(st->sb, (const sb_symbol *)word, (int)len);
    if (s == NULL) { /* libstemmer's only failure */
        fprintf(stderr, "healthqa: out of memory in the stemmer\n");
        abort();
    }
    int n = sb_stemmer_length(st->sb);
    /* english only removes or shortens suffixes; bound it all the same */
    *stem_len = n <= 0 ? 0 : n > HQ_TEXT_MAX_STEM ? HQ_TEXT_MAX_STEM : (size_t)n;
    if (*stem_len == len && memcmp(s, word, len) == 0)
        return word;
    return (const char *)s;
}

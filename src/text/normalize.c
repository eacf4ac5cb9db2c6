/*
 * normalize.c — folding of one word to its comparable form: case
 * folding, compatibility composition, accents stripped (utf8proc), and
 * the typographic apostrophe and hyphens made ASCII.  The analyzer calls
 * it per word, so that byte offsets keep referring to the original
 * text.  It owns nothing; the work space is the caller's hq_folder.
 * Only words the term cache (termcache.c) has not seen get here.
 *
 * utf8proc_map() would malloc per word; we run its two steps
 * (decompose, re-encode) in the folder's fixed buffer instead.
 */
#include "text.h"

#include <utf8proc.h>

#define FOLD_BASE (UTF8PROC_CASEFOLD | UTF8PROC_COMPAT | UTF8PROC_COMPOSE | UTF8PROC_IGNORE)

/* Applied to each code point before decomposition. */
static utf8proc_int32_t fold_punctuation(utf8proc_int32_t cp, void *data)
{
    (void)data;
    switch (cp) {
    case 0x2019: /* RIGHT SINGLE QUOTATION MARK, the usual typed apostrophe */
        return '\'';
    case 0x2010: /* HYPHEN */
    case 0x2011: /* NON-BREAKING HYPHEN */
        return '-';
    default:
        return cp;
    }
}

const char *hq_fold(hq_folder *f, const char *word, size_t len, unsigned opts, size_t *out_len)
{
    *out_len = 0;
    if (len == 0 || len > HQ_TEXT_MAX_WORD)
        return NULL;

    /* Fast path: pure ASCII is only lowered. */
    size_t i = 0;
    for (; i < len; i++) {
        unsigned char c = (unsigned char)word[i];
        if (c >= 0x80)
            break;
        f->ascii[i] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    }
    if (i == len) {
        f->ascii[len] = '\0';
        *out_len = len;
        return f->ascii;
    }

    utf8proc_option_t options = FOLD_BASE;
    if (!(opts & HQ_FOLD_KEEP_MARKS))
        options |= UTF8PROC_STRIPMARK;
    utf8proc_ssize_t n =
        utf8proc_decompose_custom((const utf8proc_uint8_t *)word, (utf8proc_ssize_t)len, f->cps,
                                  HQ_FOLD_CPS, options, fold_punctuation, NULL);
    if (n <= 0 || n > HQ_FOLD_CPS)
        return NULL; /* malformed, empty, or would not fit */
    /* Re-encodes in place: n code points take at most 4n bytes, and the
     * buffer has one spare element for the NUL. */
    utf8proc_ssize_t m = utf8proc_reencode(f->cps, n, options);
    if (m <= 0 || m > HQ_TEXT_MAX_WORD)
        return NULL;
    *out_len = (size_t)m;
    return (const char *)f->cps;
}

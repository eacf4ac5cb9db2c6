/*
 * utf8.c — UTF-8 validation, decoding and Unicode-aware white space.
 * Categories come from utf8proc; validation is a byte loop of our own
 * because it runs over every ingested byte.
 */
#include "base.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

long hq_utf8_invalid_at(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            if (c == 0xE0)
                lo = 0xA0; /* no overlongs */
            if (c == 0xED)
                hi = 0x9F; /* no surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            if (c == 0xF0)
                lo = 0x90;
            if (c == 0xF4)
                hi = 0x8F; /* nothing past U+10FFFF */
        } else {
            return (long)i;
        }
        if (len - i - 1 < n)
            return (long)i;
        if (s[i + 1] < lo || s[i + 1] > hi)
            return (long)i;
        for (size_t k = 2; k <= n; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return (long)i;
        i += n + 1;
    }
    return -1;
}

size_t hq_utf8_bom(const char *s, size_t len)
{
    return len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

int hq_utf8_decode(const char *s, size_t len, int32_t *cp)
{
    utf8proc_int32_t c;
    utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s,
                                          len > 4 ? 4 : (utf8proc_ssize_t)len, &c);
    if (n <= 0) {
        *cp = 0xFFFD;
        return 1;
    }
    *cp = c;
    return (int)n;
}

bool hq_unicode_is_space(int32_t cp)
{
    if (cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || cp == 0x85)
        return true;
    if (cp < 0x80)
        return false;
    utf8proc_category_t cat = utf8proc_category(cp);
    return cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL ||
           cat == UTF8PROC_CATEGORY_ZP;
}

const char *hq_utf8_trim(const char *s, size_t *len)
{
    size_t start = 0, end = *len;
    while (start < end) {
        int32_t cp;
        int n = hq_utf8_decode(s + start, end - start, &cp);
        if (!hq_unicode_is_space(cp))
            break;
        start += (size_t)n;
    }
    while (end > start) {
        size_t k = end - 1; /* step back to the start of the last code point */
        while (k > start && ((unsigned char)s[k] & 0xC0) == 0x80)
            k--;
        int32_t cp;
        hq_utf8_decode(s + k, end - k, &cp);
        if (!hq_unicode_is_space(cp))
            break;
        end = k;
    }
    *len = end - start;
    return s + start;
}

char *hq_utf8_squeeze(hq_arena *a, const char *s, size_t len)
{
    s = hq_utf8_trim(s, &len);
    char *out = hq_arena_alloc(a, len + 1);
    size_t o = 0, i = 0;
    bool in_space = false;
    while (i < len) {
        int32_t cp;
        int n = hq_utf8_decode(s + i, len - i, &cp);
        if (hq_unicode_is_space(cp)) {
            in_space = true;
        } else {
            if (in_space)
                out[o++] = ' ';
            in_space = false;
            for (int k = 0; k < n; k++)
                out[o++] = s[i + k];
        }
        i += (size_t)n;
    }
    out[o] = '\0';
    return out;
}

void hq_utf8_key(const char *s, hq_buf *out)
{
    hq_buf_reset(out);
    utf8proc_uint8_t *folded = NULL;
    utf8proc_ssize_t n =
        utf8proc_map((const utf8proc_uint8_t *)s, 0, &folded,
                     UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE |
                         UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_IGNORE);
    bool pending_space = false;
    for (utf8proc_ssize_t i = 0; i < n;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(folded + i, n - i, &cp);
        if (k <= 0)
            break;
        utf8proc_category_t cat = utf8proc_category(cp);
        bool word = (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
                    (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO);
        if (word) {
            if (pending_space && out->len > 0)
                hq_buf_append(out, " ", 1);
            hq_buf_append(out, folded + i, (size_t)k);
        }
        pending_space = !word;
        i += k;
    }
    free(folded);
}

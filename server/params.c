/*
 * params.c — what a request URL carries, decoded and checked: percent-
 * decoding (paths and query strings), the query string split into
 * parameters, strict decimal numbers, UTF-8 checks.  Pure functions over
 * bytes (unit-tested in tests/server/test_params.c); the router and the
 * handlers call them.
 */
#include "server.h"

#include <stdlib.h>
#include <string.h>

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

long hs_percent_decode(const char *s, size_t len, char *out, bool plus_is_space)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '%') {
            int hi = i + 1 < len ? hex_value(s[i + 1]) : -1;
            int lo = i + 2 < len ? hex_value(s[i + 2]) : -1;
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                return -1;
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '\0') {
            return -1;
        } else {
            out[o++] = plus_is_space && c == '+' ? ' ' : c;
        }
    }
    out[o] = '\0';
    return (long)o;
}

bool hs_text_ok(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        unsigned char c = p[i];
        if (c < 0x80) {
            if ((c < 0x20 && c != '\t') || c == 0x7F)
                return false;
            i++;
            continue;
        }
        size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
        if (n == 0 || c > 0xF4 || i + n > len)
            return false;
        for (size_t k = 1; k < n; k++)
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
        /* overlong 3/4-byte forms, surrogates, past U+10FFFF */
        if ((c == 0xE0 && p[i + 1] < 0xA0) || (c == 0xED && p[i + 1] >= 0xA0) ||
            (c == 0xF0 && p[i + 1] < 0x90) || (c == 0xF4 && p[i + 1] >= 0x90))
            return false;
        i += n;
    }
    return true;
}

void hs_params_free(hs_params *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->name[i]);
        free(p->value[i]);
    }
    p->n = 0;
}

/* Decodes s[0..len) into a new string, or NULL when it is malformed. */
static char *decode_part(const char *s, size_t len)
{
    char *out = malloc(len + 1);
    if (out == NULL)
        abort(); /* the project's out-of-memory policy */
    long n = hs_percent_decode(s, len, out, true);
    if (n < 0 || !hs_text_ok(out, (size_t)n)) {
        free(out);
        return NULL;
    }
    return out;
}

int hs_params_parse(const char *query, hs_params *p, const char **why)
{
    p->n = 0;
    for (const char *s = query; s != NULL && *s != '\0';) {
        const char *amp = strchr(s, '&');
        size_t len = amp ? (size_t)(amp - s) : strlen(s);
        if (len > 0) {
            if (p->n == HS_MAX_PARAMS) {
                *why = "too many query parameters";
                goto fail;
            }
            const char *eq = memchr(s, '=', len);
            size_t name_len = eq ? (size_t)(eq - s) : len;
            char *name = decode_part(s, name_len);
            char *value = eq ? decode_part(eq + 1, len - name_len - 1) : decode_part("", 0);
            if (name == NULL || value == NULL) {
                free(name);
                free(value);
                *why = "a query parameter has a bad %-escape or is not UTF-8 text";
                goto fail;
            }
            p->name[p->n] = name;
            p->value[p->n++] = value;
        }
        s = amp ? amp + 1 : NULL;
    }
    return 0;
fail:
    hs_params_free(p);
    return -1;
}

const char *hs_param(const hs_params *p, const char *name)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->name[i], name) == 0)
            return p->value[i];
    return NULL;
}

int hs_parse_size(const char *s, size_t min, size_t max, size_t *out)
{
    if (s == NULL || *s == '\0' || strlen(s) > 9)
        return -1;
    size_t v = 0;
    for (const char *c = s; *c; c++) {
        if (*c < '0' || *c > '9')
            return -1;
        v = v * 10 + (size_t)(*c - '0');
    }
    if (v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

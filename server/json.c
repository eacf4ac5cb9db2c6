/*
 * json.c — writing a jansson value as compact JSON, byte for byte what
 * json_dumps(value, JSON_COMPACT) writes, at a fraction of its cost.
 *
 * Why: a search reply is ~6 KB of JSON, and jansson's dump decodes every
 * character of every string and calls snprintf for every integer (the
 * highlight offsets): about 100 instructions a byte, an eighth of an
 * uncached search (callgrind, see bench/README.md).  Here strings are
 * copied in runs between the bytes that need escaping, integers are
 * written by hand, and everything goes into one growing buffer.
 *
 * The rules followed are jansson 2.14's (dump.c): keys in the object's
 * order; `"` `\` and the control characters escaped (\b \f \n \r \t by
 * name, the others as \u00XX in upper-case hex), every other byte as is
 * (strings were checked to be UTF-8 when jansson made them); reals as
 * "%.17g" with ".0" added when it has neither '.' nor 'e', and the
 * exponent without '+' or leading zeros.  tests/server/test_json.c
 * compares the two on many values.  Called by reply.c.
 */
#include "server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 2048 /* jansson's own limit is the same */

typedef struct out {
    char *p;
    size_t len, cap;
} out;

static void reserve(out *o, size_t n)
{
    if (o->len + n <= o->cap)
        return;
    size_t cap = o->cap ? o->cap : 4096;
    while (cap < o->len + n)
        cap *= 2;
    o->p = realloc(o->p, cap);
    if (o->p == NULL)
        abort();
    o->cap = cap;
}

static void put(out *o, const char *s, size_t n)
{
    reserve(o, n);
    memcpy(o->p + o->len, s, n);
    o->len += n;
}

static void put_char(out *o, char c)
{
    reserve(o, 1);
    o->p[o->len++] = c;
}

/* 1 for the bytes a JSON string may not hold as they are. */
static bool needs_escape(unsigned char c)
{
    return c < 0x20 || c == '"' || c == '\\';
}

static void put_string(out *o, const char *s, size_t len)
{
    static const char HEX[] = "0123456789ABCDEF";
    put_char(o, '"');
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!needs_escape(c))
            continue;
        put(o, s + run, i - run);
        run = i + 1;
        char esc[6] = {'\\', 0, 0, 0, 0, 0};
        size_t n = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = HEX[c >> 4];
            esc[5] = HEX[c & 15];
            n = 6;
        }
        put(o, esc, n);
    }
    put(o, s + run, len - run);
    put_char(o, '"');
}

static void put_integer(out *o, json_int_t v)
{
    char buf[24];
    size_t n = sizeof buf;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        buf[--n] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        buf[--n] = '-';
    put(o, buf + n, sizeof buf - n);
}

static void put_real(out *o, double v)
{
    char buf[40];
    int n = snprintf(buf, sizeof buf - 3, "%.17g", v);
    if (n < 0 || (size_t)n >= sizeof buf - 3)
        n = 0;
    buf[n] = '\0';
    if (strchr(buf, '.') == NULL && strchr(buf, 'e') == NULL) {
        memcpy(buf + n, ".0", 3);
        n += 2;
    }
    char *e = strchr(buf, 'e');
    if (e) { /* "1e+05" → "1e5", "1e-05" → "1e-5" */
        char *start = e + 1, *end = e + 2;
        if (*start == '-')
            start++;
        while (*end == '0')
            end++;
        if (end != start) {
            memmove(start, end, strlen(end) + 1);
            n = (int)strlen(buf);
        }
    }
    put(o, buf, (size_t)n);
}

static int put_value(out *o, const json_t *v, int depth)
{
    if (depth > MAX_DEPTH)
        return -1;
    switch (json_typeof(v)) {
    case JSON_NULL: put(o, "null", 4); return 0;
    case JSON_TRUE: put(o, "true", 4); return 0;
    case JSON_FALSE: put(o, "false", 5); return 0;
    case JSON_INTEGER: put_integer(o, json_integer_value(v)); return 0;
    case JSON_REAL: put_real(o, json_real_value(v)); return 0;
    case JSON_STRING: put_string(o, json_string_value(v), json_string_length(v)); return 0;
    case JSON_ARRAY:
        put_char(o, '[');
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                put_char(o, ',');
            if (put_value(o, json_array_get(v, i), depth + 1) != 0)
                return -1;
        }
        put_char(o, ']');
        return 0;
    case JSON_OBJECT: {
        put_char(o, '{');
        const char *key;
        size_t key_len;
        json_t *item;
        bool first = true;
        json_object_keylen_foreach((json_t *)v, key, key_len, item)
        {
            if (!first)
                put_char(o, ',');
            first = false;
            put_string(o, key, key_len);
            put_char(o, ':');
            if (put_value(o, item, depth + 1) != 0)
                return -1;
        }
        put_char(o, '}');
        return 0;
    }
    }
    return -1;
}

int hs_json_write(struct evbuffer *dst, const json_t *value)
{
    out o = {0};
    int rc = value ? put_value(&o, value, 0) : -1;
    if (rc == 0)
        evbuffer_add(dst, o.p, o.len);
    free(o.p);
    return rc;
}

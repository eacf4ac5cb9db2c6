/*
 * parser.c — the query syntax (see query.h): one pass over the text that
 * cuts it into items — bare words, quoted phrases, exclusions, filters —
 * and hands the text of each to the analyzer.  It owns the hq_query it
 * fills (strings and arrays in the query's arena); the engine calls it
 * once per search, and the snippet maker reads its scored terms.
 *
 * The parser never fails on ordinary text: quotes need not be closed,
 * a lone '-' or an unknown "word:" is text.  Errors are kept for what
 * the user should fix (an empty or unknown filter value, too much of
 * something) and carry the byte offset they concern.  The first error
 * stops the parse (p->rc is sticky: every step checks it).
 */
#include "query.h"

#include "../index/index.h"

#include <string.h>
#include <utf8proc.h>

typedef struct parser {
    hq_analyzer *a;
    const char *text;
    size_t len;
    hq_query *q;
    hq_tokens toks; /* the analysis of the current item */
    hq_error *err;
    hq_status rc;   /* the first error; nothing is done once it is set */
} parser;

static const char *const FILTER_NAMES[] = {"source", "type", "trust"};

const char *hq_filter_name(hq_filter_kind kind)
{
    return (unsigned)kind < 3 ? FILTER_NAMES[kind] : "?";
}

/* ---- characters ---------------------------------------------------- */

/* The code point at text[i] (U+FFFD past the end) and its length in *n. */
static int32_t cp_at(const parser *p, size_t i, size_t *n)
{
    int32_t cp = 0xFFFD;
    *n = i < p->len ? (size_t)hq_utf8_decode(p->text + i, p->len - i, &cp) : 0;
    return cp;
}

/* The byte length of the white space character at text[i], or 0. */
static size_t space_len(const parser *p, size_t i)
{
    size_t n;
    int32_t cp = cp_at(p, i, &n);
    return n > 0 && hq_unicode_is_space(cp) ? n : 0;
}

/* The byte length of the quotation mark at text[i], or 0.  Typed and
 * typographic double quotes all count; single quotes do not (they are
 * apostrophes in women's, don’t). */
static size_t quote_len(const parser *p, size_t i)
{
    size_t n;
    switch (cp_at(p, i, &n)) {
    case '"':
    case 0x00AB: /* « */
    case 0x00BB: /* » */
    case 0x201C: /* “ */
    case 0x201D: /* ” */
    case 0x201E: /* „ */
    case 0x201F: /* ‟ */
    case 0xFF02: /* ＂ fullwidth */
        return n;
    default:
        return 0;
    }
}

/* The offset of the next quotation mark at or after i, or len. */
static size_t find_quote(const parser *p, size_t i)
{
    while (i < p->len && quote_len(p, i) == 0)
        i++;
    return i;
}

/* The end of the bare word starting at i: the next white space or
 * quotation mark, or len. */
static size_t bare_end(const parser *p, size_t i)
{
    while (i < p->len && space_len(p, i) == 0 && quote_len(p, i) == 0) {
        size_t n;
        cp_at(p, i, &n);
        i += n;
    }
    return i;
}

static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* When text[i..] starts with a field name (any case) and a colon, returns
 * true with the field in *kind and the offset after the colon in *value. */
static bool field_at(const parser *p, size_t i, hq_filter_kind *kind, size_t *value)
{
    for (int k = 0; k < 3; k++) {
        size_t n = strlen(FILTER_NAMES[k]);
        if (p->len - i <= n || p->text[i + n] != ':')
            continue;
        size_t j = 0;
        while (j < n && ascii_lower(p->text[i + j]) == FILTER_NAMES[k][j])
            j++;
        if (j == n) {
            *kind = (hq_filter_kind)k;
            *value = i + n + 1;
            return true;
        }
    }
    return false;
}

/* ---- building the query -------------------------------------------- */

/* Records the first error (later ones are consequences of it). */
#define FAIL(p, code, off, ...)                                                   \
    do {                                                                          \
        if ((p)->rc == HQ_OK) {                                                   \
            (p)->rc = (code);                                                     \
            hq_fail((p)->err, (code), "query", 0, (long)(off), __VA_ARGS__);      \
        }                                                                         \
    } while (0)

/* Finds term among n qterms; NULL when absent. */
static hq_qterm *find_term(hq_qterm *terms, uint32_t n, const char *term, uint32_t len)
{
    for (uint32_t i = 0; i < n; i++)
        if (terms[i].len == len && memcmp(terms[i].term, term, len) == 0)
            return &terms[i];
    return NULL;
}

/* Counts one occurrence of the scored term t found at byte off. */
static void add_scored(parser *p, const hq_token *t, size_t off)
{
    hq_query *q = p->q;
    if (p->rc != HQ_OK || t->len > HQ_MAX_TERM_BYTES)
        return;
    hq_qterm *have = find_term(q->terms, q->n_terms, t->term, t->len);
    if (have != NULL) {
        have->weight += 1.0f;
        return;
    }
    if (q->n_terms == HQ_QUERY_MAX_TERMS) {
        FAIL(p, HQ_ELIMIT, off, "the query has more than %d different words", HQ_QUERY_MAX_TERMS);
        return;
    }
    q->terms[q->n_terms++] = (hq_qterm){
        .term = hq_arena_strndup(&q->arena, t->term, t->len), .len = t->len, .weight = 1.0f};
}

/* True when token k of p->toks is a hyphenated compound whose parts
 * follow it (the parts start before the compound ends). */
static bool is_compound(const parser *p, size_t k)
{
    return k + 1 < p->toks.n && p->toks.items[k + 1].start < p->toks.items[k].end;
}

/* The number of words the current analysis gives a phrase: its tokens
 * less the compounds (their parts stand for them). */
static uint32_t phrase_words(const parser *p)
{
    uint32_t n = 0;
    for (size_t k = 0; k < p->toks.n; k++)
        if (!is_compound(p, k) && p->toks.items[k].len <= HQ_MAX_TERM_BYTES)
            n++;
    return n;
}

/* Adds the current analysis as a phrase (of n words, n >= 1), found at
 * byte off of the query. */
static void add_phrase(parser *p, uint32_t n, bool excluded, size_t off)
{
    hq_query *q = p->q;
    if (p->rc != HQ_OK)
        return;
    if (q->n_phrases == HQ_QUERY_MAX_PHRASES) {
        FAIL(p, HQ_ELIMIT, off, "the query has more than %d phrases", HQ_QUERY_MAX_PHRASES);
        return;
    }
    hq_phrase *ph = &q->phrases[q->n_phrases++];
    ph->terms = hq_arena_alloc(&q->arena, n * sizeof *ph->terms);
    ph->n = 0;
    ph->excluded = excluded;
    uint32_t first = 0;
    for (size_t k = 0; k < p->toks.n; k++) {
        const hq_token *t = &p->toks.items[k];
        if (is_compound(p, k) || t->len > HQ_MAX_TERM_BYTES)
            continue;
        if (ph->n == 0)
            first = t->pos;
        ph->terms[ph->n++] = (hq_qterm){.term = hq_arena_strndup(&q->arena, t->term, t->len),
                                        .len = t->len,
                                        .weight = 1.0f,
                                        .pos = t->pos - first};
    }
}

static void add_excluded(parser *p, const hq_token *t, size_t off)
{
    hq_query *q = p->q;
    if (p->rc != HQ_OK || find_term(q->excluded, q->n_excluded, t->term, t->len) != NULL)
        return;
    if (q->n_excluded == HQ_QUERY_MAX_EXCLUDED) {
        FAIL(p, HQ_ELIMIT, off, "the query excludes more than %d words", HQ_QUERY_MAX_EXCLUDED);
        return;
    }
    q->excluded[q->n_excluded++] = (hq_qterm){
        .term = hq_arena_strndup(&q->arena, t->term, t->len), .len = t->len, .weight = 1.0f};
}

/* ---- items --------------------------------------------------------- */

/* Text text[s..e) of an item starting at byte at: free words, a phrase
 * (quoted) or an exclusion. */
static void add_text(parser *p, size_t at, size_t s, size_t e, bool quoted, bool excluded)
{
    hq_analyze(p->a, p->text + s, e - s, 0, &p->toks);
    if (!excluded)
        for (size_t k = 0; k < p->toks.n; k++)
            add_scored(p, &p->toks.items[k], s + p->toks.items[k].start);
    if (!quoted && !excluded)
        return;
    uint32_t n = phrase_words(p);
    if (n == 0)
        return; /* only stop words: nothing to require or exclude */
    if (excluded && !quoted && n == 1) {
        for (size_t k = 0; k < p->toks.n; k++)
            if (!is_compound(p, k) && p->toks.items[k].len <= HQ_MAX_TERM_BYTES)
                add_excluded(p, &p->toks.items[k], at);
        return;
    }
    add_phrase(p, n, excluded, at);
}

/* Lower-cases value (UTF-8, valid) into the arena. */
static const char *lower_case(hq_arena *arena, const char *s)
{
    size_t len = strlen(s);
    /* ASCII stays one byte; any other code point's lower case takes at
       most 4 bytes, i.e. at most twice its own length */
    char *out = hq_arena_alloc(arena, 2 * len + 1);
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        int32_t cp;
        i += (size_t)hq_utf8_decode(s + i, len - i, &cp);
        o += (size_t)utf8proc_encode_char(utf8proc_tolower(cp), (utf8proc_uint8_t *)out + o);
    }
    out[o] = '\0';
    return out;
}

/* A filter starting at byte at, its value at byte v (just after the
 * colon).  Returns the offset after the item. */
static size_t add_filter(parser *p, size_t at, size_t v, hq_filter_kind kind, bool excluded)
{
    hq_query *q = p->q;
    size_t vs = v, ve, next;
    size_t ql = quote_len(p, v);
    if (ql > 0) {
        vs = v + ql;
        ve = find_quote(p, vs);
        next = ve < p->len ? ve + quote_len(p, ve) : ve;
    } else {
        ve = next = bare_end(p, v);
    }
    size_t vlen = ve - vs;
    const char *val = hq_utf8_trim(p->text + vs, &vlen);
    if (vlen == 0) {
        FAIL(p, HQ_EINVAL, v,
             "the filter %s: has no value (write it with no space after the colon, "
             "e.g. source:GARD or type:\"exams and tests\")",
             hq_filter_name(kind));
        return next;
    }
    if (q->n_filters == HQ_QUERY_MAX_FILTERS) {
        FAIL(p, HQ_ELIMIT, at, "the query has more than %d filters", HQ_QUERY_MAX_FILTERS);
        return next;
    }
    const char *value = hq_utf8_squeeze(&q->arena, val, vlen);
    if (kind == HQ_FILTER_TYPE)
        value = lower_case(&q->arena, value);
    if (kind == HQ_FILTER_TRUST) {
        const char *lower = lower_case(&q->arena, value);
        const char *name = NULL;
        for (int code = HQ_TRUST_HIGH; code <= HQ_TRUST_UNKNOWN; code++)
            if (strcmp(lower, hq_trust_name(code)) == 0)
                name = hq_trust_name(code);
        if (name == NULL) {
            FAIL(p, HQ_EINVAL, val - p->text,
                 "unknown trust level \"%s\": use trust:high, trust:medium, trust:low or "
                 "trust:unknown",
                 value);
            return next;
        }
        value = name;
    }
    q->filters[q->n_filters++] = (hq_filter){.kind = kind, .value = value, .excluded = excluded};
    return next;
}

/* The item starting at byte at (not white space).  Returns the offset
 * after it (> at). */
static size_t parse_item(parser *p, size_t at)
{
    size_t i = at;
    bool excluded = false;
    if (p->text[i] == '-' && i + 1 < p->len && space_len(p, i + 1) == 0) {
        excluded = true;
        i++;
    }
    size_t ql = quote_len(p, i);
    if (ql > 0) {
        size_t s = i + ql, e = find_quote(p, s);
        add_text(p, at, s, e, true, excluded);
        return e < p->len ? e + quote_len(p, e) : e;
    }
    hq_filter_kind kind;
    size_t v;
    if (field_at(p, i, &kind, &v))
        return add_filter(p, at, v, kind, excluded);
    size_t e = bare_end(p, i);
    add_text(p, at, i, e, false, excluded);
    return e;
}

/* ---- the entry points ---------------------------------------------- */

static void query_init(hq_query *q)
{
    memset(q, 0, sizeof *q);
    hq_arena_init(&q->arena);
}

void hq_query_free(hq_query *q)
{
    if (q == NULL)
        return;
    hq_arena_free(&q->arena);
    query_init(q);
}

/* Checks the whole text before reading it. */
static hq_status check_text(parser *p)
{
    if (p->len > HQ_MAX_QUERY_BYTES) {
        FAIL(p, HQ_ELIMIT, HQ_MAX_QUERY_BYTES, "the query is longer than %d bytes", HQ_MAX_QUERY_BYTES);
        return p->rc;
    }
    long bad = hq_utf8_invalid_at(p->text, p->len);
    if (bad >= 0) {
        FAIL(p, HQ_EUTF8, bad, "the query is not valid UTF-8 (byte %ld)", bad);
        return p->rc;
    }
    const char *nul = p->len > 0 ? memchr(p->text, '\0', p->len) : NULL;
    if (nul != NULL) {
        FAIL(p, HQ_EINVAL, nul - p->text, "the query holds a NUL byte (byte %ld)",
             (long)(nul - p->text));
    }
    return p->rc;
}

static bool has_search(const hq_query *q)
{
    if (q->n_terms > 0)
        return true;
    for (uint32_t i = 0; i < q->n_filters; i++)
        if (!q->filters[i].excluded)
            return true;
    return false;
}

hq_status hq_query_parse(hq_analyzer *a, const char *text, size_t len, hq_query *q,
                         hq_error *err)
{
    query_init(q);
    parser p = {.a = a, .text = text ? text : "", .len = text ? len : 0, .q = q, .err = err};
    if (check_text(&p) != HQ_OK)
        goto cleanup;
    q->terms = hq_arena_alloc(&q->arena, HQ_QUERY_MAX_TERMS * sizeof *q->terms);
    q->phrases = hq_arena_alloc(&q->arena, HQ_QUERY_MAX_PHRASES * sizeof *q->phrases);
    q->excluded = hq_arena_alloc(&q->arena, HQ_QUERY_MAX_EXCLUDED * sizeof *q->excluded);
    q->filters = hq_arena_alloc(&q->arena, HQ_QUERY_MAX_FILTERS * sizeof *q->filters);
    size_t i = 0;
    while (i < p.len && p.rc == HQ_OK) {
        size_t n = space_len(&p, i);
        i = n > 0 ? i + n : parse_item(&p, i);
    }
    if (p.rc == HQ_OK && !has_search(q))
        FAIL(&p, HQ_EINVAL, -1, "the query has no word to search for");
cleanup:
    hq_tokens_free(&p.toks);
    if (p.rc != HQ_OK)
        hq_query_free(q);
    return p.rc;
}

/* ---- the dump ------------------------------------------------------ */

/* Starts a part of the dump (a " | " before all but the first one, which
 * is the first thing after start). */
static void dump_part(hq_buf *out, size_t start, const char *label)
{
    if (out->len > start)
        hq_buf_puts(out, " | ");
    hq_buf_puts(out, label);
}

static void dump_phrases(const hq_query *q, hq_buf *out, size_t start, bool excluded)
{
    bool any = false;
    for (uint32_t i = 0; i < q->n_phrases; i++) {
        const hq_phrase *ph = &q->phrases[i];
        if (ph->excluded != excluded)
            continue;
        if (!any)
            dump_part(out, start, excluded ? "not-phrase:" : "phrase:");
        any = true;
        hq_buf_puts(out, " \"");
        for (uint32_t k = 0; k < ph->n; k++)
            hq_buf_printf(out, "%s%s@%u", k ? " " : "", ph->terms[k].term, ph->terms[k].pos);
        hq_buf_puts(out, "\"");
    }
}

void hq_query_dump(const hq_query *q, hq_buf *out)
{
    size_t start = out->len;
    if (q->n_terms > 0) {
        dump_part(out, start, "terms:");
        for (uint32_t i = 0; i < q->n_terms; i++)
            hq_buf_printf(out, " %s(%g)", q->terms[i].term, (double)q->terms[i].weight);
    }
    dump_phrases(q, out, start, false);
    if (q->n_excluded > 0) {
        dump_part(out, start, "not:");
        for (uint32_t i = 0; i < q->n_excluded; i++)
            hq_buf_printf(out, " %s", q->excluded[i].term);
    }
    dump_phrases(q, out, start, true);
    for (uint32_t i = 0; i < q->n_filters; i++) {
        const hq_filter *f = &q->filters[i];
        if (i == 0)
            dump_part(out, start, "");
        else
            hq_buf_puts(out, " ");
        bool quote = strpbrk(f->value, " |") != NULL;
        hq_buf_printf(out, "%s%s%s%s%s", hq_filter_name(f->kind), f->excluded ? "!=" : "=",
                      quote ? "\"" : "", f->value, quote ? "\"" : "");
    }
}

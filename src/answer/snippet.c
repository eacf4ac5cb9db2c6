/*
 * snippet.c — the passage of a section's body shown under a result, with
 * the query's words highlighted.  The engine calls it for each result it
 * shows; it owns nothing past the call (the snippet it returns is the
 * caller's).
 *
 * The steps:
 *   1. normalise the body: white space runs become one space ('\n' when
 *      the run held a line break, to find sentence starts; written out as
 *      a space), control characters and malformed bytes count as white
 *      space, both ends trimmed.  All offsets below are in this text, so
 *      lengths are output lengths;
 *   2. analyse it as the index does and mark the tokens whose term is a
 *      scored term of the query (the matches);
 *   3. slide a window over the matches (two pointers, O(matches)) and
 *      keep the best: distinct terms (weighted) × 10 + matches;
 *   4. place the cuts: a sentence start or some context before, white
 *      space (else a token or character boundary) at the end.
 */
#include "answer.h"

#include <stdlib.h>
#include <string.h>

static const char ELLIPSIS[] = "\xE2\x80\xA6"; /* U+2026 */
#define ELLIPSIS_LEN 3

typedef struct match {
    uint32_t start, end; /* bytes of the normalised body */
    uint32_t term;       /* index in q->terms */
} match;

typedef struct snip {
    const hq_query *q;
    char *text; /* the normalised body */
    size_t len;
    size_t max; /* bytes of body text the snippet may show */
    hq_tokens toks;
    match *m;
    size_t n_m;
} snip;

/* ---- 1. normalising ------------------------------------------------ */

/* The length of the well-formed UTF-8 sequence at s[0..len) and its code
 * point, or 0 when it is malformed. */
static size_t next_char(const char *s, size_t len, int32_t *cp)
{
    int n = hq_utf8_decode(s, len, cp);
    if ((unsigned char)s[0] >= 0x80 && hq_utf8_invalid_at(s, (size_t)n) >= 0)
        return 0;
    return (size_t)n;
}

static bool blank(int32_t cp)
{
    if (cp < 0xA0) /* the ASCII and C1 controls, and the ASCII space */
        return cp <= 0x20 || cp >= 0x7F;
    return hq_unicode_is_space(cp);
}

static bool line_break(int32_t cp)
{
    return cp == '\n' || cp == '\r' || cp == 0x0B || cp == 0x0C || cp == 0x85 || cp == 0x2028 ||
           cp == 0x2029;
}

/* Fills sn->text and sn->len from body[0..len). */
static void normalise(snip *sn, const char *body, size_t len)
{
    char *out = hq_xmalloc(len + 1);
    size_t o = 0;
    bool gap = false, brk = false;
    for (size_t i = 0; i < len;) {
        int32_t cp = (unsigned char)body[i];
        size_t n = cp < 0x80 ? 1 : next_char(body + i, len - i, &cp); /* ASCII: no decoding */
        if (n == 0 || blank(cp)) {
            gap = true;
            brk = brk || (n > 0 && line_break(cp));
            i += n > 0 ? n : 1;
            continue;
        }
        if (gap && o > 0)
            out[o++] = brk ? '\n' : ' ';
        gap = brk = false;
        if (n == 1)
            out[o] = body[i];
        else
            memcpy(out + o, body + i, n);
        o += n;
        i += n;
    }
    out[o] = '\0';
    sn->text = out;
    sn->len = o;
}

/* ---- 2. matching --------------------------------------------------- */

/* An open-addressing set of the query's scored terms. */
typedef struct term_set {
    int32_t *slots; /* index in q->terms, or -1 */
    size_t mask;
} term_set;

static void set_init(term_set *set, const hq_query *q)
{
    size_t size = 8;
    while (size < 2 * (size_t)q->n_terms)
        size *= 2;
    set->slots = hq_xmalloc(size * sizeof *set->slots);
    set->mask = size - 1;
    for (size_t i = 0; i < size; i++)
        set->slots[i] = -1;
    for (uint32_t t = 0; t < q->n_terms; t++) {
        size_t h = (size_t)hq_hash64(q->terms[t].term, q->terms[t].len, HQ_HASH_SEED) & set->mask;
        while (set->slots[h] >= 0)
            h = (h + 1) & set->mask;
        set->slots[h] = (int32_t)t;
    }
}

static int32_t set_find(const term_set *set, const hq_query *q, const char *term, uint32_t len)
{
    size_t h = (size_t)hq_hash64(term, len, HQ_HASH_SEED) & set->mask;
    for (; set->slots[h] >= 0; h = (h + 1) & set->mask) {
        const hq_qterm *t = &q->terms[set->slots[h]];
        if (t->len == len && memcmp(t->term, term, len) == 0)
            return set->slots[h];
    }
    return -1;
}

/* Analyses sn->text and collects the matches (in text order). */
static void find_matches(snip *sn, hq_analyzer *a)
{
    hq_analyze(a, sn->text, sn->len, 0, &sn->toks);
    if (sn->q == NULL || sn->q->n_terms == 0)
        return;
    term_set set;
    set_init(&set, sn->q);
    size_t cap = 0;
    for (size_t k = 0; k < sn->toks.n; k++) {
        const hq_token *t = &sn->toks.items[k];
        int32_t term = set_find(&set, sn->q, t->term, t->len);
        if (term < 0)
            continue;
        hq_grow((void **)&sn->m, &cap, sn->n_m + 1, sizeof *sn->m);
        sn->m[sn->n_m++] = (match){.start = t->start, .end = t->end, .term = (uint32_t)term};
    }
    free(set.slots);
}

/* ---- 3. the best window -------------------------------------------- */

/* Finds the best run of matches whose bytes fit sn->max; false when no
 * match fits.  [*ws, *we) are the bytes from its first match's start to
 * its furthest match end.  The window is m[i..j): j grows while m[j]
 * ends within max bytes of m[i]'s start, then i moves on; counts per term
 * give the distinct terms in O(1) per step. */
static bool best_window(const snip *sn, size_t *ws, size_t *we)
{
    const hq_query *q = sn->q;
    if (sn->n_m == 0)
        return false;
    uint32_t *count = hq_xcalloc(q->n_terms, sizeof *count);
    double distinct = 0, best = -1;
    size_t best_i = 0, best_j = 0, j = 0;
    for (size_t i = 0; i < sn->n_m; i++) {
        if (j < i)
            j = i; /* m[i - 1] did not fit on its own */
        while (j < sn->n_m && sn->m[j].end - sn->m[i].start <= sn->max) {
            if (count[sn->m[j].term]++ == 0)
                distinct += q->terms[sn->m[j].term].weight;
            j++;
        }
        if (j == i)
            continue; /* m[i] alone is longer than max */
        double score = distinct * 10 + (double)(j - i);
        if (score > best) {
            best = score;
            best_i = i;
            best_j = j;
        }
        if (--count[sn->m[i].term] == 0)
            distinct -= q->terms[sn->m[i].term].weight;
    }
    free(count);
    if (best < 0)
        return false;
    *ws = sn->m[best_i].start;
    *we = 0;
    for (size_t k = best_i; k < best_j; k++)
        if (sn->m[k].end > *we)
            *we = sn->m[k].end;
    return true;
}

/* ---- 4. cutting ---------------------------------------------------- */

static bool is_sp(char c)
{
    return c == ' ' || c == '\n';
}

/* A word of white-space-separated text starts / ends at p. */
static bool chunk_start(const snip *sn, size_t p)
{
    return p < sn->len && (p == 0 || is_sp(sn->text[p - 1]));
}

static bool chunk_end(const snip *sn, size_t p)
{
    return p == sn->len || (p > 0 && is_sp(sn->text[p]));
}

/* A sentence starts at p: the start of the body, after a line break,
 * after . ! ? (and a closing bracket or quote) and a space, or after a
 * CJK full stop, exclamation or question mark. */
static bool sentence_start(const snip *sn, size_t p)
{
    const char *t = sn->text;
    if (p >= sn->len || is_sp(t[p]))
        return false;
    if (p == 0 || t[p - 1] == '\n')
        return true;
    if (p >= 3 && (memcmp(t + p - 3, "\xE3\x80\x82", 3) == 0 ||  /* 。 */
                   memcmp(t + p - 3, "\xEF\xBC\x81", 3) == 0 ||  /* ！ */
                   memcmp(t + p - 3, "\xEF\xBC\x9F", 3) == 0))   /* ？ */
        return true;
    if (t[p - 1] != ' ' || p < 2)
        return false;
    size_t k = p - 2;
    while (k > 0 && (t[k] == ')' || t[k] == '"' || t[k] == '\''))
        k--;
    return t[k] == '.' || t[k] == '!' || t[k] == '?';
}

/* The start of the snippet for a window [ws, we) of the matches. */
static size_t choose_start(const snip *sn, size_t ws, size_t we)
{
    size_t max = sn->max;
    size_t lo = we > max ? we - max : 0; /* the earliest start keeping we */
    size_t near = ws > max / 2 ? ws - max / 2 : 0;
    size_t from = lo > near ? lo : near;
    for (size_t p = ws + 1; p-- > from;)
        if (sentence_start(sn, p))
            return p;
    /* some context: about a third of the room left */
    size_t slack = max - (we - ws);
    size_t target = ws - (slack / 3 < ws ? slack / 3 : ws);
    for (size_t p = target; p <= ws; p++)
        if (chunk_start(sn, p))
            return p;
    size_t back = target > lo + slack / 3 ? target - slack / 3 : lo;
    for (size_t p = target; p > back;)
        if (chunk_start(sn, --p))
            return p;
    for (size_t k = 0; k < sn->toks.n; k++) /* no white space: a word or CJK character */
        if (sn->toks.items[k].start >= target && sn->toks.items[k].start <= ws)
            return sn->toks.items[k].start;
    return ws;
}

/* The end of the snippet starting at s that shows at least up to we:
 * white space within reach, else a token end, else a character end. */
static size_t choose_end(const snip *sn, size_t s, size_t we)
{
    size_t hi = s + sn->max;
    if (hi >= sn->len)
        return sn->len;
    size_t floor = we > s ? we : s + 1;
    for (size_t p = hi; p >= floor; p--) {
        if (!chunk_end(sn, p))
            continue;
        /* leave out a dangling comma, colon or bracket before the "…" */
        while (p > floor && (strchr(",;:(", sn->text[p - 1]) || is_sp(sn->text[p - 1])))
            p--;
        return p;
    }
    size_t e = 0;
    for (size_t k = 0; k < sn->toks.n; k++) {
        size_t end = sn->toks.items[k].end;
        if (end <= hi && end >= floor && end > e)
            e = end;
    }
    if (e > 0)
        return e;
    for (e = hi; e > floor && ((unsigned char)sn->text[e] & 0xC0) == 0x80; e--)
        ;
    return e > s ? e : we;
}

/* When the snippet reaches the end of the body, uses the room left to
 * show more before s: from the earliest sentence start in reach (s
 * itself when it is one and none is earlier), else from the earliest
 * word start.  Returns the new start. */
static size_t widen(const snip *sn, size_t s)
{
    size_t lo = sn->len > sn->max ? sn->len - sn->max : 0;
    for (size_t p = lo; p <= s; p++)
        if (sentence_start(sn, p))
            return p;
    for (size_t p = lo; p < s; p++)
        if (chunk_start(sn, p))
            return p;
    return s;
}

/* ---- assembling ---------------------------------------------------- */

/* Writes text[s..e) with its ellipses and the spans of the matches it
 * shows whole into out. */
static void assemble(const snip *sn, size_t s, size_t e, hq_snippet *out)
{
    size_t lead = s > 0 ? ELLIPSIS_LEN : 0, tail = e < sn->len ? ELLIPSIS_LEN : 0;
    char *t = hq_xmalloc(lead + (e - s) + tail + 1);
    memcpy(t, ELLIPSIS, lead);
    for (size_t i = s; i < e; i++)
        t[lead + i - s] = sn->text[i] == '\n' ? ' ' : sn->text[i];
    memcpy(t + lead + (e - s), ELLIPSIS, tail);
    t[lead + (e - s) + tail] = '\0';
    out->text = t;

    size_t cap = 0;
    for (size_t k = 0; k < sn->n_m; k++) {
        const match *m = &sn->m[k];
        if (m->start < s || m->end > e)
            continue;
        hq_span span = {(uint32_t)(lead + m->start - s), (uint32_t)(lead + m->end - s)};
        hq_span *last = out->n_spans > 0 ? &out->spans[out->n_spans - 1] : NULL;
        if (last != NULL && span.start < last->end) {
            if (span.end > last->end)
                last->end = span.end; /* overlapping matches: one span */
            continue;
        }
        hq_grow((void **)&out->spans, &cap, out->n_spans + 1, sizeof *out->spans);
        out->spans[out->n_spans++] = span;
    }
}

hq_status hq_snippet_make(hq_analyzer *a, const char *body, size_t len, const hq_query *q,
                          size_t max_bytes, hq_snippet *out)
{
    memset(out, 0, sizeof *out);
    if (len > HQ_TEXT_MAX_INPUT)
        return HQ_ELIMIT;
    snip sn = {.q = q};
    sn.max = max_bytes == 0 ? HQ_SNIPPET_DEFAULT_BYTES : max_bytes;
    if (sn.max < HQ_SNIPPET_MIN_BYTES)
        sn.max = HQ_SNIPPET_MIN_BYTES;
    normalise(&sn, body ? body : "", body ? len : 0);
    find_matches(&sn, a);
    size_t s = 0, e = sn.len, ws, we;
    if (sn.len > sn.max) {
        if (best_window(&sn, &ws, &we)) {
            s = choose_start(&sn, ws, we);
            e = choose_end(&sn, s, we);
        } else {
            e = choose_end(&sn, 0, 0);
        }
        if (e == sn.len && s > 0)
            s = widen(&sn, s);
    }
    assemble(&sn, s, e, out);
    hq_tokens_free(&sn.toks);
    free(sn.m);
    free(sn.text);
    return HQ_OK;
}

void hq_snippet_free(hq_snippet *s)
{
    if (s == NULL)
        return;
    free(s->text);
    free(s->spans);
    memset(s, 0, sizeof *s);
}

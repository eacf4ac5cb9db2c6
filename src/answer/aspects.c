/*
 * aspects.c — the aspects of the answer card (what it is, why it
 * happens, what you can do, when to see a doctor) and which of them a
 * sentence speaks to.  The table is data (data/aspects.tsv, its format
 * at its top): aspects in card order with their headings, the default
 * aspect of each section question type, the aspect each question type
 * asks for, and cue phrases that put a sentence under an aspect whatever
 * its section.
 *
 * Cue phrases are analysed as question cues are (folded, stemmed, stop
 * words kept) and matched with a phrase map, leftmost-longest, over the
 * same analysis of a section's body.  A loaded table is read-only.
 */
#include "answer.h"

#include <stdlib.h>
#include <string.h>

#ifndef HQ_DATA_DIR
#define HQ_DATA_DIR "data"
#endif

#define MAX_CUE_TERMS 16
#define MAX_TYPE_MAP 128

typedef struct type_map {
    const char *type;
    int aspect;
} type_map;

struct hq_aspects {
    hq_arena arena;
    const char *name[HQ_ASPECT_MAX], *heading[HQ_ASPECT_MAX];
    int n;
    type_map section[MAX_TYPE_MAP], asks[MAX_TYPE_MAP];
    size_t n_section, n_asks;
    hq_phrasemap *cues; /* payload value: the aspect */
    size_t n_cues;
};

const char *hq_aspects_default_path(void)
{
    const char *env = getenv("HEALTHQA_ASPECTS");
    return env && *env ? env : HQ_DATA_DIR "/aspects.tsv";
}

typedef struct load_ctx {
    hq_aspects *t;
    hq_analyzer *a;
    hq_tokens toks;
    const char *path;
    hq_error *err;
} load_ctx;

static int aspect_named(const hq_aspects *t, const char *name)
{
    for (int i = 0; i < t->n; i++)
        if (strcmp(t->name[i], name) == 0)
            return i;
    return HQ_ASPECT_NONE;
}

/* The aspect named b of a line, or a failure naming the line. */
static hq_status need_aspect(load_ctx *c, long lineno, const char *b, int *out)
{
    *out = aspect_named(c->t, b);
    if (*out == HQ_ASPECT_NONE)
        return hq_fail(c->err, HQ_EFORMAT, c->path, lineno, -1,
                       "unknown aspect '%s' (declare it first with an \"aspect\" line)", b);
    return HQ_OK;
}

static hq_status add_type(load_ctx *c, long lineno, type_map *map, size_t *n, const char *type,
                          const char *aspect)
{
    int id;
    hq_status rc = need_aspect(c, lineno, aspect, &id);
    if (rc != HQ_OK)
        return rc;
    if (*n == MAX_TYPE_MAP)
        return hq_fail(c->err, HQ_ELIMIT, c->path, lineno, -1, "more than %d type lines",
                       MAX_TYPE_MAP);
    map[(*n)++] = (type_map){hq_arena_strdup(&c->t->arena, type), id};
    return HQ_OK;
}

static hq_status add_cue(load_ctx *c, long lineno, const char *aspect, const char *phrase)
{
    int id;
    hq_status rc = need_aspect(c, lineno, aspect, &id);
    if (rc != HQ_OK)
        return rc;
    uint64_t terms[MAX_CUE_TERMS];
    hq_analyze(c->a, phrase, strlen(phrase), HQ_ANALYZE_KEEP_STOPWORDS, &c->toks);
    size_t n = hq_phrase_terms(&c->toks, terms, NULL, MAX_CUE_TERMS);
    if (n == 0)
        return hq_fail(c->err, HQ_EFORMAT, c->path, lineno, -1, "the cue has no word");
    hq_phrasemap_add(c->t->cues, terms, n, (uint32_t)id, 0);
    c->t->n_cues++;
    return HQ_OK;
}

static hq_status aspect_line(void *vctx, char *line, long lineno)
{
    load_ctx *c = vctx;
    if (line[0] == '#' || line[0] == '\0')
        return HQ_OK;
    char *kind = line, *a = strchr(line, '\t');
    char *b = a ? strchr(a + 1, '\t') : NULL;
    if (b == NULL || a[1] == '\t' || b[1] == '\0')
        return hq_fail(c->err, HQ_EFORMAT, c->path, lineno, -1,
                       "expected \"kind<TAB>a<TAB>b\" with a and b not empty");
    *a++ = '\0';
    *b++ = '\0';
    if (strcmp(kind, "aspect") == 0) {
        if (aspect_named(c->t, a) != HQ_ASPECT_NONE)
            return hq_fail(c->err, HQ_EFORMAT, c->path, lineno, -1, "aspect '%s' declared twice", a);
        if (c->t->n == HQ_ASPECT_MAX)
            return hq_fail(c->err, HQ_ELIMIT, c->path, lineno, -1, "more than %d aspects",
                           HQ_ASPECT_MAX);
        c->t->name[c->t->n] = hq_arena_strdup(&c->t->arena, a);
        c->t->heading[c->t->n++] = hq_arena_strdup(&c->t->arena, b);
        return HQ_OK;
    }
    if (strcmp(kind, "type") == 0)
        return add_type(c, lineno, c->t->section, &c->t->n_section, a, b);
    if (strcmp(kind, "asks") == 0)
        return add_type(c, lineno, c->t->asks, &c->t->n_asks, a, b);
    if (strcmp(kind, "cue") == 0)
        return add_cue(c, lineno, a, b);
    return hq_fail(c->err, HQ_EFORMAT, c->path, lineno, -1,
                   "unknown kind '%s' (expected aspect, type, asks or cue)", kind);
}

hq_status hq_aspects_load(const char *path, hq_analyzer *a, hq_aspects **out, hq_error *err)
{
    hq_aspects *t = hq_xcalloc(1, sizeof *t);
    hq_arena_init(&t->arena);
    t->cues = hq_phrasemap_new();
    load_ctx ctx = {t, a, {0}, path, err};
    hq_status rc = hq_read_lines(path, 1u << 20, aspect_line, &ctx, err);
    hq_tokens_free(&ctx.toks);
    if (rc == HQ_OK && t->n == 0)
        rc = hq_fail(err, HQ_EFORMAT, path, 0, -1, "no aspect declared");
    if (rc != HQ_OK) {
        hq_aspects_free(t);
        t = NULL;
    }
    *out = t;
    return rc;
}

void hq_aspects_free(hq_aspects *t)
{
    if (t == NULL)
        return;
    hq_phrasemap_free(t->cues);
    hq_arena_free(&t->arena);
    free(t);
}

int hq_aspect_count(const hq_aspects *t)
{
    return t->n;
}

const char *hq_aspect_name(const hq_aspects *t, int aspect)
{
    return aspect >= 0 && aspect < t->n ? t->name[aspect] : NULL;
}

const char *hq_aspect_heading(const hq_aspects *t, int aspect)
{
    return aspect >= 0 && aspect < t->n ? t->heading[aspect] : NULL;
}

static int lookup(const type_map *map, size_t n, const char *type)
{
    for (size_t i = 0; type && i < n; i++)
        if (strcmp(map[i].type, type) == 0)
            return map[i].aspect;
    return HQ_ASPECT_NONE;
}

int hq_aspect_of_section(const hq_aspects *t, const char *qtype)
{
    return lookup(t->section, t->n_section, qtype);
}

int hq_aspect_asked(const hq_aspects *t, const char *qtype)
{
    return lookup(t->asks, t->n_asks, qtype);
}

/* The sentence holding byte offset at, from index *k on (spans sorted). */
static size_t sentence_of(const hq_span *sents, size_t n, size_t *k, uint32_t at)
{
    while (*k < n && sents[*k].end <= at)
        (*k)++;
    return *k;
}

void hq_aspect_sentences(const hq_aspects *t, const hq_tokens *toks, const hq_span *sents,
                         size_t n, int fallback, int *out)
{
    size_t n_terms = toks->n;
    uint64_t *hashes = hq_xmalloc((n_terms ? n_terms : 1) * sizeof *hashes);
    uint32_t *index = hq_xmalloc((n_terms ? n_terms : 1) * sizeof *index);
    size_t m = hq_phrase_terms(toks, hashes, index, n_terms);
    unsigned (*votes)[HQ_ASPECT_MAX] = hq_xcalloc(n ? n : 1, sizeof *votes);
    size_t k = 0;
    for (size_t i = 0; i < m;) {
        uint32_t node;
        size_t len = hq_phrasemap_longest(t->cues, hashes + i, m - i, &node);
        if (len == 0) {
            i++;
            continue;
        }
        size_t s = sentence_of(sents, n, &k, toks->items[index[i]].start);
        hq_phrase_payload p[HQ_ASPECT_MAX];
        size_t np = hq_phrasemap_payloads(t->cues, node, p, HQ_ASPECT_MAX);
        for (size_t j = 0; s < n && j < np && j < HQ_ASPECT_MAX; j++)
            votes[s][p[j].value]++;
        i += len;
    }
    for (size_t s = 0; s < n; s++) {
        int best = fallback;
        unsigned most = 0;
        for (int a = 0; a < t->n; a++)
            if (votes[s][a] > 0 && votes[s][a] >= most) { /* ties: the later aspect */
                most = votes[s][a];
                best = a;
            }
        out[s] = best;
    }
    free(votes);
    free(index);
    free(hashes);
}

/*
 * vocab.c — the concept table: the lay ↔ clinical vocabulary that
 * question analysis, query expansion and re-ranking share.
 *
 * A concept is a thing a question can be about (a condition, a drug, a
 * procedure, a body part) with every phrase known to name it.  Phrases
 * are analysed exactly as the index analyses text (stop words dropped,
 * stemmed) and kept in one hq_phrasemap, so "lower back pains" meets
 * "low back pain"'s entry term "lower back pain".
 *
 * The engine fills the table in this order, each source attaching to
 * what came before rather than duplicating it:
 *   1. MeSH descriptors with their entry terms (inverted forms such as
 *      "backache, low" also read as "low backache");
 *   2. the corpus' topics: each article's focus (MedQuAD) or title
 *      (MedlinePlus, pages) with its synonyms.  A topic whose name is
 *      already a concept's phrase joins that concept; its synonyms join
 *      too, except those that already name another concept;
 *   3. curated lay phrasings (data/lay_terms.tsv), each naming a phrase
 *      of the concept it means;
 *   4. abbreviations, only where the meaning is a known phrase.  They
 *      match only when written in capitals (so "aids", "cat" or "mad"
 *      in ordinary text are words), and one with several meanings (PID)
 *      is resolved by the question's other concepts or left ambiguous.
 *
 * The table is built once per engine (hq_vocab_*), then only read: reads
 * are thread-safe.
 */
#include "query.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PHRASE_TERMS 16
#define MAX_SHOWN_PHRASES 12 /* phrases kept as text per concept, for expansion and display */

typedef struct phrase_text {
    const char *text;
    struct phrase_text *next;
} phrase_text;

/* A map from 64-bit hashes to numbers: open addressing, linear
 * probing, a power-of-two table at most half full.  Key 0 marks an empty
 * slot, so a hash of 0 is stored as 1. */
typedef struct map_slot {
    uint64_t key;
    uint32_t value;
} map_slot;

typedef struct hash_map {
    map_slot *slots;
    size_t n, cap;
} hash_map;

static void map_init(hash_map *m, size_t cap)
{
    m->slots = hq_xcalloc(cap, sizeof *m->slots);
    m->n = 0;
    m->cap = cap;
}

static size_t map_probe(const map_slot *slots, size_t cap, uint64_t key)
{
    size_t i = (size_t)(key ^ (key >> 31)) & (cap - 1);
    while (slots[i].key != 0 && slots[i].key != key)
        i = (i + 1) & (cap - 1);
    return i;
}

/* The value of key, or fallback when it is absent. */
static uint32_t map_get(const hash_map *m, uint64_t key, uint32_t fallback)
{
    const map_slot *s = &m->slots[map_probe(m->slots, m->cap, key ? key : 1)];
    return s->key ? s->value : fallback;
}

/* The value slot of key, inserted with value 0 when absent. */
static uint32_t *map_put(hash_map *m, uint64_t key)
{
    key = key ? key : 1;
    if (2 * (m->n + 1) > m->cap) {
        map_slot *t = hq_xcalloc(m->cap * 2, sizeof *t);
        for (size_t i = 0; i < m->cap; i++)
            if (m->slots[i].key)
                t[map_probe(t, m->cap * 2, m->slots[i].key)] = m->slots[i];
        free(m->slots);
        m->slots = t;
        m->cap *= 2;
    }
    map_slot *s = &m->slots[map_probe(m->slots, m->cap, key)];
    if (s->key == 0) {
        *s = (map_slot){key, 0};
        m->n++;
    }
    return &s->value;
}

struct hq_vocab {
    hq_arena arena;
    hash_map counts;        /* term hash → phrases holding it (specificity) */
    size_t n_added;         /* phrases added */
    hq_phrasemap *phrases;
    hq_concept *concepts;
    phrase_text **texts; /* per concept, newest first */
    uint32_t *n_texts;
    size_t n, cap;
    hash_map articles;      /* article id hash → focus concept */
    hq_tokens toks;         /* scratch of the builder */
};

hq_vocab *hq_vocab_new(void)
{
    hq_vocab *v = hq_xcalloc(1, sizeof *v);
    hq_arena_init(&v->arena);
    v->phrases = hq_phrasemap_new();
    map_init(&v->counts, 1 << 16);
    map_init(&v->articles, 1024);
    return v;
}

void hq_vocab_free(hq_vocab *v)
{
    if (v == NULL)
        return;
    hq_phrasemap_free(v->phrases);
    free(v->concepts);
    free(v->texts);
    free(v->n_texts);
    free(v->articles.slots);
    free(v->counts.slots);
    hq_tokens_free(&v->toks);
    hq_arena_free(&v->arena);
    free(v);
}

size_t hq_vocab_size(const hq_vocab *v)
{
    return v->n;
}

size_t hq_vocab_phrases(const hq_vocab *v)
{
    return hq_phrasemap_size(v->phrases);
}

const hq_concept *hq_vocab_concept(const hq_vocab *v, uint32_t id)
{
    return id < v->n ? &v->concepts[id] : NULL;
}

/* True when tree number x (xl bytes) is y or an ancestor of it. */
static bool tree_ancestor(const char *x, size_t xl, const char *y, size_t yl)
{
    return xl <= yl && memcmp(x, y, xl) == 0 && (xl == yl || y[xl] == '.');
}

bool hq_vocab_near(const hq_vocab *v, uint32_t a, uint32_t b)
{
    if (a == HQ_NO_CONCEPT || b == HQ_NO_CONCEPT)
        return false;
    if (a == b)
        return true;
    const hq_concept *ca = hq_vocab_concept(v, a), *cb = hq_vocab_concept(v, b);
    if (ca == NULL || cb == NULL || ca->tree == NULL || cb->tree == NULL)
        return false;
    for (const char *x = ca->tree; *x;) {
        size_t xl = strcspn(x, ";");
        for (const char *y = cb->tree; *y;) {
            size_t yl = strcspn(y, ";");
            if (tree_ancestor(x, xl, y, yl) || tree_ancestor(y, yl, x, xl))
                return true;
            y += yl + (y[yl] == ';');
        }
        x += xl + (x[xl] == ';');
    }
    return false;
}

size_t hq_vocab_texts(const hq_vocab *v, uint32_t id, const char **out, size_t max)
{
    size_t n = 0;
    if (id >= v->n)
        return 0;
    for (const phrase_text *t = v->texts[id]; t && n < max; t = t->next)
        out[n++] = t->text;
    /* Oldest first: the name, then the phrases in the order they came. */
    for (size_t i = 0; i < n / 2; i++) {
        const char *x = out[i];
        out[i] = out[n - 1 - i];
        out[n - 1 - i] = x;
    }
    return n;
}

/* ---- building ------------------------------------------------------ */

static uint32_t new_concept(hq_vocab *v, const char *name, unsigned groups, uint32_t flags)
{
    size_t cap = v->cap;
    hq_grow((void **)&v->concepts, &v->cap, v->n + 1, sizeof *v->concepts);
    if (v->cap != cap) {
        v->texts = hq_xrealloc(v->texts, v->cap * sizeof *v->texts);
        v->n_texts = hq_xrealloc(v->n_texts, v->cap * sizeof *v->n_texts);
    }
    v->concepts[v->n] = (hq_concept){hq_arena_strdup(&v->arena, name), NULL, groups, flags};
    v->texts[v->n] = NULL;
    v->n_texts[v->n] = 0;
    return (uint32_t)v->n++;
}

/* The phrase view of text into terms[]; returns how many. */
static size_t phrase_of(hq_vocab *v, hq_analyzer *a, const char *text, size_t len,
                        uint64_t *terms)
{
    hq_analyze(a, text, len, 0, &v->toks);
    return hq_phrase_terms(&v->toks, terms, NULL, MAX_PHRASE_TERMS);
}

/* The first concept the phrase text names (abbreviations only when
 * allow_abbrev), or HQ_NO_CONCEPT. */
static uint32_t concept_named(hq_vocab *v, hq_analyzer *a, const char *text, size_t len,
                              bool allow_abbrev)
{
    uint64_t terms[MAX_PHRASE_TERMS];
    size_t n = phrase_of(v, a, text, len, terms);
    hq_phrase_payload p[8];
    size_t np = hq_phrasemap_get(v->phrases, terms, n, p, 8);
    for (size_t i = 0; i < np && i < 8; i++)
        if (allow_abbrev || !(p[i].flags & HQ_PHRASE_ABBREV))
            return p[i].value;
    return HQ_NO_CONCEPT;
}

static void remember_text(hq_vocab *v, uint32_t c, const char *text, size_t len)
{
    if (v->n_texts[c] >= MAX_SHOWN_PHRASES || memchr(text, ',', len))
        return;
    phrase_text *t = hq_arena_alloc(&v->arena, sizeof *t);
    t->text = hq_arena_strndup(&v->arena, text, len);
    t->next = v->texts[c];
    v->texts[c] = t;
    v->n_texts[c]++;
}

/* Counts the phrase's terms: a term in many phrases ("syndrome",
 * "disease") says less about what is asked than a rare one. */
static void count_terms(hq_vocab *v, const uint64_t *terms, size_t n)
{
    for (size_t i = 0; i < n; i++)
        (*map_put(&v->counts, terms[i]))++;
    v->n_added++;
}

/* True for an abbreviation ("MG", "ED", "IUD", "std"): a word of 2
 * letters, of 3 without a vowel, or of capitals only (up to 6).  In
 * lower case it is more often a unit or an ordinary word ("20 mg",
 * "ed"); words such as "flu" or "hiv" stay plain. */
static bool looks_abbreviated(const char *text, size_t len)
{
    size_t letters = 0, lower = 0, vowels = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)text[i];
        if ((ch | 0x20) < 'a' || (ch | 0x20) > 'z')
            return false;
        letters++;
        lower += ch >= 'a';
        vowels += strchr("aeiouy", ch | 0x20) != NULL;
    }
    return letters == 2 || (letters == 3 && vowels == 0) || (letters >= 2 && letters <= 6 && lower == 0);
}

/* Adds text[0..len) as a phrase of concept c.  With exclusive, a phrase
 * that already names another concept is left to it.  Returns true when
 * the phrase now names c. */
static bool add_phrase(hq_vocab *v, hq_analyzer *a, uint32_t c, const char *text, size_t len,
                       uint32_t flags, bool exclusive)
{
    text = hq_utf8_trim(text, &len);
    if (!(flags & HQ_PHRASE_PREFERRED) && looks_abbreviated(text, len))
        flags |= HQ_PHRASE_ABBREV;
    uint64_t terms[MAX_PHRASE_TERMS];
    size_t n = phrase_of(v, a, text, len, terms);
    if (n == 0)
        return false;
    if (exclusive) {
        hq_phrase_payload p[1];
        if (hq_phrasemap_get(v->phrases, terms, n, p, 1) > 0 && p[0].value != c)
            return false;
    }
    hq_phrasemap_add(v->phrases, terms, n, c, flags);
    count_terms(v, terms, n);
    if (!(flags & HQ_PHRASE_ABBREV))
        remember_text(v, c, text, len);
    return true;
}

/* "backache, low" also reads "low backache" (MeSH's inverted entries). */
static void add_with_inversion(hq_vocab *v, hq_analyzer *a, uint32_t c, const char *text,
                               size_t len)
{
    add_phrase(v, a, c, text, len, 0, false);
    const char *comma = memchr(text, ',', len);
    if (comma == NULL || memchr(comma + 1, ',', len - (size_t)(comma + 1 - text)))
        return;
    hq_buf b;
    hq_buf_init(&b, 1024);
    const char *tail = comma + 1;
    hq_buf_append(&b, tail, len - (size_t)(tail - text));
    hq_buf_puts(&b, " ");
    hq_buf_append(&b, text, (size_t)(comma - text));
    add_phrase(v, a, c, b.data, b.len, 0, false);
    hq_buf_free(&b);
}

/* MeSH tree letters → HQ_GROUP_* bits. */
static unsigned groups_of_trees(const char *trees)
{
    unsigned g = 0;
    for (const char *t = trees; *t; t++) {
        if (t == trees || t[-1] == ';') {
            switch (*t) {
            case 'C': g |= HQ_GROUP_DISORDER; break;
            case 'D': g |= HQ_GROUP_DRUG; break;
            case 'E': g |= HQ_GROUP_PROCEDURE; break;
            case 'A': g |= HQ_GROUP_ANATOMY; break;
            case 'F': g |= strncmp(t, "F03", 3) == 0 ? HQ_GROUP_MIND : HQ_GROUP_OTHER; break;
            default: g |= HQ_GROUP_OTHER; break;
            }
        }
    }
    return g;
}

typedef struct line_ctx {
    hq_vocab *v;
    hq_analyzer *a;
    const char *path;
    hq_error *err;
    size_t n_unresolved; /* lay lines whose concept this corpus does not have */
} line_ctx;

/* Splits line at tabs into at most max fields; returns how many. */
static size_t split_tabs(char *line, char **fields, size_t max)
{
    size_t n = 0;
    fields[n++] = line;
    for (char *p = line; *p && n < max; p++)
        if (*p == '\t') {
            *p = '\0';
            fields[n++] = p + 1;
        }
    return n;
}

static hq_status mesh_line(void *vctx, char *line, long lineno)
{
    line_ctx *ctx = vctx;
    if (line[0] == '#' || line[0] == '\0')
        return HQ_OK;
    char *f[4];
    size_t n = split_tabs(line, f, 4);
    if (n < 3 || f[1][0] == '\0')
        return hq_fail(ctx->err, HQ_EFORMAT, ctx->path, lineno, -1,
                       "expected \"DescriptorUI<TAB>name<TAB>tree numbers<TAB>entry terms\"");
    uint32_t c = new_concept(ctx->v, f[1], groups_of_trees(f[2]), HQ_CONCEPT_MESH);
    ctx->v->concepts[c].tree = hq_arena_strdup(&ctx->v->arena, f[2]);
    add_with_inversion(ctx->v, ctx->a, c, f[1], strlen(f[1]));
    for (char *t = n > 3 ? f[3] : NULL; t && *t;) {
        char *bar = strchr(t, '|');
        size_t len = bar ? (size_t)(bar - t) : strlen(t);
        add_with_inversion(ctx->v, ctx->a, c, t, len);
        t = bar ? bar + 1 : NULL;
    }
    return HQ_OK;
}

hq_status hq_vocab_load_mesh(hq_vocab *v, hq_analyzer *a, const char *path, hq_error *err)
{
    line_ctx ctx = {v, a, path, err, 0};
    return hq_read_lines(path, 64u << 20, mesh_line, &ctx, err);
}

uint32_t hq_vocab_add_topic(hq_vocab *v, hq_analyzer *a, const char *name,
                            const char *const *synonyms, size_t n_synonyms, unsigned groups,
                            uint32_t flags)
{
    size_t len = strlen(name);
    uint32_t c = concept_named(v, a, name, len, false);
    if (c == HQ_NO_CONCEPT) {
        c = new_concept(v, name, groups, flags);
        if (!add_phrase(v, a, c, name, len, 0, false)) {
            v->n--; /* the name has no searchable word: no concept */
            return HQ_NO_CONCEPT;
        }
    }
    v->concepts[c].flags |= flags;
    v->concepts[c].groups |= groups;
    for (size_t i = 0; i < n_synonyms; i++)
        add_phrase(v, a, c, synonyms[i], strlen(synonyms[i]), 0, true);
    return c;
}

static hq_status lay_line(void *vctx, char *line, long lineno)
{
    line_ctx *ctx = vctx;
    if (line[0] == '#' || line[0] == '\0')
        return HQ_OK;
    char *f[3];
    if (split_tabs(line, f, 3) < 3 || f[0][0] == '\0' || f[1][0] == '\0' || f[2][0] == '\0')
        return hq_fail(ctx->err, HQ_EFORMAT, ctx->path, lineno, -1,
                       "expected \"lay phrase<TAB>a phrase of the concept it means<TAB>reason\"");
    uint32_t c = concept_named(ctx->v, ctx->a, f[1], strlen(f[1]), false);
    if (c == HQ_NO_CONCEPT) {
        ctx->n_unresolved++; /* without MeSH, or a corpus without the topic */
        return HQ_OK;
    }
    if (!add_phrase(ctx->v, ctx->a, c, f[0], strlen(f[0]), HQ_PHRASE_PREFERRED, false))
        return hq_fail(ctx->err, HQ_EFORMAT, ctx->path, lineno, -1,
                       "the lay phrase '%s' has no searchable word", f[0]);
    ctx->v->concepts[c].flags |= HQ_CONCEPT_LAY;
    return HQ_OK;
}

hq_status hq_vocab_load_lay(hq_vocab *v, hq_analyzer *a, const char *path,
                            size_t *n_unresolved, hq_error *err)
{
    line_ctx ctx = {v, a, path, err, 0};
    hq_status rc = hq_read_lines(path, 4u << 20, lay_line, &ctx, err);
    *n_unresolved = ctx.n_unresolved;
    return rc;
}

static hq_status abbrev_line(void *vctx, char *line, long lineno)
{
    line_ctx *ctx = vctx;
    if (line[0] == '#' || line[0] == '\0')
        return HQ_OK;
    char *f[2];
    if (split_tabs(line, f, 2) < 2 || f[0][0] == '\0')
        return hq_fail(ctx->err, HQ_EFORMAT, ctx->path, lineno, -1,
                       "expected \"abbreviation<TAB>meaning\"");
    uint32_t c = concept_named(ctx->v, ctx->a, f[1], strlen(f[1]), false);
    if (c != HQ_NO_CONCEPT && strlen(f[0]) >= 2)
        add_phrase(ctx->v, ctx->a, c, f[0], strlen(f[0]), HQ_PHRASE_ABBREV, false);
    return HQ_OK;
}

hq_status hq_vocab_load_abbrev(hq_vocab *v, hq_analyzer *a, const char *path, hq_error *err)
{
    line_ctx ctx = {v, a, path, err, 0};
    return hq_read_lines(path, 16u << 20, abbrev_line, &ctx, err);
}

/* ---- articles ------------------------------------------------------ */

void hq_vocab_set_article(hq_vocab *v, const char *article_id, uint32_t concept)
{
    *map_put(&v->articles, hq_hash_bytes(article_id, strlen(article_id))) = concept;
}

uint32_t hq_vocab_article(const hq_vocab *v, const char *article_id)
{
    return map_get(&v->articles, hq_hash_bytes(article_id, strlen(article_id)), HQ_NO_CONCEPT);
}

/* ---- MeSH branches ------------------------------------------------- */

/* Levels of the longest common prefix of tree numbers x[0..xl) and
 * y[0..yl) that ends at a level boundary of both; its length in *len. */
static size_t common_levels(const char *x, size_t xl, const char *y, size_t yl, size_t *len)
{
    size_t n = 0;
    while (n < xl && n < yl && x[n] == y[n])
        n++;
    while (n > 0 && !((n == xl || x[n] == '.') && (n == yl || y[n] == '.')))
        n--;
    size_t levels = n > 0;
    for (size_t i = 0; i < n; i++)
        levels += x[i] == '.';
    *len = n;
    return levels;
}

size_t hq_mesh_common_branch(const char *a, const char *b, char *out, size_t size)
{
    size_t best = 0, best_len = 0;
    const char *best_at = NULL;
    for (const char *x = a ? a : ""; *x;) {
        size_t xl = strcspn(x, ";");
        for (const char *y = b ? b : ""; *y;) {
            size_t yl = strcspn(y, ";"), len;
            size_t levels = common_levels(x, xl, y, yl, &len);
            if (levels > best) {
                best = levels;
                best_len = len;
                best_at = x;
            }
            y += yl + (y[yl] == ';');
        }
        x += xl + (x[xl] == ';');
    }
    if (size > 0) {
        size_t n = best_len < size - 1 ? best_len : size - 1;
        if (n)
            memcpy(out, best_at, n);
        out[n] = '\0';
    }
    return best;
}

/* ---- matching ------------------------------------------------------ */

/* True when text[start..end) is written as an abbreviation: at least
 * two letters, all capitals; or, with three letters or more, a capital
 * first ("Nph", "Hiv" are typed that way). */
static bool written_in_capitals(const char *text, uint32_t start, uint32_t end)
{
    size_t letters = 0, lower = 0;
    for (uint32_t i = start; i < end; i++) {
        unsigned char ch = (unsigned char)text[i];
        lower += ch >= 'a' && ch <= 'z';
        letters += (ch | 0x20) >= 'a' && (ch | 0x20) <= 'z';
    }
    bool first_capital = text[start] >= 'A' && text[start] <= 'Z';
    return letters >= 2 && (lower == 0 || (letters >= 3 && first_capital));
}

/* log(phrases / phrases holding the phrase's rarest term): about 0 for
 * "syndrome" alone, 8 or more for "noonan syndrome". */
static double specificity(const hq_vocab *v, const uint64_t *terms, size_t n)
{
    uint32_t rarest = UINT32_MAX;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = map_get(&v->counts, terms[i], 1);
        if (c < rarest)
            rarest = c;
    }
    return rarest == UINT32_MAX ? 0 : log((double)(v->n_added + 1) / rarest);
}

size_t hq_vocab_match(const hq_vocab *v, const char *text, const hq_tokens *toks,
                      hq_concept_match *out, size_t max)
{
    size_t cap = toks->n ? toks->n : 1;
    uint64_t *terms = hq_xmalloc(cap * sizeof *terms);
    uint32_t *index = hq_xmalloc(cap * sizeof *index);
    size_t n_terms = hq_phrase_terms(toks, terms, index, cap);
    size_t n = 0;
    for (size_t i = 0; i < n_terms && n < max;) {
        uint32_t node;
        size_t len = hq_phrasemap_longest(v->phrases, terms + i, n_terms - i, &node);
        if (len == 0) {
            i++;
            continue;
        }
        const hq_token *first = &toks->items[index[i]], *last = &toks->items[index[i + len - 1]];
        hq_phrase_payload p[HQ_MATCH_MAX_ALTS];
        size_t np = hq_phrasemap_payloads(v->phrases, node, p, HQ_MATCH_MAX_ALTS);
        if (np > HQ_MATCH_MAX_ALTS)
            np = HQ_MATCH_MAX_ALTS;
        hq_concept_match m = {.first = (uint32_t)i, .n_terms = (uint32_t)len,
                              .start = first->start, .end = last->end};
        bool capitals = written_in_capitals(text, first->start, last->end);
        for (size_t k = 0; k < np; k++)
            if (!(p[k].flags & HQ_PHRASE_ABBREV) || capitals) {
                m.abbrev = m.abbrev || (p[k].flags & HQ_PHRASE_ABBREV);
                m.alts[m.n_alts++] = p[k].value;
            }
        if (m.n_alts == 0) {
            i++;
            continue;
        }
        m.concept = m.alts[0];
        m.specificity = specificity(v, terms + i, len);
        out[n++] = m;
        i += len;
    }
    free(terms);
    free(index);
    return n;
}

#define MENTION_MAX_TERMS 8
#define MENTION_MAX_ALTS 16

/* Whether some meaning of the phrase at node is concept or next to it. */
static bool phrase_names(const hq_vocab *v, const hq_phrase_payload *p, size_t np,
                         uint32_t concept)
{
    for (size_t k = 0; k < np; k++)
        if (!(p[k].flags & HQ_PHRASE_ABBREV) && hq_vocab_near(v, p[k].value, concept))
            return true;
    return false;
}

size_t hq_vocab_mentions(const hq_vocab *v, const hq_tokens *toks, uint32_t concept,
                         uint32_t *starts, size_t max)
{
    if (concept == HQ_NO_CONCEPT || toks->n == 0)
        return 0;
    uint64_t *terms = hq_xmalloc(toks->n * sizeof *terms);
    uint32_t *index = hq_xmalloc(toks->n * sizeof *index);
    size_t n_terms = hq_phrase_terms(toks, terms, index, toks->n), n = 0;
    for (size_t i = 0; i < n_terms && n < max;) {
        size_t found = 0;
        uint32_t nodes[MENTION_MAX_TERMS];
        size_t walked = hq_phrasemap_prefixes(v->phrases, terms + i, n_terms - i, nodes,
                                              MENTION_MAX_TERMS);
        for (size_t len = 1; len <= walked; len++) {
            hq_phrase_payload p[MENTION_MAX_ALTS];
            size_t np = nodes[len - 1] ? hq_phrasemap_payloads(v->phrases, nodes[len - 1], p,
                                                               MENTION_MAX_ALTS)
                                       : 0;
            if (np > MENTION_MAX_ALTS)
                np = MENTION_MAX_ALTS;
            if (np && phrase_names(v, p, np, concept))
                found = len;
        }
        if (found == 0) {
            i++;
            continue;
        }
        starts[n++] = toks->items[index[i]].start;
        i += found;
    }
    free(terms);
    free(index);
    return n;
}

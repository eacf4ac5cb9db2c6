/*
 * question.c — what a consumer's message asks: its focus (the condition,
 * drug, procedure or test it is about) and secondary foci, the type of
 * answer it wants, its context ("after IUD insertion"), the parts that
 * say nothing (greetings, thanks, product codes), and from all of that
 * the weighted key terms a search should use.
 *
 * Inputs: the concept table (vocab.c) and the cue table
 * (data/question_cues.tsv: type cues, ignorable phrases, context
 * openers).  The message is analysed twice: once as the index analyses
 * text (for concepts and key terms), once with stop words kept (for
 * cues, which are mostly stop words: "what causes", "how do i").  Both
 * analyses give byte offsets, which is how a term learns whether it lies
 * in a focus, a context or an ignored span.
 *
 * The focus is chosen, among the concepts found, by a fixed preference
 * (focus_score()): a topic the corpus has articles on, a disorder, drug
 * or procedure, a longer phrase, an earlier and repeated mention, and
 * not inside the context clause.  Everything here is deterministic and
 * costs microseconds for a message of a few hundred words.
 */
#include "query.h"

#include <stdlib.h>
#include <string.h>

#define MAX_CUE_TERMS 8
#define MAX_MATCHES 64
#define CONTEXT_TERMS 6 /* words a context clause runs to, at most */

/* ---- the cue table --------------------------------------------------- */

typedef enum cue_kind { CUE_TYPE, CUE_IGNORE, CUE_CONTEXT } cue_kind;

typedef struct cue {
    cue_kind kind;
    const char *medquad, *liveqa; /* CUE_TYPE */
    uint32_t n_terms;
    uint32_t type;                /* CUE_TYPE: the first cue of the same type, whose
                                     score slot every cue of that type shares */
} cue;

struct hq_cues {
    hq_arena arena;
    hq_phrasemap *map;
    cue *items;
    size_t n, cap;
};

typedef struct cue_ctx {
    hq_cues *c;
    hq_analyzer *a;
    hq_tokens toks;
    const char *path;
    hq_error *err;
} cue_ctx;

static hq_status cue_line(void *vctx, char *line, long lineno)
{
    cue_ctx *ctx = vctx;
    if (line[0] == '#' || line[0] == '\0')
        return HQ_OK;
    char *kind = line, *label = strchr(line, '\t');
    char *phrase = label ? strchr(label + 1, '\t') : NULL;
    if (phrase == NULL)
        return hq_fail(ctx->err, HQ_EFORMAT, ctx->path, lineno, -1,
                       "expected \"kind<TAB>label<TAB>phrase\"");
    *label++ = '\0';
    *phrase++ = '\0';
    cue cu = {0};
    if (strcmp(kind, "type") == 0) {
        char *bar = strchr(label, '|');
        if (bar == NULL || bar == label || bar[1] == '\0')
            return hq_fail(ctx->err, HQ_EFORMAT, ctx->path, lineno, -1,
                           "a type cue's label is \"MedQuAD type|LiveQA type\", not '%s'", label);
        *bar = '\0';
        cu = (cue){.kind = CUE_TYPE, .medquad = hq_arena_strdup(&ctx->c->arena, label),
                   .liveqa = hq_arena_strdup(&ctx->c->arena, bar + 1)};
    } else if (strcmp(kind, "ignore") == 0 || strcmp(kind, "context") == 0) {
        cu.kind = kind[0] == 'i' ? CUE_IGNORE : CUE_CONTEXT;
    } else {
        return hq_fail(ctx->err, HQ_EFORMAT, ctx->path, lineno, -1,
                       "unknown kind '%s' (expected type, ignore or context)", kind);
    }
    cu.type = (uint32_t)ctx->c->n;
    for (size_t k = 0; cu.kind == CUE_TYPE && k < ctx->c->n; k++)
        if (ctx->c->items[k].kind == CUE_TYPE && strcmp(ctx->c->items[k].liveqa, cu.liveqa) == 0 &&
            strcmp(ctx->c->items[k].medquad, cu.medquad) == 0) {
            cu.type = (uint32_t)k;
            break;
        }
    uint64_t terms[MAX_CUE_TERMS];
    hq_analyze(ctx->a, phrase, strlen(phrase), HQ_ANALYZE_KEEP_STOPWORDS, &ctx->toks);
    cu.n_terms = (uint32_t)hq_phrase_terms(&ctx->toks, terms, NULL, MAX_CUE_TERMS);
    if (cu.n_terms == 0)
        return hq_fail(ctx->err, HQ_EFORMAT, ctx->path, lineno, -1, "the phrase has no word");
    hq_grow((void **)&ctx->c->items, &ctx->c->cap, ctx->c->n + 1, sizeof *ctx->c->items);
    ctx->c->items[ctx->c->n] = cu;
    hq_phrasemap_add(ctx->c->map, terms, cu.n_terms, (uint32_t)ctx->c->n, 0);
    ctx->c->n++;
    return HQ_OK;
}

hq_status hq_cues_load(const char *path, hq_analyzer *a, hq_cues **out, hq_error *err)
{
    hq_cues *c = hq_xcalloc(1, sizeof *c);
    hq_arena_init(&c->arena);
    c->map = hq_phrasemap_new();
    cue_ctx ctx = {c, a, {0}, path, err};
    hq_status rc = hq_read_lines(path, 1u << 20, cue_line, &ctx, err);
    hq_tokens_free(&ctx.toks);
    if (rc != HQ_OK) {
        hq_cues_free(c);
        c = NULL;
    }
    *out = c;
    return rc;
}

void hq_cues_free(hq_cues *c)
{
    if (c == NULL)
        return;
    hq_phrasemap_free(c->map);
    free(c->items);
    hq_arena_free(&c->arena);
    free(c);
}

/* ---- spans ----------------------------------------------------------- */

static bool in_spans(const hq_span *s, size_t n, uint32_t start, uint32_t end)
{
    for (size_t i = 0; i < n; i++)
        if (start >= s[i].start && end <= s[i].end)
            return true;
    return false;
}

static void add_span(hq_question *q, hq_span **spans, size_t *n, uint32_t start, uint32_t end)
{
    hq_span *grown = hq_arena_alloc(&q->arena, (*n + 1) * sizeof *grown);
    if (*n)
        memcpy(grown, *spans, *n * sizeof *grown);
    grown[(*n)++] = (hq_span){start, end};
    *spans = grown;
}

/* True when text[start..end) is a product or reference code: a word of 4
 * or more digits, or letters and 3 or more digits mixed (NDC 0093-7146,
 * A1298C is kept: it has 4 digits but is found as a concept first). */
static bool is_code(const char *text, uint32_t start, uint32_t end)
{
    unsigned digits = 0, letters = 0;
    for (uint32_t i = start; i < end; i++) {
        unsigned char ch = (unsigned char)text[i];
        digits += ch >= '0' && ch <= '9';
        letters += (ch | 0x20) >= 'a' && (ch | 0x20) <= 'z';
    }
    return digits >= 4 || (digits >= 3 && letters > 0);
}

/* ---- cues ------------------------------------------------------------ */

/* The weight of one type cue: longer cues are more specific, and the
 * "information" cues ("what is", "tell me about") are what a question
 * says when it names no other type, so they count for less. */
static double cue_weight(const cue *cu)
{
    return cu->n_terms + (strcmp(cu->medquad, "information") == 0 ? 0.0 : 1.5);
}

/* The end of the context clause opened by phrase terms [i, i + len):
 * the next ',', '.', '?' or CONTEXT_TERMS words, whichever comes first. */
static uint32_t clause_end(const char *text, const hq_tokens *t, const uint32_t *index,
                           size_t n, size_t i, size_t len)
{
    size_t last = i + len - 1;
    while (last + 1 < n && last + 1 - i < CONTEXT_TERMS + len) {
        uint32_t gap_start = t->items[index[last]].end, gap_end = t->items[index[last + 1]].start;
        if (strcspn(text + gap_start, ",.?!;") < gap_end - gap_start)
            break;
        last++;
    }
    return t->items[index[last]].end;
}

/* Walks the cue phrases of the stop-words-kept analysis: records ignored
 * spans and the first context clause, and sums each type's cue weights;
 * the type with the highest sum wins (the earliest on a tie). */
static void find_cues(hq_question *q, const hq_cues *c, const char *text, const hq_tokens *t)
{
    size_t cap = t->n ? t->n : 1;
    uint64_t *terms = hq_xmalloc(cap * sizeof *terms);
    uint32_t *index = hq_xmalloc(cap * sizeof *index);
    double *score = hq_xcalloc(c->n + 1, sizeof *score); /* per cue.type */
    size_t n = hq_phrase_terms(t, terms, index, cap);
    const cue *best = NULL;
    double best_score = 0;
    for (size_t i = 0; i < n;) {
        uint32_t node;
        size_t len = hq_phrasemap_longest(c->map, terms + i, n - i, &node);
        if (len == 0) {
            i++;
            continue;
        }
        hq_phrase_payload p;
        hq_phrasemap_payloads(c->map, node, &p, 1);
        const cue *cu = &c->items[p.value];
        uint32_t start = t->items[index[i]].start, end = t->items[index[i + len - 1]].end;
        if (cu->kind == CUE_IGNORE) {
            add_span(q, &q->ignored, &q->n_ignored, start, end);
        } else if (cu->kind == CUE_CONTEXT && q->context.end == 0) {
            q->context = (hq_span){start, clause_end(text, t, index, n, i, len)};
        } else if (cu->kind == CUE_TYPE) {
            score[cu->type] += cue_weight(cu);
            if (score[cu->type] > best_score) {
                best_score = score[cu->type];
                best = cu;
            }
        }
        i += len;
    }
    q->type = best ? best->medquad : "information";
    q->liveqa_type = best ? best->liveqa : "INFORMATION";
    q->type_found = best != NULL;
    free(score);
    free(terms);
    free(index);
}

/* ---- focus ----------------------------------------------------------- */

static double focus_score(const hq_question *q, const hq_vocab *v, const hq_concept_match *m,
                          size_t n_terms)
{
    const hq_concept *c = hq_vocab_concept(v, m->concept);
    double s = 0;
    if (c->flags & (HQ_CONCEPT_FOCUS | HQ_CONCEPT_TOPIC))
        s += 3;
    if (c->groups & (HQ_GROUP_DISORDER | HQ_GROUP_DRUG | HQ_GROUP_PROCEDURE | HQ_GROUP_MIND))
        s += 2;
    else if (c->groups & HQ_GROUP_ANATOMY)
        s -= 1;
    if (c->groups & HQ_GROUP_DRUG)
        s += 1; /* asked about with its effects: the drug is the focus */
    if (m == &q->matches[0])
        s += 1; /* the subject line, when there is one, names the focus */
    s += 0.5 * (m->n_terms - 1) + 0.25 * m->specificity;
    if (n_terms && m->first < n_terms / 4 + 3)
        s += 1; /* the subject line or the opening words */
    for (size_t i = 0; i < q->n_matches; i++)
        if (&q->matches[i] != m && q->matches[i].concept == m->concept)
            s += 0.5;
    if (m->start >= q->context.start && m->end <= q->context.end && q->context.end)
        s -= 2.5;
    if (m->n_alts > 1)
        s -= 1; /* an ambiguous abbreviation */
    if (m->abbrev && m->end - m->start <= 2)
        s -= 1; /* two letters ("ED", "MS") stand for many things */
    return s;
}

/* Forgets concepts found inside ignored spans ("hi" is a synonym of a
 * rare disease). */
static void drop_ignored(hq_question *q)
{
    size_t n = 0;
    for (size_t i = 0; i < q->n_matches; i++)
        if (!in_spans(q->ignored, q->n_ignored, q->matches[i].start, q->matches[i].end))
            q->matches[n++] = q->matches[i];
    q->n_matches = n;
}

/* Resolves ambiguous matches: the alternative that another match of
 * the question names too; else the first meaning stays (curated lay
 * phrasings come first, see HQ_PHRASE_PREFERRED). */
static void resolve_ambiguous(hq_question *q)
{
    for (size_t i = 0; i < q->n_matches; i++) {
        hq_concept_match *m = &q->matches[i];
        for (uint32_t k = 0; k < m->n_alts && m->n_alts > 1; k++)
            for (size_t j = 0; j < q->n_matches; j++)
                if (j != i && q->matches[j].n_alts == 1 && q->matches[j].concept == m->alts[k]) {
                    m->concept = m->alts[k];
                    m->n_alts = 1;
                }
    }
}

static void choose_focus(hq_question *q, const hq_vocab *v, size_t n_terms)
{
    double best = -1e9;
    q->focus = HQ_NO_CONCEPT;
    for (size_t i = 0; i < q->n_matches; i++) {
        if (in_spans(q->ignored, q->n_ignored, q->matches[i].start, q->matches[i].end))
            continue;
        double s = focus_score(q, v, &q->matches[i], n_terms);
        if (s > best) {
            best = s;
            q->focus = q->matches[i].concept;
            q->focus_match = &q->matches[i];
        }
    }
}

/* ---- key terms ------------------------------------------------------- */

static hq_key_term *key_find(hq_question *q, const char *term, uint32_t len)
{
    for (size_t i = 0; i < q->n_keys; i++)
        if (q->keys[i].len == len && memcmp(q->keys[i].term, term, len) == 0)
            return &q->keys[i];
    return NULL;
}

/* Gives term the role's weight, or its own when that is higher;
 * occurrences add to the count. */
static void key_add(hq_question *q, const char *term, uint32_t len, hq_term_role role,
                    const hq_question_weights *w)
{
    double weight = w->role[role];
    hq_key_term *k = key_find(q, term, len);
    if (k == NULL) {
        if (q->n_keys == HQ_QUESTION_MAX_KEYS)
            return;
        k = &q->keys[q->n_keys++];
        *k = (hq_key_term){hq_arena_strndup(&q->arena, term, len), len, 0, role, 0};
    }
    k->count++;
    if (weight > k->weight) {
        k->weight = weight;
        k->role = role;
    }
}

/* A condition, drug, procedure or corpus topic: what a question is about,
 * as opposed to everyday concepts MeSH also has ("daughter", "health"). */
static bool is_medical(const hq_vocab *v, uint32_t id)
{
    const hq_concept *c = hq_vocab_concept(v, id);
    return (c->flags & (HQ_CONCEPT_FOCUS | HQ_CONCEPT_TOPIC | HQ_CONCEPT_LAY)) ||
           (c->groups & (HQ_GROUP_DISORDER | HQ_GROUP_DRUG | HQ_GROUP_PROCEDURE | HQ_GROUP_MIND));
}

static hq_term_role role_of(const hq_question *q, const hq_vocab *v, const hq_token *tok)
{
    const hq_concept_match *f = q->focus_match;
    if (f && tok->start >= f->start && tok->end <= f->end)
        return HQ_ROLE_FOCUS;
    for (size_t i = 0; i < q->n_matches; i++) {
        const hq_concept_match *m = &q->matches[i];
        if (tok->start >= m->start && tok->end <= m->end && m->concept == q->focus)
            return HQ_ROLE_FOCUS;
    }
    if (q->context.end && tok->start >= q->context.start && tok->end <= q->context.end)
        return HQ_ROLE_CONTEXT;
    for (size_t i = 0; i < q->n_matches; i++) {
        const hq_concept_match *m = &q->matches[i];
        if (tok->start >= m->start && tok->end <= m->end && is_medical(v, m->concept))
            return HQ_ROLE_CONCEPT;
    }
    return HQ_ROLE_OTHER;
}

static void collect_keys(hq_question *q, const hq_vocab *v, const char *text,
                         const hq_tokens *t, const hq_question_weights *w)
{
    for (size_t i = 0; i < t->n; i++) {
        const hq_token *tok = &t->items[i];
        if (in_spans(q->ignored, q->n_ignored, tok->start, tok->end))
            continue;
        hq_term_role role = role_of(q, v, tok);
        if (role == HQ_ROLE_OTHER && is_code(text, tok->start, tok->end))
            continue;
        key_add(q, tok->term, tok->len, role, w);
    }
}

/* The focus concept's other names, analysed, at the synonym weight. */
static void expand_focus(hq_question *q, const hq_vocab *v, hq_analyzer *a,
                         const hq_question_weights *w)
{
    if (q->focus == HQ_NO_CONCEPT || w->max_synonyms == 0)
        return;
    const char *texts[16];
    size_t n = hq_vocab_texts(v, q->focus, texts, w->max_synonyms < 16 ? w->max_synonyms : 16);
    hq_tokens t = {0};
    for (size_t i = 0; i < n; i++) {
        hq_analyze(a, texts[i], strlen(texts[i]), 0, &t);
        for (size_t j = 0; j < t.n; j++)
            if (key_find(q, t.items[j].term, t.items[j].len) == NULL)
                key_add(q, t.items[j].term, t.items[j].len, HQ_ROLE_SYNONYM, w);
    }
    hq_tokens_free(&t);
}

/* ---- the whole analysis ---------------------------------------------- */

void hq_question_weights_default(hq_question_weights *w)
{
    w->role[HQ_ROLE_FOCUS] = 2.0;
    w->role[HQ_ROLE_CONCEPT] = 1.0;
    w->role[HQ_ROLE_CONTEXT] = 0.7;
    w->role[HQ_ROLE_OTHER] = 0.5;
    w->role[HQ_ROLE_SYNONYM] = 0.3;
    w->max_synonyms = 6;
}

hq_status hq_question_analyze(const hq_vocab *v, const hq_cues *c, hq_analyzer *a,
                              const hq_question_weights *w, const char *text, size_t len,
                              hq_question *q)
{
    memset(q, 0, sizeof *q);
    hq_arena_init(&q->arena);
    q->focus = HQ_NO_CONCEPT;
    q->type = "information";
    q->liveqa_type = "INFORMATION";
    if (len > HQ_MAX_QUERY_BYTES)
        len = HQ_MAX_QUERY_BYTES; /* the parser has already refused longer queries */
    hq_tokens t = {0};
    hq_analyze(a, text, len, HQ_ANALYZE_KEEP_STOPWORDS, &t);
    find_cues(q, c, text, &t);
    hq_analyze(a, text, len, 0, &t);
    q->matches = hq_arena_alloc(&q->arena, MAX_MATCHES * sizeof *q->matches);
    q->n_matches = hq_vocab_match(v, text, &t, q->matches, MAX_MATCHES);
    drop_ignored(q);
    resolve_ambiguous(q);
    choose_focus(q, v, t.n);
    if (q->focus != HQ_NO_CONCEPT && strcmp(q->type, "causes") == 0 &&
        (hq_vocab_concept(v, q->focus)->groups & HQ_GROUP_DRUG)) {
        /* What a drug causes is its side effects. */
        q->type = "side effects";
        q->liveqa_type = "SIDE_EFFECT";
    }
    q->keys = hq_arena_alloc(&q->arena, HQ_QUESTION_MAX_KEYS * sizeof *q->keys);
    collect_keys(q, v, text, &t, w);
    expand_focus(q, v, a, w);
    hq_tokens_free(&t);
    return HQ_OK;
}

void hq_question_free(hq_question *q)
{
    if (q == NULL)
        return;
    hq_arena_free(&q->arena);
    memset(q, 0, sizeof *q);
    q->focus = HQ_NO_CONCEPT;
}

const char *hq_role_name(hq_term_role role)
{
    static const char *const names[] = {"focus", "concept", "context", "other", "synonym"};
    return (unsigned)role < HQ_ROLE_COUNT ? names[role] : "?";
}

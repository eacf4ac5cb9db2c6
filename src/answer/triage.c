/*
 * triage.c — red-flag triage: from a reader's own words to the most
 * urgent level of care a rule asks for (emergency, urgent, soon, none),
 * the message to show and the public guidance it follows.  It owns the
 * rules file's parser (data/triage.rules; the format is documented in
 * docs/TRIAGE.md and at the top of the file itself) and the matcher.
 * src/engine/triage.c loads the default rules once for hq_triage(); the
 * answer card shows the result first.  It is advice on where to seek
 * care, never a diagnosis.
 *
 * The matcher, for one text:
 *   1. analysis: the tokenizer's words (hyphenated compounds split),
 *      folded and stemmed as the index does, stop words kept but marked;
 *      each token knows its sentence and its clause (from the bytes
 *      between words: . ! ? and line breaks end a sentence; , ; : ( )
 *      and dashes a clause);
 *   2. NegEx (Chapman et al. 2001): at each token the longest trigger
 *      of the pre-negation, post-negation, pseudo-negation and
 *      termination lists; a pre-negation negates the next 5 content
 *      tokens of its clause, up to a termination term; a post-negation
 *      the 5 before it; a pseudo-negation ("not only", "can't stop")
 *      does nothing but hide the negation word inside it (every symptom
 *      phrase that starts with a trigger, "no feeling", is one too);
 *   3. cues: report cues ("i", "my") outside a hypothetical scope ("if"
 *      to the end of its clause) make the text a report; a token is
 *      asked about when it is in a hypothetical scope or after an
 *      information cue ("what are", "signs of", "^is") of its sentence;
 *      when the text is no report and every need match of a rule is
 *      asked about, that rule's level is capped at soon;
 *   4. rules: every phrase of every group is matched (stems in order,
 *      within a clause, up to 2 skippable stop words between words); a
 *      match whose first token is pre-negated or whose last token is
 *      post-negated does not count.  A rule fires when each of its
 *      "need" groups matches in one sentence (or anywhere, with window =
 *      text) and each "context" group matches anywhere.  The most
 *      urgent rule wins; on a tie, the first in the file.
 */
#include "answer.h"

#include <stdlib.h>
#include <string.h>

#ifndef HQ_DATA_DIR
#define HQ_DATA_DIR "data"
#endif

#define NEG_SCOPE 5      /* content tokens a negation trigger reaches */
#define MAX_SKIP 2       /* stop words a phrase may skip between two of its words */
#define MAX_VALUE 2000   /* bytes of a message, title, URL */
#define MAX_NUMBER 99999 /* largest number a {lo-hi} range may name */
#define MAX_NEGATED 32   /* negated phrases listed in a result (the first ones) */

enum level { L_NONE, L_SOON, L_URGENT, L_EMERGENCY };
static const char *const LEVEL_NAMES[] = {"none", "soon", "urgent", "emergency"};

/* ---- the rules ------------------------------------------------------ */

typedef struct pterm {
    const char *s; /* the stem (NUL-terminated), NULL for a number range */
    uint32_t len;
    uint32_t lo, hi; /* a number range {lo-hi} */
    bool exact;      /* s is the folded word (=word): compare unstemmed */
} pterm;

typedef struct phrase {
    const char *text; /* as written in the rules file */
    const pterm *t;
    uint32_t n;
    bool anchored; /* "^phrase": only at the start of a clause */
} phrase;

typedef struct pset {
    phrase *p; /* malloc'd */
    size_t n, cap;
} pset;

typedef struct named_set {
    const char *name;
    pset set;
} named_set;

typedef struct rule {
    const char *id;
    long line;
    int level; /* -1 until set */
    bool text_window;
    pset *need, *context; /* malloc'd groups */
    size_t n_need, cap_need, n_context, cap_context;
    const char *message, *source, *title, *url;
} rule;

/* The cue lists, in the order the matcher tries them. */
enum cue { C_PRE, C_POST, C_PSEUDO, C_TERM, C_REPORT, C_INFO, C_HYPO, N_CUES };
static const char *const CUE_KEYS[N_CUES] = {
    "pre-negation", "post-negation", "pseudo-negation", "termination",
    "report-cue",   "info-cue",      "hypothetical"};

struct hq_triage_rules {
    hq_arena arena; /* every string and term */
    rule *rules;
    size_t n_rules, cap_rules;
    named_set *sets;
    size_t n_sets, cap_sets;
    pset cues[N_CUES];
    const char *info_prefix, *none_message;
};

static void pset_free(pset *s)
{
    free(s->p);
    memset(s, 0, sizeof *s);
}

void hq_triage_free(hq_triage_rules *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n_rules; i++) {
        for (size_t g = 0; g < r->rules[i].n_need; g++)
            pset_free(&r->rules[i].need[g]);
        for (size_t g = 0; g < r->rules[i].n_context; g++)
            pset_free(&r->rules[i].context[g]);
        free(r->rules[i].need);
        free(r->rules[i].context);
    }
    for (size_t i = 0; i < r->n_sets; i++)
        pset_free(&r->sets[i].set);
    for (int c = 0; c < N_CUES; c++)
        pset_free(&r->cues[c]);
    free(r->rules);
    free(r->sets);
    hq_arena_free(&r->arena);
    free(r);
}

size_t hq_triage_rule_count(const hq_triage_rules *r)
{
    return r ? r->n_rules : 0;
}

const char *hq_triage_default_path(void)
{
    const char *env = getenv("HEALTHQA_TRIAGE_RULES");
    return env && *env ? env : HQ_DATA_DIR "/triage.rules";
}

/* ---- 1. analysis (the same for rules and texts) ------------------- */

typedef struct tok {
    const char *s; /* stem, NUL-terminated */
    const char *f; /* folded word, NUL-terminated */
    uint32_t len, flen;
    uint32_t start, end; /* bytes of the text */
    uint32_t sent, clause;
    bool stop;
    bool num;      /* all digits, value in val */
    uint32_t val;
} tok;

typedef struct toks {
    tok *t;
    size_t n, cap;
} toks;

typedef struct analysis {
    hq_stemmer *st;
    hq_folder *fold;
    hq_arena *arena; /* where stems are copied */
} analysis;

static void analysis_init(analysis *a, hq_arena *arena)
{
    a->st = hq_stemmer_new();
    a->fold = hq_xmalloc(sizeof *a->fold);
    a->arena = arena;
}

static void analysis_free(analysis *a)
{
    hq_stemmer_free(a->st);
    free(a->fold);
}

/* True when bytes s[0..len) hold a sentence end; *clause is set when
 * they hold a clause break (a sentence end is one too). */
static bool gap_breaks(const char *s, size_t len, bool *clause)
{
    bool sent = false;
    *clause = false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '.' || c == '!' || c == '?' || c == '\n')
            sent = true;
        else if (c == ',' || c == ';' || c == ':' || c == '(' || c == ')' || c == '"')
            *clause = true;
        else if (c == '-' && i > 0 && s[i - 1] == ' ')
            *clause = true; /* " - " */
        else if ((unsigned char)c == 0xE2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 &&
                 ((unsigned char)s[i + 2] == 0x93 || (unsigned char)s[i + 2] == 0x94))
            *clause = true; /* en and em dashes */
    }
    *clause = *clause || sent;
    return sent;
}

static void number_value(tok *t)
{
    t->num = t->len > 0 && t->len <= 5;
    uint32_t v = 0;
    for (uint32_t i = 0; t->num && i < t->len; i++) {
        t->num = t->s[i] >= '0' && t->s[i] <= '9';
        v = v * 10 + (uint32_t)(t->s[i] - '0');
    }
    t->val = t->num ? v : 0;
}

/* Appends the tokens of one word text[w->start..w->end) to out. */
static void add_word(analysis *a, const char *text, const hq_word *w, toks *out)
{
    size_t flen, slen;
    const char *f = hq_fold(a->fold, text + w->start, w->end - w->start, 0, &flen);
    if (f == NULL)
        return;
    bool stop = hq_is_stopword(f, flen);
    const char *s = hq_stem(a->st, f, flen, &slen);
    hq_grow((void **)&out->t, &out->cap, out->n + 1, sizeof *out->t);
    tok *t = &out->t[out->n++];
    char *folded = hq_arena_strndup(a->arena, f, flen);
    *t = (tok){.s = hq_arena_strndup(a->arena, s, slen), .f = folded, .len = (uint32_t)slen,
               .flen = (uint32_t)flen, .start = w->start, .end = w->end, .stop = stop};
    number_value(t);
}

/* Analyses text[0..len) into out, which is reset first (its array is
 * reused); sentences and clauses are numbered from 0. */
static void analyse(analysis *a, const char *text, size_t len, toks *out)
{
    hq_word words[64];
    size_t at = 0, n;
    out->n = 0;
    while ((n = hq_tokenize(text, len, &at, HQ_TOKENIZE_SPLIT_HYPHENS, words, 64)) > 0)
        for (size_t i = 0; i < n; i++)
            add_word(a, text, &words[i], out);
    for (size_t i = 0; i < out->n; i++) {
        tok *t = &out->t[i];
        if (i == 0) {
            t->sent = t->clause = 0;
            continue;
        }
        bool clause, sent = gap_breaks(text + t[-1].end, t->start - t[-1].end, &clause);
        t->sent = t[-1].sent + (sent ? 1 : 0);
        t->clause = t[-1].clause + (clause ? 1 : 0);
    }
}

/* ---- 2. the rules file ---------------------------------------------- */

typedef struct loader {
    hq_triage_rules *r;
    analysis an;
    const char *path;
    hq_error *err;
    pset *last_list; /* the phrase list a '|' continuation line extends */
    bool last_refs;  /* whether that list may name @sets */
} loader;

static hq_status bad(loader *ld, long line, const char *fmt, ...) HQ_PRINTF(3, 4);
static hq_status bad(loader *ld, long line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hq_status rc = hq_vfail(ld->err, HQ_EFORMAT, ld->path, line, -1, fmt, ap);
    va_end(ap);
    return rc;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

static void pset_add(pset *s, phrase p)
{
    hq_grow((void **)&s->p, &s->cap, s->n + 1, sizeof *s->p);
    s->p[s->n++] = p;
}

static const pset *find_set(const hq_triage_rules *r, const char *name)
{
    for (size_t i = 0; i < r->n_sets; i++)
        if (strcmp(r->sets[i].name, name) == 0)
            return &r->sets[i].set;
    return NULL;
}

/* Parses "{lo-hi}" into t; false when word is not of that shape. */
static bool parse_range(const char *word, pterm *t)
{
    char *end;
    if (word[0] != '{' || word[1] < '0' || word[1] > '9')
        return false;
    long lo = strtol(word + 1, &end, 10);
    if (*end != '-' || end[1] < '0' || end[1] > '9')
        return false;
    long hi = strtol(end + 1, &end, 10);
    if (end[0] != '}' || end[1] != '\0' || lo > hi || hi > MAX_NUMBER)
        return false;
    *t = (pterm){NULL, 0, (uint32_t)lo, (uint32_t)hi, false};
    return true;
}

/* Analyses the phrase text (NUL-terminated, trimmed, not empty) into p. */
static hq_status make_phrase(loader *ld, long line, const char *text, phrase *p)
{
    pterm terms[HQ_TRIAGE_MAX_PHRASE_WORDS];
    uint32_t n = 0;
    toks tk = {0};
    bool anchored = text[0] == '^';
    char *copy = hq_xstrdup(text + (anchored ? 1 : 0)), *save = NULL;
    hq_status rc = HQ_OK;
    for (char *w = strtok_r(copy, " \t", &save); w && rc == HQ_OK; w = strtok_r(NULL, " \t", &save)) {
        pterm range;
        bool is_range = parse_range(w, &range), exact = w[0] == '=' && w[1] != '\0';
        if (exact)
            w++;
        if (w[0] == '{' && !is_range)
            rc = bad(ld, line, "bad number range \"%s\" in \"%s\" (write {lo-hi}, lo <= hi <= %d)",
                     w, text, MAX_NUMBER);
        else if (!is_range)
            analyse(&ld->an, w, strlen(w), &tk);
        size_t add = is_range ? 1 : tk.n;
        if (rc == HQ_OK && n + add > HQ_TRIAGE_MAX_PHRASE_WORDS)
            rc = bad(ld, line, "phrase \"%s\" has more than %d words", text,
                     HQ_TRIAGE_MAX_PHRASE_WORDS);
        for (size_t i = 0; rc == HQ_OK && i < add; i++)
            terms[n++] = is_range ? range
                         : exact  ? (pterm){tk.t[i].f, tk.t[i].flen, 0, 0, true}
                                  : (pterm){tk.t[i].s, tk.t[i].len, 0, 0, false};
    }
    free(copy);
    free(tk.t);
    if (rc == HQ_OK && n == 0)
        rc = bad(ld, line, "phrase \"%s\" has no words", text);
    if (rc != HQ_OK)
        return rc;
    pterm *t = hq_arena_alloc(&ld->r->arena, n * sizeof *t);
    memcpy(t, terms, n * sizeof *t);
    *p = (phrase){hq_arena_strdup(&ld->r->arena, text), t, n, anchored};
    return HQ_OK;
}

/* Appends the '|'-separated phrases of value (and, when refs, the
 * phrases of the @sets it names) to s. */
static hq_status add_phrases(loader *ld, long line, char *value, pset *s, bool refs)
{
    char *next;
    for (char *item = value;; item = next + 1) {
        next = strchr(item, '|');
        if (next)
            *next = '\0';
        char *p = trim(item);
        if (*p == '\0')
            return bad(ld, line, "empty phrase (two '|' in a row, or one at an end)");
        if (p[0] == '@') {
            const pset *set = refs ? find_set(ld->r, p + 1) : NULL;
            if (!refs)
                return bad(ld, line, "@%s: sets are allowed in need, context and set only",
                           p + 1);
            if (set == NULL)
                return bad(ld, line, "unknown set @%s (define it with \"set %s = ...\" first)",
                           p + 1, p + 1);
            for (size_t i = 0; i < set->n; i++)
                pset_add(s, set->p[i]);
        } else {
            phrase ph;
            hq_status rc = make_phrase(ld, line, p, &ph);
            if (rc != HQ_OK)
                return rc;
            pset_add(s, ph);
        }
        if (next == NULL)
            return HQ_OK;
    }
}

static rule *current(loader *ld)
{
    return ld->r->n_rules ? &ld->r->rules[ld->r->n_rules - 1] : NULL;
}

/* Checks that the rule being closed has all its keys. */
static hq_status finish_rule(loader *ld)
{
    rule *ru = current(ld);
    if (ru == NULL)
        return HQ_OK;
    const char *missing = ru->level < 0 ? "level" : ru->n_need == 0 ? "need"
                          : ru->message == NULL ? "message" : ru->source == NULL ? "source"
                          : ru->title == NULL ? "title" : ru->url == NULL ? "url" : NULL;
    if (missing)
        return bad(ld, ru->line, "rule \"%s\" has no %s", ru->id, missing);
    return HQ_OK;
}

static bool valid_id(const char *s)
{
    if (*s == '\0')
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' ||
              *s == '-'))
            return false;
    return true;
}

static hq_status start_rule(loader *ld, long line, const char *id)
{
    hq_status rc = finish_rule(ld);
    if (rc != HQ_OK)
        return rc;
    if (!valid_id(id))
        return bad(ld, line, "rule id \"%s\" must be lower-case letters, digits, '.', '_', '-'",
                   id);
    for (size_t i = 0; i < ld->r->n_rules; i++)
        if (strcmp(ld->r->rules[i].id, id) == 0)
            return bad(ld, line, "rule \"%s\" is already defined on line %ld", id,
                       ld->r->rules[i].line);
    hq_triage_rules *r = ld->r;
    hq_grow((void **)&r->rules, &r->cap_rules, r->n_rules + 1, sizeof *r->rules);
    r->rules[r->n_rules++] = (rule){.id = hq_arena_strdup(&r->arena, id), .line = line,
                                    .level = -1};
    ld->last_list = NULL;
    return HQ_OK;
}

static hq_status set_string(loader *ld, long line, const char *key, const char *value,
                            const char **slot)
{
    if (*slot != NULL)
        return bad(ld, line, "%s is given twice", key);
    if (*value == '\0')
        return bad(ld, line, "%s is empty", key);
    if (strlen(value) > MAX_VALUE)
        return bad(ld, line, "%s is longer than %d bytes", key, MAX_VALUE);
    *slot = hq_arena_strdup(&ld->r->arena, value);
    return HQ_OK;
}

static int level_of(const char *s)
{
    for (int l = 0; l < 4; l++)
        if (strcmp(s, LEVEL_NAMES[l]) == 0)
            return l;
    return -1;
}

/* A new group (need or context) of the current rule. */
static pset *new_group(pset **groups, size_t *n, size_t *cap)
{
    hq_grow((void **)groups, cap, *n + 1, sizeof **groups);
    (*groups)[*n] = (pset){0};
    return &(*groups)[(*n)++];
}

static hq_status rule_key(loader *ld, long line, const char *key, char *value)
{
    rule *ru = current(ld);
    if (ru == NULL)
        return bad(ld, line, "\"%s\" outside a rule (start one with \"rule = ID\")", key);
    if (strcmp(key, "level") == 0) {
        if (ru->level >= 0)
            return bad(ld, line, "level is given twice");
        ru->level = level_of(value);
        if (ru->level < 0)
            return bad(ld, line, "level \"%s\" is not one of emergency, urgent, soon, none",
                       value);
        return HQ_OK;
    }
    if (strcmp(key, "window") == 0) {
        if (strcmp(value, "sentence") != 0 && strcmp(value, "text") != 0)
            return bad(ld, line, "window \"%s\" is not sentence or text", value);
        ru->text_window = strcmp(value, "text") == 0;
        return HQ_OK;
    }
    if (strcmp(key, "need") == 0 || strcmp(key, "context") == 0) {
        bool need = key[0] == 'n';
        pset *g = need ? new_group(&ru->need, &ru->n_need, &ru->cap_need)
                       : new_group(&ru->context, &ru->n_context, &ru->cap_context);
        ld->last_list = g;
        ld->last_refs = true;
        return add_phrases(ld, line, value, g, true);
    }
    if (strcmp(key, "url") == 0 && strncmp(value, "https://", 8) != 0)
        return bad(ld, line, "url \"%s\" must start with https://", value);
    const char **slot = strcmp(key, "message") == 0  ? &ru->message
                        : strcmp(key, "source") == 0 ? &ru->source
                        : strcmp(key, "title") == 0  ? &ru->title
                        : strcmp(key, "url") == 0    ? &ru->url
                                                     : NULL;
    if (slot == NULL)
        return bad(ld, line,
                   "unknown key \"%s\" (rule keys: level, need, context, window, message, "
                   "source, title, url)",
                   key);
    return set_string(ld, line, key, value, slot);
}

static hq_status define_set(loader *ld, long line, const char *name, char *value)
{
    for (const char *c = name; *c; c++)
        if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
              *c == '_' || *c == '-' || *c == '.'))
            return bad(ld, line, "set name \"%s\" must be letters, digits, '.', '_', '-'", name);
    if (*name == '\0')
        return bad(ld, line, "\"set\" needs a name: set NAME = phrase | phrase");
    if (find_set(ld->r, name))
        return bad(ld, line, "set @%s is already defined", name);
    hq_triage_rules *r = ld->r;
    hq_grow((void **)&r->sets, &r->cap_sets, r->n_sets + 1, sizeof *r->sets);
    named_set *s = &r->sets[r->n_sets];
    *s = (named_set){hq_arena_strdup(&r->arena, name), {0}};
    hq_status rc = add_phrases(ld, line, value, &s->set, true);
    r->n_sets++; /* freed with the rest, even on failure */
    ld->last_list = &s->set;
    ld->last_refs = true;
    return rc;
}

/* One "key = value" line; key may be "set NAME". */
static hq_status key_value(loader *ld, long line, char *key, char *value)
{
    if (strncmp(key, "set", 3) == 0 && (key[3] == ' ' || key[3] == '\t'))
        return define_set(ld, line, trim(key + 4), value);
    ld->last_list = NULL;
    for (int c = 0; c < N_CUES; c++)
        if (strcmp(key, CUE_KEYS[c]) == 0) {
            ld->last_list = &ld->r->cues[c];
            ld->last_refs = false;
            return add_phrases(ld, line, value, &ld->r->cues[c], false);
        }
    if (strcmp(key, "info-prefix") == 0)
        return set_string(ld, line, key, value, &ld->r->info_prefix);
    if (strcmp(key, "none-message") == 0)
        return set_string(ld, line, key, value, &ld->r->none_message);
    if (strcmp(key, "rule") == 0)
        return start_rule(ld, line, value);
    return rule_key(ld, line, key, value);
}

static hq_status rules_line(void *ctx, char *line, long lineno)
{
    loader *ld = ctx;
    long bad_at = hq_utf8_invalid_at(line, strlen(line));
    if (bad_at >= 0)
        return hq_fail(ld->err, HQ_EUTF8, ld->path, lineno, -1,
                       "invalid UTF-8 at byte %ld of the line", bad_at + 1);
    char *s = trim(line);
    if (*s == '\0' || *s == '#')
        return HQ_OK;
    if (*s == '|') {
        if (ld->last_list == NULL)
            return bad(ld, lineno, "a '|' continuation line must follow a phrase list");
        return add_phrases(ld, lineno, s + 1, ld->last_list, ld->last_refs);
    }
    char *eq = strchr(s, '=');
    if (eq == NULL)
        return bad(ld, lineno, "expected \"key = value\"");
    *eq = '\0';
    char *key = trim(s), *value = trim(eq + 1);
    if (*key == '\0')
        return bad(ld, lineno, "expected a key before '='");
    return key_value(ld, lineno, key, value);
}

static bool pterm_eq(const pterm *a, const pterm *b)
{
    return a->exact == b->exact && a->lo == b->lo && a->hi == b->hi && a->len == b->len &&
           (a->s == NULL) == (b->s == NULL) && (a->s == NULL || memcmp(a->s, b->s, a->len) == 0);
}

/* Whether p starts with a pre-negation trigger and is longer than it. */
static bool starts_with_trigger(const hq_triage_rules *r, const phrase *p)
{
    const pset *pre = &r->cues[C_PRE];
    for (size_t k = 0; k < pre->n; k++) {
        const phrase *t = &pre->p[k];
        uint32_t i = 0;
        while (i < t->n && i < p->n && pterm_eq(&t->t[i], &p->t[i]))
            i++;
        if (i == t->n && p->n > t->n)
            return true;
    }
    return false;
}

static void pseudo_from(hq_triage_rules *r, const pset *groups, size_t n)
{
    for (size_t g = 0; g < n; g++)
        for (size_t k = 0; k < groups[g].n; k++)
            if (starts_with_trigger(r, &groups[g].p[k]))
                pset_add(&r->cues[C_PSEUDO], groups[g].p[k]);
}

/* A symptom phrase that starts with a negation trigger ("no feeling",
 * "no threads") is a pseudo-negation too: its "no" is part of the
 * symptom and must not negate what follows it. */
static void symptoms_as_pseudo(hq_triage_rules *r)
{
    for (size_t i = 0; i < r->n_rules; i++) {
        pseudo_from(r, r->rules[i].need, r->rules[i].n_need);
        pseudo_from(r, r->rules[i].context, r->rules[i].n_context);
    }
}

hq_status hq_triage_load(const char *path, hq_triage_rules **out, hq_error *err)
{
    *out = NULL;
    hq_triage_rules *r = hq_xcalloc(1, sizeof *r);
    hq_arena_init(&r->arena);
    loader ld = {.r = r, .path = path, .err = err};
    analysis_init(&ld.an, &r->arena);
    hq_status rc = hq_read_lines(path, HQ_TRIAGE_MAX_FILE, rules_line, &ld, err);
    if (rc == HQ_OK)
        rc = finish_rule(&ld);
    if (rc == HQ_OK && r->n_rules == 0)
        rc = bad(&ld, 0, "no rules (a rule starts with \"rule = ID\")");
    analysis_free(&ld.an);
    if (rc != HQ_OK) {
        hq_triage_free(r);
        return rc;
    }
    symptoms_as_pseudo(r);
    *out = r;
    return HQ_OK;
}

/* ---- 3. matching ------------------------------------------------------ */

/* What step 2 and 3 learn about each token of the text. */
typedef struct mark {
    int32_t pre;   /* index of the pre-negation trigger that reaches it, or -1 */
    int32_t post;  /* likewise for post-negation */
    int8_t cue;    /* the trigger list (C_PRE .. C_TERM) of a trigger it is part of, or -1 */
} mark;

/* A phrase may not skip a word of a negation trigger ("no", "not"). */
static bool fixed(const mark *m)
{
    return m->cue >= C_PRE && m->cue <= C_PSEUDO;
}

typedef struct text_state {
    const hq_triage_rules *r;
    const char *text;
    toks tk;
    mark *m;
    bool *asked;  /* per token: inside a question (step 3) */
    bool report;  /* a report cue outside a hypothetical scope */
    bool info;    /* some information cue */
} text_state;

static bool term_eq(const pterm *p, const tok *t)
{
    if (p->s == NULL)
        return t->num && t->val >= p->lo && t->val <= p->hi;
    if (p->exact)
        return p->len == t->flen && memcmp(p->s, t->f, t->flen) == 0;
    return p->len == t->len && memcmp(p->s, t->s, t->len) == 0;
}

/* Whether an anchored phrase may start at token i. */
static bool anchor_ok(const phrase *p, const toks *tk, size_t i)
{
    return !p->anchored || i == 0 || tk->t[i - 1].clause != tk->t[i].clause;
}

/* The end of an exact match of p at token i (consecutive tokens, one
 * clause), or 0. */
static size_t match_exact(const phrase *p, const toks *tk, size_t i)
{
    if (i + p->n > tk->n || !anchor_ok(p, tk, i))
        return 0;
    for (uint32_t k = 0; k < p->n; k++)
        if (!term_eq(&p->t[k], &tk->t[i + k]) || tk->t[i + k].clause != tk->t[i].clause)
            return 0;
    return i + p->n;
}

/* The first token from j on that is t, or that a phrase may not skip:
 * at most MAX_SKIP stop words that are no part of a negation trigger. */
static size_t skip_stops(const text_state *ts, const pterm *t, size_t j)
{
    for (int skip = 0; skip < MAX_SKIP && j < ts->tk.n; skip++, j++)
        if (term_eq(t, &ts->tk.t[j]) || !ts->tk.t[j].stop || fixed(&ts->m[j]))
            break;
    return j;
}

/* The end of a phrase match of p at token i: its words in order in one
 * clause, with up to MAX_SKIP stop words of the text (not part of a
 * trigger) before each word after the first; 0 when there is none. */
static size_t match_phrase(const phrase *p, const text_state *ts, size_t i)
{
    const toks *tk = &ts->tk;
    size_t j = i;
    if (!anchor_ok(p, tk, i))
        return 0;
    for (uint32_t k = 0; k < p->n; k++, j++) {
        if (k > 0)
            j = skip_stops(ts, &p->t[k], j);
        if (j >= tk->n || tk->t[j].clause != tk->t[i].clause || !term_eq(&p->t[k], &tk->t[j]))
            return 0;
    }
    return j;
}

/* The longest cue of the lists first..last (enum cue) at token i: its
 * end (0: none) and its list in *which. */
static size_t longest_cue(const text_state *ts, size_t i, int first, int last, int *which)
{
    size_t best = 0;
    for (int c = first; c <= last; c++)
        for (size_t k = 0; k < ts->r->cues[c].n; k++) {
            size_t e = match_exact(&ts->r->cues[c].p[k], &ts->tk, i);
            if (e > best) {
                best = e;
                *which = c;
            }
        }
    return best;
}

static bool is_term_at(const text_state *ts, size_t i)
{
    int c;
    return longest_cue(ts, i, C_TERM, C_TERM, &c) > 0;
}

/* Marks the tokens a pre-negation trigger [i, end) reaches. */
static void scope_forward(text_state *ts, size_t i, size_t end)
{
    size_t content = 0;
    for (size_t k = end; k < ts->tk.n && content < NEG_SCOPE; k++) {
        if (ts->tk.t[k].clause != ts->tk.t[i].clause || is_term_at(ts, k))
            break;
        ts->m[k].pre = (int32_t)i;
        content += ts->tk.t[k].stop ? 0 : 1;
    }
}

/* Marks the tokens a post-negation trigger at i reaches. */
static void scope_backward(text_state *ts, size_t i)
{
    size_t content = 0;
    for (size_t k = i; k-- > 0 && content < NEG_SCOPE;) {
        if (ts->tk.t[k].clause != ts->tk.t[i].clause || ts->m[k].cue >= 0)
            break;
        ts->m[k].post = (int32_t)i;
        content += ts->tk.t[k].stop ? 0 : 1;
    }
}

/* Step 2: NegEx over the text. */
static void negex(text_state *ts)
{
    for (size_t i = 0; i < ts->tk.n;) {
        int c = -1;
        size_t end = longest_cue(ts, i, C_PRE, C_TERM, &c);
        if (end == 0) {
            i++;
            continue;
        }
        for (size_t k = i; k < end; k++)
            ts->m[k].cue = (int8_t)c;
        if (c == C_PRE)
            scope_forward(ts, i, end);
        else if (c == C_POST)
            scope_backward(ts, i);
        i = end;
    }
}

/* Step 3: report cues and the tokens asked about. */
static void questions(text_state *ts)
{
    uint32_t hypo_clause = UINT32_MAX, info_sent = UINT32_MAX;
    for (size_t i = 0; i < ts->tk.n;) {
        int c = -1;
        size_t end = longest_cue(ts, i, C_REPORT, C_HYPO, &c);
        const tok *t = &ts->tk.t[i];
        if (c == C_HYPO)
            hypo_clause = t->clause;
        else if (c == C_INFO)
            info_sent = t->sent;
        else if (c == C_REPORT && t->clause != hypo_clause)
            ts->report = true;
        ts->info = ts->info || c == C_INFO;
        for (size_t k = i; k < (end ? end : i + 1); k++)
            ts->asked[k] = ts->tk.t[k].sent == info_sent || ts->tk.t[k].clause == hypo_clause;
        i = end ? end : i + 1;
    }
}

/* One match of a phrase in the text. */
typedef struct hit {
    const phrase *p;
    uint32_t first, last; /* tokens */
    bool negated;
} hit;

typedef struct hits {
    hit *h;
    size_t n, cap;
} hits;

/* Appends to out every match of every phrase of s (the longest at each
 * token). */
static void find_hits(const text_state *ts, const pset *s, hits *out)
{
    for (size_t i = 0; i < ts->tk.n; i++) {
        size_t best = 0;
        const phrase *bp = NULL;
        for (size_t k = 0; k < s->n; k++) {
            size_t e = match_phrase(&s->p[k], ts, i);
            if (e > best) {
                best = e;
                bp = &s->p[k];
            }
        }
        if (bp == NULL)
            continue;
        const mark *m = ts->m;
        bool neg = m[i].pre >= 0 || m[best - 1].post >= (int32_t)best;
        hq_grow((void **)&out->h, &out->cap, out->n + 1, sizeof *out->h);
        out->h[out->n++] = (hit){bp, (uint32_t)i, (uint32_t)(best - 1), neg};
    }
}

/* The first counting hit of g's hits [from, to) in sentence sent (any
 * sentence when sent is UINT32_MAX), or NULL. */
static const hit *first_hit(const text_state *ts, const hits *hs, size_t from, size_t to,
                            uint32_t sent)
{
    for (size_t i = from; i < to; i++)
        if (!hs->h[i].negated && (sent == UINT32_MAX || ts->tk.t[hs->h[i].first].sent == sent))
            return &hs->h[i];
    return NULL;
}

/* The outcome of one rule on the text. */
typedef struct outcome {
    bool fired;
    bool capped;      /* fired, but only as a question: level at most soon */
    hits hs;          /* every hit of every group, negated ones included */
    size_t *bounds;   /* group g's hits are hs.h[bounds[g] .. bounds[g + 1]) */
    const hit **shown;/* the hit shown for each group when fired */
    size_t n_groups;
} outcome;

static void outcome_free(outcome *o)
{
    free(o->hs.h);
    free(o->bounds);
    free(o->shown);
}

/* Whether every need group has a counting hit in sentence sent (any
 * sentence: UINT32_MAX); fills o->shown for them. */
static bool needs_in(const text_state *ts, const rule *ru, outcome *o, uint32_t sent)
{
    for (size_t g = 0; g < ru->n_need; g++) {
        o->shown[g] = first_hit(ts, &o->hs, o->bounds[g], o->bounds[g + 1], sent);
        if (o->shown[g] == NULL)
            return false;
    }
    return true;
}

static bool needs_met(const text_state *ts, const rule *ru, outcome *o)
{
    if (ru->text_window)
        return needs_in(ts, ru, o, UINT32_MAX);
    for (size_t i = o->bounds[0]; i < o->bounds[1]; i++)
        if (!o->hs.h[i].negated && needs_in(ts, ru, o, ts->tk.t[o->hs.h[i].first].sent))
            return true;
    return false;
}

static void run_rule(const text_state *ts, const rule *ru, outcome *o)
{
    memset(o, 0, sizeof *o);
    o->n_groups = ru->n_need + ru->n_context;
    o->bounds = hq_xcalloc(o->n_groups + 1, sizeof *o->bounds);
    o->shown = hq_xcalloc(o->n_groups, sizeof *o->shown);
    for (size_t g = 0; g < o->n_groups; g++) {
        find_hits(ts, g < ru->n_need ? &ru->need[g] : &ru->context[g - ru->n_need], &o->hs);
        o->bounds[g + 1] = o->hs.n;
    }
    if (!needs_met(ts, ru, o))
        return;
    for (size_t g = ru->n_need; g < o->n_groups; g++) {
        o->shown[g] = first_hit(ts, &o->hs, o->bounds[g], o->bounds[g + 1], UINT32_MAX);
        if (o->shown[g] == NULL)
            return;
    }
    o->fired = true;
    o->capped = !ts->report && ru->level > L_SOON;
    for (size_t g = 0; g < ru->n_need; g++)
        o->capped = o->capped && ts->asked[o->shown[g]->first];
}

/* The level of a fired rule, once capped. */
static int effective(const rule *ru, const outcome *o)
{
    return o->capped ? L_SOON : ru->level;
}

/* ---- 4. the result ---------------------------------------------------- */

static json_t *hit_json(const text_state *ts, const hit *h, const char *group)
{
    uint32_t s = ts->tk.t[h->first].start, e = ts->tk.t[h->last].end;
    json_t *o = json_pack("{s:s, s:s%, s:I, s:I}", "phrase", h->p->text, "text", ts->text + s,
                          (size_t)(e - s), "start", (json_int_t)s, "end", (json_int_t)e);
    if (group)
        json_object_set_new(o, "group", json_string(group));
    return o;
}

/* Adds h to the "negated" array unless a hit with its span is there or
 * the array is full (MAX_NEGATED: it explains, it need not be complete). */
static void add_negated(const text_state *ts, json_t *arr, const hit *h)
{
    if (json_array_size(arr) >= MAX_NEGATED)
        return;
    json_int_t s = ts->tk.t[h->first].start, e = ts->tk.t[h->last].end;
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (json_integer_value(json_object_get(v, "start")) == s &&
            json_integer_value(json_object_get(v, "end")) == e)
            return;
    }
    json_array_append_new(arr, hit_json(ts, h, NULL));
}

static json_t *matched_json(const text_state *ts, const rule *ru, const outcome *o)
{
    json_t *arr = json_array();
    for (size_t g = 0; g < o->n_groups; g++)
        json_array_append_new(arr, hit_json(ts, o->shown[g], g < ru->n_need ? "need" : "context"));
    return arr;
}

static const char *DEFAULT_NONE =
    "No red flag was found in what you wrote. This is not a diagnosis: if you are worried, "
    "or symptoms get worse or do not go away, contact a doctor.";

/* Builds the result object of the winning rule (NULL: none fired). */
static json_t *result_json(const text_state *ts, const rule *win, const outcome *wo)
{
    const hq_triage_rules *r = ts->r;
    int level = win ? win->level : L_NONE;
    bool capped = win && wo->capped;
    bool info = capped || (!ts->report && ts->info && (win == NULL || level <= L_SOON));
    json_t *o = json_object();
    json_object_set_new(o, "level", json_string(LEVEL_NAMES[capped ? L_SOON : level]));
    if (win == NULL) {
        json_object_set_new(o, "message",
                            json_string(r->none_message ? r->none_message : DEFAULT_NONE));
        json_object_set_new(o, "guidance", json_null());
        json_object_set_new(o, "rule", json_null());
        json_object_set_new(o, "matched", json_array());
    } else {
        const char *prefix = capped && r->info_prefix ? r->info_prefix : "";
        json_object_set_new(o, "message", json_sprintf("%s%s%s", prefix, *prefix ? " " : "",
                                                       win->message));
        json_object_set_new(o, "guidance", json_pack("{s:s, s:s, s:s}", "source", win->source,
                                                     "title", win->title, "url", win->url));
        json_object_set_new(o, "rule", json_string(win->id));
        json_object_set_new(o, "matched", matched_json(ts, win, wo));
    }
    json_object_set_new(o, "informational", json_boolean(info));
    if (capped)
        json_object_set_new(o, "uncapped_level", json_string(LEVEL_NAMES[level]));
    return o;
}

static hq_status check_text(const char *text, size_t len, hq_error *err)
{
    if (len == 0)
        return HQ_OK;
    if (text == NULL)
        return hq_fail(err, HQ_EINVAL, "triage", 0, -1, "text is NULL");
    if (len > HQ_TRIAGE_MAX_TEXT)
        return hq_fail(err, HQ_ELIMIT, "triage", 0, -1,
                       "text is %zu bytes long, over the limit of %u", len, HQ_TRIAGE_MAX_TEXT);
    long at = hq_utf8_invalid_at(text, len);
    if (at >= 0)
        return hq_fail(err, HQ_EUTF8, "triage", 0, at, "invalid UTF-8 at byte %ld", at);
    return HQ_OK;
}

/* Runs every rule; returns the winner's index (or -1) with its outcome
 * kept in *win (freed by the caller), and fills negated and also. */
static long run_rules(const text_state *ts, outcome *win, json_t *negated, json_t *also)
{
    long best = -1;
    memset(win, 0, sizeof *win);
    for (size_t i = 0; i < ts->r->n_rules; i++) {
        const rule *ru = &ts->r->rules[i];
        outcome o;
        run_rule(ts, ru, &o);
        for (size_t k = 0; k < o.hs.n; k++)
            if (o.hs.h[k].negated)
                add_negated(ts, negated, &o.hs.h[k]);
        if (o.fired && (best < 0 || effective(ru, &o) > effective(&ts->r->rules[best], win))) {
            if (best >= 0)
                json_array_append_new(also, json_string(ts->r->rules[best].id));
            outcome_free(win);
            *win = o;
            best = (long)i;
            continue;
        }
        if (o.fired)
            json_array_append_new(also, json_string(ru->id));
        outcome_free(&o);
    }
    return best;
}

hq_status hq_triage_run(const hq_triage_rules *r, const char *text, size_t len, json_t **out,
                        hq_error *err)
{
    *out = NULL;
    hq_status rc = check_text(text, len, err);
    if (rc != HQ_OK)
        return rc;
    hq_arena arena;
    hq_arena_init(&arena);
    analysis an;
    analysis_init(&an, &arena);
    text_state ts = {.r = r, .text = text};
    if (len > 0)
        analyse(&an, text, len, &ts.tk);
    analysis_free(&an);
    ts.m = hq_xcalloc(ts.tk.n + 1, sizeof *ts.m);
    for (size_t i = 0; i < ts.tk.n; i++)
        ts.m[i] = (mark){-1, -1, -1};
    negex(&ts);
    ts.asked = hq_xcalloc(ts.tk.n + 1, sizeof *ts.asked);
    questions(&ts);
    json_t *negated = json_array(), *also = json_array();
    outcome win;
    long best = run_rules(&ts, &win, negated, also);
    *out = result_json(&ts, best >= 0 ? &r->rules[best] : NULL, &win);
    json_object_set_new(*out, "negated", negated);
    json_object_set_new(*out, "also", also);
    outcome_free(&win);
    free(ts.m);
    free(ts.asked);
    free(ts.tk.t);
    hq_arena_free(&arena);
    return HQ_OK;
}

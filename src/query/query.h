/*
 * query.h — the query layer: what the user typed → the parts the
 * ranker and the snippet maker work from.
 *
 * parser.c reads the query syntax (free words, "phrases", -exclusions,
 * source:/type:/trust: filters) and analyses every word with the same
 * analyzer, flags and rules as the index (src/text/), so query terms meet
 * indexed terms.  Question analysis and the iterator tree come later
 * (question.c, plan.c, iter.c in ../shared/DESIGN.md).
 *
 * One block per file, as in FTS5's fts5Int.h.
 */
#ifndef HQ_QUERY_H
#define HQ_QUERY_H

#include "../base/base.h"
#include "../text/text.h"

#include <stdint.h>

/* ---- Interface to code in parser.c --------------------------------- */
/* The syntax, lenient so that ordinary text never fails:
 *   words            scored terms, OR-ed; analysed with the default flags
 *                    (stop words dropped, stemmed); a repeated word
 *                    counts again (weight 2, 3, ...).
 *   "a phrase"       required: its words at their relative positions
 *                    (stop words leave gaps); its words are scored terms
 *                    too.  “ ” „ ‟ « » ＂ act as quotes like ", any
 *                    one closing any other; an unterminated quote runs to
 *                    the end.  A phrase with one word is a phrase of one;
 *                    one with no word (only stop words) is ignored.
 *   -word -"phrase"  excluded (a '-' starting a token, followed by
 *                    something other than white space).  A word that
 *                    analyses to several words ("-covid-19",
 *                    "-women/men") is excluded as a phrase of them.
 *   field:value      field one of source, type, trust (any case); value a
 *   field:"va lue"   bare word or quoted; -field:value excludes.  Values
 *                    are trimmed with inner white space runs made one
 *                    space; type values are lower-cased; trust values
 *                    must be high, medium, low or unknown (any case,
 *                    stored lower-case).  Any other word:word is text.
 * Tokens are separated by Unicode white space; a quote also ends a bare
 * word ("a"b → a, then the phrase b).  Hyphenated compounds count as
 * the analyzer makes them: as scored terms the compound and its parts
 * (covid-19, covid, 19), in phrases the parts only (covid@0 19@1), so a
 * phrase written with a hyphen also meets the text written without. */

#define HQ_MAX_QUERY_BYTES 8192
#define HQ_QUERY_MAX_TERMS 256    /* distinct scored terms */
#define HQ_QUERY_MAX_PHRASES 16   /* required and excluded together */
#define HQ_QUERY_MAX_EXCLUDED 64  /* distinct excluded terms */
#define HQ_QUERY_MAX_FILTERS 16

typedef struct hq_qterm {
    const char *term; /* analysed term, NUL-terminated, in the query's arena */
    uint32_t len;     /* bytes of term (<= HQ_MAX_TERM_BYTES of index.h) */
    float weight;     /* scored terms: occurrences in the query (1, 2, ...); else 1 */
    uint32_t pos;     /* phrase words: position relative to the phrase's first
                         word (gaps where stop words were); else 0 */
} hq_qterm;

typedef struct hq_phrase {
    hq_qterm *terms; /* n >= 1 words, positions increasing (a compound's
                        parts come one position apart) */
    uint32_t n;
    bool excluded;   /* -"phrase": documents holding it are left out */
} hq_phrase;

typedef enum hq_filter_kind { HQ_FILTER_SOURCE, HQ_FILTER_TYPE, HQ_FILTER_TRUST } hq_filter_kind;

typedef struct hq_filter {
    hq_filter_kind kind;
    const char *value; /* never empty; type: lower case; trust: "high",
                          "medium", "low" or "unknown" */
    bool excluded;     /* -field:value */
} hq_filter;

typedef struct hq_query {
    hq_arena arena;                          /* every string and array below */
    hq_qterm *terms;     uint32_t n_terms;    /* scored (OR) terms, distinct, in first-seen
                                                 order; phrase words included */
    hq_phrase *phrases;  uint32_t n_phrases;  /* "quoted" (required), -"quoted" (excluded),
                                                 in query order */
    hq_qterm *excluded;  uint32_t n_excluded; /* -word, distinct */
    hq_filter *filters;  uint32_t n_filters;  /* in query order */
} hq_query;

/* Parses text[0..len) (text may be NULL when len is 0) with analyzer a
 * into *q.  On HQ_OK, *q holds at least one scored term or one filter
 * that is not excluded; release it with hq_query_free().  On failure *q
 * is left empty (hq_query_free() on it is harmless) and err (when not
 * NULL) gets where "query", offset = the byte offset in text it concerns
 * (-1 when the whole query) and a message meant for the user:
 *   HQ_ELIMIT  len > HQ_MAX_QUERY_BYTES (offset HQ_MAX_QUERY_BYTES); more
 *              scored terms, phrases, excluded terms or filters than the
 *              HQ_QUERY_MAX_* above (offset of the first one too many)
 *   HQ_EUTF8   text is not valid UTF-8 (offset of the first bad byte)
 *   HQ_EINVAL  a NUL byte; an empty filter value (offset just after the
 *              colon); an unknown trust level (offset of the value);
 *              nothing to search for: no scored term and no filter that
 *              is not excluded, e.g. only stop words or only exclusions
 *              (offset -1, message "the query has no word to search for").
 * a keeps no pointer into q; q keeps none into text or a. */
hq_status hq_query_parse(hq_analyzer *a, const char *text, size_t len, hq_query *q,
                         hq_error *err);

/* Releases q's memory and leaves it empty; NULL is allowed, and so is a
 * second call. */
void hq_query_free(hq_query *q);

/* Appends a one-line canonical form of q to out, for golden tests and
 * `healthqa dump --query`: the non-empty parts among
 *   terms: back(1) pain(2) | phrase: "lower@0 back@1 pain@2" | not: iud |
 *   not-phrase: "birth@0 control@1" | source=GARD type="exams and tests" trust!=unknown
 * joined by " | " (filter values holding a space or '|' are quoted).
 * Whatever would pass out's limit is left out. */
void hq_query_dump(const hq_query *q, hq_buf *out);

/* The name of a filter kind: "source", "type" or "trust". */
const char *hq_filter_name(hq_filter_kind kind);

/* ---- Interface to code in phrases.c -------------------------------- */
/* A dictionary of phrases (sequences of analysed terms, known by their
 * 64-bit hashes) with payloads, matched longest-first.  Used by one
 * thread at a time while built; read-only lookups are thread-safe. */

typedef struct hq_phrasemap hq_phrasemap;

typedef struct hq_phrase_payload {
    uint32_t value; /* what the phrase stands for (a concept id, a cue id) */
    uint32_t flags; /* the adder's flags for this phrase */
} hq_phrase_payload;

/* Never NULL (out of memory aborts).  Release with hq_phrasemap_free(). */
hq_phrasemap *hq_phrasemap_new(void);
void hq_phrasemap_free(hq_phrasemap *m);
/* Adds (value, flags) to the phrase terms[0..n); a value already there
 * is not added twice (its flags become the AND of both).  Payloads keep
 * the order they were added in, except that those with
 * HQ_PHRASE_PREFERRED come before the others.  Returns false, adding nothing, when n
 * is 0. */
bool hq_phrasemap_add(hq_phrasemap *m, const uint64_t *terms, size_t n, uint32_t value,
                      uint32_t flags);
/* The length of the longest phrase that starts terms[0..n) (0: none)
 * and, in *node, a handle for hq_phrasemap_payloads(). */
size_t hq_phrasemap_longest(const hq_phrasemap *m, const uint64_t *terms, size_t n,
                            uint32_t *node);
/* The number of payloads of node; the first max of them into out. */
size_t hq_phrasemap_payloads(const hq_phrasemap *m, uint32_t node, hq_phrase_payload *out,
                             size_t max);
/* The payloads of exactly the phrase terms[0..n), as above. */
size_t hq_phrasemap_get(const hq_phrasemap *m, const uint64_t *terms, size_t n,
                        hq_phrase_payload *out, size_t max);
/* Walks the phrases starting terms[0..n) in one pass: for each length
 * k (1 .. the returned count, at most max) nodes[k-1] is the handle of
 * the phrase terms[0..k) for hq_phrasemap_payloads(), or 0 when no
 * phrase is exactly that (a longer one may be). */
size_t hq_phrasemap_prefixes(const hq_phrasemap *m, const uint64_t *terms, size_t n,
                             uint32_t *nodes, size_t max);
/* The number of distinct phrases. */
size_t hq_phrasemap_size(const hq_phrasemap *m);
/* The phrase view of an analysis: one term per position (a hyphenated
 * compound's parts, not the compound), hashed into hashes[], with the
 * index of each one's token in index[] (may be NULL).  Returns how many
 * (at most max). */
size_t hq_phrase_terms(const hq_tokens *toks, uint64_t *hashes, uint32_t *index, size_t max);

/* ---- Interface to code in vocab.c ---------------------------------- */
/* The concept table (see vocab.c for how it is filled): concepts with
 * the phrases that name them, and each article's focus concept.  Built
 * by one thread; afterwards every function taking a const hq_vocab is
 * thread-safe. */

#define HQ_NO_CONCEPT UINT32_MAX
#define HQ_MATCH_MAX_ALTS 4

enum { /* hq_concept.groups: what kind of thing (MeSH tree letters, UMLS groups) */
    HQ_GROUP_DISORDER = 1,  /* MeSH C, UMLS Disorders */
    HQ_GROUP_DRUG = 2,      /* MeSH D, Chemicals & Drugs */
    HQ_GROUP_PROCEDURE = 4, /* MeSH E, Procedures, devices */
    HQ_GROUP_ANATOMY = 8,   /* MeSH A */
    HQ_GROUP_MIND = 16,     /* MeSH F: behaviour, mental disorders */
    HQ_GROUP_OTHER = 32
};
enum { /* hq_concept.flags: where the concept comes from */
    HQ_CONCEPT_MESH = 1,  /* a MeSH descriptor */
    HQ_CONCEPT_FOCUS = 2, /* the focus of a corpus article (MedQuAD) */
    HQ_CONCEPT_TOPIC = 4, /* the title of a corpus topic page (MedlinePlus) */
    HQ_CONCEPT_LAY = 8    /* has a curated lay phrasing */
};
enum {
    HQ_PHRASE_ABBREV = 1,   /* matches only when written in capitals */
    HQ_PHRASE_PREFERRED = 2 /* curated: its concept comes first among a phrase's meanings */
};

typedef struct hq_concept {
    const char *name;  /* display name (the first source's spelling) */
    const char *tree;  /* MeSH tree numbers, ';'-separated, or NULL */
    unsigned groups;   /* HQ_GROUP_* */
    uint32_t flags;    /* HQ_CONCEPT_* */
} hq_concept;

typedef struct hq_vocab hq_vocab;

/* Never NULL.  Release with hq_vocab_free() (NULL allowed). */
hq_vocab *hq_vocab_new(void);
void hq_vocab_free(hq_vocab *v);
/* Reads ../shared/vocab/mesh_terms.tsv's format ('#' comments).
 * HQ_EFORMAT names the line of a malformed entry. */
hq_status hq_vocab_load_mesh(hq_vocab *v, hq_analyzer *a, const char *path, hq_error *err);
/* A corpus topic (focus or title, with synonyms); returns its concept,
 * or HQ_NO_CONCEPT when name has no searchable word. */
uint32_t hq_vocab_add_topic(hq_vocab *v, hq_analyzer *a, const char *name,
                            const char *const *synonyms, size_t n_synonyms, unsigned groups,
                            uint32_t flags);
/* "lay phrase<TAB>known phrase<TAB>reason" lines (HQ_EFORMAT names a
 * malformed line).  A known phrase that names no concept here (MeSH
 * missing, or a corpus without the topic) skips its line, counted in
 * *n_unresolved. */
hq_status hq_vocab_load_lay(hq_vocab *v, hq_analyzer *a, const char *path,
                            size_t *n_unresolved, hq_error *err);
/* "abbreviation<TAB>meaning" lines; meanings that name no concept are
 * skipped. */
hq_status hq_vocab_load_abbrev(hq_vocab *v, hq_analyzer *a, const char *path, hq_error *err);
/* Records (or replaces) the focus concept of an article. */
void hq_vocab_set_article(hq_vocab *v, const char *article_id, uint32_t concept);

size_t hq_vocab_size(const hq_vocab *v);    /* concepts */
size_t hq_vocab_phrases(const hq_vocab *v); /* distinct phrases */
/* The concept with that id, or NULL. */
const hq_concept *hq_vocab_concept(const hq_vocab *v, uint32_t id);
/* Up to max of the concept's phrases as written (name first; inverted
 * "x, y" forms left out), into out; returns how many.  Strings live as
 * long as v. */
size_t hq_vocab_texts(const hq_vocab *v, uint32_t id, const char **out, size_t max);
/* True when concepts a and b are the same, or one's MeSH tree number
 * is an ancestor of the other's (Back Pain C23.888.592.612.107 and Low
 * Back Pain C23.888.592.612.107.400); false for HQ_NO_CONCEPT. */
bool hq_vocab_near(const hq_vocab *v, uint32_t a, uint32_t b);
/* Where toks (an analysis with default flags) names concept or one
 * next to it (hq_vocab_near), by any of their phrases, also inside a
 * longer phrase ("low back pain" in "low back pain - acute"; phrases of
 * up to 8 terms, abbreviations left out): the byte starts of the first
 * max mentions, not overlapping, into starts; returns how many. */
size_t hq_vocab_mentions(const hq_vocab *v, const hq_tokens *toks, uint32_t concept,
                         uint32_t *starts, size_t max);
/* The focus concept of an article, or HQ_NO_CONCEPT. */
uint32_t hq_vocab_article(const hq_vocab *v, const char *article_id);

/* The deepest MeSH branch two ';'-separated lists of tree numbers share
 * (either may be NULL): the longest common prefix of a tree number of a
 * and one of b that ends at a level boundary ("C23.888" for
 * C23.888.592.612 and C23.888.646; all of C23.888.592.612.107 for it and
 * C23.888.592.612.107.400).  Returns its number of levels (0: none; a
 * tree number's first level is its letter and two digits, each further
 * level a '.' and three digits); with size > 0, the branch itself is
 * written into out (NUL-terminated, cut to size - 1 bytes). */
size_t hq_mesh_common_branch(const char *a, const char *b, char *out, size_t size);

/* One phrase found in a text. */
typedef struct hq_concept_match {
    uint32_t concept;          /* alts[0] */
    uint32_t alts[HQ_MATCH_MAX_ALTS]; /* every concept the phrase names (n_alts >= 1) */
    uint32_t n_alts;
    uint32_t first, n_terms;   /* phrase terms [first, first + n_terms) of hq_phrase_terms() */
    uint32_t start, end;       /* bytes [start, end) of text */
    bool abbrev;               /* matched as an abbreviation */
    double specificity;        /* log(phrases / phrases holding its rarest term) */
} hq_concept_match;

/* The phrases of v in toks (the analysis of text with default flags),
 * leftmost-longest, not overlapping, in text order; at most max into
 * out; returns how many. */
size_t hq_vocab_match(const hq_vocab *v, const char *text, const hq_tokens *toks,
                      hq_concept_match *out, size_t max);

/* ---- Interface to code in question.c ------------------------------- */
/* Question analysis (see question.c): focus, type, context, ignored
 * parts and weighted key terms of a consumer's message. */

typedef struct hq_cues hq_cues;

/* Reads the cue table (data/question_cues.tsv's format); HQ_EFORMAT
 * names a bad line.  Release with hq_cues_free() (NULL allowed). */
hq_status hq_cues_load(const char *path, hq_analyzer *a, hq_cues **out, hq_error *err);
void hq_cues_free(hq_cues *c);

typedef enum hq_term_role {
    HQ_ROLE_FOCUS,   /* names the focus concept */
    HQ_ROLE_CONCEPT, /* names another concept (a secondary focus) */
    HQ_ROLE_CONTEXT, /* in the context clause ("after my IUD was put in") */
    HQ_ROLE_OTHER,   /* any other word of the message */
    HQ_ROLE_SYNONYM, /* added: another name of the focus */
    HQ_ROLE_COUNT
} hq_term_role;

const char *hq_role_name(hq_term_role role);

/* Query weights per role, and how many of the focus' other names expand
 * the query (data/rerank.conf: query.focus, ..., query.synonyms). */
typedef struct hq_question_weights {
    double role[HQ_ROLE_COUNT];
    size_t max_synonyms;
} hq_question_weights;

void hq_question_weights_default(hq_question_weights *w);

typedef struct hq_key_term {
    const char *term; /* analysed, NUL-terminated, in the question's arena */
    uint32_t len;
    double weight;    /* the highest weight of its roles */
    hq_term_role role;/* the role that gave it */
    uint32_t count;   /* occurrences in the message */
} hq_key_term;

#define HQ_QUESTION_MAX_KEYS 256

typedef struct hq_question {
    hq_arena arena;                      /* every array and string below */
    uint32_t focus;                      /* concept, or HQ_NO_CONCEPT */
    const hq_concept_match *focus_match; /* where the focus is named, or NULL */
    hq_concept_match *matches;           /* every concept found, in text order */
    size_t n_matches;
    const char *type;                    /* MedQuAD question type ("causes", ...) */
    const char *liveqa_type;             /* the same, in LiveQA's annotation scheme */
    bool type_found;                     /* false: no cue, type is the default */
    hq_span context;                     /* the context clause; end 0 when none */
    hq_span *ignored;                    /* greetings, thanks, sign-offs */
    size_t n_ignored;
    hq_key_term *keys;                   /* distinct key terms, message order, then synonyms */
    size_t n_keys;
} hq_question;

/* Analyses text[0..len) (at most HQ_MAX_QUERY_BYTES are read).  Never
 * fails on any bytes; *q is released with hq_question_free(). */
hq_status hq_question_analyze(const hq_vocab *v, const hq_cues *c, hq_analyzer *a,
                              const hq_question_weights *w, const char *text, size_t len,
                              hq_question *q);
void hq_question_free(hq_question *q);

#endif

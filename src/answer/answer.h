/*
 * answer.h — what a result shows: snippets with highlights, the
 * answer card (aspects.c, card.c), red-flag triage (triage.c), related
 * articles (related.c) and the topic order of previous/next (order.c).
 *
 * One block per file, as in FTS5's fts5Int.h.
 */
#ifndef HQ_ANSWER_H
#define HQ_ANSWER_H

#include "../base/base.h"
#include "../query/query.h"
#include "../rank/rank.h"
#include "../text/text.h"

#include <stdint.h>

/* ---- Interface to code in snippet.c -------------------------------- */

#define HQ_SNIPPET_DEFAULT_BYTES 240 /* max_bytes 0 means this */
#define HQ_SNIPPET_MIN_BYTES 16      /* smaller max_bytes are raised to this */

typedef struct hq_snippet {
    char *text;     /* NUL-terminated, valid UTF-8, malloc'd */
    hq_span *spans; /* n_spans spans, increasing, non-overlapping; malloc'd (NULL when none) */
    uint32_t n_spans;
} hq_snippet;

/* The best window of body[0..len) for q's scored terms, in *out:
 *   - White space runs (newlines included) are one space; control
 *     characters and bytes that are not well-formed UTF-8 count as white
 *     space; the text never starts or ends with a space.
 *   - About max_bytes bytes (HQ_SNIPPET_DEFAULT_BYTES when 0, at least
 *     HQ_SNIPPET_MIN_BYTES): the text is at most max_bytes bytes plus a
 *     "…" (U+2026, 3 bytes) at either end where text was left out.  Cuts
 *     fall at white space when there is some in reach, else between
 *     characters (CJK text), never inside a UTF-8 sequence.
 *   - The window is the one holding the most distinct query terms (each
 *     counted by its weight), then the most matches, the earliest on a
 *     tie; it starts at the start of its sentence when the first match
 *     is in the first half of a sentence that fits, else with about a
 *     third of the room left as context before the first match.  A
 *     window at the end of the body is widened backwards.
 *   - Spans highlight every match (a token whose term is one of q's
 *     scored terms) shown whole in the text; overlapping matches (a
 *     compound and its parts, CJK bigrams) make one span.
 *   - No match: the start of the body.  body NULL or len 0: text "" and
 *     no spans.
 * Uses a for analysis (the body with the default flags, as the index
 * does), so q's terms must come from an analyzer with the same rules.
 * Returns HQ_OK (out-of-memory aborts); HQ_ELIMIT when len is over
 * HQ_TEXT_MAX_INPUT (*out is then empty, as on every failure).  Release
 * with hq_snippet_free(). */
hq_status hq_snippet_make(hq_analyzer *a, const char *body, size_t len, const hq_query *q,
                          size_t max_bytes, hq_snippet *out);

/* Frees s's text and spans and zeroes it; NULL is allowed. */
void hq_snippet_free(hq_snippet *s);

/* ---- Interface to code in related.c -------------------------------- */
/* Related articles: how the candidates an engine found for an article
 * are scored, floored, ordered and grouped (the why and the numbers are
 * at the top of related.c).  Pure: no I/O; the engine gathers the
 * candidates (src/engine/related.c). */

typedef struct hq_related_params {
    /* the "more like this" query (used by the engine) */
    double terms;        /* key terms of the article in the query */
    double min_tf;       /* occurrences a key term needs in the article */
    double short_text;   /* texts of fewer analysed words take key terms seen once */
    double min_df;       /* sections of the index a key term must occur in */
    double max_df;       /* the share of the sections it may occur in at most */
    double title_tf;     /* what one occurrence in the title counts */
    double focus_weight; /* query weight of the focus' names (the best key term has 1) */
    double depth;        /* sections retrieved */
    double min_mentions; /* body mentions that name a concept as firmly as the title does */
    double context;      /* weight of a concept the body names that is not a disorder */
    /* the features */
    double same_focus;   /* concept feature of a candidate about the article's focus */
    double named;        /* ... about a concept the article names */
    double branch;       /* ... per level of a shared MeSH branch beyond the first */
    double branch_max;   /* ... at most, for a shared branch */
    double title_factor; /* a link through a concept of the candidate's title, not its focus */
    double w_concept;    /* weight of the concept feature in the score */
    double w_trust;      /* weight of the trust feature (high 1 ... unknown 0) */
    double diversity;    /* the concept feature of a candidate is multiplied by this
                            for every better one linked through the same concept */
    /* the floor */
    double min_text;       /* text similarity a candidate with a concept link needs */
    double min_text_alone; /* text similarity a candidate without one needs */
    double min_concept;    /* the concept feature that makes a concept link */
    double min_shared;     /* key terms a candidate without one must share */
    double similar_text;   /* text similarity named as a reason ("similar text") */
} hq_related_params;

void hq_related_defaults(hq_related_params *p);
/* Reads "key = value" lines (mlt.terms, mlt.min_tf, mlt.short, mlt.min_df,
 * mlt.max_df, mlt.title, mlt.focus, mlt.depth, mlt.mentions, mlt.context,
 * related.same_focus, related.named, related.branch, related.branch_max,
 * related.title, related.diversity,
 * related.concept, related.trust, related.min_text,
 * related.min_text_alone, related.min_concept, related.min_shared,
 * related.similar_text) over the defaults;
 * HQ_EFORMAT names a bad line, HQ_EIO an unreadable file. */
hq_status hq_related_load(const char *path, hq_related_params *p, hq_error *err);
/* $HEALTHQA_RELATED, else data/related.conf. */
const char *hq_related_default_path(void);

/* A concept the source article is about or names. */
typedef struct hq_related_concept {
    uint32_t id;      /* concept id (not HQ_NO_CONCEPT) */
    const char *name; /* display name */
    const char *tree; /* MeSH tree numbers (';'-separated) or NULL */
    double weight;    /* 1 for the focus and concepts of the title; for the
                         body's, the share of min_mentions reached (0..1] */
} hq_related_concept;

/* The article the related list is for. */
typedef struct hq_related_source {
    const hq_related_concept *focus;    /* NULL when it has no focus concept */
    const hq_related_concept *named;    /* other concepts it names */
    size_t n_named;
    bool has_text; /* it has a text of its own (not only a title and questions): only
                      then can another be related by text alone */
} hq_related_source;

enum { /* hq_related_cand.why: the reasons found */
    HQ_WHY_SAME_FOCUS = 1, /* about the article's focus */
    HQ_WHY_NAMED = 2,      /* about a concept the article names */
    HQ_WHY_BRANCH = 4,     /* in a MeSH branch of the article's concepts */
    HQ_WHY_TEXT = 8        /* text similarity of at least similar_text */
};

#define HQ_RELATED_BRANCH_BYTES 64
#define HQ_RELATED_MAX_CONCEPTS 4

/* One candidate: what the engine found, then what scoring adds. */
typedef struct hq_related_cand {
    const char *article_id; /* unique among the candidates */
    const char *title_key;  /* hq_utf8_key of the title ("" when none) */
    int trust;              /* HQ_TRUST_* of index.h: 0 high ... 3 unknown */
    /* what the candidate is about: its focus concept first (HQ_NO_CONCEPT
     * when it has none), then concepts its title names */
    uint32_t concepts[HQ_RELATED_MAX_CONCEPTS];
    const char *trees[HQ_RELATED_MAX_CONCEPTS]; /* their MeSH tree numbers, or NULL */
    size_t n_concepts;
    double text;            /* text similarity to the source, 0..1 */
    size_t shared;          /* key terms of the source its best section holds */
    void *data;             /* the engine's, untouched */
    /* set by hq_related_score */
    double concept_score;   /* the concept feature, 0..1 */
    double score;           /* text + w_concept * concept + w_trust * trust */
    unsigned why;           /* HQ_WHY_* */
    const hq_related_concept *named; /* the named concept, with HQ_WHY_NAMED */
    const hq_related_concept *via;   /* the source concept of the best link, or NULL */
    char branch[HQ_RELATED_BRANCH_BYTES]; /* the deepest shared branch, with HQ_WHY_BRANCH */
    bool kept;              /* passes the relevance floor */
    /* set by hq_related_select */
    size_t same_title_of;   /* index of the better candidate with its title key,
                               or its own index */
} hq_related_cand;

/* Scores c against s.  The concept feature is the best, over c's
 * concepts and s's, of: the same concept as s's focus (same_focus), as a
 * concept s names (named * its weight), a MeSH branch shared with either
 * (branch per level beyond the first, at most branch_max, times the
 * weight); a concept of c's title rather than its focus counts
 * title_factor of that.  The candidate is kept when it has a concept
 * link (a concept feature >= min_concept) and text >= min_text, or when
 * s has a text, text >= min_text_alone and c shares min_shared key terms
 * or more (one rare word in common is not similar text). */
void hq_related_score(const hq_related_params *p, const hq_related_source *s,
                      hq_related_cand *c);

/* Scores every candidate of c[0..n) and moves those kept to the front,
 * best first, picked greedily: at each step the best score, where a
 * candidate linked through a source concept that k better candidates
 * were linked through has its concept feature multiplied by
 * diversity^k (so ten pages about the focus do not hide the other
 * concepts the article names); ties by trust, then article id (a total
 * order: the result does not depend on the input order).  score becomes
 * the score a candidate was picked with.  Marks a candidate whose title
 * key equals a better one's (same_title_of).  Returns the number kept. */
size_t hq_related_select(const hq_related_params *p, const hq_related_source *s,
                         hq_related_cand *c, size_t n);

/* The reasons of a scored candidate as a JSON array of strings, strongest
 * first: "same focus: NAME", "named in this article: NAME", "MeSH branch
 * C23.888.592.612", "similar text". */
json_t *hq_related_why(const hq_related_source *s, const hq_related_cand *c);

/* ---- Interface to code in order.c ---------------------------------- */
/* The topic order of articles behind previous/next: articles sorted by
 * the MeSH tree number they are about (so one focus, then its MeSH
 * siblings, come together: back pain C23.888.592.612.107 just before
 * low back pain C23.888.592.612.107.400), then by title; articles with
 * no tree number after all others, by title.  The order is a ring: the
 * last article's next is the first.  Lookups may run in any number of
 * threads at once, but not while an article is added or removed (the
 * caller holds a lock). */

typedef struct hq_order_entry {
    const char *id;    /* unique */
    const char *title; /* may be NULL */
    const char *tree;  /* MeSH tree numbers (';'-separated; the smallest sorts), or NULL */
} hq_order_entry;

typedef struct hq_order hq_order;

/* Builds the order of entries[0..n) (their strings are copied; n <
 * 2^32; ids should be distinct: of equal ones, a lookup finds one).
 * Never NULL; release with hq_order_free() (NULL allowed). */
hq_order *hq_order_build(const hq_order_entry *entries, size_t n);
void hq_order_free(hq_order *o);
/* The number of articles in o. */
size_t hq_order_size(const hq_order *o);
/* Removes article id from o (nothing when absent).  O(n). */
void hq_order_remove(hq_order *o, const char *id);
/* Adds e at its place in o (strings copied), replacing an entry of the
 * same id.  O(n). */
void hq_order_add(hq_order *o, const hq_order_entry *e);
/* Entries removed (or replaced) since o was built: their strings stay in
 * o's memory until it is built anew. */
size_t hq_order_dropped(const hq_order *o);
/* The articles before and after id in o, or false when id is not in o.
 * With one article only, both are NULL; with two, both are the other.
 * The entries live as long as o. */
bool hq_order_neighbours(const hq_order *o, const char *id, const hq_order_entry **prev,
                         const hq_order_entry **next);

/* ---- Interface to code in triage.c --------------------------------- */
/* Red-flag triage: a reader's text → the most urgent level whose rule
 * fires (emergency, urgent, soon, none), with the message, the public
 * guidance it follows and the phrases that matched.  The rules, the
 * negation triggers (NegEx) and the report/information cues all come
 * from a rules file; the format is in docs/TRIAGE.md.  Loaded rules are
 * read-only: one hq_triage_rules may serve many threads at once. */

#define HQ_TRIAGE_MAX_TEXT (64u << 10)   /* bytes of text triaged per call */
#define HQ_TRIAGE_MAX_FILE (1u << 20)    /* bytes of a rules file */
#define HQ_TRIAGE_MAX_PHRASE_WORDS 16    /* words of one phrase */

typedef struct hq_triage_rules hq_triage_rules;

/* $HEALTHQA_TRIAGE_RULES when set and not empty, else
 * HQ_DATA_DIR "/triage.rules".  Static storage. */
const char *hq_triage_default_path(void);

/* Reads and checks the rules file at path.  On success *out holds the
 * rules (release with hq_triage_free()).  A file that breaks the format
 * is HQ_EFORMAT with the line and what is wrong in err (the first
 * fault); unreadable files as hq_read_lines() says.  *out is NULL on
 * failure. */
hq_status hq_triage_load(const char *path, hq_triage_rules **out, hq_error *err);

/* NULL is allowed. */
void hq_triage_free(hq_triage_rules *r);

/* The number of rules in r. */
size_t hq_triage_rule_count(const hq_triage_rules *r);

/* Triages text[0..len) with r; *out is the JSON object documented at
 * hq_triage() in healthqa.h (release with json_decref()).  Thread-safe
 * for a shared r.  HQ_ELIMIT when len is over HQ_TRIAGE_MAX_TEXT,
 * HQ_EUTF8 (with the byte offset) when text is not valid UTF-8; *out is
 * NULL then. */
hq_status hq_triage_run(const hq_triage_rules *r, const char *text, size_t len, json_t **out,
                        hq_error *err);

/* ---- Interface to code in aspects.c -------------------------------- */
/* The aspects of the answer card (what it is, why it happens, what you
 * can do, when to see a doctor), from data/aspects.tsv (format at its
 * top): their order and headings, each section question type's default
 * aspect, the aspect each question type asks for, and cue phrases that
 * put a sentence under an aspect.  A loaded table is read-only. */

#define HQ_ASPECT_MAX 8    /* aspects a table may declare */
#define HQ_ASPECT_NONE (-1)

typedef struct hq_aspects hq_aspects;

/* $HEALTHQA_ASPECTS when set and not empty, else HQ_DATA_DIR "/aspects.tsv". */
const char *hq_aspects_default_path(void);
/* Reads the table at path, analysing cues with a.  HQ_EFORMAT names the
 * first bad line; *out is NULL on failure.  Release with hq_aspects_free. */
hq_status hq_aspects_load(const char *path, hq_analyzer *a, hq_aspects **out, hq_error *err);
void hq_aspects_free(hq_aspects *t); /* NULL is allowed */

int hq_aspect_count(const hq_aspects *t);
/* The id and heading of aspect (0 .. count-1), or NULL. */
const char *hq_aspect_name(const hq_aspects *t, int aspect);
const char *hq_aspect_heading(const hq_aspects *t, int aspect);
/* The default aspect of a section of question type qtype, or of what a
 * question of type qtype asks for; HQ_ASPECT_NONE when the table has
 * none (or qtype is NULL). */
int hq_aspect_of_section(const hq_aspects *t, const char *qtype);
int hq_aspect_asked(const hq_aspects *t, const char *qtype);
/* The aspect of each of the n sentences sents[] (sorted spans) of a
 * text whose analysis with HQ_ANALYZE_KEEP_STOPWORDS is toks, into
 * out[0..n): the aspect with the most cues in the sentence (the later
 * one on a tie), else fallback. */
void hq_aspect_sentences(const hq_aspects *t, const hq_tokens *toks, const hq_span *sents,
                         size_t n, int fallback, int *out);

/* ---- Interface to code in card.c ----------------------------------- */
/* The answer card's passages (see card.c for how they are chosen): for
 * each aspect, 1-3 sentences from the best sections, with citations;
 * near-duplicates once with all their sources; sections without text as
 * links to read at the source. */

#define HQ_CARD_MAX_SECTIONS 64  /* sections a card considers */
#define HQ_CARD_MAX_BODY (64u << 10) /* bytes of a body read for passages */
#define HQ_CARD_PASSAGE_BYTES 320    /* a passage grows past this by no more sentences */

/* One candidate section, best first, as the engine found it. */
typedef struct hq_card_section {
    const char *section_id, *article_id;
    const char *title;          /* the section's title (its question) */
    const char *article_title;  /* NULL: same as title */
    const char *source, *url;   /* url may be NULL */
    const char *trust;          /* "high", "medium", "low" or "unknown" */
    const char *body;           /* NULL or "" when the text is not stored */
    double relevance;           /* 0..1: its ranking score over the best one */
    uint32_t concept;           /* its article's focus concept, or HQ_NO_CONCEPT */
    bool on_topic;              /* about the question's focus or a concept it names */
    int aspect;                 /* default aspect of its sentences, or HQ_ASPECT_NONE */
} hq_card_section;

typedef struct hq_card_input {
    const hq_aspects *aspects;
    const hq_vocab *vocab;      /* for naming the focus in sentences; may be NULL */
    uint32_t focus;             /* the question's focus concept, or HQ_NO_CONCEPT */
    const hq_key_term *keys;    /* the question's key terms (their roles and weights) */
    size_t n_keys;
    int asked;                  /* the aspect the question asks for, or HQ_ASPECT_NONE */
    const hq_card_section *sections;
    size_t n_sections;          /* at most HQ_CARD_MAX_SECTIONS are read */
    size_t per_aspect;          /* passages per aspect (0: 2) */
    size_t max_links;           /* read-at-the-source articles (0: 5) */
} hq_card_input;

/* The card's body: {"aspects": [{"aspect", "heading", "asked",
 * "passages": [{"text", "highlights": [[start, end], ...], "score",
 * "citations": [{"section_id", "article_id", "title", "source", "url",
 * "trust", "untrusted"}]}]}] (aspects with passages only, in the table's
 * order), "read_at_source": [{"article_id", "title", "source", "url",
 * "trust", "untrusted", "sections": [{"section_id", "title"}]}]}.  a is
 * the caller's analyzer.  Never fails; release with json_decref(). */
json_t *hq_card_build(hq_analyzer *a, const hq_card_input *in);

#endif

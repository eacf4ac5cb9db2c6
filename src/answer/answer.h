/*
 * answer.h — what a result shows: snippets with highlights, the
 * answer card (aspects.c, card.c), red-flag triage (triage.c).
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

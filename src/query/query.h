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

#endif

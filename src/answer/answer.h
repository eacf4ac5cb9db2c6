/*
 * answer.h — what a result shows: snippets with highlights now; the
 * answer card, red-flag triage and related articles later (card.c,
 * triage.c, related.c in ../shared/DESIGN.md).
 *
 * One block per file, as in FTS5's fts5Int.h.
 */
#ifndef HQ_ANSWER_H
#define HQ_ANSWER_H

#include "../base/base.h"
#include "../query/query.h"
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

#endif

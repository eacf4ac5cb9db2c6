/*
 * about.c — what an article is about, from the concept table: the
 * concepts its title names beside its focus, and the MeSH tree number it
 * sorts under.  Related articles (related.c) and the topic order of
 * previous/next (neighbours.c) share it.  The concept table must be
 * built (hq_engine_understanding); everything here only reads it.
 */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

#define MAX_TITLE_BYTES 4096 /* longer titles name nothing here */

bool hq_about_worth(const hq_concept *k, bool in_title)
{
    unsigned groups = HQ_GROUP_DISORDER | HQ_GROUP_MIND;
    if (in_title)
        groups |= HQ_GROUP_PROCEDURE | HQ_GROUP_DRUG;
    return (k->flags & (HQ_CONCEPT_FOCUS | HQ_CONCEPT_TOPIC)) || (k->groups & groups);
}

/* Adds the matches of items[0..n) (a view of toks, the analysis of
 * text) to out[0..*k) when distinct, specific, worth naming and not
 * skip; returns how many were added. */
static size_t add_matches(const hq_vocab *v, const char *text, hq_token *items, size_t n,
                          uint32_t skip, uint32_t *out, hq_span *spans, size_t *k, size_t max)
{
    hq_tokens view = {items, n, n};
    hq_concept_match *m = hq_xmalloc((n ? n : 1) * sizeof *m);
    size_t found = n ? hq_vocab_match(v, text, &view, m, n) : 0, added = 0;
    for (size_t i = 0; i < found && *k < max; i++) {
        bool seen = m[i].concept == skip || m[i].specificity < HQ_MIN_SPECIFICITY ||
                    !hq_about_worth(hq_vocab_concept(v, m[i].concept), true);
        for (size_t j = 0; j < *k && !seen; j++)
            seen = out[j] == m[i].concept;
        if (seen)
            continue;
        if (spans)
            spans[*k] = (hq_span){m[i].start, m[i].end};
        out[(*k)++] = m[i].concept;
        added++;
    }
    free(m);
    return added;
}

size_t hq_about_title(const hq_vocab *v, hq_analyzer *a, hq_tokens *toks, const char *title,
                      uint32_t own, uint32_t *out, hq_span *spans, size_t max)
{
    size_t k = 0, len = title ? strlen(title) : 0;
    if (len == 0 || len > MAX_TITLE_BYTES)
        return 0;
    hq_analyze(a, title, len, 0, toks);
    size_t n = toks->n;
    const hq_concept *o = hq_vocab_concept(v, own);
    if (add_matches(v, title, toks->items, n, own, out, spans, &k, max) == 0 && n >= 2 &&
        (o == NULL || o->tree == NULL)) {
        add_matches(v, title, toks->items, n - 1, own, out, spans, &k, max);
        add_matches(v, title, toks->items + 1, n - 1, own, out, spans, &k, max);
    }
    return k;
}

const char *hq_about_tree(const hq_vocab *v, hq_analyzer *a, hq_tokens *toks,
                          const char *article_id, const char *title)
{
    uint32_t own = hq_vocab_article(v, article_id), named[4];
    const hq_concept *k = hq_vocab_concept(v, own);
    if (k && k->tree)
        return k->tree;
    size_t n = hq_about_title(v, a, toks, title, own, named, NULL, 4);
    for (size_t i = 0; i < n; i++) {
        k = hq_vocab_concept(v, named[i]);
        if (k->tree)
            return k->tree;
    }
    return NULL;
}

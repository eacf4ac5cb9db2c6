/*
 * builder.c — turning sections into segments: each section's fields are
 * analysed (question/title, focus with its synonyms, body) into a
 * memindex, which is written as a segment when it passes the memory
 * budget and at the end.
 *
 * Field positions: each field starts at 0.  The focus field holds the
 * focus and each synonym, one after the other, with a gap of one
 * position between them so that a phrase never spans two names.
 */
#include "index.h"
#include "../text/text.h"

#include <stdlib.h>
#include <string.h>

/* A focus term and its position, kept while the sections of one article
 * are added (sections of an article share its focus and synonyms). */
typedef struct focus_term {
    char *term;
    uint32_t len, pos;
} focus_term;

struct hq_builder {
    char *dir;
    char *focus_of;        /* article id whose focus is cached, or NULL */
    hq_arena focus_arena;  /* the cached terms */
    focus_term *focus;
    size_t n_focus, cap_focus;
    uint32_t focus_len;
    uint32_t *next_id;
    size_t budget;
    hq_analyzer *analyzer;
    hq_tokens tokens;
    hq_memindex *mi;
    hq_arena strings; /* the pending documents' strings */
    hq_newdoc *docs;
    size_t n_docs, cap_docs;
    hq_manifest_seg *segs;
    size_t n_segs, cap_segs;
};

hq_builder *hq_builder_new(const char *dir, uint32_t *next_id, size_t budget)
{
    hq_builder *b = hq_xcalloc(1, sizeof *b);
    b->dir = hq_xstrdup(dir);
    b->next_id = next_id;
    b->budget = budget;
    b->analyzer = hq_analyzer_new();
    b->mi = hq_memindex_new();
    hq_arena_init(&b->strings);
    hq_arena_init(&b->focus_arena);
    return b;
}

void hq_builder_free(hq_builder *b)
{
    if (b == NULL)
        return;
    hq_memindex_free(b->mi);
    hq_analyzer_free(b->analyzer);
    hq_tokens_free(&b->tokens);
    hq_arena_free(&b->strings);
    hq_arena_free(&b->focus_arena);
    free(b->focus);
    free(b->focus_of);
    free(b->docs);
    free(b->segs);
    free(b->dir);
    free(b);
}

/* Analyses text into field f of document doc starting at position base;
 * returns the position after the text's last word. */
static uint32_t add_text(hq_builder *b, uint32_t doc, int f, const char *text, uint32_t base)
{
    if (text == NULL || *text == '\0')
        return base;
    hq_analyze(b->analyzer, text, strlen(text), 0, &b->tokens);
    uint32_t end = base;
    for (size_t i = 0; i < b->tokens.n; i++) {
        const hq_token *t = &b->tokens.items[i];
        hq_memindex_add(b->mi, doc, f, t->term, t->len, base + t->pos);
        if (base + t->pos + 1 > end)
            end = base + t->pos + 1;
    }
    return end;
}

/* Analyses the focus and synonyms of d's article once; the terms are
 * replayed for each of its sections.  Synonyms follow one position apart. */
static void cache_focus(hq_builder *b, const hq_builder_doc *d)
{
    if (b->focus_of && strcmp(b->focus_of, d->article_id) == 0)
        return;
    free(b->focus_of);
    b->focus_of = hq_xstrdup(d->article_id);
    hq_arena_free(&b->focus_arena);
    b->n_focus = 0;
    uint32_t pos = 0;
    for (size_t i = 0; i < d->n_focus; i++) {
        const char *text = d->focus[i];
        if (text == NULL || *text == '\0')
            continue;
        uint32_t base = pos ? pos + 1 : 0, end = base;
        hq_analyze(b->analyzer, text, strlen(text), 0, &b->tokens);
        for (size_t k = 0; k < b->tokens.n; k++) {
            const hq_token *t = &b->tokens.items[k];
            hq_grow((void **)&b->focus, &b->cap_focus, b->n_focus + 1, sizeof *b->focus);
            b->focus[b->n_focus++] = (focus_term){
                hq_arena_strndup(&b->focus_arena, t->term, t->len), t->len, base + t->pos};
            if (base + t->pos + 1 > end)
                end = base + t->pos + 1;
        }
        pos = end;
    }
    b->focus_len = pos;
}

static hq_status flush(hq_builder *b, hq_error *err)
{
    if (b->n_docs == 0)
        return HQ_OK;
    uint32_t id = (*b->next_id)++;
    char *path = hq_segment_file(b->dir, id);
    hq_status rc = hq_segment_write(path, b->docs, (uint32_t)b->n_docs, b->mi, err);
    free(path);
    if (rc != HQ_OK)
        return rc;
    hq_grow((void **)&b->segs, &b->cap_segs, b->n_segs + 1, sizeof *b->segs);
    b->segs[b->n_segs++] = (hq_manifest_seg){id, (uint32_t)b->n_docs, 0, 0};
    hq_memindex_free(b->mi);
    b->mi = hq_memindex_new();
    hq_arena_free(&b->strings);
    b->n_docs = 0;
    return HQ_OK;
}

hq_status hq_builder_add(hq_builder *b, const hq_builder_doc *d, hq_error *err)
{
    if (b->n_docs >= UINT32_MAX - 1)
        return hq_fail(err, HQ_ELIMIT, b->dir, 0, -1, "too many documents in one segment");
    hq_grow((void **)&b->docs, &b->cap_docs, b->n_docs + 1, sizeof *b->docs);
    uint32_t doc = (uint32_t)b->n_docs;
    hq_newdoc *nd = &b->docs[b->n_docs++];
    nd->section_id = hq_arena_strdup(&b->strings, d->section_id);
    nd->article_id = hq_arena_strdup(&b->strings, d->article_id);
    nd->source = hq_arena_strdup(&b->strings, d->source ? d->source : "");
    nd->qtype = d->qtype ? hq_arena_strdup(&b->strings, d->qtype) : NULL;
    nd->trust = (uint8_t)hq_trust_code(d->trust);
    nd->flags = d->body && *d->body ? HQ_DOC_HAS_BODY : 0;
    nd->len[HQ_FIELD_TITLE] = add_text(b, doc, HQ_FIELD_TITLE, d->title, 0);
    cache_focus(b, d);
    for (size_t i = 0; i < b->n_focus; i++)
        hq_memindex_add(b->mi, doc, HQ_FIELD_FOCUS, b->focus[i].term, b->focus[i].len,
                        b->focus[i].pos);
    nd->len[HQ_FIELD_FOCUS] = b->focus_len;
    nd->len[HQ_FIELD_BODY] = add_text(b, doc, HQ_FIELD_BODY, d->body, 0);
    if (hq_memindex_bytes(b->mi) + b->strings.used > b->budget)
        return flush(b, err);
    return HQ_OK;
}

hq_status hq_builder_finish(hq_builder *b, hq_error *err)
{
    return flush(b, err);
}

const hq_manifest_seg *hq_builder_segments(const hq_builder *b, uint32_t *n)
{
    *n = (uint32_t)b->n_segs;
    return b->segs;
}

/*
 * doc_check.h — the invariants of a parsed hq_doc that the parser
 * drivers (fuzz_page.c, fuzz_medquad.c, fuzz_jsonl.c) assert after every
 * parse (src/ingest/ingest.h's contract), reading every string so that
 * AddressSanitizer sees any that is not a live, NUL-terminated string.
 */
#ifndef HQ_FUZZ_DOC_CHECK_H
#define HQ_FUZZ_DOC_CHECK_H

#include "fuzz.h"

#include "ingest/ingest.h"

static inline size_t fuzz_str(const char *s)
{
    return s ? strlen(s) : 0;
}

/* Checks rc and err as a parser left them, and every string of doc. */
static inline void fuzz_check_doc(const hq_doc *doc, hq_status rc, const hq_error *err)
{
    if (rc != HQ_OK) { /* a failure says what and where */
        FUZZ_ASSERT(err->code == rc);
        FUZZ_ASSERT(err->message[0] != '\0');
    } else {
        FUZZ_ASSERT(doc->n_articles > 0);
    }
    size_t total = 0;
    for (size_t i = 0; i < doc->n_articles; i++) {
        const hq_article *a = &doc->articles[i];
        FUZZ_ASSERT(rc != HQ_OK || a->id != NULL);
        total += fuzz_str(a->id) + fuzz_str(a->format) + fuzz_str(a->source) +
                 fuzz_str(a->url) + fuzz_str(a->title) + fuzz_str(a->focus) +
                 fuzz_str(a->category) + fuzz_str(a->language) + fuzz_str(a->semgroup) +
                 fuzz_str(a->meta_json);
        const hq_strv *lists[] = {&a->synonyms, &a->cuis, &a->semtypes};
        for (size_t k = 0; k < 3; k++)
            for (size_t j = 0; j < lists[k]->n; j++)
                total += fuzz_str(lists[k]->items[j]);
        FUZZ_ASSERT(a->n_sections <= HQ_MAX_SECTIONS && a->n_links <= HQ_MAX_LINKS);
        for (size_t j = 0; j < a->n_sections; j++) {
            const hq_section *s = &a->sections[j];
            FUZZ_ASSERT(rc != HQ_OK || s->title != NULL);
            total += fuzz_str(s->id) + fuzz_str(s->title) + fuzz_str(s->qtype) +
                     fuzz_str(s->body);
        }
        for (size_t j = 0; j < a->n_links; j++) {
            const hq_link *l = &a->links[j];
            FUZZ_ASSERT(rc != HQ_OK || l->title != NULL);
            total += fuzz_str(l->title) + fuzz_str(l->snippet);
        }
        if (rc == HQ_OK)
            (void)hq_article_hash(a);
    }
    (void)total;
}

/* Runs parse on a NUL-terminated copy of the input named path, as the
 * ingest driver would (only after its checks: no NUL byte, valid
 * UTF-8); then the same bytes through hq_parse_file (sniffing and the
 * shared post-conditions). */
static inline void fuzz_parse(const uint8_t *data, size_t size, const char *path,
                              hq_status (*parse)(const char *, size_t, hq_doc *, hq_error *))
{
    if (size > HQ_MAX_FILE_BYTES || memchr(data, '\0', size) != NULL ||
        hq_utf8_invalid_at((const char *)data, size) >= 0)
        return; /* hq_parse_file rejects these before any parser runs */
    char *text = fuzz_text(data, size);
    hq_doc doc;
    hq_error err;
    hq_error_clear(&err);
    hq_doc_init(&doc, path);
    hq_status rc = parse(text, size, &doc, &err);
    fuzz_check_doc(&doc, rc, &err);
    hq_doc_free(&doc);

    hq_error_clear(&err);
    hq_doc_init(&doc, path);
    hq_format format;
    rc = hq_parse_file(text, size, &doc, &format, &err);
    fuzz_check_doc(&doc, rc, &err);
    hq_doc_free(&doc);
    free(text);
}

#endif

/*
 * parse.c — one entry point for every format: reject empty, binary and
 * non-UTF-8 input with a precise message, sniff the format, run its
 * parser, then check what the parser made against the size limits.
 */
#include "ingest.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <pthread.h>

static long line_of_offset(const char *data, size_t offset)
{
    long line = 1;
    for (size_t i = 0; i < offset; i++)
        if (data[i] == '\n')
            line++;
    return line;
}

static bool is_blank(const char *data, size_t len)
{
    size_t l = len;
    hq_utf8_trim(data, &l);
    return l == 0;
}

static hq_status check_field(const hq_doc *doc, const hq_article *a, const char *what,
                             const char *s, size_t limit, hq_error *err)
{
    if (s == NULL)
        return HQ_OK;
    size_t n = strlen(s);
    if (n <= limit)
        return HQ_OK;
    return hq_fail(err, HQ_ELIMIT, doc->path, 0, -1,
                   "article %s: %s is %zu bytes, over the limit of %zu bytes", a->id, what, n,
                   limit);
}

static int compare_ids(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Fails when two articles of doc share an id (sorting: O(n log n)). */
static hq_status check_unique_ids(const hq_doc *doc, hq_error *err)
{
    const char **ids = hq_xmalloc(doc->n_articles * sizeof *ids);
    for (size_t i = 0; i < doc->n_articles; i++)
        ids[i] = doc->articles[i].id;
    qsort(ids, doc->n_articles, sizeof *ids, compare_ids);
    hq_status rc = HQ_OK;
    for (size_t i = 1; rc == HQ_OK && i < doc->n_articles; i++)
        if (strcmp(ids[i - 1], ids[i]) == 0)
            rc = hq_fail(err, HQ_EFORMAT, doc->path, 0, -1,
                         "article id %s appears twice in the file", ids[i]);
    free(ids);
    return rc;
}

/* The parsers' shared post-conditions: every article has an id and a
 * title, ids are unique in the file, fields respect the limits. */
static hq_status check_doc(const hq_doc *doc, hq_error *err)
{
    if (doc->n_articles == 0)
        return hq_fail(err, HQ_EEMPTY, doc->path, 0, -1, "no article found in the file");
    for (size_t i = 0; i < doc->n_articles; i++) {
        const hq_article *a = &doc->articles[i];
        if (a->id == NULL || a->id[0] == '\0' || a->title == NULL || a->title[0] == '\0')
            return hq_fail(err, HQ_EFORMAT, doc->path, 0, -1,
                           "article %zu has no %s", i + 1, a->id && a->id[0] ? "title" : "id");
        hq_status rc = check_field(doc, a, "title", a->title, HQ_MAX_TITLE_BYTES, err);
        if (rc == HQ_OK)
            rc = check_field(doc, a, "focus", a->focus, HQ_MAX_TITLE_BYTES, err);
        if (rc == HQ_OK)
            rc = check_field(doc, a, "metadata", a->meta_json, HQ_MAX_FIELD_BYTES, err);
        for (size_t k = 0; rc == HQ_OK && k < a->n_sections; k++) {
            rc = check_field(doc, a, "a section title", a->sections[k].title,
                             HQ_MAX_TITLE_BYTES, err);
            if (rc == HQ_OK)
                rc = check_field(doc, a, "a section body", a->sections[k].body,
                                 HQ_MAX_FIELD_BYTES, err);
        }
        for (size_t k = 0; rc == HQ_OK && k < a->n_links; k++)
            rc = check_field(doc, a, "a link title", a->links[k].title, HQ_MAX_TITLE_BYTES,
                             err);
        if (rc != HQ_OK)
            return rc;
    }
    return HQ_OK;
}

hq_status hq_parse_file(const char *data, size_t len, hq_doc *doc, hq_format *format,
                        hq_error *err)
{
    *format = HQ_FORMAT_UNKNOWN;
    if (is_blank(data, len))
        return hq_fail(err, HQ_EEMPTY, doc->path, 0, -1,
                       len ? "file holds only white space" : "file is empty");
    const char *nul = memchr(data, '\0', len);
    if (nul != NULL)
        return hq_fail(err, HQ_EFORMAT, doc->path, 0, (long)(nul - data),
                       "binary file (NUL byte at byte %ld): not a text, XML or JSON Lines file",
                       (long)(nul - data));
    long bad = hq_utf8_invalid_at(data, len);
    if (bad >= 0)
        return hq_fail(err, HQ_EUTF8, doc->path, line_of_offset(data, (size_t)bad), bad,
                       "invalid UTF-8 at byte %ld (0x%02X): convert the file to UTF-8", bad,
                       (unsigned char)data[bad]);
    *format = hq_sniff(data, len, doc->path);
    hq_status rc;
    switch (*format) {
    case HQ_FORMAT_MEDQUAD:
        rc = hq_parse_medquad(data, len, doc, err);
        break;
    case HQ_FORMAT_JSONL:
        rc = hq_parse_jsonl(data, len, doc, err);
        break;
    case HQ_FORMAT_PAGE:
        rc = hq_parse_page(data, len, doc, err);
        break;
    case HQ_FORMAT_MARKDOWN:
    case HQ_FORMAT_TEXT:
        rc = hq_parse_text(data, len, *format == HQ_FORMAT_MARKDOWN, doc, err);
        break;
    default:
        return hq_fail(err, HQ_EFORMAT, doc->path, 0, -1,
                       "unrecognised format: expected MedQuAD XML, JSON Lines, a portal page, "
                       "plain text or Markdown");
    }
    if (rc == HQ_OK)
        rc = check_doc(doc, err);
    if (rc == HQ_OK)
        rc = check_unique_ids(doc, err);
    return rc;
}

static void init_once(void)
{
    xmlInitParser();
}

void hq_ingest_init(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, init_once);
}

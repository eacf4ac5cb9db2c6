/*
 * ingest.c (engine) — hq_ingest(): walks the inputs, parses each file,
 * gives its articles a source and a trust level, and stores each file in
 * a transaction of its own, so a failure never leaves half a file and
 * never touches what was stored before.  Links are resolved at the end.
 */
#include "engine.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The name of the folder holding path ("portal" for .../portal/x.txt). */
static char *folder_name(hq_doc *doc, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL || slash == path)
        return hq_arena_strdup(&doc->arena, "local");
    const char *start = slash;
    while (start > path && start[-1] != '/')
        start--;
    return hq_arena_strndup(&doc->arena, start, (size_t)(slash - start));
}

void hq_engine_assign_source(hq_engine *e, hq_doc *doc, const hq_ingest_options *o)
{
    for (size_t i = 0; i < doc->n_articles; i++) {
        hq_article *a = &doc->articles[i];
        if (a->source == NULL || a->source[0] == '\0')
            a->source = o && o->source ? o->source : folder_name(doc, doc->path);
        a->trust = o && o->trust ? hq_trust_level(o->trust) : hq_trust_of(&e->trust, a->source);
    }
}

static hq_status store_doc(hq_engine *e, const hq_doc *doc, hq_put_result *res, hq_error *err)
{
    hq_status rc = hq_store_begin(e->store, err);
    if (rc != HQ_OK)
        return rc;
    rc = hq_store_put_doc(e->store, doc, res, err);
    if (rc == HQ_OK)
        rc = hq_store_commit(e->store, err);
    if (rc != HQ_OK) {
        hq_store_rollback(e->store);
        res->n_changed = res->n_removed = 0;
    }
    return rc;
}

/* Reads, parses and stores one file; fills the report's counts. */
static hq_status ingest_file(hq_engine *e, const char *path, const hq_ingest_options *o,
                             hq_file_report *report, hq_error *err)
{
    char *abs = realpath(path, NULL);
    char *data = NULL;
    size_t len = 0;
    hq_doc doc;
    hq_doc_init(&doc, abs ? abs : path);
    free(abs);
    hq_status rc = hq_read_file(path, HQ_MAX_FILE_BYTES, &data, &len, err);
    hq_format format = HQ_FORMAT_UNKNOWN;
    if (rc == HQ_OK)
        rc = hq_parse_file(data, len, &doc, &format, err);
    report->format = format == HQ_FORMAT_UNKNOWN ? NULL : hq_format_name(format);
    if (rc == HQ_OK) {
        hq_engine_assign_source(e, &doc, o);
        hq_put_result res;
        rc = store_doc(e, &doc, &res, err);
        report->n_articles = doc.n_articles;
        report->n_changed = res.n_changed;
        report->n_removed = res.n_removed;
    }
    if (rc != HQ_OK && err && err->where[0] != '\0' && strcmp(err->where, path) != 0 &&
        err->code != HQ_ESTORE)
        snprintf(err->where, sizeof err->where, "%s", path); /* name the file as given */
    hq_doc_free(&doc);
    free(data);
    return rc;
}

static void report_file(const hq_ingest_options *o, hq_file_report *r)
{
    if (o && o->on_file)
        o->on_file(o->ctx, r);
}

/* True for a corpus's own documentation (README, LICENSE, ...), which a
 * folder walk skips: it is about the corpus, not health content.  A file
 * named directly on the command line is always ingested. */
static bool is_corpus_doc(const char *path)
{
    static const char *const names[] = {"readme", "license", "licence", "copying",
                                        "changelog", "notice", "authors"};
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        size_t n = strlen(names[i]);
        if (strncasecmp(base, names[i], n) == 0 && (base[n] == '\0' || base[n] == '.'))
            return true;
    }
    return false;
}

/* Drops the corpus documentation found by walking a folder, files
 * [from, *n) of the list. */
static void drop_corpus_docs(char **files, size_t from, size_t *n, const char *input)
{
    size_t out = from;
    for (size_t i = from; i < *n; i++) {
        if (strcmp(files[i], input) != 0 && is_corpus_doc(files[i]))
            free(files[i]);
        else
            files[out++] = files[i];
    }
    *n = out;
}

/* Lists the files of every input; inputs that cannot be read are
 * reported as failed files right away. */
static size_t list_inputs(const char *const *paths, size_t n_paths, const hq_ingest_options *o,
                          char ***files, size_t *n_files)
{
    size_t cap = 0, n_failed = 0;
    *files = NULL;
    *n_files = 0;
    for (size_t i = 0; i < n_paths; i++) {
        hq_error err;
        hq_error_clear(&err);
        size_t first = *n_files;
        hq_status rc = hq_list_files(paths[i], files, n_files, &cap, &err);
        drop_corpus_docs(*files, first, n_files, paths[i]);
        if (rc == HQ_OK)
            continue;
        hq_file_report r = {.path = err.where[0] ? err.where : paths[i],
                            .status = err.code,
                            .error = &err};
        report_file(o, &r);
        n_failed++;
    }
    return n_failed;
}

static hq_status finish(hq_engine *e, hq_ingest_summary *sum, hq_error *err)
{
    hq_status rc = hq_store_begin(e->store, err);
    if (rc == HQ_OK)
        rc = hq_store_resolve_links(e->store, &sum->n_links_resolved, err);
    if (rc == HQ_OK)
        rc = hq_store_commit(e->store, err);
    else
        hq_store_rollback(e->store);
    if (rc == HQ_OK)
        rc = hq_store_checkpoint(e->store, err);
    return rc;
}

hq_status hq_ingest(hq_engine *e, const char *const *paths, size_t n_paths,
                    const hq_ingest_options *o, hq_ingest_summary *summary, hq_error *err)
{
    hq_ingest_summary sum = {0};
    if (o && o->trust && hq_trust_level(o->trust) == NULL)
        return hq_fail(err, HQ_EINVAL, NULL, 0, -1,
                       "trust level \"%s\" is not one of high, medium, low, unknown", o->trust);
    char **files = NULL;
    size_t n_files = 0;
    sum.n_failed = list_inputs(paths, n_paths, o, &files, &n_files);
    sum.n_files = n_files + sum.n_failed;
    for (size_t i = 0; i < n_files; i++) {
        hq_error ferr;
        hq_error_clear(&ferr);
        hq_file_report r = {.path = files[i], .index = i, .total = n_files};
        r.status = ingest_file(e, files[i], o, &r, &ferr);
        r.error = r.status == HQ_OK ? NULL : &ferr;
        sum.n_failed += r.status != HQ_OK;
        sum.n_articles += r.n_articles;
        sum.n_changed += r.n_changed;
        sum.n_removed += r.n_removed;
        report_file(o, &r);
        free(files[i]);
    }
    free(files);
    hq_status rc = finish(e, &sum, err);
    if (summary)
        *summary = sum;
    if (rc != HQ_OK)
        return rc;
    if (sum.n_failed > 0)
        return hq_fail(err, HQ_EPARTIAL, NULL, 0, -1, "%zu of %zu files failed", sum.n_failed,
                       sum.n_files);
    return HQ_OK;
}

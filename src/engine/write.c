/*
 * write.c — live updates: articles put and removed one request at a
 * time (`healthqa add`/`rm` of ids, the write API), each durable in the
 * store before it returns and searchable right after.
 *
 * A put is JSON Lines records (the format of src/ingest/jsonl.c); every
 * article is stored under the path "api:<id>", its own, so replacing one
 * never removes another.  All the records of one call are one
 * transaction: all stored or none.  Commits of writes are synced
 * (synchronous=FULL) so a write acknowledged survives a power loss, not
 * only a crash of the process.  Then the index is brought up to date
 * (hq_index_update: a new small segment, tombstones for old versions)
 * and the next search sees it.  Merging the small segments is the
 * caller's: hq_index_merge (merge.c), which `healthqa add`/`rm` run
 * after, and `healthqa serve` in the background.
 */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

#define API_SOURCE "api"

static hq_status durable_commits(hq_engine *e, hq_error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(hq_store_db(e->store), "PRAGMA synchronous = FULL", NULL, NULL, &msg) ==
        SQLITE_OK)
        return HQ_OK;
    hq_status rc = hq_fail(err, HQ_ESTORE, hq_store_path(e->store), 0, -1,
                           "cannot make commits durable: %s", msg ? msg : "unknown error");
    sqlite3_free(msg);
    return rc;
}

/* Stores every article of doc under its own path, in the transaction
 * already begun. */
static hq_status put_each(hq_engine *e, hq_doc *doc, hq_write_summary *sum, hq_error *err)
{
    hq_status rc = HQ_OK;
    for (size_t i = 0; rc == HQ_OK && i < doc->n_articles; i++) {
        hq_article *a = &doc->articles[i];
        size_t n = strlen(a->id) + 5;
        char *path = hq_arena_alloc(&doc->arena, n);
        snprintf(path, n, "api:%s", a->id);
        hq_doc one = *doc; /* a view of one article; the arena stays doc's */
        one.path = path;
        one.articles = a;
        one.n_articles = 1;
        hq_put_result res;
        rc = hq_store_put_doc(e->store, &one, &res, err);
        if (rc == HQ_OK)
            sum->n_changed += res.n_changed;
    }
    return rc;
}

static hq_status commit_or_rollback(hq_engine *e, hq_status rc, hq_error *err)
{
    if (rc == HQ_OK)
        rc = hq_store_commit(e->store, err);
    if (rc != HQ_OK)
        hq_store_rollback(e->store);
    return rc;
}

hq_status hq_put_records(hq_engine *e, const char *data, size_t len, hq_write_summary *summary,
                         hq_error *err)
{
    hq_write_summary sum = {0};
    if (len > HQ_WRITE_MAX_BYTES)
        return hq_fail(err, HQ_ELIMIT, "request body", 0, HQ_WRITE_MAX_BYTES,
                       "the records are over %u bytes; send fewer at a time", HQ_WRITE_MAX_BYTES);
    long bad = hq_utf8_invalid_at(data, len);
    if (bad >= 0)
        return hq_fail(err, HQ_EUTF8, "request body", 0, bad, "the records are not valid UTF-8");
    hq_doc doc;
    hq_doc_init(&doc, "request body");
    hq_status rc = hq_parse_jsonl(data, len, &doc, err);
    if (rc == HQ_OK) {
        hq_ingest_options o = {.source = API_SOURCE};
        hq_engine_assign_source(e, &doc, &o);
        sum.n_records = doc.n_articles;
        rc = durable_commits(e, err);
    }
    if (rc == HQ_OK)
        rc = hq_store_begin(e->store, err);
    if (rc == HQ_OK)
        rc = commit_or_rollback(e, put_each(e, &doc, &sum, err), err);
    if (rc != HQ_OK)
        sum.n_changed = 0;
    if (rc == HQ_OK)
        rc = hq_index_update(e, false, &sum.index, err);
    hq_doc_free(&doc);
    if (summary)
        *summary = sum;
    return rc;
}

hq_status hq_remove(hq_engine *e, const char *const *ids, size_t n, hq_write_summary *summary,
                    hq_error *err)
{
    hq_write_summary sum = {0};
    for (size_t i = 0; i < n; i++)
        if (ids[i] == NULL || *ids[i] == '\0' || strlen(ids[i]) > 512)
            return hq_fail(err, HQ_EINVAL, "ids", 0, (long)i,
                           "id %zu is empty or over 512 bytes", i + 1);
    hq_status rc = durable_commits(e, err);
    if (rc == HQ_OK)
        rc = hq_store_begin(e->store, err);
    for (size_t i = 0; rc == HQ_OK && i < n; i++) {
        bool found = false;
        rc = hq_store_delete_article(e->store, ids[i], &found, err);
        sum.n_removed += found;
    }
    if (n > 0 || rc != HQ_OK)
        rc = commit_or_rollback(e, rc, err);
    if (rc != HQ_OK)
        sum.n_removed = 0;
    if (rc == HQ_OK)
        rc = hq_index_update(e, false, &sum.index, err);
    if (summary)
        *summary = sum;
    return rc;
}

/*
 * topics.c — what each article is about, for the concept table
 * (src/query/vocab.c): its id, source, title, focus, synonyms and UMLS
 * semantic group, read in one pass over the articles table.  The engine
 * calls it when it builds the vocabulary.
 */
#include "store.h"

#include <sqlite3.h>

static const char TOPICS_SQL[] =
    "SELECT id, source, title, focus, synonyms, semgroup FROM articles ORDER BY id";

static const char *column(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

hq_status hq_store_each_topic(hq_store *st, hq_topic_fn fn, void *ctx, hq_error *err)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(hq_store_db(st), TOPICS_SQL, -1, &s, NULL) != SQLITE_OK)
        return hq_fail(err, HQ_ESTORE, hq_store_path(st), 0, -1, "reading article topics: %s",
                       sqlite3_errmsg(hq_store_db(st)));
    hq_status rc = HQ_OK;
    int step;
    while (rc == HQ_OK && (step = sqlite3_step(s)) == SQLITE_ROW) {
        hq_topic t = {column(s, 0), column(s, 1), column(s, 2),
                      column(s, 3), column(s, 4), column(s, 5)};
        rc = fn(ctx, &t);
    }
    if (rc == HQ_OK && step != SQLITE_DONE)
        rc = hq_fail(err, HQ_ESTORE, hq_store_path(st), 0, -1, "reading article topics: %s",
                     sqlite3_errmsg(hq_store_db(st)));
    sqlite3_finalize(s);
    return rc;
}

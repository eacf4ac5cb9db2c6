/*
 * feed.c — the store as the indexer sees it: the change log and the
 * sections of changed articles, with the article fields the index
 * needs (focus, synonyms, source, trust).
 *
 * A whole rebuild reads two sequential scans, sections by (article,
 * order) and articles by id, on a read-only connection of its own, and
 * joins them here by merging: a join in SQL looks each section's article
 * up in the articles' index, a third of the reading time.  Changed
 * articles are read one by one with the join, on the main connection.
 */
#include "store.h"

#include <stdlib.h>
#include <string.h>

static hq_status fail(hq_store *st, hq_error *err, const char *what)
{
    return hq_fail(err, HQ_ESTORE, hq_store_path(st), 0, -1, "%s: %s", what,
                   sqlite3_errmsg(hq_store_db(st)));
}

hq_status hq_store_last_seq(hq_store *st, uint64_t *seq, hq_error *err)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(hq_store_db(st), "SELECT coalesce(max(seq), 0) FROM changes", -1, &s,
                           NULL) != SQLITE_OK)
        return fail(st, err, "reading the change log");
    hq_status rc = sqlite3_step(s) == SQLITE_ROW ? HQ_OK : fail(st, err, "reading the change log");
    *seq = (uint64_t)sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return rc;
}

hq_status hq_store_changed_since(hq_store *st, uint64_t seq, char ***ids, size_t *n,
                                 hq_error *err)
{
    *ids = NULL;
    *n = 0;
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(hq_store_db(st),
                           "SELECT DISTINCT article_id FROM changes WHERE seq > ?1"
                           " ORDER BY article_id",
                           -1, &s, NULL) != SQLITE_OK)
        return fail(st, err, "reading the change log");
    sqlite3_bind_int64(s, 1, (sqlite3_int64)seq);
    size_t cap = 0;
    int r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        hq_grow((void **)ids, &cap, *n + 1, sizeof **ids);
        (*ids)[(*n)++] = hq_xstrdup((const char *)sqlite3_column_text(s, 0));
    }
    sqlite3_finalize(s);
    return r == SQLITE_DONE ? HQ_OK : fail(st, err, "reading the change log");
}

#define FEED_SQL                                                                              \
    "SELECT s.id, s.article_id, s.title, s.qtype, s.body, coalesce(a.focus, a.title),"       \
    " a.synonyms, a.source, a.trust FROM sections s JOIN articles a ON a.id = s.article_id"

static hq_status feed_rows(hq_store *st, sqlite3_stmt *s, hq_feed_fn fn, void *ctx,
                           hq_error *err)
{
    int r;
    hq_status rc = HQ_OK;
    while (rc == HQ_OK && (r = sqlite3_step(s)) == SQLITE_ROW) {
        hq_feed_section f;
        const char **cols[] = {&f.id,   &f.article_id,    &f.title,  &f.qtype, &f.body,
                               &f.focus, &f.synonyms_json, &f.source, &f.trust};
        for (int i = 0; i < 9; i++)
            *cols[i] = (const char *)sqlite3_column_text(s, i);
        f.title_len = (size_t)sqlite3_column_bytes(s, 2);
        f.body_len = (size_t)sqlite3_column_bytes(s, 4);
        rc = fn(ctx, &f);
    }
    if (rc == HQ_OK && r != SQLITE_DONE)
        rc = fail(st, err, "reading sections");
    return rc;
}

/* Every section, joined with its article by merging the two scans
 * (both in id order: SQLite's BINARY collation is strcmp's order), read
 * on a read-only connection of its own, opened without SQLite's mutex
 * (this thread alone uses it): on the shared main connection, serialized,
 * each of the million column and step calls of a rebuild took and gave
 * back the connection's mutex, a tenth of the reading.  The two scans
 * run side by side in one read transaction (WAL: committed data only,
 * beside any writer), through the read-ahead VFS, which serves their
 * pages from windows of the file read in one call each (readahead.c). */
static hq_status feed_all(hq_store *st, hq_feed_fn fn, void *ctx, hq_error *err)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *sec = NULL, *art = NULL;
    hq_status rc = HQ_OK;
    if (sqlite3_open_v2(hq_store_path(st), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                        hq_store_readahead_vfs()) != SQLITE_OK) {
        rc = hq_fail(err, HQ_ESTORE, hq_store_path(st), 0, -1,
                     "cannot open the store to read its sections: %s",
                     db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return rc;
    }
    sqlite3_busy_timeout(db, 5000);
    /* The scans read each page once: a page cache bigger than the b-trees'
     * upper levels only costs memory (SQLite's default is 2 MiB). */
    sqlite3_exec(db, "PRAGMA cache_size = -256", NULL, NULL, NULL);
    if (sqlite3_prepare_v2(db,
                           "SELECT id, article_id, title, qtype, body FROM sections"
                           " ORDER BY article_id, ord",
                           -1, &sec, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "SELECT id, coalesce(focus, title), synonyms, source, trust"
                           " FROM articles ORDER BY id",
                           -1, &art, NULL) != SQLITE_OK)
        rc = hq_fail(err, HQ_ESTORE, hq_store_path(st), 0, -1, "reading sections: %s",
                     sqlite3_errmsg(db));
    int ra = rc == HQ_OK ? sqlite3_step(art) : SQLITE_DONE, rs = SQLITE_DONE;
    const char *acol[5] = {NULL}; /* the current article's columns, NULL: not read yet */
    while (rc == HQ_OK && ra == SQLITE_ROW && (rs = sqlite3_step(sec)) == SQLITE_ROW) {
        const char *aid = (const char *)sqlite3_column_text(sec, 1);
        int cmp = -1; /* the current article's id against aid */
        while (aid != NULL && ra == SQLITE_ROW) {
            if (acol[0] == NULL) /* its texts stay valid until the next step */
                for (int i = 0; i < 5; i++)
                    acol[i] = (const char *)sqlite3_column_text(art, i);
            cmp = acol[0] ? strcmp(acol[0], aid) : -1; /* no id: passed over */
            if (cmp >= 0)
                break;
            ra = sqlite3_step(art);
            acol[0] = NULL;
        }
        if (cmp != 0 || ra != SQLITE_ROW)
            continue; /* no such article: the join would drop the section */
        hq_feed_section f;
        const char **cols[] = {&f.id, &f.article_id, &f.title, &f.qtype, &f.body};
        for (int i = 0; i < 5; i++)
            *cols[i] = (const char *)sqlite3_column_text(sec, i);
        f.title_len = (size_t)sqlite3_column_bytes(sec, 2);
        f.body_len = (size_t)sqlite3_column_bytes(sec, 4);
        f.focus = acol[1];
        f.synonyms_json = acol[2];
        f.source = acol[3];
        f.trust = acol[4];
        rc = fn(ctx, &f);
    }
    if (rc == HQ_OK && ((rs != SQLITE_DONE && rs != SQLITE_ROW) ||
                        (ra != SQLITE_ROW && ra != SQLITE_DONE)))
        rc = hq_fail(err, HQ_ESTORE, hq_store_path(st), 0, -1, "reading sections: %s",
                     sqlite3_errmsg(db));
    sqlite3_finalize(sec);
    sqlite3_finalize(art);
    sqlite3_close(db);
    return rc;
}

hq_status hq_store_feed(hq_store *st, char *const *ids, size_t n, hq_feed_fn fn, void *ctx,
                        hq_error *err)
{
    if (ids == NULL)
        return feed_all(st, fn, ctx, err);
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(hq_store_db(st), FEED_SQL " WHERE s.article_id = ?1 ORDER BY s.ord",
                           -1, &s, NULL) != SQLITE_OK)
        return fail(st, err, "reading sections");
    hq_status rc = HQ_OK;
    for (size_t i = 0; rc == HQ_OK && i < n; i++) {
        sqlite3_bind_text(s, 1, ids[i], -1, SQLITE_STATIC);
        rc = feed_rows(st, s, fn, ctx, err);
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    return rc;
}

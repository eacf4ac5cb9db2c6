/*
 * fingerprints.c — the store's cache of near-duplicate fingerprints:
 * reading sections with their stored value (or their text when there is
 * none) and writing values.  Called by src/engine/dups.c.  The values
 * are opaque here; the table and its cascade are in store.c's schema.
 */
#include "store.h"

#include <string.h>

static hq_status fail(hq_store *st, hq_error *err, const char *what)
{
    return hq_fail(err, HQ_ESTORE, hq_store_path(st), 0, -1, "%s: %s", what,
                   sqlite3_errmsg(hq_store_db(st)));
}

/* ?1 version, ?2 reuse, ?3 value length; the body is read only when the
 * value is not used (SQLite evaluates CASE lazily). */
#define USE_VALUE "(?2 AND f.version = ?1 AND length(f.value) = ?3)"
#define ROWS_SQL                                                                              \
    "SELECT s.id, s.article_id, s.title, a.source, a.trust,"                                   \
    " CASE WHEN " USE_VALUE " THEN f.value END,"                                               \
    " CASE WHEN " USE_VALUE " THEN NULL ELSE s.body END"                                       \
    " FROM sections s JOIN articles a ON a.id = s.article_id"                                  \
    " LEFT JOIN fingerprints f ON f.section_id = s.id"

static hq_status walk(hq_store *st, sqlite3_stmt *s, hq_fp_fn fn, void *ctx, hq_error *err)
{
    int r;
    hq_status rc = HQ_OK;
    while (rc == HQ_OK && (r = sqlite3_step(s)) == SQLITE_ROW) {
        hq_fp_row row;
        const char **cols[] = {&row.section_id, &row.article_id, &row.title, &row.source,
                               &row.trust};
        for (int i = 0; i < 5; i++)
            *cols[i] = (const char *)sqlite3_column_text(s, i);
        row.value = sqlite3_column_blob(s, 5);
        row.value_len = (size_t)sqlite3_column_bytes(s, 5);
        row.body = (const char *)sqlite3_column_text(s, 6);
        rc = fn(ctx, &row);
    }
    if (rc == HQ_OK && r != SQLITE_DONE)
        rc = fail(st, err, "reading sections");
    return rc;
}

hq_status hq_store_fp_rows(hq_store *st, char *const *ids, size_t n, int version,
                           size_t value_len, bool reuse, hq_fp_fn fn, void *ctx,
                           hq_error *err)
{
    sqlite3_stmt *s = NULL;
    const char *sql = ids ? ROWS_SQL " WHERE s.id = ?4" : ROWS_SQL " ORDER BY s.id";
    if (sqlite3_prepare_v2(hq_store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
        return fail(st, err, "reading sections");
    sqlite3_bind_int(s, 1, version);
    sqlite3_bind_int(s, 2, reuse);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)value_len);
    hq_status rc = HQ_OK;
    if (ids == NULL) {
        rc = walk(st, s, fn, ctx, err);
    } else {
        for (size_t i = 0; rc == HQ_OK && i < n; i++) {
            sqlite3_bind_text(s, 4, ids[i], -1, SQLITE_STATIC);
            rc = walk(st, s, fn, ctx, err);
            sqlite3_reset(s);
        }
    }
    sqlite3_finalize(s);
    return rc;
}

hq_status hq_store_fp_put(hq_store *st, int version, const char *const *ids,
                          const uint8_t *values, size_t len, size_t n, hq_error *err)
{
    if (len > 1u << 20)
        return hq_fail(err, HQ_EINVAL, hq_store_path(st), 0, -1,
                       "a fingerprint of %zu bytes is over the 1 MiB limit", len);
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(hq_store_db(st),
                           "INSERT OR REPLACE INTO fingerprints(section_id, version, value)"
                           " VALUES(?1, ?2, ?3)",
                           -1, &s, NULL) != SQLITE_OK)
        return fail(st, err, "writing a fingerprint");
    hq_status rc = HQ_OK;
    for (size_t i = 0; rc == HQ_OK && i < n; i++) {
        sqlite3_bind_text(s, 1, ids[i], -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 2, version);
        sqlite3_bind_blob(s, 3, values + i * len, (int)len, SQLITE_STATIC);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = fail(st, err, "writing a fingerprint");
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    return rc;
}

/*
 * views.c — read-only JSON views of the store: the statistics of
 * `healthqa stats` and the article/section/file of `healthqa show`.
 * The shapes are documented in docs/CLI.md.
 */
#include "store.h"

#include <string.h>

/* A prepared statement for one view; finalised by the caller. */
static hq_status prepare(hq_store *st, const char *sql, sqlite3_stmt **s, hq_error *err)
{
    if (sqlite3_prepare_v2(hq_store_db(st), sql, -1, s, NULL) == SQLITE_OK)
        return HQ_OK;
    return hq_fail(err, HQ_ESTORE, hq_store_path(st), 0, -1, "reading the store: %s",
                   sqlite3_errmsg(hq_store_db(st)));
}

static json_t *column_json(sqlite3_stmt *s, int i)
{
    if (sqlite3_column_type(s, i) == SQLITE_NULL)
        return json_null();
    if (sqlite3_column_type(s, i) == SQLITE_INTEGER)
        return json_integer(sqlite3_column_int64(s, i));
    return json_string((const char *)sqlite3_column_text(s, i));
}

/* Parses a JSON column (arrays and metadata objects we wrote ourselves);
 * a value that does not parse is reported as null rather than trusted. */
static json_t *column_parsed(sqlite3_stmt *s, int i)
{
    const char *text = (const char *)sqlite3_column_text(s, i);
    if (text == NULL)
        return json_null();
    json_t *v = json_loads(text, 0, NULL);
    return v ? v : json_null();
}

/* Runs sql (grouping rows as key, articles[, sections]) into an object
 * { key: {"articles": n, "sections": n} }. */
static hq_status grouped(hq_store *st, const char *sql, json_t *out, hq_error *err)
{
    sqlite3_stmt *s = NULL;
    hq_status rc = prepare(st, sql, &s, err);
    if (rc != HQ_OK)
        return rc;
    int cols = sqlite3_column_count(s);
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(s, 0);
        json_t *row = json_object();
        for (int c = 1; c < cols; c++)
            json_object_set_new(row, sqlite3_column_name(s, c), column_json(s, c));
        json_object_set_new(out, key ? key : "(none)", row);
    }
    sqlite3_finalize(s);
    return HQ_OK;
}

static hq_status scalars(hq_store *st, const char *sql, json_t *out, hq_error *err)
{
    sqlite3_stmt *s = NULL;
    hq_status rc = prepare(st, sql, &s, err);
    if (rc != HQ_OK)
        return rc;
    if (sqlite3_step(s) == SQLITE_ROW)
        for (int c = 0; c < sqlite3_column_count(s); c++)
            json_object_set_new(out, sqlite3_column_name(s, c), column_json(s, c));
    sqlite3_finalize(s);
    return HQ_OK;
}

hq_status hq_store_stats(hq_store *st, json_t **out, hq_error *err)
{
    static const struct {
        const char *key, *sql;
    } groups[] = {
        {"by_source",
         "SELECT a.source, src.trust AS trust, count(DISTINCT a.id) AS articles,"
         " count(sec.id) AS sections FROM articles a JOIN sources src ON src.name = a.source"
         " LEFT JOIN sections sec ON sec.article_id = a.id GROUP BY a.source ORDER BY a.source"},
        {"by_format",
         "SELECT a.format, count(DISTINCT a.id) AS articles, count(sec.id) AS sections"
         " FROM articles a LEFT JOIN sections sec ON sec.article_id = a.id"
         " GROUP BY a.format ORDER BY a.format"},
        {"by_trust",
         "SELECT a.trust, count(DISTINCT a.id) AS articles, count(sec.id) AS sections"
         " FROM articles a LEFT JOIN sections sec ON sec.article_id = a.id"
         " GROUP BY a.trust ORDER BY a.trust"},
        {"by_question_type",
         "SELECT coalesce(qtype, '(none)'), count(*) AS sections FROM sections"
         " GROUP BY qtype ORDER BY count(*) DESC, qtype"},
    };
    json_t *o = json_object();
    hq_status rc = scalars(st,
                           "SELECT (SELECT count(*) FROM articles) AS articles,"
                           " (SELECT count(*) FROM sections) AS sections,"
                           " (SELECT count(*) FROM sections WHERE body IS NULL)"
                           "   AS sections_without_body,"
                           " (SELECT count(*) FROM sources) AS sources,"
                           " (SELECT coalesce(max(seq), 0) FROM changes) AS last_change",
                           o, err);
    for (size_t i = 0; rc == HQ_OK && i < sizeof groups / sizeof *groups; i++) {
        json_t *g = json_object();
        json_object_set_new(o, groups[i].key, g);
        rc = grouped(st, groups[i].sql, g, err);
    }
    if (rc == HQ_OK) {
        json_t *links = json_object();
        json_object_set_new(o, "links", links);
        rc = grouped(st,
                     "SELECT kind, count(*) AS links, count(target_id) AS resolved"
                     " FROM links GROUP BY kind ORDER BY kind",
                     links, err);
    }
    if (rc != HQ_OK) {
        json_decref(o);
        return rc;
    }
    /* by_question_type rows are {"sections": n}: flatten to n */
    json_t *types = json_object_get(o, "by_question_type");
    const char *k;
    json_t *v;
    json_object_foreach(types, k, v)
    {
        json_object_set(types, k, json_object_get(v, "sections"));
    }
    *out = o;
    return HQ_OK;
}

/* ---- show --------------------------------------------------------------- */

static const char ARTICLE_COLUMNS[] =
    "SELECT id, title, source, trust, format, url, focus, category, language, semgroup,"
    " synonyms, cuis, semtypes, meta, path, seq FROM articles";

/* Builds the article object of the current row of s (ARTICLE_COLUMNS). */
static json_t *article_row(sqlite3_stmt *s)
{
    static const char *const names[] = {"id",     "title",    "source",   "trust",
                                        "format", "url",      "focus",    "category",
                                        "language", "semantic_group"};
    json_t *a = json_object();
    json_object_set_new(a, "kind", json_string("article"));
    for (int i = 0; i < 10; i++)
        json_object_set_new(a, names[i], column_json(s, i));
    json_object_set_new(a, "synonyms", column_parsed(s, 10));
    json_object_set_new(a, "cuis", column_parsed(s, 11));
    json_object_set_new(a, "semantic_types", column_parsed(s, 12));
    json_object_set_new(a, "metadata", column_parsed(s, 13));
    json_object_set_new(a, "path", column_json(s, 14));
    json_object_set_new(a, "change_seq", column_json(s, 15));
    return a;
}

static hq_status add_sections(hq_store *st, json_t *a, const char *id, hq_error *err)
{
    sqlite3_stmt *s = NULL;
    hq_status rc = prepare(st,
                           "SELECT id, title, qtype, body FROM sections WHERE article_id = ?1"
                           " ORDER BY ord",
                           &s, err);
    if (rc != HQ_OK)
        return rc;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    json_t *list = json_array();
    while (sqlite3_step(s) == SQLITE_ROW) {
        json_t *sec = json_object();
        json_object_set_new(sec, "id", column_json(s, 0));
        json_object_set_new(sec, "title", column_json(s, 1));
        json_object_set_new(sec, "question_type", column_json(s, 2));
        json_object_set_new(sec, "body", column_json(s, 3));
        json_array_append_new(list, sec);
    }
    sqlite3_finalize(s);
    json_object_set_new(a, "sections", list);
    return HQ_OK;
}

static hq_status add_links(hq_store *st, json_t *a, const char *id, hq_error *err)
{
    sqlite3_stmt *s = NULL;
    hq_status rc = prepare(st,
                           "SELECT kind, title, snippet, truncated, target_id FROM links"
                           " WHERE article_id = ?1 ORDER BY kind, ord",
                           &s, err);
    if (rc != HQ_OK)
        return rc;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    json_t *recommend = json_array();
    json_object_set_new(a, "previous", json_null());
    json_object_set_new(a, "next", json_null());
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *kind = (const char *)sqlite3_column_text(s, 0);
        json_t *l = json_object();
        json_object_set_new(l, "title", column_json(s, 1));
        json_object_set_new(l, "id", column_json(s, 4));
        if (strcmp(kind, "recommend") == 0) {
            json_object_set_new(l, "snippet", column_json(s, 2));
            json_object_set_new(l, "truncated", json_boolean(sqlite3_column_int(s, 3)));
            json_array_append_new(recommend, l);
        } else {
            json_object_set_new(a, kind, l);
        }
    }
    sqlite3_finalize(s);
    json_object_set_new(a, "recommend", recommend);
    return HQ_OK;
}

/* The full article id (with sections and links), or NULL when absent. */
static hq_status load_article(hq_store *st, const char *id, json_t **out, hq_error *err)
{
    *out = NULL;
    char sql[512];
    snprintf(sql, sizeof sql, "%s WHERE id = ?1", ARTICLE_COLUMNS);
    sqlite3_stmt *s = NULL;
    hq_status rc = prepare(st, sql, &s, err);
    if (rc != HQ_OK)
        return rc;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    json_t *a = sqlite3_step(s) == SQLITE_ROW ? article_row(s) : NULL;
    sqlite3_finalize(s);
    if (a == NULL)
        return HQ_OK;
    rc = add_sections(st, a, id, err);
    if (rc == HQ_OK)
        rc = add_links(st, a, id, err);
    if (rc != HQ_OK) {
        json_decref(a);
        return rc;
    }
    *out = a;
    return HQ_OK;
}

static hq_status load_section(hq_store *st, const char *id, json_t **out, hq_error *err)
{
    *out = NULL;
    sqlite3_stmt *s = NULL;
    hq_status rc = prepare(st,
                           "SELECT s.id, s.ord, s.title, s.qtype, s.body, a.id, a.title,"
                           " a.source, a.trust, a.url FROM sections s"
                           " JOIN articles a ON a.id = s.article_id WHERE s.id = ?1",
                           &s, err);
    if (rc != HQ_OK)
        return rc;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(s) == SQLITE_ROW) {
        json_t *o = json_object(), *art = json_object();
        json_object_set_new(o, "kind", json_string("section"));
        json_object_set_new(o, "id", column_json(s, 0));
        json_object_set_new(o, "position", column_json(s, 1));
        json_object_set_new(o, "title", column_json(s, 2));
        json_object_set_new(o, "question_type", column_json(s, 3));
        json_object_set_new(o, "body", column_json(s, 4));
        json_object_set_new(art, "id", column_json(s, 5));
        json_object_set_new(art, "title", column_json(s, 6));
        json_object_set_new(art, "source", column_json(s, 7));
        json_object_set_new(art, "trust", column_json(s, 8));
        json_object_set_new(art, "url", column_json(s, 9));
        json_object_set_new(o, "article", art);
        *out = o;
    }
    sqlite3_finalize(s);
    return HQ_OK;
}

/* The article(s) ingested from path: the article itself when there is
 * one, else {"kind": "file", "articles": [{id, title}...]}. */
static hq_status load_file(hq_store *st, const char *path, json_t **out, hq_error *err)
{
    *out = NULL;
    sqlite3_stmt *s = NULL;
    hq_status rc =
        prepare(st, "SELECT id, title FROM articles WHERE path = ?1 ORDER BY id", &s, err);
    if (rc != HQ_OK)
        return rc;
    sqlite3_bind_text(s, 1, path, -1, SQLITE_TRANSIENT);
    json_t *list = json_array();
    while (sqlite3_step(s) == SQLITE_ROW) {
        json_t *e = json_object();
        json_object_set_new(e, "id", column_json(s, 0));
        json_object_set_new(e, "title", column_json(s, 1));
        json_array_append_new(list, e);
    }
    sqlite3_finalize(s);
    if (json_array_size(list) == 1) {
        const char *id = json_string_value(json_object_get(json_array_get(list, 0), "id"));
        rc = load_article(st, id, out, err);
        json_decref(list);
        return rc;
    }
    if (json_array_size(list) > 1) {
        json_t *o = json_object();
        json_object_set_new(o, "kind", json_string("file"));
        json_object_set_new(o, "path", json_string(path));
        json_object_set_new(o, "articles", list);
        *out = o;
        return HQ_OK;
    }
    json_decref(list);
    return HQ_OK;
}

hq_status hq_store_show(hq_store *st, const char *id, json_t **out, hq_error *err)
{
    hq_status rc = load_article(st, id, out, err);
    if (rc == HQ_OK && *out == NULL)
        rc = load_section(st, id, out, err);
    if (rc == HQ_OK && *out == NULL)
        rc = load_file(st, id, out, err);
    if (rc == HQ_OK && *out == NULL)
        rc = hq_fail(err, HQ_ENOTFOUND, id, 0, -1,
                     "no article, section or ingested file with this id or path");
    return rc;
}

/*
 * store.c — the article store over SQLite (WAL mode).
 *
 * Owns the schema, the prepared statements and every write.  Callers:
 * the engine (ingest, stats, show) and, later, the indexer reading the
 * change log.  Invariants kept here:
 *   - an article row exists iff its sections and links are complete
 *     (both are replaced inside the caller's transaction);
 *   - every insert, change or delete of an article appends one row to
 *     `changes`, and articles.seq is the seq of its latest change;
 *   - a link's target_id is NULL or the id of an existing article
 *     (ON DELETE SET NULL).
 */
#include "store.h"

#include <sqlite3.h>
#include <string.h>
#include <time.h>

#define SCHEMA_VERSION 1

static const char SCHEMA[] =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);\n"
    "CREATE TABLE IF NOT EXISTS sources(\n"
    "  name TEXT PRIMARY KEY,\n"
    "  trust TEXT NOT NULL CHECK (trust IN ('high','medium','low','unknown')));\n"
    "CREATE TABLE IF NOT EXISTS articles(\n"
    "  id TEXT PRIMARY KEY,\n"
    "  source TEXT NOT NULL REFERENCES sources(name),\n"
    "  trust TEXT NOT NULL CHECK (trust IN ('high','medium','low','unknown')),\n"
    "  format TEXT NOT NULL,\n"
    "  url TEXT,\n"
    "  title TEXT NOT NULL,\n"
    "  title_key TEXT NOT NULL,\n"
    "  focus TEXT,\n"
    "  category TEXT,\n"
    "  language TEXT NOT NULL DEFAULT 'en',\n"
    "  semgroup TEXT,\n"
    "  synonyms TEXT NOT NULL DEFAULT '[]',\n"
    "  cuis TEXT NOT NULL DEFAULT '[]',\n"
    "  semtypes TEXT NOT NULL DEFAULT '[]',\n"
    "  meta TEXT,\n"
    "  path TEXT NOT NULL,\n"
    "  hash INTEGER NOT NULL,\n"
    "  seq INTEGER NOT NULL);\n"
    "CREATE INDEX IF NOT EXISTS articles_path ON articles(path);\n"
    "CREATE INDEX IF NOT EXISTS articles_title_key ON articles(title_key);\n"
    "CREATE TABLE IF NOT EXISTS sections(\n"
    "  id TEXT NOT NULL UNIQUE,\n"
    "  article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,\n"
    "  ord INTEGER NOT NULL,\n"
    "  title TEXT NOT NULL,\n"
    "  title_key TEXT NOT NULL,\n"
    "  qtype TEXT,\n"
    "  body TEXT,\n"
    "  UNIQUE(article_id, ord));\n"
    "CREATE INDEX IF NOT EXISTS sections_title_key ON sections(title_key);\n"
    "CREATE TABLE IF NOT EXISTS links(\n"
    "  article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,\n"
    "  kind TEXT NOT NULL CHECK (kind IN ('previous','next','recommend')),\n"
    "  ord INTEGER NOT NULL,\n"
    "  title TEXT NOT NULL,\n"
    "  title_key TEXT NOT NULL,\n"
    "  snippet TEXT,\n"
    "  truncated INTEGER NOT NULL DEFAULT 0,\n"
    "  target_id TEXT REFERENCES articles(id) ON DELETE SET NULL,\n"
    "  PRIMARY KEY(article_id, kind, ord));\n"
    "CREATE INDEX IF NOT EXISTS links_target ON links(target_id);\n"
    "CREATE TABLE IF NOT EXISTS fingerprints(\n"
    "  section_id TEXT PRIMARY KEY REFERENCES sections(id) ON DELETE CASCADE,\n"
    "  version INTEGER NOT NULL,\n"
    "  value BLOB NOT NULL) WITHOUT ROWID;\n"
    "CREATE TABLE IF NOT EXISTS changes(\n"
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  article_id TEXT NOT NULL,\n"
    "  op TEXT NOT NULL CHECK (op IN ('put','delete')),\n"
    "  at INTEGER NOT NULL);\n";

enum stmt_id {
    ST_SOURCE_PUT,
    ST_ARTICLE_GET,
    ST_ARTICLE_PUT,
    ST_ARTICLE_DELETE,
    ST_SECTIONS_DELETE,
    ST_SECTION_PUT,
    ST_SECTION_OWNER,
    ST_LINKS_DELETE,
    ST_LINK_PUT,
    ST_CHANGE_PUT,
    ST_PATH_IDS,
    ST_COUNT
};

static const char *const STMT_SQL[ST_COUNT] = {
    [ST_SOURCE_PUT] = "INSERT INTO sources(name, trust) VALUES(?1, ?2) "
                      "ON CONFLICT(name) DO UPDATE SET trust = excluded.trust "
                      "WHERE trust <> excluded.trust",
    [ST_ARTICLE_GET] = "SELECT hash FROM articles WHERE id = ?1",
    [ST_ARTICLE_PUT] =
        "INSERT INTO articles(id, source, trust, format, url, title, title_key, focus, "
        "category, language, semgroup, synonyms, cuis, semtypes, meta, path, hash, seq) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18) "
        "ON CONFLICT(id) DO UPDATE SET source = excluded.source, trust = excluded.trust, "
        "format = excluded.format, url = excluded.url, title = excluded.title, "
        "title_key = excluded.title_key, focus = excluded.focus, category = excluded.category, "
        "language = excluded.language, semgroup = excluded.semgroup, "
        "synonyms = excluded.synonyms, cuis = excluded.cuis, semtypes = excluded.semtypes, "
        "meta = excluded.meta, path = excluded.path, hash = excluded.hash, seq = excluded.seq",
    [ST_ARTICLE_DELETE] = "DELETE FROM articles WHERE id = ?1",
    [ST_SECTIONS_DELETE] = "DELETE FROM sections WHERE article_id = ?1",
    [ST_SECTION_PUT] = "INSERT INTO sections(id, article_id, ord, title, title_key, qtype, body) "
                       "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [ST_SECTION_OWNER] = "SELECT article_id FROM sections WHERE id = ?1",
    [ST_LINKS_DELETE] = "DELETE FROM links WHERE article_id = ?1",
    [ST_LINK_PUT] = "INSERT INTO links(article_id, kind, ord, title, title_key, snippet, "
                    "truncated) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [ST_CHANGE_PUT] = "INSERT INTO changes(article_id, op, at) VALUES(?1, ?2, ?3)",
    [ST_PATH_IDS] = "SELECT id FROM articles WHERE path = ?1",
};

struct hq_store {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *stmt[ST_COUNT]; /* the writer's (one thread at a time); NULL until it writes */
    hq_buf key; /* scratch for title keys */
    hq_store_readers *readers; /* read connections for search hits (readers.c) */
};

/* ---- errors ----------------------------------------------------------- */

/* What to do about the connection's last error, when it is the disk's. */
static const char *advice(hq_store *st)
{
    int code = sqlite3_errcode(st->db) & 0xff;
    if (code == SQLITE_FULL || code == SQLITE_IOERR)
        return " (the disk may be full or a file size limit reached: free space and retry; "
               "what was stored before is intact)";
    return "";
}

static hq_status db_fail(hq_store *st, hq_error *err, const char *what)
{
    return hq_fail(err, HQ_ESTORE, st->path, 0, -1, "%s: %s%s", what, sqlite3_errmsg(st->db),
                   advice(st));
}

static hq_status exec(hq_store *st, const char *sql, hq_error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return HQ_OK;
    hq_status rc = hq_fail(err, HQ_ESTORE, st->path, 0, -1, "%s%s", msg ? msg : "unknown error",
                           advice(st));
    sqlite3_free(msg);
    return rc;
}

/* ---- open and close ----------------------------------------------------- */

static hq_status check_version(hq_store *st, hq_error *err)
{
    sqlite3_stmt *s = NULL;
    hq_status rc = HQ_OK;
    if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &s,
                           NULL) != SQLITE_OK)
        return db_fail(st, err, "reading the schema version");
    if (sqlite3_step(s) == SQLITE_ROW) {
        int v = sqlite3_column_int(s, 0);
        if (v != SCHEMA_VERSION)
            rc = hq_fail(err, HQ_ECORRUPT, st->path, 0, -1,
                         "store has schema version %d, this program reads version %d: "
                         "re-ingest into a new data folder",
                         v, SCHEMA_VERSION);
    } else {
        char sql[128];
        snprintf(sql, sizeof sql,
                 "INSERT INTO meta(key, value) VALUES('schema_version', '%d')", SCHEMA_VERSION);
        rc = exec(st, sql, err);
    }
    sqlite3_finalize(s);
    return rc;
}

/* The writer's statements, prepared at its first write: a process that
 * only reads (search, a rebuild of the index) spares the ~0.5 ms. */
static hq_status prepare_all(hq_store *st, hq_error *err)
{
    for (int i = 0; i < ST_COUNT; i++)
        if (st->stmt[i] == NULL &&
            sqlite3_prepare_v3(st->db, STMT_SQL[i], -1, SQLITE_PREPARE_PERSISTENT, &st->stmt[i],
                               NULL) != SQLITE_OK)
            return db_fail(st, err, "preparing a statement");
    return HQ_OK;
}

hq_status hq_store_open(const char *path, hq_store **out, hq_error *err)
{
    *out = NULL;
    hq_store *st = hq_xcalloc(1, sizeof *st);
    st->path = hq_xstrdup(path);
    hq_buf_init(&st->key, 0);
    hq_status rc;
    if (sqlite3_open_v2(path, &st->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        NULL) !=
        SQLITE_OK) {
        rc = db_fail(st, err, "cannot open the store");
        goto fail;
    }
    sqlite3_busy_timeout(st->db, 5000);
    sqlite3_extended_result_codes(st->db, 1);
    rc = exec(st,
              "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
              "PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;",
              err);
    if (rc == HQ_OK)
        rc = exec(st, "BEGIN", err);
    if (rc == HQ_OK)
        rc = exec(st, SCHEMA, err);
    if (rc == HQ_OK)
        rc = check_version(st, err);
    if (rc == HQ_OK)
        rc = exec(st, "COMMIT", err);
    if (rc != HQ_OK)
        goto fail;
    st->readers = hq_store_readers_new(path);
    *out = st;
    return HQ_OK;
fail:
    if (rc == HQ_ESTORE && err && strstr(err->message, "not a database"))
        err->code = rc = HQ_ECORRUPT;
    hq_store_close(st);
    return rc;
}

void hq_store_close(hq_store *st)
{
    if (st == NULL)
        return;
    hq_store_readers_free(st->readers);
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(st->stmt[i]);
    sqlite3_close(st->db);
    hq_buf_free(&st->key);
    free(st->path);
    free(st);
}

hq_status hq_store_begin(hq_store *st, hq_error *err)
{
    return exec(st, "BEGIN IMMEDIATE", err);
}

hq_status hq_store_commit(hq_store *st, hq_error *err)
{
    return exec(st, "COMMIT", err);
}

void hq_store_rollback(hq_store *st)
{
    if (!sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

hq_status hq_store_checkpoint(hq_store *st, hq_error *err)
{
    return exec(st, "PRAGMA wal_checkpoint(TRUNCATE)", err);
}

/* ---- keys ----------------------------------------------------------- */

/* The key under which titles are compared (hq_utf8_key), valid until
 * the next call. */
static const char *title_key(hq_store *st, const char *title)
{
    hq_utf8_key(title, &st->key);
    return hq_buf_str(&st->key);
}

/* ---- writing ----------------------------------------------------------- */

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, i);
}

/* Runs a prepared statement that returns no row, then resets it. */
static hq_status step_done(hq_store *st, sqlite3_stmt *s, hq_error *err, const char *what)
{
    int r = sqlite3_step(s);
    hq_status rc = r == SQLITE_DONE ? HQ_OK : db_fail(st, err, what);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc;
}

static char *strv_json(const hq_strv *v)
{
    json_t *a = json_array();
    for (size_t i = 0; i < v->n; i++)
        json_array_append_new(a, json_string(v->items[i]));
    char *s = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return s;
}

static hq_status log_change(hq_store *st, const char *id, const char *op, sqlite3_int64 *seq,
                            hq_error *err)
{
    sqlite3_stmt *s = st->stmt[ST_CHANGE_PUT];
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, op, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)time(NULL));
    hq_status rc = step_done(st, s, err, "logging a change");
    if (seq)
        *seq = sqlite3_last_insert_rowid(st->db);
    return rc;
}

/* The hash of what is stored for a: its parsed fields plus where it came
 * from and how far it is trusted. */
static sqlite3_int64 stored_hash(const hq_article *a, const char *path)
{
    uint64_t h = hq_article_hash(a);
    h = hq_hash64(a->trust, strlen(a->trust), h);
    h = hq_hash64(path, strlen(path), h);
    return (sqlite3_int64)(h & 0x7FFFFFFFFFFFFFFFULL);
}

static bool unchanged(hq_store *st, const char *id, sqlite3_int64 hash)
{
    sqlite3_stmt *s = st->stmt[ST_ARTICLE_GET];
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    bool same = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int64(s, 0) == hash;
    sqlite3_reset(s);
    return same;
}

static hq_status put_source(hq_store *st, const hq_article *a, hq_error *err)
{
    sqlite3_stmt *s = st->stmt[ST_SOURCE_PUT];
    bind_text(s, 1, a->source);
    bind_text(s, 2, a->trust);
    return step_done(st, s, err, "writing a source");
}

static hq_status put_article_row(hq_store *st, const hq_article *a, const char *path,
                                 sqlite3_int64 hash, sqlite3_int64 seq, hq_error *err)
{
    sqlite3_stmt *s = st->stmt[ST_ARTICLE_PUT];
    char *syn = strv_json(&a->synonyms), *cuis = strv_json(&a->cuis),
         *types = strv_json(&a->semtypes);
    bind_text(s, 1, a->id);
    bind_text(s, 2, a->source);
    bind_text(s, 3, a->trust);
    bind_text(s, 4, a->format);
    bind_text(s, 5, a->url);
    bind_text(s, 6, a->title);
    bind_text(s, 7, title_key(st, a->title));
    bind_text(s, 8, a->focus);
    bind_text(s, 9, a->category);
    bind_text(s, 10, a->language ? a->language : "en");
    bind_text(s, 11, a->semgroup);
    bind_text(s, 12, syn);
    bind_text(s, 13, cuis);
    bind_text(s, 14, types);
    bind_text(s, 15, a->meta_json);
    bind_text(s, 16, path);
    sqlite3_bind_int64(s, 17, hash);
    sqlite3_bind_int64(s, 18, seq);
    free(syn);
    free(cuis);
    free(types);
    return step_done(st, s, err, "writing an article");
}

/* Explains a section id taken by another article, the one constraint
 * a well-formed file can still break. */
static hq_status section_conflict(hq_store *st, const hq_doc *doc, const hq_section *sec,
                                  hq_error *err)
{
    sqlite3_stmt *s = st->stmt[ST_SECTION_OWNER];
    sqlite3_bind_text(s, 1, sec->id, -1, SQLITE_TRANSIENT);
    hq_status rc;
    if (sqlite3_step(s) == SQLITE_ROW)
        rc = hq_fail(err, HQ_EFORMAT, doc->path, 0, -1,
                     "section id %s already belongs to article %s", sec->id,
                     (const char *)sqlite3_column_text(s, 0));
    else
        rc = db_fail(st, err, "writing a section");
    sqlite3_reset(s);
    return rc;
}

static hq_status put_sections(hq_store *st, const hq_doc *doc, const hq_article *a,
                              hq_error *err)
{
    hq_status rc = HQ_OK;
    sqlite3_stmt *s = st->stmt[ST_SECTION_PUT];
    for (size_t i = 0; rc == HQ_OK && i < a->n_sections; i++) {
        const hq_section *sec = &a->sections[i];
        bind_text(s, 1, sec->id);
        bind_text(s, 2, a->id);
        sqlite3_bind_int64(s, 3, (sqlite3_int64)i + 1);
        bind_text(s, 4, sec->title);
        bind_text(s, 5, title_key(st, sec->title));
        bind_text(s, 6, sec->qtype);
        bind_text(s, 7, sec->body);
        int r = sqlite3_step(s);
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
        if (r == SQLITE_CONSTRAINT_UNIQUE)
            rc = section_conflict(st, doc, sec, err);
        else if (r != SQLITE_DONE)
            rc = db_fail(st, err, "writing a section");
    }
    return rc;
}

static hq_status put_links(hq_store *st, const hq_article *a, hq_error *err)
{
    hq_status rc = HQ_OK;
    sqlite3_stmt *s = st->stmt[ST_LINK_PUT];
    size_t ord[3] = {0, 0, 0};
    for (size_t i = 0; rc == HQ_OK && i < a->n_links; i++) {
        const hq_link *l = &a->links[i];
        bind_text(s, 1, a->id);
        bind_text(s, 2, hq_link_kind_name(l->kind));
        sqlite3_bind_int64(s, 3, (sqlite3_int64)++ord[l->kind]);
        bind_text(s, 4, l->title);
        bind_text(s, 5, title_key(st, l->title));
        bind_text(s, 6, l->snippet);
        sqlite3_bind_int(s, 7, l->truncated ? 1 : 0);
        rc = step_done(st, s, err, "writing a link");
    }
    return rc;
}

static hq_status delete_children(hq_store *st, const char *id, hq_error *err)
{
    sqlite3_stmt *s = st->stmt[ST_SECTIONS_DELETE];
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    hq_status rc = step_done(st, s, err, "replacing sections");
    if (rc != HQ_OK)
        return rc;
    s = st->stmt[ST_LINKS_DELETE];
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    return step_done(st, s, err, "replacing links");
}

static hq_status put_article(hq_store *st, const hq_doc *doc, const hq_article *a,
                             const char *path, bool *changed, hq_error *err)
{
    sqlite3_int64 hash = stored_hash(a, path), seq = 0;
    *changed = !unchanged(st, a->id, hash);
    if (!*changed)
        return HQ_OK;
    hq_status rc = put_source(st, a, err);
    if (rc == HQ_OK)
        rc = log_change(st, a->id, "put", &seq, err);
    if (rc == HQ_OK)
        rc = put_article_row(st, a, path, hash, seq, err);
    if (rc == HQ_OK)
        rc = delete_children(st, a->id, err);
    if (rc == HQ_OK)
        rc = put_sections(st, doc, a, err);
    if (rc == HQ_OK)
        rc = put_links(st, a, err);
    return rc;
}

static bool doc_has_article(const hq_doc *doc, const char *id)
{
    for (size_t i = 0; i < doc->n_articles; i++)
        if (strcmp(doc->articles[i].id, id) == 0)
            return true;
    return false;
}

/* Deletes the articles once ingested from doc->path that doc no longer
 * holds (a record removed from a JSON Lines file). */
static hq_status remove_vanished(hq_store *st, const hq_doc *doc, size_t *n_removed,
                                 hq_error *err)
{
    char **gone = NULL;
    size_t n_gone = 0, cap = 0;
    sqlite3_stmt *s = st->stmt[ST_PATH_IDS];
    sqlite3_bind_text(s, 1, doc->path, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(s, 0);
        if (!doc_has_article(doc, id)) {
            hq_grow((void **)&gone, &cap, n_gone + 1, sizeof *gone);
            gone[n_gone++] = hq_xstrdup(id);
        }
    }
    sqlite3_reset(s);
    hq_status rc = HQ_OK;
    for (size_t i = 0; i < n_gone; i++) {
        if (rc == HQ_OK) {
            sqlite3_stmt *d = st->stmt[ST_ARTICLE_DELETE];
            sqlite3_bind_text(d, 1, gone[i], -1, SQLITE_TRANSIENT);
            rc = step_done(st, d, err, "deleting an article");
            if (rc == HQ_OK)
                rc = log_change(st, gone[i], "delete", NULL, err);
        }
        free(gone[i]);
    }
    free(gone);
    *n_removed = rc == HQ_OK ? n_gone : 0;
    return rc;
}

hq_status hq_store_delete_article(hq_store *st, const char *id, bool *found, hq_error *err)
{
    *found = false;
    hq_status prc = prepare_all(st, err);
    if (prc != HQ_OK)
        return prc;
    sqlite3_stmt *d = st->stmt[ST_ARTICLE_DELETE];
    sqlite3_bind_text(d, 1, id, -1, SQLITE_TRANSIENT);
    hq_status rc = step_done(st, d, err, "deleting an article");
    *found = rc == HQ_OK && sqlite3_changes(st->db) > 0;
    if (rc == HQ_OK && *found)
        rc = log_change(st, id, "delete", NULL, err);
    return rc;
}

hq_status hq_store_put_doc(hq_store *st, const hq_doc *doc, hq_put_result *res, hq_error *err)
{
    res->n_changed = res->n_removed = 0;
    hq_status prc = prepare_all(st, err);
    if (prc != HQ_OK)
        return prc;
    for (size_t i = 0; i < doc->n_articles; i++) {
        const hq_article *a = &doc->articles[i];
        if (a->source == NULL || a->trust == NULL)
            return hq_fail(err, HQ_EINVAL, doc->path, 0, -1,
                           "article %s has no source or trust level", a->id);
        bool changed = false;
        hq_status rc = put_article(st, doc, a, doc->path, &changed, err);
        if (rc != HQ_OK)
            return rc;
        res->n_changed += changed;
    }
    return remove_vanished(st, doc, &res->n_removed, err);
}

static hq_status count_rows(hq_store *st, const char *sql, sqlite3_int64 *n, hq_error *err)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
        return db_fail(st, err, "counting rows");
    hq_status rc = sqlite3_step(s) == SQLITE_ROW ? HQ_OK : db_fail(st, err, "counting rows");
    *n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return rc;
}

hq_status hq_store_resolve_links(hq_store *st, size_t *n_resolved, hq_error *err)
{
    *n_resolved = 0;
    static const char sql[] =
        "UPDATE links SET target_id = coalesce("
        " (SELECT a.id FROM articles a WHERE a.title_key = links.title_key"
        "    AND a.id <> links.article_id ORDER BY a.id LIMIT 1),"
        " (SELECT s.article_id FROM sections s WHERE s.title_key = links.title_key"
        "    AND s.article_id <> links.article_id ORDER BY s.article_id LIMIT 1))"
        " WHERE target_id IS NULL AND title_key <> ''";
    static const char count_sql[] = "SELECT count(*) FROM links WHERE target_id IS NOT NULL";
    sqlite3_int64 before = 0, after = 0;
    hq_status rc = count_rows(st, count_sql, &before, err);
    if (rc == HQ_OK)
        rc = exec(st, sql, err);
    if (rc == HQ_OK)
        rc = count_rows(st, count_sql, &after, err);
    if (rc == HQ_OK)
        *n_resolved = (size_t)(after - before);
    return rc;
}

hq_store_readers *hq_store_readers_of(hq_store *st)
{
    return st->readers;
}

sqlite3 *hq_store_db(hq_store *st)
{
    return st->db;
}

const char *hq_store_path(const hq_store *st)
{
    return st->path;
}

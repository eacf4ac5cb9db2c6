/*
 * readers.c — read-only connections to the store for the hits of a
 * search, kept in a pool.
 *
 * Why: the store's main connection is shared by every thread in SQLite's
 * serialized mode, so reads on it queue on the connection's mutex.  A
 * search reads one row per hit shown; with the rows read on a connection
 * of its own, searches on several threads read side by side (WAL mode
 * lets any number of readers run beside each other and beside the one
 * writer), and all the rows of one search are read in one read
 * transaction (one shared lock, one look at the WAL index) instead of
 * one per row.
 *
 * Invariants: a reader is used by one thread at a time (taken from the
 * pool, given back after the batch), so its connection is opened without
 * SQLite's mutex; no read transaction stays open in the pool (it would
 * hold back WAL checkpoints); the pool grows to the number of threads
 * that read at once and is freed with the store (no reader may be out).
 */
#include "store.h"

#include <pthread.h>
#include <string.h>

static const char HIT_SQL[] = "SELECT s.title, s.qtype, s.body, a.title, a.url FROM sections s"
                              " JOIN articles a ON a.id = s.article_id WHERE s.id = ?1";

typedef struct reader {
    sqlite3 *db;
    sqlite3_stmt *hit;
    struct reader *next; /* in the idle list */
} reader;

struct hq_store_readers {
    char *path;
    pthread_mutex_t lock; /* guards idle */
    reader *idle;
};

hq_store_readers *hq_store_readers_new(const char *path)
{
    hq_store_readers *p = hq_xcalloc(1, sizeof *p);
    p->path = hq_xstrdup(path);
    pthread_mutex_init(&p->lock, NULL);
    return p;
}

static void reader_free(reader *r)
{
    sqlite3_finalize(r->hit);
    sqlite3_close(r->db);
    free(r);
}

void hq_store_readers_free(hq_store_readers *p)
{
    if (p == NULL)
        return;
    while (p->idle) {
        reader *r = p->idle;
        p->idle = r->next;
        reader_free(r);
    }
    pthread_mutex_destroy(&p->lock);
    free(p->path);
    free(p);
}

static hq_status reader_fail(hq_store_readers *p, sqlite3 *db, hq_error *err, const char *what)
{
    return hq_fail(err, HQ_ESTORE, p->path, 0, -1, "%s: %s", what,
                   db ? sqlite3_errmsg(db) : "out of memory");
}

/* Opens a new read-only connection with its statement. */
static hq_status reader_open(hq_store_readers *p, reader **out, hq_error *err)
{
    reader *r = hq_xcalloc(1, sizeof *r);
    hq_status rc = HQ_OK;
    if (sqlite3_open_v2(p->path, &r->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK)
        rc = reader_fail(p, r->db, err, "cannot open the store for reading");
    else if (sqlite3_busy_timeout(r->db, 5000),
             sqlite3_prepare_v3(r->db, HIT_SQL, -1, SQLITE_PREPARE_PERSISTENT, &r->hit, NULL) !=
                 SQLITE_OK)
        rc = reader_fail(p, r->db, err, "preparing the read of a hit");
    if (rc != HQ_OK) {
        reader_free(r);
        r = NULL;
    }
    *out = r;
    return rc;
}

static hq_status take(hq_store_readers *p, reader **out, hq_error *err)
{
    pthread_mutex_lock(&p->lock);
    reader *r = p->idle;
    if (r)
        p->idle = r->next;
    pthread_mutex_unlock(&p->lock);
    if (r) {
        *out = r;
        return HQ_OK;
    }
    return reader_open(p, out, err);
}

static void give_back(hq_store_readers *p, reader *r)
{
    pthread_mutex_lock(&p->lock);
    r->next = p->idle;
    p->idle = r;
    pthread_mutex_unlock(&p->lock);
}

/* Reads one hit's row into *out (zeroed first). */
static hq_status read_hit(hq_store_readers *p, reader *r, const char *section_id,
                          hq_store_hit_info *out, hq_error *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s = r->hit;
    sqlite3_bind_text(s, 1, section_id, -1, SQLITE_STATIC);
    int step = sqlite3_step(s);
    hq_status rc = HQ_OK;
    if (step == SQLITE_ROW) {
        char **cols[] = {&out->title, &out->qtype, &out->body, &out->article_title, &out->url};
        for (int i = 0; i < 5; i++) {
            const char *v = (const char *)sqlite3_column_text(s, i);
            *cols[i] = v ? hq_xstrdup(v) : NULL;
        }
    } else if (step == SQLITE_DONE) {
        rc = hq_fail(err, HQ_ECORRUPT, section_id, 0, -1,
                     "the index names a section the store does not hold: the index is out "
                     "of step with the store (healthqa check; healthqa index --rebuild)");
    } else {
        rc = reader_fail(p, r->db, err, "reading a section");
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc;
}

hq_status hq_store_hits(hq_store *st, const char *const *section_ids, size_t n,
                        hq_store_hit_info *out, hq_error *err)
{
    memset(out, 0, n * sizeof *out);
    if (n == 0)
        return HQ_OK;
    hq_store_readers *p = hq_store_readers_of(st);
    reader *r = NULL;
    hq_status rc = take(p, &r, err);
    if (rc != HQ_OK)
        return rc;
    /* one read transaction: every row comes from the same state of the store */
    if (sqlite3_exec(r->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        rc = reader_fail(p, r->db, err, "starting a read");
    for (size_t i = 0; rc == HQ_OK && i < n; i++)
        rc = read_hit(p, r, section_ids[i], &out[i], err);
    if (!sqlite3_get_autocommit(r->db))
        sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL); /* a read: nothing to lose */
    if (sqlite3_get_autocommit(r->db))
        give_back(p, r);
    else
        reader_free(r); /* still in a transaction: never back in the pool */
    if (rc != HQ_OK)
        for (size_t i = 0; i < n; i++)
            hq_store_hit_free(&out[i]);
    return rc;
}

hq_status hq_store_hit(hq_store *st, const char *section_id, hq_store_hit_info *out,
                       hq_error *err)
{
    return hq_store_hits(st, &section_id, 1, out, err);
}

void hq_store_hit_free(hq_store_hit_info *h)
{
    free(h->title);
    free(h->qtype);
    free(h->body);
    free(h->article_title);
    free(h->url);
    memset(h, 0, sizeof *h);
}

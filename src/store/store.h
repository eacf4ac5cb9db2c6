/*
 * store.h — the durable store: sources, articles, sections, links and
 * the change log, in one SQLite database in WAL mode.
 *
 * The store is the source of truth; the index is derived from it by
 * following the change log (changes.seq grows with every write).  The
 * schema is in store.c and documented in docs/SCHEMA.md.
 *
 * A store handle is used by one thread at a time, except for the reads
 * a search and the server make (hq_store_hits, hq_store_show,
 * hq_store_stats, hq_store_last_seq, and statements of their own on
 * hq_store_db): the main connection is opened in SQLite's serialized
 * mode and those use private statements, so any number of threads may
 * run them at once; hq_store_hits and hq_store_hit read on connections
 * of their own (readers.c).
 */
#ifndef HQ_STORE_H
#define HQ_STORE_H

#include "../ingest/ingest.h"

#include <sqlite3.h>

typedef struct hq_store hq_store;

/* Opens (creating when missing) the database at path, applies the schema
 * and checks its version.  Release with hq_store_close(). */
hq_status hq_store_open(const char *path, hq_store **out, hq_error *err);
void hq_store_close(hq_store *st);

/* Transactions.  begin/commit/rollback may not nest. */
hq_status hq_store_begin(hq_store *st, hq_error *err);
hq_status hq_store_commit(hq_store *st, hq_error *err);
void hq_store_rollback(hq_store *st);

typedef struct hq_put_result {
    size_t n_changed; /* articles inserted or changed */
    size_t n_removed; /* articles of this path that the new version no longer has */
} hq_put_result;

/* Writes every article of doc (each with source and trust set), replacing
 * the sections and links of those that changed and logging one change
 * per changed article; articles previously ingested from the same path
 * and absent from doc are deleted (and logged).  Unchanged articles are
 * not written.  Must run inside a transaction; on failure the caller
 * rolls back. */
hq_status hq_store_put_doc(hq_store *st, const hq_doc *doc, hq_put_result *res, hq_error *err);

/* Deletes the article id with its sections and links, logging the
 * change; *found says whether it was there (nothing is logged when not).
 * Must run inside a transaction. */
hq_status hq_store_delete_article(hq_store *st, const char *id, bool *found, hq_error *err);

/* Points every unresolved link at the article whose title (or whose
 * section's title) has the same key (case, accents and punctuation
 * ignored).  *n_resolved counts links resolved by this call. */
hq_status hq_store_resolve_links(hq_store *st, size_t *n_resolved, hq_error *err);

/* Copies the WAL into the database file and syncs it. */
hq_status hq_store_checkpoint(hq_store *st, hq_error *err);

/* For the store's own files (views.c): the connection and its path. */
sqlite3 *hq_store_db(hq_store *st);
const char *hq_store_path(const hq_store *st);

/* ---- Interface to code in readers.c: the rows of search hits ------------- */

/* What a search hit shows of its section (malloc'd strings, NULL when
 * absent); release with hq_store_hit_free (which zeroes it). */
typedef struct hq_store_hit_info {
    char *title, *qtype, *body, *article_title, *url;
} hq_store_hit_info;

/* Reads the rows of the sections section_ids[0..n) into out[0..n), all in
 * one read transaction, on a read-only connection of a pool (so threads
 * read at once; any thread may call it).  A section the store does not
 * hold is HQ_ECORRUPT: the index that named it is out of step.  On any
 * failure every out[i] is released. */
hq_status hq_store_hits(hq_store *st, const char *const *section_ids, size_t n,
                        hq_store_hit_info *out, hq_error *err);
/* hq_store_hits of one section. */
hq_status hq_store_hit(hq_store *st, const char *section_id, hq_store_hit_info *out,
                       hq_error *err);
void hq_store_hit_free(hq_store_hit_info *h);

/* The pool behind hq_store_hits, owned by the store (store.c creates and
 * frees it; no reader may be in use when it is freed). */
typedef struct hq_store_readers hq_store_readers;
hq_store_readers *hq_store_readers_new(const char *path);
void hq_store_readers_free(hq_store_readers *p);
hq_store_readers *hq_store_readers_of(hq_store *st);

/* ---- Interface to code in views.c: JSON views --------------------------- */
/* JSON views (release with json_decref); see docs/CLI.md. */
hq_status hq_store_stats(hq_store *st, json_t **out, hq_error *err);
/* An article by id, a section by id, or the article(s) of an ingested
 * file path (absolute, as stored); HQ_ENOTFOUND otherwise. */
hq_status hq_store_show(hq_store *st, const char *id, json_t **out, hq_error *err);

/* ---- Interface to code in readahead.c ------------------------------------- */

/* The name of a VFS for a connection that reads a store from end to end
 * (registered at the first call), or NULL when there is none (SQLite's
 * default VFS then). */
const char *hq_store_readahead_vfs(void);

/* ---- Interface to code in feed.c: what the indexer reads ---------------- */

/* One section with what the index needs of its article. */
typedef struct hq_feed_section {
    const char *id, *article_id;
    const char *title, *qtype, *body;      /* body NULL when absent */
    const char *focus;                     /* the article's focus, or its title */
    const char *synonyms_json;             /* JSON array of strings */
    const char *source, *trust;
    size_t title_len, body_len;            /* their bytes (0 for a NULL body) */
} hq_feed_section;

/* Called per section; a non-OK return stops the walk and is returned. */
typedef hq_status (*hq_feed_fn)(void *ctx, const hq_feed_section *s);

/* The last change's seq (0 for an empty log). */
hq_status hq_store_last_seq(hq_store *st, uint64_t *seq, hq_error *err);

/* The distinct article ids changed (put or deleted) after seq, sorted,
 * as malloc'd strings in *ids (free each and the array). */
hq_status hq_store_changed_since(hq_store *st, uint64_t seq, char ***ids, size_t *n,
                                 hq_error *err);

/* Calls fn for every section of the articles ids[0..n) that still exist
 * (in id, then section order); with ids == NULL, for every section of
 * the store. */
hq_status hq_store_feed(hq_store *st, char *const *ids, size_t n, hq_feed_fn fn, void *ctx,
                        hq_error *err);

/* ---- Interface to code in topics.c: what articles are about ------------- */

typedef struct hq_topic {
    const char *article_id, *source, *title;
    const char *focus;         /* NULL when the article has none */
    const char *synonyms_json; /* JSON array of strings */
    const char *semgroup;      /* UMLS semantic group, or NULL */
} hq_topic;

typedef hq_status (*hq_topic_fn)(void *ctx, const hq_topic *t);

/* Calls fn for every article, in id order; a non-OK return stops the
 * walk and is returned.  The strings live until fn returns. */
hq_status hq_store_each_topic(hq_store *st, hq_topic_fn fn, void *ctx, hq_error *err);
/* ---- Interface to code in fingerprints.c: near-duplicate fingerprints ---- */
/* A cache of derived data (docs/SCHEMA.md, table fingerprints): one
 * opaque value per section and fingerprint version, deleted with its
 * section (ON DELETE CASCADE), so it never outlives the text it was
 * computed from.  The engine decides what a value means (src/rank/dedup.c). */

/* One section as the near-duplicate code reads it. */
typedef struct hq_fp_row {
    const char *section_id, *article_id, *title, *source, *trust;
    const void *value; /* the stored value of the version asked for, or NULL */
    size_t value_len;
    const char *body;  /* the text when value is NULL (NULL when it has none) */
} hq_fp_row;

/* Called per section; a non-OK return stops the walk and is returned.
 * The row's strings are valid during the call only. */
typedef hq_status (*hq_fp_fn)(void *ctx, const hq_fp_row *r);

/* Calls fn for every section (ids == NULL: all, in id order) or for the
 * sections ids[0..n) that exist (in that order), with the stored value
 * of version when it has value_len bytes; with reuse false, values are
 * never read (every row has its body). */
hq_status hq_store_fp_rows(hq_store *st, char *const *ids, size_t n, int version,
                           size_t value_len, bool reuse, hq_fp_fn fn, void *ctx,
                           hq_error *err);

/* Stores values[i*len..(i+1)*len) as the value of version of section
 * ids[i], for i < n, replacing any (len <= 1 MiB).  HQ_ESTORE when a
 * section does not exist or a write fails.  Run it inside a transaction:
 * on failure the caller rolls back. */
hq_status hq_store_fp_put(hq_store *st, int version, const char *const *ids,
                          const uint8_t *values, size_t len, size_t n, hq_error *err);

#endif

/*
 * test_store.c — the article store: writes, idempotence, change log,
 * removal of vanished articles, conflicts, link resolution, views; the
 * indexer's whole-store feed and the read-ahead VFS it reads through.
 */
#include "../support/test_support.h"

#include "store/store.h"

#include <string.h>
#include <unistd.h>

typedef struct fixture {
    char dir[64];
    char path[96];
    hq_store *st;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    test_make_temp_dir(f->dir, sizeof f->dir, "store");
    snprintf(f->path, sizeof f->path, "%s/store.db", f->dir);
    hq_error err;
    hq_error_clear(&err);
    assert_int_equal(hq_store_open(f->path, &f->st, &err), HQ_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    hq_store_close(f->st);
    test_remove_dir(f->dir);
    free(f);
    return 0;
}

/* A doc at path with one article: id, title, one section with body. */
static hq_article *make_article(hq_doc *doc, const char *id, const char *title, const char *body)
{
    hq_article *a = hq_doc_add_article(doc, hq_arena_strdup(&doc->arena, id), "text");
    a->title = hq_arena_strdup(&doc->arena, title);
    a->source = "test";
    a->trust = "high";
    hq_section *s = hq_article_add_section(doc, a);
    s->id = hq_arena_printf(&doc->arena, "%s:s1", id);
    s->title = a->title;
    s->body = body ? hq_arena_strdup(&doc->arena, body) : NULL;
    return a;
}

static hq_status put(fixture *f, hq_doc *doc, hq_put_result *res, hq_error *err)
{
    assert_int_equal(hq_store_begin(f->st, err), HQ_OK);
    hq_status rc = hq_store_put_doc(f->st, doc, res, err);
    if (rc == HQ_OK)
        assert_int_equal(hq_store_commit(f->st, err), HQ_OK);
    else
        hq_store_rollback(f->st);
    return rc;
}

static json_int_t stat_of(fixture *f, const char *key)
{
    json_t *s = NULL;
    assert_int_equal(hq_store_stats(f->st, &s, NULL), HQ_OK);
    json_int_t v = json_integer_value(json_object_get(s, key));
    json_decref(s);
    return v;
}

static void test_put_and_show(void **state)
{
    fixture *f = *state;
    hq_doc doc;
    hq_doc_init(&doc, "/corpus/a.txt");
    hq_article *a = make_article(&doc, "text:a", "Back pain", "It hurts.");
    a->url = "https://example.org/a";
    hq_strv_push(&doc, &a->synonyms, "backache");
    hq_link *l = hq_article_add_link(&doc, a, HQ_LINK_RECOMMEND);
    l->title = "Something else";
    l->snippet = "Some";
    l->truncated = true;
    hq_put_result res;
    assert_int_equal(put(f, &doc, &res, NULL), HQ_OK);
    assert_int_equal(res.n_changed, 1);

    json_t *o = NULL;
    assert_int_equal(hq_store_show(f->st, "text:a", &o, NULL), HQ_OK);
    assert_string_equal(json_string_value(json_object_get(o, "kind")), "article");
    assert_string_equal(json_string_value(json_object_get(o, "title")), "Back pain");
    assert_string_equal(json_string_value(json_object_get(o, "trust")), "high");
    assert_string_equal(json_string_value(json_object_get(o, "url")), "https://example.org/a");
    assert_string_equal(json_string_value(json_array_get(json_object_get(o, "synonyms"), 0)),
                        "backache");
    json_t *secs = json_object_get(o, "sections");
    assert_int_equal(json_array_size(secs), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(secs, 0), "body")),
                        "It hurts.");
    json_t *rec = json_object_get(o, "recommend");
    assert_int_equal(json_array_size(rec), 1);
    assert_true(json_is_true(json_object_get(json_array_get(rec, 0), "truncated")));
    assert_true(json_is_null(json_object_get(o, "previous")));
    json_decref(o);

    assert_int_equal(hq_store_show(f->st, "text:a:s1", &o, NULL), HQ_OK);
    assert_string_equal(json_string_value(json_object_get(o, "kind")), "section");
    json_decref(o);
    assert_int_equal(hq_store_show(f->st, "/corpus/a.txt", &o, NULL), HQ_OK);
    assert_string_equal(json_string_value(json_object_get(o, "id")), "text:a");
    json_decref(o);
    hq_error err;
    hq_error_clear(&err);
    assert_int_equal(hq_store_show(f->st, "nope", &o, &err), HQ_ENOTFOUND);
    assert_non_null(strstr(err.message, "no article"));
    hq_doc_free(&doc);
}

static void test_idempotent_and_change_log(void **state)
{
    fixture *f = *state;
    hq_put_result res;
    for (int round = 0; round < 2; round++) {
        hq_doc doc;
        hq_doc_init(&doc, "/corpus/b.txt");
        make_article(&doc, "text:b", "Title", "Body one.");
        assert_int_equal(put(f, &doc, &res, NULL), HQ_OK);
        assert_int_equal(res.n_changed, round == 0 ? 1 : 0);
        hq_doc_free(&doc);
    }
    assert_int_equal(stat_of(f, "last_change"), 1);

    hq_doc doc;
    hq_doc_init(&doc, "/corpus/b.txt");
    make_article(&doc, "text:b", "Title", "Body two.");
    assert_int_equal(put(f, &doc, &res, NULL), HQ_OK);
    assert_int_equal(res.n_changed, 1);
    assert_int_equal(stat_of(f, "last_change"), 2);
    assert_int_equal(stat_of(f, "sections"), 1); /* replaced, not added */
    hq_doc_free(&doc);
}

static void test_trust_change_rewrites(void **state)
{
    fixture *f = *state;
    hq_put_result res;
    hq_doc doc;
    hq_doc_init(&doc, "/corpus/t.txt");
    hq_article *a = make_article(&doc, "text:t", "Title", "Body.");
    assert_int_equal(put(f, &doc, &res, NULL), HQ_OK);
    a->trust = "low";
    assert_int_equal(put(f, &doc, &res, NULL), HQ_OK);
    assert_int_equal(res.n_changed, 1);
    hq_doc_free(&doc);
}

static void test_vanished_articles_are_removed(void **state)
{
    fixture *f = *state;
    hq_put_result res;
    hq_doc doc;
    hq_doc_init(&doc, "/corpus/c.jsonl");
    make_article(&doc, "x:1", "One", "1");
    make_article(&doc, "x:2", "Two", "2");
    assert_int_equal(put(f, &doc, &res, NULL), HQ_OK);
    assert_int_equal(res.n_changed, 2);
    hq_doc_free(&doc);

    hq_doc_init(&doc, "/corpus/c.jsonl");
    make_article(&doc, "x:1", "One", "1");
    assert_int_equal(put(f, &doc, &res, NULL), HQ_OK);
    assert_int_equal(res.n_changed, 0);
    assert_int_equal(res.n_removed, 1);
    assert_int_equal(stat_of(f, "articles"), 1);
    assert_int_equal(stat_of(f, "last_change"), 3); /* two puts and one delete */
    hq_doc_free(&doc);
}

static void test_section_conflict_leaves_store_intact(void **state)
{
    fixture *f = *state;
    hq_put_result res;
    hq_doc doc;
    hq_doc_init(&doc, "/corpus/d1.txt");
    make_article(&doc, "text:d1", "D1", "first");
    assert_int_equal(put(f, &doc, &res, NULL), HQ_OK);
    hq_doc_free(&doc);

    hq_doc_init(&doc, "/corpus/d2.txt");
    hq_article *a = make_article(&doc, "text:d2", "D2", "second");
    a->sections[0].id = "text:d1:s1"; /* taken by text:d1 */
    hq_error err;
    hq_error_clear(&err);
    assert_int_equal(put(f, &doc, &res, &err), HQ_EFORMAT);
    assert_non_null(strstr(err.message, "already belongs to article text:d1"));
    assert_string_equal(err.where, "/corpus/d2.txt");
    hq_doc_free(&doc);
    assert_int_equal(stat_of(f, "articles"), 1);
    assert_int_equal(stat_of(f, "last_change"), 1);
}

static void test_links_resolve_by_title_key(void **state)
{
    fixture *f = *state;
    hq_put_result res;
    hq_doc doc;
    hq_doc_init(&doc, "/corpus/e.txt");
    hq_article *a = make_article(&doc, "text:e", "Why does my back hurt?", "b");
    hq_link *prev = hq_article_add_link(&doc, a, HQ_LINK_PREV);
    prev->title = "  WHAT is   sciatica "; /* case and spacing differ */
    hq_link *next = hq_article_add_link(&doc, a, HQ_LINK_NEXT);
    next->title = "Not in the corpus";
    make_article(&doc, "text:f", "What is sciatica?", "c");
    assert_int_equal(put(f, &doc, &res, NULL), HQ_OK);
    size_t n = 0;
    assert_int_equal(hq_store_resolve_links(f->st, &n, NULL), HQ_OK);
    assert_int_equal(n, 1);
    json_t *o = NULL;
    assert_int_equal(hq_store_show(f->st, "text:e", &o, NULL), HQ_OK);
    assert_string_equal(json_string_value(json_object_get(json_object_get(o, "previous"), "id")),
                        "text:f");
    assert_true(json_is_null(json_object_get(json_object_get(o, "next"), "id")));
    json_decref(o);
    hq_doc_free(&doc);
}

static void test_stats_groups(void **state)
{
    fixture *f = *state;
    hq_put_result res;
    hq_doc doc;
    hq_doc_init(&doc, "/corpus/g.xml");
    hq_article *a = make_article(&doc, "medquad:X_1", "Topic", NULL);
    a->format = "medquad";
    a->sections[0].qtype = "causes";
    assert_int_equal(put(f, &doc, &res, NULL), HQ_OK);
    hq_doc_free(&doc);
    json_t *s = NULL;
    assert_int_equal(hq_store_stats(f->st, &s, NULL), HQ_OK);
    assert_int_equal(json_integer_value(json_object_get(s, "sections_without_body")), 1);
    json_t *src = json_object_get(json_object_get(s, "by_source"), "test");
    assert_int_equal(json_integer_value(json_object_get(src, "articles")), 1);
    assert_string_equal(json_string_value(json_object_get(src, "trust")), "high");
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(s, "by_question_type"), "causes")), 1);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(json_object_get(s, "by_format"), "medquad"), "sections")),
                     1);
    json_decref(s);
}

static void test_not_a_database(void **state)
{
    (void)state;
    char path[] = "/tmp/hq-test-notdb-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char junk[] = "this is not an SQLite database, just text that is long enough to "
                        "fill a header of one hundred bytes........................";
    assert_int_equal(write(fd, junk, sizeof junk), (ssize_t)sizeof junk);
    close(fd);
    hq_store *st = NULL;
    hq_error err;
    hq_error_clear(&err);
    assert_int_equal(hq_store_open(path, &st, &err), HQ_ECORRUPT);
    assert_null(st);
    assert_string_equal(err.where, path);
    unlink(path);
}

/* ---- the feed and the read-ahead VFS ----------------------------------- */

#define FEED_ARTICLES 120

/* Article i's body: long enough that the store spans many read-ahead
 * windows and its bodies many overflow pages; changed with version. */
static char *feed_body(hq_doc *doc, int i, int version)
{
    size_t len = 2000 + (size_t)(i % 7) * 1500;
    char *b = hq_arena_alloc(&doc->arena, len + 1);
    for (size_t k = 0; k < len; k++)
        b[k] = (char)('a' + (k * 7 + (size_t)i * 13 + (size_t)version) % 26);
    b[len] = '\0';
    return b;
}

/* Stores FEED_ARTICLES articles, one file each (as an ingest would). */
static void put_feed_articles(fixture *f, int version)
{
    for (int i = 0; i < FEED_ARTICLES; i++) {
        hq_doc doc;
        char path[64], id[32], title[32];
        snprintf(path, sizeof path, "/corpus/feed-%03d.txt", i);
        snprintf(id, sizeof id, "text:feed-%03d", i);
        snprintf(title, sizeof title, "Question %d", i);
        hq_doc_init(&doc, path);
        make_article(&doc, id, title, feed_body(&doc, i, version));
        hq_put_result res;
        assert_int_equal(put(f, &doc, &res, NULL), HQ_OK);
        hq_doc_free(&doc);
    }
}

typedef struct feed_check {
    fixture *f;
    int n, version;
    bool write_midway; /* rewrite every article (version + 1) after the 10th section */
} feed_check;

/* Checks each section against what version put there. */
static hq_status check_fed(void *ctx, const hq_feed_section *s)
{
    feed_check *c = ctx;
    int i = -1;
    assert_int_equal(sscanf(s->article_id, "text:feed-%d", &i), 1);
    hq_doc doc;
    hq_doc_init(&doc, "/x");
    const char *want = feed_body(&doc, i, c->version);
    assert_int_equal(s->body_len, strlen(want));
    assert_string_equal(s->body, want);
    hq_doc_free(&doc);
    if (++c->n == 10 && c->write_midway) { /* a writer commits and checkpoints meanwhile */
        put_feed_articles(c->f, c->version + 1);
        int log = 0, done = 0;
        sqlite3_wal_checkpoint_v2(hq_store_db(c->f->st), NULL, SQLITE_CHECKPOINT_PASSIVE, &log,
                                  &done);
    }
    return HQ_OK;
}

/* Stores the articles (version 0) with their pages checkpointed into the
 * database file, where the read-ahead VFS reads them. */
static void store_feed_articles(fixture *f)
{
    put_feed_articles(f, 0);
    assert_int_equal(hq_store_checkpoint(f->st, NULL), HQ_OK);
}

/* Feeds the whole store through check_fed, and checks that every
 * article's section came. */
static void feed_all_checked(feed_check *c)
{
    assert_int_equal(hq_store_feed(c->f->st, NULL, 0, check_fed, c, NULL), HQ_OK);
    assert_int_equal(c->n, FEED_ARTICLES);
}

static void test_feed_reads_every_section(void **state)
{
    fixture *f = *state;
    store_feed_articles(f);
    feed_all_checked(&(feed_check){.f = f});
}

/* The feed reads one snapshot: a writer's commits and checkpoints while
 * it reads change nothing it sees, read-ahead window or not. */
static void test_feed_sees_one_snapshot(void **state)
{
    fixture *f = *state;
    store_feed_articles(f);
    feed_all_checked(&(feed_check){.f = f, .write_midway = true});
    feed_all_checked(&(feed_check){.f = f, .version = 1});
}

/* Every page read through the VFS's windows, in the orders a scan, an
 * index walk, three scans interleaved (three streams of reads a third
 * of the table apart, as a scan in an order other than the stored one
 * makes) and the integrity check read them, equals SQLite's own. */
static void test_readahead_vfs_reads_what_sqlite_reads(void **state)
{
    fixture *f = *state;
    store_feed_articles(f);
    const char *vfs = hq_store_readahead_vfs();
    assert_non_null(vfs);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, vfs), SQLITE_OK);
    const char *queries[] = {
        "SELECT group_concat(id || body, '') FROM (SELECT id, body FROM sections ORDER BY rowid)",
        "SELECT group_concat(id || body, '') FROM (SELECT id, body FROM sections"
        " ORDER BY article_id DESC)",
        "SELECT group_concat(s.id || s.body"
        " || coalesce((SELECT t.body FROM sections t WHERE t.rowid = s.rowid + ?1), '')"
        " || coalesce((SELECT t.body FROM sections t WHERE t.rowid = s.rowid + 2 * ?1), ''),"
        " '') FROM sections s",
        "PRAGMA integrity_check",
    };
    for (size_t q = 0; q < sizeof queries / sizeof *queries; q++) {
        sqlite3_stmt *a = NULL, *b = NULL;
        assert_int_equal(sqlite3_prepare_v2(db, queries[q], -1, &a, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(hq_store_db(f->st), queries[q], -1, &b, NULL),
                         SQLITE_OK);
        if (sqlite3_bind_parameter_count(a) > 0) { /* the interleaved streams' distance */
            assert_int_equal(sqlite3_bind_int(a, 1, FEED_ARTICLES / 3), SQLITE_OK);
            assert_int_equal(sqlite3_bind_int(b, 1, FEED_ARTICLES / 3), SQLITE_OK);
        }
        assert_int_equal(sqlite3_step(a), SQLITE_ROW);
        assert_int_equal(sqlite3_step(b), SQLITE_ROW);
        assert_true(sqlite3_column_bytes(a, 0) > FEED_ARTICLES * 2000 || q == 3);
        assert_string_equal(sqlite3_column_text(a, 0), sqlite3_column_text(b, 0));
        sqlite3_finalize(a);
        sqlite3_finalize(b);
    }
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_put_and_show, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idempotent_and_change_log, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trust_change_rewrites, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vanished_articles_are_removed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_section_conflict_leaves_store_intact, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_links_resolve_by_title_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stats_groups, setup, teardown),
        cmocka_unit_test(test_not_a_database),
        cmocka_unit_test_setup_teardown(test_feed_reads_every_section, setup, teardown),
        cmocka_unit_test_setup_teardown(test_feed_sees_one_snapshot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readahead_vfs_reads_what_sqlite_reads, setup,
                                        teardown),
    };
    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}

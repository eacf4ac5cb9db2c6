/*
 * test_store.c — the article store: writes, idempotence, change log,
 * removal of vanished articles, conflicts, link resolution, views.
 */
#include "../support/test_support.h"

#include "store/store.h"

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
    };
    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}

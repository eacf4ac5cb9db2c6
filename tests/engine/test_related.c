/*
 * test_related.c — hq_related() and the previous/next of hq_show() on
 * the fixture collection tests/fixtures/related: the back-pain pages'
 * related lists are on topic and leave out the junk pages their own
 * Recommend lists point at; the same text on another site is grouped
 * under the trusted one; ids, sections and paths as for hq_show; bad
 * inputs; concurrent calls; every article has a previous and a next,
 * from the page's links when they resolve, else from the topic order,
 * which follows articles added and removed as building it anew would.
 */
#include "../support/test_support.h"

#include <pthread.h>

#define FIXTURE HQ_FIXTURES "/related"

typedef struct fixture {
    char dir[128];
    hq_engine *e;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    test_make_temp_dir(f->dir, sizeof f->dir, "related");
    hq_error err = {0};
    assert_int_equal(hq_open(f->dir, &f->e, &err), HQ_OK);
    const char *paths[] = {FIXTURE};
    assert_int_equal(hq_ingest(f->e, paths, 1, NULL, NULL, &err), HQ_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    hq_close(f->e);
    test_remove_dir(f->dir);
    free(f);
    return 0;
}

static json_t *related(fixture *f, const char *id, size_t limit)
{
    json_t *out = NULL;
    hq_error err = {0};
    hq_status rc = hq_related(f->e, id, limit, &out, &err);
    if (rc != HQ_OK)
        fail_msg("hq_related(%s): %s", id, err.message);
    return out;
}

static const char *get(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* The entry of article id in the related list of r, or NULL. */
static const json_t *entry(const json_t *r, const char *id)
{
    size_t i;
    const json_t *e;
    json_array_foreach(json_object_get(r, "related"), i, e) if (strcmp(get(e, "article_id"), id) == 0)
        return e;
    return NULL;
}

static void test_on_topic_no_junk(void **state)
{
    fixture *f = *state;
    /* the page's own Recommend list points at the junk, resolved */
    json_t *page = NULL;
    hq_error err = {0};
    assert_int_equal(hq_show(f->e, "page:020_back_pain_miscarriage", &page, &err), HQ_OK);
    json_t *rec = json_object_get(page, "recommend");
    assert_int_equal(json_array_size(rec), 2);
    assert_string_equal(get(json_array_get(rec, 0), "id"), "page:030_iphone_sales");
    assert_string_equal(get(json_array_get(rec, 1), "id"), "page:031_hawthorn_cake");
    json_decref(page);

    const char *pages[] = {"page:020_back_pain_miscarriage", "page:021_iud_back_pain"};
    for (size_t p = 0; p < 2; p++) {
        json_t *r = related(f, pages[p], 10);
        assert_string_equal(get(json_object_get(r, "article"), "id"), pages[p]);
        json_t *list = json_object_get(r, "related");
        assert_true(json_array_size(list) >= 3);
        size_t i;
        const json_t *e;
        json_array_foreach(list, i, e)
        {
            const char *id = get(e, "article_id");
            assert_string_not_equal(id, pages[p]);
            assert_string_not_equal(id, "page:030_iphone_sales");
            assert_string_not_equal(id, "page:031_hawthorn_cake");
            assert_string_not_equal(id, "rt:3"); /* diabetes */
            assert_true(json_array_size(json_object_get(e, "why")) > 0);
            assert_non_null(get(e, "source"));
            assert_non_null(get(e, "trust"));
            assert_true(json_is_array(json_object_get(e, "duplicates")));
            if (i > 0)
                assert_true(json_real_value(json_object_get(json_array_get(list, i - 1), "score")) >=
                            json_real_value(json_object_get(e, "score")));
        }
        /* the other back-pain page and the topic pages are there */
        assert_non_null(entry(r, p == 0 ? "page:021_iud_back_pain" : "page:020_back_pain_miscarriage"));
        assert_non_null(entry(r, "medquad:NINDS_0000037_Back_Pain"));
        assert_non_null(entry(r, "rt:1")); /* pelvic inflammatory disease */
        json_decref(r);
    }
    json_t *r = related(f, "page:020_back_pain_miscarriage", 10);
    const json_t *mis = entry(r, "medquad:MPlusHealthTopics_0000613_Miscarriage");
    assert_non_null(mis);
    assert_string_equal(json_string_value(json_array_get(json_object_get(mis, "why"), 0)),
                        "same focus: Miscarriage");
    json_decref(r);
    /* the junk pages are related to nothing here */
    r = related(f, "page:030_iphone_sales", 10);
    assert_int_equal(json_array_size(json_object_get(r, "related")), 0);
    json_decref(r);
}

static void test_same_text_grouped(void **state)
{
    fixture *f = *state;
    json_t *r = related(f, "page:021_iud_back_pain", 10);
    /* rt:4, an unknown blog, copies the NINDS text: one entry, the trusted one */
    assert_null(entry(r, "rt:4"));
    const json_t *e = entry(r, "medquad:NINDS_0000037_Back_Pain");
    assert_non_null(e);
    assert_string_equal(get(e, "trust"), "high");
    const json_t *d = json_array_get(json_object_get(e, "duplicates"), 0);
    assert_non_null(d);
    assert_string_equal(get(d, "article_id"), "rt:4");
    assert_string_equal(get(d, "reason"), "same text");
    assert_string_equal(get(d, "trust"), "unknown");
    json_decref(r);
    /* the NINDS page's own copy is not related to it: it is the same text */
    r = related(f, "medquad:NINDS_0000037_Back_Pain", 10);
    assert_null(entry(r, "rt:4"));
    json_decref(r);
}

static void test_ids_and_bad_inputs(void **state)
{
    fixture *f = *state;
    json_t *a = related(f, "page:021_iud_back_pain", 10);
    /* a section's article, a file's article */
    const char *same[] = {"page:021_iud_back_pain:s1", FIXTURE "/portal/021_iud_back_pain.txt"};
    for (size_t i = 0; i < 2; i++) {
        json_t *b = related(f, same[i], 10);
        assert_string_equal(get(json_object_get(b, "article"), "id"), "page:021_iud_back_pain");
        assert_true(json_equal(json_object_get(a, "related"), json_object_get(b, "related")));
        json_decref(b);
    }
    /* limit */
    json_t *one = related(f, "page:021_iud_back_pain", 1);
    assert_int_equal(json_array_size(json_object_get(one, "related")), 1);
    assert_true(json_equal(json_array_get(json_object_get(one, "related"), 0),
                           json_array_get(json_object_get(a, "related"), 0)));
    json_decref(one);
    json_decref(a);
    json_t *out = NULL;
    hq_error err = {0};
    assert_int_equal(hq_related(f->e, "page:nope", 10, &out, &err), HQ_ENOTFOUND);
    assert_null(out);
    assert_string_equal(err.where, "page:nope");
    hq_error_clear(&err);
    assert_int_equal(hq_related(f->e, FIXTURE "/topics.jsonl", 10, &out, &err), HQ_EINVAL);
    assert_non_null(strstr(err.message, "holds 4 articles"));
    hq_error_clear(&err);
    assert_int_equal(hq_related(f->e, "page:021_iud_back_pain", 51, &out, &err), HQ_EINVAL);
    hq_error_clear(&err);
    assert_int_equal(hq_related(f->e, "", 10, &out, &err), HQ_EINVAL);
    hq_error_clear(&err);
    assert_int_equal(hq_related(f->e, NULL, 10, &out, &err), HQ_EINVAL);
    assert_null(out);
}

typedef struct worker {
    hq_engine *e;
    json_t *want;
    int failures;
} worker;

static void *run_worker(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < 10; i++) {
        json_t *r = NULL;
        if (hq_related(w->e, "page:020_back_pain_miscarriage", 10, &r, NULL) != HQ_OK ||
            !json_equal(json_object_get(r, "related"), w->want))
            w->failures++;
        json_decref(r);
    }
    return NULL;
}

static void test_concurrent(void **state)
{
    fixture *f = *state;
    json_t *r = related(f, "page:020_back_pain_miscarriage", 10);
    worker w[4];
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (worker){f->e, json_object_get(r, "related"), 0};
        assert_int_equal(pthread_create(&t[i], NULL, run_worker, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].failures, 0);
    }
    json_decref(r);
}

static const char *const ARTICLES[] = {
    "page:020_back_pain_miscarriage", "page:021_iud_back_pain", "page:030_iphone_sales",
    "page:031_hawthorn_cake", "medquad:NINDS_0000037_Back_Pain",
    "medquad:MPlusHealthTopics_0000613_Miscarriage", "rt:1", "rt:2", "rt:3", "rt:4"};
#define N_ARTICLES (sizeof ARTICLES / sizeof *ARTICLES)

static json_t *show(fixture *f, const char *id)
{
    json_t *a = NULL;
    hq_error err = {0};
    if (hq_show(f->e, id, &a, &err) != HQ_OK)
        fail_msg("hq_show(%s): %s", id, err.message);
    return a;
}

static void test_previous_next(void **state)
{
    fixture *f = *state;
    json_t *a = show(f, "page:020_back_pain_miscarriage");
    json_t *prev = json_object_get(a, "previous"), *next = json_object_get(a, "next");
    /* >>: resolves: the page's own link */
    assert_string_equal(get(next, "id"), "page:021_iud_back_pain");
    assert_string_equal(get(next, "via"), "portal");
    /* <<: names a page that is not here: a neighbour by topic instead */
    assert_string_equal(get(prev, "via"), "topic");
    assert_string_equal(get(prev, "portal_title"), "Can I swim after a miscarriage?");
    assert_non_null(get(prev, "id"));
    assert_string_not_equal(get(prev, "id"), "page:020_back_pain_miscarriage");
    json_decref(a);

    /* every article has both; the topic links form one ring: walking
     * next by topic from A, the article reached has A as its previous
     * unless the page's own link says otherwise */
    size_t portal = 0;
    for (size_t i = 0; i < N_ARTICLES; i++) {
        a = show(f, ARTICLES[i]);
        const char *kinds[] = {"previous", "next"};
        for (size_t k = 0; k < 2; k++) {
            json_t *l = json_object_get(a, kinds[k]);
            assert_true(json_is_object(l));
            assert_non_null(get(l, "id"));
            assert_non_null(get(l, "title"));
            assert_string_not_equal(get(l, "id"), ARTICLES[i]);
            portal += strcmp(get(l, "via"), "portal") == 0;
        }
        next = json_object_get(a, "next");
        if (strcmp(get(next, "via"), "topic") == 0) {
            json_t *b = show(f, get(next, "id"));
            json_t *back = json_object_get(b, "previous");
            if (strcmp(get(back, "via"), "topic") == 0)
                assert_string_equal(get(back, "id"), ARTICLES[i]);
            json_decref(b);
        }
        json_decref(a);
    }
    assert_int_equal(portal, 6); /* the resolved <<: and >>: links of the four pages */
    /* a section is shown as a section: no previous/next of its own */
    a = show(f, "page:021_iud_back_pain:s1");
    assert_null(json_object_get(a, "previous"));
    json_decref(a);
}

static void test_previous_next_follow_the_store(void **state)
{
    fixture *f = *state;
    /* an article added after the order was built is in it at once */
    json_t *a = show(f, "rt:3");
    json_decref(a);
    char path[256];
    snprintf(path, sizeof path, "%s/late.md", f->dir);
    FILE *out = fopen(path, "w");
    assert_non_null(out);
    fputs("# Diabetes and diet\n\nEating well with diabetes: plenty of vegetables and whole "
          "grains keep the blood sugar steady.\n", out);
    fclose(out);
    const char *paths[] = {path};
    hq_error err = {0};
    assert_int_equal(hq_ingest(f->e, paths, 1, NULL, NULL, &err), HQ_OK);
    a = show(f, path);
    assert_string_equal(get(json_object_get(a, "previous"), "via"), "topic");
    assert_string_equal(get(json_object_get(a, "next"), "via"), "topic");
    char late_id[64];
    snprintf(late_id, sizeof late_id, "%s", get(a, "id"));
    json_decref(a);
    remove(path);
    /* a removed article is nobody's neighbour any more */
    const char *gone[] = {"rt:3"};
    assert_int_equal(hq_remove(f->e, gone, 1, NULL, &err), HQ_OK);
    /* and the order kept up to date equals the order built anew */
    hq_engine *fresh = NULL;
    assert_int_equal(hq_open(f->dir, &fresh, &err), HQ_OK);
    for (size_t i = 0; i <= N_ARTICLES; i++) {
        const char *id = i < N_ARTICLES ? ARTICLES[i] : late_id;
        if (strcmp(id, "rt:3") == 0)
            continue;
        json_t *b = NULL;
        a = show(f, id);
        assert_int_equal(hq_show(fresh, id, &b, &err), HQ_OK);
        const char *kinds[] = {"previous", "next"};
        for (size_t k = 0; k < 2; k++) {
            assert_string_not_equal(get(json_object_get(a, kinds[k]), "id"), "rt:3");
            assert_string_equal(get(json_object_get(a, kinds[k]), "id"),
                                get(json_object_get(b, kinds[k]), "id"));
        }
        json_decref(a);
        json_decref(b);
    }
    hq_close(fresh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_on_topic_no_junk),
        cmocka_unit_test(test_same_text_grouped),
        cmocka_unit_test(test_ids_and_bad_inputs),
        cmocka_unit_test(test_concurrent),
        cmocka_unit_test(test_previous_next),
        cmocka_unit_test(test_previous_next_follow_the_store),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

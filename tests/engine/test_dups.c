/*
 * test_dups.c — the public near-duplicate API on the fixture corpus
 * tests/fixtures/dedup: hq_dups() clusters, hq_collapse() over a real
 * hq_search() result (one hit per group, the others as its duplicates),
 * and its bad inputs.
 */
#include "../support/test_support.h"

typedef struct fixture {
    char dir[128];
    hq_engine *e;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    test_make_temp_dir(f->dir, sizeof f->dir, "dups");
    hq_error err = {0};
    assert_int_equal(hq_open(f->dir, &f->e, &err), HQ_OK);
    const char *paths[] = {HQ_FIXTURES "/dedup"};
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

static void test_dups(void **state)
{
    fixture *f = *state;
    json_t *out = NULL;
    hq_error err = {0};
    assert_int_equal(hq_dups(f->e, NULL, &out, &err), HQ_OK);
    assert_int_equal(json_integer_value(json_object_get(out, "n_clusters")), 1);
    json_t *c = json_array_get(json_object_get(out, "clusters"), 0);
    assert_int_equal(json_integer_value(json_object_get(c, "size")), 3);
    json_decref(out);
    hq_dups_options o = {.min_size = 4};
    assert_int_equal(hq_dups(f->e, &o, &out, &err), HQ_OK);
    assert_int_equal(json_array_size(json_object_get(out, "clusters")), 0);
    json_decref(out);
}

static void test_collapse(void **state)
{
    fixture *f = *state;
    hq_error err = {0};
    json_t *res = NULL;
    hq_search_options so = {.limit = 10};
    assert_int_equal(hq_search(f->e, "back pain IUD", &so, &res, &err), HQ_OK);
    size_t before = json_array_size(json_object_get(res, "hits"));
    assert_true(before >= 4);
    assert_int_equal(hq_collapse(f->e, res, &err), HQ_OK);
    json_t *hits = json_object_get(res, "hits");
    assert_int_equal(json_integer_value(json_object_get(res, "collapsed")), 2);
    assert_int_equal(json_array_size(hits), before - 2);
    size_t i, with_dups = 0;
    json_t *h;
    json_array_foreach(hits, i, h)
    {
        json_t *d = json_object_get(h, "duplicates");
        assert_true(json_is_array(d));
        if (json_array_size(d) == 0)
            continue;
        with_dups++;
        assert_int_equal(json_array_size(d), 2);
        const char *sid = json_string_value(json_object_get(h, "section_id"));
        assert_non_null(strstr(sid, "backpain-"));
        json_t *d0 = json_array_get(d, 0);
        assert_non_null(strstr(json_string_value(json_object_get(d0, "section_id")), "backpain-"));
        assert_string_equal(json_string_value(json_object_get(d0, "source")), "dedup");
        assert_non_null(json_object_get(d0, "score"));
    }
    assert_int_equal(with_dups, 1);
    /* collapsing again changes nothing */
    assert_int_equal(hq_collapse(f->e, res, &err), HQ_OK);
    assert_int_equal(json_integer_value(json_object_get(res, "collapsed")), 0);
    json_decref(res);
}

static void test_collapse_bad_input(void **state)
{
    fixture *f = *state;
    hq_error err = {0};
    json_t *r = json_pack("{s:[{s:s},{s:s},{s:i}]}", "hits", "section_id",
                          "text:backpain-nhs:s1", "section_id", "no-such-section", "score", 1);
    assert_int_equal(hq_collapse(f->e, r, &err), HQ_EINVAL); /* the third has no id */
    json_decref(r);
    hq_error_clear(&err);
    r = json_pack("{s:[{s:s},{s:s},{s:s}]}", "hits", "section_id", "text:backpain-nhs:s1",
                  "section_id", "no-such-section", "section_id", "text:backpain-copy:s1");
    assert_int_equal(hq_collapse(f->e, r, &err), HQ_OK);
    assert_int_equal(json_array_size(json_object_get(r, "hits")), 2); /* gone: alone */
    json_decref(r);
    r = json_object();
    assert_int_equal(hq_collapse(f->e, r, &err), HQ_EINVAL);
    json_decref(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dups),
        cmocka_unit_test(test_collapse),
        cmocka_unit_test(test_collapse_bad_input),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

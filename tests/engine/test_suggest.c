/*
 * test_suggest.c — hq_suggest (src/engine/suggest.c) over the portal's
 * fixtures (tests/fixtures/server): completions at the start of a title
 * and inside it, one-edit typos of each kind, ranking, limits and bad
 * input; and searches and suggestions from several threads at once on
 * one engine (the server's use), which ASan/UBSan runs check too.
 */
#include "../support/test_support.h"

#include "healthqa.h"

#include <pthread.h>

static char dir[256];
static hq_engine *engine;

static int setup(void **state)
{
    (void)state;
    test_make_temp_dir(dir, sizeof dir, "suggest");
    hq_error err = {0};
    assert_int_equal(hq_open(dir, &engine, &err), HQ_OK);
    const char *paths[] = {HQ_FIXTURES "/server"};
    assert_int_equal(hq_ingest(engine, paths, 1, NULL, NULL, &err), HQ_OK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hq_close(engine);
    test_remove_dir(dir);
    return 0;
}

/* The texts suggested for prefix, joined by '|' (into out). */
static void suggest(const char *prefix, size_t limit, char *out, size_t size)
{
    json_t *res = NULL;
    hq_error err = {0};
    assert_int_equal(hq_suggest(engine, prefix, limit, &res, &err), HQ_OK);
    size_t i, at = 0;
    json_t *s;
    out[0] = '\0';
    json_array_foreach(json_object_get(res, "suggestions"), i, s)
    {
        int n = snprintf(out + at, size - at, "%s%s", i ? "|" : "",
                         json_string_value(json_object_get(s, "text")));
        assert_true(n >= 0 && (size_t)n < size - at);
        at += (size_t)n;
    }
    json_decref(res);
}

static void test_prefixes(void **state)
{
    (void)state;
    char got[2048];
    suggest("back p", 3, got, sizeof got); /* a title start first, then inner words */
    assert_string_equal(got, "Back Pain|Can pregnancy cause lower back pain?|"
                             "How long does back pain last after a miscarriage?");
    suggest("BACK   pain", 1, got, sizeof got); /* case and spacing ignored */
    assert_string_equal(got, "Back Pain");
    suggest("preg", 8, got, sizeof got); /* a word inside a title */
    assert_string_equal(got, "Can pregnancy cause lower back pain?");
    suggest("backache", 8, got, sizeof got); /* nothing, not even one edit away */
    assert_string_equal(got, "");
    suggest("", 8, got, sizeof got);
    assert_string_equal(got, "");
    suggest("?!", 8, got, sizeof got); /* punctuation only */
    assert_string_equal(got, "");
}

static void test_one_edit(void **state)
{
    (void)state;
    static const char *const typos[] = {
        "bak pain",   /* a letter missing */
        "backk pain", /* a letter extra */
        "bock pain",  /* a letter wrong */
        "abck pain",  /* two letters swapped */
    };
    for (size_t i = 0; i < sizeof typos / sizeof *typos; i++) {
        char got[2048];
        suggest(typos[i], 1, got, sizeof got);
        if (strcmp(got, "Back Pain") != 0)
            fail_msg("\"%s\" suggested \"%s\"", typos[i], got);
    }
    json_t *res = NULL;
    hq_error err = {0};
    assert_int_equal(hq_suggest(engine, "diabetis", 8, &res, &err), HQ_OK);
    json_t *first = json_array_get(json_object_get(res, "suggestions"), 0);
    assert_non_null(first);
    assert_true(json_is_true(json_object_get(first, "fuzzy")));
    assert_string_equal(json_string_value(json_object_get(first, "article_id")), "topic:2");
    json_decref(res);
}

static void test_bad_input(void **state)
{
    (void)state;
    json_t *res = NULL;
    hq_error err = {0};
    assert_int_equal(hq_suggest(engine, "ba\xFF", 8, &res, &err), HQ_EINVAL);
    assert_null(res);
    assert_int_equal(hq_suggest(engine, "back", 21, &res, &err), HQ_EINVAL);
    char *big = malloc(2000);
    assert_non_null(big);
    memset(big, 'a', 1999);
    big[1999] = '\0';
    assert_int_equal(hq_suggest(engine, big, 8, &res, &err), HQ_EINVAL);
    big[1024] = '\0'; /* at the limit: no typo search on long prefixes, no crash */
    assert_int_equal(hq_suggest(engine, big, 8, &res, &err), HQ_OK);
    json_decref(res);
    free(big);
}

static void *worker(void *arg)
{
    size_t k = (size_t)(uintptr_t)arg;
    static const char *const queries[] = {"back pain", "miscarriage", "IUD insertion",
                                          "pregnancy lower back", "diabetes"};
    for (int i = 0; i < 100; i++) {
        json_t *res = NULL;
        hq_error err = {0};
        hq_search_options o = {.limit = 5, .snippets = true};
        const char *q = queries[(k + (size_t)i) % 5];
        if (hq_search(engine, q, &o, &res, &err) != HQ_OK ||
            json_array_size(json_object_get(res, "hits")) == 0)
            return (void *)1;
        json_decref(res);
        if (hq_suggest(engine, q, 4, &res, &err) != HQ_OK)
            return (void *)1;
        json_decref(res);
        if (hq_show(engine, "page:011_miscarriage_back_pain", &res, &err) != HQ_OK)
            return (void *)1;
        json_decref(res);
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    pthread_t t[4];
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)i), 0);
    for (size_t i = 0; i < 4; i++) {
        void *rc = NULL;
        pthread_join(t[i], &rc);
        assert_null(rc);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prefixes),
        cmocka_unit_test(test_one_edit),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests_name("engine/suggest", tests, setup, teardown);
}

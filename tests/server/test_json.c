/*
 * test_json.c — server/json.c writes exactly what jansson's
 * json_dumps(value, JSON_COMPACT) writes: escapes of every control
 * character, quotes, backslashes and UTF-8, integers at their limits,
 * reals of every magnitude (exponent forms), nesting and key order, and
 * random documents shaped like search replies; NULL and too deep values
 * fail cleanly.
 */
#include "../support/test_support.h"

#include "../../server/server.h"

#include <math.h>

/* Asserts that hs_json_write(v) equals json_dumps(v, JSON_COMPACT). */
static void same(json_t *v)
{
    char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    assert_non_null(want);
    struct evbuffer *b = evbuffer_new();
    assert_int_equal(hs_json_write(b, v), 0);
    size_t n = evbuffer_get_length(b);
    char *got = calloc(n + 1, 1);
    evbuffer_remove(b, got, n);
    if (strcmp(got, want) != 0)
        fail_msg("json.c wrote\n  %s\njansson wrote\n  %s", got, want);
    free(got);
    free(want);
    evbuffer_free(b);
    json_decref(v);
}

static void test_strings(void **state)
{
    (void)state;
    char all[128];
    for (int i = 1; i < 128; i++)
        all[i - 1] = (char)i;
    all[127] = '\0';
    same(json_string(all)); /* every ASCII byte, controls included */
    same(json_stringn("a\0b", 3)); /* an embedded NUL */
    same(json_string(""));
    same(json_string("quote \" backslash \\ slash / tab \t end"));
    same(json_string("caf\xC3\xA9 \xE2\x80\xA8 \xE2\x80\xA6 \xF0\x9F\x98\x80 \x7F"));
    same(json_pack("{s:s, s:s}", "k\"e\ny", "v", "\x01", "\x1F"));
}

static void test_numbers(void **state)
{
    (void)state;
    static const json_int_t ints[] = {0, 1, -1, 9, 10, 99, 100, 123456789, -987654321,
                                      INT64_MAX, INT64_MIN, INT64_MIN + 1};
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++)
        same(json_integer(ints[i]));
    static const double reals[] = {0.0, -0.0, 1.0, -1.0, 0.5, 0.1, 1.0 / 3, 2.0 / 3, 1e5,
                                   1e16, 1e17, 1e20, 1e-5, 1.5e-7, 123456.789, 6.02214076e23,
                                   1e300, 1e-300, 5e-324, 1.7976931348623157e308, 4.35,
                                   12.345678901234567};
    for (size_t i = 0; i < sizeof reals / sizeof *reals; i++)
        same(json_real(reals[i]));
    uint64_t rnd = 42;
    for (int i = 0; i < 2000; i++) { /* scores and times of every size */
        double m = (double)test_rnd(&rnd, 1000000) / 1000.0;
        double e = pow(10.0, (double)test_rnd(&rnd, 40) - 20.0);
        same(json_real(m * e));
        same(json_integer((json_int_t)test_rnd(&rnd, 4000000000u) - 2000000000));
    }
}

static void test_structure(void **state)
{
    (void)state;
    same(json_object());
    same(json_array());
    same(json_null());
    same(json_true());
    same(json_false());
    same(json_pack("{s:[], s:{}, s:[{}, [], n, b, b]}", "a", "b", "c", 1, 0));
    /* keys in the order they were set, not sorted */
    same(json_pack("{s:i, s:i, s:i}", "zeta", 1, "alpha", 2, "mid", 3));
    json_t *deep = json_array();
    for (int i = 0; i < 100; i++)
        deep = json_pack("[o]", deep);
    same(deep);
}

/* A random document shaped like an /api/search reply. */
static json_t *reply(uint64_t *rnd)
{
    static const char *const words[] = {"back", "pain", "after", "IUD", "\"quoted\"",
                                        "caf\xC3\xA9", "line\nbreak", "tab\there", "a\\b",
                                        "\xE2\x80\xA6", "x"};
    json_t *hits = json_array();
    for (uint32_t h = 0, n = test_rnd(rnd, 12); h < n; h++) {
        char text[400] = "";
        for (uint32_t w = 0, k = test_rnd(rnd, 30); w < k; w++) {
            strcat(text, words[test_rnd(rnd, 11)]);
            strcat(text, " ");
        }
        json_t *spans = json_array();
        for (uint32_t s = 0, k = test_rnd(rnd, 5); s < k; s++)
            json_array_append_new(spans, json_pack("[ii]", (json_int_t)test_rnd(rnd, 300),
                                                   (json_int_t)test_rnd(rnd, 300)));
        json_array_append_new(
            hits, json_pack("{s:s, s:s, s:o, s:f, s:b, s:{s:s, s:o}}", "section_id", "ADAM_1_Sec1.txt",
                            "title", text, "url", test_rnd(rnd, 2) ? json_null() : json_string("https://x/y?a=1&b=2"),
                            "score", (double)test_rnd(rnd, 100000) / 997.0, "has_body",
                            (int)test_rnd(rnd, 2), "snippet", "text", text, "highlights", spans));
    }
    return json_pack("{s:s, s:{s:i, s:s}, s:i, s:f, s:o}", "query", "back pain", "total", "value",
                     (json_int_t)test_rnd(rnd, 5000), "relation", "gte", "offset", 0, "took_ms",
                     (double)test_rnd(rnd, 100000) / 7919.0, "hits", hits);
}

static void test_replies(void **state)
{
    (void)state;
    uint64_t rnd = 7;
    for (int i = 0; i < 300; i++)
        same(reply(&rnd));
}

static void test_failures(void **state)
{
    (void)state;
    struct evbuffer *b = evbuffer_new();
    assert_int_equal(hs_json_write(b, NULL), -1);
    json_t *deep = json_array();
    for (int i = 0; i < 3000; i++)
        deep = json_pack("[o]", deep);
    assert_int_equal(hs_json_write(b, deep), -1);
    assert_int_equal(evbuffer_get_length(b), 0);
    json_decref(deep);
    evbuffer_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings),   cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_structure), cmocka_unit_test(test_replies),
        cmocka_unit_test(test_failures),
    };
    return cmocka_run_group_tests_name("server/json", tests, NULL, NULL);
}

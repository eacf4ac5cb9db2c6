/*
 * test_params.c — what the portal reads from a URL (server/params.c):
 * percent-decoding (good and malformed escapes, NUL, '+'), query strings
 * split into parameters (limits, bad encodings, UTF-8), strict numbers.
 */
#include "../support/test_support.h"

#include "../../server/server.h"

static void test_percent_decode(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        bool plus;
        long want_len;
        const char *want;
    } cases[] = {
        {"page%3A000_abc", false, 14 - 2, "page:000_abc"},
        {"page:000", false, 8, "page:000"},
        {"a+b", true, 3, "a b"},
        {"a+b", false, 3, "a+b"},
        {"%2B", true, 1, "+"},
        {"caf%C3%a9", false, 5, "caf\xC3\xA9"},
        {"%", false, -1, NULL},
        {"%4", false, -1, NULL},
        {"%zz", false, -1, NULL},
        {"%4g", false, -1, NULL},
        {"a%00b", false, -1, NULL},
        {"", false, 0, ""},
        {"100%25", false, 4, "100%"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char out[64];
        long n = hs_percent_decode(cases[i].in, strlen(cases[i].in), out, cases[i].plus);
        if (n != cases[i].want_len)
            fail_msg("case %zu (%s): length %ld, want %ld", i, cases[i].in, n, cases[i].want_len);
        if (n >= 0)
            assert_string_equal(out, cases[i].want);
    }
}

static void test_params_parse(void **state)
{
    (void)state;
    hs_params p;
    const char *why = NULL;
    assert_int_equal(hs_params_parse("q=back+pain%3F&limit=5&flag&&x=", &p, &why), 0);
    assert_int_equal(p.n, 4);
    assert_string_equal(hs_param(&p, "q"), "back pain?");
    assert_string_equal(hs_param(&p, "limit"), "5");
    assert_string_equal(hs_param(&p, "flag"), "");
    assert_string_equal(hs_param(&p, "x"), "");
    assert_null(hs_param(&p, "offset"));
    hs_params_free(&p);

    assert_int_equal(hs_params_parse("q=1&q=2", &p, &why), 0); /* the first wins */
    assert_string_equal(hs_param(&p, "q"), "1");
    hs_params_free(&p);

    assert_int_equal(hs_params_parse(NULL, &p, &why), 0);
    assert_int_equal(p.n, 0);
    assert_int_equal(hs_params_parse("", &p, &why), 0);
    assert_int_equal(p.n, 0);

    static const char *const bad[] = {"q=%zz", "q=%00", "q=%C3%28", "q=%FF", "q=a%0Ab",
                                      "%zz=1", "q=%ED%A0%80"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        why = NULL;
        if (hs_params_parse(bad[i], &p, &why) != -1)
            fail_msg("\"%s\" was accepted", bad[i]);
        assert_non_null(why);
        assert_int_equal(p.n, 0);
    }
    char many[256];
    size_t at = 0;
    for (int i = 0; i <= HS_MAX_PARAMS; i++)
        at += (size_t)snprintf(many + at, sizeof many - at, "a=1&");
    assert_int_equal(hs_params_parse(many, &p, &why), -1);
    assert_non_null(strstr(why, "too many"));
}

static void test_parse_size(void **state)
{
    (void)state;
    size_t v = 99;
    assert_int_equal(hs_parse_size("10", 1, 100, &v), 0);
    assert_int_equal(v, 10);
    assert_int_equal(hs_parse_size("0", 0, 5, &v), 0);
    assert_int_equal(v, 0);
    static const char *const bad[] = {"", "abc", "-1", "+1", " 1", "1 ", "1e3", "0x10",
                                      "101", "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        v = 7;
        if (hs_parse_size(bad[i], 1, 100, &v) != -1)
            fail_msg("\"%s\" was accepted", bad[i]);
        assert_int_equal(v, 7);
    }
    assert_int_equal(hs_parse_size(NULL, 0, 1, &v), -1);
}

static void test_text_ok(void **state)
{
    (void)state;
    assert_true(hs_text_ok("back pain\tok", 12));
    assert_true(hs_text_ok("caf\xC3\xA9 \xF0\x9F\x98\x80", 10));
    assert_false(hs_text_ok("a\nb", 3));
    assert_false(hs_text_ok("a\x7F", 2));
    assert_false(hs_text_ok("\xC0\xAF", 2));
    assert_false(hs_text_ok("\xE2\x80", 2));
    assert_false(hs_text_ok("\xF4\x90\x80\x80", 4));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_percent_decode),
        cmocka_unit_test(test_params_parse),
        cmocka_unit_test(test_parse_size),
        cmocka_unit_test(test_text_ok),
    };
    return cmocka_run_group_tests_name("server/params", tests, NULL, NULL);
}

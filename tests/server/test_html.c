/*
 * test_html.c — the portal's HTML writing (server/html.c): escaping of
 * untrusted text, highlight spans as <mark> (including bad spans), which
 * URLs may become links, and percent-encoding of link parts.
 */
#include "../support/test_support.h"

#include "../../server/server.h"

/* Runs fn into a fresh evbuffer and returns its bytes (malloc'd). */
static char *collect(struct evbuffer *b)
{
    size_t n = evbuffer_get_length(b);
    char *s = malloc(n + 1);
    assert_non_null(s);
    evbuffer_remove(b, s, n);
    s[n] = '\0';
    evbuffer_free(b);
    return s;
}

static char *escaped(const char *s)
{
    struct evbuffer *b = evbuffer_new();
    hs_html_escape(b, s);
    return collect(b);
}

static void test_escape(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"plain text", "plain text"},
        {"", ""},
        {"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
        {"<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"},
        {"\"><svg onload=1>", "&quot;&gt;&lt;svg onload=1&gt;"},
        {"a & b 'c'", "a &amp; b &#39;c&#39;"},
        {"&amp;", "&amp;amp;"},
        {"caf\xC3\xA9 \xE2\x80\x9Cq\xE2\x80\x9D", "caf\xC3\xA9 \xE2\x80\x9Cq\xE2\x80\x9D"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *got = escaped(cases[i][0]);
        assert_string_equal(got, cases[i][1]);
        free(got);
    }
    char *got = escaped(NULL);
    assert_string_equal(got, "");
    free(got);
}

static char *highlighted(const char *text, const char *spans_json)
{
    json_t *spans = json_loads(spans_json, 0, NULL);
    assert_non_null(spans);
    struct evbuffer *b = evbuffer_new();
    hs_html_highlight(b, text, spans);
    json_decref(spans);
    return collect(b);
}

static void test_highlight(void **state)
{
    (void)state;
    static const char *const cases[][3] = {
        {"back pain", "[[0,4],[5,9]]", "<mark>back</mark> <mark>pain</mark>"},
        {"a <b> c", "[[2,5]]", "a <mark>&lt;b&gt;</mark> c"},
        {"no spans", "[]", "no spans"},
        {"overlap here", "[[0,7],[3,9]]", "<mark>overlap</mark> here"},   /* second skipped */
        {"backwards", "[[4,8],[0,2]]", "back<mark>ward</mark>s"},          /* goes back: skipped */
        {"short", "[[2,99]]", "short"},                                   /* past the end */
        {"empty", "[[2,2],[-1,3]]", "empty"},                             /* empty, negative */
        {"junk", "[\"x\", [1], {}]", "junk"},                             /* not pairs */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *got = highlighted(cases[i][0], cases[i][1]);
        if (strcmp(got, cases[i][2]) != 0)
            fail_msg("case %zu: got \"%s\", want \"%s\"", i, got, cases[i][2]);
        free(got);
    }
}

static void test_url_is_http(void **state)
{
    (void)state;
    assert_true(hs_url_is_http("https://medlineplus.gov/backpain.html"));
    assert_true(hs_url_is_http("HTTP://example.org/a?b=c&d=e"));
    assert_false(hs_url_is_http(NULL));
    assert_false(hs_url_is_http(""));
    assert_false(hs_url_is_http("javascript:alert(1)"));
    assert_false(hs_url_is_http(" javascript:alert(1)"));
    assert_false(hs_url_is_http("JaVaScRiPt:alert(1)"));
    assert_false(hs_url_is_http("data:text/html,<script>alert(1)</script>"));
    assert_false(hs_url_is_http("//evil.example/x"));
    assert_false(hs_url_is_http("https://"));
    assert_false(hs_url_is_http("https:///path"));
    assert_false(hs_url_is_http("https://a.org/\"onmouseover=alert(1)"));
    assert_false(hs_url_is_http("https://a.org/<script>"));
    assert_false(hs_url_is_http("https://a.org/x y"));
    assert_false(hs_url_is_http("https://a.org/\nx"));
    assert_false(hs_url_is_http("ftp://a.org/x"));
}

static void test_url_encode(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"page:000_467e91df3828f596", "page%3A000_467e91df3828f596"},
        {"back pain", "back%20pain"},
        {"a&b=c/d?e#f", "a%26b%3Dc%2Fd%3Fe%23f"},
        {"caf\xC3\xA9", "caf%C3%A9"},
        {"\"><", "%22%3E%3C"},
        {"-._~", "-._~"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct evbuffer *b = evbuffer_new();
        hs_url_encode(b, cases[i][0]);
        char *got = collect(b);
        assert_string_equal(got, cases[i][1]);
        free(got);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_highlight),
        cmocka_unit_test(test_url_is_http),
        cmocka_unit_test(test_url_encode),
    };
    return cmocka_run_group_tests_name("server/html", tests, NULL, NULL);
}

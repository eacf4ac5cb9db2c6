/*
 * test_parser.c — the query parser (src/query/parser.c): the golden
 * parses of tests/fixtures/query/parse.tsv (run with HQ_UPDATE_GOLDEN=1
 * to rewrite its expected column, then review the diff), the fields of
 * hq_query one by one, error details, every limit, and random inputs
 * (fixed seed) that must parse or fail cleanly, never crash (the suite
 * also runs under ASan + UBSan).
 */
#include "../support/test_support.h"

#include "query/query.h"

#define GOLDEN HQ_FIXTURES "/query/parse.tsv"

/* ---- helpers ------------------------------------------------------- */

static const char *status_name(hq_status rc)
{
    switch (rc) {
    case HQ_OK:
        return "OK";
    case HQ_EINVAL:
        return "EINVAL";
    case HQ_EUTF8:
        return "EUTF8";
    case HQ_ELIMIT:
        return "ELIMIT";
    default:
        return "OTHER";
    }
}

/* Parses text[0..len) and writes its dump, or ERROR:<status>:<offset>,
 * into out (reset first).  Returns the status. */
static hq_status render(hq_analyzer *a, const char *text, size_t len, hq_buf *out)
{
    hq_query q;
    hq_error err;
    hq_error_clear(&err);
    hq_buf_reset(out);
    hq_status rc = hq_query_parse(a, text, len, &q, &err);
    if (rc == HQ_OK) {
        hq_query_dump(&q, out);
    } else {
        assert_int_equal(err.code, rc);
        assert_true(err.message[0] != '\0');
        hq_buf_printf(out, "ERROR:%s:%ld", status_name(rc), err.offset);
    }
    hq_query_free(&q);
    return rc;
}

static hq_status parse(hq_analyzer *a, const char *text, hq_query *q, hq_error *err)
{
    hq_error_clear(err);
    return hq_query_parse(a, text, strlen(text), q, err);
}

/* ---- golden file --------------------------------------------------- */

static void test_golden(void **state)
{
    (void)state;
    test_tsv tsv;
    test_tsv_open(&tsv, GOLDEN);
    hq_analyzer *a = hq_analyzer_new();
    hq_buf query, got;
    hq_buf_init(&query, 0);
    hq_buf_init(&got, 0);
    int n_cases = 0, n_failed = 0;
    test_tsv_line line;
    while (test_tsv_next(&tsv, 2, &line)) {
        if (line.text[0] == '#' || line.n_fields < 2) {
            test_tsv_keep(&tsv, &line);
            continue;
        }
        test_unescape(line.field[0], line.field_len[0], &query);
        render(a, query.data, query.len, &got);
        if (!test_tsv_expect(&tsv, &line, 1, hq_buf_str(&got), got.len)) {
            n_failed++;
            fprintf(stderr, "# query:    %.*s\n# expected: %.*s\n# got:      %s\n",
                    (int)line.field_len[0], line.field[0], (int)line.field_len[1], line.field[1],
                    hq_buf_str(&got));
        }
        n_cases++;
    }
    test_tsv_close(&tsv);
    assert_true(n_cases >= 40);
    assert_int_equal(n_failed, 0);
    hq_buf_free(&query);
    hq_buf_free(&got);
    hq_analyzer_free(a);
}

/* ---- the fields ---------------------------------------------------- */

static void test_fields(void **state)
{
    (void)state;
    hq_analyzer *a = hq_analyzer_new();
    hq_query q;
    hq_error err;
    assert_int_equal(parse(a,
                           "Back pain \"pain in the back\" -iud -\"birth control\" "
                           "type:\"Exams and Tests\" -source:GARD",
                           &q, &err),
                     HQ_OK);
    assert_int_equal(q.n_terms, 2);
    assert_string_equal(q.terms[0].term, "back");
    assert_int_equal(q.terms[0].len, 4);
    assert_true(q.terms[0].weight == 2.0f);
    assert_string_equal(q.terms[1].term, "pain");
    assert_true(q.terms[1].weight == 2.0f);

    assert_int_equal(q.n_phrases, 2);
    assert_false(q.phrases[0].excluded);
    assert_int_equal(q.phrases[0].n, 2);
    assert_string_equal(q.phrases[0].terms[0].term, "pain");
    assert_int_equal(q.phrases[0].terms[0].pos, 0);
    assert_string_equal(q.phrases[0].terms[1].term, "back");
    assert_int_equal(q.phrases[0].terms[1].pos, 3);
    assert_true(q.phrases[1].excluded);
    assert_string_equal(q.phrases[1].terms[1].term, "control");
    assert_int_equal(q.phrases[1].terms[1].pos, 1);

    assert_int_equal(q.n_excluded, 1);
    assert_string_equal(q.excluded[0].term, "iud");

    assert_int_equal(q.n_filters, 2);
    assert_int_equal(q.filters[0].kind, HQ_FILTER_TYPE);
    assert_string_equal(q.filters[0].value, "exams and tests");
    assert_false(q.filters[0].excluded);
    assert_int_equal(q.filters[1].kind, HQ_FILTER_SOURCE);
    assert_string_equal(q.filters[1].value, "GARD");
    assert_true(q.filters[1].excluded);
    assert_string_equal(hq_filter_name(HQ_FILTER_TRUST), "trust");

    hq_query_free(&q);
    hq_query_free(&q); /* a second call is harmless */
    assert_null(q.terms);
    assert_int_equal(q.n_terms, 0);
    hq_analyzer_free(a);
}

/* The analyzer's terms are copied: they outlive the analyzer's next
 * calls and the analyzer itself. */
static void test_terms_are_copied(void **state)
{
    (void)state;
    hq_analyzer *a = hq_analyzer_new();
    hq_analyzer_cache_limit(a, 0); /* terms in its scratch arena, reused per call */
    hq_query q;
    hq_error err;
    assert_int_equal(parse(a, "swimming \"running shoes\" -jumping", &q, &err), HQ_OK);
    hq_tokens t = {0};
    hq_analyze(a, "other words entirely", 20, 0, &t);
    hq_tokens_free(&t);
    hq_analyzer_free(a);
    hq_buf b;
    hq_buf_init(&b, 0);
    hq_query_dump(&q, &b);
    assert_string_equal(hq_buf_str(&b),
                        "terms: swim(1) run(1) shoe(1) | phrase: \"run@0 shoe@1\" | not: jump");
    hq_buf_free(&b);
    hq_query_free(&q);
}

/* The dump appends to what the buffer holds. */
static void test_dump_appends(void **state)
{
    (void)state;
    hq_analyzer *a = hq_analyzer_new();
    hq_query q;
    hq_error err;
    assert_int_equal(parse(a, "trust:low", &q, &err), HQ_OK);
    hq_buf b;
    hq_buf_init(&b, 0);
    hq_buf_puts(&b, "query: ");
    hq_query_dump(&q, &b);
    assert_string_equal(hq_buf_str(&b), "query: trust=low");
    hq_buf_free(&b);
    hq_query_free(&q);
    hq_analyzer_free(a);
}

static void test_error_details(void **state)
{
    (void)state;
    hq_analyzer *a = hq_analyzer_new();
    hq_query q;
    hq_error err;

    assert_int_equal(parse(a, "of the", &q, &err), HQ_EINVAL);
    assert_string_equal(err.message, "the query has no word to search for");
    assert_string_equal(err.where, "query");
    assert_int_equal(err.offset, -1);
    assert_null(q.terms);

    assert_int_equal(parse(a, "asthma trust:Sure", &q, &err), HQ_EINVAL);
    assert_int_equal(err.offset, 13);
    assert_non_null(strstr(err.message, "\"Sure\""));
    assert_non_null(strstr(err.message, "high"));
    assert_non_null(strstr(err.message, "medium"));
    assert_non_null(strstr(err.message, "low"));
    assert_non_null(strstr(err.message, "unknown"));

    assert_int_equal(parse(a, "asthma type:", &q, &err), HQ_EINVAL);
    assert_int_equal(err.offset, 12);
    assert_non_null(strstr(err.message, "type:"));

    assert_int_equal(parse(a, "ok \xe2\x80", &q, &err), HQ_EUTF8);
    assert_int_equal(err.offset, 3);

    assert_int_equal(hq_query_parse(a, NULL, 0, &q, &err), HQ_EINVAL);
    assert_int_equal(hq_query_parse(a, "asthma", 6, &q, NULL), HQ_OK); /* err may be NULL */
    hq_query_free(&q);
    assert_int_equal(hq_query_parse(a, "", 0, &q, NULL), HQ_EINVAL);

    /* the first error wins */
    assert_int_equal(parse(a, "trust:x source:", &q, &err), HQ_EINVAL);
    assert_int_equal(err.offset, 6);
    hq_analyzer_free(a);
}

/* ---- limits -------------------------------------------------------- */

/* Appends n items made by fmt (with %d = 0..n-1) to b, separated by
 * spaces; returns the offset of the last one. */
static size_t items(hq_buf *b, const char *fmt, int n)
{
    size_t last = 0;
    for (int i = 0; i < n; i++) {
        if (b->len > 0)
            hq_buf_puts(b, " ");
        last = b->len;
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#endif
        hq_buf_printf(b, fmt, i);
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
    }
    return last;
}

/* A query of n items fmt parses, one more fails with HQ_ELIMIT at the
 * offset of the one too many. */
static void check_limit(hq_analyzer *a, const char *prefix, const char *fmt, int n)
{
    hq_buf b;
    hq_error err;
    hq_query q;
    for (int extra = 0; extra <= 1; extra++) {
        hq_buf_init(&b, 0);
        hq_buf_puts(&b, prefix);
        size_t last = items(&b, fmt, n + extra);
        hq_error_clear(&err);
        hq_status rc = hq_query_parse(a, b.data, b.len, &q, &err);
        if (extra == 0) {
            assert_int_equal(rc, HQ_OK);
        } else {
            assert_int_equal(rc, HQ_ELIMIT);
            assert_int_equal(err.offset, (long)last);
            assert_non_null(strstr(err.message, "more than"));
        }
        hq_query_free(&q);
        hq_buf_free(&b);
    }
}

static void test_limits(void **state)
{
    (void)state;
    hq_analyzer *a = hq_analyzer_new();
    check_limit(a, "", "w%d", HQ_QUERY_MAX_TERMS);
    check_limit(a, "", "\"p%d\"", HQ_QUERY_MAX_PHRASES);
    check_limit(a, "asthma", "-\"p%d x\"", HQ_QUERY_MAX_PHRASES);
    check_limit(a, "asthma", "-x%d", HQ_QUERY_MAX_EXCLUDED);
    check_limit(a, "", "source:s%d", HQ_QUERY_MAX_FILTERS);
    check_limit(a, "", "-type:t%d trust:low", HQ_QUERY_MAX_FILTERS / 2);

    /* a repeated word is one term; a phrase's words count among them */
    hq_buf b;
    hq_buf_init(&b, 0);
    items(&b, "w%d", HQ_QUERY_MAX_TERMS);
    hq_buf_puts(&b, " w0 w1 w255");
    hq_query q;
    hq_error err;
    hq_error_clear(&err);
    assert_int_equal(hq_query_parse(a, b.data, b.len, &q, &err), HQ_OK);
    assert_int_equal(q.n_terms, HQ_QUERY_MAX_TERMS);
    assert_true(q.terms[HQ_QUERY_MAX_TERMS - 1].weight == 2.0f);
    hq_query_free(&q);
    hq_buf_puts(&b, " \"");
    size_t quote = b.len - 1;
    hq_buf_puts(&b, "w0 w1 extra\"");
    hq_error_clear(&err);
    assert_int_equal(hq_query_parse(a, b.data, b.len, &q, &err), HQ_ELIMIT);
    assert_int_equal(err.offset, (long)(quote + 7)); /* "extra" */
    hq_buf_free(&b);

    /* length */
    char *big = malloc(HQ_MAX_QUERY_BYTES + 1);
    for (size_t i = 0; i < HQ_MAX_QUERY_BYTES + 1; i++)
        big[i] = i % 8 == 7 ? ' ' : 'a';
    assert_int_equal(hq_query_parse(a, big, HQ_MAX_QUERY_BYTES, &q, NULL), HQ_OK);
    assert_int_equal(q.n_terms, 1);
    assert_true(q.terms[0].weight == (float)(HQ_MAX_QUERY_BYTES / 8));
    hq_query_free(&q);
    hq_error_clear(&err);
    assert_int_equal(hq_query_parse(a, big, HQ_MAX_QUERY_BYTES + 1, &q, &err), HQ_ELIMIT);
    assert_int_equal(err.offset, HQ_MAX_QUERY_BYTES);
    assert_non_null(strstr(err.message, "8192"));

    /* one phrase of every word, at most 8 KiB of them */
    big[0] = '"';
    assert_int_equal(hq_query_parse(a, big, HQ_MAX_QUERY_BYTES, &q, NULL), HQ_OK);
    assert_int_equal(q.n_phrases, 1);
    assert_int_equal(q.phrases[0].n, HQ_MAX_QUERY_BYTES / 8);
    assert_int_equal(q.phrases[0].terms[q.phrases[0].n - 1].pos, HQ_MAX_QUERY_BYTES / 8 - 1);
    hq_query_free(&q);
    free(big);
    hq_analyzer_free(a);
}

/* ---- random inputs ------------------------------------------------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint32_t rnd(uint32_t n)
{
    return test_rnd(&rng_state, n);
}

/* What a successful parse promises, and what a failure leaves. */
static void check_result(hq_analyzer *a, const char *text, size_t len)
{
    hq_query q;
    hq_error err;
    hq_error_clear(&err);
    hq_status rc = hq_query_parse(a, text, len, &q, &err);
    if (rc != HQ_OK) {
        assert_true(rc == HQ_EINVAL || rc == HQ_EUTF8 || rc == HQ_ELIMIT);
        assert_int_equal(err.code, rc);
        assert_true(err.offset >= -1 && err.offset <= (long)len);
        assert_true(err.message[0] != '\0');
        assert_null(q.terms);
        assert_int_equal(q.n_terms + q.n_phrases + q.n_excluded + q.n_filters, 0);
        return;
    }
    assert_true(q.n_terms <= HQ_QUERY_MAX_TERMS && q.n_phrases <= HQ_QUERY_MAX_PHRASES &&
                q.n_excluded <= HQ_QUERY_MAX_EXCLUDED && q.n_filters <= HQ_QUERY_MAX_FILTERS);
    bool search = q.n_terms > 0;
    for (uint32_t i = 0; i < q.n_terms; i++) {
        assert_true(q.terms[i].len > 0 && q.terms[i].len == strlen(q.terms[i].term));
        assert_true(q.terms[i].weight >= 1.0f);
        for (uint32_t k = 0; k < i; k++)
            assert_false(strcmp(q.terms[i].term, q.terms[k].term) == 0);
    }
    for (uint32_t i = 0; i < q.n_phrases; i++) {
        const hq_phrase *ph = &q.phrases[i];
        assert_true(ph->n >= 1);
        assert_int_equal(ph->terms[0].pos, 0);
        for (uint32_t k = 1; k < ph->n; k++)
            assert_true(ph->terms[k].pos > ph->terms[k - 1].pos);
    }
    for (uint32_t i = 0; i < q.n_filters; i++) {
        assert_true(q.filters[i].value[0] != '\0');
        search = search || !q.filters[i].excluded;
    }
    assert_true(search);
    hq_buf b;
    hq_buf_init(&b, 0);
    hq_query_dump(&q, &b);
    assert_true(b.len > 0);
    assert_int_equal(hq_utf8_invalid_at(b.data, b.len), -1);
    hq_buf_free(&b);
    hq_query_free(&q);
}

static void test_random_bytes(void **state)
{
    (void)state;
    hq_analyzer *a = hq_analyzer_new();
    char buf[600];
    for (int round = 0; round < 3000; round++) {
        size_t len = rnd(sizeof buf);
        for (size_t i = 0; i < len; i++)
            buf[i] = (char)rnd(256);
        check_result(a, buf, len);
    }
    hq_analyzer_free(a);
}

/* Random valid UTF-8 made of the syntax's pieces, so most inputs get
 * past the UTF-8 check and into the item parser. */
static void test_random_syntax(void **state)
{
    (void)state;
    static const char *const pieces[] = {
        " ", "  ", "\t", "\n", "\xc2\xa0", "\"", "\xe2\x80\x9c", "\xe2\x80\x9d", "\xc2\xab",
        "\xc2\xbb", "-", "--", ":", "source:", "SOURCE:", "type:", "trust:", "-trust:",
        "-source:", "high", "low", "medium", "unknown", "bogus", "pain", "back", "the", "of",
        "and", "covid-19", "x-ray", "women's", "don\xe2\x80\x99t", "caf\xc3\xa9", "\xe9\xa0\xad",
        "\xe7\x97\x9b", "1:2", "2.5", "\xf0\x9f\x98\x80", "'", "(", ")", "?", ".", "\xcc\x81",
        "a", "zz", "\xe2\x80\x90", "\xc2\xad",
    };
    const size_t n_pieces = sizeof pieces / sizeof pieces[0];
    hq_analyzer *a = hq_analyzer_new();
    hq_buf b;
    hq_buf_init(&b, 0);
    for (int round = 0; round < 5000; round++) {
        hq_buf_reset(&b);
        size_t n = rnd(40);
        for (size_t i = 0; i < n; i++)
            hq_buf_puts(&b, pieces[rnd((uint32_t)n_pieces)]);
        check_result(a, b.data ? b.data : "", b.len);
    }
    hq_buf_free(&b);
    hq_analyzer_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_terms_are_copied),
        cmocka_unit_test(test_dump_appends),
        cmocka_unit_test(test_error_details),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_random_syntax),
    };
    return cmocka_run_group_tests_name("query parser", tests, NULL, NULL);
}

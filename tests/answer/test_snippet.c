/*
 * test_snippet.c — snippets (src/answer/snippet.c): the golden cases of
 * tests/fixtures/answer/snippets.tsv (run with HQ_UPDATE_GOLDEN=1 to
 * rewrite the expected column, then review the diff), the edge cases of
 * the contract, and properties checked over random MedQuAD-like bodies
 * (fixed seed, multi-byte text) and the portal pages of the shared
 * corpus: valid UTF-8, the length bound, spans inside the text, in
 * order, apart, each on a query term.
 */
#include "../support/test_support.h"

#include "answer/answer.h"

#define GOLDEN HQ_FIXTURES "/answer/snippets.tsv"
#define PORTAL HQ_SHARED "/corpus/portal"

#include <dirent.h>

/* ---- helpers ------------------------------------------------------- */

static void parse_query(hq_analyzer *a, const char *text, hq_query *q)
{
    hq_error err;
    hq_error_clear(&err);
    if (hq_query_parse(a, text, strlen(text), q, &err) != HQ_OK)
        fail_msg("query \"%s\": %s", text, err.message);
}

/* The snippet's text with [ and ] around its spans, into out. */
static void render(const hq_snippet *s, hq_buf *out)
{
    hq_buf_reset(out);
    size_t len = strlen(s->text), k = 0;
    for (size_t i = 0; i <= len; i++) {
        if (k < s->n_spans && s->spans[k].end == i) {
            hq_buf_puts(out, "]");
            k++;
        }
        if (k < s->n_spans && s->spans[k].start == i)
            hq_buf_puts(out, "[");
        if (i < len)
            hq_buf_append(out, s->text + i, 1);
    }
}

/* What every snippet must satisfy, whatever the body. */
static void check_snippet(hq_analyzer *a, const hq_query *q, const hq_snippet *s,
                          size_t max_bytes)
{
    size_t max = max_bytes == 0 ? HQ_SNIPPET_DEFAULT_BYTES : max_bytes;
    if (max < HQ_SNIPPET_MIN_BYTES)
        max = HQ_SNIPPET_MIN_BYTES;
    assert_non_null(s->text);
    size_t len = strlen(s->text);
    assert_int_equal(hq_utf8_invalid_at(s->text, len), -1);
    assert_true(len <= max + 2 * 3);
    if (len > 0) {
        assert_true(s->text[0] != ' ' && s->text[len - 1] != ' ');
        assert_null(strstr(s->text, "  "));
        assert_null(strchr(s->text, '\n'));
    }
    hq_tokens toks = {0};
    for (uint32_t k = 0; k < s->n_spans; k++) {
        const hq_span *sp = &s->spans[k];
        assert_true(sp->start < sp->end && sp->end <= len);
        if (k > 0)
            assert_true(sp->start >= s->spans[k - 1].end);
        hq_analyze(a, s->text + sp->start, sp->end - sp->start, 0, &toks);
        bool found = false;
        for (size_t t = 0; t < toks.n && !found; t++)
            for (uint32_t i = 0; i < q->n_terms && !found; i++)
                found = toks.items[t].len == q->terms[i].len &&
                        memcmp(toks.items[t].term, q->terms[i].term, q->terms[i].len) == 0;
        if (!found)
            fail_msg("span %u \"%.*s\" of \"%s\" holds no query term", k,
                     (int)(sp->end - sp->start), s->text + sp->start, s->text);
    }
    hq_tokens_free(&toks);
}

/* ---- golden file --------------------------------------------------- */

/* Columns: query, body, expected (with [highlights]), max_bytes (optional,
 * 0 when absent). */
static void test_golden(void **state)
{
    (void)state;
    test_tsv tsv;
    test_tsv_open(&tsv, GOLDEN);
    hq_analyzer *a = hq_analyzer_new();
    hq_buf query, body, got;
    hq_buf_init(&query, 0);
    hq_buf_init(&body, 0);
    hq_buf_init(&got, 0);
    int n_cases = 0, n_failed = 0;
    test_tsv_line line;
    while (test_tsv_next(&tsv, 4, &line)) {
        if (line.text[0] == '#' || line.n_fields < 3) {
            test_tsv_keep(&tsv, &line);
            continue;
        }
        test_unescape(line.field[0], line.field_len[0], &query);
        test_unescape(line.field[1], line.field_len[1], &body);
        size_t max_bytes = line.n_fields == 4 ? strtoul(line.field[3], NULL, 10) : 0;
        hq_query q;
        parse_query(a, query.data, &q);
        hq_snippet s;
        assert_int_equal(hq_snippet_make(a, body.data, body.len, &q, max_bytes, &s), HQ_OK);
        check_snippet(a, &q, &s, max_bytes);
        render(&s, &got);
        if (!test_tsv_expect(&tsv, &line, 2, hq_buf_str(&got), got.len)) {
            n_failed++;
            fprintf(stderr, "# query:    %s\n# expected: %.*s\n# got:      %s\n", query.data,
                    (int)line.field_len[2], line.field[2], hq_buf_str(&got));
        }
        hq_snippet_free(&s);
        hq_query_free(&q);
        n_cases++;
    }
    test_tsv_close(&tsv);
    assert_true(n_cases >= 20);
    assert_int_equal(n_failed, 0);
    hq_buf_free(&query);
    hq_buf_free(&body);
    hq_buf_free(&got);
    hq_analyzer_free(a);
}

/* ---- the contract's edges ------------------------------------------ */

static void test_empty_and_null(void **state)
{
    (void)state;
    hq_analyzer *a = hq_analyzer_new();
    hq_query q;
    parse_query(a, "asthma", &q);
    hq_snippet s;
    assert_int_equal(hq_snippet_make(a, NULL, 0, &q, 0, &s), HQ_OK);
    assert_string_equal(s.text, "");
    assert_int_equal(s.n_spans, 0);
    assert_null(s.spans);
    hq_snippet_free(&s);
    assert_int_equal(hq_snippet_make(a, " \n\t ", 4, &q, 0, &s), HQ_OK);
    assert_string_equal(s.text, "");
    hq_snippet_free(&s);
    hq_snippet_free(&s); /* a second call is harmless */
    hq_snippet_free(NULL);
    hq_query_free(&q);
    hq_analyzer_free(a);
}

/* A body of 1000 "asthma" words: the default size is 240 bytes. */
static void test_default_size(void **state)
{
    (void)state;
    hq_analyzer *a = hq_analyzer_new();
    hq_query q;
    parse_query(a, "source:GARD", &q); /* no scored term: the start of the body */
    hq_buf body;
    hq_buf_init(&body, 0);
    for (int i = 0; i < 1000; i++)
        hq_buf_puts(&body, "asthma ");
    hq_snippet s;
    assert_int_equal(hq_snippet_make(a, body.data, body.len, &q, 0, &s), HQ_OK);
    /* 34 words of 7 bytes less the last space, then "…" */
    assert_int_equal(strlen(s.text), 34 * 7 - 1 + 3);
    assert_int_equal(s.n_spans, 0);
    assert_int_equal(memcmp(s.text, "asthma asthma", 13), 0);
    hq_snippet_free(&s);
    hq_query_free(&q);

    parse_query(a, "asthma", &q);
    assert_int_equal(hq_snippet_make(a, body.data, body.len, &q, 5, &s), HQ_OK);
    check_snippet(a, &q, &s, 5); /* raised to HQ_SNIPPET_MIN_BYTES */
    assert_string_equal(s.text, "asthma asthma…");
    assert_int_equal(s.n_spans, 2);
    hq_snippet_free(&s);
    hq_query_free(&q);
    hq_buf_free(&body);
    hq_analyzer_free(a);
}

/* ---- properties ---------------------------------------------------- */

static uint64_t rng_state = 0x2545F4914F6CDD1DULL;

static uint32_t rnd(uint32_t n)
{
    return test_rnd(&rng_state, n);
}

static const char *const WORDS[] = {
    "glaucoma", "pressure", "optic", "nerve", "eye", "vision", "loss", "blindness", "the",
    "of", "and", "a", "is", "in", "to", "treatment", "symptoms", "causes", "running", "runs",
    "pain", "back", "lower", "doctor", "covid-19", "x-ray", "women’s", "don't", "café",
    "naïve", "résumé", "Ærø", "頭痛", "頭痛薬を飲む", "日本語", "症状", "😀", "naı̈ve",
    "e\xcc\x81t\xc3\xa9", "ÉCOLE", "straße", "2.5mg", "1,000", "Ωmega", "Привет", "مرحبا",
    "asthma-related", "inhaler", "(asthma)", "\"fever\"", "fever.", "rash,", "AIDS/HIV",
    "supercalifragilisticexpialidociousandevenlongerwordsthatgoonandonforeverandever",
};
#define N_WORDS (sizeof WORDS / sizeof WORDS[0])

static const char *const SEPARATORS[] = {
    " ", " ", " ", " ", " ", " ", "  ", "\n", "\n\n", "\t", ". ", ", ", "; ", "? ", "! ",
    "\xc2\xa0", " — ", "。", "\r\n", " \xe2\x80\xa6 ",
};
#define N_SEPARATORS (sizeof SEPARATORS / sizeof SEPARATORS[0])

static void random_body(hq_buf *b)
{
    hq_buf_reset(b);
    hq_buf_append(b, "", 0);
    size_t n = rnd(5) == 0 ? rnd(8) : rnd(400);
    for (size_t i = 0; i < n; i++) {
        hq_buf_puts(b, WORDS[rnd(N_WORDS)]);
        hq_buf_puts(b, SEPARATORS[rnd(N_SEPARATORS)]);
    }
}

static void random_query(hq_buf *b)
{
    hq_buf_reset(b);
    size_t n = 1 + rnd(4);
    for (size_t i = 0; i < n; i++) {
        const char *w = WORDS[rnd(N_WORDS)];
        if (w[0] == '"' || w[0] == '(')
            w = "pain";
        hq_buf_printf(b, "%s%s", i ? " " : "", w);
    }
    hq_buf_puts(b, " fever"); /* never only stop words */
}

static void test_random_bodies(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 16, 20, 40, 60, 100, 160, 240, 400};
    hq_analyzer *a = hq_analyzer_new();
    hq_buf body, query, plain;
    hq_buf_init(&body, 0);
    hq_buf_init(&query, 0);
    hq_buf_init(&plain, 0);
    int with_spans = 0, cut = 0;
    for (int round = 0; round < 3000; round++) {
        random_body(&body);
        random_query(&query);
        hq_query q;
        parse_query(a, query.data, &q);
        size_t max_bytes = sizes[rnd(sizeof sizes / sizeof sizes[0])];
        hq_snippet s;
        assert_int_equal(hq_snippet_make(a, body.data, body.len, &q, max_bytes, &s), HQ_OK);
        check_snippet(a, &q, &s, max_bytes);
        with_spans += s.n_spans > 0;
        cut += strlen(s.text) > 3 && strcmp(s.text + strlen(s.text) - 3, "\xe2\x80\xa6") == 0;
        hq_snippet_free(&s);

        /* the same with a few malformed bytes and control characters */
        if (body.len > 10) {
            body.data[rnd((uint32_t)body.len)] = (char)(0x80 + rnd(0x80));
            body.data[rnd((uint32_t)body.len)] = (char)rnd(0x20);
            assert_int_equal(hq_snippet_make(a, body.data, body.len, &q, max_bytes, &s), HQ_OK);
            check_snippet(a, &q, &s, max_bytes);
            hq_snippet_free(&s);
        }
        hq_query_free(&q);
    }
    /* the generator reaches the interesting cases */
    assert_true(with_spans > 1000);
    assert_true(cut > 1000);
    hq_buf_free(&body);
    hq_buf_free(&query);
    hq_buf_free(&plain);
    hq_analyzer_free(a);
}

/* The portal pages of the shared corpus as bodies (skipped when the
 * corpus is not there). */
static void test_portal_pages(void **state)
{
    (void)state;
    static const char *const queries[] = {
        "back pain after miscarriage", "\"back pain\" abortion", "uterus hospital doctor",
        "IUD ring", "zebra", "women women women pain",
    };
    DIR *dir = opendir(PORTAL);
    if (dir == NULL) {
        skip();
        return;
    }
    hq_analyzer *a = hq_analyzer_new();
    struct dirent *de;
    int n_files = 0;
    while ((de = readdir(dir)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", PORTAL, de->d_name);
        char *data;
        size_t len;
        if (hq_read_file(path, 1 << 24, &data, &len, NULL) != HQ_OK)
            continue;
        n_files++;
        for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
            hq_query q;
            parse_query(a, queries[i], &q);
            for (size_t max_bytes = 0; max_bytes <= 400; max_bytes += 50) {
                hq_snippet s;
                assert_int_equal(hq_snippet_make(a, data, len, &q, max_bytes, &s), HQ_OK);
                check_snippet(a, &q, &s, max_bytes);
                hq_snippet_free(&s);
            }
            hq_query_free(&q);
        }
        free(data);
    }
    closedir(dir);
    assert_true(n_files > 0);
    hq_analyzer_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_empty_and_null),
        cmocka_unit_test(test_default_size),
        cmocka_unit_test(test_random_bodies),
        cmocka_unit_test(test_portal_pages),
    };
    return cmocka_run_group_tests_name("snippets", tests, NULL, NULL);
}

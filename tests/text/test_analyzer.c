/*
 * test_analyzer.c — the analysis chain (src/text/): the golden vocabulary
 * (tests/fixtures/text/vocabulary.tsv; run with HQ_UPDATE_GOLDEN=1 to
 * rewrite its expected column, then review the diff), byte offsets and
 * positions, the flags, and bad input: malformed UTF-8, NUL bytes, a
 * 10 MB word, random bytes, the token cap.
 */
#include "../support/test_support.h"
#include "text/text.h"

#define VOCABULARY HQ_FIXTURES "/text/vocabulary.tsv"

/* ---- helpers ------------------------------------------------------- */

/* The terms of tokens, space-separated, into buf (hq_buf, caller frees). */
static const char *joined_terms(const hq_tokens *t, hq_buf *buf)
{
    hq_buf_reset(buf);
    for (size_t i = 0; i < t->n; i++) {
        if (i > 0)
            assert_int_equal(hq_buf_append(buf, " ", 1), HQ_OK);
        assert_int_equal(hq_buf_append(buf, t->items[i].term, t->items[i].len), HQ_OK);
    }
    return hq_buf_str(buf);
}

typedef struct want {
    const char *term;
    uint32_t pos;
    const char *source; /* the input's bytes at [start, end) */
} want;

/* Asserts that analysing text with flags gives exactly the tokens w[0..n). */
static void check_tokens(hq_analyzer *a, const char *text, size_t len, unsigned flags,
                         const want *w, size_t n)
{
    hq_tokens t = {0};
    hq_analyze(a, text, len, flags, &t);
    for (size_t i = 0; i < t.n && i < n; i++) {
        const hq_token *k = &t.items[i];
        if (strlen(w[i].term) != k->len || memcmp(w[i].term, k->term, k->len) != 0 ||
            k->term[k->len] != '\0' || k->pos != w[i].pos ||
            strlen(w[i].source) != k->end - k->start ||
            memcmp(w[i].source, text + k->start, k->end - k->start) != 0)
            fail_msg("token %zu: got %s@%u [%.*s], want %s@%u [%s]", i, k->term, k->pos,
                     (int)(k->end - k->start), text + k->start, w[i].term, w[i].pos,
                     w[i].source);
    }
    assert_int_equal(t.n, n);
    hq_tokens_free(&t);
}

/* Checks what holds for any input: offsets inside the text and in
 * order, positions never going back, terms non-empty, bounded and
 * NUL-terminated, a compound's overlay at the position of its part. */
static void check_invariants(const char *text, size_t len, const hq_tokens *t)
{
    uint32_t last_pos = 0, last_start = 0;
    for (size_t i = 0; i < t->n; i++) {
        const hq_token *k = &t->items[i];
        assert_true(k->start < k->end);
        assert_true(k->end <= len);
        assert_true(k->start >= last_start);
        assert_true(k->pos >= last_pos);
        assert_true(k->len > 0 && k->len <= HQ_TEXT_MAX_WORD);
        assert_int_equal(k->term[k->len], '\0');
        last_pos = k->pos;
        last_start = k->start;
    }
    (void)text;
}

/* ---- the golden vocabulary ----------------------------------------- */

static void test_vocabulary(void **state)
{
    (void)state;
    test_tsv tsv;
    test_tsv_open(&tsv, VOCABULARY);
    hq_analyzer *a = hq_analyzer_new();
    hq_tokens t = {0};
    hq_buf got;
    hq_buf_init(&got, 0);
    size_t n_checked = 0, n_failed = 0;
    test_tsv_line line;
    while (test_tsv_next(&tsv, 2, &line)) {
        if (line.len == 0 || line.text[0] == '#' || line.n_fields < 2) {
            if (line.len != 0 && line.text[0] != '#')
                fail_msg("%s:%ld: no TAB", VOCABULARY, line.lineno);
            test_tsv_keep(&tsv, &line);
            continue;
        }
        hq_analyze(a, line.field[0], line.field_len[0], 0, &t);
        const char *terms = joined_terms(&t, &got);
        n_checked++;
        if (!test_tsv_expect(&tsv, &line, 1, terms, strlen(terms))) {
            n_failed++;
            print_message("%s:%ld: %.*s\n  want: %.*s\n  got:  %s\n", VOCABULARY, line.lineno,
                          (int)line.field_len[0], line.field[0], (int)line.field_len[1],
                          line.field[1], terms);
        }
    }
    test_tsv_close(&tsv);
    assert_true(n_checked >= 80);
    if (n_failed > 0 && !test_golden_update())
        fail_msg("%zu of %zu vocabulary lines differ", n_failed, n_checked);
    hq_buf_free(&got);
    hq_tokens_free(&t);
    hq_analyzer_free(a);
}

/* ---- offsets, positions, overlays ---------------------------------- */

static void test_offsets_and_positions(void **state)
{
    (void)state;
    hq_analyzer *a = hq_analyzer_new();
    const char *s = "What are the side-effects of COVID-19 vaccines in women\xe2\x80\x99s health?";
    const want w[] = {
        {"side-effect", 3, "side-effects"},
        {"side", 3, "side"},
        {"effect", 4, "effects"},
        {"covid-19", 6, "COVID-19"},
        {"covid", 6, "COVID"},
        {"19", 7, "19"},
        {"vaccin", 8, "vaccines"},
        {"women", 10, "women\xe2\x80\x99s"},
        {"health", 11, "health"},
    };
    check_tokens(a, s, strlen(s), 0, w, sizeof w / sizeof w[0]);

    /* Offsets are bytes of the input even where folding changes lengths. */
    const char *u = "Ａｓｐｉｒｉｎ ﬁbrosis Straße";
    const want wu[] = {
        {"aspirin", 0, "Ａｓｐｉｒｉｎ"},
        {"fibrosi", 1, "ﬁbrosis"},
        {"strass", 2, "Straße"},
    };
    check_tokens(a, u, strlen(u), 0, wu, 3);

    /* CJK bigrams: one position each, offsets of both characters. */
    const char *c = "\xe9\xab\x98\xe8\xa1\x80\xe5\x8e\x8b and x";
    const want wc[] = {
        {"\xe9\xab\x98\xe8\xa1\x80", 0, "\xe9\xab\x98\xe8\xa1\x80"},
        {"\xe8\xa1\x80\xe5\x8e\x8b", 1, "\xe8\xa1\x80\xe5\x8e\x8b"},
        {"x", 3, "x"},
    };
    check_tokens(a, c, strlen(c), 0, wc, 3);

    /* A stop word inside a compound keeps its position. */
    const char *o = "over-the-counter pills";
    const want wo[] = {
        {"over-the-count", 0, "over-the-counter"},
        {"over", 0, "over"},
        {"counter", 2, "counter"},
        {"pill", 3, "pills"},
    };
    check_tokens(a, o, strlen(o), 0, wo, 4);
    hq_analyzer_free(a);
}

/* More words than one tokenizer batch: positions run on across batches. */
static void test_positions_across_batches(void **state)
{
    (void)state;
    hq_buf b;
    hq_buf_init(&b, 0);
    for (int i = 0; i < 1000; i++)
        hq_buf_printf(&b, "%s%s", i ? " " : "", i % 2 ? "the" : "fever");
    hq_analyzer *a = hq_analyzer_new();
    hq_tokens t = {0};
    hq_analyze(a, b.data, b.len, 0, &t);
    assert_int_equal(t.n, 500);
    for (size_t i = 0; i < t.n; i++) {
        assert_int_equal(t.items[i].pos, 2 * i);
        assert_int_equal(t.items[i].start, 10 * i);
        assert_string_equal(t.items[i].term, "fever");
    }
    hq_analyze(a, b.data, b.len, HQ_ANALYZE_KEEP_STOPWORDS, &t);
    assert_int_equal(t.n, 1000);
    assert_int_equal(t.items[999].pos, 999);
    hq_tokens_free(&t);
    hq_analyzer_free(a);
    hq_buf_free(&b);
}

/* ---- flags --------------------------------------------------------- */

static void test_keep_stopwords(void **state)
{
    (void)state;
    hq_analyzer *a = hq_analyzer_new();
    const char *s = "What is the cause of it?";
    const want w[] = {{"what", 0, "What"}, {"is", 1, "is"},  {"the", 2, "the"},
                      {"caus", 3, "cause"}, {"of", 4, "of"}, {"it", 5, "it"}};
    check_tokens(a, s, strlen(s), HQ_ANALYZE_KEEP_STOPWORDS, w, 6);
    const want d[] = {{"caus", 3, "cause"}};
    check_tokens(a, s, strlen(s), 0, d, 1);
    hq_analyzer_free(a);
}

static void test_no_stem(void **state)
{
    (void)state;
    hq_analyzer *a = hq_analyzer_new();
    const char *s = "Running the X-Rays of Women\xe2\x80\x99s CAFÉ";
    const want w[] = {
        {"running", 0, "Running"},         {"x-rays", 2, "X-Rays"},
        {"x", 2, "X"},                     {"rays", 3, "Rays"},
        {"women's", 5, "Women\xe2\x80\x99s"}, {"cafe", 6, "CAFÉ"},
    };
    check_tokens(a, s, strlen(s), HQ_ANALYZE_NO_STEM, w, 6);
    const want k[] = {
        {"running", 0, "Running"}, {"the", 1, "the"}, {"x-rays", 2, "X-Rays"},
        {"x", 2, "X"},             {"rays", 3, "Rays"}, {"of", 4, "of"},
        {"women's", 5, "Women\xe2\x80\x99s"}, {"cafe", 6, "CAFÉ"},
    };
    check_tokens(a, s, strlen(s), HQ_ANALYZE_NO_STEM | HQ_ANALYZE_KEEP_STOPWORDS, k, 8);
    /* The same words stemmed, from the same (cached) analyzer. */
    const want st[] = {
        {"run", 0, "Running"}, {"x-ray", 2, "X-Rays"}, {"x", 2, "X"},
        {"ray", 3, "Rays"},    {"women", 5, "Women\xe2\x80\x99s"}, {"cafe", 6, "CAFÉ"},
    };
    check_tokens(a, s, strlen(s), 0, st, 6);
    hq_analyzer_free(a);
}

/* hq_analyzer_stem() gives what hq_analyze() indexes. */
static void test_stem_of_folded_word(void **state)
{
    (void)state;
    hq_analyzer *a = hq_analyzer_new();
    size_t n;
    const char *s = hq_analyzer_stem(a, "pregnancies", 11, &n);
    assert_non_null(s);
    assert_int_equal(n, 8);
    assert_string_equal(s, "pregnanc");
    assert_string_equal(hq_analyzer_stem(a, "women's", 7, &n), "women");
    assert_string_equal(hq_analyzer_stem(a, "covid19s", 8, &n), "covid19s"); /* a digit */
    char word[HQ_TEXT_MAX_WORD + 2];
    memset(word, 'a', sizeof word);
    memcpy(word + HQ_TEXT_MAX_STEM - 3, "ing", 3); /* 64 bytes: stemmed */
    s = hq_analyzer_stem(a, word, HQ_TEXT_MAX_STEM, &n);
    assert_int_equal(n, HQ_TEXT_MAX_STEM - 3);
    assert_int_equal(strlen(s), n);
    memcpy(word + HQ_TEXT_MAX_STEM - 2, "ing", 3); /* 65 bytes: not stemmed */
    s = hq_analyzer_stem(a, word, HQ_TEXT_MAX_STEM + 1, &n);
    assert_int_equal(n, HQ_TEXT_MAX_STEM + 1);
    assert_int_equal(strlen(s), n);
    assert_null(hq_analyzer_stem(a, word, HQ_TEXT_MAX_WORD + 1, &n));
    assert_int_equal(n, 0);
    assert_null(hq_analyzer_stem(a, word, 0, &n));
    hq_analyzer_free(a);
}

/* ---- bad input ----------------------------------------------------- */

static void test_empty(void **state)
{
    (void)state;
    hq_analyzer *a = hq_analyzer_new();
    hq_tokens t = {0};
    hq_analyze(a, "fever", 5, 0, &t);
    assert_int_equal(t.n, 1);
    hq_analyze(a, NULL, 0, 0, &t); /* resets out */
    assert_int_equal(t.n, 0);
    hq_analyze(a, "", 0, 0, &t);
    assert_int_equal(t.n, 0);
    hq_analyze(a, " \t\n.,;!?-'&", 11, 0, &t);
    assert_int_equal(t.n, 0);
    hq_tokens_free(&t);
    hq_tokens_free(&t); /* twice is fine */
    hq_tokens_free(NULL);
    hq_analyzer_free(a);
    hq_analyzer_free(NULL);
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    hq_analyzer *a = hq_analyzer_new();
    /* A stray continuation byte, bytes that never occur, a lead byte
     * followed by ASCII, an overlong '/', a surrogate, a code point past
     * U+10FFFF and a sequence cut by the end: each separates words. */
    const char s[] = "abc\x80"
                     "def\xff\xfe"
                     "ghi\xc3("
                     "jkl\xc0\xaf"
                     "mno\xed\xa0\x80"
                     "pqr\xf4\x90\x80\x80"
                     "stu\xe2\x82";
    const want w[] = {{"abc", 0, "abc"}, {"def", 1, "def"}, {"ghi", 2, "ghi"},
                      {"jkl", 3, "jkl"}, {"mno", 4, "mno"}, {"pqr", 5, "pqr"},
                      {"stu", 6, "stu"}};
    check_tokens(a, s, sizeof s - 1, 0, w, 7);
    /* Invalid bytes inside a would-be compound or number. */
    const char n[] = "covid-\xff" "19 2.\x80" "5";
    const want wn[] = {{"covid", 0, "covid"}, {"19", 1, "19"}, {"2", 2, "2"}, {"5", 3, "5"}};
    check_tokens(a, n, sizeof n - 1, 0, wn, 4);
    hq_analyzer_free(a);
}

static void test_embedded_nul(void **state)
{
    (void)state;
    hq_analyzer *a = hq_analyzer_new();
    const char s[] = "fever\0cough\0\0x-ray";
    const want w[] = {{"fever", 0, "fever"}, {"cough", 1, "cough"}, {"x-ray", 2, "x-ray"},
                      {"x", 2, "x"},         {"ray", 3, "ray"}};
    check_tokens(a, s, sizeof s - 1, 0, w, 5);
    hq_analyzer_free(a);
}

/* A 10 MB word is dropped (and takes its position); text around it is
 * analysed; a 10 MB compound keeps its parts. */
static void test_huge_word(void **state)
{
    (void)state;
    const size_t big = 10u << 20;
    char *s = hq_xmalloc(big + 32);
    memcpy(s, "fever ", 6);
    memset(s + 6, 'a', big);
    memcpy(s + 6 + big, " cough", 6);
    size_t len = big + 12;
    hq_analyzer *a = hq_analyzer_new();
    hq_tokens t = {0};
    hq_analyze(a, s, len, 0, &t);
    assert_int_equal(t.n, 2);
    assert_string_equal(t.items[0].term, "fever");
    assert_string_equal(t.items[1].term, "cough");
    assert_int_equal(t.items[1].pos, 2);
    assert_int_equal(t.items[1].start, big + 7);

    /* "abcdefgh-abcdefgh-...": the compound is too long, its 1.2 million
     * parts are not. */
    for (size_t i = 0; i + 9 <= big; i += 9)
        memcpy(s + i, "abcdefgh-", 9);
    len = big - big % 9 - 1; /* ends with "abcdefgh" */
    hq_analyze(a, s, len, 0, &t);
    assert_int_equal(t.n, (len + 1) / 9);
    assert_int_equal(t.items[t.n - 1].pos, t.n - 1);
    check_invariants(s, len, &t);

    /* One huge word of non-ASCII letters. */
    for (size_t i = 0; i + 2 <= big; i += 2)
        memcpy(s + i, "\xc3\xa9", 2);
    hq_analyze(a, s, big, 0, &t);
    assert_int_equal(t.n, 0);
    hq_tokens_free(&t);
    hq_analyzer_free(a);
    free(s);
}

/* Past HQ_TEXT_MAX_TOKENS tokens, the rest of the text is ignored. */
static void test_token_cap(void **state)
{
    (void)state;
    size_t n_words = HQ_TEXT_MAX_TOKENS + 1000;
    char *s = hq_xmalloc(2 * n_words);
    for (size_t i = 0; i < n_words; i++) {
        s[2 * i] = 'x';
        s[2 * i + 1] = ' ';
    }
    hq_analyzer *a = hq_analyzer_new();
    hq_tokens t = {0};
    hq_analyze(a, s, 2 * n_words, 0, &t);
    assert_int_equal(t.n, HQ_TEXT_MAX_TOKENS);
    assert_int_equal(t.items[t.n - 1].pos, HQ_TEXT_MAX_TOKENS - 1);
    hq_tokens_free(&t);
    hq_analyzer_free(a);
    free(s);
}

/* A fixed-seed generator (no clock, no rand()). */
static uint64_t next_random(uint64_t *x)
{
    *x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
    return *x >> 33;
}

/* Fills text with fewer than max pieces drawn with seed ("" stands for a
 * NUL byte), then, with bytes, overwrites them all with random bytes. */
static void random_text(hq_buf *text, uint64_t *seed, const char *const *pieces,
                        size_t n_pieces, size_t max, bool bytes)
{
    hq_buf_reset(text);
    size_t n = next_random(seed) % max;
    for (size_t i = 0; i < n; i++) {
        const char *p = pieces[next_random(seed) % n_pieces];
        hq_buf_append(text, p, p[0] ? strlen(p) : 1);
    }
    if (bytes)
        for (size_t i = 0; i < text->len; i++)
            text->data[i] = (char)next_random(seed);
}

/* Random text from pieces that exercise every rule, and random bytes:
 * the invariants hold, and each plain word analysed alone gives the
 * term it gave in context (what makes a query meet the index). */
static void test_random_text(void **state)
{
    (void)state;
    static const char *const pieces[] = {
        "a",  "Z",  "e\xcc\x81", "0",  "9",  "'",  "\xe2\x80\x99", "-", "\xe2\x80\x90",
        "&",  ".",  ",",  " ",   "\t", "\n", "\xc3\xa9", "\xc3\x89", "\xce\xb1",
        "\xe9\xab\x98", "\xe3\x81\x8c", "\xef\xbd\xb6", "\xef\xbe\x9e", "\xc2\xad",
        "\xcc\x81", "\xff", "\x80", "\xc3", "\xed\xa0\x80", "\0", "\xef\xbc\xa1",
        "\xe2\x85\xab", "\xc2\xb2", "ing", "the", "\xf0\x9f\x98\x80",
    };
    const size_t n_pieces = sizeof pieces / sizeof pieces[0];
    uint64_t seed = 42;
    hq_analyzer *a = hq_analyzer_new();
    hq_analyzer *b = hq_analyzer_new();
    hq_tokens t = {0}, one = {0};
    hq_buf text;
    hq_buf_init(&text, 0);
    for (int round = 0; round < 400; round++) {
        random_text(&text, &seed, pieces, n_pieces, 200, round % 4 == 3);
        unsigned flags = (unsigned)round % 4;
        hq_analyze(a, text.data, text.len, flags, &t);
        check_invariants(text.data, text.len, &t);
        for (size_t i = 0; i < t.n; i++) {
            const hq_token *k = &t.items[i];
            bool overlaid = (i + 1 < t.n && t.items[i + 1].pos == k->pos) ||
                            (i > 0 && t.items[i - 1].pos == k->pos);
            if (overlaid)
                continue; /* compounds and their first parts: see the vocabulary */
            /* (alone, a compound whose first part is a stop word comes
             * with its parts: the first token is the one to compare) */
            hq_analyze(b, text.data + k->start, k->end - k->start, flags, &one);
            if (one.n < 1 || one.items[0].len != k->len ||
                memcmp(one.items[0].term, k->term, k->len) != 0 || one.items[0].start != 0 ||
                one.items[0].end != k->end - k->start)
                fail_msg("round %d: [%.*s] gave %s in context, %zu tokens alone", round,
                         (int)(k->end - k->start), text.data + k->start, k->term, one.n);
        }
    }
    hq_buf_free(&text);
    hq_tokens_free(&t);
    hq_tokens_free(&one);
    hq_analyzer_free(a);
    hq_analyzer_free(b);
}

/* Once the term cache is full, terms are computed each time, and equal. */
static void test_full_cache(void **state)
{
    (void)state;
    const char *s = "Diseases of the ovaries, pregnancies and miscarriages: "
                    "Inflammation, menstruation, women's health, x-rays, caf\xc3\xa9s.";
    hq_analyzer *full = hq_analyzer_new();
    hq_analyzer *roomy = hq_analyzer_new();
    hq_analyzer_cache_limit(full, 3);
    hq_tokens t1 = {0}, t2 = {0};
    hq_buf b1, b2;
    hq_buf_init(&b1, 0);
    hq_buf_init(&b2, 0);
    for (int round = 0; round < 3; round++) {
        for (unsigned flags = 0; flags < 4; flags++) {
            hq_analyze(full, s, strlen(s), flags, &t1);
            hq_analyze(roomy, s, strlen(s), flags, &t2);
            assert_string_equal(joined_terms(&t1, &b1), joined_terms(&t2, &b2));
            assert_int_equal(t1.n, t2.n);
            for (size_t i = 0; i < t1.n; i++) {
                assert_int_equal(t1.items[i].pos, t2.items[i].pos);
                assert_int_equal(t1.items[i].start, t2.items[i].start);
                assert_int_equal(t1.items[i].end, t2.items[i].end);
            }
        }
    }
    hq_buf_free(&b1);
    hq_buf_free(&b2);
    hq_tokens_free(&t1);
    hq_tokens_free(&t2);
    hq_analyzer_free(full);
    hq_analyzer_free(roomy);
}

/* HQ_ANALYZE_IDS: the same term always gets the same id (cached words,
 * words the full cache computes again, and words spelled otherwise),
 * ids are dense and name their terms; clearing starts afresh. */
static void test_term_ids(void **state)
{
    (void)state;
    const char *s = "Fever, fevers and FEVER; the ovaries and an ovary. Fever again.";
    hq_analyzer *a = hq_analyzer_new(), *full = hq_analyzer_new();
    hq_analyzer_cache_limit(full, 2);
    hq_tokens t = {0}, u = {0};
    for (int round = 0; round < 2; round++) {
        hq_analyze(a, s, strlen(s), HQ_ANALYZE_IDS, &t);
        hq_analyze(full, s, strlen(s), HQ_ANALYZE_IDS, &u);
        assert_int_equal(t.n, u.n);
        for (size_t i = 0; i < t.n; i++) {
            size_t len;
            assert_true(t.items[i].id < hq_analyzer_n_ids(a));
            assert_string_equal(hq_analyzer_term(a, t.items[i].id, &len), t.items[i].term);
            assert_int_equal(len, t.items[i].len);
            assert_int_equal(t.items[i].id, u.items[i].id); /* same order of first sight */
            for (size_t j = 0; j < i; j++)
                assert_int_equal(t.items[i].id == t.items[j].id,
                                 strcmp(t.items[i].term, t.items[j].term) == 0);
        }
    }
    assert_int_equal(hq_analyzer_n_ids(a), 2); /* fever, ovari ("again" is a stop word) */
    hq_analyze(a, s, strlen(s), 0, &t); /* without the flag: no ids */
    assert_int_equal(t.items[0].id, HQ_NO_ID);
    hq_analyzer_clear_ids(a);
    assert_int_equal(hq_analyzer_n_ids(a), 0);
    hq_analyze(a, "ovary fever", 11, HQ_ANALYZE_IDS, &t);
    assert_int_equal(t.items[0].id, 0); /* ovari first now */
    assert_int_equal(t.items[1].id, 1);
    hq_tokens_free(&t);
    hq_tokens_free(&u);
    hq_analyzer_free(a);
    hq_analyzer_free(full);
}

/* An analyzer's dictionary (hq_analyzer_ids) names the ids its tokens
 * carry, keeps them from call to call, and starts afresh when cleared. */
static void test_analyzer_ids(void **state)
{
    (void)state;
    hq_analyzer *a = hq_analyzer_new();
    const hq_intern *ids = hq_analyzer_ids(a);
    assert_int_equal(hq_intern_size(ids), 0);
    hq_tokens t = {0};
    hq_analyze(a, "fever ovaries", 13, HQ_ANALYZE_IDS, &t); /* fever 0, ovari 1 */
    hq_analyze(a, "ovary fevers", 12, HQ_ANALYZE_IDS, &t);
    assert_int_equal(t.n, 2);
    assert_int_equal(t.items[0].id, 1);
    assert_int_equal(t.items[1].id, 0);
    assert_ptr_equal(hq_analyzer_ids(a), ids);
    assert_int_equal(hq_intern_size(ids), 2);
    size_t len;
    assert_string_equal(hq_intern_str(ids, 1, &len), "ovari");
    assert_int_equal(len, 5);
    hq_analyzer_clear_ids(a);
    assert_int_equal(hq_intern_size(ids), 0);
    hq_analyze(a, "ovary pain", 10, HQ_ANALYZE_IDS, &t);
    assert_int_equal(t.items[0].id, 0);
    assert_int_equal(t.items[1].id, 1);
    assert_string_equal(hq_intern_str(ids, 1, &len), "pain");
    hq_tokens_free(&t);
    hq_analyzer_free(a);
}

/* What hq_analyze_ids() appends, against hq_analyze(..., HQ_ANALYZE_IDS)
 * on a twin analyzer fed the same texts: ids of the same terms (a term
 * may be numbered in another order: hq_analyze_ids looks some words up
 * after the next ones), positions + base, the caller's doc and field,
 * and 1 + the last position. */
static void check_ids_like_analyze(hq_analyzer *twin, hq_analyzer *a, const char *text,
                                   size_t len, uint32_t base, hq_termpos **items, size_t *n,
                                   size_t *cap)
{
    hq_tokens t = {0};
    hq_analyze(twin, text, len, HQ_ANALYZE_IDS, &t);
    size_t from = *n;
    uint32_t end = hq_analyze_ids(a, text, len, 7, 2, base, items, n, cap);
    assert_int_equal(*n - from, t.n);
    for (size_t i = 0; i < t.n; i++) {
        const hq_termpos *p = &(*items)[from + i];
        size_t got_len = 0, twin_len = 0;
        const char *got = p->term < hq_analyzer_n_ids(a) ? hq_analyzer_term(a, p->term, &got_len)
                                                         : "?";
        const char *twins = hq_analyzer_term(twin, t.items[i].id, &twin_len);
        if (got_len != twin_len || memcmp(got, twins, twin_len) != 0 ||
            p->pos != base + t.items[i].pos || p->doc != 7 || p->field != 2)
            fail_msg("[%.*s] token %zu: got %u (%.*s)@%u, want %u (%.*s)@%u", (int)len, text,
                     i, p->term, (int)got_len, got, p->pos, t.items[i].id, (int)twin_len, twins,
                     base + t.items[i].pos);
    }
    assert_int_equal(end, t.n ? t.items[t.n - 1].pos + 1 : 0);
    assert_int_equal(hq_analyzer_n_ids(a), hq_analyzer_n_ids(twin));
    hq_tokens_free(&t);
}

/* The index builder's one-pass path gives what hq_analyze() gives: on
 * every line of the vocabulary, on random text (every rule, random
 * bytes), with a full term cache, and up to the token cap. */
static void test_analyze_ids(void **state)
{
    (void)state;
    static const char *const pieces[] = {
        "a", "Z", "e\xcc\x81", "0", "'", "\xe2\x80\x99", "-", "&", ".", ",", " ", "\n",
        "\xc3\xa9", "\xe9\xab\x98", "\xe3\x81\x8c", "\xc2\xad", "\xff", "\0", "ing",
        "the", "Fever", "ovaries", "x-ray", "covid-19", "abcdefghijklmnop", "non-small-cell",
    };
    const size_t n_pieces = sizeof pieces / sizeof pieces[0];
    hq_analyzer *twin = hq_analyzer_new(), *a = hq_analyzer_new();
    hq_analyzer *full_twin = hq_analyzer_new(), *full = hq_analyzer_new();
    hq_analyzer_cache_limit(full_twin, 5);
    hq_analyzer_cache_limit(full, 5);
    hq_termpos *items = NULL;
    size_t n = 0, cap = 0;

    test_tsv tsv;
    test_tsv_open(&tsv, VOCABULARY);
    test_tsv_line line;
    size_t n_lines = 0;
    while (test_tsv_next(&tsv, 2, &line)) {
        if (line.n_fields < 1 || line.len == 0 || line.text[0] == '#')
            continue;
        check_ids_like_analyze(twin, a, line.field[0], line.field_len[0], 3, &items, &n, &cap);
        n_lines++;
    }
    test_tsv_close(&tsv);
    assert_true(n_lines >= 80);

    uint64_t seed = 7;
    hq_buf text;
    hq_buf_init(&text, 0);
    for (int round = 0; round < 300; round++) {
        random_text(&text, &seed, pieces, n_pieces, 300, round % 5 == 4);
        n = round % 2 ? n : 0; /* appended after what is there, or from 0 */
        check_ids_like_analyze(twin, a, text.data, text.len, (uint32_t)round, &items, &n, &cap);
        check_ids_like_analyze(full_twin, full, text.data, text.len, 0, &items, &n, &cap);
    }
    hq_buf_free(&text);
    assert_int_equal(hq_analyze_ids(a, NULL, 0, 0, 0, 0, &items, &n, &cap), 0);

    size_t n_words = HQ_TEXT_MAX_TOKENS + 1000;
    char *s = hq_xmalloc(2 * n_words);
    for (size_t i = 0; i < n_words; i++) {
        s[2 * i] = i % 2 ? 'x' : 'y';
        s[2 * i + 1] = i % 3 ? ' ' : '-';
    }
    n = 5;
    uint32_t end = hq_analyze_ids(a, s, 2 * n_words, 0, 0, 0, &items, &n, &cap);
    assert_int_equal(n, 5 + HQ_TEXT_MAX_TOKENS);
    assert_int_equal(end, items[n - 1].pos + 1);
    n = 0;
    check_ids_like_analyze(twin, a, s, 2 * n_words, 0, &items, &n, &cap);
    free(s);
    free(items);
    hq_analyzer_free(twin);
    hq_analyzer_free(a);
    hq_analyzer_free(full_twin);
    hq_analyzer_free(full);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vocabulary),
        cmocka_unit_test(test_offsets_and_positions),
        cmocka_unit_test(test_positions_across_batches),
        cmocka_unit_test(test_keep_stopwords),
        cmocka_unit_test(test_no_stem),
        cmocka_unit_test(test_stem_of_folded_word),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_embedded_nul),
        cmocka_unit_test(test_huge_word),
        cmocka_unit_test(test_token_cap),
        cmocka_unit_test(test_random_text),
        cmocka_unit_test(test_full_cache),
        cmocka_unit_test(test_term_ids),
        cmocka_unit_test(test_analyzer_ids),
        cmocka_unit_test(test_analyze_ids),
    };
    return cmocka_run_group_tests_name("text/analyzer", tests, NULL, NULL);
}

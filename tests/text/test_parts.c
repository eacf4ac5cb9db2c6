/*
 * test_parts.c — the pieces of the analyzer one by one (src/text/): the
 * stop list, segmentation flags and batches, folding, the stemmer's
 * rules, and the term cache's bounds.
 */
#include "../support/test_support.h"

#include "text/text.h"

/* ---- stopwords.c --------------------------------------------------- */

static void test_stop_list(void **state)
{
    (void)state;
    size_t n;
    const char *const *list = hq_stopwords(&n);
    assert_true(n >= 120 && n <= 180);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && strcmp(list[i - 1], list[i]) >= 0)
            fail_msg("not sorted or not unique: %s, %s", list[i - 1], list[i]);
        assert_true(hq_is_stopword(list[i], strlen(list[i])));
    }
    static const char *const in[] = {"what", "why", "how", "is", "are", "does", "do", "can",
                                     "should", "i", "my", "the", "a", "of", "and", "i'm",
                                     "don't", "what's", "will", "may"};
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
        if (!hq_is_stopword(in[i], strlen(in[i])))
            fail_msg("%s should be a stop word", in[i]);
    static const char *const out[] = {"back", "pain", "period", "after", "before", "during",
                                      "between", "up", "out", "off", "over", "under", "below",
                                      "c", "d", "t", "s", "what?", "th", "yourselvess", ""};
    for (size_t i = 0; i < sizeof out / sizeof out[0]; i++)
        if (hq_is_stopword(out[i], strlen(out[i])))
            fail_msg("%s should not be a stop word", out[i]);
    assert_false(hq_is_stopword("The", 3)); /* folded input only */
    assert_true(hq_is_stopword("them", 3)); /* len counts, not the NUL */
}

/* ---- tokenizer.c --------------------------------------------------- */

static void test_word_flags(void **state)
{
    (void)state;
    const char *s = "plain caf\xc3\xa9 20mg covid-19 \xe9\xab\x98\xe8\xa1\x80 x\xe2\x80\x90ray";
    hq_word w[8];
    size_t at = 0;
    size_t n = hq_tokenize(s, strlen(s), &at, 0, w, 8);
    assert_int_equal(n, 6);
    assert_int_equal(at, strlen(s));
    assert_int_equal(w[0].flags, HQ_WORD_HASHED); /* 8 bytes readable: hashed in the scan */
    assert_int_equal(w[1].flags, HQ_WORD_NONASCII);
    assert_int_equal(w[2].flags, HQ_WORD_DIGIT);
    assert_int_equal(w[3].flags, HQ_WORD_DIGIT | HQ_WORD_HYPHEN);
    assert_int_equal(w[4].flags, HQ_WORD_CJK | HQ_WORD_NONASCII);
    assert_int_equal(w[5].flags, HQ_WORD_HYPHEN | HQ_WORD_NONASCII);
    assert_int_equal(hq_tokenize(s, strlen(s), &at, 0, w, 8), 0);

    /* Batches: max words at a time, *at just past the last. */
    at = 0;
    assert_int_equal(hq_tokenize(s, strlen(s), &at, 0, w, 2), 2);
    assert_int_equal(at, w[1].end);
    assert_int_equal(hq_tokenize(s, strlen(s), &at, 0, w, 2), 2);
    assert_int_equal(w[0].start, 12); /* "20mg" */

    /* Splitting a compound into its parts. */
    at = 0;
    const char *c = "non-small-cell";
    n = hq_tokenize(c, strlen(c), &at, HQ_TOKENIZE_SPLIT_HYPHENS, w, 8);
    assert_int_equal(n, 3);
    assert_int_equal(w[2].start, 10);
    assert_int_equal(w[2].end, 14);

    /* CJK characters with their marks. */
    const char *k = "\xe3\x81\x8b\xe3\x82\x99\xe3\x82\x93"; /* か + U+3099 + ん */
    assert_int_equal(hq_cjk_next(k, strlen(k), 0), 6);
    assert_int_equal(hq_cjk_next(k, strlen(k), 6), 9);
}

/* Connectors join only between the right neighbours. */
/* The key hash of the word's bytes, 8 at a time, zero-padded, as
 * text.h defines it (at least one zero byte: an 8-letter word takes a
 * second, empty load); *last: the last load. */
static uint64_t key_hash_of(const char *word, size_t len, uint64_t *last)
{
    uint64_t h = HQ_KEY_SEED;
    for (size_t i = 0; i <= len / 8; i++) {
        unsigned char b[8] = {0};
        memcpy(b, word + 8 * i, len - 8 * i < 8 ? len - 8 * i : 8);
        uint64_t x = 0;
        for (int k = 7; k >= 0; k--)
            x = x << 8 | b[k];
        h = hq_key_step(h, x);
        *last = x;
    }
    return hq_key_end(h, len, 0);
}

/* Words of ASCII letters are hashed while scanned, 8 bytes at a time,
 * the last load of a word near the end of the text from a zero-padded
 * copy ("tail" is under 8 bytes from the end), never reading past it;
 * the term cache finds the same terms either way. */
static void test_word_hash(void **state)
{
    (void)state;
    const char *s = "Fever, headaches and abdominal pain. tail";
    hq_word w[8];
    size_t at = 0;
    size_t n = hq_tokenize(s, strlen(s), &at, 0, w, 8);
    assert_int_equal(n, 6);
    for (size_t i = 0; i < n; i++) {
        size_t len = w[i].end - w[i].start;
        assert_int_equal(w[i].flags, HQ_WORD_HASHED);
        uint64_t last;
        assert_true(w[i].key_hash == key_hash_of(s + w[i].start, len, &last));
        assert_true(w[i].key_last == last);
    }
    /* a word ending exactly at the end, and one 8 bytes long there */
    const char *ends[] = {"pain", "abdomina", "headaches"};
    for (size_t i = 0; i < sizeof ends / sizeof *ends; i++) {
        size_t len = strlen(ends[i]);
        char *copy = malloc(len); /* no NUL: a read past the end is caught by ASan */
        memcpy(copy, ends[i], len);
        at = 0;
        hq_word one;
        assert_int_equal(hq_tokenize(copy, len, &at, 0, &one, 1), 1);
        assert_int_equal(one.end, len);
        assert_int_equal(one.flags, HQ_WORD_HASHED);
        uint64_t last;
        assert_true(one.key_hash == key_hash_of(ends[i], len, &last));
        assert_true(one.key_last == last);
        free(copy);
    }
    assert_int_equal(w[3].end - w[3].start, 9); /* "abdominal": two loads */

    hq_termcache *c = hq_termcache_new();
    hq_term *terms[8];
    assert_int_equal(hq_termcache_get_words(c, s, strlen(s), w, n, terms), n);
    hq_term *again[8];
    assert_int_equal(hq_termcache_get_words(c, s, strlen(s), w, n, again), n);
    for (size_t i = 0; i < n; i++) {
        assert_ptr_equal(terms[i], again[i]); /* found, by hash or not */
        hq_term *t = hq_termcache_get(c, s + w[i].start, w[i].end - w[i].start, 0, 0);
        assert_ptr_equal(t, terms[i]);
    }
    assert_string_equal(terms[0]->stem, "fever");
    assert_string_equal(terms[3]->stem, "abdomin");
    assert_true(terms[2]->stop); /* "and" */
    assert_int_equal(hq_termcache_size(c), n);

    /* A compound is left to the caller; a full cache stops the batch
     * before the first word it cannot keep. */
    const char *t2 = "x-ray shows nothing unusual here";
    at = 0;
    n = hq_tokenize(t2, strlen(t2), &at, 0, w, 8);
    assert_int_equal(n, 5);
    hq_termcache_limit(c, hq_termcache_size(c) + 1);
    assert_int_equal(hq_termcache_get_words(c, t2, strlen(t2), w, n, terms), 2);
    assert_null(terms[0]);
    assert_true(terms[1]->cached);
    hq_termcache_free(c);
}

static void test_connectors(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        size_t n_words;
    } cases[] = {
        {"o'clock", 1},  {"o''clock", 2}, {"'o'", 1},   {"1'2", 2},    {"a'1", 2},
        {"a&b", 1},      {"1&2", 2},      {"a&&b", 2},  {"a-1", 1},    {"1-a", 1},
        {"a--1", 2},     {"-a-", 1},      {"1.2", 1},   {"a.b", 2},    {"1.a", 2},
        {"1,2,3", 1},    {"1,,2", 2},     {"a\xc2\xad" "b", 1},         {"\xc2\xad" "ab", 1},
        {"a\xe2\x80\x99s", 1},            {"\xe2\x80\x99s", 1},         {"a\xe2\x80\x91" "b", 1},
        {"\xcc\x81" "a", 1},              {"a\xcc\x81'b", 1},           {"1\xcc\x81.2", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hq_word w[4];
        size_t at = 0;
        size_t n = hq_tokenize(cases[i].text, strlen(cases[i].text), &at, 0, w, 4);
        if (n != cases[i].n_words)
            fail_msg("%s: %zu words, want %zu", cases[i].text, n, cases[i].n_words);
    }
}

/* ---- normalize.c --------------------------------------------------- */

static void test_fold(void **state)
{
    (void)state;
    hq_folder *f = hq_xmalloc(sizeof *f);
    static const struct {
        const char *in, *out;
        unsigned opts;
    } cases[] = {
        {"HeLLo", "hello", 0},
        {"CAF\xc3\x89", "cafe", 0},
        {"e\xcc\x81t\xc3\xa9", "ete", 0},             /* combining and precomposed */
        {"\xef\xbc\xa1\xef\xbd\x82", "ab", 0},        /* full width */
        {"women\xe2\x80\x99s", "women's", 0},          /* curly apostrophe */
        {"x\xe2\x80\x91ray", "x-ray", 0},              /* non-breaking hyphen */
        {"in\xc2\xad" "flam", "inflam", 0},            /* soft hyphen */
        {"\xce\xa3\xce\x9f\xce\xa6\xce\x8a\xce\x91", "\xcf\x83\xce\xbf\xcf\x86\xce\xb9\xce\xb1", 0},
        {"\xe3\x81\x8c", "\xe3\x81\x8b", 0},           /* が: the mark goes... */
        {"\xe3\x81\x8c", "\xe3\x81\x8c", HQ_FOLD_KEEP_MARKS}, /* ...unless kept */
        {"\xef\xbd\xb6\xef\xbe\x9e", "\xe3\x82\xac", HQ_FOLD_KEEP_MARKS}, /* ｶﾞ → ガ */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n;
        const char *got = hq_fold(f, cases[i].in, strlen(cases[i].in), cases[i].opts, &n);
        assert_non_null(got);
        assert_int_equal(n, strlen(got));
        if (strcmp(got, cases[i].out) != 0)
            fail_msg("fold(%s) = %s, want %s", cases[i].in, got, cases[i].out);
    }
    size_t n = 1;
    assert_null(hq_fold(f, "\xcc\x81", 2, 0, &n)); /* a lone accent folds to nothing */
    assert_int_equal(n, 0);
    assert_null(hq_fold(f, "", 0, 0, &n));
    assert_null(hq_fold(f, "\xff", 1, 0, &n)); /* not UTF-8 */
    char big[HQ_TEXT_MAX_WORD + 1];
    memset(big, 'A', sizeof big);
    assert_null(hq_fold(f, big, HQ_TEXT_MAX_WORD + 1, 0, &n));
    assert_non_null(hq_fold(f, big, HQ_TEXT_MAX_WORD, 0, &n));
    /* 42 x U+FB03 (ﬃ): 126 bytes written, 126 folded ("ffi" x 42) */
    char lig[3 * 42];
    for (int i = 0; i < 42; i++)
        memcpy(lig + 3 * i, "\xef\xac\x83", 3);
    assert_non_null(hq_fold(f, lig, sizeof lig, 0, &n));
    assert_int_equal(n, 126);
    /* 5 x U+FDFA: 15 bytes written, 5 x 33 folded: too long */
    const char *fdfa = "\xef\xb7\xba\xef\xb7\xba\xef\xb7\xba\xef\xb7\xba\xef\xb7\xba";
    assert_null(hq_fold(f, fdfa, 15, 0, &n));
    assert_non_null(hq_fold(f, fdfa, 3, 0, &n)); /* one: 33 bytes */
    free(f);
}

/* ---- stemmer.c ----------------------------------------------------- */

static void test_stemmer_rules(void **state)
{
    (void)state;
    hq_stemmer *st = hq_stemmer_new();
    size_t n;
    const char *w = "inflammation";
    const char *s = hq_stem(st, w, strlen(w), &n);
    assert_true(s != w);
    assert_int_equal(n, 7);
    assert_memory_equal(s, "inflamm", 7);
    w = "pain"; /* Snowball leaves it: the same pointer */
    assert_ptr_equal(hq_stem(st, w, 4, &n), w);
    w = "covid19s";
    assert_ptr_equal(hq_stem(st, w, 8, &n), w);
    char long_word[HQ_TEXT_MAX_STEM + 8];
    memset(long_word, 'a', sizeof long_word);
    memcpy(long_word + HQ_TEXT_MAX_STEM - 2, "ing", 3);
    assert_ptr_equal(hq_stem(st, long_word, HQ_TEXT_MAX_STEM + 1, &n), long_word);
    assert_int_equal(n, HQ_TEXT_MAX_STEM + 1);
    hq_stemmer_free(st);
    hq_stemmer_free(NULL);
}

/* ---- termcache.c --------------------------------------------------- */

static void test_termcache(void **state)
{
    (void)state;
    hq_termcache *c = hq_termcache_new();
    const hq_term *t = hq_termcache_get(c, "Running", 7, 7, 0);
    assert_true(t->cached);
    assert_string_equal(t->folded, "running");
    assert_string_equal(t->stem, "run");
    assert_false(t->stop);
    const char *stem = t->stem;
    t = hq_termcache_get(c, "The", 3, 3, 0);
    assert_true(t->stop);
    assert_string_equal(t->folded, "the");
    t = hq_termcache_get(c, "Running", 7, 7, 0);
    assert_ptr_equal(t->stem, stem); /* the same entry */
    assert_int_equal(hq_termcache_size(c), 2);
    /* The key is the word's bytes only, whatever follows it. */
    t = hq_termcache_get(c, "Running shoes", 7, 13, 0);
    assert_ptr_equal(t->stem, stem);
    assert_int_equal(hq_termcache_size(c), 2);
    /* Folded forms equal to the key share its bytes; NUL-terminated. */
    t = hq_termcache_get(c, "abcdefgh", 8, 8, 0);
    assert_string_equal(t->folded, "abcdefgh");
    /* Dropped words. */
    t = hq_termcache_get(c, "\xcc\x81", 2, 2, 0);
    assert_null(t->folded);
    char big[HQ_TEXT_MAX_WORD + 1];
    memset(big, 'a', sizeof big);
    t = hq_termcache_get(c, big, sizeof big, sizeof big, 0);
    assert_null(t->folded);
    assert_null(t->stem);

    /* Full: new words are temporaries, with the right values. */
    hq_termcache_limit(c, hq_termcache_size(c));
    size_t full = hq_termcache_size(c);
    t = hq_termcache_get(c, "Pregnancies", 11, 11, 0);
    assert_false(t->cached);
    assert_string_equal(t->folded, "pregnancies");
    assert_string_equal(t->stem, "pregnanc");
    t = hq_termcache_get(c, "CAF\xc3\x89", 5, 5, 0);
    assert_false(t->cached);
    assert_string_equal(t->stem, "cafe");
    assert_ptr_equal(t->stem, t->folded);
    t = hq_termcache_get(c, "Running", 7, 7, 0); /* still cached */
    assert_true(t->cached);
    assert_int_equal(hq_termcache_size(c), full);
    hq_termcache_free(c);

    /* Growth: many words, all found again with their own terms. */
    c = hq_termcache_new();
    char w[32];
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < 20000; i++) {
            int len = snprintf(w, sizeof w, "w%dx", i);
            t = hq_termcache_get(c, w, (size_t)len, (size_t)len, 0);
            assert_int_equal(t->folded_len, len);
            assert_memory_equal(t->folded, w, (size_t)len);
        }
    assert_int_equal(hq_termcache_size(c), 20000);
    hq_termcache_free(c);
    hq_termcache_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stop_list),     cmocka_unit_test(test_word_flags),
        cmocka_unit_test(test_word_hash),
        cmocka_unit_test(test_connectors),    cmocka_unit_test(test_fold),
        cmocka_unit_test(test_stemmer_rules), cmocka_unit_test(test_termcache),
    };
    return cmocka_run_group_tests_name("text/parts", tests, NULL, NULL);
}

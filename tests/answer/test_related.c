/*
 * test_related.c — the scoring and selection of related articles
 * (src/answer/related.c) on hand-made candidates: each reason and its
 * value, the relevance floor (concept link, text alone, a source without
 * text), the order (score, trust, id; independent of the input order),
 * the diversity across linked concepts, the grouping by title, the
 * reasons' wording and the parameter file.
 */
#include "../support/test_support.h"
#include "answer/answer.h"
#include "index/index.h"

enum { FOCUS = 10, MISCARRIAGE = 11, PID = 12, OTHER = 13, LOW_BACK = 14, IPHONE = 15 };

static const hq_related_concept focus = {FOCUS, "Back pain", "C23.888.592.612.107", 1};
static const hq_related_concept named[] = {
    {MISCARRIAGE, "miscarriage", "C13.703.039", 1},
    {PID, "pelvic inflammatory disease", "C01.150.252.400.700;C13.351.500.056.630", 0.5},
};

static hq_related_source source(void)
{
    return (hq_related_source){&focus, named, 2, true};
}

/* A candidate about concept c (tree t) with text similarity text. */
static hq_related_cand cand(const char *id, uint32_t c, const char *t, double text, int trust)
{
    hq_related_cand x = {.article_id = id, .title_key = id, .trust = trust, .text = text,
                         .shared = 5, .n_concepts = 1};
    x.concepts[0] = c;
    x.trees[0] = t;
    return x;
}

static void test_reasons_and_values(void **state)
{
    hq_related_params p;
    hq_related_defaults(&p);
    hq_related_source s = source();
    hq_related_cand same = cand("a", FOCUS, focus.tree, 0.2, HQ_TRUST_HIGH);
    hq_related_score(&p, &s, &same);
    assert_true(same.kept);
    assert_int_equal(same.why, HQ_WHY_SAME_FOCUS);
    assert_true(same.concept_score == 1.0);
    assert_true(same.score > 0.2 + 0.5 - 1e-9 && same.score < 0.2 + 0.5 + 0.05 + 1e-9);

    hq_related_cand mis = cand("b", MISCARRIAGE, named[0].tree, 0.2, HQ_TRUST_HIGH);
    hq_related_score(&p, &s, &mis);
    assert_true(mis.why & HQ_WHY_NAMED);
    assert_ptr_equal(mis.named, &named[0]);
    assert_true(mis.concept_score > 0.79 && mis.concept_score < 0.81);

    /* PID is named half as firmly: 0.8 * 0.5 */
    hq_related_cand pid = cand("c", PID, named[1].tree, 0.2, HQ_TRUST_HIGH);
    hq_related_score(&p, &s, &pid);
    assert_true(pid.concept_score > 0.39 && pid.concept_score < 0.41);

    /* low back pain sits five levels under C23 with back pain: (5 - 1) *
     * 0.15 = 0.6, the most a branch gives */
    hq_related_cand low = cand("d", LOW_BACK, "C23.888.592.612.107.400", 0.2, HQ_TRUST_HIGH);
    hq_related_score(&p, &s, &low);
    assert_int_equal(low.why, HQ_WHY_BRANCH);
    assert_string_equal(low.branch, "C23.888.592.612.107");
    assert_true(low.concept_score > 0.59 && low.concept_score < 0.61);

    /* two levels only (C23.888): 0.15, under the 0.3 of a link */
    hq_related_cand far = cand("e", OTHER, "C23.888.119", 0.2, HQ_TRUST_HIGH);
    hq_related_score(&p, &s, &far);
    assert_true(far.concept_score > 0.14 && far.concept_score < 0.16);
    assert_false(far.kept);

    /* a concept of the title, not the focus, counts 0.8 of it */
    hq_related_cand t = cand("f", OTHER, NULL, 0.2, HQ_TRUST_HIGH);
    t.concepts[1] = FOCUS;
    t.trees[1] = focus.tree;
    t.n_concepts = 2;
    hq_related_score(&p, &s, &t);
    assert_true(t.why & HQ_WHY_SAME_FOCUS);
    assert_true(t.concept_score > 0.79 && t.concept_score < 0.81);
}

static void test_floor(void **state)
{
    hq_related_params p;
    hq_related_defaults(&p);
    hq_related_source s = source();
    /* a concept link with almost no text in common */
    hq_related_cand weak = cand("a", FOCUS, focus.tree, 0.05, HQ_TRUST_HIGH);
    hq_related_score(&p, &s, &weak);
    assert_false(weak.kept);
    /* no concept link: similar text alone, with enough key terms */
    hq_related_cand text = cand("b", IPHONE, "L01.224", 0.5, HQ_TRUST_UNKNOWN);
    hq_related_score(&p, &s, &text);
    assert_true(text.kept);
    assert_int_equal(text.why, HQ_WHY_TEXT);
    /* ... but one rare word in common is not similar text */
    text.shared = 1;
    hq_related_score(&p, &s, &text);
    assert_false(text.kept);
    assert_int_equal(text.why, 0);
    /* ... and a source without a text of its own relates by concepts only */
    text.shared = 5;
    s.has_text = false;
    hq_related_score(&p, &s, &text);
    assert_false(text.kept);
    /* a candidate without any concept */
    hq_related_cand none = cand("c", HQ_NO_CONCEPT, NULL, 0.3, HQ_TRUST_HIGH);
    s.has_text = true;
    hq_related_score(&p, &s, &none);
    assert_false(none.kept);
    assert_true(none.concept_score == 0);
    /* a source without a focus still links through what it names */
    s.focus = NULL;
    hq_related_cand mis = cand("d", MISCARRIAGE, named[0].tree, 0.2, HQ_TRUST_HIGH);
    hq_related_score(&p, &s, &mis);
    assert_true(mis.kept);
}

/* The ids of c[0..n) joined by spaces, into buf. */
static const char *ids(const hq_related_cand *c, size_t n, char *buf, size_t size)
{
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(buf);
        snprintf(buf + len, size - len, "%s%s", i ? " " : "", c[i].article_id);
    }
    return buf;
}

static void test_order_trust_and_determinism(void **state)
{
    hq_related_params p;
    hq_related_defaults(&p);
    p.diversity = 1; /* no diversity: the plain score order */
    hq_related_source s = source();
    hq_related_cand c[] = {
        cand("z-unknown", FOCUS, focus.tree, 0.3, HQ_TRUST_UNKNOWN),
        cand("y-high", FOCUS, focus.tree, 0.3, HQ_TRUST_HIGH),
        cand("b-junk", IPHONE, NULL, 0.2, HQ_TRUST_HIGH),
        cand("x-mis", MISCARRIAGE, named[0].tree, 0.6, HQ_TRUST_LOW),
        cand("a-high", FOCUS, focus.tree, 0.3, HQ_TRUST_HIGH),
    };
    size_t n = sizeof c / sizeof *c;
    char got[256], again[256];
    size_t kept = hq_related_select(&p, &s, c, n);
    assert_int_equal(kept, 4); /* the junk page is under the floor */
    /* equally related: the trusted ones first, then by id */
    assert_string_equal(ids(c, kept, got, sizeof got), "x-mis a-high y-high z-unknown");
    for (size_t i = 1; i < kept; i++)
        assert_true(c[i - 1].score >= c[i].score);
    /* any input order gives the same list */
    uint64_t rnd = 42;
    for (int round = 0; round < 20; round++) {
        test_shuffle(c, n, sizeof *c, &rnd);
        assert_int_equal(hq_related_select(&p, &s, c, n), kept);
        assert_string_equal(ids(c, kept, again, sizeof again), got);
    }
}

static void test_diversity(void **state)
{
    hq_related_params p;
    hq_related_defaults(&p);
    hq_related_source s = source();
    /* three pages about the focus, a little more similar than the page
     * about miscarriage: without diversity they all come first */
    hq_related_cand c[] = {
        cand("f1", FOCUS, focus.tree, 0.40, HQ_TRUST_HIGH),
        cand("f2", FOCUS, focus.tree, 0.39, HQ_TRUST_HIGH),
        cand("f3", FOCUS, focus.tree, 0.38, HQ_TRUST_HIGH),
        cand("mis", MISCARRIAGE, named[0].tree, 0.30, HQ_TRUST_HIGH),
    };
    char got[128];
    p.diversity = 1;
    hq_related_select(&p, &s, c, 4);
    assert_string_equal(ids(c, 4, got, sizeof got), "f1 f2 f3 mis");
    p.diversity = 0.6;
    hq_related_select(&p, &s, c, 4);
    assert_string_equal(ids(c, 4, got, sizeof got), "f1 mis f2 f3");
    /* scores are those the candidates were picked with: never rising */
    for (size_t i = 1; i < 4; i++)
        assert_true(c[i - 1].score >= c[i].score);
    assert_ptr_equal(c[1].via, &named[0]);
}

static void test_same_title(void **state)
{
    hq_related_params p;
    hq_related_defaults(&p);
    hq_related_source s = source();
    hq_related_cand c[] = {
        cand("medlineplus:1", FOCUS, focus.tree, 0.5, HQ_TRUST_HIGH),
        cand("medquad:2", FOCUS, focus.tree, 0.45, HQ_TRUST_HIGH),
        cand("page:3", FOCUS, focus.tree, 0.4, HQ_TRUST_UNKNOWN),
    };
    c[0].title_key = c[1].title_key = "back pain";
    c[2].title_key = "";
    size_t kept = hq_related_select(&p, &s, c, 3);
    assert_int_equal(kept, 3);
    assert_int_equal(c[0].same_title_of, 0);
    assert_int_equal(c[1].same_title_of, 0);
    assert_int_equal(c[2].same_title_of, 2); /* an empty key groups with nothing */
}

static void test_why(void **state)
{
    hq_related_params p;
    hq_related_defaults(&p);
    hq_related_source s = source();
    hq_related_cand c = cand("a", FOCUS, focus.tree, 0.5, HQ_TRUST_HIGH);
    c.concepts[1] = LOW_BACK;
    c.trees[1] = "C23.888.592.612.107.400";
    c.n_concepts = 2;
    hq_related_score(&p, &s, &c);
    json_t *why = hq_related_why(&s, &c);
    char *text = json_dumps(why, JSON_COMPACT);
    assert_string_equal(text, "[\"same focus: Back pain\",\"MeSH branch C23.888.592.612.107\","
                              "\"similar text\"]");
    free(text);
    json_decref(why);
    hq_related_cand m = cand("b", MISCARRIAGE, named[0].tree, 0.1, HQ_TRUST_HIGH);
    hq_related_score(&p, &s, &m);
    why = hq_related_why(&s, &m);
    text = json_dumps(why, JSON_COMPACT);
    assert_string_equal(text, "[\"named in this article: miscarriage\"]");
    free(text);
    json_decref(why);
}

static void test_params(void **state)
{
    char dir[128], path[256];
    test_make_temp_dir(dir, sizeof dir, "related");
    snprintf(path, sizeof path, "%s/related.conf", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("# a comment\nrelated.concept = 0.25\nmlt.terms = 10\n", f);
    fclose(f);
    hq_related_params p;
    hq_error err = {0};
    assert_int_equal(hq_related_load(path, &p, &err), HQ_OK);
    assert_true(p.w_concept == 0.25 && p.terms == 10 && p.named == 0.8);
    f = fopen(path, "w");
    fputs("related.concept = 0.25\nrelated.bogus = 1\n", f);
    fclose(f);
    hq_error_clear(&err);
    assert_int_equal(hq_related_load(path, &p, &err), HQ_EFORMAT);
    assert_int_equal(err.line, 2);
    f = fopen(path, "w");
    fputs("related.named = 2\n", f); /* out of 0..1 */
    fclose(f);
    hq_error_clear(&err);
    assert_int_equal(hq_related_load(path, &p, &err), HQ_EFORMAT);
    /* the shipped file loads */
    hq_error_clear(&err);
    assert_int_equal(hq_related_load(HQ_DATA_DIR "/related.conf", &p, &err), HQ_OK);
    test_remove_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reasons_and_values),
        cmocka_unit_test(test_floor),
        cmocka_unit_test(test_order_trust_and_determinism),
        cmocka_unit_test(test_diversity),
        cmocka_unit_test(test_same_title),
        cmocka_unit_test(test_why),
        cmocka_unit_test(test_params),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

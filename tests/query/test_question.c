/*
 * test_question.c — the phrase dictionary (phrases.c), the concept table
 * (vocab.c) and question analysis (question.c) on small fixtures
 * (tests/fixtures/query/mesh.tsv, lay.tsv, abbrev.tsv) and the project's
 * own cue table (data/question_cues.tsv).
 */
#include "../support/test_support.h"

#include "query/query.h"

#include <string.h>

typedef struct world {
    hq_analyzer *a;
    hq_vocab *v;
    hq_cues *c;
    hq_question_weights w;
} world;

static int setup(void **state)
{
    world *x = hq_xcalloc(1, sizeof *x);
    x->a = hq_analyzer_new();
    x->v = hq_vocab_new();
    hq_error err;
    size_t n_unresolved = 0;
    hq_error_clear(&err);
    if (hq_vocab_load_mesh(x->v, x->a, HQ_FIXTURES "/query/mesh.tsv", &err) != HQ_OK ||
        hq_vocab_load_lay(x->v, x->a, HQ_FIXTURES "/query/lay.tsv", &n_unresolved, &err) != HQ_OK ||
        n_unresolved != 0 ||
        hq_vocab_load_abbrev(x->v, x->a, HQ_FIXTURES "/query/abbrev.tsv", &err) != HQ_OK ||
        hq_cues_load(HQ_DATA_DIR "/question_cues.tsv", x->a, &x->c, &err) != HQ_OK) {
        fprintf(stderr, "setup: %s\n", err.message);
        return -1;
    }
    const char *syn[] = {"Glucophage XR"};
    uint32_t c = hq_vocab_add_topic(x->v, x->a, "Metformin", syn, 1, HQ_GROUP_DRUG,
                                    HQ_CONCEPT_FOCUS);
    hq_vocab_set_article(x->v, "medquad:MPlusDrugs_1", c);
    hq_question_weights_default(&x->w);
    *state = x;
    return 0;
}

static int teardown(void **state)
{
    world *x = *state;
    hq_cues_free(x->c);
    hq_vocab_free(x->v);
    hq_analyzer_free(x->a);
    free(x);
    return 0;
}

static const char *focus_name(const world *x, const hq_question *q)
{
    const hq_concept *c = hq_vocab_concept(x->v, q->focus);
    return c ? c->name : "(none)";
}

static void test_phrasemap_longest_and_order(void **state)
{
    (void)state;
    hq_phrasemap *m = hq_phrasemap_new();
    uint64_t t[3] = {11, 22, 33};
    assert_false(hq_phrasemap_add(m, t, 0, 1, 0));
    assert_true(hq_phrasemap_add(m, t, 1, 1, 0));
    assert_true(hq_phrasemap_add(m, t, 3, 2, 0));
    assert_true(hq_phrasemap_add(m, t, 3, 3, HQ_PHRASE_PREFERRED));
    uint32_t node;
    assert_int_equal(hq_phrasemap_longest(m, t, 3, &node), 3);
    hq_phrase_payload p[4];
    assert_int_equal(hq_phrasemap_payloads(m, node, p, 4), 2);
    assert_int_equal(p[0].value, 3); /* preferred first */
    assert_int_equal(p[1].value, 2);
    assert_int_equal(hq_phrasemap_longest(m, t, 2, &node), 1); /* 11 22 is no phrase */
    uint64_t other[2] = {22, 33};
    assert_int_equal(hq_phrasemap_longest(m, other, 2, &node), 0);
    assert_int_equal(hq_phrasemap_size(m), 2);
    hq_phrasemap_free(m);
}

/* The concept found for the whole of text (or "(none)"). */
static const char *concept_of(world *x, const char *text)
{
    hq_tokens t = {0};
    hq_analyze(x->a, text, strlen(text), 0, &t);
    hq_concept_match m[4];
    size_t n = hq_vocab_match(x->v, text, &t, m, 4);
    hq_tokens_free(&t);
    return n == 1 ? hq_vocab_concept(x->v, m[0].concept)->name : "(none)";
}

static void test_vocab_phrases(void **state)
{
    world *x = *state;
    assert_string_equal(concept_of(x, "lower back pains"), "low back pain");
    assert_string_equal(concept_of(x, "low backache"), "low back pain"); /* inverted entry */
    assert_string_equal(concept_of(x, "my waist is so sore"), "low back pain");
    assert_string_equal(concept_of(x, "the coil"), "intrauterine devices");
    assert_string_equal(concept_of(x, "Miscarriages"), "abortion, spontaneous");
    assert_string_equal(concept_of(x, "glucophage xr"), "metformin"); /* topic joined MeSH */
    assert_int_equal(hq_vocab_article(x->v, "medquad:MPlusDrugs_1"),
                     hq_vocab_article(x->v, "medquad:MPlusDrugs_1"));
    assert_int_equal(hq_vocab_article(x->v, "nope"), HQ_NO_CONCEPT);
}

static void test_abbreviations_need_capitals(void **state)
{
    world *x = *state;
    assert_string_equal(concept_of(x, "IUD"), "intrauterine devices");
    assert_string_equal(concept_of(x, "MI"), "myocardial infarction");
    assert_string_equal(concept_of(x, "mi"), "(none)");  /* two letters: capitals only */
    assert_string_equal(concept_of(x, "ZZZ"), "(none)"); /* meaning unknown: not added */
}

static void test_lay_file_errors(void **state)
{
    world *x = *state;
    hq_error err;
    size_t n_unresolved = 0;
    hq_error_clear(&err);
    assert_int_equal(
        hq_vocab_load_lay(x->v, x->a, HQ_FIXTURES "/query/lay_bad.tsv", &n_unresolved, &err),
        HQ_OK);
    assert_int_equal(n_unresolved, 1); /* its concept is unknown: skipped, counted */
    assert_int_equal(
        hq_vocab_load_lay(x->v, x->a, HQ_FIXTURES "/query/lay_short.tsv", &n_unresolved, &err),
        HQ_EFORMAT);
    assert_int_equal(err.line, 2);
    hq_error_clear(&err);
    assert_int_equal(
        hq_vocab_load_lay(x->v, x->a, HQ_FIXTURES "/query/none.tsv", &n_unresolved, &err),
        HQ_EIO);
}

static void analyze(world *x, const char *text, hq_question *q)
{
    assert_int_equal(hq_question_analyze(x->v, x->c, x->a, &x->w, text, strlen(text), q), HQ_OK);
}

static const hq_key_term *key(const hq_question *q, const char *term)
{
    for (size_t i = 0; i < q->n_keys; i++)
        if (strcmp(q->keys[i].term, term) == 0)
            return &q->keys[i];
    return NULL;
}

static void test_question_focus_context_ignored(void **state)
{
    world *x = *state;
    const char *text = "Hi, since my IUD was put in my waist is so sore, is this normal?? Thanks";
    hq_question q;
    analyze(x, text, &q);
    assert_string_equal(focus_name(x, &q), "low back pain");
    assert_true(q.context.end > 0);
    assert_memory_equal(text + q.context.start, "since my IUD was put in my waist", 32);
    assert_int_equal(q.n_ignored, 2); /* "Hi", "Thanks" */
    assert_null(key(&q, "hi"));
    assert_null(key(&q, "thank"));
    assert_int_equal(key(&q, "waist")->role, HQ_ROLE_FOCUS);
    assert_int_equal(key(&q, "iud")->role, HQ_ROLE_CONTEXT);
    hq_question_free(&q);
}

static void test_question_types(void **state)
{
    world *x = *state;
    static const struct {
        const char *text, *type;
    } cases[] = {
        {"What causes lower back pain?", "causes"},
        {"what is the treatment for back pain and what causes it", "treatment"}, /* tie: earliest */
        {"How to prevent a heart attack", "prevention"},
        {"Does metformin cause weight gain?", "side effects"}, /* a drug: side effects */
        {"back pain", "information"},
        {"What is the maximum daily dose of metformin?", "dose"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        hq_question q;
        analyze(x, cases[i].text, &q);
        if (strcmp(q.type, cases[i].type) != 0)
            fail_msg("\"%s\": type %s, expected %s", cases[i].text, q.type, cases[i].type);
        hq_question_free(&q);
    }
}

static void test_ambiguous_abbreviation_resolved_by_context(void **state)
{
    world *x = *state;
    hq_question q;
    analyze(x, "Can PID after a miscarriage cause pelvic inflammatory disease pain?", &q);
    size_t i = 0;
    while (i < q.n_matches && q.matches[i].start != 4)
        i++;
    assert_true(i < q.n_matches);
    assert_string_equal(hq_vocab_concept(x->v, q.matches[i].concept)->name,
                        "pelvic inflammatory disease");
    hq_question_free(&q);
}

static void test_question_never_fails(void **state)
{
    world *x = *state;
    static const char *const texts[] = {"", "   ", "\xff\xfe\x00zz", "???", "the of and"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        hq_question q;
        analyze(x, texts[i], &q);
        assert_int_equal(q.focus, HQ_NO_CONCEPT);
        hq_question_free(&q);
    }
    char big[HQ_MAX_QUERY_BYTES + 100];
    memset(big, 'a', sizeof big);
    hq_question q;
    assert_int_equal(hq_question_analyze(x->v, x->c, x->a, &x->w, big, sizeof big, &q), HQ_OK);
    hq_question_free(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_phrasemap_longest_and_order),
        cmocka_unit_test(test_vocab_phrases),
        cmocka_unit_test(test_abbreviations_need_capitals),
        cmocka_unit_test(test_lay_file_errors),
        cmocka_unit_test(test_question_focus_context_ignored),
        cmocka_unit_test(test_question_types),
        cmocka_unit_test(test_ambiguous_abbreviation_resolved_by_context),
        cmocka_unit_test(test_question_never_fails),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

/*
 * test_dedup.c — near-duplicate fingerprints (src/rank/dedup.c) on
 * constructed pairs, each threshold tested on both sides: identical
 * text, a few words changed, reordered paragraphs, shared boilerplate,
 * short and empty texts, non-ASCII; the stored form; corpus clustering
 * (banded against exhaustive and against the known groups); grouping of
 * hits.
 */
#include "../support/test_support.h"

#include "rank/rank.h"

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

/* A text of n words "w<number>" (numbers below vocab), seeded. */
static void random_words(hq_buf *b, size_t n, uint32_t vocab)
{
    for (size_t i = 0; i < n; i++)
        hq_buf_printf(b, "%sw%u", i ? " " : "", test_rnd(&rng, vocab));
}

typedef struct ctx {
    hq_analyzer *a;
    hq_tokens tok;
} ctx;

static int setup(void **state)
{
    ctx *c = calloc(1, sizeof *c);
    c->a = hq_analyzer_new();
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    ctx *c = *state;
    hq_tokens_free(&c->tok);
    hq_analyzer_free(c->a);
    free(c);
    return 0;
}

static void fp_of(ctx *c, const char *text, hq_fingerprint *fp)
{
    hq_fingerprint_text(c->a, text, text ? strlen(text) : 0, &c->tok, fp);
}

static unsigned matches_of(ctx *c, const char *x, const char *y)
{
    hq_fingerprint fx, fy;
    fp_of(c, x, &fx);
    fp_of(c, y, &fy);
    unsigned m = hq_fingerprint_matches(&fx, &fy);
    assert_int_equal(hq_fingerprint_is_dup(&fx, &fy), m >= HQ_FP_MIN_MATCHES);
    assert_int_equal(hq_fingerprint_is_dup(&fy, &fx), m >= HQ_FP_MIN_MATCHES);
    return m;
}

/* Replaces the words at positions at[0..n) of a text of "w<k>" words
 * with fresh words no text uses. */
static char *change_words(const char *text, const size_t *at, size_t n)
{
    hq_buf b;
    hq_buf_init(&b, 0);
    size_t pos = 0;
    for (const char *p = text; *p;) {
        const char *e = strchr(p, ' ');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        bool change = false;
        for (size_t i = 0; i < n; i++)
            change |= at[i] == pos;
        if (change)
            hq_buf_printf(&b, "%snew%zu", pos ? " " : "", pos);
        else
            hq_buf_printf(&b, "%s%.*s", pos ? " " : "", (int)len, p);
        pos++;
        p += len + (e != NULL);
    }
    char *s = hq_xstrdup(hq_buf_str(&b));
    hq_buf_free(&b);
    return s;
}

/* ---- pairs ---------------------------------------------------------------- */

static void test_identical(void **state)
{
    ctx *c = *state;
    const char *t = "Back pain after an IUD insertion is usually mild cramping that settles "
                    "within a few days; take a painkiller such as ibuprofen and rest.";
    hq_fingerprint f1, f2;
    fp_of(c, t, &f1);
    fp_of(c, t, &f2);
    assert_true(hq_fingerprint_usable(&f1));
    assert_memory_equal(&f1, &f2, sizeof f1);
    assert_int_equal(hq_fingerprint_matches(&f1, &f2), HQ_FP_HASHES);
    assert_true(hq_fingerprint_similarity(&f1, &f2) == 1.0);
    assert_true(hq_fingerprint_is_dup(&f1, &f2));
    /* case, punctuation, spacing and stop words do not count */
    assert_int_equal(matches_of(c, t,
                                "BACK PAIN after the IUD insertion is usually MILD cramping, "
                                "that settles within a few days. Take painkiller such as "
                                "Ibuprofen, and rest!"),
                     HQ_FP_HASHES);
}

static void test_few_words_changed(void **state)
{
    ctx *c = *state;
    hq_buf b;
    hq_buf_init(&b, 0);
    random_words(&b, 100, 100000);
    const char *base = hq_buf_str(&b);
    /* 3 changed words of 100 (J about 0.83): duplicates */
    size_t three[] = {10, 50, 90};
    char *t3 = change_words(base, three, 3);
    unsigned m3 = matches_of(c, base, t3);
    assert_true(m3 >= HQ_FP_MIN_MATCHES);
    /* 12 changed words (J about 0.5): not duplicates */
    size_t twelve[] = {4, 12, 20, 28, 36, 44, 52, 60, 68, 76, 84, 92};
    char *t12 = change_words(base, twelve, 12);
    unsigned m12 = matches_of(c, base, t12);
    assert_true(m12 < HQ_FP_MIN_MATCHES);
    assert_true(m12 > 30 && m12 < 100); /* the estimate is near J = 0.5 */
    free(t3);
    free(t12);
    hq_buf_free(&b);
}

static void test_reordered_paragraphs(void **state)
{
    ctx *c = *state;
    hq_buf p[4], x, y;
    for (int i = 0; i < 4; i++) {
        hq_buf_init(&p[i], 0);
        random_words(&p[i], 40, 100000);
    }
    hq_buf_init(&x, 0);
    hq_buf_init(&y, 0);
    for (int i = 0; i < 4; i++) {
        hq_buf_printf(&x, "%s\n\n", hq_buf_str(&p[i]));
        hq_buf_printf(&y, "%s\n\n", hq_buf_str(&p[3 - i]));
    }
    /* 158 shingles, 6 of them across a boundary: J about 0.93 */
    assert_true(matches_of(c, hq_buf_str(&x), hq_buf_str(&y)) >= HQ_FP_MIN_MATCHES);
    for (int i = 0; i < 4; i++)
        hq_buf_free(&p[i]);
    hq_buf_free(&x);
    hq_buf_free(&y);
}

/* Two texts: the same boilerplate of nb words, then own content of nc
 * words each. */
static unsigned boilerplate_pair(ctx *c, size_t nb, size_t nc)
{
    hq_buf bp, x, y;
    hq_buf_init(&bp, 0);
    hq_buf_init(&x, 0);
    hq_buf_init(&y, 0);
    random_words(&bp, nb, 100000);
    hq_buf_printf(&x, "%s ", hq_buf_str(&bp));
    hq_buf_printf(&y, "%s ", hq_buf_str(&bp));
    random_words(&x, nc, 100000);
    random_words(&y, nc, 100000);
    unsigned m = matches_of(c, hq_buf_str(&x), hq_buf_str(&y));
    hq_buf_free(&bp);
    hq_buf_free(&x);
    hq_buf_free(&y);
    return m;
}

static void test_boilerplate(void **state)
{
    ctx *c = *state;
    /* half boilerplate, half own content (J about 0.33): not duplicates */
    assert_true(boilerplate_pair(c, 60, 60) < HQ_FP_MIN_MATCHES);
    /* a real template: GARD's symptom tables, different lists */
    const char *tpl = "The Human Phenotype Ontology provides the following list of signs and "
                      "symptoms for this condition. If the information is available, the table "
                      "below includes how often the symptom is seen in people with this "
                      "condition. You can use the MedlinePlus Medical Dictionary to look up "
                      "the definitions for these medical terms. ";
    hq_buf x, y;
    hq_buf_init(&x, 0);
    hq_buf_init(&y, 0);
    hq_buf_printf(&x, "%sAbnormality of the kidney, cataract, short stature, hearing loss, "
                      "seizures, intellectual disability, scoliosis, cleft palate, "
                      "microcephaly, hypotonia.", tpl);
    hq_buf_printf(&y, "%sAtrial septal defect, webbed neck, low-set ears, ptosis, "
                      "pulmonary stenosis, cryptorchidism, bleeding tendency, delayed "
                      "puberty, hypertelorism, pectus excavatum.", tpl);
    assert_true(matches_of(c, hq_buf_str(&x), hq_buf_str(&y)) < HQ_FP_MIN_MATCHES);
    /* the other side: the boilerplate is nearly all of it (J about 0.9) */
    assert_true(boilerplate_pair(c, 150, 3) >= HQ_FP_MIN_MATCHES);
    hq_buf_free(&x);
    hq_buf_free(&y);
}

static void test_short_texts(void **state)
{
    ctx *c = *state;
    hq_fingerprint f, g;
    /* 11 content words: 9 shingles, below HQ_FP_MIN_SHINGLES: never duplicates */
    const char *t11 = "w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11";
    fp_of(c, t11, &f);
    assert_int_equal(f.n_shingles, HQ_FP_MIN_SHINGLES - 1);
    assert_false(hq_fingerprint_usable(&f));
    assert_false(hq_fingerprint_is_dup(&f, &f));
    assert_int_equal(hq_fingerprint_matches(&f, &f), 0);
    /* 12 content words: 10 shingles, compared */
    const char *t12 = "w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12";
    fp_of(c, t12, &g);
    assert_int_equal(g.n_shingles, HQ_FP_MIN_SHINGLES);
    assert_true(hq_fingerprint_usable(&g));
    assert_true(hq_fingerprint_is_dup(&g, &g));
    assert_false(hq_fingerprint_is_dup(&f, &g));
    /* stop words are not content words: 20 words, 8 of them stop words */
    fp_of(c, "the w1 of w2 and w3 to w4 a w5 in w6 is w7 it w8 w9 w10 w11 w12 w13", &f);
    assert_int_equal(f.n_shingles, 11);
}

static void test_empty(void **state)
{
    ctx *c = *state;
    hq_fingerprint f, g;
    fp_of(c, NULL, &f);
    fp_of(c, "", &g);
    assert_int_equal(f.n_shingles, 0);
    assert_false(hq_fingerprint_usable(&f));
    assert_false(hq_fingerprint_is_dup(&f, &g));
    fp_of(c, "  \n\t ... !!! the of and", &g); /* only spaces, punctuation, stop words */
    assert_int_equal(g.n_shingles, 0);
    assert_false(hq_fingerprint_usable(NULL));
    assert_false(hq_fingerprint_is_dup(NULL, &g));
}

static void test_non_ascii(void **state)
{
    ctx *c = *state;
    /* accents and case fold away: the same text */
    assert_int_equal(matches_of(c,
                                "Café au lait spots are flat patches of skin that are darker "
                                "than the skin around them; naïve patients often worry.",
                                "CAFE AU LAIT spots are flat patches of skin that are darker "
                                "than the skin around them; naive patients often worry."),
                     HQ_FP_HASHES);
    /* CJK: bigrams are the terms */
    const char *zh = "腰痛是一种常见的症状，通常由肌肉拉伤引起，大多数人在几周内会好转。"
                     "如果疼痛伴有发烧或麻木，请立即就医。";
    hq_fingerprint f;
    fp_of(c, zh, &f);
    assert_true(hq_fingerprint_usable(&f));
    assert_int_equal(matches_of(c, zh, zh), HQ_FP_HASHES);
    assert_true(matches_of(c, zh, "骨质疏松症是一种使骨骼变得脆弱的疾病，容易导致骨折，"
                                  "老年女性尤其常见，需要补充钙和维生素。") <
                HQ_FP_MIN_MATCHES);
    /* bytes that are not UTF-8 separate words and never crash */
    char bad[400];
    for (size_t i = 0; i < sizeof bad; i++)
        bad[i] = (char)(i % 7 == 0 ? 0xFF : 'a' + i % 26);
    hq_fingerprint_text(c->a, bad, sizeof bad, &c->tok, &f);
    assert_true(f.n_shingles > 0);
}

/* ---- thresholds on constructed signatures ------------------------------------ */

static void test_threshold_sides(void **state)
{
    (void)state;
    hq_fingerprint a = {.n_shingles = 100}, b;
    for (size_t k = 0; k < HQ_FP_HASHES; k++)
        a.min[k] = (uint16_t)(k * 7 + 1);
    for (unsigned want = HQ_FP_MIN_MATCHES - 2; want <= HQ_FP_MIN_MATCHES + 1; want++) {
        /* the differing slots spread over the signature, then bunched at either end */
        for (int layout = 0; layout < 3; layout++) {
            b = a;
            unsigned differ = HQ_FP_HASHES - want;
            for (unsigned d = 0; d < differ; d++) {
                size_t k = layout == 0   ? d * HQ_FP_HASHES / differ
                           : layout == 1 ? d
                                         : HQ_FP_HASHES - 1 - d;
                b.min[k] ^= 0x8000;
            }
            assert_int_equal(hq_fingerprint_matches(&a, &b), want);
            assert_int_equal(hq_fingerprint_is_dup(&a, &b), want >= HQ_FP_MIN_MATCHES);
        }
    }
    /* the same signature, one side too short */
    b = a;
    b.n_shingles = HQ_FP_MIN_SHINGLES - 1;
    assert_false(hq_fingerprint_is_dup(&a, &b));
    assert_true(hq_fingerprint_similarity(&a, &a) == 1.0);
}

static void test_encode_decode(void **state)
{
    ctx *c = *state;
    hq_fingerprint f, g;
    fp_of(c, "Polycystic ovary syndrome is a hormonal disorder common among women of "
             "reproductive age; women may have infrequent or prolonged menstrual periods.",
          &f);
    uint8_t buf[HQ_FP_BYTES];
    hq_fingerprint_encode(&f, buf);
    assert_int_equal(hq_fingerprint_decode(buf, sizeof buf, &g), HQ_OK);
    assert_memory_equal(&f, &g, sizeof f);
    assert_int_equal(hq_fingerprint_decode(buf, sizeof buf - 1, &g), HQ_ECORRUPT);
    assert_int_equal(hq_fingerprint_decode(NULL, 0, &g), HQ_ECORRUPT);
    assert_false(hq_fingerprint_usable(&g));
    buf[0] = 3, buf[1] = buf[2] = buf[3] = 0; /* short, yet slots set */
    assert_int_equal(hq_fingerprint_decode(buf, sizeof buf, &g), HQ_ECORRUPT);
    /* a fixed text has a fixed fingerprint (stored ones stay valid) */
    fp_of(c, "w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12", &f);
    assert_int_equal(f.n_shingles, 10);
    assert_int_equal(f.min[0], 0x02b6);
    assert_int_equal(f.min[HQ_FP_HASHES - 1], 0xf492);
}

/* ---- clustering ----------------------------------------------------------------- */

#define N_BASE 300

/* A corpus: N_BASE base texts of 60..200 words, each with 0..3 variants
 * (one changed word: J >= 0.9, far from the threshold, where the
 * estimate's +-0.04 would make the truth a coin toss); truth[i] is the
 * base of text i. */
static size_t make_corpus(ctx *c, hq_fingerprint *fps, uint32_t *truth, size_t cap)
{
    size_t n = 0;
    hq_buf b;
    hq_buf_init(&b, 0);
    for (size_t i = 0; i < N_BASE && n + 5 < cap; i++) {
        hq_buf_reset(&b);
        size_t words = 60 + test_rnd(&rng, 140);
        random_words(&b, words, 1000000);
        size_t base = n;
        fp_of(c, hq_buf_str(&b), &fps[n]);
        truth[n++] = (uint32_t)base;
        size_t variants = test_rnd(&rng, 4);
        for (size_t v = 0; v < variants; v++) {
            size_t at[1] = {test_rnd(&rng, (uint32_t)words)};
            char *t = change_words(hq_buf_str(&b), at, 1);
            fp_of(c, t, &fps[n]);
            truth[n++] = (uint32_t)base;
            free(t);
        }
    }
    hq_buf_free(&b);
    return n;
}

static void test_cluster(void **state)
{
    ctx *c = *state;
    size_t cap = N_BASE * 5;
    hq_fingerprint *fps = calloc(cap, sizeof *fps);
    uint32_t *truth = calloc(cap, sizeof *truth), *banded = calloc(cap, sizeof *banded),
             *exact = calloc(cap, sizeof *exact);
    size_t n = make_corpus(c, fps, truth, cap);
    fps[n].n_shingles = 3; /* one short text: alone */
    truth[n] = (uint32_t)n;
    n++;
    hq_dedup_stats sb, se;
    hq_dedup_cluster(fps, n, false, banded, &sb);
    hq_dedup_cluster(fps, n, true, exact, &se);
    assert_memory_equal(banded, exact, n * sizeof *banded);
    assert_memory_equal(banded, truth, n * sizeof *banded);
    assert_true(sb.compared < se.compared / 20); /* the point of banding */
    assert_int_equal(sb.linked, se.linked);
    hq_dedup_cluster(fps, 0, false, banded, NULL); /* nothing: fine */
    free(fps);
    free(truth);
    free(banded);
    free(exact);
}

/* Many copies of one template in one bucket: linear work, one cluster. */
static void test_cluster_big_bucket(void **state)
{
    ctx *c = *state;
    size_t n = 2000;
    hq_fingerprint *fps = calloc(n, sizeof *fps);
    uint32_t *root = calloc(n, sizeof *root);
    fp_of(c, "This condition is inherited in an autosomal recessive pattern, which means "
             "both copies of the gene in each cell have mutations. The parents of an "
             "individual with an autosomal recessive condition each carry one copy of the "
             "mutated gene, but they typically do not show signs and symptoms.",
          &fps[0]);
    for (size_t i = 1; i < n; i++)
        fps[i] = fps[0];
    hq_dedup_stats st;
    hq_dedup_cluster(fps, n, false, root, &st);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(root[i], 0);
    assert_int_equal(st.linked, n - 1);
    assert_true(st.compared <= n); /* not n^2 / 2 */
    free(fps);
    free(root);
}

static void test_group(void **state)
{
    ctx *c = *state;
    hq_fingerprint f[5];
    hq_buf b;
    hq_buf_init(&b, 0);
    random_words(&b, 80, 100000);
    fp_of(c, hq_buf_str(&b), &f[0]);
    size_t at[] = {40};
    char *v = change_words(hq_buf_str(&b), at, 1);
    fp_of(c, v, &f[3]);
    fp_of(c, hq_buf_str(&b), &f[4]);
    hq_buf_reset(&b);
    random_words(&b, 80, 100000);
    fp_of(c, hq_buf_str(&b), &f[1]);
    fp_of(c, "too short", &f[2]);
    const hq_fingerprint *hits[] = {&f[0], &f[1], NULL, &f[2], &f[3], &f[4], &f[2]};
    uint32_t group[7];
    hq_dedup_group(hits, 7, group);
    uint32_t want[] = {0, 1, 2, 3, 0, 0, 6};
    assert_memory_equal(group, want, sizeof want);
    hq_dedup_group(hits, 0, group);
    free(v);
    hq_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identical),
        cmocka_unit_test(test_few_words_changed),
        cmocka_unit_test(test_reordered_paragraphs),
        cmocka_unit_test(test_boilerplate),
        cmocka_unit_test(test_short_texts),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_non_ascii),
        cmocka_unit_test(test_threshold_sides),
        cmocka_unit_test(test_encode_decode),
        cmocka_unit_test(test_cluster),
        cmocka_unit_test(test_cluster_big_bucket),
        cmocka_unit_test(test_group),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

/*
 * test_topk.c — ranking: BM25F against values computed by hand, and
 * dynamic pruning (MaxScore + block-max) against exhaustive scoring on
 * random queries over a multi-segment index with deletions, filters,
 * phrases and exclusions: the same hits with the same scores.
 */
#include "../support/test_support.h"

#include "rank/rank.h"

#include <math.h>
#include <unistd.h>

static uint64_t rng = 0x2545F4914F6CDD1DULL;
static uint32_t rnd(uint32_t n)
{
    return test_rnd(&rng, n);
}

#define N_WORDS 400
#define N_SEGS 3

static void word(char *buf, size_t size, uint32_t w)
{
    snprintf(buf, size, "t%u", w);
}

typedef struct fixture {
    char dir[64];
    hq_snapshot *snap;
} fixture;

/* Writes segment id with n docs of random text (Zipf-like words), with
 * exact block bounds for hint (NULL: none). */
static void write_segment(const char *dir, uint32_t id, uint32_t n, const hq_field_params *hint)
{
    static const char *const sources[] = {"GARD", "portal", "CDC"};
    static const char *const types[] = {"treatment", "causes", "information"};
    hq_memindex *mi = hq_memindex_new();
    hq_newdoc *docs = calloc(n, sizeof *docs);
    char (*ids)[32] = calloc(n, 32);
    for (uint32_t d = 0; d < n; d++) {
        snprintf(ids[d], 32, "s%u-d%u", id, d);
        docs[d] = (hq_newdoc){ids[d], ids[d], sources[d % 3], d % 4 ? types[d % 3] : NULL,
                              {0, 0, 0}, (uint8_t)(d % 4), 1};
        for (int f = 0; f < HQ_NFIELDS; f++) {
            uint32_t len = f == HQ_FIELD_BODY ? 5 + rnd(150) : rnd(10);
            for (uint32_t p = 0; p < len; p++) {
                uint32_t w = rnd(N_WORDS) % (1 + rnd(N_WORDS));
                char t[16];
                word(t, sizeof t, w);
                hq_memindex_add(mi, d, f, t, strlen(t), p);
            }
            docs[d].len[f] = len;
        }
    }
    char *path = hq_segment_file(dir, id);
    assert_int_equal(hq_segment_write(path, docs, n, mi, hint, 1 + id % 3, NULL), HQ_OK);
    free(path);
    free(ids);
    free(docs);
    hq_memindex_free(mi);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    test_make_temp_dir(f->dir, sizeof f->dir, "topk");
    hq_manifest m = {.generation = 1, .store_seq = 1, .next_id = N_SEGS + 1};
    m.segs = calloc(N_SEGS, sizeof *m.segs);
    m.n_segs = N_SEGS;
    uint32_t sizes[N_SEGS] = {2000, 700, 130};
    hq_bm25f defaults;
    hq_bm25f_defaults(&defaults);
    hq_field_params hint;
    memcpy(hint.w, defaults.w, sizeof hint.w);
    memcpy(hint.b, defaults.b, sizeof hint.b);
    for (uint32_t i = 0; i < N_SEGS; i++) {
        /* segments 1 and 3 carry exact bounds, segment 2 does not */
        write_segment(f->dir, i + 1, sizes[i], i == 1 ? NULL : &hint);
        m.segs[i] = (hq_manifest_seg){i + 1, sizes[i], 0, 0};
    }
    /* delete every 7th document of the first segment */
    uint8_t *bits = calloc(sizes[0] / 8 + 1, 1);
    for (uint32_t d = 0; d < sizes[0]; d += 7) {
        bits[d / 8] |= (uint8_t)(1u << (d % 8));
        m.segs[0].n_deleted++;
    }
    m.segs[0].del_gen = 1;
    char *del = hq_tombstones_file(f->dir, 1, 1);
    assert_int_equal(hq_tombstones_write(del, bits, sizes[0], NULL), HQ_OK);
    free(del);
    free(bits);
    assert_int_equal(hq_manifest_write(f->dir, &m, NULL), HQ_OK);
    hq_manifest_free(&m);
    hq_error err;
    hq_error_clear(&err);
    assert_int_equal(hq_snapshot_open(f->dir, NULL, &f->snap, &err), HQ_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    hq_snapshot_unref(f->snap);
    test_remove_dir(f->dir);
    free(f);
    return 0;
}

static void test_bm25f_by_hand(void **state)
{
    (void)state;
    hq_bm25f p = {.k1 = 1.2, .w = {2.0, 3.0, 1.0}, .b = {0.5, 0.3, 0.75}};
    double avg[HQ_NFIELDS] = {8.0, 4.0, 100.0};
    uint32_t tf[HQ_NFIELDS] = {1, 0, 3};
    uint8_t len[HQ_NFIELDS] = {10, 4, 50}; /* codes: exact below 128 */
    /* title: 2 * 1 / (0.5 + 0.5 * 10/8) = 2 / 1.125 = 1.777...;
     * body: 1 * 3 / (0.25 + 0.75 * 50/100) = 3 / 0.625 = 4.8 */
    double tfn = hq_bm25f_tfn(&p, avg, tf, len);
    assert_true(fabs(tfn - (2.0 / 1.125 + 4.8)) < 1e-12);
    /* idf with N = 1000, df = 10: ln(1 + 990.5 / 10.5) */
    assert_true(fabs(hq_bm25f_idf(1000, 10) - log(1.0 + 990.5 / 10.5)) < 1e-12);
    assert_true(hq_bm25f_idf(5, 5) > 0); /* never negative */
    double s = hq_bm25f_saturate(p.k1, tfn);
    assert_true(fabs(s - tfn * 2.2 / (1.2 + tfn)) < 1e-12);
    /* the block bound holds for the document it summarises */
    hq_skip sk = {.max_tf = {1, 0, 3}, .min_len = {10, 0xFFFF, 50}, .min_ratio = {160, 0xFFFF, 266}};
    assert_true(hq_bm25f_tfn_bound(&p, avg, &sk) >= tfn);
}

static void test_params_file(void **state)
{
    (void)state;
    char path[] = "/tmp/hq-test-params-XXXXXX";
    int fd = mkstemp(path);
    const char text[] = "# comment\nk1 = 0.9\nbody.b = 0.6  # trailing\n\ntitle.weight=4\n";
    assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);
    hq_bm25f p;
    assert_int_equal(hq_bm25f_load(path, &p, NULL), HQ_OK);
    assert_true(p.k1 == 0.9 && p.b[HQ_FIELD_BODY] == 0.6 && p.w[HQ_FIELD_TITLE] == 4.0);
    assert_true(p.w[HQ_FIELD_FOCUS] == 2.0); /* default kept */
    FILE *out = fopen(path, "w");
    fputs("k1 = 1\nbody.b = 1.5\n", out);
    fclose(out);
    hq_error err;
    hq_error_clear(&err);
    assert_int_equal(hq_bm25f_load(path, &p, &err), HQ_EFORMAT);
    assert_int_equal(err.line, 2);
    out = fopen(path, "w");
    fputs("speed = 3\n", out);
    fclose(out);
    hq_error_clear(&err);
    assert_int_equal(hq_bm25f_load(path, &p, &err), HQ_EFORMAT);
    assert_non_null(strstr(err.message, "unknown parameter"));
    unlink(path);
}

/* A random plan over the fixture's vocabulary. */
typedef struct rplan {
    hq_plan plan;
    hq_plan_term terms[40], ph_terms[8], ex_terms[4];
    uint32_t rel[8];
    hq_plan_phrase req, exc[4];
    hq_plan_filter filters[3];
    char words[56][16];
} rplan;

static void random_plan(rplan *r, const hq_snapshot *snap, const hq_bm25f *params, int kind)
{
    memset(r, 0, sizeof *r);
    int w = 0;
    size_t n = 1 + rnd(kind == 0 ? 3 : 30); /* short and long questions */
    for (size_t i = 0; i < n; i++) {
        word(r->words[w], 16, rnd(3) == 0 ? rnd(10) : rnd(N_WORDS)); /* some very frequent */
        r->terms[i] = (hq_plan_term){r->words[w], (uint32_t)strlen(r->words[w]),
                                     1.0 + rnd(3) * 0.5};
        w++;
    }
    r->plan = (hq_plan){.snap = snap, .params = params, .terms = r->terms, .n_terms = n};
    if (rnd(5) == 0) { /* an excluded word */
        word(r->words[w], 16, rnd(30));
        r->ex_terms[0] = (hq_plan_term){r->words[w], (uint32_t)strlen(r->words[w]), 1};
        r->exc[0] = (hq_plan_phrase){&r->ex_terms[0], r->rel, 1};
        r->plan.excluded = r->exc;
        r->plan.n_excluded = 1;
        w++;
    }
    if (rnd(6) == 0) { /* a required two-word phrase of frequent words */
        for (int i = 0; i < 2; i++) {
            word(r->words[w], 16, rnd(6));
            r->ph_terms[i] = (hq_plan_term){r->words[w], (uint32_t)strlen(r->words[w]), 1};
            r->rel[i] = (uint32_t)i;
            w++;
        }
        r->req = (hq_plan_phrase){r->ph_terms, r->rel, 2};
        r->plan.required = &r->req;
        r->plan.n_required = 1;
    }
    if (rnd(4) == 0) {
        static const char *const values[] = {"GARD", "portal", "cdc"};
        r->filters[0] = (hq_plan_filter){HQ_PF_SOURCE, values[rnd(3)], rnd(3) == 0};
        r->filters[1] = (hq_plan_filter){HQ_PF_TRUST, "high", true};
        r->filters[2] = (hq_plan_filter){HQ_PF_TYPE, "Treatment", false};
        r->plan.filters = r->filters;
        r->plan.n_filters = 1 + rnd(3);
    }
}

static void test_pruning_equals_exhaustive(void **state)
{
    fixture *f = *state;
    hq_bm25f params;
    hq_bm25f_defaults(&params);
    hq_hit a[100], b[100];
    size_t pruned_work = 0, full_work = 0;
    for (int trial = 0; trial < 600; trial++) {
        rplan r;
        random_plan(&r, f->snap, &params, trial % 2);
        size_t k = trial % 3 == 0 ? 10 : trial % 3 == 1 ? 1 : 100;
        size_t na = 0, nb = 0;
        hq_topk_stats sa, sb;
        assert_int_equal(hq_topk(&r.plan, k, true, a, &na, &sa, NULL), HQ_OK);
        assert_int_equal(hq_topk(&r.plan, k, false, b, &nb, &sb, NULL), HQ_OK);
        if (na != nb)
            fail_msg("trial %d: %zu hits exhaustive, %zu pruned", trial, na, nb);
        for (size_t i = 0; i < na; i++)
            if (a[i].seg != b[i].seg || a[i].doc != b[i].doc || a[i].score != b[i].score)
                fail_msg("trial %d, rank %zu: (%u,%u,%.17g) vs (%u,%u,%.17g)", trial, i,
                         a[i].seg, a[i].doc, a[i].score, b[i].seg, b[i].doc, b[i].score);
        for (size_t i = 1; i < na; i++)
            assert_true(a[i - 1].score >= a[i].score);
        for (size_t i = 0; i < na; i++) /* deleted documents never come back */
            assert_false(hq_snapshot_is_deleted(f->snap, a[i].seg, a[i].doc));
        pruned_work += sb.scored;
        full_work += sa.scored;
        /* counting every match up to count_exact: the same hits, and an
         * exact count whenever it says so */
        r.plan.count_exact = 1 + rnd(400);
        size_t nc = 0;
        hq_topk_stats sc;
        assert_int_equal(hq_topk(&r.plan, k, false, b, &nc, &sc, NULL), HQ_OK);
        assert_int_equal(nc, na);
        for (size_t i = 0; i < na; i++)
            assert_true(a[i].seg == b[i].seg && a[i].doc == b[i].doc && a[i].score == b[i].score);
        if (sc.exact)
            assert_int_equal(sc.matched, sa.matched);
        if (sa.matched < r.plan.count_exact && r.plan.n_required == 0)
            assert_true(sc.exact);
    }
    /* pruning must actually save work */
    assert_true(pruned_work * 2 < full_work);
}

/* Documents that all score the same: pruning must keep the first ones in
 * document order, as exhaustive scoring does, and may skip the rest. */
static void test_ties(void **state)
{
    (void)state;
    char dir[64];
    test_make_temp_dir(dir, sizeof dir, "ties");
    enum { N = 3000 };
    hq_memindex *mi = hq_memindex_new();
    hq_newdoc *docs = calloc(N, sizeof *docs);
    char (*ids)[16] = calloc(N, 16);
    for (uint32_t d = 0; d < N; d++) {
        snprintf(ids[d], 16, "d%u", d);
        docs[d] = (hq_newdoc){ids[d], ids[d], "src", NULL, {0, 0, 3}, 0, 1};
        hq_memindex_add(mi, d, HQ_FIELD_BODY, "same", 4, 0);
        hq_memindex_add(mi, d, HQ_FIELD_BODY, d % 5 ? "pad" : "rare", d % 5 ? 3 : 4, 1);
        hq_memindex_add(mi, d, HQ_FIELD_BODY, "pad", 3, 2);
    }
    hq_bm25f params;
    hq_bm25f_defaults(&params);
    hq_field_params hint;
    memcpy(hint.w, params.w, sizeof hint.w);
    memcpy(hint.b, params.b, sizeof hint.b);
    char *path = hq_segment_file(dir, 1);
    assert_int_equal(hq_segment_write(path, docs, N, mi, &hint, 2, NULL), HQ_OK);
    free(path);
    hq_manifest m = {.generation = 1, .store_seq = 1, .next_id = 2};
    m.segs = calloc(1, sizeof *m.segs);
    m.n_segs = 1;
    m.segs[0] = (hq_manifest_seg){1, N, 0, 0};
    assert_int_equal(hq_manifest_write(dir, &m, NULL), HQ_OK);
    hq_manifest_free(&m);
    hq_snapshot *snap;
    assert_int_equal(hq_snapshot_open(dir, NULL, &snap, NULL), HQ_OK);
    hq_plan_term t[2] = {{"same", 4, 1.0}, {"rare", 4, 1.0}};
    hq_plan plan = {.snap = snap, .params = &params, .terms = t, .n_terms = 2};
    for (size_t k = 1; k <= 1000; k *= 10) {
        hq_hit a[1000], b[1000];
        size_t na = 0, nb = 0;
        hq_topk_stats sa, sb;
        assert_int_equal(hq_topk(&plan, k, true, a, &na, &sa, NULL), HQ_OK);
        assert_int_equal(hq_topk(&plan, k, false, b, &nb, &sb, NULL), HQ_OK);
        assert_int_equal(na, k);
        assert_int_equal(nb, k);
        for (size_t i = 0; i < k; i++) {
            if (i < N / 5) /* the documents with "rare", in order */
                assert_int_equal(a[i].doc, 5 * i);
            else /* then the others, all tied, in order */
                assert_true(a[i].doc % 5 != 0 && (i == N / 5 || a[i].doc > a[i - 1].doc));
            assert_true(a[i].doc == b[i].doc && a[i].score == b[i].score);
        }
        if (k <= 100)
            assert_true(sb.scored < sa.scored / 2); /* the tied rest was pruned */
    }
    hq_snapshot_unref(snap);
    test_remove_dir(dir);
    free(ids);
    free(docs);
    hq_memindex_free(mi);
}

static void test_phrase_and_explain(void **state)
{
    fixture *f = *state;
    hq_bm25f params;
    hq_bm25f_defaults(&params);
    hq_plan_term t[2] = {{"t0", 2, 1.0}, {"t1", 2, 1.0}};
    uint32_t rel[2] = {0, 1};
    hq_plan_phrase ph = {t, rel, 2};
    hq_plan plan = {.snap = f->snap, .params = &params, .terms = t, .n_terms = 2,
                    .required = &ph, .n_required = 1};
    hq_hit hits[50];
    size_t n = 0;
    assert_int_equal(hq_topk(&plan, 50, false, hits, &n, NULL, NULL), HQ_OK);
    assert_true(n > 0);
    for (size_t i = 0; i < n; i++) {
        /* the explanation's parts add up to the score, both terms present */
        double c[2];
        assert_int_equal(hq_explain_doc(&plan, hits[i].seg, hits[i].doc, c, NULL), HQ_OK);
        assert_true(c[0] > 0 && c[1] > 0);
        assert_true(fabs(c[0] + c[1] - hits[i].score) < 1e-9);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bm25f_by_hand),
        cmocka_unit_test(test_params_file),
        cmocka_unit_test(test_pruning_equals_exhaustive),
        cmocka_unit_test(test_phrase_and_explain),
        cmocka_unit_test(test_ties),
    };
    return cmocka_run_group_tests_name("topk", tests, setup, teardown);
}

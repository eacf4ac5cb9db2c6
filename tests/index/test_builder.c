/*
 * test_builder.c — the two-stage builder: a tiny memory budget forces
 * many flushes while the worker thread runs; every document must land in
 * exactly one segment with the same postings as a one-segment build.
 */
#include "../support/test_support.h"

#include "index/index.h"

#define N_DOCS 3000

static void make_doc(uint32_t i, char *id, char *body, size_t size, hq_builder_doc *d)
{
    static const char *const words[] = {"pain", "back", "fever", "miscarriage", "iud",
                                        "bleeding", "ectopic", "pregnancy", "cramps", "waist"};
    snprintf(id, 32, "doc-%u", i);
    size_t at = 0;
    for (uint32_t k = 0; k < 5 + i % 40 && at + 16 < size; k++)
        at += (size_t)snprintf(body + at, size - at, "%s ", words[(i * 7 + k * k) % 10]);
    static const char *focus[] = {"Back Pain", "backache"};
    *d = (hq_builder_doc){id, id, "test", i % 3 ? "causes" : NULL, "high",
                          "Why does it hurt?", focus, 2, body};
}

/* Builds N_DOCS documents with the given budget into dir; returns the
 * number of segments written and fills their ids. */
static uint32_t build(const char *dir, size_t budget, hq_manifest_seg *segs, uint32_t max)
{
    uint32_t next_id = 1;
    hq_builder *b = hq_builder_new(dir, &next_id, budget, NULL, 0);
    for (uint32_t i = 0; i < N_DOCS; i++) {
        char id[32], body[512];
        hq_builder_doc d;
        make_doc(i, id, body, sizeof body, &d);
        assert_int_equal(hq_builder_add(b, &d, NULL), HQ_OK);
    }
    assert_int_equal(hq_builder_finish(b, NULL), HQ_OK);
    uint32_t n;
    const hq_manifest_seg *s = hq_builder_segments(b, &n);
    assert_true(n <= max);
    memcpy(segs, s, n * sizeof *segs);
    hq_builder_free(b);
    return n;
}

static uint64_t df_of(const char *dir, const hq_manifest_seg *segs, uint32_t n, const char *term,
                      uint32_t *docs_total)
{
    uint64_t df = 0;
    *docs_total = 0;
    for (uint32_t i = 0; i < n; i++) {
        char *path = hq_segment_file(dir, segs[i].id);
        hq_segment *s = NULL;
        assert_int_equal(hq_segment_open(path, &s, NULL), HQ_OK);
        assert_int_equal(hq_segment_check(s, NULL), HQ_OK);
        *docs_total += hq_segment_n_docs(s);
        hq_terminfo ti;
        if (hq_segment_term(s, term, strlen(term), &ti) == HQ_OK)
            df += ti.df;
        hq_segment_unref(s);
        free(path);
    }
    return df;
}

static void test_flushes_lose_nothing(void **state)
{
    (void)state;
    char one[64], many[64];
    test_make_temp_dir(one, sizeof one, "builder");
    test_make_temp_dir(many, sizeof many, "builder");
    hq_manifest_seg a[4], b[4096];
    uint32_t na = build(one, 256u << 20, a, 4);
    uint32_t nb = build(many, 64u << 10, b, 4096); /* a tiny budget: many segments */
    assert_int_equal(na, 1);
    assert_true(nb > 3);
    static const char *const terms[] = {"pain", "back", "miscarriag", "waist", "hurt", "backach"};
    for (size_t t = 0; t < sizeof terms / sizeof *terms; t++) {
        uint32_t docs_a, docs_b;
        uint64_t dfa = df_of(one, a, na, terms[t], &docs_a);
        uint64_t dfb = df_of(many, b, nb, terms[t], &docs_b);
        assert_int_equal(docs_a, N_DOCS);
        assert_int_equal(docs_b, N_DOCS);
        if (dfa != dfb || dfa == 0)
            fail_msg("term %s: df %llu in one segment, %llu in %u", terms[t],
                     (unsigned long long)dfa, (unsigned long long)dfb, nb);
    }
    test_remove_dir(one);
    test_remove_dir(many);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flushes_lose_nothing),
    };
    return cmocka_run_group_tests_name("builder", tests, NULL, NULL);
}

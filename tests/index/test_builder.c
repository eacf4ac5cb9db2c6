/*
 * test_builder.c — the builder's pipeline: a tiny memory budget forces
 * many flushes while the worker threads run; every document must land in
 * exactly one segment with the same postings as a one-segment build; the
 * segment files are the same bytes whatever the number of threads, and
 * the same as documents analysed and added term by term to a memindex
 * (hq_memindex_add, the path without batches, runs or term ids).
 */
#include "../support/test_support.h"

#include "index/index.h"
#include "text/text.h"

#define N_DOCS 12000

/* Whether make_doc gives the lengths and same_focus (the builder's
 * shortcuts, which must change nothing). */
static bool give_hints;

static void make_doc(uint32_t i, char *id, char *body, size_t size, hq_builder_doc *d)
{
    static const char *const words[] = {"pain", "back", "fever", "miscarriage", "iud",
                                        "bleeding", "ectopic", "pregnancy", "cramps", "waist"};
    snprintf(id, 32, "doc-%u", i);
    size_t at = 0;
    for (uint32_t k = 0; k < 5 + i % 40 && at + 16 < size; k++)
        at += (size_t)snprintf(body + at, size - at, "%s ", words[(i * 7 + k * k) % 10]);
    if (i % 11 == 0) /* words of its own: the analyzers' dictionaries keep growing */
        snprintf(body + at, size - at, "rare%u x-%u-ray", i, i);
    static const char *focus[] = {"Back Pain", "backache"};
    static const char *other[] = {"Ectopic pregnancy"};
    *d = (hq_builder_doc){id, id, "test", i % 3 ? "causes" : NULL, "high",
                          "Why does it hurt?", i / 50 % 2 ? other : focus, i / 50 % 2 ? 1 : 2,
                          body, 0, 0, false};
    if (give_hints) {
        d->title_len = strlen(d->title);
        d->body_len = strlen(body);
        d->same_focus = i > 0 && i / 50 == (i - 1) / 50;
    }
}

/* Builds N_DOCS documents with the given budget and threads into dir;
 * returns the number of segments written and fills their ids. */
static uint32_t build_with(const char *dir, size_t budget, unsigned threads,
                           hq_manifest_seg *segs, uint32_t max)
{
    uint32_t next_id = 1;
    hq_builder *b = hq_builder_new(dir, &next_id, budget, NULL, threads);
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

static uint32_t build(const char *dir, size_t budget, hq_manifest_seg *segs, uint32_t max)
{
    return build_with(dir, budget, 0, segs, max);
}

/* Segment id's file in dir, read whole. */
static char *segment_bytes(const char *dir, uint32_t id, size_t *len)
{
    char *path = hq_segment_file(dir, id);
    char *data = test_read_file(path, len);
    free(path);
    return data;
}

static void assert_same_segments(const char *a, const char *b, uint32_t n)
{
    for (uint32_t id = 1; id <= n; id++) {
        size_t la, lb;
        char *x = segment_bytes(a, id, &la), *y = segment_bytes(b, id, &lb);
        if (la != lb || memcmp(x, y, la) != 0)
            fail_msg("segment %u differs (%zu and %zu bytes)", id, la, lb);
        free(x);
        free(y);
    }
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
    static const char *const terms[] = {"pain", "back", "miscarriag", "waist", "hurt", "backach",
                                        /* words of one document each, met again after the
                                         * analyzers' term numbers started afresh (the tiny
                                         * budget makes them) */
                                        "rare0", "rare1100", "rare2992", "x-2992-ray"};
    for (size_t t = 0; t < sizeof terms / sizeof *terms; t++) {
        uint32_t docs_a, docs_b;
        uint64_t dfa = df_of(one, a, na, terms[t], &docs_a);
        uint64_t dfb = df_of(many, b, nb, terms[t], &docs_b);
        assert_int_equal(docs_a, N_DOCS);
        assert_int_equal(docs_b, N_DOCS);
        if (dfa != dfb || dfa == 0 || (t >= 6 && dfa != 1))
            fail_msg("term %s: df %llu in one segment, %llu in %u", terms[t],
                     (unsigned long long)dfa, (unsigned long long)dfb, nb);
    }
    test_remove_dir(one);
    test_remove_dir(many);
}

/* Builds the documents twice with the given budget, with threads_a then
 * threads_b analysers, the second with the builder's shortcuts when
 * hinted; checks that both give as many segments, of the same documents
 * and bytes, and returns how many. */
static uint32_t same_builds(size_t budget, unsigned threads_a, unsigned threads_b, bool hinted)
{
    char one[64], two[64];
    test_make_temp_dir(one, sizeof one, "builder");
    test_make_temp_dir(two, sizeof two, "builder");
    hq_manifest_seg a[4096], b[4096];
    uint32_t na = build_with(one, budget, threads_a, a, 4096);
    give_hints = hinted;
    uint32_t nb = build_with(two, budget, threads_b, b, 4096);
    give_hints = false;
    assert_int_equal(na, nb);
    for (uint32_t i = 0; i < na; i++)
        assert_int_equal(a[i].n_docs, b[i].n_docs);
    assert_same_segments(one, two, na);
    test_remove_dir(one);
    test_remove_dir(two);
    return na;
}

/* One thread, several, and a tiny budget with several: the same files. */
static void test_threads_same_bytes(void **state)
{
    (void)state;
    assert_int_equal(same_builds(256u << 20, 1, 4, false), 1);
    assert_true(same_builds(64u << 10, 1, 3, false) > 3);
}

/* Documents given with their lengths and marked as having the focus of
 * the one before: the same files, whether the marked ones open a batch
 * or not. */
static void test_hints_same_bytes(void **state)
{
    (void)state;
    assert_true(same_builds(64u << 10, 2, 2, true) > 3);
}

/* The builder's segment equals the documents analysed one by one and
 * added term by term (the focus names one position apart). */
static void test_same_as_term_by_term(void **state)
{
    (void)state;
    char dir[64];
    test_make_temp_dir(dir, sizeof dir, "builder");
    hq_manifest_seg segs[4];
    assert_int_equal(build_with(dir, 256u << 20, 2, segs, 4), 1);
    hq_memindex *mi = hq_memindex_new();
    hq_analyzer *an = hq_analyzer_new();
    hq_tokens toks = {0};
    hq_newdoc *docs = calloc(N_DOCS, sizeof *docs);
    char(*ids)[32] = calloc(N_DOCS, 32);
    for (uint32_t i = 0; i < N_DOCS; i++) {
        char body[512];
        hq_builder_doc d;
        make_doc(i, ids[i], body, sizeof body, &d);
        docs[i] = (hq_newdoc){ids[i], ids[i], d.source, d.qtype, {0, 0, 0},
                              (uint8_t)hq_trust_code(d.trust), HQ_DOC_HAS_BODY};
        const char *texts[HQ_NFIELDS] = {d.title, NULL, d.body};
        for (int f = 0; f < HQ_NFIELDS; f++) {
            size_t n_names = f == HQ_FIELD_FOCUS ? d.n_focus : 1;
            uint32_t pos = 0;
            for (size_t k = 0; k < n_names; k++) {
                const char *text = f == HQ_FIELD_FOCUS ? d.focus[k] : texts[f];
                uint32_t base = pos ? pos + 1 : 0, end = base;
                hq_analyze(an, text, strlen(text), 0, &toks);
                for (size_t t = 0; t < toks.n; t++) {
                    hq_memindex_add(mi, i, f, toks.items[t].term, toks.items[t].len,
                                    base + toks.items[t].pos);
                    if (base + toks.items[t].pos + 1 > end)
                        end = base + toks.items[t].pos + 1;
                }
                pos = end;
            }
            docs[i].len[f] = pos;
        }
    }
    char path[128];
    snprintf(path, sizeof path, "%s/direct.hqs", dir);
    assert_int_equal(hq_segment_write(path, docs, N_DOCS, mi, NULL, 1, NULL), HQ_OK);
    size_t la, lb;
    char *x = segment_bytes(dir, segs[0].id, &la), *y = test_read_file(path, &lb);
    assert_int_equal(la, lb);
    assert_memory_equal(x, y, la);
    free(x);
    free(y);
    free(ids);
    free(docs);
    hq_tokens_free(&toks);
    hq_analyzer_free(an);
    hq_memindex_free(mi);
    test_remove_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flushes_lose_nothing),
        cmocka_unit_test(test_threads_same_bytes),
        cmocka_unit_test(test_same_as_term_by_term),
        cmocka_unit_test(test_hints_same_bytes),
    };
    return cmocka_run_group_tests_name("builder", tests, NULL, NULL);
}

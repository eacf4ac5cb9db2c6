/*
 * test_corruption.c — damage to every file of a real index, through the
 * public API (docs/ROBUSTNESS.md):
 *   - every byte of each file's header and every k-th byte after it
 *     flipped, the file cut at many lengths, the file removed: hq_check
 *     fails with HQ_ECORRUPT naming the file, and so does a search (the
 *     engine's snapshot dropped first, so it reads the files afresh as a
 *     new process would);
 *   - the same flips with the checksums rewritten afterwards, so that the
 *     structural checks and the decoders behind them are what must hold:
 *     check and search give HQ_OK or HQ_ECORRUPT, never a crash, a hang
 *     or a sanitizer report (this binary runs under ASan + UBSan in CI);
 *   - hq_index_update(rebuild) over a damaged index restores one whose
 *     check passes and whose searches find what the intact index found.
 * The index: tests/fixtures/server plus one article changed after the
 * first indexing, so it has two segments and a tombstone file.
 * Offsets are deterministic: HQ_CORRUPTION_STEP=k flips every k-th byte
 * after the headers and cuts at every 4k-th length (default 23; 1 for
 * the long local run).
 */
#include "../support/test_support.h"

#include "../support/reseal.h"
#include "engine/engine.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FILES 16
#define N_QUERIES 5

static const char *const QUERIES[N_QUERIES] = {
    "back pain", "\"lower back pain\" -iud", "miscarriage source:portal",
    "pain trust:unknown -pregnancy", "knee running cycling"};

typedef struct ifile {
    char name[256];
    uint8_t *data;
    size_t len;
    size_t header; /* bytes flipped one by one */
    bool segment;  /* a seg-*.hqs file (else a trailing CRC covers it) */
} ifile;

static struct {
    char dir[256], data[320], index[340], extra[340];
    ifile files[MAX_FILES];
    size_t n_files;
    char *reference[N_QUERIES]; /* what the intact index finds */
    size_t step;
    hq_engine *e; /* one engine; its snapshot is dropped before each look */
} w;

/* ---- helpers -------------------------------------------------------- */

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void file_path(char *out, size_t size, const char *name)
{
    int n = snprintf(out, size, "%s/%s", w.index, name);
    assert_true(n > 0 && (size_t)n < size);
}

/* Puts the intact index back: every saved file, nothing else (an update
 * during a trial may have written new files). */
static void restore_all(void)
{
    DIR *d = opendir(w.index);
    assert_non_null(d);
    struct dirent *e;
    char path[512];
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.' && strcmp(e->d_name, "LOCK") != 0) {
            file_path(path, sizeof path, e->d_name);
            assert_int_equal(unlink(path), 0);
        }
    closedir(d);
    for (size_t i = 0; i < w.n_files; i++) {
        file_path(path, sizeof path, w.files[i].name);
        write_file(path, w.files[i].data, w.files[i].len);
    }
}

/* The engine, made to read the index files afresh (as a new process
 * would) at its next search. */
static hq_engine *engine(void)
{
    hq_engine_drop_snapshot(w.e);
    return w.e;
}

/* Plain search for q (every match, at most 1000): the status, and in
 * *out (when OK) "total|sid|sid..." with the ids sorted, so an index
 * rebuilt with other segments compares equal. */
static hq_status search(hq_engine *e, const char *q, char **out, hq_error *err)
{
    hq_search_options o = {.limit = 1000, .plain = true};
    json_t *res = NULL;
    hq_status rc = hq_search(e, q, &o, &res, err);
    if (rc != HQ_OK || out == NULL) {
        json_decref(res);
        return rc;
    }
    json_t *hits = json_object_get(res, "hits");
    size_t n = json_array_size(hits);
    const char **ids = calloc(n + 1, sizeof *ids);
    for (size_t i = 0; i < n; i++)
        ids[i] = json_string_value(json_object_get(json_array_get(hits, i), "section_id"));
    for (size_t i = 1; i < n; i++) /* few: insertion sort */
        for (size_t j = i; j > 0 && strcmp(ids[j - 1], ids[j]) > 0; j--) {
            const char *t = ids[j];
            ids[j] = ids[j - 1];
            ids[j - 1] = t;
        }
    hq_buf b;
    hq_buf_init(&b, 0);
    char head[32];
    snprintf(head, sizeof head, "%lld",
             (long long)json_integer_value(json_object_get(json_object_get(res, "total"),
                                                           "value")));
    hq_buf_append(&b, head, strlen(head));
    for (size_t i = 0; i < n; i++) {
        hq_buf_append(&b, "|", 1);
        hq_buf_append(&b, ids[i], strlen(ids[i]));
    }
    free(ids);
    json_decref(res);
    *out = b.data ? b.data : hq_xstrdup("");
    return rc;
}

/* The index answers as the intact one did, and its check passes. */
static void assert_intact(void)
{
    hq_engine *e = engine();
    json_t *report = NULL;
    hq_error err = {0};
    hq_status rc = hq_check(e, &report, &err);
    json_decref(report);
    if (rc != HQ_OK)
        fail_msg("check: %s: %s", err.where, err.message);
    for (size_t q = 0; q < N_QUERIES; q++) {
        char *got = NULL;
        assert_int_equal(search(e, QUERIES[q], &got, &err), HQ_OK);
        assert_string_equal(got, w.reference[q]);
        free(got);
    }
}

/* After damage to file f (described by what): check and a search both
 * fail with HQ_ECORRUPT, naming f. */
static void expect_detected(const ifile *f, const char *what)
{
    hq_engine *e = engine();
    json_t *report = NULL;
    hq_error err = {0};
    hq_status rc = hq_check(e, &report, &err);
    json_decref(report);
    if (rc != HQ_ECORRUPT || strstr(err.where, f->name) == NULL || err.message[0] == '\0')
        fail_msg("%s: check gave \"%s\" at %s: %s", what, hq_strerror(rc), err.where,
                 err.message);
    hq_error_clear(&err);
    rc = search(e, QUERIES[0], NULL, &err);
    if (rc != HQ_ECORRUPT || strstr(err.where, f->name) == NULL)
        fail_msg("%s: search gave \"%s\" at %s: %s", what, hq_strerror(rc), err.where,
                 err.message);
}

/* After damage the checksums do not see: every call ends in HQ_OK or
 * HQ_ECORRUPT.  Returns whether anything reported the damage. */
static bool survive(const char *what)
{
    hq_engine *e = engine();
    json_t *report = NULL;
    hq_error err = {0};
    hq_status rc = hq_check(e, &report, &err);
    json_decref(report);
    if (rc != HQ_OK && rc != HQ_ECORRUPT)
        fail_msg("%s: check gave \"%s\": %s", what, hq_strerror(rc), err.message);
    bool seen = rc != HQ_OK;
    for (size_t q = 0; q < N_QUERIES; q++) {
        hq_error_clear(&err);
        hq_status s = search(e, QUERIES[q], NULL, &err);
        if (s != HQ_OK && s != HQ_ECORRUPT)
            fail_msg("%s: search \"%s\" gave \"%s\": %s", what, QUERIES[q], hq_strerror(s),
                     err.message);
        seen = seen || s != HQ_OK;
    }
    return seen;
}

/* Writes f's bytes with byte off xor mask, optionally resealed. */
static void write_flipped(const ifile *f, size_t off, uint8_t mask, bool reseal)
{
    uint8_t *d = malloc(f->len);
    memcpy(d, f->data, f->len);
    d[off] ^= mask;
    if (reseal && f->segment)
        reseal_segment(d, f->len);
    else if (reseal)
        reseal_trailing(d, f->len);
    char path[512];
    file_path(path, sizeof path, f->name);
    write_file(path, d, f->len);
    free(d);
}

/* The offsets flipped in f: its whole header, then every step-th byte,
 * then the last; calls fn on each.  Returns how many. */
static size_t each_offset(const ifile *f, size_t step, void (*fn)(const ifile *, size_t, void *),
                          void *ctx)
{
    size_t n = 0;
    for (size_t off = 0; off < f->len; off += off < f->header ? 1 : step, n++)
        fn(f, off, ctx);
    if (f->len > f->header && (f->len - 1 - f->header) % step != 0) {
        fn(f, f->len - 1, ctx);
        n++;
    }
    return n;
}

static const uint8_t MASKS[] = {0x01, 0x80, 0xFF, 0x10};

/* ---- setup ---------------------------------------------------------- */

static void write_extra(const char *verb)
{
    char text[512];
    snprintf(text, sizeof text,
             "Knee pain after %s\n\nKnee pain after %s often comes from the tendon below the "
             "kneecap. Rest, ice and a slower return usually help.\n",
             verb, verb);
    write_file(w.extra, text, strlen(text));
}

static void ingest_and_index(hq_engine *e)
{
    const char *paths[] = {HQ_FIXTURES "/server", w.extra};
    hq_error err = {0};
    assert_int_equal(hq_ingest(e, paths, 2, NULL, NULL, &err), HQ_OK);
    assert_int_equal(hq_index_update(e, false, NULL, &err), HQ_OK);
}

/* Saves every file of the index (LOCK aside) in w.files. */
static void save_files(void)
{
    DIR *d = opendir(w.index);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "LOCK") == 0)
            continue;
        assert_true(w.n_files < MAX_FILES);
        ifile *f = &w.files[w.n_files++];
        snprintf(f->name, sizeof f->name, "%s", e->d_name);
        char path[512];
        file_path(path, sizeof path, f->name);
        char *data;
        assert_int_equal(hq_read_file(path, 1u << 26, &data, &f->len, NULL), HQ_OK);
        f->data = (uint8_t *)data;
        f->segment = strstr(f->name, ".hqs") != NULL;
        /* headers (docs/FORMAT.md): segment 256, manifest 40 + entries, tombstones 16 */
        f->header = f->segment ? 256 : strcmp(f->name, "MANIFEST") == 0 ? f->len : 16;
    }
    closedir(d);
}

static int setup(void **state)
{
    (void)state;
    const char *step = getenv("HQ_CORRUPTION_STEP");
    w.step = step && atoi(step) > 0 ? (size_t)atoi(step) : 23;
    test_make_temp_dir(w.dir, sizeof w.dir, "corrupt");
    snprintf(w.data, sizeof w.data, "%s/data", w.dir);
    snprintf(w.index, sizeof w.index, "%s/data/index", w.dir);
    snprintf(w.extra, sizeof w.extra, "%s/knee.txt", w.dir);
    hq_error err = {0};
    assert_int_equal(hq_open(w.data, &w.e, &err), HQ_OK);
    write_extra("running");
    ingest_and_index(w.e);
    write_extra("cycling"); /* a changed article: a tombstone and a second segment */
    ingest_and_index(w.e);
    for (size_t q = 0; q < N_QUERIES; q++)
        assert_int_equal(search(engine(), QUERIES[q], &w.reference[q], NULL), HQ_OK);
    save_files();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hq_close(w.e);
    for (size_t i = 0; i < w.n_files; i++)
        free(w.files[i].data);
    for (size_t q = 0; q < N_QUERIES; q++)
        free(w.reference[q]);
    test_remove_dir(w.dir);
    return 0;
}

/* ---- tests ---------------------------------------------------------- */

/* The index the other tests damage is the one they think it is. */
static void test_index_shape(void **state)
{
    (void)state;
    size_t segs = 0, dels = 0, manifests = 0;
    for (size_t i = 0; i < w.n_files; i++) {
        segs += w.files[i].segment;
        dels += strstr(w.files[i].name, ".del") != NULL;
        manifests += strcmp(w.files[i].name, "MANIFEST") == 0;
    }
    assert_int_equal(segs, 2);
    assert_int_equal(dels, 1);
    assert_int_equal(manifests, 1);
    assert_non_null(strstr(w.reference[4], "knee")); /* the changed article is found */
    assert_intact();
}

static void flip_trial(const ifile *f, size_t off, void *ctx)
{
    size_t *n = ctx;
    uint8_t mask = MASKS[(*n)++ % sizeof MASKS];
    write_flipped(f, off, mask, false);
    char what[512];
    snprintf(what, sizeof what, "%s: byte %zu ^ 0x%02X", f->name, off, mask);
    expect_detected(f, what);
    restore_all();
}

/* Any flipped byte of any file: both check and search say which file. */
static void test_flips_are_detected(void **state)
{
    (void)state;
    size_t trials = 0;
    for (size_t i = 0; i < w.n_files; i++)
        each_offset(&w.files[i], w.step, flip_trial, &trials);
    print_message("# %zu flips (step %zu) over %zu files: every one detected by check and "
                  "by search\n",
                  trials, w.step, w.n_files);
    assert_intact();
}

/* Any file cut short, or missing: the same. */
static void test_truncation_and_loss(void **state)
{
    (void)state;
    size_t trials = 0;
    char path[512], what[512];
    for (size_t i = 0; i < w.n_files; i++) {
        const ifile *f = &w.files[i];
        file_path(path, sizeof path, f->name);
        /* lengths: around the header's end, every 4k-th, the last byte missing */
        size_t h = f->header < f->len ? f->header : f->len - 1;
        size_t cuts[] = {0, 1, h / 2, h - 1, h, h + 1, f->len - 1};
        size_t n_cuts = sizeof cuts / sizeof *cuts;
        for (size_t k = 0, cut = 0; k < n_cuts || cut < f->len;) {
            size_t len = k < n_cuts ? cuts[k++] : (cut += 4 * w.step);
            if (len >= f->len)
                continue;
            assert_int_equal(truncate(path, (off_t)len), 0);
            snprintf(what, sizeof what, "%s cut to %zu of %zu bytes", f->name, len, f->len);
            expect_detected(f, what);
            restore_all();
            trials++;
        }
        assert_int_equal(unlink(path), 0);
        snprintf(what, sizeof what, "%s removed", f->name);
        if (strcmp(f->name, "MANIFEST") != 0) { /* no manifest is no index: see below */
            expect_detected(f, what);
            trials++;
        }
        restore_all();
    }
    print_message("# %zu truncations and removals: every one detected\n", trials);
    assert_intact();
}

typedef struct resealed {
    size_t n, seen;
} resealed;

static void reseal_trial(const ifile *f, size_t off, void *ctx)
{
    resealed *r = ctx;
    uint8_t mask = MASKS[r->n++ % sizeof MASKS];
    write_flipped(f, off, mask, true);
    char what[512];
    snprintf(what, sizeof what, "%s: byte %zu ^ 0x%02X, checksums rewritten", f->name, off, mask);
    r->seen += survive(what);
    restore_all();
}

/* Damage with valid checksums (a bug of a writer, or a forger): the
 * decoders and cross-checks hold; no crash, no other status. */
static void test_resealed_damage_is_survived(void **state)
{
    (void)state;
    resealed r = {0, 0};
    for (size_t i = 0; i < w.n_files; i++)
        each_offset(&w.files[i], w.step, reseal_trial, &r);
    print_message("# %zu flips with checksums rewritten: %zu reported HQ_ECORRUPT, the others "
                  "read without harm\n",
                  r.n, r.seen);
    assert_intact();
}

/* A rebuild repairs any damage, and a missing manifest rebuilds itself. */
static void test_rebuild_restores(void **state)
{
    (void)state;
    for (size_t i = 0; i < w.n_files; i++) /* damage everything at once */
        write_flipped(&w.files[i], w.files[i].len / 2, 0xFF, false);
    hq_engine *e = engine();
    hq_error err = {0};
    assert_int_equal(search(e, QUERIES[0], NULL, &err), HQ_ECORRUPT);
    assert_non_null(strstr(err.message, "index --rebuild")); /* says what to do */
    hq_index_summary sum;
    hq_error_clear(&err);
    assert_int_equal(hq_index_update(e, true, &sum, &err), HQ_OK);
    assert_true(sum.updated && sum.n_added > 0);
    assert_intact();

    restore_all();
    char path[512];
    file_path(path, sizeof path, "MANIFEST");
    assert_int_equal(unlink(path), 0);
    assert_intact(); /* the first search indexes the store again */
    restore_all();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_index_shape),
        cmocka_unit_test(test_flips_are_detected),
        cmocka_unit_test(test_truncation_and_loss),
        cmocka_unit_test(test_resealed_damage_is_survived),
        cmocka_unit_test(test_rebuild_restores),
    };
    return cmocka_run_group_tests_name("corruption", tests, setup, teardown);
}

/*
 * test_segment.c — segments round-trip: random documents are written
 * through the memindex and the codec, read back through the lexicon and
 * postings cursors, and compared with a model; damaged files are
 * rejected with HQ_ECORRUPT, never a crash; manifests and tombstones
 * round-trip and reject damage.
 */
#include "../support/test_support.h"

#include "index/index.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define N_WORDS 300
#define N_DOCS 1000

/* A deterministic generator (xorshift), so failures reproduce. */
static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint32_t rnd(uint32_t n)
{
    return test_rnd(&rng, n);
}

/* The model: occurrences[word][doc][field] = positions. */
typedef struct model {
    uint32_t count[N_WORDS][N_DOCS][HQ_NFIELDS];
    uint32_t first_pos[N_WORDS][N_DOCS][HQ_NFIELDS];
    uint32_t last_pos[N_WORDS][N_DOCS][HQ_NFIELDS];
} model;

static void word(char *buf, size_t size, uint32_t w)
{
    /* skewed lengths and shared prefixes exercise front coding */
    snprintf(buf, size, "w%u%s", w, w % 7 == 0 ? "-long-suffix-for-front-coding" : "");
}

typedef struct fixture {
    char dir[64], path[128];
    model *m;
    hq_newdoc docs[N_DOCS];
    char ids[N_DOCS][32];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->m = calloc(1, sizeof *f->m);
    test_make_temp_dir(f->dir, sizeof f->dir, "seg");
    snprintf(f->path, sizeof f->path, "%s/seg-1.hqs", f->dir);
    hq_memindex *mi = hq_memindex_new();
    for (uint32_t d = 0; d < N_DOCS; d++) {
        snprintf(f->ids[d], sizeof f->ids[d], "doc-%u", d);
        f->docs[d] = (hq_newdoc){f->ids[d], "article", d % 3 ? "GARD" : "portal",
                                 d % 5 ? "treatment" : NULL, {0, 0, 0}, (uint8_t)(d % 4), 1};
        for (int fld = 0; fld < HQ_NFIELDS; fld++) {
            uint32_t len = fld == HQ_FIELD_BODY ? rnd(200) : rnd(8);
            for (uint32_t p = 0; p < len; p++) {
                /* Zipf-like: low word numbers are frequent */
                uint32_t w = rnd(N_WORDS) % (1 + rnd(N_WORDS));
                char t[64];
                word(t, sizeof t, w);
                hq_memindex_add(mi, d, fld, t, strlen(t), p);
                if (f->m->count[w][d][fld]++ == 0)
                    f->m->first_pos[w][d][fld] = p;
                f->m->last_pos[w][d][fld] = p;
            }
            f->docs[d].len[fld] = len;
        }
    }
    hq_error err;
    hq_error_clear(&err);
    assert_int_equal(hq_segment_write(f->path, f->docs, N_DOCS, mi, NULL, 1, &err), HQ_OK);
    hq_memindex_free(mi);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    test_remove_dir(f->dir);
    free(f->m);
    free(f);
    return 0;
}

static void test_roundtrip(void **state)
{
    fixture *f = *state;
    hq_segment *s = NULL;
    hq_error err;
    hq_error_clear(&err);
    assert_int_equal(hq_segment_open(f->path, &s, &err), HQ_OK);
    assert_int_equal(hq_segment_n_docs(s), N_DOCS);
    hq_docinfo di;
    hq_segment_doc(s, 7, &di);
    assert_string_equal(hq_segment_string(s, di.section_id), "doc-7");
    assert_string_equal(hq_segment_string(s, di.source), "GARD");
    assert_int_equal(di.trust, 3);
    hq_segment_doc(s, 0, &di); /* doc 0 is from "portal" */
    assert_int_equal(hq_segment_find_string(s, "portal"), di.source);
    assert_int_equal(hq_segment_find_string(s, "nope"), HQ_NO_STRING);
    for (uint32_t w = 0; w < N_WORDS; w++) {
        char t[64];
        word(t, sizeof t, w);
        uint32_t df = 0;
        for (uint32_t d = 0; d < N_DOCS; d++)
            df += f->m->count[w][d][0] + f->m->count[w][d][1] + f->m->count[w][d][2] > 0;
        hq_terminfo ti;
        hq_status rc = hq_segment_term(s, t, strlen(t), &ti);
        if (df == 0) {
            assert_int_equal(rc, HQ_ENOTFOUND);
            continue;
        }
        assert_int_equal(rc, HQ_OK);
        assert_int_equal(ti.df, df);
        hq_postings p;
        assert_int_equal(hq_segment_postings(s, &ti, &p), HQ_OK);
        uint32_t seen = 0;
        for (uint32_t d = hq_postings_next(&p); d != HQ_DOC_END; d = hq_postings_next(&p)) {
            seen++;
            for (int fld = 0; fld < HQ_NFIELDS; fld++) {
                assert_int_equal(hq_postings_tf(&p)[fld], f->m->count[w][d][fld]);
                uint32_t pos[512];
                uint32_t n = hq_postings_positions(&p, fld, pos, 512);
                assert_int_equal(n, f->m->count[w][d][fld]);
                if (n > 0) {
                    assert_int_equal(pos[0], f->m->first_pos[w][d][fld]);
                    assert_int_equal(pos[n - 1], f->m->last_pos[w][d][fld]);
                }
            }
        }
        assert_int_equal(p.rc, HQ_OK);
        assert_int_equal(seen, df);
    }
    assert_int_equal(hq_segment_check(s, &err), HQ_OK);
    hq_segment_unref(s);
}

/* The model's first document >= target holding word w, or HQ_DOC_END. */
static uint32_t model_next(const model *m, uint32_t w, uint32_t target)
{
    for (uint32_t d = target; d < N_DOCS; d++)
        if (m->count[w][d][0] + m->count[w][d][1] + m->count[w][d][2])
            return d;
    return HQ_DOC_END;
}

/* Opens a cursor on word w of s; false when s does not hold it. */
static bool open_word(const hq_segment *s, uint32_t w, hq_postings *p)
{
    char t[64];
    word(t, sizeof t, w);
    hq_terminfo ti;
    if (hq_segment_term(s, t, strlen(t), &ti) != HQ_OK)
        return false;
    assert_int_equal(hq_segment_postings(s, &ti, p), HQ_OK);
    return true;
}

static void test_advance_matches_model(void **state)
{
    fixture *f = *state;
    hq_segment *s = NULL;
    assert_int_equal(hq_segment_open(f->path, &s, NULL), HQ_OK);
    for (uint32_t w = 0; w < 20; w++) { /* the frequent words: many blocks */
        hq_postings p;
        if (!open_word(s, w, &p))
            continue;
        uint32_t target = 0;
        while (target < N_DOCS) {
            uint32_t want = model_next(f->m, w, target);
            uint32_t got = hq_postings_advance(&p, target);
            assert_int_equal(got, want);
            if (got == HQ_DOC_END)
                break;
            target = got + 1 + rnd(300);
        }
    }
    hq_segment_unref(s);
}

/* Seeking backwards and forwards, in and across blocks, as the model says. */
static void test_seek_matches_model(void **state)
{
    fixture *f = *state;
    hq_segment *s = NULL;
    assert_int_equal(hq_segment_open(f->path, &s, NULL), HQ_OK);
    for (uint32_t w = 0; w < 30; w++) {
        hq_postings p;
        if (!open_word(s, w, &p))
            continue;
        for (int k = 0; k < 300; k++) {
            uint32_t target = k % 3 ? rnd(N_DOCS + 10) : p.doc + rnd(4); /* near, often */
            uint32_t want = model_next(f->m, w, target);
            assert_int_equal(hq_postings_seek(&p, target), want);
            if (want != HQ_DOC_END)
                for (int fld = 0; fld < HQ_NFIELDS; fld++)
                    assert_int_equal(hq_postings_tf(&p)[fld], f->m->count[w][want][fld]);
        }
        assert_int_equal(p.rc, HQ_OK);
    }
    hq_segment_unref(s);
}

/* Length codes: exact below 128, never above the length, within 1/16
 * below 32768, increasing; and a segment's codes are its lengths'. */
static void test_length_codes(void **state)
{
    fixture *f = *state;
    for (uint32_t n = 0; n < 200000; n += n < 1000 ? 1 : 97) {
        uint32_t d = hq_length_decode(hq_length_code(n));
        assert_true(d <= n);
        if (n < 128)
            assert_int_equal(d, n);
        else if (n < 32768)
            assert_true((double)(n - d) <= (double)n / 16);
    }
    assert_true(hq_length_decode(hq_length_code(UINT32_MAX)) <= UINT32_MAX);
    for (int c = 1; c < 256; c++)
        assert_true(hq_length_decode((uint8_t)c) > hq_length_decode((uint8_t)(c - 1)));
    hq_segment *s = NULL;
    assert_int_equal(hq_segment_open(f->path, &s, NULL), HQ_OK);
    const uint8_t *codes = hq_segment_length_codes(s);
    for (uint32_t d = 0; d < N_DOCS; d++) {
        hq_docinfo di;
        hq_segment_doc(s, d, &di);
        for (int fld = 0; fld < HQ_NFIELDS; fld++)
            assert_int_equal(codes[d * HQ_NFIELDS + fld], hq_length_code(di.len[fld]));
    }
    hq_segment_unref(s);
}

static bool count(void *ctx, const char *term, size_t len, const hq_terminfo *ti)
{
    (void)ti;
    assert_true(len >= 2 && memcmp(term, "w1", 2) == 0);
    (*(size_t *)ctx)++;
    return true;
}

static void test_prefix_scan(void **state)
{
    fixture *f = *state;
    hq_segment *s = NULL;
    assert_int_equal(hq_segment_open(f->path, &s, NULL), HQ_OK);
    size_t n = 0;
    assert_int_equal(hq_segment_scan(s, "w1", 2, count, &n), HQ_OK);
    assert_true(n > 10); /* w1, w10..w19, w100.. */
    hq_segment_unref(s);
}

/* Damages a copy of the segment at many offsets: open or check must
 * report HQ_ECORRUPT (or succeed when the byte did not matter), and
 * reading every term must never crash. */
static void test_corruption(void **state)
{
    fixture *f = *state;
    char *data;
    size_t len;
    assert_int_equal(hq_read_file(f->path, 1u << 30, &data, &len, NULL), HQ_OK);
    char bad[160];
    snprintf(bad, sizeof bad, "%s/bad.hqs", f->dir);
    size_t detected = 0, trials = 0;
    for (size_t off = 0; off < len; off += 1 + len / 700, trials++) {
        FILE *out = fopen(bad, "wb");
        data[off] ^= 0x5A;
        fwrite(data, 1, len, out);
        fclose(out);
        data[off] ^= 0x5A;
        hq_segment *s = NULL;
        hq_error err;
        hq_error_clear(&err);
        hq_status rc = hq_segment_open(bad, &s, &err);
        if (rc == HQ_OK) {
            rc = hq_segment_check(s, &err);
            hq_segment_unref(s);
        }
        if (rc != HQ_OK) {
            assert_int_equal(rc, HQ_ECORRUPT);
            assert_string_equal(err.where, bad);
            detected++;
        }
    }
    /* every byte is covered by a checksum */
    assert_int_equal(detected, trials);
    for (size_t cut = 0; cut < len; cut += 1 + len / 50) { /* truncation */
        assert_int_equal(truncate(bad, 0), 0);
        FILE *out = fopen(bad, "wb");
        fwrite(data, 1, cut, out);
        fclose(out);
        hq_segment *s = NULL;
        assert_int_equal(hq_segment_open(bad, &s, NULL), HQ_ECORRUPT);
    }
    free(data);
}

static void test_manifest_and_tombstones(void **state)
{
    fixture *f = *state;
    hq_manifest m = {0};
    bool exists = true;
    assert_int_equal(hq_manifest_read(f->dir, &m, &exists, NULL), HQ_OK);
    assert_false(exists);
    assert_int_equal(m.n_segs, 0);
    hq_manifest_seg segs[2] = {{1, 100, 3, 2}, {4, 50, 0, 0}};
    m.segs = malloc(sizeof segs);
    memcpy(m.segs, segs, sizeof segs);
    m.n_segs = 2;
    m.generation = 9;
    m.store_seq = 12345;
    m.next_id = 5;
    assert_int_equal(hq_manifest_write(f->dir, &m, NULL), HQ_OK);
    hq_manifest_free(&m);
    assert_int_equal(hq_manifest_read(f->dir, &m, &exists, NULL), HQ_OK);
    assert_true(exists);
    assert_int_equal(m.n_segs, 2);
    assert_int_equal(m.store_seq, 12345);
    assert_int_equal(m.segs[1].id, 4);
    assert_int_equal(m.segs[0].n_deleted, 3);
    hq_manifest_free(&m);

    char path[160];
    snprintf(path, sizeof path, "%s/MANIFEST", f->dir);
    FILE *io = fopen(path, "r+b");
    fseek(io, 20, SEEK_SET);
    fputc(0x77, io);
    fclose(io);
    hq_error err;
    hq_error_clear(&err);
    assert_int_equal(hq_manifest_read(f->dir, &m, &exists, &err), HQ_ECORRUPT);
    assert_non_null(strstr(err.message, "checksum"));
    assert_int_equal(truncate(path, 30), 0);
    hq_error_clear(&err);
    assert_int_equal(hq_manifest_read(f->dir, &m, &exists, &err), HQ_ECORRUPT);

    uint8_t bits[2] = {0x81, 0x01};
    snprintf(path, sizeof path, "%s/seg-1-1.del", f->dir);
    assert_int_equal(hq_tombstones_write(path, bits, 9, NULL), HQ_OK);
    uint8_t *back = NULL;
    assert_int_equal(hq_tombstones_read(path, 9, &back, NULL), HQ_OK);
    assert_memory_equal(back, bits, 2);
    free(back);
    assert_int_equal(hq_tombstones_read(path, 10, &back, NULL), HQ_ECORRUPT);
}

/* The checksum is zlib's CRC-32 (its check value), and combining the
 * checksums of two parts gives the checksum of the whole, at any cut. */
static void test_crc(void **state)
{
    (void)state;
    assert_int_equal(hq_crc32(0, "123456789", 9), 0xCBF43926u);
    unsigned char data[3000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)rnd(256);
    uint32_t whole = hq_crc32(0, data, sizeof data);
    for (int k = 0; k < 50; k++) {
        size_t cut = k == 0 ? 0 : k == 1 ? sizeof data : rnd(sizeof data);
        uint32_t a = hq_crc32(0, data, cut), b = hq_crc32(0, data + cut, sizeof data - cut);
        assert_int_equal(hq_crc32_combine(a, b, sizeof data - cut), whole);
    }
}

/* The syncer flushes a file written past its threshold and reports a
 * flush that failed (fdatasync on a pipe: EINVAL), so that the writer
 * never takes the file for durable; a file kept small starts no flush. */
static void test_syncer(void **state)
{
    (void)state;
    char dir[256], path[300];
    test_make_temp_dir(dir, sizeof dir, "syncer");
    snprintf(path, sizeof path, "%s/file", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    static unsigned char chunk[256 << 10];
    hq_syncer *s = hq_syncer_new(fd);
    uint64_t wrote = 0;
    for (int i = 0; i < 40; i++) {
        assert_int_equal(write(fd, chunk, sizeof chunk), (ssize_t)sizeof chunk);
        hq_syncer_wrote(s, wrote += sizeof chunk);
    }
    assert_int_equal(hq_syncer_stop(s), 0);
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    assert_int_equal(st.st_size, (off_t)wrote);
    close(fd);
    test_remove_dir(dir);

    int p[2];
    assert_int_equal(pipe(p), 0);
    s = hq_syncer_new(p[1]);
    hq_syncer_wrote(s, 1000); /* under the threshold: no flush, no error */
    assert_int_equal(hq_syncer_stop(s), 0);
    int error = 0;
    /* the flush asked for runs on the syncer's thread: waited for, but a
     * stop that comes first skips it, hence the tries */
    for (int tries = 0; tries < 100 && error == 0; tries++) {
        s = hq_syncer_new(p[1]);
        hq_syncer_wrote(s, (uint64_t)64 << 20);
        usleep(1000);
        error = hq_syncer_stop(s);
    }
    assert_int_equal(error, EINVAL);
    close(p[0]);
    close(p[1]);
}

/* hq_memindex_sorted orders terms by bytes, a prefix first, among many
 * that share their first 8 bytes or are prefixes of one another. */
static void test_sorted_terms(void **state)
{
    (void)state;
    hq_memindex *mi = hq_memindex_new();
    for (int i = 0; i < 5000; i++) {
        char t[16];
        size_t len = 1 + rnd(12);
        for (size_t k = 0; k < len; k++) /* two letters: ties on the prefix are common */
            t[k] = k < 6 ? "ab"[rnd(2)] : (char)('a' + rnd(3));
        hq_memindex_add(mi, 0, 0, t, len, 0);
    }
    size_t n;
    hq_memterm **terms = hq_memindex_sorted(mi, &n);
    assert_true(n > 1000);
    for (size_t i = 1; i < n; i++) {
        const hq_memterm *a = terms[i - 1], *b = terms[i];
        size_t m = a->len < b->len ? a->len : b->len;
        int c = memcmp(a->term, b->term, m);
        assert_true(c < 0 || (c == 0 && a->len < b->len));
    }
    hq_memindex_free(mi);
}

/* A term's postings encode to the same bytes whatever out held before
 * (its skip table is filled in place), on the stack's skip entries or
 * the heap's (over 32 blocks); a limit too small fails and leaves out
 * as it was. */
static void test_encode_in_place(void **state)
{
    (void)state;
    enum { DOCS = 5000 }; /* 40 blocks */
    static uint32_t doc_len[2 * DOCS * HQ_NFIELDS];
    for (size_t i = 0; i < 2 * DOCS * HQ_NFIELDS; i++)
        doc_len[i] = 5 + (uint32_t)(i % 40);
    const uint32_t sizes[] = {1, 10, 130, 4095, DOCS};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        hq_memindex *mi = hq_memindex_new();
        for (uint32_t d = 0; d < sizes[s]; d++) {
            uint32_t doc = d * 2 + rnd(2), tf = 1 + rnd(3), field = rnd(HQ_NFIELDS);
            for (uint32_t k = 0; k < tf; k++)
                hq_memindex_add(mi, doc, (int)field, "term", 4, k * 3);
        }
        size_t n;
        hq_memterm **terms = hq_memindex_sorted(mi, &n);
        assert_int_equal(n, 1);
        hq_encode_ctx ctx = {.doc_len = doc_len};
        hq_buf alone, after;
        hq_buf_init(&alone, 0);
        hq_buf_init(&after, 0);
        hq_buf_append(&after, "xyz", 3);
        assert_int_equal(hq_postings_encode(terms[0], &ctx, &alone, NULL), HQ_OK);
        assert_int_equal(hq_postings_encode(terms[0], &ctx, &after, NULL), HQ_OK);
        assert_int_equal(after.len, alone.len + 3);
        assert_memory_equal(after.data + 3, alone.data, alone.len);
        hq_buf small;
        hq_buf_init(&small, alone.len + 2); /* "xyz" and all but one byte */
        hq_buf_append(&small, "xyz", 3);
        assert_int_equal(hq_postings_encode(terms[0], &ctx, &small, NULL), HQ_ELIMIT);
        assert_int_equal(small.len, 3);
        assert_string_equal(small.data, "xyz");
        hq_buf_free(&alone);
        hq_buf_free(&after);
        hq_buf_free(&small);
        hq_memindex_free(mi);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_advance_matches_model),
        cmocka_unit_test(test_seek_matches_model),
        cmocka_unit_test(test_length_codes),
        cmocka_unit_test(test_prefix_scan),
        cmocka_unit_test(test_corruption),
        cmocka_unit_test(test_manifest_and_tombstones),
        cmocka_unit_test(test_sorted_terms),
        cmocka_unit_test(test_crc),
        cmocka_unit_test(test_syncer),
        cmocka_unit_test(test_encode_in_place),
    };
    return cmocka_run_group_tests_name("segment", tests, setup, teardown);
}

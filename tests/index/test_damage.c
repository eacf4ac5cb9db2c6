/*
 * test_damage.c — the index readers' structural checks, one by one, on
 * damage that checksums cannot see (made, then resealed with
 * tests/support/reseal.h): a segment whose sections leave a gap or
 * bytes after them, a manifest naming a segment twice, tombstones with
 * bits past the last document or counting other than the manifest, a
 * segment missing or holding another number of documents than its
 * manifest entry.  Each is HQ_ECORRUPT with a message saying which.
 * (Damage at every offset: tests/engine/test_corruption.c.)
 */
#include "../support/test_support.h"

#include "../support/reseal.h"

#include <unistd.h>

static char dir[128];
static uint8_t *seg; /* a good segment file: 40 documents, id 1 */
static size_t seg_len;

static char *path_of(const char *name)
{
    static char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return p;
}

static void write_bytes(const char *name, const void *d, size_t n)
{
    FILE *f = fopen(path_of(name), "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(d, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
    (void)state;
    test_make_temp_dir(dir, sizeof dir, "damage");
    uint32_t next_id = 1;
    hq_builder *b = hq_builder_new(dir, &next_id, 256u << 20, NULL, 1); /* one segment */
    for (uint32_t i = 0; i < 40; i++) {
        char id[32];
        snprintf(id, sizeof id, "doc-%u", i);
        const char *focus[] = {"Back Pain"};
        hq_builder_doc d = {id, id, "test", NULL, "high", "Why does my back hurt?", focus, 1,
                            i % 2 ? "pain in the lower back" : "fever and pain", 0, 0, false};
        assert_int_equal(hq_builder_add(b, &d, NULL), HQ_OK);
    }
    assert_int_equal(hq_builder_finish(b, NULL), HQ_OK);
    uint32_t n_segs;
    hq_builder_segments(b, &n_segs);
    assert_int_equal(n_segs, 1);
    hq_builder_free(b);
    char *data, *path = hq_segment_file(dir, 1);
    assert_int_equal(hq_read_file(path, 1u << 24, &data, &seg_len, NULL), HQ_OK);
    free(path);
    seg = (uint8_t *)data;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(seg);
    test_remove_dir(dir);
    return 0;
}

/* Opens bytes d[0..n) as a segment: its status, the message in msg. */
static hq_status open_bytes(const uint8_t *d, size_t n, char *msg, size_t size)
{
    write_bytes("probe.hqs", d, n);
    hq_segment *s = NULL;
    hq_error err;
    hq_error_clear(&err);
    hq_status rc = hq_segment_open(path_of("probe.hqs"), &s, &err);
    hq_segment_unref(s);
    snprintf(msg, size, "%s", err.message);
    return rc;
}

static void test_sections_must_fill_the_file(void **state)
{
    (void)state;
    char msg[512];
    assert_int_equal(open_bytes(seg, seg_len, msg, sizeof msg), HQ_OK);
    uint8_t *d = malloc(seg_len + 8);
    memcpy(d, seg, seg_len);
    memset(d + seg_len, 0, 8); /* bytes after the last section */
    assert_int_equal(open_bytes(d, seg_len + 8, msg, sizeof msg), HQ_ECORRUPT);
    assert_non_null(strstr(msg, "the sections end at byte"));
    /* the strings section moved 4 bytes on (a gap), checksums made right */
    memcpy(d, seg, seg_len);
    uint64_t off = hq_get_u64(d + 48 + 24);
    for (int i = 0; i < 8; i++)
        d[48 + 24 + i] = (uint8_t)((off + 4) >> (8 * i));
    reseal_segment(d, seg_len);
    assert_int_equal(open_bytes(d, seg_len, msg, sizeof msg), HQ_ECORRUPT);
    assert_non_null(strstr(msg, "starts at byte"));
    free(d);
}

static hq_status read_manifest(const hq_manifest_seg *segs, uint32_t n, char *msg, size_t size)
{
    hq_manifest m = {.generation = 1, .store_seq = 1, .next_id = 9, .n_segs = n};
    m.segs = (hq_manifest_seg *)segs;
    assert_int_equal(hq_manifest_write(dir, &m, NULL), HQ_OK);
    hq_manifest back;
    bool exists;
    hq_error err;
    hq_error_clear(&err);
    hq_status rc = hq_manifest_read(dir, &back, &exists, &err);
    if (rc == HQ_OK)
        hq_manifest_free(&back);
    snprintf(msg, size, "%s", err.message);
    return rc;
}

static void test_manifest_names_each_segment_once(void **state)
{
    (void)state;
    char msg[512];
    hq_manifest_seg segs[3] = {{4, 10, 0, 0}, {2, 10, 0, 0}, {5, 10, 0, 0}};
    assert_int_equal(read_manifest(segs, 3, msg, sizeof msg), HQ_OK);
    segs[2].id = 4;
    assert_int_equal(read_manifest(segs, 3, msg, sizeof msg), HQ_ECORRUPT);
    assert_non_null(strstr(msg, "segment 4 is named twice"));
    assert_int_equal(unlink(path_of("MANIFEST")), 0);
}

/* Writes tombstones generation gen of segment 1: bits of n_docs. */
static void write_tombstones(uint32_t gen, const uint8_t *bits, uint32_t n_docs)
{
    char *path = hq_tombstones_file(dir, 1, gen);
    assert_int_equal(hq_tombstones_write(path, bits, n_docs, NULL), HQ_OK);
    free(path);
}

static void test_tombstones_agree_with_the_manifest(void **state)
{
    (void)state;
    uint8_t bits[5] = {0x03, 0, 0, 0, 0x80}; /* documents 0, 1 and 39 deleted */
    hq_manifest_seg ms = {1, 40, 3, 1};
    write_tombstones(1, bits, 40);
    uint8_t *got = NULL;
    hq_error err;
    hq_error_clear(&err);
    assert_int_equal(hq_tombstones_read_entry(dir, &ms, &got, &err), HQ_OK);
    assert_memory_equal(got, bits, 5);
    free(got);
    ms.n_deleted = 2;
    assert_int_equal(hq_tombstones_read_entry(dir, &ms, &got, &err), HQ_ECORRUPT);
    assert_null(got);
    assert_non_null(strstr(err.message, "marks 3 documents deleted, the manifest says 2"));
    ms.del_gen = 0; /* deletions counted, no file named */
    hq_error_clear(&err);
    assert_int_equal(hq_tombstones_read_entry(dir, &ms, &got, &err), HQ_ECORRUPT);
    assert_non_null(strstr(err.message, "names no tombstones"));
    ms = (hq_manifest_seg){1, 40, 3, 7}; /* a generation that is not there */
    hq_error_clear(&err);
    assert_int_equal(hq_tombstones_read_entry(dir, &ms, &got, &err), HQ_ECORRUPT);
    assert_non_null(strstr(err.message, "missing"));
    /* 38 documents: bit 39 lies past the last one */
    hq_error_clear(&err);
    write_tombstones(2, bits, 38);
    ms = (hq_manifest_seg){1, 38, 3, 2};
    assert_int_equal(hq_tombstones_read_entry(dir, &ms, &got, &err), HQ_ECORRUPT);
    assert_non_null(strstr(err.message, "past the last"));
}

static void test_segment_agrees_with_its_entry(void **state)
{
    (void)state;
    hq_segment *s = NULL;
    hq_error err;
    hq_error_clear(&err);
    hq_manifest_seg ms = {1, 40, 0, 0};
    if (hq_segment_open_entry(dir, &ms, &s, &err) != HQ_OK)
        fail_msg("%s: %s", err.where, err.message);
    hq_segment_unref(s);
    ms.n_docs = 41;
    assert_int_equal(hq_segment_open_entry(dir, &ms, &s, &err), HQ_ECORRUPT);
    assert_null(s);
    assert_non_null(strstr(err.message, "segment holds 40 documents, the manifest says 41"));
    ms = (hq_manifest_seg){2, 40, 0, 0};
    hq_error_clear(&err);
    assert_int_equal(hq_segment_open_entry(dir, &ms, &s, &err), HQ_ECORRUPT);
    assert_non_null(strstr(err.message, "missing"));
    assert_non_null(strstr(err.where, "seg-000002.hqs"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sections_must_fill_the_file),
        cmocka_unit_test(test_manifest_names_each_segment_once),
        cmocka_unit_test(test_tombstones_agree_with_the_manifest),
        cmocka_unit_test(test_segment_agrees_with_its_entry),
    };
    return cmocka_run_group_tests_name("damage", tests, setup, teardown);
}

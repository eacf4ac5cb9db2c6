/*
 * test_snapshot.c — opening the index again after it changed shares the
 * segments that did not (hq_snapshot_open's reuse): the same segment
 * object for the same file, a fresh one for a file written since under
 * the same name, and every manifest check made on shared segments too.
 */
#include "../support/test_support.h"
#include "index/index.h"

#include <time.h>
#include <unistd.h>

static char dir[128];

/* Writes segment id of n documents into dir. */
static void write_segment(uint32_t id, uint32_t n, const char *body)
{
    uint32_t next_id = id;
    hq_builder *b = hq_builder_new(dir, &next_id, 256u << 20, NULL, 1);
    for (uint32_t i = 0; i < n; i++) {
        char sid[32];
        snprintf(sid, sizeof sid, "s%u-%u", id, i);
        const char *focus[] = {"Back Pain"};
        hq_builder_doc d = {sid, sid, "test", NULL, "high", "Why does my back hurt?", focus, 1,
                            body, 0, 0, false};
        assert_int_equal(hq_builder_add(b, &d, NULL), HQ_OK);
    }
    assert_int_equal(hq_builder_finish(b, NULL), HQ_OK);
    hq_builder_free(b);
}

/* Publishes a manifest naming segments ids[0..n) of sizes docs[0..n). */
static void publish(uint64_t generation, const uint32_t *ids, const uint32_t *docs, uint32_t n)
{
    hq_manifest m = {.generation = generation, .store_seq = generation, .next_id = 100};
    m.n_segs = n;
    m.segs = hq_xcalloc(n + 1, sizeof *m.segs);
    for (uint32_t i = 0; i < n; i++)
        m.segs[i] = (hq_manifest_seg){ids[i], docs[i], 0, 0};
    assert_int_equal(hq_manifest_write(dir, &m, NULL), HQ_OK);
    hq_manifest_free(&m);
}

/* Segment 1 (30 documents) written, published and opened. */
static hq_snapshot *open_first_segment(void)
{
    write_segment(1, 30, "pain in the lower back");
    publish(1, (uint32_t[]){1}, (uint32_t[]){30}, 1);
    hq_snapshot *a = NULL;
    assert_int_equal(hq_snapshot_open(dir, NULL, &a, NULL), HQ_OK);
    return a;
}

/* Opening dir again, sharing reuse's segments, fails with HQ_ECORRUPT
 * and a message holding needle. */
static void assert_reopen_corrupt(const hq_snapshot *reuse, const char *needle)
{
    hq_snapshot *b = (hq_snapshot *)1;
    hq_error err;
    hq_error_clear(&err);
    assert_int_equal(hq_snapshot_open(dir, reuse, &b, &err), HQ_ECORRUPT);
    assert_null(b);
    assert_non_null(strstr(err.message, needle));
}

static int setup(void **state)
{
    (void)state;
    test_make_temp_dir(dir, sizeof dir, "snapshot");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    test_remove_dir(dir);
    return 0;
}

static void test_unchanged_segments_are_shared(void **state)
{
    (void)state;
    hq_snapshot *a = open_first_segment(), *b = NULL, *c = NULL;

    write_segment(2, 5, "fever");
    publish(2, (uint32_t[]){1, 2}, (uint32_t[]){30, 5}, 2);
    assert_int_equal(hq_snapshot_open(dir, a, &b, NULL), HQ_OK);
    assert_int_equal(b->n_segs, 2);
    assert_ptr_equal(b->segs[0], a->segs[0]); /* the same file: shared */
    assert_int_equal(b->n_all, 35);
    hq_snapshot_unref(a); /* b keeps the shared segment */
    assert_int_equal(hq_segment_n_docs(b->segs[0]), 30);

    /* segment 1 written again under its name (the folder rebuilt): a new file */
    char *path = hq_segment_file(dir, 1);
    assert_int_equal(unlink(path), 0);
    free(path);
    write_segment(1, 12, "headache");
    publish(3, (uint32_t[]){1, 2}, (uint32_t[]){12, 5}, 2);
    assert_int_equal(hq_snapshot_open(dir, b, &c, NULL), HQ_OK);
    assert_ptr_not_equal(c->segs[0], b->segs[0]);
    assert_ptr_equal(c->segs[1], b->segs[1]);
    assert_int_equal(hq_segment_n_docs(c->segs[0]), 12);
    assert_int_equal(c->n_all, 17);
    hq_snapshot_unref(b);
    hq_snapshot_unref(c);
}

/* A segment changed in place (not something healthqa does) is verified
 * again: its change time moved. */
static void test_a_segment_changed_in_place_is_opened_again(void **state)
{
    (void)state;
    hq_snapshot *a = open_first_segment();
    char *path = hq_segment_file(dir, 1), *data;
    size_t len;
    assert_int_equal(hq_read_file(path, 1u << 24, &data, &len, NULL), HQ_OK);
    data[len - 1] ^= 0x40; /* the last section's last byte: its checksum no longer holds */
    /* past a tick of a coarse file clock, so that the change time moves */
    nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
    FILE *f = fopen(path, "r+b"); /* the same inode */
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    assert_reopen_corrupt(a, "checksum");
    free(data);
    free(path);
    hq_snapshot_unref(a);
}

static void test_shared_segments_are_checked_against_the_manifest(void **state)
{
    (void)state;
    hq_snapshot *a = open_first_segment();
    publish(2, (uint32_t[]){1}, (uint32_t[]){31}, 1); /* a manifest that disagrees */
    assert_reopen_corrupt(a, "the manifest says 31");
    hq_snapshot_unref(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_unchanged_segments_are_shared, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_segment_changed_in_place_is_opened_again, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_shared_segments_are_checked_against_the_manifest,
                                        setup, teardown),
    };
    return cmocka_run_group_tests_name("index/snapshot", tests, NULL, NULL);
}

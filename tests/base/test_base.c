/*
 * test_base.c — base helpers: UTF-8 validation and trimming, capped
 * buffers, arenas, error records; and format sniffing (ingest/sniff.c),
 * which is a pure function of bytes.
 */
#include "../support/test_support.h"

#include "base/base.h"

#include <pthread.h>
#include <stdalign.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "ingest/ingest.h"

static void test_utf8_validation(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        size_t len;
        long bad;
    } cases[] = {
        {"plain ascii", 11, -1},
        {"caf\xC3\xA9", 5, -1},
        {"\xE2\x80\x99", 3, -1},          /* ’ */
        {"\xF0\x9F\x98\x80", 4, -1},      /* emoji */
        {"ab\xFF", 3, 2},                 /* never valid */
        {"\xC0\xAF", 2, 0},               /* overlong '/' */
        {"\xE0\x80\xAF", 3, 0},           /* overlong */
        {"\xED\xA0\x80", 3, 0},           /* surrogate */
        {"\xF4\x90\x80\x80", 4, 0},       /* past U+10FFFF */
        {"ok\xE2\x80", 4, 2},             /* truncated sequence */
        {"\xC3", 1, 0},                   /* lone lead byte */
        {"x\x80", 2, 1},                  /* lone continuation */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        assert_int_equal(hq_utf8_invalid_at(cases[i].s, cases[i].len), cases[i].bad);
}

static void test_unicode_trim_and_squeeze(void **state)
{
    (void)state;
    const char *s = "\xC2\xA0 \t hello \xE2\x80\x83world\r\n\xE3\x80\x80"; /* NBSP, EM SPACE, ideographic */
    size_t len = strlen(s);
    const char *t = hq_utf8_trim(s, &len);
    assert_int_equal(len, strlen("hello \xE2\x80\x83world"));
    assert_memory_equal(t, "hello", 5);
    hq_arena a;
    hq_arena_init(&a);
    assert_string_equal(hq_utf8_squeeze(&a, s, strlen(s)), "hello world");
    assert_string_equal(hq_utf8_squeeze(&a, "   ", 3), "");
    hq_arena_free(&a);
}

static void test_buf_limit(void **state)
{
    (void)state;
    hq_buf b;
    hq_buf_init(&b, 8);
    assert_string_equal(hq_buf_str(&b), "");
    assert_int_equal(hq_buf_puts(&b, "12345"), HQ_OK);
    assert_int_equal(hq_buf_puts(&b, "6789"), HQ_ELIMIT); /* would be 9 > 8 */
    assert_string_equal(hq_buf_str(&b), "12345");          /* unchanged */
    assert_int_equal(hq_buf_printf(&b, "%d", 678), HQ_OK);
    assert_string_equal(hq_buf_str(&b), "12345678");
    assert_int_equal(hq_buf_printf(&b, "%c", 'x'), HQ_ELIMIT);
    hq_buf_reset(&b);
    assert_int_equal(b.len, 0);
    hq_buf_free(&b);
}

static void test_arena(void **state)
{
    (void)state;
    hq_arena a;
    hq_arena_init(&a);
    char *big = hq_arena_alloc(&a, 100000); /* its own block */
    memset(big, 'x', 100000);
    for (int i = 0; i < 1000; i++) {
        char *s = hq_arena_printf(&a, "item-%d", i);
        assert_string_equal(s, s); /* touch */
        assert_int_equal(((uintptr_t)hq_arena_alloc(&a, 3)) % alignof(max_align_t), 0);
    }
    assert_string_equal(hq_arena_strndup(&a, "abcdef", 3), "abc");
    assert_true(a.used >= 100000);
    hq_arena_free(&a);
    assert_null(a.head);
}

/* Interning: dense ids in order of first sight, any bytes (NUL too),
 * the same id for the same bytes through table growth, and clearing. */
static void test_intern(void **state)
{
    (void)state;
    hq_intern *t = hq_intern_new();
    char buf[32];
    bool added;
    for (uint32_t i = 0; i < 5000; i++) {
        int n = snprintf(buf, sizeof buf, "term-%u", i);
        assert_int_equal(hq_intern_id(t, buf, (size_t)n, &added), i);
        assert_true(added);
    }
    assert_int_equal(hq_intern_size(t), 5000);
    for (uint32_t i = 0; i < 5000; i += 7) {
        int n = snprintf(buf, sizeof buf, "term-%u", i);
        assert_int_equal(hq_intern_id(t, buf, (size_t)n, &added), i);
        assert_false(added);
        assert_int_equal(hq_intern_find(t, buf, (size_t)n), i);
        size_t len;
        assert_string_equal(hq_intern_str(t, i, &len), buf);
        assert_int_equal(len, (size_t)n);
    }
    assert_int_equal(hq_intern_find(t, "term-5000", 9), HQ_NO_ID);
    assert_int_equal(hq_intern_find(t, "term-1", 5), HQ_NO_ID); /* a prefix is another string */
    uint32_t a = hq_intern_id(t, "a\0b", 3, NULL), b = hq_intern_id(t, "a\0c", 3, NULL);
    assert_int_not_equal(a, b);
    assert_int_equal(hq_intern_id(t, "", 0, NULL), 5002);
    hq_intern_clear(t);
    assert_int_equal(hq_intern_size(t), 0);
    assert_int_equal(hq_intern_find(t, "term-1", 6), HQ_NO_ID);
    assert_int_equal(hq_intern_id(t, "term-1", 6, NULL), 0);
    hq_intern_free(t);
    hq_intern_free(NULL);
}

/* Looking up in groups (hq_intern_tag, each stage's prefetch for the
 * group, then hq_intern_id_tagged), as the memindex maps new terms: the
 * same ids as one lookup at a time, strings new and known mixed in every
 * group, through the table's growth and after a clear. */
static void test_intern_tagged(void **state)
{
    (void)state;
    hq_intern *grouped = hq_intern_new(), *single = hq_intern_new();
    char buf[16][32];
    for (int round = 0; round < 2; round++) {
        for (uint32_t at = 0; at < 6000; at += 16) {
            uint32_t tag[16];
            size_t len[16];
            for (int k = 0; k < 16; k++) { /* every third string was seen a few groups back */
                uint32_t v = k % 3 == 0 && at >= 64 ? at - 64 + (uint32_t)k : at + (uint32_t)k;
                len[k] = (size_t)snprintf(buf[k], sizeof buf[k], "w%u", v);
                tag[k] = hq_intern_tag(buf[k], len[k]);
            }
            for (int stage = HQ_INTERN_SLOT; stage <= HQ_INTERN_STRING; stage++)
                for (int k = 0; k < 16; k++)
                    hq_intern_prefetch(grouped, tag[k], stage);
            for (int k = 0; k < 16; k++) {
                bool added_g, added_s;
                uint32_t g = hq_intern_id_tagged(grouped, buf[k], len[k], tag[k], &added_g);
                assert_int_equal(g, hq_intern_id(single, buf[k], len[k], &added_s));
                assert_int_equal(added_g, added_s);
                assert_int_equal(hq_intern_find(grouped, buf[k], len[k]), g);
            }
        }
        assert_int_equal(hq_intern_size(grouped), hq_intern_size(single));
        hq_intern_clear(grouped);
        hq_intern_clear(single);
        for (int stage = HQ_INTERN_SLOT; stage <= HQ_INTERN_STRING; stage++)
            hq_intern_prefetch(grouped, hq_intern_tag("w1", 2), stage); /* an empty table */
    }
    hq_intern_free(grouped);
    hq_intern_free(single);
}

#define SHARED_WORDS 40000 /* entries in 40 chunks: the directory grows twice */
#define SHARED_READERS 2

/* Word i, as the writer adds it (it gets id i). */
static int shared_word(char *buf, size_t size, unsigned i)
{
    return snprintf(buf, size, "word-%u", i);
}

static void *add_all(void *arg)
{
    hq_intern *t = arg;
    for (unsigned i = 0; i < SHARED_WORDS; i++) {
        char buf[32];
        int n = shared_word(buf, sizeof buf, i);
        hq_intern_id(t, buf, (size_t)n, NULL);
    }
    return NULL;
}

/* Names every id below the size it reads, until all are there; returns
 * how many names were not the word added. */
static void *name_all(void *arg)
{
    const hq_intern *t = arg;
    uintptr_t wrong = 0;
    for (unsigned done = 0; done < SHARED_WORDS;) {
        size_t n = hq_intern_size(t);
        for (; done < n; done++) {
            char buf[32];
            int k = shared_word(buf, sizeof buf, done);
            size_t len;
            const char *s = hq_intern_str(t, done, &len);
            wrong += len != (size_t)k || memcmp(s, buf, len) != 0;
        }
    }
    return (void *)wrong;
}

/* While one thread adds words, others name each id as soon as the size
 * they read covers it (while the entries grow): every name is the word. */
static void test_intern_named_while_adding(void **state)
{
    (void)state;
    hq_intern *t = hq_intern_new();
    pthread_t writer, readers[SHARED_READERS];
    for (unsigned i = 0; i < SHARED_READERS; i++)
        assert_int_equal(pthread_create(&readers[i], NULL, name_all, t), 0);
    assert_int_equal(pthread_create(&writer, NULL, add_all, t), 0);
    pthread_join(writer, NULL);
    for (unsigned i = 0; i < SHARED_READERS; i++) {
        void *wrong;
        pthread_join(readers[i], &wrong);
        assert_int_equal((uintptr_t)wrong, 0);
    }
    assert_int_equal(hq_intern_size(t), SHARED_WORDS);
    hq_intern_clear(t);
    assert_int_equal(hq_intern_size(t), 0);
    hq_intern_free(t);
}

static void test_error_first_wins_and_format(void **state)
{
    (void)state;
    hq_error err;
    hq_error_clear(&err);
    assert_int_equal(hq_fail(&err, HQ_EFORMAT, "f.xml", 12, -1, "bad %s", "tag"), HQ_EFORMAT);
    assert_int_equal(hq_fail(&err, HQ_EIO, "g", 1, -1, "later"), HQ_EIO);
    char buf[256];
    assert_string_equal(hq_error_format(&err, buf, sizeof buf), "f.xml:12: bad tag");
    hq_error_clear(&err);
    hq_fail(&err, HQ_EUTF8, "x.txt", 0, 40, "oops");
    assert_string_equal(hq_error_format(&err, buf, sizeof buf), "x.txt: byte 40: oops");
    hq_error_clear(&err);
    hq_fail(&err, HQ_ENOTFOUND, NULL, 0, -1, "gone");
    assert_string_equal(hq_error_format(&err, buf, sizeof buf), "gone");
    assert_string_equal(hq_strerror(HQ_ECORRUPT), "corrupt data");
    assert_int_equal(hq_fail(NULL, HQ_EIO, NULL, 0, -1, "no record"), HQ_EIO);
}

static void test_error_cut_keeps_utf8(void **state)
{
    (void)state;
    char msg[600];
    memset(msg, 'a', sizeof msg);
    /* a 3-byte character straddling the 511-byte cut of err.message */
    memcpy(msg + 509, "\xE2\x80\x99", 3);
    msg[sizeof msg - 1] = '\0';
    hq_error err;
    hq_error_clear(&err);
    hq_fail(&err, HQ_EFORMAT, NULL, 0, -1, "%s", msg);
    assert_int_equal(hq_utf8_invalid_at(err.message, strlen(err.message)), -1);
}

static void test_sniff(void **state)
{
    (void)state;
    static const struct {
        const char *data, *path;
        hq_format want;
    } cases[] = {
        {"<?xml version=\"1.0\"?>\n<Document id=\"1\">", "a.xml", HQ_FORMAT_MEDQUAD},
        {"\xEF\xBB\xBF<doc docid=\"7\" corpus=\"NINDS\">", "a.xml", HQ_FORMAT_MEDQUAD},
        {"<DiseaseFile fid=\"1\">", "x", HQ_FORMAT_MEDQUAD},
        {"<?xml version=\"1.0\"?><rss>", "a.xml", HQ_FORMAT_UNKNOWN},
        {"  {\"id\": \"x\"}\n", "a.txt", HQ_FORMAT_JSONL},
        {"Title\n\nBody\n<<: prev\n", "a.txt", HQ_FORMAT_PAGE},
        {"<<:\xC2\xA0prev first\nTitle\n", "a.txt", HQ_FORMAT_PAGE},
        {"Title\nBody\nRecommend\nA\nB...\n", "a.txt", HQ_FORMAT_PAGE},
        {"Title\nWe recommend rest.\n", "a.txt", HQ_FORMAT_TEXT},
        {"# Title\n\n## Part\ntext\n", "a.txt", HQ_FORMAT_MARKDOWN},
        {"Title\ntext\n", "notes.md", HQ_FORMAT_MARKDOWN},
        {"\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f", "a.bin", HQ_FORMAT_UNKNOWN},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        hq_format f = hq_sniff(cases[i].data, strlen(cases[i].data), cases[i].path);
        if (f != cases[i].want)
            fail_msg("case %zu: got %s, want %s", i, hq_format_name(f),
                     hq_format_name(cases[i].want));
    }
}

static void test_parse_file_rejections(void **state)
{
    (void)state;
    static const struct {
        const char *data;
        size_t len;
        hq_status want;
        const char *needle;
    } cases[] = {
        {"", 0, HQ_EEMPTY, "empty"},
        {" \n\t\n", 4, HQ_EEMPTY, "white space"},
        {"Title\n\0body", 11, HQ_EFORMAT, "NUL byte at byte 6"},
        {"Title\n\nbad \xC3(", 13, HQ_EUTF8, "invalid UTF-8 at byte 11"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        hq_doc doc;
        hq_doc_init(&doc, "in.txt");
        hq_error err;
        hq_error_clear(&err);
        hq_format f;
        assert_int_equal(hq_parse_file(cases[i].data, cases[i].len, &doc, &f, &err),
                         cases[i].want);
        if (strstr(err.message, cases[i].needle) == NULL)
            fail_msg("case %zu: message \"%s\" lacks \"%s\"", i, err.message, cases[i].needle);
        assert_string_equal(err.where, "in.txt");
        hq_doc_free(&doc);
    }
}

/* ---- hq_memory_short_lived ------------------------------------------ */

#define NOT_HERE 77 /* the child's exit: the allocator is not glibc's heap (a sanitizer's) */

/* Are the pages inside p[0..n) all resident? */
static bool resident(const void *p, size_t n)
{
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t a = ((uintptr_t)p + page - 1) & ~(page - 1), e = ((uintptr_t)p + n) & ~(page - 1);
    if (e <= a)
        return false;
    size_t pages = (e - a) / page;
    unsigned char *vec = malloc(pages);
    bool all = vec != NULL && mincore((void *)a, e - a, vec) == 0;
    for (size_t i = 0; all && i < pages; i++)
        all = vec[i] & 1;
    free(vec);
    return all;
}

/* A block of size bytes, allocated and not yet touched, is resident
 * (NOT_HERE when the heap did not grow for it); after a growth to
 * size * 2 too, with its bytes kept when grow: the child's exit status. */
static int fresh_block_resident(size_t size, bool grow)
{
    void *before = sbrk(0);
    unsigned char *p = hq_xmalloc(size);
    if (sbrk(0) == before) {
        free(p);
        return NOT_HERE;
    }
    if (!resident(p, size))
        return 1;
    for (size_t i = 0; grow && i < size; i++)
        p[i] = (unsigned char)(i * 7);
    if (grow) {
        p = hq_xrealloc(p, size * 2);
        if (!resident(p, size * 2))
            return 2;
        for (size_t i = 0; i < size; i++)
            if (p[i] != (unsigned char)(i * 7))
                return 3;
    }
    free(p);
    return 0;
}

static void *in_thread(void *arg)
{
    *(int *)arg = fresh_block_resident(24u << 20, false); /* more than the heap holds free */
    return NULL;
}

/* The child: a process of its own, since hq_memory_short_lived must come
 * before any thread starts, and this one has started some. */
static int short_lived_child(void)
{
    hq_memory_short_lived();
    int rc = fresh_block_resident(4u << 20, true), in_other = 0;
    pthread_t t;
    if (rc == 0 && pthread_create(&t, NULL, in_thread, &in_other) == 0) {
        pthread_join(t, NULL);
        rc = in_other ? 10 + in_other : 0;
    }
    return rc;
}

static void test_memory_short_lived(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execl("/proc/self/exe", "test_base", "short-lived-child", (char *)NULL);
        _exit(127);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == NOT_HERE) {
        print_message("# the allocator is not glibc's heap here; residency not checked\n");
        return;
    }
    assert_int_equal(WEXITSTATUS(status), 0);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "short-lived-child") == 0)
        return short_lived_child();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_validation),
        cmocka_unit_test(test_unicode_trim_and_squeeze),
        cmocka_unit_test(test_buf_limit),
        cmocka_unit_test(test_arena),
        cmocka_unit_test(test_intern),
        cmocka_unit_test(test_intern_tagged),
        cmocka_unit_test(test_intern_named_while_adding),
        cmocka_unit_test(test_error_first_wins_and_format),
        cmocka_unit_test(test_error_cut_keeps_utf8),
        cmocka_unit_test(test_sniff),
        cmocka_unit_test(test_parse_file_rejections),
        cmocka_unit_test(test_memory_short_lived),
    };
    return cmocka_run_group_tests_name("base", tests, NULL, NULL);
}

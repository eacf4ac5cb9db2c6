/*
 * test_sentence.c — sentence splitting (src/text/sentence.c): the golden
 * cases of tests/fixtures/text/sentences.tsv (abbreviations, list items,
 * paragraphs, CJK), the contract's edge cases, and properties over every
 * section of the portal pages and MedQuAD-like text: spans in order,
 * trimmed, non-empty, and together holding every non-space byte.
 */
#include "../support/test_support.h"

#include "text/text.h"

#include <dirent.h>

#define GOLDEN HQ_FIXTURES "/text/sentences.tsv"
#define PORTAL HQ_SHARED "/corpus/portal"
#define MAX_SENTENCES 4096

/* "\n" in a fixture stands for a line break. */
static char *unescape(const char *s)
{
    char *out = malloc(strlen(s) + 1), *o = out;
    assert_non_null(out);
    for (; *s; s++) {
        if (s[0] == '\\' && s[1] == 'n') {
            *o++ = '\n';
            s++;
        } else {
            *o++ = *s;
        }
    }
    *o = 0;
    return out;
}

/* The sentences of text joined by " || ", line breaks written "\n". */
static void joined(const char *text, hq_buf *out)
{
    hq_span spans[64];
    size_t n = hq_sentences(text, strlen(text), spans, 64);
    assert_true(n <= 64);
    hq_buf_reset(out);
    for (size_t i = 0; i < n; i++) {
        if (i)
            hq_buf_puts(out, " || ");
        for (uint32_t k = spans[i].start; k < spans[i].end; k++) {
            if (text[k] == '\n')
                hq_buf_puts(out, "\\n");
            else
                hq_buf_append(out, text + k, 1);
        }
    }
}

static void test_golden(void **state)
{
    (void)state;
    size_t len;
    char *data = test_read_file(GOLDEN, &len);
    hq_buf got;
    hq_buf_init(&got, 0);
    int cases = 0;
    for (char *line = strtok(data, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#')
            continue;
        char *tab = strchr(line, '\t');
        assert_non_null(tab);
        *tab = 0;
        char *input = unescape(line);
        joined(input, &got);
        if (strcmp(hq_buf_str(&got), tab + 1) != 0)
            fail_msg("\"%s\"\n  want: %s\n  got:  %s", line, tab + 1, hq_buf_str(&got));
        free(input);
        cases++;
    }
    assert_true(cases >= 20);
    hq_buf_free(&got);
    free(data);
}

static void test_edges(void **state)
{
    (void)state;
    hq_span s[4];
    assert_int_equal(hq_sentences(NULL, 0, s, 4), 0);
    assert_int_equal(hq_sentences("", 0, s, 4), 0);
    assert_int_equal(hq_sentences(" \n\t ", 4, s, 4), 0);
    /* out too small: the count says how many there are */
    const char *t = "One. Two. Three. Four. Five.";
    assert_int_equal(hq_sentences(t, strlen(t), s, 2), 5);
    assert_int_equal(s[1].start, 5);
    assert_int_equal(s[1].end, 9);
    /* a NUL byte and invalid UTF-8 are just bytes */
    const char bad[] = "Bad \xff\xfe text. Next\0one. End.";
    size_t n = hq_sentences(bad, sizeof bad - 1, s, 4);
    assert_true(n >= 2 && n <= 4);
}

/* Spans in order, inside text, trimmed, non-empty, and every non-space
 * byte of text in one of them. */
static void check_cover(const char *text, size_t len)
{
    static hq_span spans[MAX_SENTENCES];
    size_t n = hq_sentences(text, len, spans, MAX_SENTENCES);
    assert_true(n <= MAX_SENTENCES);
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(spans[i].start >= at && spans[i].end > spans[i].start);
        assert_true(spans[i].end <= len);
        for (size_t k = at; k < spans[i].start; k++)
            assert_true(strchr(" \t\r\n\f\v", text[k]) != NULL);
        assert_false(strchr(" \t\r\n\f\v", text[spans[i].start]) && text[spans[i].start]);
        assert_false(strchr(" \t\r\n\f\v", text[spans[i].end - 1]) && text[spans[i].end - 1]);
        at = spans[i].end;
    }
    for (size_t k = at; k < len; k++)
        assert_true(strchr(" \t\r\n\f\v", text[k]) != NULL);
}

static void test_portal_pages(void **state)
{
    (void)state;
    DIR *d = opendir(PORTAL);
    if (!d) {
        skip();
        return;
    }
    struct dirent *e;
    int files = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", PORTAL, e->d_name);
        size_t len;
        char *data = test_read_file(path, &len);
        check_cover(data, len);
        hq_span s[8];
        assert_true(hq_sentences(data, len, s, 8) > 8); /* articles have many sentences */
        free(data);
        files++;
    }
    closedir(d);
    assert_true(files >= 5);
}

/* Random text made of sentence-ish pieces (fixed seed). */
static void test_random(void **state)
{
    (void)state;
    static const char *pieces[] = {"Back pain", " is common", ". ", "e.g. ", "Dr. ", "\n",
                                   "\n\n", "- item", "2.5", " mg", "! ", "? ", "...",
                                   " etc. ", "U.S. ", "\xc3\xa9t\xc3\xa9", "\xe3\x80\x82", " ",
                                   "\"", ")", "1. ", "\xff"};
    srand(7);
    hq_buf text;
    hq_buf_init(&text, 0);
    for (int round = 0; round < 2000; round++) {
        hq_buf_reset(&text);
        int k = rand() % 40;
        for (int i = 0; i < k; i++)
            hq_buf_puts(&text, pieces[rand() % (int)(sizeof pieces / sizeof *pieces)]);
        check_cover(hq_buf_str(&text), text.len);
    }
    hq_buf_free(&text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_portal_pages),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests_name("sentences", tests, NULL, NULL);
}

/*
 * test_support.h — what every unit test includes: cmocka, the paths of
 * fixtures and of the shared corpus, and the helpers of support.c that
 * more than one test needs (one block per concept).  Every helper fails
 * the running cmocka test when what it asserts does not hold.
 */
#ifndef HQ_TEST_SUPPORT_H
#define HQ_TEST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ingest/ingest.h"

/* Tests run from the repository root (tests/run.sh makes sure). */
#define HQ_FIXTURES "tests/fixtures"
#define HQ_SHARED "../shared"

/* ---- files and parsing ---------------------------------------------- */

/* Reads the whole file at path (at most HQ_MAX_FILE_BYTES), asserting
 * that it can.  Returns a malloc'd, NUL-terminated copy (the caller frees
 * it) and its length, without the NUL, in *len. */
char *test_read_file(const char *path, size_t *len);

/* A parser of one format, as hq_parse_jsonl and hq_parse_medquad are. */
typedef hq_status (*test_parser)(const char *data, size_t len, hq_doc *doc, hq_error *err);

/* Clears err, initialises doc under the name path and runs fn on
 * data[0..len).  Returns fn's status; the caller frees doc either way. */
hq_status test_parse_data(const char *path, const char *data, size_t len, test_parser fn,
                          hq_doc *doc, hq_error *err);

/* test_parse_data on the contents of the file at path (which must be
 * readable). */
hq_status test_parse_with(const char *path, test_parser fn, hq_doc *doc, hq_error *err);

/* Parses data[0..len) through hq_parse_file() into doc, initialised here
 * under the name path (the caller frees it), asserting that it succeeds
 * and that the sniffed format is want. */
void test_parse_file_data(const char *path, const char *data, size_t len, hq_doc *doc,
                          hq_format want);

/* test_parse_file_data on the contents of the file at path (which must
 * be readable). */
void test_parse_file(const char *path, hq_doc *doc, hq_format want);

/* ---- body text -------------------------------------------------------- */

/* Assert that body (not NULL) starts with word followed by a space or a
 * newline, or ends with word preceded by one. */
void test_assert_first_word(const char *body, const char *word);
void test_assert_last_word(const char *body, const char *word);

/* ---- golden files ----------------------------------------------------- */
/* Expected outputs kept in tests/fixtures.  With HQ_UPDATE_GOLDEN set (to
 * anything) in the environment, the tests rewrite them with what they got;
 * review the diff before committing. */

/* True when HQ_UPDATE_GOLDEN is set. */
bool test_golden_update(void);

/* When HQ_UPDATE_GOLDEN is set, writes data[0..len) over the file at path
 * (asserting it can); otherwise does nothing. */
void test_golden_write(const char *path, const char *data, size_t len);

/* test_golden_write(path, actual), then asserts that the file at path
 * holds exactly actual. */
void test_golden_compare(const char *path, const char *actual);

/* Appends to b a line-oriented dump of every article of doc: ids,
 * formats, titles, sections (each body line prefixed "  | ") and links. */
void test_dump_doc(hq_buf *b, const hq_doc *doc);

/* Parses the file input through hq_parse_file() (which must succeed with
 * format want) and compares its test_dump_doc() with the golden file
 * expected (test_golden_compare). */
void test_golden_doc(const char *input, const char *expected, hq_format want);

/* ---- TSV fixtures ------------------------------------------------------ */
/* Tables of cases, one a line: '\t' between fields, lines starting with
 * '#' are comments.  Fields may hold \t \n \r \\ and \xHH escapes
 * (test_unescape decodes them). */

/* Decodes s[0..n) into out (reset first; out->data is not NULL after):
 * \t \n \r and \xHH (two hex digits) stand for their byte, a backslash
 * before any other byte for that byte. */
void test_unescape(const char *s, size_t n, hq_buf *out);

#define TEST_TSV_MAX_FIELDS 8

/* One line of a TSV file, pointing into the file's text. */
typedef struct test_tsv_line {
    const char *text; /* the line, without its '\n' */
    size_t len;
    long lineno;      /* from 1 */
    size_t n_fields;  /* at least 1 */
    const char *field[TEST_TSV_MAX_FIELDS];
    size_t field_len[TEST_TSV_MAX_FIELDS];
} test_tsv_line;

/* A golden TSV file read line by line, and the same file as it would be
 * rewritten with what the test got (the lines, each ended by '\n'). */
typedef struct test_tsv {
    const char *path;
    char *data;
    size_t len, pos;
    long lineno;
    hq_buf rewrite;
} test_tsv;

/* Reads the file at path (which must be readable) into t. */
void test_tsv_open(test_tsv *t, const char *path);

/* Moves to the next line: false at the end of the file.  The line is
 * split at its first max_fields - 1 tabs (the last field holds the rest;
 * max_fields is at most TEST_TSV_MAX_FIELDS).  Every line must then be
 * passed to test_tsv_keep or test_tsv_expect. */
bool test_tsv_next(test_tsv *t, size_t max_fields, test_tsv_line *line);

/* Keeps line as it is in the rewritten file. */
void test_tsv_keep(test_tsv *t, const test_tsv_line *line);

/* Puts got[0..got_len) in place of field k of line in the rewritten file.
 * Returns whether the field already held exactly that. */
bool test_tsv_expect(test_tsv *t, const test_tsv_line *line, size_t k, const char *got,
                     size_t got_len);

/* Writes the rewritten file over t->path when HQ_UPDATE_GOLDEN is set
 * (test_golden_write), then frees t. */
void test_tsv_close(test_tsv *t);

/* ---- random numbers ------------------------------------------------------ */

/* The next number of the xorshift generator *state (not 0), in [0, n):
 * each test seeds its own, so failures reproduce. */
uint32_t test_rnd(uint64_t *state, uint32_t n);

/* Shuffles items[0..n) (each size bytes) with test_rnd (Fisher-Yates). */
void test_shuffle(void *items, size_t n, size_t size, uint64_t *state);

/* ---- temporary folders ----------------------------------------------------- */

/* Makes a fresh folder /tmp/hq-test-<name>-XXXXXX and writes its path
 * into dir[0..size), asserting both work. */
void test_make_temp_dir(char *dir, size_t size, const char *name);

/* Removes the folder dir and everything in it, asserting it works. */
void test_remove_dir(const char *dir);

#endif

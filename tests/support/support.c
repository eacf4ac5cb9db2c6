/*
 * support.c — helpers shared by the unit tests (declared, with their
 * contracts, in test_support.h): reading and parsing files, golden files
 * and their HQ_UPDATE_GOLDEN rewrite, TSV case tables, a seeded random
 * generator and temporary folders.  Linked into every test binary (see
 * the Makefile); helpers only one test needs stay in that test.
 */
#include "test_support.h"

/* ---- files and parsing ---------------------------------------------- */

char *test_read_file(const char *path, size_t *len)
{
    char *data = NULL;
    hq_error err;
    hq_error_clear(&err);
    if (hq_read_file(path, HQ_MAX_FILE_BYTES, &data, len, &err) != HQ_OK)
        fail_msg("%s: %s", path, err.message);
    return data;
}

hq_status test_parse_data(const char *path, const char *data, size_t len, test_parser fn,
                          hq_doc *doc, hq_error *err)
{
    hq_error_clear(err);
    hq_doc_init(doc, path);
    return fn(data, len, doc, err);
}

hq_status test_parse_with(const char *path, test_parser fn, hq_doc *doc, hq_error *err)
{
    size_t len;
    char *data = test_read_file(path, &len);
    hq_status rc = test_parse_data(path, data, len, fn, doc, err);
    free(data);
    return rc;
}

void test_parse_file_data(const char *path, const char *data, size_t len, hq_doc *doc,
                          hq_format want)
{
    hq_error err;
    hq_error_clear(&err);
    hq_doc_init(doc, path);
    hq_format f;
    hq_status rc = hq_parse_file(data, len, doc, &f, &err);
    if (rc != HQ_OK)
        fail_msg("%s: %s (line %ld)", path, err.message, err.line);
    assert_int_equal(f, want);
}

void test_parse_file(const char *path, hq_doc *doc, hq_format want)
{
    size_t len;
    char *data = test_read_file(path, &len);
    test_parse_file_data(path, data, len, doc, want);
    free(data);
}

/* ---- body text -------------------------------------------------------- */

static bool is_ws(char c)
{
    return c == ' ' || c == '\n';
}

void test_assert_first_word(const char *body, const char *word)
{
    assert_non_null(body);
    size_t n = strlen(word);
    assert_memory_equal(body, word, n);
    assert_true(is_ws(body[n]));
}

void test_assert_last_word(const char *body, const char *word)
{
    assert_non_null(body);
    size_t bl = strlen(body), n = strlen(word);
    assert_true(bl > n);
    assert_string_equal(body + bl - n, word);
    assert_true(is_ws(body[bl - n - 1]));
}

/* ---- golden files ----------------------------------------------------- */

bool test_golden_update(void)
{
    return getenv("HQ_UPDATE_GOLDEN") != NULL;
}

void test_golden_write(const char *path, const char *data, size_t len)
{
    if (!test_golden_update())
        return;
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fwrite(data, 1, len, f);
    fclose(f);
}

void test_golden_compare(const char *path, const char *actual)
{
    test_golden_write(path, actual, strlen(actual));
    size_t len;
    char *want = test_read_file(path, &len);
    assert_string_equal(actual, want);
    free(want);
}

/* Appends "name (null)" or "name" and then each line of s as "  | line"
 * ("  |" for an empty line: no trailing space). */
static void dump_text(hq_buf *b, const char *name, const char *s)
{
    if (s == NULL) {
        hq_buf_printf(b, "%s (null)\n", name);
        return;
    }
    hq_buf_printf(b, "%s\n", name);
    while (true) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        hq_buf_printf(b, n ? "  | %.*s\n" : "  |%.*s\n", (int)n, s);
        if (nl == NULL)
            break;
        s = nl + 1;
    }
}

void test_dump_doc(hq_buf *b, const hq_doc *doc)
{
    for (size_t i = 0; i < doc->n_articles; i++) {
        const hq_article *a = &doc->articles[i];
        hq_buf_printf(b, "article %s\nformat %s\ntitle %s\n", a->id, a->format, a->title);
        for (size_t k = 0; k < a->n_sections; k++) {
            const hq_section *s = &a->sections[k];
            hq_buf_printf(b, "section %s\n  title %s\n", s->id, s->title);
            dump_text(b, "  body", s->body);
        }
        for (size_t k = 0; k < a->n_links; k++) {
            const hq_link *l = &a->links[k];
            hq_buf_printf(b, "link %s %s\n", hq_link_kind_name(l->kind), l->title);
            if (l->snippet)
                hq_buf_printf(b, "  snippet %s%s\n", l->snippet, l->truncated ? " [...]" : "");
        }
    }
}

void test_golden_doc(const char *input, const char *expected, hq_format want)
{
    hq_doc doc;
    test_parse_file(input, &doc, want);
    hq_buf got;
    hq_buf_init(&got, 0);
    test_dump_doc(&got, &doc);
    test_golden_compare(expected, hq_buf_str(&got));
    hq_buf_free(&got);
    hq_doc_free(&doc);
}

/* ---- TSV fixtures ------------------------------------------------------ */

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

void test_unescape(const char *s, size_t n, hq_buf *out)
{
    hq_buf_reset(out);
    assert_int_equal(hq_buf_append(out, "", 0), HQ_OK);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\\' && i + 1 < n) {
            char e = s[++i];
            if (e == 't')
                c = '\t';
            else if (e == 'n')
                c = '\n';
            else if (e == 'r')
                c = '\r';
            else if (e == 'x' && i + 2 < n && hex_digit(s[i + 1]) >= 0 &&
                     hex_digit(s[i + 2]) >= 0) {
                c = (char)(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
                i += 2;
            } else
                c = e;
        }
        assert_int_equal(hq_buf_append(out, &c, 1), HQ_OK);
    }
}

void test_tsv_open(test_tsv *t, const char *path)
{
    t->path = path;
    t->data = test_read_file(path, &t->len);
    t->pos = 0;
    t->lineno = 0;
    hq_buf_init(&t->rewrite, 0);
}

bool test_tsv_next(test_tsv *t, size_t max_fields, test_tsv_line *line)
{
    assert_true(max_fields >= 1 && max_fields <= TEST_TSV_MAX_FIELDS);
    if (t->pos >= t->len)
        return false;
    const char *s = t->data + t->pos;
    const char *nl = memchr(s, '\n', t->len - t->pos);
    size_t n = nl ? (size_t)(nl - s) : t->len - t->pos;
    line->text = s;
    line->len = n;
    line->lineno = ++t->lineno;
    line->field[0] = s;
    line->n_fields = 1;
    for (const char *p = s; p < s + n && line->n_fields < max_fields; p++)
        if (*p == '\t') {
            line->field_len[line->n_fields - 1] = (size_t)(p - line->field[line->n_fields - 1]);
            line->field[line->n_fields++] = p + 1;
        }
    line->field_len[line->n_fields - 1] = (size_t)(s + n - line->field[line->n_fields - 1]);
    t->pos += n + 1;
    return true;
}

void test_tsv_keep(test_tsv *t, const test_tsv_line *line)
{
    hq_buf_append(&t->rewrite, line->text, line->len);
    hq_buf_puts(&t->rewrite, "\n");
}

bool test_tsv_expect(test_tsv *t, const test_tsv_line *line, size_t k, const char *got,
                     size_t got_len)
{
    assert_true(k < line->n_fields);
    const char *field = line->field[k], *after = field + line->field_len[k];
    hq_buf_append(&t->rewrite, line->text, (size_t)(field - line->text));
    hq_buf_append(&t->rewrite, got, got_len);
    hq_buf_append(&t->rewrite, after, (size_t)(line->text + line->len - after));
    hq_buf_puts(&t->rewrite, "\n");
    return line->field_len[k] == got_len && memcmp(field, got, got_len) == 0;
}

void test_tsv_close(test_tsv *t)
{
    test_golden_write(t->path, t->rewrite.data, t->rewrite.len);
    hq_buf_free(&t->rewrite);
    free(t->data);
    t->data = NULL;
}

/* ---- random numbers ------------------------------------------------------ */

uint32_t test_rnd(uint64_t *state, uint32_t n)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return (uint32_t)(*state % n);
}

void test_shuffle(void *items, size_t n, size_t size, uint64_t *state)
{
    unsigned char *p = items;
    for (size_t i = n; i > 1; i--) {
        unsigned char *a = p + (i - 1) * size, *b = p + test_rnd(state, (uint32_t)i) * size;
        for (size_t k = 0; k < size && a != b; k++) {
            unsigned char t = a[k];
            a[k] = b[k];
            b[k] = t;
        }
    }
}

/* ---- temporary folders ----------------------------------------------------- */

void test_make_temp_dir(char *dir, size_t size, const char *name)
{
    int n = snprintf(dir, size, "/tmp/hq-test-%s-XXXXXX", name);
    assert_true(n > 0 && (size_t)n < size);
    assert_non_null(mkdtemp(dir));
}

void test_remove_dir(const char *dir)
{
    char cmd[256];
    int n = snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_true(n > 0 && (size_t)n < sizeof cmd);
    assert_int_equal(system(cmd), 0);
}

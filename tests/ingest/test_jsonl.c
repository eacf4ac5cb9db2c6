/*
 * test_jsonl.c — the JSON Lines parser (src/ingest/jsonl.c): the real
 * MedlinePlus file, extra fields kept as meta_json, CR LF and blank
 * lines, and every rule a bad line can break, each with its line number.
 */
#include "../support/test_support.h"

#include "ingest/ingest.h"

#define TOPICS HQ_SHARED "/corpus/medlineplus/health_topics.jsonl"
#define FIX HQ_FIXTURES "/ingest"

static hq_status parse_path(const char *path, hq_doc *doc, hq_error *err)
{
    return test_parse_with(path, hq_parse_jsonl, doc, err);
}

static hq_status parse_string(const char *s, size_t len, hq_doc *doc, hq_error *err)
{
    return test_parse_data("in/test.jsonl", s, len, hq_parse_jsonl, doc, err);
}

static const hq_article *find(const hq_doc *doc, const char *id)
{
    for (size_t i = 0; i < doc->n_articles; i++)
        if (strcmp(doc->articles[i].id, id) == 0)
            return &doc->articles[i];
    return NULL;
}

static void test_medlineplus(void **state)
{
    (void)state;
    hq_doc doc;
    hq_error err;
    assert_int_equal(parse_path(TOPICS, &doc, &err), HQ_OK);
    assert_int_equal(doc.n_articles, 1017);
    const hq_article *a = &doc.articles[0];
    assert_string_equal(a->id, "medlineplus:6308");
    assert_string_equal(a->format, "jsonl");
    assert_string_equal(a->title, "A1C");
    assert_int_equal(a->synonyms.n, 3);
    assert_string_equal(a->synonyms.items[0], "Glycohemoglobin");
    assert_string_equal(a->synonyms.items[1], "HbA1C");
    assert_string_equal(a->synonyms.items[2], "Hemoglobin A1C test");
    assert_string_equal(a->url, "https://medlineplus.gov/a1c.html");
    assert_string_equal(a->source, "MedlinePlus Health Topics");
    assert_string_equal(a->language, "en");
    assert_null(a->meta_json);
    assert_null(a->focus);
    assert_int_equal(a->n_sections, 1);
    assert_string_equal(a->sections[0].id, "medlineplus:6308:s1");
    assert_string_equal(a->sections[0].title, "A1C");
    assert_null(a->sections[0].qtype);
    assert_int_equal(strlen(a->sections[0].body), 1074);
    assert_true(strncmp(a->sections[0].body, "A1C is a blood test for type 2 diabetes", 39) == 0);

    const hq_article *z = find(&doc, "medlineplus:6342");
    assert_non_null(z);
    assert_ptr_equal(z, &doc.articles[1016]);
    assert_string_equal(z->title, "Zika Virus");
    assert_int_equal(z->synonyms.n, 1);
    const hq_article *e = find(&doc, "medlineplus:6603");
    assert_non_null(e);
    assert_string_equal(e->title, "How Much Exercise Do I Need?");
    assert_int_equal(e->synonyms.n, 0);

    size_t n_syn = 0;
    for (size_t i = 0; i < doc.n_articles; i++)
        n_syn += doc.articles[i].synonyms.n;
    assert_int_equal(n_syn, 901);
    hq_doc_free(&doc);
}

static void test_through_dispatcher(void **state)
{
    (void)state;
    hq_doc doc;
    test_parse_file(TOPICS, &doc, HQ_FORMAT_JSONL);
    assert_int_equal(doc.n_articles, 1017);
    hq_doc_free(&doc);
}

static void test_extra_fields_meta(void **state)
{
    (void)state;
    hq_doc doc;
    hq_error err;
    const char *s = "{\"zeta\": [1, 2.5, {\"b\": null, \"a\": true}], \"id\": \"x:1\", "
                    "\"title\": \"  A   title \", \"alpha\": \"caf\xC3\xA9\", "
                    "\"body\": \"  Kept\\n\\n  as   is.  \", \"url\": null, \"source\": "
                    "\" Some  source \"}\n"
                    "{\"id\": \"x:2\", \"title\": \"B\", \"body\": \"   \", \"synonyms\": "
                    "[\"\", \" b \", \"c\"], \"language\": \"\"}\n";
    assert_int_equal(parse_string(s, strlen(s), &doc, &err), HQ_OK);
    assert_int_equal(doc.n_articles, 2);
    const hq_article *a = &doc.articles[0];
    assert_string_equal(a->id, "x:1");
    assert_string_equal(a->title, "A title");
    assert_string_equal(a->meta_json,
                        "{\"alpha\":\"caf\xC3\xA9\",\"zeta\":[1,2.5,{\"a\":true,\"b\":null}]}");
    assert_string_equal(a->sections[0].body, "Kept\n\n  as   is.");
    assert_string_equal(a->sections[0].id, "x:1:s1");
    assert_null(a->url);
    assert_string_equal(a->source, "Some source");
    assert_int_equal(a->synonyms.n, 0);
    const hq_article *b = &doc.articles[1];
    assert_null(b->meta_json);
    assert_null(b->sections[0].body);
    assert_null(b->language);
    assert_int_equal(b->synonyms.n, 2);
    assert_string_equal(b->synonyms.items[0], "b");
    assert_string_equal(b->synonyms.items[1], "c");
    hq_doc_free(&doc);
}

static void test_crlf_and_blank_lines(void **state)
{
    (void)state;
    hq_doc doc;
    hq_error err;
    assert_int_equal(parse_path(FIX "/jsonl_crlf.jsonl", &doc, &err), HQ_OK);
    assert_int_equal(doc.n_articles, 2);
    assert_string_equal(doc.articles[0].id, "c:1");
    assert_string_equal(doc.articles[0].sections[0].body, "Body\r\none.");
    assert_string_equal(doc.articles[1].title, "Line two");
    assert_string_equal(doc.articles[1].url, "https://example.org/2");
    assert_string_equal(doc.articles[1].language, "es");
    hq_doc_free(&doc);

    /* a byte order mark, no final newline, white-space-only lines */
    const char *s = "\xEF\xBB\xBF{\"id\":\"b:1\",\"title\":\"T\"}\n  \t\r\n\n{\"id\":\"b:2\","
                    "\"title\":\"U\"}";
    assert_int_equal(parse_string(s, strlen(s), &doc, &err), HQ_OK);
    assert_int_equal(doc.n_articles, 2);
    assert_string_equal(doc.articles[1].id, "b:2");
    hq_doc_free(&doc);
}

static void test_bad_line_fixture(void **state)
{
    (void)state;
    hq_doc doc;
    hq_error err;
    assert_int_equal(parse_path(FIX "/jsonl_bad_line.jsonl", &doc, &err), HQ_EFORMAT);
    assert_string_equal(err.where, FIX "/jsonl_bad_line.jsonl");
    assert_int_equal(err.line, 4);
    assert_true(err.offset > 0);
    assert_true(strncmp(err.message, "invalid JSON at column ", 23) == 0);
    char buf[2048];
    hq_error_format(&err, buf, sizeof buf);
    static const char want[] = FIX "/jsonl_bad_line.jsonl:4: invalid JSON";
    assert_true(strncmp(buf, want, strlen(want)) == 0);
    hq_doc_free(&doc);
}

static void test_rules(void **state)
{
    (void)state;
    static const char ok[] = "{\"id\":\"r:1\",\"title\":\"Fine\"}\n\n";
    static const struct {
        const char *line;
        hq_status code;
        const char *message; /* a prefix of the message */
    } cases[] = {
        {"{\"id\":\"r:2\",\"title\":\"T\"", HQ_EFORMAT, "invalid JSON at column "},
        {"{\"id\":\"r:2\",\"title\":\"T\",\"id\":\"r:3\"}", HQ_EFORMAT,
         "invalid JSON at column "},
        {"[1, 2]", HQ_EFORMAT, "a record must be a JSON object, not an array"},
        {"\"text\"", HQ_EFORMAT, "a record must be a JSON object, not a string"},
        {"null", HQ_EFORMAT, "a record must be a JSON object, not null"},
        {"12", HQ_EFORMAT, "a record must be a JSON object, not a number"},
        {"{\"title\":\"T\"}", HQ_EFORMAT, "id must be a non-empty string"},
        {"{\"id\":\"\",\"title\":\"T\"}", HQ_EFORMAT, "id must be a non-empty string"},
        {"{\"id\":\"  \",\"title\":\"T\"}", HQ_EFORMAT, "id must be a non-empty string"},
        {"{\"id\":7,\"title\":\"T\"}", HQ_EFORMAT, "id must be a non-empty string"},
        {"{\"id\":\"r:1\",\"title\":\"T\"}", HQ_EFORMAT, "id \"r:1\" is already used on line 1"},
        {"{\"id\":\"r:2\"}", HQ_EFORMAT, "title must be a non-empty string"},
        {"{\"id\":\"r:2\",\"title\":\" \\n \"}", HQ_EFORMAT, "title must be a non-empty string"},
        {"{\"id\":\"r:2\",\"title\":[\"T\"]}", HQ_EFORMAT, "title must be a non-empty string"},
        {"{\"id\":\"r:2\",\"title\":\"T\",\"synonyms\":\"S\"}", HQ_EFORMAT,
         "synonyms must be an array of strings"},
        {"{\"id\":\"r:2\",\"title\":\"T\",\"synonyms\":[\"S\",3]}", HQ_EFORMAT,
         "synonyms must be an array of strings"},
        {"{\"id\":\"r:2\",\"title\":\"T\",\"body\":{}}", HQ_EFORMAT,
         "body must be a string, not an object"},
        {"{\"id\":\"r:2\",\"title\":\"T\",\"url\":1}", HQ_EFORMAT,
         "url must be a string, not a number"},
        {"{\"id\":\"r:2\",\"title\":\"T\",\"language\":false}", HQ_EFORMAT,
         "language must be a string, not a boolean"},
        {"{\"id\":\"r:2\",\"title\":\"T\",\"source\":[]}", HQ_EFORMAT,
         "source must be a string, not an array"},
        {"{\"id\":\"r:2\",\"title\":\"T\",\"x\":\"a\\u0000b\"}", HQ_EFORMAT, "invalid JSON"},
        {"{\"id\":\"r:2\",\"title\":\"T\",\"x\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]"
         "]]]]]]]]]]]]]]]]]]]]]}",
         HQ_ELIMIT, "record nests arrays or objects deeper than 32 levels"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char in[512];
        int n = snprintf(in, sizeof in, "%s%s\n{\"id\":\"r:9\",\"title\":\"Later\"}\n", ok,
                         cases[i].line);
        assert_true(n > 0 && (size_t)n < sizeof in);
        hq_doc doc;
        hq_error err;
        hq_status rc = parse_string(in, (size_t)n, &doc, &err);
        if (rc != cases[i].code || err.line != 3 ||
            strncmp(err.message, cases[i].message, strlen(cases[i].message)) != 0)
            fail_msg("case %zu: rc %d line %ld: %s", i, rc, err.line, err.message);
        assert_int_equal(err.offset, (long)strlen(ok));
        hq_doc_free(&doc);
    }
}

static void test_json_message_names_column(void **state)
{
    (void)state;
    hq_doc doc;
    hq_error err;
    const char *s = "{\"id\":\"a\",\"title\":\"T\"}\n{\"id\":\"b\", \"title\": tru}\n";
    assert_int_equal(parse_string(s, strlen(s), &doc, &err), HQ_EFORMAT);
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.message, "column 23"));
    assert_non_null(strstr(err.message, "invalid token"));
    hq_doc_free(&doc);
}

static void test_limits(void **state)
{
    (void)state;
    hq_doc doc;
    hq_error err;
    /* a line over HQ_MAX_LINE_BYTES, on line 2 */
    size_t big = HQ_MAX_LINE_BYTES + 100;
    char *s = malloc(big + 64);
    assert_non_null(s);
    int head = snprintf(s, 64, "{\"id\":\"a\",\"title\":\"T\"}\n{\"id\":\"b\",\"title\":\"");
    memset(s + head, 'x', big);
    memcpy(s + head + big, "\"}\n", 4);
    assert_int_equal(parse_string(s, strlen(s), &doc, &err), HQ_ELIMIT);
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.message, "over the limit"));
    hq_doc_free(&doc);
    free(s);

    /* a title over HQ_MAX_TITLE_BYTES */
    char line[HQ_MAX_TITLE_BYTES + 64];
    int n = snprintf(line, sizeof line, "{\"id\":\"a\",\"title\":\"");
    memset(line + n, 't', HQ_MAX_TITLE_BYTES + 1);
    n += HQ_MAX_TITLE_BYTES + 1;
    memcpy(line + n, "\"}", 3);
    assert_int_equal(parse_string(line, strlen(line), &doc, &err), HQ_ELIMIT);
    assert_int_equal(err.line, 1);
    hq_doc_free(&doc);
}

static void test_too_many_records(void **state)
{
    (void)state;
    hq_buf b;
    hq_buf_init(&b, 0);
    for (int i = 0; i <= HQ_MAX_ARTICLES_PER_FILE; i++)
        assert_int_equal(hq_buf_printf(&b, "{\"id\":\"n:%d\",\"title\":\"T\"}\n", i), HQ_OK);
    hq_doc doc;
    hq_error err;
    assert_int_equal(parse_string(b.data, b.len, &doc, &err), HQ_ELIMIT);
    assert_int_equal(err.line, HQ_MAX_ARTICLES_PER_FILE + 1);
    assert_non_null(strstr(err.message, "more than 100000 records"));
    hq_doc_free(&doc);
    hq_buf_free(&b);
}

static void test_empty_file(void **state)
{
    (void)state;
    hq_doc doc;
    hq_error err;
    assert_int_equal(parse_string("\n \r\n\n", 5, &doc, &err), HQ_EEMPTY);
    assert_int_equal(doc.n_articles, 0);
    hq_doc_free(&doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_medlineplus),
        cmocka_unit_test(test_through_dispatcher),
        cmocka_unit_test(test_extra_fields_meta),
        cmocka_unit_test(test_crlf_and_blank_lines),
        cmocka_unit_test(test_bad_line_fixture),
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_json_message_names_column),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_too_many_records),
        cmocka_unit_test(test_empty_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

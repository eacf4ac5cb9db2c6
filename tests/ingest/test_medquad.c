/*
 * test_medquad.c — the MedQuAD XML parser (src/ingest/medquad.c): real
 * files of each schema and subset, answer ids by position, answer
 * white space, broken and foreign XML, and a walk over the whole corpus
 * checking counts, unique ids and that every judged answer id exists.
 */
#include "../support/test_support.h"

#include "ingest/ingest.h"

#include <unistd.h>

#define MEDQUAD HQ_SHARED "/corpus/medquad"
#define QRELS HQ_SHARED "/eval/liveqa-med/qrels.txt"
#define FIX HQ_FIXTURES "/ingest"

/* Reads path and parses it with hq_parse_medquad into doc (initialised
 * here; the caller frees it).  err is cleared first. */
static hq_status parse_path(const char *path, hq_doc *doc, hq_error *err)
{
    return test_parse_with(path, hq_parse_medquad, doc, err);
}

/* The same, checking that nothing reaches stderr (libxml2 must not
 * print its errors). */
static hq_status parse_path_quietly(const char *path, hq_doc *doc, hq_error *err)
{
    fflush(stderr);
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    int saved = dup(STDERR_FILENO);
    assert_true(saved >= 0);
    assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
    hq_status rc = parse_path(path, doc, err);
    fflush(stderr);
    assert_true(dup2(saved, STDERR_FILENO) >= 0);
    close(saved);
    long printed = ftell(tmp) >= 0 ? (fseek(tmp, 0, SEEK_END), ftell(tmp)) : -1;
    fclose(tmp);
    assert_int_equal(printed, 0);
    return rc;
}

static hq_status parse_string(const char *path, const char *xml, hq_doc *doc, hq_error *err)
{
    return test_parse_data(path, xml, strlen(xml), hq_parse_medquad, doc, err);
}

/* Parses path, which must succeed, and returns its first article. */
static const hq_article *parse_ok(const char *path, hq_doc *doc)
{
    hq_error err;
    assert_int_equal(parse_path(path, doc, &err), HQ_OK);
    return &doc->articles[0];
}

/* Asserts the id, source, url and title of a; a NULL argument is not
 * checked (NULL fields are asserted with assert_null). */
static void assert_article(const hq_article *a, const char *id, const char *source,
                           const char *url, const char *title)
{
    assert_string_equal(a->id, id);
    if (source)
        assert_string_equal(a->source, source);
    if (url)
        assert_string_equal(a->url, url);
    if (title)
        assert_string_equal(a->title, title);
}

/* Asserts the id, title and question type of section i of a; a NULL
 * title or qtype is not checked. */
static void assert_section(const hq_article *a, size_t i, const char *id, const char *title,
                           const char *qtype)
{
    assert_string_equal(a->sections[i].id, id);
    if (title)
        assert_string_equal(a->sections[i].title, title);
    if (qtype)
        assert_string_equal(a->sections[i].qtype, qtype);
}

static void assert_strv(const hq_strv *v, const char *const *want, size_t n)
{
    assert_int_equal(v->n, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(v->items[i], want[i]);
}

/* ---- real files --------------------------------------------------- */

static void test_adam(void **state)
{
    (void)state;
    hq_doc doc;
    const hq_article *a = parse_ok(MEDQUAD "/10_MPlus_ADAM_QA/0003147.xml", &doc);
    assert_int_equal(doc.n_articles, 1);
    assert_article(a, "medquad:ADAM_0003147", "ADAM",
                   "https://www.nlm.nih.gov/medlineplus/ency/article/000369.htm",
                   "Polycystic ovary syndrome");
    assert_string_equal(a->format, "medquad");
    assert_string_equal(a->focus, "Polycystic ovary syndrome");
    assert_string_equal(a->category, "Disease");
    assert_string_equal(a->semgroup, "Disorders");
    assert_null(a->language);
    assert_null(a->meta_json);
    static const char *const syn[] = {"Polycystic ovaries", "Polycystic ovary disease",
                                      "Stein-Leventhal syndrome",
                                      "Polyfollicular ovarian disease"};
    static const char *const cuis[] = {"C0032460"};
    static const char *const types[] = {"T047"};
    assert_strv(&a->synonyms, syn, 4);
    assert_strv(&a->cuis, cuis, 1);
    assert_strv(&a->semtypes, types, 1);
    assert_int_equal(a->n_sections, 8);
    assert_section(a, 0, "ADAM_0003147_Sec1.txt", "What is (are) Polycystic ovary syndrome ?",
                   "information");
    assert_section(a, 7, "ADAM_0003147_Sec8.txt", NULL, "when to contact a medical professional");
    for (size_t i = 0; i < a->n_sections; i++)
        assert_null(a->sections[i].body);
    assert_int_equal(a->n_links, 0);
    hq_doc_free(&doc);
}

static void test_cancergov(void **state)
{
    (void)state;
    hq_doc doc;
    const hq_article *a = parse_ok(MEDQUAD "/1_CancerGov_QA/0000001_1.xml", &doc);
    assert_article(a, "medquad:CancerGov_0000001_1", "CancerGov", NULL,
                   "Adult Acute Lymphoblastic Leukemia");
    assert_null(a->category);
    assert_int_equal(a->synonyms.n, 0);
    assert_int_equal(a->n_sections, 7);
    assert_section(a, 0, "CancerGov_0000001_1_Sec1.txt", NULL, NULL);
    assert_section(a, 6, "CancerGov_0000001_1_Sec7.txt", NULL, NULL);
    /* indentation goes, lines and paragraph breaks stay */
    const char *body = a->sections[0].body;
    assert_non_null(body);
    assert_true(strncmp(body, "Key Points\n- Adult acute lymphoblastic leukemia (ALL) is a type",
                        62) == 0);
    assert_non_null(strstr(body, "treatment options.\n\nAdult acute lymphoblastic leukemia (ALL) "
                                 "is a type of cancer in which the bone marrow makes too many "
                                 "lymphocytes (a type of white blood cell).\nAdult acute"));
    assert_null(strstr(body, "  "));
    assert_null(strstr(body, "\t"));
    assert_null(strstr(body, "\n\n\n"));
    assert_null(strstr(body, " \n"));
    assert_null(strstr(body, "\n "));
    hq_doc_free(&doc);
}

static void test_ninds_old_schema(void **state)
{
    (void)state;
    hq_doc doc;
    const hq_article *a = parse_ok(MEDQUAD "/6_NINDS_QA/0000007.xml", &doc);
    assert_article(a, "medquad:NINDS_0000007", "NINDS",
                   "http://www.ninds.nih.gov/disorders/holmes_adie/holmes_adie.htm", "Holmes-Adie");
    assert_string_equal(a->focus, "Holmes-Adie");
    assert_null(a->semgroup); /* empty elements are skipped */
    assert_int_equal(a->cuis.n, 0);
    assert_int_equal(a->semtypes.n, 0);
    assert_int_equal(a->n_sections, 4);
    assert_section(a, 0, "NINDS_0000007_Sec1.txt", "what is holmes-adie syndrome ?", NULL);
    assert_section(a, 3, "NINDS_0000007_Sec4.txt", NULL, "research");
    assert_true(strncmp(a->sections[0].body, "Holmes-Adie syndrome (HAS) is a neurological", 44) ==
                0);
    /* the answer is one line: runs of spaces collapse, the curly quote stays */
    assert_non_null(strstr(a->sections[0].body, "in bright light (tonic pupil)"));
    assert_non_null(strstr(a->sections[0].body, "Ross\xE2\x80\x99s syndrome"));
    hq_doc_free(&doc);
}

static void test_cdc_disease_file(void **state)
{
    (void)state;
    hq_doc doc;
    const hq_article *a = parse_ok(MEDQUAD "/9_CDC_QA/0000397.xml", &doc);
    assert_article(a, "medquad:CDC_0000397", "CDC", "http://www.cdc.gov/parasites/taeniasis/",
                   "Parasites - Taeniasis");
    assert_int_equal(a->n_sections, 5);
    /* pids are 1, 2, 5, 6, 7: ids follow positions */
    assert_section(a, 2, "CDC_0000397_Sec3.txt", "How to diagnose Parasites - Taeniasis ?",
                   "exams and tests");
    assert_section(a, 4, "CDC_0000397_Sec5.txt", NULL, "prevention");
    assert_non_null(strstr(a->sections[0].body, "nonexistent.\n\nT. solium tapeworm"));
    assert_non_null(strstr(a->sections[1].body, "Persons who don't eat raw"));
    assert_non_null(strstr(a->sections[1].body, "likely to get taeniasis.\n\nInfections"));
    hq_doc_free(&doc);
}

static void test_pid_gaps_use_positions(void **state)
{
    (void)state;
    hq_doc doc;
    /* pids 1, 2, 3, 6, 7 */
    const hq_article *a = parse_ok(MEDQUAD "/10_MPlus_ADAM_QA/0000001.xml", &doc);
    assert_int_equal(a->n_sections, 5);
    for (size_t i = 0; i < a->n_sections; i++) {
        char want[64];
        snprintf(want, sizeof want, "ADAM_0000001_Sec%zu.txt", i + 1);
        assert_section(a, i, want, NULL, NULL);
    }
    hq_doc_free(&doc);
}

static void test_herbs_prefix(void **state)
{
    (void)state;
    hq_doc doc;
    const hq_article *a = parse_ok(MEDQUAD "/12_MPlusHerbsSupplements_QA/0000001.xml", &doc);
    assert_article(a, "medquad:MPlusHerbsSuppls_0000001", "MPlusHerbsSupplements", NULL,
                   "Activated Charcoal");
    assert_string_equal(a->category, "Drug");
    assert_null(a->semgroup);
    assert_section(a, 0, "MPlusHerbsSuppls_0000001_Sec1.txt", NULL, NULL);
    assert_string_equal(a->sections[1].qtype, "how effective is it");
    assert_null(a->sections[0].body);
    hq_doc_free(&doc);
}

static void test_empty_focus_uses_first_question(void **state)
{
    (void)state;
    hq_doc doc;
    const hq_article *a = parse_ok(MEDQUAD "/9_CDC_QA/0000423.xml", &doc);
    assert_null(a->focus);
    assert_string_equal(a->title, "What is (are) ?");
    assert_section(a, 0, "CDC_0000423_Sec1.txt", NULL, NULL);
    hq_doc_free(&doc);
}

static void test_old_schema_fixture(void **state)
{
    (void)state;
    hq_doc doc;
    const hq_article *a = parse_ok(FIX "/medquad_old_schema.xml", &doc);
    assert_article(a, "medquad:NINDS_medquad_old_schema", "NINDS", NULL, "Example syndrome");
    assert_string_equal(a->semgroup, "Disorders");
    static const char *const cuis[] = {"C0000001"};
    assert_strv(&a->cuis, cuis, 1);
    assert_int_equal(a->n_sections, 3);
    assert_string_equal(a->sections[0].title, "what is example syndrome ?");
    assert_string_equal(a->sections[0].body,
                        "Example syndrome is a disorder. It is rare.\nIt has two lines.\n\n"
                        "A second paragraph & an entity: <b> \"quoted\" don't.");
    assert_section(a, 1, "NINDS_medquad_old_schema_Sec2.txt", NULL, NULL);
    assert_string_equal(a->sections[1].body, "Rest <and> water.");
    assert_section(a, 2, "NINDS_medquad_old_schema_Sec3.txt", NULL, NULL);
    assert_null(a->sections[2].body);
    hq_doc_free(&doc);
}

static void test_through_dispatcher(void **state)
{
    (void)state;
    hq_doc doc;
    test_parse_file(MEDQUAD "/2_GARD_QA/0000004.xml", &doc, HQ_FORMAT_MEDQUAD);
    assert_string_equal(doc.articles[0].id, "medquad:GARD_0000004");
    assert_string_equal(doc.articles[0].sections[0].id, "GARD_0000004_Sec1.txt");
    hq_doc_free(&doc);
}

/* ---- bad input ---------------------------------------------------- */

static void test_truncated(void **state)
{
    (void)state;
    hq_doc doc;
    hq_error err;
    assert_int_equal(parse_path_quietly(FIX "/medquad_truncated.xml", &doc, &err), HQ_EFORMAT);
    assert_int_equal(err.code, HQ_EFORMAT);
    assert_string_equal(err.where, FIX "/medquad_truncated.xml");
    assert_int_equal(err.line, 29); /* the end of the file */
    assert_string_equal(err.message, "XML error: premature end of data before the root element "
                                     "is closed (is the file truncated?)");
    hq_doc_free(&doc);
}

static void test_mismatched_tag(void **state)
{
    (void)state;
    hq_doc doc;
    hq_error err;
    assert_int_equal(parse_path_quietly(FIX "/medquad_mismatched.xml", &doc, &err), HQ_EFORMAT);
    assert_int_equal(err.line, 7);
    assert_true(strncmp(err.message, "XML error: ", 11) == 0);
    assert_non_null(strstr(err.message, "Answer"));
    hq_doc_free(&doc);
}

static void test_not_medquad(void **state)
{
    (void)state;
    hq_doc doc;
    hq_error err;
    assert_int_equal(parse_path_quietly(FIX "/medquad_not_medquad.xml", &doc, &err),
                     HQ_EFORMAT);
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.message, "root element <rss>"));
    hq_doc_free(&doc);
}

static void test_no_pairs(void **state)
{
    (void)state;
    hq_doc doc;
    hq_error err;
    /* an empty <QAPairs> is valid: a topic without sections */
    assert_int_equal(parse_path_quietly(FIX "/medquad_no_pairs.xml", &doc, &err), HQ_OK);
    assert_int_equal(doc.n_articles, 1);
    assert_int_equal(doc.articles[0].n_sections, 0);
    assert_string_equal(doc.articles[0].title, "Prevent diabetes problems: Keep your feet healthy");
    hq_doc_free(&doc);
}

static void test_dtd_refused(void **state)
{
    (void)state;
    hq_doc doc;
    hq_error err;
    assert_int_equal(parse_path_quietly(FIX "/medquad_dtd.xml", &doc, &err), HQ_EFORMAT);
    assert_true(err.line > 0);
    assert_non_null(strstr(err.message, "document type declarations are not allowed"));
    hq_doc_free(&doc);
}

static void test_pair_without_question(void **state)
{
    (void)state;
    hq_doc doc;
    hq_error err;
    assert_int_equal(parse_path_quietly(FIX "/medquad_no_question.xml", &doc, &err),
                     HQ_EFORMAT);
    assert_int_equal(err.line, 9);
    assert_string_equal(err.message, "QA pair 2 has no question");
    hq_doc_free(&doc);
}

static void test_structure_errors(void **state)
{
    (void)state;
    static const struct {
        const char *xml;
        long line;
        const char *message;
    } cases[] = {
        {"<Document source=\"GARD\">\n<QAPairs>\n<Question>Q ?</Question>\n</QAPairs>\n"
         "</Document>\n",
         3, "<Question> outside a QA pair"},
        {"<Document source=\"GARD\">\n<QAPairs><QAPair>\n<Question>Q ?</Question>\n"
         "<Answer>a <b>bold</b> word</Answer></QAPair></QAPairs></Document>\n",
         4, "element <b> inside <Answer>"},
        {"<Document source=\"GARD\"><QAPairs><QAPair><Question>Q ?</Question>\n"
         "<QAPair><Question>R ?</Question></QAPair></QAPair></QAPairs></Document>",
         2, "a QA pair inside another QA pair"},
        {"<Document source=\"GARD\"><QAPairs><QAPair><Question>Q ?</Question>\n"
         "<Question>R ?</Question></QAPair></QAPairs></Document>",
         2, "a QA pair with two questions"},
        {"<Document url=\"x\"><QAPairs/></Document>", 1,
         "<Document> needs a source attribute of letters, digits, '_' or '-'"},
        {"<Document source=\"a/b\"><QAPairs/></Document>", 1,
         "<Document> needs a source attribute of letters, digits, '_' or '-'"},
        {"<doc source=\"NINDS\"><qaPairs/></doc>", 1,
         "<doc> needs a corpus attribute of letters, digits, '_' or '-'"},
        {"<Document source=\"GARD\"><QAPairs><QAPair/></QAPairs></Document>", 1,
         "QA pair 1 has no question"},
        {"<Document source=\"GARD\">&nbsp;</Document>", 1, NULL},
        {"<Document source=\"GARD\"></Document><Document/>", 1, NULL},
        {"<Document source=\"GARD\" source=\"CDC\"></Document>", 1, NULL},
        {"<Document source=\"GARD\"><Focus>x</Focus></Document>\n<x/>", 2, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        hq_doc doc;
        hq_error err;
        hq_status rc = parse_string("x/0000001.xml", cases[i].xml, &doc, &err);
        if (rc != HQ_EFORMAT || err.line != cases[i].line)
            print_error("case %zu: rc %d line %ld: %s\n", i, rc, err.line, err.message);
        assert_int_equal(rc, HQ_EFORMAT);
        assert_int_equal(err.line, cases[i].line);
        if (cases[i].message)
            assert_string_equal(err.message, cases[i].message);
        else
            assert_true(strncmp(err.message, "XML error: ", 11) == 0);
        hq_doc_free(&doc);
    }
    hq_doc doc;
    hq_error err;
    assert_int_equal(parse_string("x/0000001.xml", " \n", &doc, &err), HQ_EEMPTY);
    assert_string_equal(err.message, "the document is empty");
    hq_doc_free(&doc);
}

static void test_minimal_and_empty_elements(void **state)
{
    (void)state;
    hq_doc doc;
    hq_error err;
    const char *xml = "\xEF\xBB\xBF<Document source=\"GHR\"><Focus/><Synonyms><Synonym> </Synonym>"
                      "<Synonym>B\xC2\xA0 c</Synonym></Synonyms><QAPairs><QAPair><Question "
                      "qtype=\"\">  Q\n ? </Question><Answer/></QAPair></QAPairs></Document>";
    assert_int_equal(parse_string("in/some file.xml", xml, &doc, &err), HQ_OK);
    const hq_article *a = &doc.articles[0];
    assert_string_equal(a->id, "medquad:GHR_some_file");
    assert_null(a->url);
    assert_null(a->focus);
    assert_string_equal(a->title, "Q ?");
    static const char *const syn[] = {"B c"};
    assert_strv(&a->synonyms, syn, 1);
    assert_string_equal(a->sections[0].id, "GHR_some_file_Sec1.txt");
    assert_null(a->sections[0].qtype);
    assert_null(a->sections[0].body);
    hq_doc_free(&doc);
}

/* ---- the whole corpus --------------------------------------------- */

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

typedef struct walk_totals {
    size_t files, ok, no_pairs, sections, null_bodies;
    char **ids;
    size_t n_ids, cap_ids;
} walk_totals;

static void walk_one(const char *path, walk_totals *t)
{
    size_t len;
    char *data = test_read_file(path, &len);
    hq_error err;
    hq_error_clear(&err);
    hq_doc doc;
    hq_doc_init(&doc, path);
    hq_format fmt;
    hq_status rc = hq_parse_file(data, len, &doc, &fmt, &err);
    assert_int_equal(fmt, HQ_FORMAT_MEDQUAD);
    t->files++;
    if (rc != HQ_OK) {
        fail_msg("%s:%ld: %s", path, err.line, err.message);
    } else {
        t->ok++;
        /* six NIDDK documents have an empty <QAPairs> */
        if (doc.articles[0].n_sections == 0) {
            assert_non_null(strstr(path, "/5_NIDDK_QA/"));
            t->no_pairs++;
        }
        const hq_article *a = &doc.articles[0];
        for (size_t i = 0; i < a->n_sections; i++) {
            hq_grow((void **)&t->ids, &t->cap_ids, t->n_ids + 1, sizeof *t->ids);
            t->ids[t->n_ids++] = hq_xstrdup(a->sections[i].id);
            t->null_bodies += a->sections[i].body == NULL;
        }
        t->sections += a->n_sections;
    }
    hq_doc_free(&doc);
    free(data);
}

/* Every judged answer id of the evaluation must name a parsed section. */
static void check_qrels(const walk_totals *t)
{
    FILE *f = fopen(QRELS, "r");
    assert_non_null(f);
    char line[256], qid[64], zero[8], id[128];
    size_t n = 0;
    int grade;
    while (fgets(line, sizeof line, f)) {
        assert_int_equal(sscanf(line, "%63s %7s %127s %d", qid, zero, id, &grade), 4);
        const char *key = id;
        if (bsearch(&key, t->ids, t->n_ids, sizeof *t->ids, cmp_str) == NULL)
            fail_msg("judged answer %s is not a parsed section", id);
        n++;
    }
    fclose(f);
    assert_int_equal(n, 1147);
}

static void test_whole_corpus(void **state)
{
    (void)state;
    char **paths = NULL;
    size_t n = 0, cap = 0;
    hq_error err;
    hq_error_clear(&err);
    assert_int_equal(hq_list_files(MEDQUAD, &paths, &n, &cap, &err), HQ_OK);
    walk_totals t = {0};
    double start = hq_now();
    for (size_t i = 0; i < n; i++)
        if (ends_with(paths[i], ".xml"))
            walk_one(paths[i], &t);
    double took = hq_now() - start;
    printf("# read and parsed %zu MedQuAD files in %.2f s\n", t.files, took);
    assert_int_equal(t.files, 11274);
    assert_int_equal(t.ok, 11274);
    assert_int_equal(t.no_pairs, 6);
    assert_int_equal(t.sections, 47457);
    assert_int_equal(t.null_bodies, 31034); /* ADAM, MPlusDrugs, MPlusHerbs + 5 GARD */
    qsort(t.ids, t.n_ids, sizeof *t.ids, cmp_str);
    for (size_t i = 1; i < t.n_ids; i++)
        if (strcmp(t.ids[i - 1], t.ids[i]) == 0)
            fail_msg("section id %s appears twice", t.ids[i]);
    check_qrels(&t);
    for (size_t i = 0; i < t.n_ids; i++)
        free(t.ids[i]);
    free(t.ids);
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_adam),
        cmocka_unit_test(test_cancergov),
        cmocka_unit_test(test_ninds_old_schema),
        cmocka_unit_test(test_cdc_disease_file),
        cmocka_unit_test(test_pid_gaps_use_positions),
        cmocka_unit_test(test_herbs_prefix),
        cmocka_unit_test(test_empty_focus_uses_first_question),
        cmocka_unit_test(test_old_schema_fixture),
        cmocka_unit_test(test_through_dispatcher),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_mismatched_tag),
        cmocka_unit_test(test_not_medquad),
        cmocka_unit_test(test_no_pairs),
        cmocka_unit_test(test_dtd_refused),
        cmocka_unit_test(test_pair_without_question),
        cmocka_unit_test(test_structure_errors),
        cmocka_unit_test(test_minimal_and_empty_elements),
        cmocka_unit_test(test_whole_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_text.c — plain text and Markdown (src/ingest/text.c): the bare
 * portal pages 003 and 004 through hq_parse_file(), the title rule as
 * plain text uses it, Markdown titles and section splitting, and a golden
 * dump (tests/fixtures/ingest/article.md -> article.md.expected; run with
 * HQ_UPDATE_GOLDEN=1 to rewrite the expected file, then review the diff).
 */
#include "../support/test_support.h"
#include "ingest/ingest.h"

#define PORTAL HQ_SHARED "/corpus/portal/"
#define FIXTURES HQ_FIXTURES "/ingest/"

/* ---- helpers ------------------------------------------------------- */

/* Parses text through the dispatcher under the name path; asserts the
 * sniffed format and success. */
static void parse_string(const char *text, const char *path, hq_doc *doc, hq_format want)
{
    test_parse_file_data(path, text, strlen(text), doc, want);
}

static void assert_section(const hq_article *a, size_t i, const char *title, const char *body)
{
    assert_true(i < a->n_sections);
    const hq_section *s = &a->sections[i];
    char id[256];
    snprintf(id, sizeof id, "%s:s%zu", a->id, i + 1);
    assert_string_equal(s->id, id);
    assert_string_equal(s->title, title);
    assert_null(s->qtype);
    if (body == NULL)
        assert_null(s->body);
    else
        assert_string_equal(s->body, body);
}

/* ---- the bare portal pages ----------------------------------------- */

static void test_portal_003(void **state)
{
    (void)state;
    hq_doc doc;
    test_parse_file(PORTAL "003_5e5c47f7d83159ad.txt", &doc, HQ_FORMAT_TEXT);
    assert_int_equal(doc.n_articles, 1);
    const hq_article *a = &doc.articles[0];
    assert_string_equal(a->id, "text:003_5e5c47f7d83159ad");
    assert_string_equal(a->format, "text");
    assert_null(a->source);
    assert_null(a->url);
    assert_string_equal(a->title,
                        "What are the causes of lower back pain after inserting a Mirena IUD?");
    assert_int_equal(a->n_links, 0);
    assert_int_equal(a->n_sections, 1);
    assert_string_equal(a->sections[0].id, "text:003_5e5c47f7d83159ad:s1");
    assert_string_equal(a->sections[0].title, a->title);
    const char *body = a->sections[0].body;
    test_assert_first_word(body, "Lower");
    test_assert_last_word(body, "results.");
    assert_null(strstr(body, "Mirena IUD?")); /* the title line is not body */
    /* one paragraph per line */
    assert_non_null(strstr(body, "as follows:\n\nI. Non-disease factors\n\nAfter insertion"));
    hq_doc_free(&doc);
}

/* 004 starts with a paragraph: the title is its first question-like
 * heading, and both stay in the body. */
static void test_portal_004(void **state)
{
    (void)state;
    hq_doc doc;
    test_parse_file(PORTAL "004_fe98f0bb4ad81f5b.txt", &doc, HQ_FORMAT_TEXT);
    const hq_article *a = &doc.articles[0];
    assert_string_equal(a->id, "text:004_fe98f0bb4ad81f5b");
    assert_string_equal(a->title, "Will implantation cause a super sore waist on one side");
    assert_int_equal(a->n_links, 0);
    assert_int_equal(a->n_sections, 1);
    const char *body = a->sections[0].body;
    test_assert_first_word(body, "The");
    test_assert_last_word(body, "arrives.");
    assert_non_null(strstr(body, "for everyone.\n\nWill implantation cause a super sore waist "
                                 "on one side\n\nFirstly,"));
    hq_doc_free(&doc);
}

/* ---- plain text ---------------------------------------------------- */

static void test_text_title_repeat_and_bom(void **state)
{
    (void)state;
    hq_doc doc;
    parse_string("\xEF\xBB\xBF" "Back pain\r\n\r\nBack  pain\r\nFirst.\r\n\r\nSecond.", "a b.txt",
                 &doc, HQ_FORMAT_TEXT);
    const hq_article *a = &doc.articles[0];
    assert_string_equal(a->id, "text:a_b");
    assert_string_equal(a->title, "Back pain");
    assert_section(a, 0, "Back pain", "First.\n\nSecond.");
    hq_doc_free(&doc);
}

static void test_text_title_only(void **state)
{
    (void)state;
    hq_doc doc;
    parse_string("  Just a title  \n", "t.txt", &doc, HQ_FORMAT_TEXT);
    assert_string_equal(doc.articles[0].title, "Just a title");
    assert_section(&doc.articles[0], 0, "Just a title", NULL);
    hq_doc_free(&doc);
}

/* A first line that is a paragraph, with no question-like heading: the
 * title is its first sentence and the whole text is the body. */
static void test_text_first_sentence(void **state)
{
    (void)state;
    hq_doc doc;
    const char *text = "Rest helps. Heat helps too. So does gentle exercise.\n"
                       "Avoid lifting.\n";
    parse_string(text, "s.txt", &doc, HQ_FORMAT_TEXT);
    const hq_article *a = &doc.articles[0];
    assert_string_equal(a->title, "Rest helps.");
    assert_section(a, 0, "Rest helps.",
                   "Rest helps. Heat helps too. So does gentle exercise.\n\nAvoid lifting.");
    hq_doc_free(&doc);
}

static void test_text_errors(void **state)
{
    (void)state;
    hq_doc doc;
    hq_error err = {0};
    hq_doc_init(&doc, "blank.txt");
    assert_int_equal(hq_parse_text(" \n\xC2\xA0\n", 5, false, &doc, &err), HQ_EEMPTY);
    assert_string_equal(err.where, "blank.txt");
    assert_int_equal(doc.n_articles, 0);
    hq_doc_free(&doc);

    hq_error err2 = {0};
    hq_doc_init(&doc, "blank.md");
    assert_int_equal(hq_parse_text("\n\n", 2, true, &doc, &err2), HQ_EEMPTY);
    hq_doc_free(&doc);
}

/* ---- Markdown ------------------------------------------------------ */

static void test_md_sections(void **state)
{
    (void)state;
    hq_doc doc;
    test_parse_file(FIXTURES "article.md", &doc, HQ_FORMAT_MARKDOWN);
    assert_int_equal(doc.n_articles, 1);
    const hq_article *a = &doc.articles[0];
    assert_string_equal(a->id, "md:article");
    assert_string_equal(a->format, "markdown");
    assert_string_equal(a->title, "Lower back pain after an IUD");
    assert_int_equal(a->n_sections, 4);
    assert_section(a, 0, "Lower back pain after an IUD",
                   "Lower back pain is common in the first weeks.\nIt usually fades.\n\n"
                   "A second paragraph with a [link](https://example.org) and C# code.");
    assert_section(a, 1, "Causes",
                   "The IUD makes the uterus contract.\n\n### Less common causes\n\n"
                   "- pelvic inflammatory disease\n- a displaced IUD\n\n"
                   "```sh\n# not a heading\n## nor this\necho hi\n```");
    assert_section(a, 2, "When should I see a doctor?",
                   "See a doctor if the pain is severe.\n#hashtag is text, not a heading.");
    assert_section(a, 3, "Lower back pain after an IUD", "Text under an empty heading.");
    hq_doc_free(&doc);
}

/* No heading first: the first line is the title, the rest before the
 * first heading is section 1. */
static void test_md_title_from_first_line(void **state)
{
    (void)state;
    hq_doc doc;
    parse_string("Caring for your back\n\nSleep on a firm bed.\n\n## Exercise\n\nWalk daily.\n",
                 "care.md", &doc, HQ_FORMAT_MARKDOWN);
    const hq_article *a = &doc.articles[0];
    assert_string_equal(a->id, "md:care");
    assert_string_equal(a->title, "Caring for your back");
    assert_int_equal(a->n_sections, 2);
    assert_section(a, 0, "Caring for your back", "Sleep on a firm bed.");
    assert_section(a, 1, "Exercise", "Walk daily.");
    hq_doc_free(&doc);
}

/* A "##" heading first is the title and opens section 1; an empty
 * preamble makes no section; "###" first is the title and is dropped. */
static void test_md_heading_levels(void **state)
{
    (void)state;
    hq_doc doc;
    parse_string("## Only part\nBody one.\n## Second ##\n", "h2.md", &doc, HQ_FORMAT_MARKDOWN);
    const hq_article *a = &doc.articles[0];
    assert_string_equal(a->title, "Only part");
    assert_int_equal(a->n_sections, 2);
    assert_section(a, 0, "Only part", "Body one.");
    assert_section(a, 1, "Second", NULL);
    hq_doc_free(&doc);

    parse_string("### Small title\nText.\n#### Deeper\nMore.\n", "h3.md", &doc,
                 HQ_FORMAT_MARKDOWN);
    a = &doc.articles[0];
    assert_string_equal(a->title, "Small title");
    assert_int_equal(a->n_sections, 1);
    assert_section(a, 0, "Small title", "Text.\n#### Deeper\nMore.");
    hq_doc_free(&doc);
}

/* A lone "# Title" still makes one section, with no body. */
static void test_md_title_only(void **state)
{
    (void)state;
    hq_doc doc;
    parse_string("# Title only\n\n", "t.md", &doc, HQ_FORMAT_MARKDOWN);
    assert_int_equal(doc.articles[0].n_sections, 1);
    assert_section(&doc.articles[0], 0, "Title only", NULL);
    hq_doc_free(&doc);
}

/* ---- golden dump --------------------------------------------------- */

static void test_md_golden(void **state)
{
    (void)state;
    test_golden_doc(FIXTURES "article.md", FIXTURES "article.md.expected", HQ_FORMAT_MARKDOWN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_portal_003),
        cmocka_unit_test(test_portal_004),
        cmocka_unit_test(test_text_title_repeat_and_bom),
        cmocka_unit_test(test_text_title_only),
        cmocka_unit_test(test_text_first_sentence),
        cmocka_unit_test(test_text_errors),
        cmocka_unit_test(test_md_sections),
        cmocka_unit_test(test_md_title_from_first_line),
        cmocka_unit_test(test_md_heading_levels),
        cmocka_unit_test(test_md_title_only),
        cmocka_unit_test(test_md_golden),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

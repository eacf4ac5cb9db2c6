/*
 * test_page.c — portal pages (src/ingest/page.c): the five shared portal
 * pages through hq_parse_file(), CR LF input, Unicode punctuation,
 * Recommend snippets, errors, the title rule (hq_title_pick) and a golden
 * dump (tests/fixtures/ingest/page_unicode.txt -> .expected; run with
 * HQ_UPDATE_GOLDEN=1 to rewrite the expected file, then review the diff).
 */
#include "../support/test_support.h"
#include "ingest/ingest.h"

#define PORTAL HQ_SHARED "/corpus/portal/"
#define FIXTURES HQ_FIXTURES "/ingest/"

/* ---- helpers ------------------------------------------------------- */

/* Parses a string as a page, under the name path. */
static hq_status parse_string(const char *text, const char *path, hq_doc *doc, hq_error *err)
{
    return test_parse_data(path, text, strlen(text), hq_parse_page, doc, err);
}

static size_t count_links(const hq_article *a, hq_link_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; i < a->n_links; i++)
        n += a->links[i].kind == kind;
    return n;
}

static const hq_link *find_link(const hq_article *a, hq_link_kind kind, size_t nth)
{
    for (size_t i = 0; i < a->n_links; i++)
        if (a->links[i].kind == kind && nth-- == 0)
            return &a->links[i];
    return NULL;
}

/* What every page article looks like, besides its content. */
static void assert_page_shape(const hq_doc *doc, const char *id)
{
    assert_int_equal(doc->n_articles, 1);
    const hq_article *a = &doc->articles[0];
    assert_string_equal(a->id, id);
    assert_string_equal(a->format, "page");
    assert_null(a->source);
    assert_null(a->url);
    assert_int_equal(a->n_sections, 1);
    char sid[256];
    snprintf(sid, sizeof sid, "%s:s1", id);
    assert_string_equal(a->sections[0].id, sid);
    assert_string_equal(a->sections[0].title, a->title);
    assert_null(a->sections[0].qtype);
}

struct portal_case {
    const char *file, *id, *title, *prev, *next;
    size_t n_recommend;
    const char *first_word, *last_word;
};

static void check_portal(const struct portal_case *c)
{
    char path[512];
    snprintf(path, sizeof path, "%s%s", PORTAL, c->file);
    hq_doc doc;
    test_parse_file(path, &doc, HQ_FORMAT_PAGE);
    assert_page_shape(&doc, c->id);
    const hq_article *a = &doc.articles[0];
    assert_string_equal(a->title, c->title);
    assert_int_equal(count_links(a, HQ_LINK_PREV), 1);
    assert_int_equal(count_links(a, HQ_LINK_NEXT), 1);
    assert_string_equal(find_link(a, HQ_LINK_PREV, 0)->title, c->prev);
    assert_string_equal(find_link(a, HQ_LINK_NEXT, 0)->title, c->next);
    assert_int_equal(count_links(a, HQ_LINK_RECOMMEND), c->n_recommend);
    for (size_t i = 0; i < c->n_recommend; i++) {
        const hq_link *l = find_link(a, HQ_LINK_RECOMMEND, i);
        assert_non_null(l->snippet);
        assert_true(l->truncated);
        assert_null(strstr(l->title, "...")); /* no snippet taken as a title */
    }
    test_assert_first_word(a->sections[0].body, c->first_word);
    test_assert_last_word(a->sections[0].body, c->last_word);
    /* the title and the navigation are not body text */
    assert_null(strstr(a->sections[0].body, c->title));
    assert_null(strstr(a->sections[0].body, "<<:"));
    assert_null(strstr(a->sections[0].body, ">>:"));
    hq_doc_free(&doc);
}

/* ---- the shared portal pages --------------------------------------- */

static void test_portal_000(void **state)
{
    (void)state;
    static const struct portal_case c = {
        "000_467e91df3828f596.txt", "page:000_467e91df3828f596",
        "What is the reason for back pain after miscarriage? Why does back pain occur?",
        "Can I take a shower after a miscarriage? How should I take care of myself after a "
        "miscarriage?",
        "How long does it take to get your period after an abortion? What are the reasons for "
        "not getting your period after an abortion?",
        12, "Many", "medicine."};
    check_portal(&c);
}

static void test_portal_001(void **state)
{
    (void)state;
    static const struct portal_case c = {
        "001_81a66c25a5a3e8c2.txt", "page:001_81a66c25a5a3e8c2",
        "What should I do if I have back pain due to miscarriage?",
        "What should people who have just had a miscarriage eat?",
        "Tips to reduce cesarean scars", 10, "Many", "fat."};
    check_portal(&c);
}

static void test_portal_002(void **state)
{
    (void)state;
    static const struct portal_case c = {
        "002_58dc5c042d5ac6f0.txt", "page:002_58dc5c042d5ac6f0",
        "What should I do if I have lower back pain after having an IUD inserted? Ways to "
        "relieve back pain",
        "What should I do if I have severe back pain in two months of pregnancy?",
        "Are hypoechoic breast nodules benign or malignant?", 14, "The", "own."};
    check_portal(&c);
}

/* Snippets of 000: the ellipsis is removed and what is left is trimmed. */
static void test_portal_000_snippets(void **state)
{
    (void)state;
    hq_doc doc;
    test_parse_file(PORTAL "000_467e91df3828f596.txt", &doc, HQ_FORMAT_PAGE);
    const hq_article *a = &doc.articles[0];
    const hq_link *first = find_link(a, HQ_LINK_RECOMMEND, 0);
    assert_string_equal(first->title,
                        "What are the effects of a 2mm uterine fibroid? Is a 2mm uterine "
                        "fibroid big?");
    assert_string_equal(first->snippet, "What are the effects of a 2mm uterine fibroid? Is");
    const hq_link *cervicitis = find_link(a, HQ_LINK_RECOMMEND, 6);
    assert_string_equal(cervicitis->title, "Five main symptoms of cervicitis");
    assert_string_equal(cervicitis->snippet, "There may be more than 5 symptoms of cervicitis,");
    /* the last entry ends the file without a newline */
    const hq_link *last = find_link(a, HQ_LINK_RECOMMEND, 11);
    assert_string_equal(last->title, "How to treat irregular menstruation and polycystic ovary");
    assert_string_equal(last->snippet, "Menstrual irregularities associated with PCOS req");
    assert_true(last->truncated);
    hq_doc_free(&doc);
}

/* 002 says "it is recommended that" twice: body text, not a Recommend block. */
static void test_portal_002_recommended_in_body(void **state)
{
    (void)state;
    hq_doc doc;
    test_parse_file(PORTAL "002_58dc5c042d5ac6f0.txt", &doc, HQ_FORMAT_PAGE);
    const char *body = doc.articles[0].sections[0].body;
    assert_non_null(strstr(body, "Therefore, it is recommended that you actively adjust"));
    assert_non_null(strstr(body, "it is recommended that you sleep on a hard bed."));
    hq_doc_free(&doc);
}

/* ---- CR LF and Unicode --------------------------------------------- */

/* page_crlf.txt is 001 with CR LF line ends: the same article. */
static void test_page_crlf_same_as_lf(void **state)
{
    (void)state;
    size_t lf_len, crlf_len;
    char *lf = test_read_file(PORTAL "001_81a66c25a5a3e8c2.txt", &lf_len);
    char *crlf = test_read_file(FIXTURES "page_crlf.txt", &crlf_len);
    hq_error err = {0};
    assert_non_null(strstr(crlf, "\r\n"));
    hq_doc a, b;
    hq_format fa, fb;
    hq_doc_init(&a, "same/001.txt");
    hq_doc_init(&b, "same/001.txt");
    assert_int_equal(hq_parse_file(lf, lf_len, &a, &fa, &err), HQ_OK);
    assert_int_equal(hq_parse_file(crlf, crlf_len, &b, &fb, &err), HQ_OK);
    assert_int_equal(fb, HQ_FORMAT_PAGE);
    assert_int_equal(a.articles[0].n_links, b.articles[0].n_links);
    assert_string_equal(a.articles[0].sections[0].body, b.articles[0].sections[0].body);
    assert_null(strchr(b.articles[0].sections[0].body, '\r'));
    assert_true(hq_article_hash(&a.articles[0]) == hq_article_hash(&b.articles[0]));
    hq_doc_free(&a);
    hq_doc_free(&b);
    free(lf);
    free(crlf);
}

static void test_page_unicode(void **state)
{
    (void)state;
    hq_doc doc;
    test_parse_file(FIXTURES "page_unicode.txt", &doc, HQ_FORMAT_PAGE);
    assert_page_shape(&doc, "page:page_unicode");
    const hq_article *a = &doc.articles[0];
    /* the repeat differs only in white space (two spaces, a NBSP): one title */
    assert_string_equal(a->title, "\u201cSore back\u201d after an IUD \u2014 what helps?");
    const char *body = a->sections[0].body;
    test_assert_first_word(body, "Many");
    test_assert_last_word(body, "doctor.");
    assert_null(strstr(body, "Sore"));
    /* "recommended", "recommend" and "Recommendations" in sentences are body */
    assert_non_null(strstr(body, "It is recommended that you rest, and we recommend warm"));
    assert_non_null(strstr(body, "\n\nRecommendations vary"));
    /* "<<:" NBSP NBSP space: trimmed; ">>:" NBSP: empty, so no link */
    assert_int_equal(count_links(a, HQ_LINK_PREV), 1);
    assert_string_equal(find_link(a, HQ_LINK_PREV, 0)->title, "Can I swim after an IUD?");
    assert_int_equal(count_links(a, HQ_LINK_NEXT), 0);
    hq_doc_free(&doc);
}

/* Snippets: "..." and U+2026 mark truncation; a title followed by another
 * title gets no snippet; the last entry may end the file. */
static void test_page_snippets_truncated(void **state)
{
    (void)state;
    hq_doc doc;
    test_parse_file(FIXTURES "page_unicode.txt", &doc, HQ_FORMAT_PAGE);
    const hq_article *a = &doc.articles[0];
    assert_int_equal(count_links(a, HQ_LINK_RECOMMEND), 4);
    const hq_link *l = find_link(a, HQ_LINK_RECOMMEND, 0);
    assert_string_equal(l->title, "Heat or ice for back pain?");
    assert_string_equal(l->snippet, "Heat relaxes muscles; ice calms");
    assert_true(l->truncated);
    l = find_link(a, HQ_LINK_RECOMMEND, 1);
    assert_string_equal(l->title, "Five \u201cquick\u201d stretches");
    assert_null(l->snippet);
    assert_false(l->truncated);
    l = find_link(a, HQ_LINK_RECOMMEND, 2);
    assert_string_equal(l->title, "Why does my back hurt when I sit?");
    assert_string_equal(l->snippet, "Sitting for hours loads the lumbar discs");
    assert_true(l->truncated);
    l = find_link(a, HQ_LINK_RECOMMEND, 3);
    assert_string_equal(l->title, "Back pain in pregnancy");
    assert_string_equal(l->snippet, "Most women feel some back pain");
    assert_true(l->truncated);
    hq_doc_free(&doc);
}

/* ---- structure and errors ------------------------------------------ */

static void test_page_recommend_word_rules(void **state)
{
    (void)state;
    hq_doc doc;
    hq_error err = {0};
    const char *text = "Title\n\nWe recommend rest.\n\nrecommend\n\nRecommend it\n\n"
                       ">>: Next\n\nRecommend\n\nA\n\nB...\n\nC\n";
    assert_int_equal(parse_string(text, "r.txt", &doc, &err), HQ_OK);
    const hq_article *a = &doc.articles[0];
    /* only the line "Recommend" itself opens the block */
    assert_string_equal(a->sections[0].body,
                        "We recommend rest.\n\nrecommend\n\nRecommend it");
    assert_int_equal(count_links(a, HQ_LINK_RECOMMEND), 2);
    assert_string_equal(find_link(a, HQ_LINK_RECOMMEND, 0)->snippet, "B");
    const hq_link *c = find_link(a, HQ_LINK_RECOMMEND, 1);
    assert_string_equal(c->title, "C");
    assert_null(c->snippet);
    hq_doc_free(&doc);
}

static void test_page_no_title_is_error(void **state)
{
    (void)state;
    hq_doc doc;
    hq_error err = {0};
    const char *text = "\n<<: Before\n>>: After\n\nRecommend\nA\nB...\n";
    assert_int_equal(parse_string(text, "dir/notitle.txt", &doc, &err), HQ_EFORMAT);
    assert_int_equal(err.code, HQ_EFORMAT);
    assert_string_equal(err.where, "dir/notitle.txt");
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.message, "no title"));
    hq_doc_free(&doc);

    /* through the dispatcher too (it sniffs a page from the "Recommend"
     * line; a file starting with "<<:" is taken for XML by hq_sniff) */
    const char *text2 = "\n\nRecommend\nA\nB...\n>>: After\n";
    hq_error err2 = {0};
    hq_format f;
    hq_doc_init(&doc, "dir/notitle.txt");
    assert_int_equal(hq_parse_file(text2, strlen(text2), &doc, &f, &err2), HQ_EFORMAT);
    assert_int_equal(f, HQ_FORMAT_PAGE);
    assert_int_equal(err2.line, 3);
    hq_doc_free(&doc);
}

/* A title with no body is a page: the section's body is NULL. */
static void test_page_title_without_body(void **state)
{
    (void)state;
    hq_doc doc;
    hq_error err = {0};
    assert_int_equal(parse_string("Only a title\r\n\r\nOnly a title\r\n<<: P\r\n", "t.txt", &doc,
                                  &err),
                     HQ_OK);
    assert_string_equal(doc.articles[0].title, "Only a title");
    assert_null(doc.articles[0].sections[0].body);
    assert_int_equal(doc.articles[0].n_links, 1);
    hq_doc_free(&doc);
}

/* A page whose first line is a paragraph takes its title from a
 * question-like heading, and both lines stay in the body. */
static void test_page_paragraph_first(void **state)
{
    (void)state;
    hq_doc doc;
    hq_error err = {0};
    const char *text = "Back pain is common. It has many causes. Most of them are harmless.\n"
                       "Causes\n"
                       "Why does my back hurt at night\n"
                       "Lying still stiffens the muscles.\n"
                       "<<: Previous\n";
    assert_int_equal(parse_string(text, "p.txt", &doc, &err), HQ_OK);
    const hq_article *a = &doc.articles[0];
    assert_string_equal(a->title, "Why does my back hurt at night");
    assert_string_equal(a->sections[0].body,
                        "Back pain is common. It has many causes. Most of them are harmless.\n\n"
                        "Causes\n\nWhy does my back hurt at night\n\n"
                        "Lying still stiffens the muscles.");
    hq_doc_free(&doc);
}

static void test_page_line_too_long(void **state)
{
    (void)state;
    size_t n = HQ_MAX_LINE_BYTES + 10;
    char *text = malloc(n + 32);
    assert_non_null(text);
    size_t head = (size_t)snprintf(text, 32, "Title\n<<: P\n");
    memset(text + head, 'x', n);
    text[head + n] = '\0';
    hq_doc doc;
    hq_error err = {0};
    hq_doc_init(&doc, "long.txt");
    assert_int_equal(hq_parse_page(text, head + n, &doc, &err), HQ_ELIMIT);
    assert_int_equal(err.line, 3);
    hq_doc_free(&doc);
    free(text);
}

/* ---- the title rule ------------------------------------------------ */

/* Runs hq_title_pick over the lines of text. */
static const char *pick(hq_doc *doc, const char *text, size_t *from)
{
    hq_lines lines;
    assert_int_equal(hq_lines_split(text, strlen(text), "t", &lines, NULL), HQ_OK);
    const char *title = hq_title_pick(doc, lines.items, lines.n, from);
    hq_lines_free(&lines);
    return title;
}

static void test_title_rule(void **state)
{
    (void)state;
    hq_doc doc;
    hq_doc_init(&doc, "t");
    size_t from;
    /* a short first line is the title; an equal next line is its repeat */
    assert_string_equal(pick(&doc, "\n  A  title \n\nA title\nBody.\n", &from), "A title");
    assert_int_equal(from, 4);
    assert_string_equal(pick(&doc, "A title\nA title, longer\n", &from), "A title");
    assert_int_equal(from, 1);
    /* two questions are still a title; abbreviations are not sentence ends */
    assert_string_equal(pick(&doc, "Why? And how?\nx\n", &from), "Why? And how?");
    assert_string_equal(pick(&doc, "Pain, e.g. in the back. More\nx\n", &from),
                        "Pain, e.g. in the back. More");
    /* two sentences ending in a full stop are prose: first sentence */
    assert_string_equal(pick(&doc, "It hurts. It goes away.\nNo heading here.\n", &from),
                        "It hurts.");
    assert_int_equal(from, 0);
    /* three sentences are a paragraph: the first question-like line */
    assert_string_equal(pick(&doc, "A. B. C.\nSome words.\nIs it bad?\nHow to cope\n", &from),
                        "Is it bad?");
    assert_string_equal(pick(&doc, "A. B. C.\nHow to cope\nIs it bad?\n", &from),
                        "How to cope");
    /* "however" is not "how"; a heading ending in a full stop is not one */
    assert_string_equal(pick(&doc, "A. B. C.\nHowever it goes\nWhat now.\n", &from), "A.");
    /* no text at all */
    assert_null(pick(&doc, "\n \n\t\n", &from));
    assert_int_equal(from, 3);
    hq_doc_free(&doc);
}

/* A first sentence over HQ_TITLE_SHORT_BYTES is cut at a word boundary. */
static void test_title_long_sentence_cut(void **state)
{
    (void)state;
    char text[1024];
    size_t len = 0;
    while (len < 400)
        len += (size_t)snprintf(text + len, sizeof text - len, "word%zu ", len % 10);
    snprintf(text + len, sizeof text - len, "end.\n");
    hq_doc doc;
    hq_doc_init(&doc, "t");
    size_t from;
    const char *title = pick(&doc, text, &from);
    size_t tl = strlen(title);
    assert_true(tl > 150 && tl <= HQ_TITLE_SHORT_BYTES);
    assert_memory_equal(title, text, tl);
    assert_true(text[tl] == ' ');
    assert_int_equal(from, 0);
    hq_doc_free(&doc);
}

/* ---- golden dump --------------------------------------------------- */

static void test_page_golden(void **state)
{
    (void)state;
    test_golden_doc(FIXTURES "page_unicode.txt", FIXTURES "page_unicode.expected", HQ_FORMAT_PAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_portal_000),
        cmocka_unit_test(test_portal_001),
        cmocka_unit_test(test_portal_002),
        cmocka_unit_test(test_portal_000_snippets),
        cmocka_unit_test(test_portal_002_recommended_in_body),
        cmocka_unit_test(test_page_crlf_same_as_lf),
        cmocka_unit_test(test_page_unicode),
        cmocka_unit_test(test_page_snippets_truncated),
        cmocka_unit_test(test_page_recommend_word_rules),
        cmocka_unit_test(test_page_no_title_is_error),
        cmocka_unit_test(test_page_title_without_body),
        cmocka_unit_test(test_page_paragraph_first),
        cmocka_unit_test(test_page_line_too_long),
        cmocka_unit_test(test_title_rule),
        cmocka_unit_test(test_title_long_sentence_cut),
        cmocka_unit_test(test_page_golden),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

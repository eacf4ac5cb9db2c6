/*
 * test_card.c — the answer card's passages (src/answer/card.c) and the
 * aspect table (src/answer/aspects.c), on hand-made sections: aspects by
 * cue and by section type, passages of 1-3 whole sentences (abbreviations
 * kept inside), trust ordering, near-duplicates cited once, questions and
 * headings never quoted, off-topic sections left out, sections without
 * text as links; and the table's errors, each naming its line.
 */
#include "../support/test_support.h"

#include "answer/answer.h"

#include <unistd.h>

#define ASPECTS "data/aspects.tsv"

static hq_analyzer *an;
static hq_aspects *table;

static int setup(void **state)
{
    (void)state;
    an = hq_analyzer_new();
    hq_error err;
    hq_error_clear(&err);
    if (hq_aspects_load(ASPECTS, an, &table, &err) != HQ_OK) {
        fprintf(stderr, "%s: %s\n", ASPECTS, err.message);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hq_aspects_free(table);
    hq_analyzer_free(an);
    return 0;
}

static int aspect(const char *name)
{
    for (int i = 0; i < hq_aspect_count(table); i++)
        if (strcmp(hq_aspect_name(table, i), name) == 0)
            return i;
    fail_msg("no aspect %s", name);
    return -1;
}

/* ---- the table --------------------------------------------------------- */

static void test_table(void **state)
{
    (void)state;
    assert_int_equal(hq_aspect_count(table), 4);
    assert_string_equal(hq_aspect_name(table, 0), "overview");
    assert_string_equal(hq_aspect_heading(table, 3), "When to see a doctor");
    assert_null(hq_aspect_name(table, 4));
    assert_int_equal(hq_aspect_of_section(table, "causes"), aspect("causes"));
    assert_int_equal(hq_aspect_of_section(table, "when to contact a medical professional"),
                     aspect("see_doctor"));
    assert_int_equal(hq_aspect_of_section(table, "brand names"), HQ_ASPECT_NONE);
    assert_int_equal(hq_aspect_of_section(table, NULL), HQ_ASPECT_NONE);
    assert_int_equal(hq_aspect_asked(table, "treatment"), aspect("what_to_do"));
}

static int sentence_aspect(const char *text, int fallback)
{
    hq_tokens toks = {0};
    hq_span s[4];
    size_t n = hq_sentences(text, strlen(text), s, 4);
    assert_int_equal(n, 1);
    hq_analyze(an, text, strlen(text), HQ_ANALYZE_KEEP_STOPWORDS, &toks);
    int out;
    hq_aspect_sentences(table, &toks, s, 1, fallback, &out);
    hq_tokens_free(&toks);
    return out;
}

static void test_sentence_aspects(void **state)
{
    (void)state;
    assert_int_equal(sentence_aspect("Back pain is often caused by a strained muscle.", 0),
                     aspect("causes"));
    assert_int_equal(sentence_aspect("Calling your doctor is wise if the pain lasts.", 0),
                     aspect("see_doctor"));
    /* "you should" (what to do) and "call your doctor" (see a doctor) tie:
     * the later aspect wins */
    assert_int_equal(sentence_aspect("If it lasts, you should call your doctor.", 0),
                     aspect("see_doctor"));
    assert_int_equal(sentence_aspect("Pain relievers can help.", 0), aspect("what_to_do"));
    assert_int_equal(sentence_aspect("It affects 8 of 10 people.", 2), 2);
    assert_int_equal(sentence_aspect("It affects 8 of 10 people.", HQ_ASPECT_NONE),
                     HQ_ASPECT_NONE);
}

static hq_status load_text(const char *text, hq_error *err)
{
    char path[] = "/tmp/hq-aspects-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    hq_aspects *t = NULL;
    hq_error_clear(err);
    hq_status rc = hq_aspects_load(path, an, &t, err);
    if (rc == HQ_OK)
        assert_non_null(t);
    else
        assert_null(t);
    hq_aspects_free(t);
    unlink(path);
    return rc;
}

static void test_table_errors(void **state)
{
    (void)state;
    hq_error err;
    assert_int_equal(load_text("aspect\tx\tX\ncue\ty\tsome words\n", &err), HQ_EFORMAT);
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.message, "unknown aspect 'y'"));
    assert_int_equal(load_text("aspect\tx\tX\nflavour\tx\ty\n", &err), HQ_EFORMAT);
    assert_non_null(strstr(err.message, "unknown kind"));
    assert_int_equal(load_text("# only a comment\naspect x X\n", &err), HQ_EFORMAT);
    assert_int_equal(err.line, 2);
    assert_int_equal(load_text("aspect\tx\tX\naspect\tx\tY\n", &err), HQ_EFORMAT);
    assert_int_equal(load_text("# nothing\n", &err), HQ_EFORMAT);
    assert_int_equal(load_text("aspect\tx\tX\ncue\tx\tthe of\n", &err), HQ_OK); /* stop words count */
    assert_int_equal(load_text("aspect\tx\tX\ncue\tx\t...\n", &err), HQ_EFORMAT);
    hq_aspects *none = NULL;
    assert_int_equal(hq_aspects_load("/nonexistent/aspects.tsv", an, &none, &err) == HQ_OK, 0);
    assert_null(none);
}

/* ---- the card ------------------------------------------------------------ */

/* Key terms: the words of focus (role focus) and of others (role other),
 * analysed. */
typedef struct keys {
    hq_arena arena;
    hq_key_term items[32];
    size_t n;
} keys;

static void add_keys(keys *k, const char *words, hq_term_role role, double weight)
{
    hq_tokens toks = {0};
    hq_analyze(an, words, strlen(words), 0, &toks);
    for (size_t i = 0; i < toks.n && k->n < 32; i++)
        k->items[k->n++] = (hq_key_term){hq_arena_strdup(&k->arena, toks.items[i].term),
                                         toks.items[i].len, weight, role, 1};
    hq_tokens_free(&toks);
}

static hq_card_section section(const char *id, const char *trust, const char *body,
                               double relevance)
{
    return (hq_card_section){.section_id = id, .article_id = id, .title = id, .source = "src",
                             .url = "https://example.org/x", .trust = trust, .body = body,
                             .relevance = relevance, .concept = HQ_NO_CONCEPT, .on_topic = true,
                             .aspect = 0};
}

static json_t *build(keys *k, hq_card_section *s, size_t n, uint32_t focus)
{
    hq_card_input in = {.aspects = table, .focus = focus, .keys = k->items, .n_keys = k->n,
                        .asked = HQ_ASPECT_NONE, .sections = s, .n_sections = n};
    return hq_card_build(an, &in);
}

static json_t *passages_of(json_t *card, const char *aspect_name)
{
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(card, "aspects"), i, a)
        if (strcmp(json_string_value(json_object_get(a, "aspect")), aspect_name) == 0)
            return json_object_get(a, "passages");
    return NULL;
}

static const char *cited(json_t *passage, size_t i)
{
    return json_string_value(
        json_object_get(json_array_get(json_object_get(passage, "citations"), i), "section_id"));
}

static const char BACK[] =
    "Back pain is one of the most common problems. Back pain can be a dull ache. "
    "Take a pain reliever, e.g. ibuprofen, and rest. Dr. Lee says back pain goes away. "
    "If your back pain is severe, call your health care provider.";

static void test_passages_by_aspect(void **state)
{
    (void)state;
    keys k = {0};
    hq_arena_init(&k.arena);
    add_keys(&k, "back pain", HQ_ROLE_OTHER, 1);
    hq_card_section s[] = {section("a", "high", BACK, 1.0)};
    json_t *card = build(&k, s, 1, HQ_NO_CONCEPT);
    json_t *over = passages_of(card, "overview"), *todo = passages_of(card, "what_to_do"),
           *doc = passages_of(card, "see_doctor");
    assert_non_null(over);
    assert_non_null(todo);
    assert_non_null(doc);
    const char *t = json_string_value(json_object_get(json_array_get(todo, 0), "text"));
    /* "e.g." and "Dr." do not end sentences: the passage holds them whole */
    assert_non_null(strstr(t, "e.g. ibuprofen, and rest."));
    assert_string_equal(json_string_value(json_object_get(json_array_get(doc, 0), "text")),
                        "If your back pain is severe, call your health care provider.");
    /* highlights fall on the key terms */
    json_t *h = json_array_get(json_object_get(json_array_get(doc, 0), "highlights"), 0);
    assert_int_equal(json_integer_value(json_array_get(h, 0)), 8);
    assert_int_equal(json_integer_value(json_array_get(h, 1)), 12);
    assert_null(passages_of(card, "causes"));
    json_decref(card);
    hq_arena_free(&k.arena);
}

static void test_trust_and_duplicates(void **state)
{
    (void)state;
    keys k = {0};
    hq_arena_init(&k.arena);
    add_keys(&k, "back pain", HQ_ROLE_OTHER, 1);
    static const char SAME[] =
        "Most back pain goes away on its own within a few weeks, though it may take a while "
        "for some people who have strained the muscles of the lower back at work.";
    hq_card_section s[] = {
        section("portal", "unknown", SAME, 1.0),  /* first, equally relevant, untrusted */
        section("nih", "high", SAME, 1.0),        /* the same words on a trusted site */
        section("other", "high", "Back pain often lasts a few days before it goes away.", 0.9),
    };
    s[1].url = NULL;
    json_t *card = build(&k, s, 3, HQ_NO_CONCEPT);
    json_t *over = passages_of(card, "overview");
    assert_int_equal(json_array_size(over), 2);
    /* the trusted copy comes first and cites the untrusted one too */
    json_t *first = json_array_get(over, 0);
    assert_string_equal(cited(first, 0), "nih");
    assert_string_equal(cited(first, 1), "portal");
    json_t *c1 = json_array_get(json_object_get(first, "citations"), 1);
    assert_true(json_is_true(json_object_get(c1, "untrusted")));
    assert_true(json_is_null(json_object_get(json_array_get(json_object_get(first, "citations"), 0), "url")));
    assert_string_equal(cited(json_array_get(over, 1), 0), "other");
    json_decref(card);

    /* an untrusted page well ahead in relevance still comes first */
    s[0].relevance = 1.0;
    s[1].relevance = 0.5;
    s[1].body = "Back pain can last a long time in people who lift heavy things every day.";
    card = build(&k, s, 2, HQ_NO_CONCEPT);
    assert_string_equal(cited(json_array_get(passages_of(card, "overview"), 0), 0), "portal");
    json_decref(card);
    hq_arena_free(&k.arena);
}

static void test_never_quoted(void **state)
{
    (void)state;
    keys k = {0};
    hq_arena_init(&k.arena);
    add_keys(&k, "back pain miscarriage", HQ_ROLE_OTHER, 1);
    hq_card_section s[] = {section("q", "unknown",
                                   "What should you do about back pain after miscarriage?\n\n"
                                   "Back pain after miscarriage\n\n"
                                   "Rest is the first thing to try for back pain.",
                                   1.0)};
    json_t *card = build(&k, s, 1, HQ_NO_CONCEPT);
    size_t i;
    json_t *a, *p;
    json_array_foreach(json_object_get(card, "aspects"), i, a) {
        size_t j;
        json_array_foreach(json_object_get(a, "passages"), j, p) {
            const char *t = json_string_value(json_object_get(p, "text"));
            assert_null(strchr(t, '?'));
            assert_null(strstr(t, "after miscarriage\n"));
            assert_string_equal(t, "Rest is the first thing to try for back pain.");
        }
    }
    json_decref(card);
    hq_arena_free(&k.arena);
}

static void test_topic_links_and_limits(void **state)
{
    (void)state;
    keys k = {0};
    hq_arena_init(&k.arena);
    add_keys(&k, "back pain", HQ_ROLE_OTHER, 1);
    hq_card_section s[] = {
        section("off", "high", "Back pain happens in cats that jump off tall shelves often.", 1.0),
        section("a1", "high", "Back pain is common in adults who sit all day long at work.", 0.9),
        section("a2", "high", "Back pain is common in people who sit all day long at home.", 0.8),
        section("a3", "high", "Back pain is common in runners who train hard every day.", 0.7),
        section("gone", "high", NULL, 0.6),
        section("gone2", "high", "", 0.5),
        section("offlink", "high", NULL, 0.5),
    };
    s[0].on_topic = false;
    s[6].on_topic = false;
    s[5].article_id = "gone"; /* a second section of the same article */
    s[5].title = "What causes it?";
    json_t *card = build(&k, s, 7, 0 /* a focus: on_topic counts */);
    json_t *over = passages_of(card, "overview");
    assert_int_equal(json_array_size(over), 2); /* the default of two per aspect */
    assert_string_equal(cited(json_array_get(over, 0), 0), "a1");
    assert_string_equal(cited(json_array_get(over, 1), 0), "a2");
    json_t *links = json_object_get(card, "read_at_source");
    assert_int_equal(json_array_size(links), 1);
    json_t *l = json_array_get(links, 0);
    assert_string_equal(json_string_value(json_object_get(l, "article_id")), "gone");
    assert_int_equal(json_array_size(json_object_get(l, "sections")), 2);
    json_decref(card);

    /* without a focus every section counts; an empty candidate list is an empty card */
    card = build(&k, s, 1, HQ_NO_CONCEPT);
    assert_string_equal(cited(json_array_get(passages_of(card, "overview"), 0), 0), "off");
    json_decref(card);
    card = build(&k, s, 0, HQ_NO_CONCEPT);
    assert_int_equal(json_array_size(json_object_get(card, "aspects")), 0);
    assert_int_equal(json_array_size(json_object_get(card, "read_at_source")), 0);
    json_decref(card);
    hq_arena_free(&k.arena);
}

/* A long run-on sentence is cut at white space with "…"; highlights stay
 * inside the text. */
static void test_long_sentence(void **state)
{
    (void)state;
    keys k = {0};
    hq_arena_init(&k.arena);
    add_keys(&k, "back pain", HQ_ROLE_OTHER, 1);
    hq_buf b;
    hq_buf_init(&b, 0);
    hq_buf_puts(&b, "Back pain");
    for (int i = 0; i < 200; i++)
        hq_buf_puts(&b, " and back pain again");
    hq_buf_puts(&b, ".");
    hq_card_section s[] = {section("long", "high", hq_buf_str(&b), 1.0)};
    json_t *card = build(&k, s, 1, HQ_NO_CONCEPT);
    json_t *p = json_array_get(passages_of(card, "overview"), 0);
    const char *t = json_string_value(json_object_get(p, "text"));
    size_t len = strlen(t);
    assert_true(len > 400 && len < 520);
    assert_string_equal(t + len - 3, "\xe2\x80\xa6");
    size_t i;
    json_t *h;
    json_array_foreach(json_object_get(p, "highlights"), i, h)
        assert_true(json_integer_value(json_array_get(h, 1)) <= (json_int_t)(len - 3));
    json_decref(card);
    hq_buf_free(&b);
    hq_arena_free(&k.arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_sentence_aspects),
        cmocka_unit_test(test_table_errors),
        cmocka_unit_test(test_passages_by_aspect),
        cmocka_unit_test(test_trust_and_duplicates),
        cmocka_unit_test(test_never_quoted),
        cmocka_unit_test(test_topic_links_and_limits),
        cmocka_unit_test(test_long_sentence),
    };
    return cmocka_run_group_tests_name("card", tests, setup, teardown);
}

/*
 * test_triage.c — red-flag triage (src/answer/triage.c, hq_triage()):
 * every phrasing of tests/fixtures/triage/phrasings.tsv gets its
 * expected level with data/triage.rules (each failing line is reported
 * with what it got and why); the result's shape (spans point at the
 * text, negated phrases listed, the informational cap); the rules
 * parser's errors on bad files (line and reason); the limits on the
 * text; the public entry from several threads at once; and random word
 * soup never crashes.
 */
#include "../support/test_support.h"

#include "answer/answer.h"

#include <pthread.h>

#define PHRASINGS HQ_FIXTURES "/triage/phrasings.tsv"
#define RULES "data/triage.rules"

static hq_triage_rules *load_default(void)
{
    hq_triage_rules *r = NULL;
    hq_error err;
    hq_error_clear(&err);
    if (hq_triage_load(RULES, &r, &err) != HQ_OK)
        fail_msg("%s:%ld: %s", err.where, err.line, err.message);
    return r;
}

static json_t *triage(const hq_triage_rules *r, const char *text)
{
    json_t *o = NULL;
    hq_error err;
    hq_error_clear(&err);
    if (hq_triage_run(r, text, strlen(text), &o, &err) != HQ_OK)
        fail_msg("triage \"%s\": %s", text, err.message);
    return o;
}

static const char *level(const json_t *o)
{
    return json_string_value(json_object_get(o, "level"));
}

/* ---- the phrasings ------------------------------------------------- */

static void test_phrasings(void **state)
{
    (void)state;
    hq_triage_rules *r = load_default();
    test_tsv t;
    test_tsv_open(&t, PHRASINGS);
    test_tsv_line line;
    hq_buf text;
    hq_buf_init(&text, 0);
    size_t n = 0, failed = 0, per_level[4] = {0};
    while (test_tsv_next(&t, 2, &line)) {
        test_tsv_keep(&t, &line);
        if (line.len == 0 || line.text[0] == '#')
            continue;
        assert_int_equal(line.n_fields, 2);
        test_unescape(line.field[1], line.field_len[1], &text);
        json_t *o = triage(r, text.data);
        const char *got = level(o);
        n++;
        for (int l = 0; l < 4; l++)
            per_level[l] += strcmp(got, (const char *[]){"none", "soon", "urgent",
                                                         "emergency"}[l]) == 0;
        if (strlen(got) != line.field_len[0] || memcmp(got, line.field[0], line.field_len[0])) {
            failed++;
            const char *rule = json_string_value(json_object_get(o, "rule"));
            print_message("# %s:%ld: want %.*s, got %s (rule %s): %s\n", PHRASINGS, line.lineno,
                          (int)line.field_len[0], line.field[0], got, rule ? rule : "none",
                          text.data);
        }
        json_decref(o);
    }
    print_message("# %zu phrasings, %zu pass (none %zu, soon %zu, urgent %zu, emergency %zu)\n",
                  n, n - failed, per_level[0], per_level[1], per_level[2], per_level[3]);
    hq_buf_free(&text);
    test_tsv_close(&t);
    hq_triage_free(r);
    assert_true(n >= 70);
    assert_int_equal(failed, 0);
}

/* ---- the result's shape ------------------------------------------------ */

static void test_result_shape(void **state)
{
    (void)state;
    hq_triage_rules *r = load_default();
    assert_true(hq_triage_rule_count(r) >= 20);
    const char *text = "I'm 7 weeks pregnant, no fever, but bleeding since this morning.";
    json_t *o = triage(r, text);
    assert_string_equal(level(o), "urgent");
    assert_string_equal(json_string_value(json_object_get(o, "rule")), "pregnancy.bleeding");
    const json_t *g = json_object_get(o, "guidance");
    assert_non_null(json_string_value(json_object_get(g, "source")));
    assert_non_null(json_string_value(json_object_get(g, "title")));
    assert_true(strncmp(json_string_value(json_object_get(g, "url")), "https://", 8) == 0);
    assert_true(json_array_size(json_object_get(o, "matched")) == 2);
    size_t i;
    const json_t *m;
    json_array_foreach(json_object_get(o, "matched"), i, m)
    {
        json_int_t s = json_integer_value(json_object_get(m, "start"));
        json_int_t e = json_integer_value(json_object_get(m, "end"));
        const char *mt = json_string_value(json_object_get(m, "text"));
        assert_true(s >= 0 && s < e && (size_t)e <= strlen(text));
        assert_int_equal(strlen(mt), (size_t)(e - s));
        assert_memory_equal(text + s, mt, (size_t)(e - s));
    }
    const json_t *neg = json_object_get(o, "negated");
    assert_int_equal(json_array_size(neg), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(neg, 0), "text")),
                        "fever");
    assert_true(json_is_false(json_object_get(o, "informational")));
    assert_null(json_object_get(o, "uncapped_level"));
    json_decref(o);

    o = triage(r, "What causes heavy bleeding in pregnancy?");
    assert_string_equal(level(o), "soon");
    assert_true(json_is_true(json_object_get(o, "informational")));
    assert_string_equal(json_string_value(json_object_get(o, "uncapped_level")), "emergency");
    assert_non_null(strstr(json_string_value(json_object_get(o, "message")), "question"));
    json_decref(o);

    o = triage(r, "");
    assert_string_equal(level(o), "none");
    assert_true(json_is_null(json_object_get(o, "rule")));
    assert_true(json_is_null(json_object_get(o, "guidance")));
    assert_non_null(json_string_value(json_object_get(o, "message")));
    json_decref(o);
    hq_triage_free(r);
}

/* NegEx: scope, termination, pseudo-negation, post-negation. */
static void test_negex(void **state)
{
    (void)state;
    hq_triage_rules *r = load_default();
    static const struct {
        const char *want, *text;
    } cases[] = {
        {"none", "Pregnant, no spotting, no cramps."},
        {"urgent", "Pregnant, no pain but some spotting."},             /* "but" ends the scope */
        {"urgent", "Pregnant and no pain; spotting since today."},      /* ';' ends the scope */
        {"none", "I'm pregnant and the bleeding has stopped."},         /* post-negation */
        {"urgent", "I'm pregnant and the bleeding won't stop."},        /* pseudo-negation */
        {"urgent", "Pregnant, and not only cramps but also bleeding."}, /* "not only" */
        {"none", "I am pregnant and I have never had any bleeding."},
        {"urgent", "I am pregnant. I have no cramps at all, nothing, zero, none of it, and then bleeding."},
        {"none", "Bleeding in pregnancy was ruled out by the midwife."},
        {"urgent", "I am pregnant without cramps, I am bleeding."}, /* a comma ends the scope */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        json_t *o = triage(r, cases[i].text);
        if (strcmp(level(o), cases[i].want) != 0)
            fail_msg("\"%s\": want %s, got %s", cases[i].text, cases[i].want, level(o));
        json_decref(o);
    }
    hq_triage_free(r);
}

/* ---- the rules parser ------------------------------------------------- */

static const char GOOD_RULE[] = "rule = r.one\nlevel = urgent\nneed = fever\nmessage = m\n"
                                "source = S\ntitle = T\nurl = https://example.org/\n";

/* Writes text to a rules file in dir and loads it; returns the status. */
static hq_status load_text(const char *dir, const char *text, hq_error *err)
{
    char path[512];
    snprintf(path, sizeof path, "%s/triage.rules", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    hq_triage_rules *r = NULL;
    hq_error_clear(err);
    hq_status rc = hq_triage_load(path, &r, err);
    assert_true((rc == HQ_OK) == (r != NULL));
    hq_triage_free(r);
    return rc;
}

static void test_rules_errors(void **state)
{
    (void)state;
    char dir[256];
    test_make_temp_dir(dir, sizeof dir, "triage");
    static const struct {
        const char *text;
        long line;
        const char *says;
    } cases[] = {
        {"# nothing\n", 0, "no rules"},
        {"level = urgent\n", 1, "outside a rule"},
        {"rule = a\nlevel = urgent\nfrobnicate = 1\n", 3, "unknown key \"frobnicate\""},
        {"rule = a\nlevel = urgent\njust words\n", 3, "expected \"key = value\""},
        {"rule = a\nlevel = very\n", 2, "level \"very\""},
        {"rule = a\nlevel = urgent\nneed = fever || chills\n", 3, "empty phrase"},
        {"rule = a\nlevel = urgent\nneed = fever |\n", 3, "empty phrase"},
        {"rule = a\nlevel = urgent\nneed = @NOPE\n", 3, "unknown set @NOPE"},
        {"rule = a\nlevel = urgent\nneed = ...\n", 3, "has no words"},
        {"rule = a\nlevel = urgent\nneed = {9-3} weeks\n", 3, "bad number range"},
        {"rule = a\nlevel = urgent\nwindow = paragraph\n", 3, "window \"paragraph\""},
        {"rule = A B\n", 1, "rule id"},
        {"rule = a\nlevel = urgent\nneed = fever\nmessage = m\nsource = S\ntitle = T\n", 1,
         "has no url"},
        {"rule = a\nlevel = urgent\nmessage = m\nsource = S\ntitle = T\nurl = https://x/\n", 1,
         "has no need"},
        {"rule = a\nneed = fever\nurl = http://x/\n", 3, "must start with https://"},
        {"rule = a\nlevel = urgent\nlevel = soon\n", 3, "level is given twice"},
        {"rule = a\nmessage = one\nmessage = two\n", 3, "message is given twice"},
        {"| fever\n", 1, "continuation"},
        {"set X = a\nset X = b\n", 2, "already defined"},
        {"pre-negation = no | @X\n", 1, "sets are allowed"},
        {"rule = a\nlevel = urgent\nneed = a b c d e f g h i j k l m n o p q\n", 3,
         "more than 16 words"},
        {"rule = a\nlevel = urgent\nneed = fever\nmessage = m\nsource = S\ntitle = T\n"
         "url = https://x/\nrule = a\n",
         8, "already defined on line 1"},
    };
    hq_error err;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        hq_status rc = load_text(dir, cases[i].text, &err);
        if (rc != HQ_EFORMAT || err.line != cases[i].line ||
            strstr(err.message, cases[i].says) == NULL)
            fail_msg("case %zu: want line %ld \"%s\", got %s line %ld \"%s\"", i, cases[i].line,
                     cases[i].says, hq_strerror(rc), err.line, err.message);
        assert_non_null(strstr(err.where, "triage.rules"));
    }
    assert_int_equal(load_text(dir, "rule = a\nmessage = caf\xC3\n", &err), HQ_EUTF8);
    assert_int_equal(err.line, 2);
    assert_int_equal(load_text(dir, GOOD_RULE, &err), HQ_OK);
    /* a continuation line extends the list above it; sets nest */
    assert_int_equal(load_text(dir,
                               "set A = fever\nset B = @A\n  | chills\nrule = a\nlevel = soon\n"
                               "need = @B\n  | rigors\nmessage = m\nsource = S\ntitle = T\n"
                               "url = https://x/\n",
                               &err),
                     HQ_OK);
    hq_triage_rules *r = NULL;
    hq_error_clear(&err);
    assert_int_equal(hq_triage_load("/nonexistent/triage.rules", &r, &err), HQ_EIO);
    assert_null(r);
    test_remove_dir(dir);
}

/* The marks of the rule language on a small rules file of our own. */
static const char MARKS_RULES[] =
    "pre-negation = no | not\n"
    "post-negation = is absent\n"
    "termination = but\n"
    "report-cue = i | my\n"
    "info-cue = ^is | signs of\n"
    "hypothetical = if\n"
    "info-prefix = Q:\n"
    "rule = t.legs\nlevel = emergency\nneed = numb\nneed = =legs\n"
    "message = legs\nsource = S\ntitle = T\nurl = https://x/\n"
    "rule = t.weeks\nlevel = urgent\nneed = {20-36} weeks\ncontext = pregnant\n"
    "message = weeks\nsource = S\ntitle = T\nurl = https://x/\n"
    "rule = t.text\nlevel = soon\nneed = cough\nneed = wheeze\nwindow = text\n"
    "message = text\nsource = S\ntitle = T\nurl = https://x/\n"
    "rule = t.threads\nlevel = soon\nneed = no threads\nneed = coil\n"
    "message = threads\nsource = S\ntitle = T\nurl = https://x/\n";

static void test_rule_marks(void **state)
{
    (void)state;
    char dir[256], path[512];
    test_make_temp_dir(dir, sizeof dir, "triage-marks");
    snprintf(path, sizeof path, "%s/marks.rules", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(MARKS_RULES, f);
    fclose(f);
    hq_triage_rules *r = NULL;
    hq_error err;
    hq_error_clear(&err);
    assert_int_equal(hq_triage_load(path, &r, &err), HQ_OK);
    assert_int_equal(hq_triage_rule_count(r), 4);
    static const struct {
        const char *want, *text;
    } cases[] = {
        {"emergency", "my legs are numb"},       {"none", "my leg is numb"},   /* =legs */
        {"emergency", "numb in both my legs"},   {"none", "numb. legs"},       /* sentence window */
        {"none", "no numb legs"},                {"none", "numb legs is absent"},
        {"emergency", "no pain but numb legs"},                                 /* termination */
        {"urgent", "pregnant at 32 weeks"},      {"none", "pregnant at 38 weeks"}, /* {20-36} */
        {"none", "32 weeks"},                                                   /* context */
        {"none", "I am not pregnant at 32 weeks"},                              /* negated context */
        {"soon", "cough. Later a wheeze"},                                      /* window = text */
        {"soon", "Is it bad to have numb legs?"},                               /* ^is: asked */
        {"emergency", "This is numb legs"},                                     /* is, not ^is */
        {"soon", "signs of numb legs"},
        {"emergency", "numb legs, signs of what?"},                             /* stated first */
        {"emergency", "Is it bad? I have numb legs"},                           /* a report */
        {"soon", "if I have numb legs is it bad"},                              /* hypothetical */
        {"emergency", "coil with no threads and numb legs"}, /* "no threads" negates nothing */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        json_t *o = triage(r, cases[i].text);
        if (strcmp(level(o), cases[i].want) != 0)
            fail_msg("\"%s\": want %s, got %s", cases[i].text, cases[i].want, level(o));
        json_decref(o);
    }
    hq_triage_free(r);
    test_remove_dir(dir);
}

/* ---- limits and bad text ----------------------------------------------- */

static void test_limits(void **state)
{
    (void)state;
    hq_triage_rules *r = load_default();
    json_t *o = NULL;
    hq_error err;
    hq_error_clear(&err);
    size_t big = HQ_TRIAGE_MAX_TEXT + 1;
    char *text = hq_xmalloc(big + 1);
    memset(text, 'a', big);
    text[big] = '\0';
    assert_int_equal(hq_triage_run(r, text, big, &o, &err), HQ_ELIMIT);
    assert_null(o);
    hq_error_clear(&err);
    assert_int_equal(hq_triage_run(r, "bleeding \xFF", 10, &o, &err), HQ_EUTF8);
    assert_int_equal(err.offset, 9);
    assert_null(o);
    /* the largest text allowed, all one long run of symptoms, still works */
    for (size_t i = 0; i + 10 <= HQ_TRIAGE_MAX_TEXT; i += 10)
        memcpy(text + i, "bleeding, ", 10);
    hq_error_clear(&err);
    assert_int_equal(hq_triage_run(r, text, HQ_TRIAGE_MAX_TEXT, &o, &err), HQ_OK);
    json_decref(o);
    /* many negated symptoms: none fires, and the first 32 are listed */
    hq_buf b;
    hq_buf_init(&b, 0);
    hq_buf_puts(&b, "I am pregnant.");
    for (int i = 0; i < 200; i++)
        hq_buf_puts(&b, " No bleeding, no spotting.");
    o = triage(r, hq_buf_str(&b));
    assert_string_equal(level(o), "none");
    assert_int_equal(json_array_size(json_object_get(o, "negated")), 32);
    json_decref(o);
    hq_buf_free(&b);
    free(text);
    hq_triage_free(r);
}

/* Word soup from the rules' own vocabulary and punctuation: any mix is
 * triaged without a crash into one of the four levels. */
static void test_random_soup(void **state)
{
    (void)state;
    static const char *const words[] = {
        "no", "not", "pregnant", "bleeding", "back", "pain", "fever", "coil", "but", "I'm",
        "my", "what", "is", ",", ".", "?", "both", "legs", "numb", "after", "miscarriage",
        "12", "weeks", "can't", "pee", "stop", "won't", "if", "sign", "of", "ruled", "out",
        "—", "(", ")", "\xC3\xA9t\xC3\xA9", "soaking", "pads", "threads", "d&c", "one-sided"};
    hq_triage_rules *r = load_default();
    uint64_t seed = 0x5eed7a1a6e;
    hq_buf b;
    hq_buf_init(&b, 0);
    for (int round = 0; round < 400; round++) {
        hq_buf_reset(&b);
        uint32_t n = test_rnd(&seed, 40);
        for (uint32_t i = 0; i < n; i++) {
            hq_buf_puts(&b, words[test_rnd(&seed, sizeof words / sizeof *words)]);
            hq_buf_puts(&b, test_rnd(&seed, 4) ? " " : "");
        }
        json_t *o = triage(r, hq_buf_str(&b));
        const char *l = level(o);
        assert_true(strcmp(l, "none") == 0 || strcmp(l, "soon") == 0 ||
                    strcmp(l, "urgent") == 0 || strcmp(l, "emergency") == 0);
        json_decref(o);
    }
    hq_buf_free(&b);
    hq_triage_free(r);
}

/* ---- the public entry --------------------------------------------------- */

static void *triage_thread(void *arg)
{
    const char *const texts[] = {"I'm 7 weeks pregnant and bleeding",
                                 "back pain after sitting all day at work"};
    int *bad = arg;
    for (int i = 0; i < 50; i++) {
        json_t *o = NULL;
        hq_error err;
        hq_error_clear(&err);
        if (hq_triage(texts[i % 2], &o, &err) != HQ_OK ||
            strcmp(level(o), i % 2 ? "none" : "urgent") != 0)
            (*bad)++;
        json_decref(o);
    }
    return NULL;
}

static void test_public_threads(void **state)
{
    (void)state;
    pthread_t th[4];
    int bad[4] = {0};
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, triage_thread, &bad[i]), 0);
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(bad[i], 0);
    }
    json_t *o = NULL;
    hq_error err;
    hq_error_clear(&err);
    assert_int_equal(hq_triage(NULL, &o, &err), HQ_EINVAL);
    assert_null(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_phrasings),   cmocka_unit_test(test_result_shape),
        cmocka_unit_test(test_negex),       cmocka_unit_test(test_rules_errors),
        cmocka_unit_test(test_rule_marks),
        cmocka_unit_test(test_limits),      cmocka_unit_test(test_random_soup),
        cmocka_unit_test(test_public_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_order.c — the topic order behind previous/next
 * (src/answer/order.c): MeSH tree order with a branch before what is
 * under it, the smallest of several tree numbers, titles (case and
 * punctuation ignored) within a tree, articles without a tree last, the
 * ring, lookups of unknown ids, tiny orders, independence from the input
 * order, and adding/removing in place against building anew.
 */
#include "../support/test_support.h"
#include "answer/answer.h"

static const hq_order_entry ENTRIES[] = {
    {"page:will-implantation", "Will implantation cause a sore waist?", "C23.888.592.612.107.400"},
    {"medlineplus:157", "Back Pain", "C23.888.592.612.107"},
    {"page:iud", "what should I do... lower back pain after an IUD", "C23.888.592.612.107"},
    {"medlineplus:515", "Miscarriage", "C13.703.039"},
    {"gard:rare", "A rare syndrome", NULL},
    {"medquad:abdominal", "Abdominal pain", "C23.888.592.612.054"},
    {"gard:zebra", "Zebra syndrome", NULL},
    {"drug:x", "Drug with two trees", "D27.505;C13.703.040"},
    {"untitled", NULL, NULL},
};
#define N (sizeof ENTRIES / sizeof *ENTRIES)

/* The ids in order, walking next from the first, space-separated. */
static void walk(const hq_order *o, const char *start, char *buf, size_t size)
{
    buf[0] = '\0';
    const char *id = start;
    for (size_t i = 0; i < hq_order_size(o); i++) {
        const hq_order_entry *prev, *next;
        assert_true(hq_order_neighbours(o, id, &prev, &next));
        size_t len = strlen(buf);
        snprintf(buf + len, size - len, "%s%s", i ? " " : "", id);
        if (next == NULL) /* alone */
            return;
        id = next->id;
    }
    assert_string_equal(id, start); /* a ring */
}

static void test_topic_order(void **state)
{
    hq_order *o = hq_order_build(ENTRIES, N);
    assert_int_equal(hq_order_size(o), N);
    char got[1024];
    walk(o, "medlineplus:515", got, sizeof got);
    assert_string_equal(got, "medlineplus:515 drug:x medquad:abdominal medlineplus:157 page:iud "
                             "page:will-implantation untitled gard:rare gard:zebra");
    /* the ring closes: the last one's next is the first */
    const hq_order_entry *prev, *next;
    assert_true(hq_order_neighbours(o, "gard:zebra", &prev, &next));
    assert_string_equal(next->id, "medlineplus:515");
    assert_string_equal(prev->id, "gard:rare");
    assert_true(hq_order_neighbours(o, "medlineplus:515", &prev, &next));
    assert_string_equal(prev->id, "gard:zebra");
    /* entries keep their strings */
    assert_true(hq_order_neighbours(o, "page:iud", &prev, &next));
    assert_string_equal(prev->title, "Back Pain");
    assert_string_equal(next->tree, "C23.888.592.612.107.400");
    /* unknown ids */
    assert_false(hq_order_neighbours(o, "page:nope", &prev, &next));
    assert_null(prev);
    assert_null(next);
    assert_false(hq_order_neighbours(o, "", &prev, &next));
    hq_order_free(o);
}

static void test_input_order(void **state)
{
    hq_order *o = hq_order_build(ENTRIES, N);
    char want[1024], got[1024];
    walk(o, "medlineplus:515", want, sizeof want);
    hq_order_free(o);
    hq_order_entry e[N];
    memcpy(e, ENTRIES, sizeof e);
    uint64_t rnd = 7;
    for (int round = 0; round < 20; round++) {
        test_shuffle(e, N, sizeof *e, &rnd);
        o = hq_order_build(e, N);
        walk(o, "medlineplus:515", got, sizeof got);
        assert_string_equal(got, want);
        hq_order_free(o);
    }
}

/* The walk of o from start, or "" when start is not in it. */
static void walk_or_empty(const hq_order *o, const char *start, char *buf, size_t size)
{
    const hq_order_entry *prev, *next;
    if (hq_order_neighbours(o, start, &prev, &next))
        walk(o, start, buf, size);
    else
        buf[0] = '\0';
}

static void test_add_remove(void **state)
{
    /* adding and removing in place gives the order building anew gives */
    uint64_t rnd = 11;
    bool in[N] = {false};
    hq_order *o = hq_order_build(NULL, 0);
    for (int step = 0; step < 200; step++) {
        size_t k = test_rnd(&rnd, N);
        if (in[k])
            hq_order_remove(o, ENTRIES[k].id);
        else
            hq_order_add(o, &ENTRIES[k]);
        in[k] = !in[k];
        hq_order_entry now[N];
        size_t n = 0;
        for (size_t i = 0; i < N; i++)
            if (in[i])
                now[n++] = ENTRIES[i];
        hq_order *fresh = hq_order_build(now, n);
        assert_int_equal(hq_order_size(o), n);
        char got[1024], want[1024];
        for (size_t i = 0; i < n; i++) {
            walk_or_empty(o, now[i].id, got, sizeof got);
            walk_or_empty(fresh, now[i].id, want, sizeof want);
            assert_string_equal(got, want);
        }
        hq_order_free(fresh);
    }
    assert_true(hq_order_dropped(o) > 0);
    /* adding an id again replaces its entry */
    hq_order_add(o, &ENTRIES[0]);
    hq_order_entry moved = {ENTRIES[0].id, "Zzz moved", NULL};
    size_t before = hq_order_size(o);
    hq_order_add(o, &moved);
    assert_int_equal(hq_order_size(o), before);
    const hq_order_entry *prev, *next;
    assert_true(hq_order_neighbours(o, ENTRIES[0].id, &prev, &next));
    assert_true(hq_order_neighbours(o, prev->id, &prev, &next));
    assert_string_equal(next->title, "Zzz moved");
    hq_order_remove(o, "not there"); /* nothing */
    assert_int_equal(hq_order_size(o), before);
    hq_order_free(o);
}

static void test_small(void **state)
{
    const hq_order_entry *prev, *next;
    hq_order *o = hq_order_build(NULL, 0);
    assert_int_equal(hq_order_size(o), 0);
    assert_false(hq_order_neighbours(o, "a", &prev, &next));
    hq_order_free(o);
    o = hq_order_build(ENTRIES, 1); /* alone: no neighbour */
    assert_true(hq_order_neighbours(o, ENTRIES[0].id, &prev, &next));
    assert_null(prev);
    assert_null(next);
    hq_order_free(o);
    o = hq_order_build(ENTRIES, 2); /* two: the other, both ways */
    assert_true(hq_order_neighbours(o, ENTRIES[0].id, &prev, &next));
    assert_string_equal(prev->id, ENTRIES[1].id);
    assert_string_equal(next->id, ENTRIES[1].id);
    hq_order_free(o);
    hq_order_free(NULL);
    /* the same id twice does not break lookups */
    hq_order_entry twice[] = {{"a", "A", NULL}, {"a", "A again", "C01"}, {"b", "B", NULL}};
    o = hq_order_build(twice, 3);
    assert_true(hq_order_neighbours(o, "a", &prev, &next));
    assert_true(hq_order_neighbours(o, "b", &prev, &next));
    hq_order_free(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_topic_order),
        cmocka_unit_test(test_input_order),
        cmocka_unit_test(test_add_remove),
        cmocka_unit_test(test_small),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

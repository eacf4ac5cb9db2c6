/*
 * test_mesh.c — hq_mesh_common_branch() (src/query/vocab.c): the
 * deepest MeSH branch two lists of tree numbers share, cut at level
 * boundaries only, with its number of levels; the rule re-ranking
 * (same_branch: two levels) and related articles build on.
 */
#include "../support/test_support.h"
#include "query/query.h"

static void expect(const char *a, const char *b, size_t levels, const char *branch)
{
    char out[64];
    assert_int_equal(hq_mesh_common_branch(a, b, out, sizeof out), levels);
    assert_string_equal(out, branch);
    /* symmetric */
    assert_int_equal(hq_mesh_common_branch(b, a, out, sizeof out), levels);
    assert_string_equal(out, branch);
}

static void test_branches(void **state)
{
    expect("C23.888.592.612.107", "C23.888.592.612.107.400", 5, "C23.888.592.612.107");
    expect("C23.888.592.612.107", "C23.888.592.612.054", 4, "C23.888.592.612");
    expect("C23.888.592.612", "C23.888.646", 2, "C23.888");
    expect("C23.888", "C23.550", 1, "C23");
    expect("C23", "C23", 1, "C23");
    expect("C13.703.039", "C13.703.039", 3, "C13.703.039");
    /* a common prefix inside a level is no branch: C23 and C21 share "C2" */
    expect("C23.888", "C21.866", 0, "");
    expect("C23.888.592", "C23.888.59", 2, "C23.888");
    /* lists: the deepest of every pair */
    expect("F03.600.300.350;C13.703.844.253", "D27.505;C13.703.844.100", 3, "C13.703.844");
    expect("A01;;C23.888", "C23.888.592", 2, "C23.888");
    /* nothing */
    expect(NULL, "C23", 0, "");
    expect("", "", 0, "");
    expect("C23", NULL, 0, "");
}

static void test_out(void **state)
{
    char small[8];
    /* cut to the room given, still NUL-terminated */
    assert_int_equal(hq_mesh_common_branch("C23.888.592", "C23.888.592.612", small, sizeof small),
                     3);
    assert_string_equal(small, "C23.888");
    /* no room: only the count */
    assert_int_equal(hq_mesh_common_branch("C23.888", "C23.888.1", NULL, 0), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_branches),
        cmocka_unit_test(test_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

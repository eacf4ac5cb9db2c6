/*
 * test_auth.c — write tokens (server/auth.c): a new token checks out,
 * a wrong, missing, malformed or expired one does not; only the hash is
 * in the file (mode 0600); a token file with a bad line names it.
 */
#include "../support/test_support.h"

#include "../../server/server.h"

#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char dir[] = "/tmp/hq-auth-XXXXXX";
static char path[256];

static int setup(void **state)
{
    (void)state;
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(path, sizeof path, "%s/tokens", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    rmdir(dir);
    return 0;
}

static void bearer(char *out, size_t size, const char *token)
{
    snprintf(out, size, "Bearer %s", token);
}

static void test_new_and_check(void **state)
{
    (void)state;
    unlink(path);
    char a[80], b[80], why[512], header[128];
    assert_int_equal(hs_token_new(path, 0, "alice", a, sizeof a, why, sizeof why), 0);
    assert_int_equal(hs_token_new(path, 30, "bob", b, sizeof b, why, sizeof why), 0);
    assert_int_equal(strlen(a), 3 + 64);
    assert_memory_equal(a, "hq_", 3);
    assert_string_not_equal(a, b);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    size_t len;
    char *file = test_read_file(path, &len);
    assert_null(strstr(file, a + 3)); /* the token itself is not stored */
    assert_non_null(strstr(file, "\talice\n"));
    free(file);

    hs_tokens *t = hs_tokens_load(path, why, sizeof why);
    assert_non_null(t);
    long long now = (long long)time(NULL);
    bearer(header, sizeof header, a);
    assert_int_equal(hs_tokens_check(t, header, now), HS_AUTH_OK);
    bearer(header, sizeof header, b);
    assert_int_equal(hs_tokens_check(t, header, now), HS_AUTH_OK);
    /* bob's expires in 30 days */
    assert_int_equal(hs_tokens_check(t, header, now + 31 * 86400LL), HS_AUTH_EXPIRED);
    assert_int_equal(hs_tokens_check(t, NULL, now), HS_AUTH_MISSING);
    assert_int_equal(hs_tokens_check(t, "Basic abc", now), HS_AUTH_MISSING);
    assert_int_equal(hs_tokens_check(t, "Bearer ", now), HS_AUTH_WRONG);
    a[10] ^= 1; /* one character off */
    bearer(header, sizeof header, a);
    assert_int_equal(hs_tokens_check(t, header, now), HS_AUTH_WRONG);
    assert_int_equal(hs_tokens_check(NULL, header, now), HS_AUTH_WRONG);
    hs_tokens_free(t);
}

static void test_bad_file(void **state)
{
    (void)state;
    char why[512];
    FILE *f = fopen(path, "w");
    fputs("# tokens\n\nsha256:0123\t0\tshort\n", f);
    fclose(f);
    assert_null(hs_tokens_load(path, why, sizeof why));
    assert_non_null(strstr(why, ":3:"));
    f = fopen(path, "w");
    fprintf(f, "sha256:%064d\tsoon\tx\n", 0);
    fclose(f);
    assert_null(hs_tokens_load(path, why, sizeof why));
    assert_null(hs_tokens_load("/nonexistent/tokens", why, sizeof why));
    assert_non_null(strstr(why, "cannot open"));
    char token[80];
    assert_int_equal(hs_token_new("/nonexistent/dir/tokens", 0, "", token, sizeof token, why,
                                  sizeof why), -1);
    assert_non_null(strstr(why, "/nonexistent/dir/tokens"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_and_check),
        cmocka_unit_test(test_bad_file),
    };
    return cmocka_run_group_tests_name("auth", tests, setup, teardown);
}

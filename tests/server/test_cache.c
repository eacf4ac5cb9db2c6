/*
 * test_cache.c — the /api/search result cache (server/cache.c): hits
 * return the bytes stored (keys and replies of every size around the
 * chunks they are kept in), misses, least-recently-used eviction within
 * the byte bound, oversized replies, generations (a newer one empties
 * the cache, an older one is not stored), use from several threads at
 * once (checked by the ASan/UBSan pass too); and the engine's index
 * generation, which moves when `index` changes the index and only then.
 */
#include "../support/test_support.h"

#include "../../server/server.h"

#include <pthread.h>

/* The reply the tests store under key: its bytes derive from the key, so
 * a hit can be checked against it. */
static size_t reply_for(const char *key, char *out, size_t size)
{
    size_t n = (size_t)snprintf(out, size, "{\"reply of\":\"%s\"}", key);
    for (; n + 1 < size && n < 900; n++) /* pad to a realistic size */
        out[n] = ' ';
    out[n] = '\0';
    return n;
}

static void put(hs_cache *c, uint64_t gen, const char *key)
{
    char reply[1024];
    size_t n = reply_for(key, reply, sizeof reply);
    hs_cache_put(c, gen, key, strlen(key), reply, n);
}

/* Whether key is a hit under gen; a hit must give exactly its reply. */
static bool get(hs_cache *c, uint64_t gen, const char *key)
{
    struct evbuffer *b = evbuffer_new();
    bool hit = hs_cache_get(c, gen, key, strlen(key), b);
    char want[1024];
    size_t n = reply_for(key, want, sizeof want);
    if (hit) {
        assert_int_equal(evbuffer_get_length(b), n);
        assert_memory_equal(evbuffer_pullup(b, -1), want, n);
    } else {
        assert_int_equal(evbuffer_get_length(b), 0);
    }
    evbuffer_free(b);
    return hit;
}

static hs_cache_stats stats(hs_cache *c)
{
    hs_cache_stats s;
    hs_cache_stats_get(c, &s);
    return s;
}

static void test_hit_and_miss(void **state)
{
    (void)state;
    hs_cache *c = hs_cache_new(1 << 20);
    assert_non_null(c);
    assert_false(get(c, 0, "10 0 back pain"));
    put(c, 0, "10 0 back pain");
    assert_true(get(c, 0, "10 0 back pain"));
    assert_false(get(c, 0, "10 0 back pains"));
    assert_false(get(c, 0, "10 10 back pain")); /* another page */
    put(c, 0, "10 0 back pain"); /* stored twice: one entry */
    hs_cache_stats s = stats(c);
    assert_int_equal(s.hits, 1);
    assert_int_equal(s.misses, 3);
    assert_int_equal(s.inserts, 2);
    assert_int_equal(s.entries, 1);
    assert_true(s.bytes > 900 && s.bytes <= s.max_bytes);
    assert_int_equal(s.max_bytes, 1 << 20);
    hs_cache_free(c);
    assert_null(hs_cache_new(1000)); /* too small to hold anything: no cache */
    /* no cache: every lookup misses, stores are ignored */
    assert_false(get(NULL, 0, "x"));
    put(NULL, 0, "x");
    assert_int_equal(stats(NULL).entries, 0);
}

/* Replies and keys of sizes around the 2 KiB chunks they are stored in
 * come back byte for byte. */
static void test_sizes(void **state)
{
    (void)state;
    hs_cache *c = hs_cache_new(4 << 20);
    char key[3000], *reply = malloc(12000);
    for (size_t i = 0; i < 12000; i++)
        reply[i] = (char)('a' + i % 23);
    static const size_t key_lens[] = {1, 40, 1000, 1983, 1984}; /* 1984: the longest kept */
    static const size_t lens[] = {0, 1, 1900, 1983, 1984, 1985, 2040, 4079, 4080, 4081, 12000};
    for (size_t k = 0; k < sizeof key_lens / sizeof *key_lens; k++)
        for (size_t l = 0; l < sizeof lens / sizeof *lens; l++) {
            memset(key, 'k', key_lens[k]);
            snprintf(key, sizeof key, "%zu/%zu:", k, l);
            key[strlen(key)] = 'k'; /* the key keeps its full length */
            hs_cache_put(c, 1, key, key_lens[k], reply, lens[l]);
            struct evbuffer *b = evbuffer_new();
            assert_true(hs_cache_get(c, 1, key, key_lens[k], b));
            assert_int_equal(evbuffer_get_length(b), lens[l]);
            if (lens[l])
                assert_memory_equal(evbuffer_pullup(b, -1), reply, lens[l]);
            evbuffer_free(b);
        }
    assert_true(stats(c).bytes <= stats(c).max_bytes);
    memset(key, 'k', 1985); /* a longer key is not kept */
    hs_cache_put(c, 1, key, 1985, reply, 10);
    struct evbuffer *b = evbuffer_new();
    assert_false(hs_cache_get(c, 1, key, 1985, b));
    evbuffer_free(b);
    free(reply);
    hs_cache_free(c);
}

static void test_eviction(void **state)
{
    (void)state;
    const size_t max = 1 << 20; /* 16 shards of 31 chunks: ~490 replies of ~1 KB */
    hs_cache *c = hs_cache_new(max);
    char key[64];
    for (int i = 0; i < 2000; i++) {
        snprintf(key, sizeof key, "10 0 question %d", i);
        put(c, 7, key);
        assert_true(stats(c).bytes <= max);
        if (i % 50 == 49) { /* kept recently used: must survive */
            assert_true(get(c, 7, "10 0 question 0"));
        }
    }
    hs_cache_stats s = stats(c);
    assert_true(s.evictions > 1000);
    assert_true(s.entries > 300 && s.entries <= 16 * 31);
    assert_int_equal(s.entries + s.evictions, 2000);
    assert_true(get(c, 7, "10 0 question 1999")); /* the newest */
    assert_false(get(c, 7, "10 0 question 1"));    /* among the oldest */
    /* a reply larger than an eighth of a shard's share is not kept */
    size_t big = max / 16 / 8 + 1;
    char *some = calloc(big / 2, 1);
    hs_cache_put(c, 7, "some", 4, some, big / 2); /* half that is */
    free(some);
    struct evbuffer *kept = evbuffer_new();
    assert_true(hs_cache_get(c, 7, "some", 4, kept));
    assert_int_equal(evbuffer_get_length(kept), big / 2);
    evbuffer_free(kept);
    char *huge = calloc(big, 1);
    hs_cache_put(c, 7, "huge", 4, huge, big);
    free(huge);
    struct evbuffer *b = evbuffer_new();
    assert_false(hs_cache_get(c, 7, "huge", 4, b));
    evbuffer_free(b);
    hs_cache_free(c);
}

static void test_generations(void **state)
{
    (void)state;
    hs_cache *c = hs_cache_new(1 << 20);
    put(c, 3, "a");
    put(c, 3, "b");
    assert_true(get(c, 3, "a"));
    assert_false(get(c, 4, "a")); /* the index changed: empty now */
    assert_false(get(c, 4, "b"));
    assert_int_equal(stats(c).entries, 0);
    assert_int_equal(stats(c).invalidations, 2);
    put(c, 3, "a"); /* computed on the old index, finished late: not kept */
    assert_false(get(c, 4, "a"));
    assert_false(get(c, 3, "a"));
    put(c, 4, "a");
    assert_true(get(c, 4, "a"));
    hs_cache_free(c);
}

/* ---- threads ------------------------------------------------------------- */

static hs_cache *shared;

static void *worker(void *arg)
{
    uint64_t rnd = (uint64_t)(uintptr_t)arg * 7919 + 1;
    char key[64];
    for (int i = 0; i < 20000; i++) {
        snprintf(key, sizeof key, "10 0 q%u", test_rnd(&rnd, 1000));
        uint64_t gen = i < 15000 ? 1 : 2; /* the index changes midway */
        if (!get(shared, gen, key))
            put(shared, gen, key);
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    shared = hs_cache_new(1 << 20); /* ~490 entries for 1000 keys: evictions all along */
    pthread_t t[4];
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)i), 0);
    for (size_t i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    hs_cache_stats s = stats(shared);
    assert_int_equal(s.hits + s.misses, 4 * 20000);
    assert_true(s.hits > 0 && s.evictions > 0 && s.invalidations > 0);
    assert_true(s.bytes <= s.max_bytes);
    hs_cache_free(shared);
}

/* ---- the engine's generation ------------------------------------------------ */

static size_t hits_for(hq_engine *e, const char *q)
{
    json_t *res = NULL;
    hq_error err = {0};
    hq_search_options o = {.limit = 5};
    assert_int_equal(hq_search(e, q, &o, &res, &err), HQ_OK);
    size_t n = json_array_size(json_object_get(res, "hits"));
    json_decref(res);
    return n;
}

static void test_index_generation(void **state)
{
    (void)state;
    char dir[256], docs[300], file[400];
    test_make_temp_dir(dir, sizeof dir, "cachegen");
    snprintf(docs, sizeof docs, "%s/new", dir);
    hq_engine *e = NULL;
    hq_error err = {0};
    assert_int_equal(hq_open(dir, &e, &err), HQ_OK);
    const char *fixtures[] = {HQ_FIXTURES "/server"};
    assert_int_equal(hq_ingest(e, fixtures, 1, NULL, NULL, &err), HQ_OK);
    assert_int_equal(hq_index_update(e, false, NULL, &err), HQ_OK);
    assert_int_equal(hits_for(e, "zebrafish"), 0);
    uint64_t g0 = hq_index_generation(e);
    hs_cache *c = hs_cache_new(1 << 20);
    put(c, g0, "5 0 zebrafish");
    /* an update with nothing to do keeps the generation (and the cache) */
    assert_int_equal(hq_index_update(e, false, NULL, &err), HQ_OK);
    assert_true(hq_index_generation(e) == g0);
    assert_true(get(c, hq_index_generation(e), "5 0 zebrafish"));
    /* new content indexed: a new generation; the cached reply is gone */
    assert_int_equal(hq_mkdir(docs, &err), HQ_OK);
    snprintf(file, sizeof file, "%s/zebrafish.md", docs);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fputs("# Zebrafish care\n\nZebrafish need clean water and a steady temperature.\n", f);
    fclose(f);
    const char *paths[] = {docs};
    assert_int_equal(hq_ingest(e, paths, 1, NULL, NULL, &err), HQ_OK);
    assert_int_equal(hq_index_update(e, false, NULL, &err), HQ_OK);
    uint64_t g1 = hq_index_generation(e);
    assert_true(g1 != g0);
    assert_false(get(c, g1, "5 0 zebrafish"));
    assert_int_equal(hits_for(e, "zebrafish"), 1);
    assert_true(hq_index_generation(e) == g1); /* searching does not move it */
    hs_cache_free(c);
    hq_close(e);
    test_remove_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hit_and_miss),   cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_eviction),
        cmocka_unit_test(test_generations),    cmocka_unit_test(test_threads),
        cmocka_unit_test(test_index_generation),
    };
    return cmocka_run_group_tests_name("server/cache", tests, NULL, NULL);
}

/*
 * api.c — the JSON read routes of docs/API.md: search, ask, suggest,
 * articles and their related articles, health and metrics (writes:
 * write.c).  Each checks its parameters (a bad one is a 400 with a
 * message, never a 500), calls one engine function, and sends its JSON.
 * /api/search answers repeated requests from the result cache (cache.c)
 * on the loop and runs the others on the search pool (pool.c).
 */
#include "server.h"

#include <dirent.h>
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define API_MAX_LIMIT 100

/* The required parameter q (at most HS_MAX_QUERY bytes), or NULL after
 * answering 400. */
static const char *query_param(hs_req *r)
{
    const char *q = hs_param(&r->params, "q");
    if (q == NULL)
        hs_reply_error(r, 400, "bad_parameter", "the parameter q is required");
    else if (strlen(q) > HS_MAX_QUERY)
        hs_reply_error(r, 400, "bad_parameter", "q is limited to %d bytes", HS_MAX_QUERY);
    else
        return q;
    return NULL;
}

/* Reads the optional number parameter name into *out (unchanged when
 * absent); false after answering 400. */
static bool size_param(hs_req *r, const char *name, size_t min, size_t max, size_t *out)
{
    const char *v = hs_param(&r->params, name);
    if (v == NULL || hs_parse_size(v, min, max, out) == 0)
        return true;
    hs_reply_error(r, 400, "bad_parameter", "%s must be a number from %zu to %zu", name, min,
                   max);
    return false;
}

/* Appends ` name:"value"` to b for the optional filter parameter name;
 * false after answering 400 (a value holding a double quote cannot be
 * written in the query syntax). */
static bool filter_param(hs_req *r, const char *name, struct evbuffer *b)
{
    const char *v = hs_param(&r->params, name);
    if (v == NULL || *v == '\0')
        return true;
    if (strchr(v, '"') || strstr(v, "\xE2\x80\x9C") || strstr(v, "\xE2\x80\x9D")) {
        hs_reply_error(r, 400, "bad_parameter", "%s must not contain double quotes", name);
        return false;
    }
    evbuffer_add_printf(b, " %s:\"%s\"", name, v);
    return true;
}

/* The query of /api/search and /search: q with the source and type
 * filters appended (malloc'd), or NULL after answering 400. */
static char *search_query(hs_req *r, const char *q)
{
    struct evbuffer *b = evbuffer_new();
    evbuffer_add(b, q, strlen(q));
    char *out = NULL;
    if (filter_param(r, "source", b) && filter_param(r, "type", b)) {
        size_t n = evbuffer_get_length(b);
        out = malloc(n + 1);
        if (out == NULL)
            abort();
        evbuffer_remove(b, out, n);
        out[n] = '\0';
    }
    evbuffer_free(b);
    return out;
}

/* Reads the parameters of /api/search: the query with its filters
 * (malloc'd) and the options; NULL after answering 400. */
static char *search_request(hs_req *r, hq_search_options *o)
{
    *o = (hq_search_options){.limit = 10, .snippets = true};
    const char *q = query_param(r);
    if (q == NULL || !size_param(r, "limit", 1, API_MAX_LIMIT, &o->limit) ||
        !size_param(r, "offset", 0, 10000 - o->limit, &o->offset))
        return NULL;
    return search_query(r, q);
}

/* The cache key of a search: everything its reply depends on besides
 * the index ("limit offset query", the query with its filters; absent
 * parameters as their defaults, so equal requests share one entry). */
static char *search_key(const char *query, const hq_search_options *o, size_t *len)
{
    struct evbuffer *b = evbuffer_new();
    evbuffer_add_printf(b, "%zu %zu ", o->limit, o->offset);
    evbuffer_add(b, query, strlen(query));
    *len = evbuffer_get_length(b);
    char *key = malloc(*len + 1);
    if (key == NULL)
        abort();
    evbuffer_remove(b, key, *len);
    key[*len] = '\0';
    evbuffer_free(b);
    return key;
}

static void cache_header(hs_req *r, const char *what)
{
    evhttp_add_header(evhttp_request_get_output_headers(r->req), "X-Cache", what);
}

/* The search itself, on the pool: runs it, keeps the reply in the cache
 * (under the generation read before searching), sends it. */
static void search_run(hs_req *r, const char *unused)
{
    hq_search_options o;
    char *query = search_request(r, &o);
    if (query == NULL)
        return;
    uint64_t gen = hq_index_generation(r->engine);
    json_t *res = NULL;
    hq_error err = {0};
    hq_status rc = hq_search(r->engine, query, &o, &res, &err);
    if (rc == HQ_OK) {
        struct evbuffer *b = hs_json_buffer(res);
        if (r->cache) {
            size_t key_len;
            char *key = search_key(query, &o, &key_len);
            hs_cache_put(r->cache, gen, key, key_len, evbuffer_pullup(b, -1),
                         evbuffer_get_length(b));
            free(key);
            cache_header(r, "miss");
        }
        hs_reply(r, 200, "application/json", b);
        evbuffer_free(b);
    } else {
        hs_reply_hq_error(r, rc, &err);
    }
    free(query);
}

/* Answers a repeated search from the cache, on the loop; hands the rest
 * to the search pool. */
void hs_api_search(hs_req *r, const char *unused)
{
    hq_search_options o;
    char *query = search_request(r, &o);
    if (query == NULL)
        return;
    bool hit = false;
    if (r->cache) {
        size_t key_len;
        char *key = search_key(query, &o, &key_len);
        struct evbuffer *b = evbuffer_new();
        hit = hs_cache_get(r->cache, hq_index_generation(r->engine), key, key_len, b);
        if (hit) {
            cache_header(r, "hit");
            hs_reply(r, 200, "application/json", b);
        }
        evbuffer_free(b);
        free(key);
    }
    free(query);
    if (!hit)
        hs_defer(r, search_run, NULL);
}

void hs_api_ask(hs_req *r, const char *unused)
{
    const char *q = query_param(r);
    if (q == NULL)
        return;
    json_t *res = NULL;
    hq_error err = {0};
    hq_status rc = hq_ask(r->engine, q, &res, &err);
    if (rc == HQ_OK)
        hs_reply_json(r, 200, res);
    else
        hs_reply_hq_error(r, rc, &err);
}

void hs_api_suggest(hs_req *r, const char *unused)
{
    size_t limit = 8;
    const char *q = query_param(r);
    if (q == NULL || !size_param(r, "limit", 1, 20, &limit))
        return;
    json_t *res = NULL;
    hq_error err = {0};
    hq_status rc = hq_suggest(r->engine, q, limit, &res, &err);
    if (rc == HQ_OK)
        hs_reply_json(r, 200, res);
    else
        hs_reply_hq_error(r, rc, &err);
}

void hs_api_article(hs_req *r, const char *id)
{
    json_t *res = NULL;
    hq_error err = {0};
    /* ids never hold '/': anything with one would be a file path */
    hq_status rc = strchr(id, '/') ? HQ_ENOTFOUND : hq_show(r->engine, id, &res, &err);
    const char *kind = json_string_value(json_object_get(res, "kind"));
    if (rc == HQ_OK && kind && strcmp(kind, "file") == 0) {
        json_decref(res);
        rc = HQ_ENOTFOUND;
    }
    if (rc == HQ_OK) {
        json_object_del(res, "path"); /* a file of the server's, not the reader's business */
        hs_reply_json(r, 200, res);
    } else {
        hs_reply_hq_error(r, rc, &err);
    }
}

void hs_api_related(hs_req *r, const char *id)
{
    size_t limit = 10;
    if (!size_param(r, "limit", 1, 50, &limit))
        return;
    json_t *res = NULL;
    hq_error err = {0};
    /* ids never hold '/': anything with one would be a file path */
    hq_status rc = strchr(id, '/') ? HQ_ENOTFOUND : hq_related(r->engine, id, limit, &res, &err);
    if (rc == HQ_OK)
        hs_reply_json(r, 200, res);
    else
        hs_reply_hq_error(r, rc, &err);
}

void hs_api_healthz(hs_req *r, const char *unused)
{
    hs_reply_json(r, 200, json_pack("{s:s, s:s}", "status", "ok", "version", HQ_VERSION));
}

/* Bytes of the regular files in <data>/index (0 when it is missing). */
static long long index_bytes(const char *data_dir)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/index", data_dir);
    DIR *d = opendir(dir);
    if (d == NULL)
        return 0;
    long long total = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        struct stat st;
        if (fstatat(dirfd(d), de->d_name, &st, 0) == 0 && S_ISREG(st.st_mode))
            total += (long long)st.st_size;
    }
    closedir(d);
    return total;
}

/* The store's counts, read at most every STATS_TTL seconds: hq_stats
 * counts the whole store (~0.2 s on the full corpus), too slow to run on
 * a loop at every scrape.  -1 when the store cannot be read. */
#define STATS_TTL 60.0
static void document_counts(hq_engine *e, long long *articles, long long *sections)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static double at = -1e9;
    static long long n_articles = -1, n_sections = -1;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    pthread_mutex_lock(&lock);
    if (now - at > STATS_TTL) {
        json_t *stats = NULL;
        hq_error err = {0};
        bool ok = hq_stats(e, &stats, &err) == HQ_OK;
        n_articles = ok ? (long long)json_integer_value(json_object_get(stats, "articles")) : -1;
        n_sections = ok ? (long long)json_integer_value(json_object_get(stats, "sections")) : -1;
        json_decref(stats);
        at = now;
        /* counting the store allocates megabytes (SQLite's sorts) in this
         * thread's malloc arena, kept after they are freed: give them
         * back, or each search thread's RSS grows by that much once */
        malloc_trim(0);
    }
    *articles = n_articles;
    *sections = n_sections;
    pthread_mutex_unlock(&lock);
}

void hs_api_metrics(hs_req *r, const char *unused)
{
    long long articles, sections;
    document_counts(r->engine, &articles, &sections);
    hs_cache_stats cache;
    hs_cache_stats_get(r->cache, &cache);
    struct evbuffer *b = evbuffer_new();
    hs_metrics_write(b, articles, sections, index_bytes(r->data_dir), r->cache ? &cache : NULL);
    hs_reply(r, 200, "text/plain; version=0.0.4; charset=utf-8", b);
    evbuffer_free(b);
}

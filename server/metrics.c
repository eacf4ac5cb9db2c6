/*
 * metrics.c — the counters behind /metrics: requests by route and
 * status, and one latency histogram of every request, in Prometheus'
 * text format (version 0.0.4).  Counters are C11 atomics (relaxed):
 * every worker thread records without a lock; a scrape reads each
 * counter once, so totals may lag by the requests in flight.
 */
#include "server.h"

#include <stdatomic.h>

static const char *const ROUTE_NAMES[HS_R_COUNT] = {
    [HS_R_HOME] = "home",           [HS_R_SEARCH_PAGE] = "search_page",
    [HS_R_ARTICLE_PAGE] = "article_page", [HS_R_STATIC] = "static",
    [HS_R_API_SEARCH] = "api_search",     [HS_R_API_SUGGEST] = "api_suggest",
    [HS_R_API_ARTICLE] = "api_article",   [HS_R_API_RELATED] = "api_related",
    [HS_R_API_ASK] = "api_ask",           [HS_R_HEALTHZ] = "healthz",
    [HS_R_METRICS] = "metrics",           [HS_R_API_WRITE] = "api_write",
    [HS_R_OTHER] = "other",
};

/* The statuses the server sends; anything else is counted as "other". */
static const int STATUSES[] = {200, 201, 302, 304, 400, 401, 403, 404, 405, 413, 414, 500, 501, 503};
#define N_STATUSES (sizeof STATUSES / sizeof *STATUSES)

/* Histogram bucket upper bounds, in microseconds (seconds in the output). */
static const uint64_t BUCKETS_US[] = {100,   250,    500,    1000,   2500,   5000,
                                      10000, 20000,  50000,  100000, 250000, 1000000};
#define N_BUCKETS (sizeof BUCKETS_US / sizeof *BUCKETS_US)

static atomic_uint_fast64_t requests[HS_R_COUNT][N_STATUSES + 1];
static atomic_uint_fast64_t buckets[N_BUCKETS + 1]; /* last: above every bound */
static atomic_uint_fast64_t latency_sum_us, latency_count;

void hs_metrics_record(hs_route_id route, int status, uint64_t micros)
{
    if ((unsigned)route >= HS_R_COUNT)
        route = HS_R_OTHER;
    size_t k = 0;
    while (k < N_STATUSES && STATUSES[k] != status)
        k++;
    atomic_fetch_add_explicit(&requests[route][k], 1, memory_order_relaxed);
    size_t b = 0;
    while (b < N_BUCKETS && micros > BUCKETS_US[b])
        b++;
    atomic_fetch_add_explicit(&buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&latency_sum_us, micros, memory_order_relaxed);
    atomic_fetch_add_explicit(&latency_count, 1, memory_order_relaxed);
}

static unsigned long long load(atomic_uint_fast64_t *c)
{
    return (unsigned long long)atomic_load_explicit(c, memory_order_relaxed);
}

static void write_requests(struct evbuffer *out)
{
    evbuffer_add_printf(out, "# HELP healthqa_http_requests_total HTTP requests answered, by "
                             "route and status.\n"
                             "# TYPE healthqa_http_requests_total counter\n");
    for (int r = 0; r < HS_R_COUNT; r++)
        for (size_t k = 0; k <= N_STATUSES; k++) {
            unsigned long long n = load(&requests[r][k]);
            if (n == 0)
                continue;
            char status[16];
            if (k < N_STATUSES)
                snprintf(status, sizeof status, "%d", STATUSES[k]);
            else
                snprintf(status, sizeof status, "other");
            evbuffer_add_printf(out,
                                "healthqa_http_requests_total{route=\"%s\",status=\"%s\"} %llu\n",
                                ROUTE_NAMES[r], status, n);
        }
}

static void write_histogram(struct evbuffer *out)
{
    evbuffer_add_printf(out, "# HELP healthqa_http_request_duration_seconds Time from a "
                             "request's arrival to its reply being queued.\n"
                             "# TYPE healthqa_http_request_duration_seconds histogram\n");
    unsigned long long cumulative = 0;
    for (size_t b = 0; b <= N_BUCKETS; b++) {
        cumulative += load(&buckets[b]);
        if (b < N_BUCKETS)
            evbuffer_add_printf(out,
                                "healthqa_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                                (double)BUCKETS_US[b] / 1e6, cumulative);
        else
            evbuffer_add_printf(
                out, "healthqa_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
                cumulative);
    }
    evbuffer_add_printf(out, "healthqa_http_request_duration_seconds_sum %.6f\n",
                        (double)load(&latency_sum_us) / 1e6);
    evbuffer_add_printf(out, "healthqa_http_request_duration_seconds_count %llu\n",
                        load(&latency_count));
}

static void write_cache(struct evbuffer *out, const hs_cache_stats *c)
{
    evbuffer_add_printf(
        out,
        "# HELP healthqa_search_cache_requests_total /api/search requests looked up in the "
        "result cache, by result.\n"
        "# TYPE healthqa_search_cache_requests_total counter\n"
        "healthqa_search_cache_requests_total{result=\"hit\"} %llu\n"
        "healthqa_search_cache_requests_total{result=\"miss\"} %llu\n"
        "# HELP healthqa_search_cache_evictions_total Entries evicted to stay within the "
        "bound (least recently used first).\n"
        "# TYPE healthqa_search_cache_evictions_total counter\n"
        "healthqa_search_cache_evictions_total %llu\n"
        "# HELP healthqa_search_cache_invalidations_total Entries dropped because the index "
        "changed.\n"
        "# TYPE healthqa_search_cache_invalidations_total counter\n"
        "healthqa_search_cache_invalidations_total %llu\n"
        "# HELP healthqa_search_cache_entries Replies held in the result cache.\n"
        "# TYPE healthqa_search_cache_entries gauge\n"
        "healthqa_search_cache_entries %zu\n"
        "# HELP healthqa_search_cache_bytes Bytes the result cache holds, and its bound.\n"
        "# TYPE healthqa_search_cache_bytes gauge\n"
        "healthqa_search_cache_bytes{kind=\"used\"} %zu\n"
        "healthqa_search_cache_bytes{kind=\"max\"} %zu\n",
        (unsigned long long)c->hits, (unsigned long long)c->misses,
        (unsigned long long)c->evictions, (unsigned long long)c->invalidations, c->entries,
        c->bytes, c->max_bytes);
}

void hs_metrics_write(struct evbuffer *out, long long articles, long long sections,
                      long long index_bytes, const hs_cache_stats *cache)
{
    write_requests(out);
    write_histogram(out);
    if (cache)
        write_cache(out, cache);
    evbuffer_add_printf(out,
                        "# HELP healthqa_documents Articles and sections in the store.\n"
                        "# TYPE healthqa_documents gauge\n"
                        "healthqa_documents{kind=\"article\"} %lld\n"
                        "healthqa_documents{kind=\"section\"} %lld\n"
                        "# HELP healthqa_index_bytes Bytes of the search index files.\n"
                        "# TYPE healthqa_index_bytes gauge\n"
                        "healthqa_index_bytes %lld\n",
                        articles, sections, index_bytes);
}

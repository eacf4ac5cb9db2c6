/*
 * server.h — the portal's private interface: the files of server/ and
 * cli/cmd_serve.c (hs_serve) use it.  One block per file.  Everything
 * here uses only the public healthqa.h and libevent.
 *
 * Names: hs_ (healthqa server).  Threads: every function may run on any
 * worker thread at once unless its comment says otherwise; a request is
 * handled wholly on the thread whose loop accepted its connection.
 */
#ifndef HQ_SERVER_H
#define HQ_SERVER_H

#include "healthqa.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <stdint.h>

/* Hard limits of a request (docs/API.md). */
#define HS_MAX_URL 8192          /* request target bytes; longer: 414 */
#define HS_MAX_QUERY 1024        /* bytes of q; longer: 400 */
#define HS_MAX_BODY 4096         /* body bytes of a read (only writes take one); longer: 413 */
#define HS_MAX_HEADERS (24 * 1024) /* evhttp's own cap, request line included */
#define HS_EVHTTP_MAX_BODY HQ_WRITE_MAX_BYTES /* evhttp's own cap (its plain 413): a write's */
#define HS_TIMEOUT_SECONDS 30    /* per connection read/write timeout */
#define HS_MAX_PARAMS 16         /* query parameters; more: 400 */

/* ---- Interface to code in server.c: options, loops, shutdown --------- */

typedef struct hs_options {
    const char *data_dir;
    const char *bind;  /* address to listen on (default 127.0.0.1) */
    int port;          /* 0: any free port (printed at start) */
    int threads;       /* event loops (default: the number of cores, at most 64) */
    int search_threads; /* the search pool (default: the number of cores, at most
                           64); -1: none, searches run on the loops */
    long cache_mb;     /* the /api/search cache in MiB (default HS_CACHE_MB); -1: none */
    bool quiet;        /* no access log */
    const char *tokens;/* token file of the write API (NULL: writes are off) */
} hs_options;

#define HS_CACHE_MB 32 /* default bound of the result cache */

/* A worker thread's event loop (server.c). */
typedef struct hs_loop hs_loop;
typedef struct hs_cache_stats hs_cache_stats; /* cache.c */

/* Opens the engine, listens, runs the loops until SIGINT or SIGTERM, lets
 * requests in flight finish (at most 5 s), and returns 0; or prints why
 * it could not start and returns nonzero (2 bad option, 4 cannot run).
 * Call once, from the main thread, before any other thread exists. */
int hs_serve(const hs_options *o);

struct hs_req;
/* Queues r, whose handler ran on the search pool and whose reply is made
 * (r->reply_*), for its loop, which sends the reply and finishes r.
 * Any thread; the loop is woken. */
void hs_loop_post(hs_loop *loop, struct hs_req *r);

/* ---- Interface to code in params.c: decoding what the URL carries ----- */

/* Percent-decodes s[0..len) into out (at least len + 1 bytes), with '+'
 * as a space when plus_is_space (query strings).  Returns the decoded
 * length, or -1 when an escape is malformed (not two hex digits) or
 * decodes to a NUL byte.  out is NUL-terminated on success. */
long hs_percent_decode(const char *s, size_t len, char *out, bool plus_is_space);

typedef struct hs_params {
    size_t n;
    char *name[HS_MAX_PARAMS], *value[HS_MAX_PARAMS]; /* decoded, malloc'd */
} hs_params;

/* Splits a query string ("a=1&b=x%20y"; NULL or "" for none) into
 * decoded names and values (a name without '=' has the value "").
 * Returns 0, or -1 with *why set to a static reason when an escape is
 * bad, a name or value is not UTF-8, or there are more than
 * HS_MAX_PARAMS; p is then empty.  Release with hs_params_free. */
int hs_params_parse(const char *query, hs_params *p, const char **why);
void hs_params_free(hs_params *p);
/* The value of the first parameter called name, or NULL. */
const char *hs_param(const hs_params *p, const char *name);
/* Parses a decimal number in [min, max] (digits only, no sign, no
 * spaces).  Returns 0 and sets *out, or -1. */
int hs_parse_size(const char *s, size_t min, size_t max, size_t *out);
/* True when s[0..len) is valid UTF-8 without control characters other
 * than tab. */
bool hs_text_ok(const char *s, size_t len);

/* ---- Interface to code in html.c: writing HTML safely ----------------- */

/* Appends s[0..len) with & < > " ' escaped (so it is safe in element
 * content and in quoted attribute values).  NULL s appends nothing. */
void hs_html_escape_len(struct evbuffer *out, const char *s, size_t len);
void hs_html_escape(struct evbuffer *out, const char *s);
/* Appends text escaped, with the byte ranges of spans (a JSON array of
 * [start, end] pairs, ascending, as hq_search gives) inside <mark>.
 * Spans that overlap, go backwards or leave the text are skipped. */
void hs_html_highlight(struct evbuffer *out, const char *text, const json_t *spans);
/* True when url is an absolute http:// or https:// URL without spaces,
 * quotes, angle brackets or control characters: only those are linked. */
bool hs_url_is_http(const char *url);
/* Appends s percent-encoded for a URL path segment or query value
 * (everything but A-Z a-z 0-9 - . _ ~ is escaped). */
void hs_url_encode(struct evbuffer *out, const char *s);

/* ---- Interface to code in metrics.c: counters for /metrics ------------- */

/* The routes counted (labels of the route="..." dimension). */
typedef enum hs_route_id {
    HS_R_HOME, HS_R_SEARCH_PAGE, HS_R_ARTICLE_PAGE, HS_R_STATIC, HS_R_API_SEARCH,
    HS_R_API_SUGGEST, HS_R_API_ARTICLE, HS_R_API_RELATED, HS_R_API_ASK, HS_R_HEALTHZ,
    HS_R_METRICS, HS_R_API_WRITE, HS_R_OTHER, HS_R_COUNT
} hs_route_id;

/* Counts one answered request (lock-free, any thread). */
void hs_metrics_record(hs_route_id route, int status, uint64_t micros);
/* Appends the Prometheus text exposition: the counters, the latency
 * histogram, documents / index bytes as given, and the result cache's
 * counters (cache NULL: none). */
void hs_metrics_write(struct evbuffer *out, long long articles, long long sections,
                      long long index_bytes, const hs_cache_stats *cache);

/* ---- Interface to code in json.c: writing JSON fast ---------------------- */

/* Appends value as compact JSON, the bytes json_dumps(value, JSON_COMPACT)
 * makes, to dst and returns 0; -1 (dst unchanged) when value is NULL or
 * nested deeper than jansson allows. */
int hs_json_write(struct evbuffer *dst, const json_t *value);

/* ---- Interface to code in reply.c: answering a request ------------------ */

typedef struct hs_cache hs_cache;
typedef struct hs_pool hs_pool;
/* What every handler may call (handlers run on a loop or on the pool). */
typedef void (*hs_handler)(struct hs_req *r, const char *id);

/* One request being handled (malloc'd by server.c, freed when it is
 * finished: logged and counted after its reply). */
typedef struct hs_req {
    struct evhttp_request *req;
    hq_engine *engine;
    const char *data_dir;
    hs_cache *cache;       /* the /api/search cache, or NULL */
    hs_pool *pool;         /* where hs_defer sends work, or NULL (run at once) */
    hs_loop *loop;         /* the loop that took the request */
    char *path;            /* percent-decoded path, without the query */
    const char *raw_path;  /* the path as sent (malloc'd with path) */
    hs_params params;
    hs_route_id route;
    int status;            /* what was sent (0 until then) */
    double t0;             /* arrival (monotonic seconds) */
    const char *method;    /* for the access log */
    char uri[201];         /* the target's start, for the access log */
    /* deferred to the pool (pool.c) */
    bool deferred;         /* the loop finishes it when the pool posts it back */
    bool on_pool;          /* running on a pool thread: hs_reply keeps the reply */
    hs_handler deferred_fn;
    char *deferred_id;
    struct hs_req *next;   /* in the pool's queue, then in the loop's inbox */
    int reply_status;      /* the reply made on the pool, sent by the loop */
    const char *reply_reason;
    struct evbuffer *reply_body;
    const struct hs_tokens *tokens; /* who may write; NULL: the write API is off */
} hs_req;

/* Sends body (may be NULL) with status and content type, and the
 * security headers every reply carries (CSP, nosniff, Referrer-Policy).
 * Takes nothing from body (it is drained).  On a pool thread the reply is
 * made and kept in r; its loop sends it (hs_loop_post). */
void hs_reply(hs_req *r, int status, const char *content_type, struct evbuffer *body);
/* value as compact JSON and a newline, in a new buffer (free it);
 * value is consumed (json_decref'd).  Empty when jansson cannot encode
 * value (a bug, never input). */
struct evbuffer *hs_json_buffer(json_t *value);
/* Sends value as JSON (consumed: json_decref'd). */
void hs_reply_json(hs_req *r, int status, json_t *value);
/* Sends {"error": {"code", "message"}} with status. */
void hs_reply_error(hs_req *r, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The error of a failed engine call: HQ_EINVAL 400, HQ_ENOTFOUND 404,
 * otherwise 500 (a fault of the server's data, never of the input). */
void hs_reply_hq_error(hs_req *r, hq_status rc, const hq_error *err);

/* ---- Interface to code in router.c: which handler answers --------------- */

/* Handles one request: limits (414, 413, 405), then the route table. */
void hs_route(hs_req *r);

/* Every handler (hs_handler) takes the request and, for routes of the
 * form /prefix/{id}, the percent-decoded id (NULL for the others).
 * Handlers of pooled routes run on the search pool: they may call the
 * engine and reply, and touch nothing of the loop's. */

/* What hs_route decided: a handler to run, or an error to answer. */
typedef struct hs_target {
    hs_handler handler; /* NULL: answer the error below */
    char *id;           /* the handler's decoded {id} (malloc'd), or NULL */
    int status;         /* the error's HTTP status */
    const char *code;   /* its JSON code ("bad_parameter", ...), static */
    const char *title;  /* its HTML page title when html, static */
    const char *why;    /* its message, static */
    bool html;          /* answer the error as an HTML page */
    bool pooled;        /* run the handler on the search pool (hs_defer) */
} hs_target;

/* The decision of hs_route from the method, the request target (uri, a
 * NUL-terminated string of any bytes) and the body's length alone; no
 * I/O, nothing sent.  Sets r->raw_path, r->path, r->params and r->route
 * (released by the caller as server.c does); the caller frees t->id. */
void hs_route_resolve(hs_req *r, enum evhttp_cmd_type method, const char *uri, size_t body_len,
                      hs_target *t);

/* ---- Interface to code in api.c: the JSON routes ------------------------- */

void hs_api_search(hs_req *r, const char *id);
void hs_api_ask(hs_req *r, const char *id);
void hs_api_suggest(hs_req *r, const char *id);
/* /api/articles/{id}/related: hq_related's JSON; limit 1..50 (default 10). */
void hs_api_related(hs_req *r, const char *id);
void hs_api_article(hs_req *r, const char *id);
void hs_api_healthz(hs_req *r, const char *id);
void hs_api_metrics(hs_req *r, const char *id);

/* ---- Interface to code in pool.c: the search pool -------------------------- */

/* Starts n threads that run deferred handlers in arrival order; NULL when
 * n <= 0 or no thread starts. */
hs_pool *hs_pool_new(int n);
/* Runs what is still queued, then stops and joins the threads (call it
 * after the loops stopped, before their evhttp is freed).  NULL is fine. */
void hs_pool_free(hs_pool *p);
/* Continues r on the pool: fn(r, id) runs on a pool thread (id is
 * copied), its reply goes back to r's loop, and the caller must return
 * at once and not touch r again.  Without a pool (r->pool NULL), or on a
 * pool thread already, runs fn(r, id) now. */
void hs_defer(hs_req *r, hs_handler fn, const char *id);

/* ---- Interface to code in cache.c: the /api/search result cache ---------- */

/* A cache of at most max_bytes (entries, keys, replies and its tables
 * counted); NULL (no cache) when max_bytes is under 32 KiB.  Any thread
 * may call the functions below at once; NULL c is an empty cache. */
hs_cache *hs_cache_new(size_t max_bytes);
void hs_cache_free(hs_cache *c);
/* On a hit, appends the reply kept under key[0..key_len) for generation
 * gen (hq_index_generation) to out and returns true.  A newer gen than
 * the cache has seen drops every entry first (the index changed). */
bool hs_cache_get(hs_cache *c, uint64_t gen, const char *key, size_t key_len,
                  struct evbuffer *out);
/* Keeps a copy of reply[0..len) under key for gen, evicting least
 * recently used entries to stay within the bound; a reply over an
 * eighth of a shard's share, a key over 1984 bytes, or a reply of a
 * generation older than the cache's, is not kept. */
void hs_cache_put(hs_cache *c, uint64_t gen, const char *key, size_t key_len,
                  const void *reply, size_t len);
struct hs_cache_stats {
    uint64_t hits, misses, inserts;
    uint64_t evictions;     /* entries pushed out to make room */
    uint64_t invalidations; /* entries dropped because the index changed */
    size_t entries, bytes, max_bytes;
};
/* Zeroes when c is NULL. */
void hs_cache_stats_get(hs_cache *c, hs_cache_stats *out);

/* ---- Interface to code in pages.c: the HTML pages ------------------------- */

void hs_page_home(hs_req *r, const char *id);
void hs_page_search(hs_req *r, const char *id);
void hs_page_article(hs_req *r, const char *id);
/* The HTML error page (404 "not found", 400 bad request...). */
void hs_page_error(hs_req *r, int status, const char *title, const char *message);

/* ---- Interface to code in static.c: the stylesheet ------------------------ */

/* Serves /static/style.css (compiled in) with Cache-Control and an ETag;
 * 304 when If-None-Match matches. */
void hs_static_style(hs_req *r, const char *id);

/* ---- Interface to code in write.c: the write API ---------------------- */

/* Answers r when it is a write (POST /api/articles, PUT or DELETE
 * /api/articles/{id}) and returns true; false for anything else (the
 * router goes on).  Called before the router's limits, which are a
 * reader's. */
bool hs_write_route(hs_req *r);

/* ---- Interface to code in merger.c: background merges ------------------ */

/* Starts the merge thread for e (once, before the loops); 0 or -1. */
int hs_merger_start(hq_engine *e);
/* Asks for a merge pass (after a write); never blocks on a merge. */
void hs_merger_poke(void);
/* Stops the thread, letting a merge in progress finish. */
void hs_merger_stop(void);

/* ---- Interface to code in auth.c: who may write ---------------------- */
/* Bearer tokens, kept hashed in a token file (format at the top of
 * auth.c).  A loaded set is read-only: any thread may check. */

typedef struct hs_tokens hs_tokens;
typedef enum hs_auth { HS_AUTH_OK, HS_AUTH_MISSING, HS_AUTH_WRONG, HS_AUTH_EXPIRED } hs_auth;

/* Makes a new random token, appends its hash (expiring after days days;
 * 0: never) and note to the token file at path (created 0600, synced),
 * and writes the token into token[0..size) (size >= 68).  Returns 0, or
 * -1 with the reason in why. */
int hs_token_new(const char *path, long long days, const char *note, char *token, size_t size,
                 char *why, size_t why_size);
/* Reads the token file at path; NULL with the reason (file and line) in
 * why.  Release with hs_tokens_free. */
hs_tokens *hs_tokens_load(const char *path, char *why, size_t why_size);
void hs_tokens_free(hs_tokens *t);
/* Checks an Authorization header value ("Bearer <token>", NULL when
 * absent) at time now (Unix seconds), in time independent of where the
 * token differs from the stored ones. */
hs_auth hs_tokens_check(const hs_tokens *t, const char *authorization, long long now);

#endif

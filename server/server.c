/*
 * server.c — the portal's process: one engine, one listening socket, one
 * libevent loop per worker thread, each with its own evhttp accepting on
 * that same socket (the kernel hands each connection to one loop), and
 * the search pool (pool.c) with the result cache (cache.c) shared by all.
 * A loop parses, routes and answers the cheap requests (health, static,
 * suggest, /api/search cache hits) itself; the CPU-bound handlers run on
 * the pool, and their replies come back to the loop's inbox, which
 * sends them.  So a search delays no other connection; the engine is
 * shared (hq_search, hq_show and hq_suggest are thread-safe).
 *
 * Limits come from evhttp itself (header and body sizes, per-connection
 * timeout) and from router.c (URL, body, query).  The main thread waits
 * for SIGINT or SIGTERM; then every loop stops accepting, lets the
 * requests it has taken finish (at most SHUTDOWN_SECONDS), and exits;
 * then the pool stops.  Each request writes one access-log line on
 * stdout: method, path (without the query, which may hold a private
 * question), status and microseconds from arrival to the reply being
 * queued (time in the pool's queue included).  Called by cli/cmd_serve.c.
 */
#include "server.h"

#include <errno.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 64
#define SHUTDOWN_SECONDS 5
#define LOG_PATH_MAX 200

typedef struct hs_loop {
    pthread_t thread;
    int index;
    const hs_options *opt;
    hq_engine *engine;
    hs_pool *pool;               /* shared by every loop, or NULL */
    hs_cache *cache;             /* likewise */
    const hs_tokens *tokens;     /* NULL: the write API is off */
    int fd;                      /* the shared listening socket */
    struct event_base *base;
    struct evhttp *http;
    struct evhttp_bound_socket *bound;
    struct event *stop, *drain;  /* shutdown: stop accepting, then wait for replies */
    long inflight;               /* requests taken and not yet written (this loop only) */
    double deadline;
    pthread_mutex_t inbox_lock;  /* guards inbox (the pool posts, the loop takes) */
    hs_req *inbox;               /* requests back from the pool, newest first */
    struct event *wake;          /* made active by hs_loop_post */
} worker;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *method_name(enum evhttp_cmd_type m)
{
    switch (m) {
    case EVHTTP_REQ_GET: return "GET";
    case EVHTTP_REQ_POST: return "POST";
    case EVHTTP_REQ_HEAD: return "HEAD";
    case EVHTTP_REQ_PUT: return "PUT";
    case EVHTTP_REQ_DELETE: return "DELETE";
    case EVHTTP_REQ_OPTIONS: return "OPTIONS";
    case EVHTTP_REQ_TRACE: return "TRACE";
    case EVHTTP_REQ_CONNECT: return "CONNECT";
    case EVHTTP_REQ_PATCH: return "PATCH";
    }
    return "?";
}

/* Writes the access-log line (one write, so lines of threads do not mix). */
static void access_log(const char *method, const char *uri, int status, uint64_t micros)
{
    char path[LOG_PATH_MAX + 1];
    size_t n = 0;
    for (const char *p = uri; *p && *p != '?' && n < LOG_PATH_MAX; p++)
        path[n++] = (unsigned char)*p <= 0x20 || *p == 0x7F ? '_' : *p;
    path[n] = '\0';
    char line[LOG_PATH_MAX + 64];
    int len = snprintf(line, sizeof line, "%s %s %d %llu\n", method, path, status,
                       (unsigned long long)micros);
    if (len > 0 && write(STDOUT_FILENO, line, (size_t)len) < 0) {
        /* a closed stdout loses the log, never the reply */
    }
}

static void on_complete(struct evhttp_request *req, void *arg)
{
    ((worker *)arg)->inflight--;
}

static void req_free(hs_req *r)
{
    hs_params_free(&r->params);
    free((char *)r->raw_path);
    free(r->deferred_id);
    if (r->reply_body)
        evbuffer_free(r->reply_body);
    free(r);
}

/* After r's reply was sent: counts it, logs it, frees it. */
static void finish(worker *w, hs_req *r)
{
    uint64_t micros = (uint64_t)((now_seconds() - r->t0) * 1e6);
    hs_metrics_record(r->route, r->status, micros);
    if (!w->opt->quiet)
        access_log(r->method, r->uri, r->status, micros);
    req_free(r);
}

static void on_request(struct evhttp_request *req, void *arg)
{
    worker *w = arg;
    hs_req *r = calloc(1, sizeof *r);
    if (r == NULL)
        abort();
    *r = (hs_req){.req = req, .engine = w->engine, .data_dir = w->opt->data_dir,
                  .cache = w->cache, .pool = w->pool, .loop = w, .route = HS_R_OTHER,
                  .t0 = now_seconds(), .method = method_name(evhttp_request_get_command(req)),
                  .tokens = w->tokens};
    snprintf(r->uri, sizeof r->uri, "%s", evhttp_request_get_uri(req));
    w->inflight++;
    evhttp_request_set_on_complete_cb(req, on_complete, w);
    hs_route(r); /* req may be freed once a reply is sent */
    if (r->deferred)
        return; /* the pool has it; on_inbox finishes it */
    if (r->status == 0) /* every path of hs_route replies; this guards a bug */
        hs_reply_error(r, 500, "internal", "no handler replied");
    finish(w, r);
}

void hs_loop_post(hs_loop *w, hs_req *r)
{
    pthread_mutex_lock(&w->inbox_lock);
    r->next = w->inbox;
    w->inbox = r;
    pthread_mutex_unlock(&w->inbox_lock);
    event_active(w->wake, EV_READ, 0);
}

/* On the loop: sends the replies the pool made, oldest first. */
static void on_inbox(evutil_socket_t fd, short what, void *arg)
{
    worker *w = arg;
    pthread_mutex_lock(&w->inbox_lock);
    hs_req *list = w->inbox, *ordered = NULL;
    w->inbox = NULL;
    pthread_mutex_unlock(&w->inbox_lock);
    while (list) { /* reverse: the inbox is newest first */
        hs_req *next = list->next;
        list->next = ordered;
        ordered = list;
        list = next;
    }
    while (ordered) {
        hs_req *r = ordered;
        ordered = r->next;
        /* a client gone while its request was in the pool: evhttp frees
         * the request at once, without the completion callback */
        if (evhttp_request_get_connection(r->req) == NULL)
            w->inflight--;
        evhttp_send_reply(r->req, r->reply_status, r->reply_reason, r->reply_body);
        finish(w, r);
    }
}

/* ---- shutdown ----------------------------------------------------------- */

static void on_drain(evutil_socket_t fd, short what, void *arg)
{
    worker *w = arg;
    if (w->inflight <= 0 || now_seconds() > w->deadline)
        event_base_loopbreak(w->base);
}

/* Runs on the worker's loop (made active by the main thread). */
static void on_stop(evutil_socket_t fd, short what, void *arg)
{
    worker *w = arg;
    if (w->bound != NULL)
        evhttp_del_accept_socket(w->http, w->bound); /* stop accepting */
    w->bound = NULL;
    w->deadline = now_seconds() + SHUTDOWN_SECONDS;
    struct timeval tick = {0, 10000};
    event_add(w->drain, &tick);
    on_drain(-1, 0, w);
}

/* ---- the loops ------------------------------------------------------------ */

static int worker_init(worker *w)
{
    pthread_mutex_init(&w->inbox_lock, NULL);
    w->base = event_base_new();
    w->http = w->base ? evhttp_new(w->base) : NULL;
    if (w->http == NULL)
        return -1;
    evhttp_set_max_headers_size(w->http, HS_MAX_HEADERS);
    evhttp_set_max_body_size(w->http, HS_EVHTTP_MAX_BODY);
    evhttp_set_timeout(w->http, HS_TIMEOUT_SECONDS);
    /* every method reaches the router, which answers 405 in JSON */
    evhttp_set_allowed_methods(w->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                            EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
                                            EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
    evhttp_set_gencb(w->http, on_request, w);
    /* not LEV_OPT_CLOSE_ON_FREE: the socket is shared by every loop */
    struct evconnlistener *l =
        evconnlistener_new(w->base, NULL, NULL, LEV_OPT_REUSEABLE, -1, w->fd);
    w->bound = l ? evhttp_bind_listener(w->http, l) : NULL;
    w->stop = event_new(w->base, -1, 0, on_stop, w);
    w->drain = event_new(w->base, -1, EV_PERSIST, on_drain, w);
    w->wake = event_new(w->base, -1, 0, on_inbox, w);
    return w->bound && w->stop && w->drain && w->wake ? 0 : -1;
}

/* Frees the loop (after its thread and the pool stopped): replies posted
 * after the loop stopped are dropped with their requests. */
static void worker_free(worker *w)
{
    while (w->inbox) {
        hs_req *r = w->inbox;
        w->inbox = r->next;
        evhttp_send_reply(r->req, r->reply_status, r->reply_reason, r->reply_body);
        req_free(r); /* not logged: the loop is gone */
    }
    if (w->wake)
        event_free(w->wake);
    pthread_mutex_destroy(&w->inbox_lock);
    if (w->http)
        evhttp_free(w->http);
    if (w->stop)
        event_free(w->stop);
    if (w->drain)
        event_free(w->drain);
    if (w->base)
        event_base_free(w->base);
}

static void *worker_run(void *arg)
{
    worker *w = arg;
    event_base_dispatch(w->base);
    return NULL;
}

/* Binds and listens on o->bind:o->port; returns the socket or -1. */
static int listen_on(const hs_options *o, int *port)
{
    char service[16];
    snprintf(service, sizeof service, "%d", o->port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV | AI_NUMERICHOST};
    struct addrinfo *ai = NULL;
    int rc = getaddrinfo(o->bind, service, &hints, &ai);
    if (rc != 0) {
        fprintf(stderr, "healthqa: serve: --bind %s: %s\n", o->bind, gai_strerror(rc));
        return -1;
    }
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    int one = 1;
    if (fd >= 0)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 1024) != 0 ||
        evutil_make_socket_nonblocking(fd) != 0) {
        fprintf(stderr, "healthqa: serve: cannot listen on %s port %d: %s\n", o->bind, o->port,
                strerror(errno));
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    struct sockaddr_storage sa;
    socklen_t len = sizeof sa;
    if (fd >= 0 && getsockname(fd, (struct sockaddr *)&sa, &len) == 0) {
        char host[64], serv[16];
        if (getnameinfo((struct sockaddr *)&sa, len, host, sizeof host, serv, sizeof serv,
                        NI_NUMERICHOST | NI_NUMERICSERV) == 0)
            *port = (int)strtol(serv, NULL, 10);
    }
    return fd;
}

/* Loads the index snapshot and the suggestion list before the first
 * request (and reports a broken data folder now rather than per request). */
static int warm_up(hq_engine *e)
{
    json_t *out = NULL;
    hq_error err = {0};
    hq_search_options so = {.limit = 1};
    hq_status rc = hq_search(e, "health", &so, &out, &err);
    json_decref(out);
    out = NULL;
    if (rc == HQ_OK)
        rc = hq_suggest(e, "a", 1, &out, &err);
    json_decref(out);
    if (rc != HQ_OK) {
        char buf[2048];
        fprintf(stderr, "healthqa: serve: %s\n", hq_error_format(&err, buf, sizeof buf));
        return -1;
    }
    return 0;
}

/* Starts the loops, waits for a signal, stops them (the loops first,
 * then the pool, which may still post to them, then their evhttp).
 * Returns 0 or 4. */
static int run_loops(const hs_options *o, hq_engine *e, const hs_tokens *tokens, int fd,
                     int port)
{
    int n = o->threads;
    hs_pool *pool = hs_pool_new(o->search_threads);
    hs_cache *cache = o->cache_mb > 0 ? hs_cache_new((size_t)o->cache_mb << 20) : NULL;
    if (o->search_threads > 0 && pool == NULL) {
        fprintf(stderr, "healthqa: serve: cannot start the search threads\n");
        hs_cache_free(cache);
        return 4;
    }
    worker *w = calloc((size_t)n, sizeof *w);
    if (w == NULL)
        abort();
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL); /* workers inherit the mask */
    int started = 0, rc = 0;
    for (; started < n; started++) {
        w[started] = (worker){.index = started, .opt = o, .engine = e, .tokens = tokens,
                              .fd = fd, .pool = pool, .cache = cache};
        if (worker_init(&w[started]) != 0 ||
            pthread_create(&w[started].thread, NULL, worker_run, &w[started]) != 0) {
            fprintf(stderr, "healthqa: serve: cannot start event loop %d\n", started);
            worker_free(&w[started]);
            rc = 4;
            break;
        }
    }
    if (rc == 0) {
        char cache_text[64] = "no result cache";
        if (cache)
            snprintf(cache_text, sizeof cache_text, "a %ld MiB result cache", o->cache_mb);
        fprintf(stderr,
                "healthqa: serving http://%s:%d/ with %d threads, %d search threads, %s "
                "(Ctrl-C stops)\n",
                o->bind, port, n, o->search_threads > 0 ? o->search_threads : 0, cache_text);
        int sig = 0;
        sigwait(&sigs, &sig);
        fprintf(stderr, "healthqa: %s: finishing requests in flight, then stopping\n",
                sig == SIGINT ? "SIGINT" : "SIGTERM");
    }
    for (int i = 0; i < started; i++)
        event_active(w[i].stop, EV_READ, 0);
    for (int i = 0; i < started; i++)
        pthread_join(w[i].thread, NULL);
    hs_pool_free(pool);
    for (int i = 0; i < started; i++)
        worker_free(&w[i]);
    hs_cache_free(cache);
    free(w);
    return rc;
}

int hs_serve(const hs_options *o)
{
    hs_options opt = *o;
    if (opt.threads <= 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        opt.threads = cores > 0 ? (int)cores : 1;
    }
    if (opt.threads > MAX_THREADS)
        opt.threads = MAX_THREADS;
    if (opt.search_threads == 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        opt.search_threads = cores > 0 ? (int)cores : 1;
    }
    if (opt.search_threads > MAX_THREADS)
        opt.search_threads = MAX_THREADS;
    if (opt.cache_mb == 0)
        opt.cache_mb = HS_CACHE_MB;
    signal(SIGPIPE, SIG_IGN);
    if (evthread_use_pthreads() != 0) {
        fprintf(stderr, "healthqa: serve: libevent has no pthread support\n");
        return 4;
    }
    hs_tokens *tokens = NULL;
    char why[1024];
    if (opt.tokens && (tokens = hs_tokens_load(opt.tokens, why, sizeof why)) == NULL) {
        fprintf(stderr, "healthqa: serve: %s\n", why);
        return 4;
    }
    hq_engine *e = NULL;
    hq_error err = {0};
    if (hq_open(opt.data_dir, &e, &err) != HQ_OK) {
        hs_tokens_free(tokens);
        char buf[2048];
        fprintf(stderr, "healthqa: serve: %s\n", hq_error_format(&err, buf, sizeof buf));
        return 4;
    }
    int rc = 4, port = opt.port;
    int fd = warm_up(e) == 0 ? listen_on(&opt, &port) : -1;
    if (fd >= 0 && tokens && hs_merger_start(e) != 0) {
        fprintf(stderr, "healthqa: serve: cannot start the merge thread\n");
        close(fd);
        fd = -1;
    }
    if (fd >= 0) {
        rc = run_loops(&opt, e, tokens, fd, port);
        close(fd);
    }
    hs_merger_stop();
    hq_close(e);
    hs_tokens_free(tokens);
    if (rc == 0)
        fprintf(stderr, "healthqa: stopped\n");
    return rc;
}

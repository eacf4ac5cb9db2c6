/*
 * pool.c — the search pool: threads that run the CPU-bound handlers
 * (searches, pages built from the engine, /metrics) off the event loops,
 * as Elasticsearch keeps searches on a search thread pool apart from its
 * network threads.
 *
 * Why: a loop serves every connection it accepted; a search run on it
 * (about a millisecond) holds up every other request of that loop, so
 * under search load a /healthz or a stylesheet waited behind dozens of
 * searches.  With the pool, a loop only parses, routes, answers cheap
 * requests and cache hits, and writes replies; a handler handed over
 * with hs_defer runs here, and its reply goes back to its loop
 * (hs_loop_post), which sends it.
 *
 * Invariants: jobs run in arrival order (one FIFO for every loop); the
 * queue holds at most one request per open connection (evhttp reads a
 * connection's next request only after the reply), so it needs no cap of
 * its own; while a request is in the pool, only the pool thread running
 * it touches it (its headers and parameters), and the loop touches it
 * again only after hs_loop_post.  hs_pool_free runs what is still queued
 * before the threads exit, so no request is left half done.
 */
#include "server.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct hs_pool {
    pthread_mutex_t lock;
    pthread_cond_t ready;
    hs_req *head, *tail; /* the queue, linked by next */
    bool stopping;
    int n_threads;
    pthread_t *threads;
};

/* Runs one job and hands its reply back to the loop that took it. */
static void run(hs_req *r)
{
    r->on_pool = true;
    r->deferred_fn(r, r->deferred_id);
    if (r->status == 0) /* every handler replies; this guards a bug */
        hs_reply_error(r, 500, "internal", "no handler replied");
    r->on_pool = false;
    free(r->deferred_id);
    r->deferred_id = NULL;
    hs_loop_post(r->loop, r);
}

static void *work(void *arg)
{
    hs_pool *p = arg;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (p->head == NULL && !p->stopping)
            pthread_cond_wait(&p->ready, &p->lock);
        hs_req *r = p->head;
        if (r == NULL)
            break; /* stopping, and nothing is left */
        p->head = r->next;
        if (p->head == NULL)
            p->tail = NULL;
        r->next = NULL;
        pthread_mutex_unlock(&p->lock);
        run(r);
        pthread_mutex_lock(&p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

hs_pool *hs_pool_new(int n_threads)
{
    if (n_threads <= 0)
        return NULL;
    hs_pool *p = calloc(1, sizeof *p);
    pthread_t *t = calloc((size_t)n_threads, sizeof *t);
    if (p == NULL || t == NULL)
        abort();
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->ready, NULL);
    p->threads = t;
    for (; p->n_threads < n_threads; p->n_threads++)
        if (pthread_create(&t[p->n_threads], NULL, work, p) != 0)
            break;
    if (p->n_threads == 0) {
        hs_pool_free(p);
        return NULL;
    }
    return p;
}

void hs_pool_free(hs_pool *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_broadcast(&p->ready);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->n_threads; i++)
        pthread_join(p->threads[i], NULL);
    pthread_cond_destroy(&p->ready);
    pthread_mutex_destroy(&p->lock);
    free(p->threads);
    free(p);
}

void hs_defer(hs_req *r, hs_handler fn, const char *id)
{
    hs_pool *p = r->pool;
    if (p == NULL || r->on_pool) {
        fn(r, id); /* no pool (tests, --search-threads 0), or already on it */
        return;
    }
    size_t n = id ? strlen(id) + 1 : 0;
    r->deferred_id = n ? malloc(n) : NULL;
    if (n && r->deferred_id == NULL)
        abort();
    if (n)
        memcpy(r->deferred_id, id, n);
    r->deferred_fn = fn;
    r->deferred = true;
    pthread_mutex_lock(&p->lock);
    if (p->tail)
        p->tail->next = r;
    else
        p->head = r;
    p->tail = r;
    pthread_cond_signal(&p->ready);
    pthread_mutex_unlock(&p->lock);
}

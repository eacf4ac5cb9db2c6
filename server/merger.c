/*
 * merger.c — the portal's background merges.  Writes (write.c) poke the
 * merger; its one thread runs hq_index_merge() (which re-indexes without
 * holding up updates, and never holds up searches) until no merge is
 * due, then sleeps until the next poke.  So a write answers as soon as
 * it is stored and searchable, and the segment count stays logarithmic.
 */
#include "server.h"

#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static pthread_t thread;
static bool running, poked, stopping;
static hq_engine *engine;

static void *merge_loop(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&lock);
    while (!stopping) {
        while (!poked && !stopping)
            pthread_cond_wait(&wake, &lock);
        if (stopping)
            break;
        poked = false;
        pthread_mutex_unlock(&lock);
        hq_error err = {0};
        if (hq_index_merge(engine, NULL, &err) != HQ_OK) {
            char buf[2048];
            fprintf(stderr, "healthqa: serve: background merge: %s\n",
                    hq_error_format(&err, buf, sizeof buf));
        }
        pthread_mutex_lock(&lock);
    }
    pthread_mutex_unlock(&lock);
    return NULL;
}

int hs_merger_start(hq_engine *e)
{
    engine = e;
    stopping = poked = false;
    running = pthread_create(&thread, NULL, merge_loop, NULL) == 0;
    return running ? 0 : -1;
}

void hs_merger_poke(void)
{
    pthread_mutex_lock(&lock);
    poked = true;
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&lock);
}

void hs_merger_stop(void)
{
    if (!running)
        return;
    pthread_mutex_lock(&lock);
    stopping = true;
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&lock);
    pthread_join(thread, NULL); /* a merge in progress finishes first */
    running = false;
}

/*
 * engine.c — opening and closing a data folder, and the read-only
 * entry points of healthqa.h (stats, show).
 */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

hq_status hq_open(const char *dir, hq_engine **out, hq_error *err)
{
    *out = NULL;
    if (dir == NULL || *dir == '\0')
        return hq_fail(err, HQ_EINVAL, NULL, 0, -1, "no data folder given");
    /* jansson follows the project's abort-on-exhaustion policy; libxml2 is
     * set up by the first parse that needs it (hq_ingest_init) */
    json_set_alloc_funcs(hq_xmalloc, free);
    hq_status rc = hq_mkdir(dir, err);
    if (rc != HQ_OK)
        return rc;
    hq_engine *e = hq_xcalloc(1, sizeof *e);
    e->dir = hq_xstrdup(dir);
    size_t n_index = strlen(dir) + sizeof "/index";
    e->index_dir = hq_xmalloc(n_index);
    snprintf(e->index_dir, n_index, "%s/index", dir);
    pthread_mutex_init(&e->lock, NULL);
    pthread_mutex_init(&e->vocab_lock, NULL);
    pthread_mutex_init(&e->suggest_lock, NULL);
    pthread_mutex_init(&e->order_lock, NULL);
    rc = hq_trust_load(&e->trust, hq_trust_default_path(), err);
    if (rc == HQ_OK)
        rc = hq_bm25f_load(hq_bm25f_default_path(), &e->params, err);
    if (rc == HQ_OK)
        rc = hq_rerank_load(hq_rerank_default_path(), &e->rerank, err);
    if (rc == HQ_OK)
        rc = hq_related_load(hq_related_default_path(), &e->related, err);
    if (rc == HQ_OK) {
        size_t n = strlen(dir) + sizeof "/store.db";
        char *path = hq_xmalloc(n);
        snprintf(path, n, "%s/store.db", dir);
        rc = hq_store_open(path, &e->store, err);
        free(path);
    }
    if (rc != HQ_OK) {
        hq_close(e);
        return rc;
    }
    *out = e;
    return HQ_OK;
}

void hq_close(hq_engine *e)
{
    if (e == NULL)
        return;
    hq_store_close(e->store);
    hq_trust_free(&e->trust);
    hq_snapshot_unref(e->snapshot);
    hq_snapshot_unref(e->previous);
    for (size_t i = 0; i < e->n_analyzers; i++)
        hq_analyzer_free(e->analyzers[i]);
    free(e->analyzers);
    pthread_mutex_destroy(&e->lock);
    pthread_mutex_destroy(&e->vocab_lock);
    hq_vocab_free(e->vocab);
    hq_cues_free(e->cues);
    hq_suggest_index_free(e->suggest);
    pthread_mutex_destroy(&e->suggest_lock);
    hq_order_free(e->order);
    pthread_mutex_destroy(&e->order_lock);
    free(e->index_dir);
    free(e->dir);
    free(e);
}

/* The generation of the published manifest (0 when unreadable). */
static uint64_t manifest_generation(const char *dir)
{
    hq_manifest m;
    bool exists = false;
    hq_error ignored;
    hq_error_clear(&ignored);
    uint64_t g = hq_manifest_read(dir, &m, &exists, &ignored) == HQ_OK ? m.generation : 0;
    if (exists)
        hq_manifest_free(&m);
    return g;
}

/* hq_snapshot_open, tried again when the index moved on while it read
 * (a newer manifest's clean-up removed a file the one it read named),
 * as Lucene's FindSegmentsFile retries. */
static hq_status open_snapshot(const char *dir, const hq_snapshot *reuse, hq_snapshot **out,
                               hq_error *err)
{
    for (int attempt = 0;; attempt++) {
        uint64_t before = manifest_generation(dir);
        hq_error e1;
        hq_error_clear(&e1);
        hq_status rc = hq_snapshot_open(dir, reuse, out, &e1);
        if (rc == HQ_OK)
            return rc;
        if (attempt == 20 || manifest_generation(dir) == before) {
            if (err && err->code == HQ_OK)
                *err = e1;
            return rc;
        }
    }
}

/* Opens the snapshot on disk (sharing reuse's segments); refreshes the
 * index first when its manifest is behind the store's change log, and
 * then opens it again, sharing the segments of the first opening. */
static hq_status load_snapshot(hq_engine *e, const hq_snapshot *reuse, hq_snapshot **out,
                               hq_error *err)
{
    uint64_t last = 0;
    hq_status rc = hq_store_last_seq(e->store, &last, err);
    if (rc != HQ_OK)
        return rc;
    rc = open_snapshot(e->index_dir, reuse, out, err);
    if (rc != HQ_OK)
        return rc;
    if ((*out)->store_seq == last)
        return HQ_OK;
    hq_snapshot *behind = *out;
    *out = NULL;
    rc = hq_index_update(e, false, NULL, err);
    if (rc == HQ_OK)
        rc = open_snapshot(e->index_dir, behind, out, err);
    hq_snapshot_unref(behind);
    return rc;
}

void hq_engine_hint_rebuild(hq_error *err)
{
    static const char hint[] = " (the search index is damaged: `healthqa index --rebuild` "
                               "rebuilds it from the store)";
    if (err == NULL || err->code != HQ_ECORRUPT || strstr(err->message, hint) != NULL)
        return;
    size_t n = strlen(err->message);
    if (n + sizeof hint <= sizeof err->message)
        memcpy(err->message + n, hint, sizeof hint);
}

hq_status hq_engine_snapshot(hq_engine *e, hq_snapshot **out, hq_error *err)
{
    pthread_mutex_lock(&e->lock);
    hq_status rc = HQ_OK;
    hq_snapshot *release = NULL; /* unreferenced once the lock is released */
    if (e->snapshot == NULL) {
        uint64_t generation = e->generation;
        hq_snapshot *reuse = e->previous;
        if (reuse != NULL)
            hq_snapshot_ref(reuse);
        pthread_mutex_unlock(&e->lock);
        hq_snapshot *s = NULL;
        rc = load_snapshot(e, reuse, &s, err); /* may take the lock to drop the snapshot */
        hq_snapshot_unref(reuse);
        pthread_mutex_lock(&e->lock);
        if (rc == HQ_OK && e->snapshot == NULL && e->generation != generation) {
            /* the index changed while s was loading: s is a consistent
             * view for this caller, but not necessarily the newest */
            *out = s;
            pthread_mutex_unlock(&e->lock);
            return HQ_OK;
        }
        release = s;
        if (rc == HQ_OK && e->snapshot == NULL) {
            e->snapshot = s;
            release = e->previous; /* its segments are shared now, or gone */
            e->previous = NULL;
        }
    }
    if (rc == HQ_OK) {
        hq_snapshot_ref(e->snapshot);
        *out = e->snapshot;
    }
    pthread_mutex_unlock(&e->lock);
    hq_snapshot_unref(release);
    hq_engine_hint_rebuild(err);
    return rc;
}

void hq_engine_drop_snapshot(hq_engine *e)
{
    pthread_mutex_lock(&e->lock);
    hq_snapshot *old = e->snapshot, *stale = NULL;
    e->snapshot = NULL;
    e->generation++;
    if (old != NULL) { /* kept for the next snapshot to share its segments */
        stale = e->previous;
        e->previous = old;
    }
    pthread_mutex_unlock(&e->lock);
    hq_snapshot_unref(stale);
}

void hq_engine_follow_manifest(hq_engine *e, uint64_t manifest_generation, uint64_t store_seq)
{
    pthread_mutex_lock(&e->lock);
    bool current = e->snapshot && e->snapshot->generation == manifest_generation &&
                   e->snapshot->store_seq == store_seq;
    pthread_mutex_unlock(&e->lock);
    if (!current)
        hq_engine_drop_snapshot(e);
}

uint64_t hq_index_generation(hq_engine *e)
{
    pthread_mutex_lock(&e->lock);
    uint64_t generation = e->generation;
    pthread_mutex_unlock(&e->lock);
    return generation;
}

hq_analyzer *hq_engine_take_analyzer(hq_engine *e)
{
    pthread_mutex_lock(&e->lock);
    hq_analyzer *a = e->n_analyzers ? e->analyzers[--e->n_analyzers] : NULL;
    pthread_mutex_unlock(&e->lock);
    return a ? a : hq_analyzer_new();
}

void hq_engine_release_analyzer(hq_engine *e, hq_analyzer *a)
{
    pthread_mutex_lock(&e->lock);
    hq_grow((void **)&e->analyzers, &e->cap_analyzers, e->n_analyzers + 1, sizeof *e->analyzers);
    e->analyzers[e->n_analyzers++] = a;
    pthread_mutex_unlock(&e->lock);
}

hq_status hq_stats(hq_engine *e, json_t **out, hq_error *err)
{
    return hq_store_stats(e->store, out, err);
}

/* hq_store_show of id, or of the absolute path it names. */
static hq_status show_stored(hq_engine *e, const char *id, json_t **out, hq_error *err)
{
    hq_status rc = hq_store_show(e->store, id, out, err);
    if (rc != HQ_ENOTFOUND)
        return rc;
    /* an ingested file is stored under its absolute path */
    char *abs = realpath(id, NULL);
    if (abs == NULL)
        return rc;
    hq_error_clear(err);
    rc = hq_store_show(e->store, abs, out, err);
    free(abs);
    if (rc == HQ_ENOTFOUND && err)
        snprintf(err->where, sizeof err->where, "%s", id);
    return rc;
}

hq_status hq_show(hq_engine *e, const char *id, json_t **out, hq_error *err)
{
    hq_status rc = show_stored(e, id, out, err);
    const char *kind = rc == HQ_OK ? json_string_value(json_object_get(*out, "kind")) : NULL;
    if (kind && strcmp(kind, "article") == 0)
        rc = hq_neighbours_fill(e, *out, err);
    if (rc != HQ_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

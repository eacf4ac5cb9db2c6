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
    /* once, before any thread: libxml2's first init is not thread-safe, and
     * jansson follows the project's abort-on-exhaustion policy */
    hq_ingest_init();
    json_set_alloc_funcs(hq_xmalloc, free);
    hq_status rc = hq_mkdir(dir, err);
    if (rc != HQ_OK)
        return rc;
    hq_engine *e = hq_xcalloc(1, sizeof *e);
    e->dir = hq_xstrdup(dir);
    rc = hq_trust_load(&e->trust, hq_trust_default_path(), err);
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
    free(e->dir);
    free(e);
}

hq_status hq_stats(hq_engine *e, json_t **out, hq_error *err)
{
    return hq_store_stats(e->store, out, err);
}

hq_status hq_show(hq_engine *e, const char *id, json_t **out, hq_error *err)
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

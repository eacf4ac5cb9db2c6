/*
 * sources.c — the trust table (data/sources.tsv): how far each source is
 * trusted.  Loaded once when the engine opens.
 */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

#ifndef HQ_DATA_DIR
#define HQ_DATA_DIR "data"
#endif

static const char *const LEVELS[] = {"high", "medium", "low", "unknown"};

const char *hq_trust_level(const char *level)
{
    for (size_t i = 0; level && i < sizeof LEVELS / sizeof *LEVELS; i++)
        if (strcmp(level, LEVELS[i]) == 0)
            return LEVELS[i];
    return NULL;
}

const char *hq_trust_default_path(void)
{
    const char *env = getenv("HEALTHQA_SOURCES");
    return env && *env ? env : HQ_DATA_DIR "/sources.tsv";
}

/* Parses one non-comment line "name<TAB>level[<TAB>note]". */
static hq_status parse_line(hq_trust_table *t, char *line, const char *path, long lineno,
                            hq_error *err)
{
    char *tab = strchr(line, '\t');
    if (tab == NULL)
        return hq_fail(err, HQ_EFORMAT, path, lineno, -1,
                       "expected \"source<TAB>trust level<TAB>note\"");
    *tab = '\0';
    char *level = tab + 1;
    char *end = strchr(level, '\t');
    if (end)
        *end = '\0';
    const char *lv = hq_trust_level(level);
    if (lv == NULL)
        return hq_fail(err, HQ_EFORMAT, path, lineno, -1,
                       "trust level \"%s\" is not one of high, medium, low, unknown", level);
    if (strcmp(line, "*") == 0) {
        t->fallback = lv;
        return HQ_OK;
    }
    hq_grow((void **)&t->items, &t->cap, t->n + 1, sizeof *t->items);
    t->items[t->n++] = (hq_trust_entry){hq_xstrdup(line), lv};
    return HQ_OK;
}

typedef struct trust_ctx {
    hq_trust_table *t;
    const char *path;
    hq_error *err;
} trust_ctx;

static hq_status trust_line(void *ctx, char *line, long lineno)
{
    trust_ctx *c = ctx;
    if (line[0] == '\0' || line[0] == '#')
        return HQ_OK;
    return parse_line(c->t, line, c->path, lineno, c->err);
}

hq_status hq_trust_load(hq_trust_table *t, const char *path, hq_error *err)
{
    memset(t, 0, sizeof *t);
    t->fallback = "unknown";
    trust_ctx c = {t, path, err};
    hq_status rc = hq_read_lines(path, 1u << 20, trust_line, &c, err);
    if (rc != HQ_OK && err && err->line == 0) /* the file itself: say what it is for */
        snprintf(err->message + strlen(err->message), sizeof err->message - strlen(err->message),
                 " (the trust table; set HEALTHQA_SOURCES to its path)");
    if (rc != HQ_OK)
        hq_trust_free(t);
    return rc;
}

void hq_trust_free(hq_trust_table *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->items[i].name);
    free(t->items);
    memset(t, 0, sizeof *t);
}

const char *hq_trust_of(const hq_trust_table *t, const char *name)
{
    for (size_t i = 0; name && i < t->n; i++)
        if (strcmp(t->items[i].name, name) == 0)
            return t->items[i].trust;
    return t->fallback ? t->fallback : "unknown";
}

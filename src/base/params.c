/*
 * params.c — "key = value" parameter files (data/ranking.conf,
 * data/rerank.conf): '#' starts a comment, blank lines are skipped,
 * every key must be one the caller names, every value a finite number in
 * the caller's range.  Keys not in the file keep the caller's defaults.
 */
#include "base.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct params_ctx {
    const hq_param *params;
    size_t n;
    const char *path;
    hq_error *err;
} params_ctx;

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

static hq_status unknown_key(const params_ctx *c, long lineno, const char *key)
{
    hq_buf names;
    hq_buf_init(&names, 4096);
    for (size_t i = 0; i < c->n; i++)
        hq_buf_printf(&names, "%s%s", i ? ", " : "", c->params[i].name);
    hq_status rc = hq_fail(c->err, HQ_EFORMAT, c->path, lineno, -1,
                           "unknown parameter \"%s\" (known: %s)", key, hq_buf_str(&names));
    hq_buf_free(&names);
    return rc;
}

static hq_status param_line(void *ctx, char *line, long lineno)
{
    params_ctx *c = ctx;
    char *hash = strchr(line, '#');
    if (hash)
        *hash = '\0';
    if (*trim(line) == '\0')
        return HQ_OK;
    char *eq = strchr(line, '=');
    if (eq == NULL)
        return hq_fail(c->err, HQ_EFORMAT, c->path, lineno, -1, "expected \"key = value\"");
    *eq = '\0';
    char *key = trim(line), *val = trim(eq + 1), *end;
    const hq_param *p = NULL;
    for (size_t i = 0; i < c->n && p == NULL; i++)
        if (strcmp(c->params[i].name, key) == 0)
            p = &c->params[i];
    if (p == NULL)
        return unknown_key(c, lineno, key);
    errno = 0;
    double v = strtod(val, &end);
    if (errno || end == val || *end != '\0' || !isfinite(v) || v < p->min || v > p->max ||
        (p->min_exclusive && v == p->min))
        return hq_fail(c->err, HQ_EFORMAT, c->path, lineno, -1,
                       "bad value \"%s\" for %s (a number in %s%g, %g])", val, key,
                       p->min_exclusive ? "(" : "[", p->min, p->max);
    *p->slot = v;
    return HQ_OK;
}

hq_status hq_params_load(const char *path, const hq_param *params, size_t n, hq_error *err)
{
    params_ctx c = {params, n, path, err};
    return hq_read_lines(path, 1u << 16, param_line, &c, err);
}

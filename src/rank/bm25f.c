/*
 * bm25f.c — the BM25F formula, its parameters file, and the upper bounds
 * that dynamic pruning relies on.
 */
#include "rank.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifndef HQ_DATA_DIR
#define HQ_DATA_DIR "data"
#endif

static const char *const FIELD_NAMES[HQ_NFIELDS] = {"title", "focus", "body"};

void hq_bm25f_defaults(hq_bm25f *p)
{
    p->k1 = 1.2;
    p->w[HQ_FIELD_TITLE] = 2.0;
    p->b[HQ_FIELD_TITLE] = 0.5;
    p->w[HQ_FIELD_FOCUS] = 2.0;
    p->b[HQ_FIELD_FOCUS] = 0.5;
    p->w[HQ_FIELD_BODY] = 1.0;
    p->b[HQ_FIELD_BODY] = 0.75;
}

const char *hq_bm25f_default_path(void)
{
    const char *env = getenv("HEALTHQA_RANKING");
    return env && *env ? env : HQ_DATA_DIR "/ranking.conf";
}

/* The parameter named key, or NULL. */
static double *param(hq_bm25f *p, const char *key)
{
    if (strcmp(key, "k1") == 0)
        return &p->k1;
    for (int f = 0; f < HQ_NFIELDS; f++) {
        size_t n = strlen(FIELD_NAMES[f]);
        if (strncmp(key, FIELD_NAMES[f], n) != 0 || key[n] != '.')
            continue;
        if (strcmp(key + n + 1, "weight") == 0)
            return &p->w[f];
        if (strcmp(key + n + 1, "b") == 0)
            return &p->b[f];
    }
    return NULL;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

static hq_status parse_line(hq_bm25f *p, char *line, const char *path, long lineno,
                            hq_error *err)
{
    char *eq = strchr(line, '=');
    if (eq == NULL)
        return hq_fail(err, HQ_EFORMAT, path, lineno, -1, "expected \"key = value\"");
    *eq = '\0';
    char *key = trim(line), *val = trim(eq + 1), *end;
    double *slot = param(p, key);
    if (slot == NULL)
        return hq_fail(err, HQ_EFORMAT, path, lineno, -1,
                       "unknown parameter \"%s\" (k1, title.weight, title.b, focus.weight, "
                       "focus.b, body.weight, body.b)",
                       key);
    errno = 0;
    double v = strtod(val, &end);
    bool is_b = strstr(key, ".b") != NULL;
    if (errno || end == val || *end != '\0' || !isfinite(v) || v < 0 || (is_b && v > 1) ||
        (strcmp(key, "k1") == 0 && v <= 0))
        return hq_fail(err, HQ_EFORMAT, path, lineno, -1,
                       "bad value \"%s\" for %s (weights >= 0, b in [0, 1], k1 > 0)", val, key);
    *slot = v;
    return HQ_OK;
}

typedef struct params_ctx {
    hq_bm25f *p;
    const char *path;
    hq_error *err;
} params_ctx;

static hq_status params_line(void *ctx, char *line, long lineno)
{
    params_ctx *c = ctx;
    char *hash = strchr(line, '#');
    if (hash)
        *hash = '\0';
    if (*trim(line) == '\0')
        return HQ_OK;
    return parse_line(c->p, line, c->path, lineno, c->err);
}

hq_status hq_bm25f_load(const char *path, hq_bm25f *p, hq_error *err)
{
    hq_bm25f_defaults(p);
    params_ctx c = {p, path, err};
    return hq_read_lines(path, 1u << 16, params_line, &c, err);
}

double hq_bm25f_idf(uint64_t n_docs, uint64_t df)
{
    if (df > n_docs)
        df = n_docs;
    return log(1.0 + ((double)(n_docs - df) + 0.5) / ((double)df + 0.5));
}

static double norm(const hq_bm25f *p, const double *avg_len, int f, double len)
{
    if (avg_len[f] <= 0)
        return 1.0;
    return 1.0 - p->b[f] + p->b[f] * len / avg_len[f];
}

double hq_bm25f_tfn(const hq_bm25f *p, const double *avg_len, const uint32_t *tf,
                    const uint32_t *len)
{
    return hq_tfn(p->w, p->b, avg_len, tf, len);
}

double hq_bm25f_tfn_bound(const hq_bm25f *p, const double *avg_len, const hq_skip *sk)
{
    /* A document of the block has, in field f, tf <= T, len >= L and
     * len >= tf * R.  For a given tf its tf / norm(len) is largest at the
     * smallest allowed len, max(L, tf * R), and that grows with tf: the
     * bound is T / norm(max(L, T * R)), whatever the parameters. */
    double tfn = 0;
    for (int f = 0; f < HQ_NFIELDS; f++) {
        if (sk->max_tf[f] == 0)
            continue;
        if (sk->max_tf[f] == 0xFFFF)
            return 1e300; /* saturated: no useful bound */
        double t = sk->max_tf[f];
        double len = (double)sk->min_len[f];
        double by_ratio = sk->min_ratio[f] == 0xFFFF ? 0.0 : t * sk->min_ratio[f] / 16.0;
        if (by_ratio > len)
            len = by_ratio;
        tfn += p->w[f] * t / norm(p, avg_len, f, len);
    }
    return tfn;
}

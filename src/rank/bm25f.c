/*
 * bm25f.c — the BM25F formula, its parameters file, and the upper bounds
 * that dynamic pruning relies on.
 */
#include "rank.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifndef HQ_DATA_DIR
#define HQ_DATA_DIR "data"
#endif

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

hq_status hq_bm25f_load(const char *path, hq_bm25f *p, hq_error *err)
{
    hq_bm25f_defaults(p);
    const hq_param params[] = {
        {"k1", &p->k1, 0, 1e6, true},
        {"title.weight", &p->w[HQ_FIELD_TITLE], 0, 1e6, false},
        {"title.b", &p->b[HQ_FIELD_TITLE], 0, 1, false},
        {"focus.weight", &p->w[HQ_FIELD_FOCUS], 0, 1e6, false},
        {"focus.b", &p->b[HQ_FIELD_FOCUS], 0, 1, false},
        {"body.weight", &p->w[HQ_FIELD_BODY], 0, 1e6, false},
        {"body.b", &p->b[HQ_FIELD_BODY], 0, 1, false},
    };
    return hq_params_load(path, params, sizeof params / sizeof *params, err);
}

double hq_bm25f_idf(uint64_t n_docs, uint64_t df)
{
    if (df > n_docs)
        df = n_docs;
    return log(1.0 + ((double)(n_docs - df) + 0.5) / ((double)df + 0.5));
}

double hq_bm25f_tfn(const hq_bm25f *p, const double *avg_len, const uint32_t *tf,
                    const uint8_t *len_code)
{
    double factor[HQ_NFIELDS];
    for (int f = 0; f < HQ_NFIELDS; f++)
        factor[f] = hq_field_factor(p->w[f], p->b[f], avg_len[f], len_code[f]);
    return hq_tfn(tf, factor);
}

double hq_bm25f_tfn_bound(const hq_bm25f *p, const double *avg_len, const hq_skip *sk)
{
    /* A document of the block has, in field f, tf <= T, len >= L and
     * len >= tf * R.  For a given tf its tf / norm(len) is largest at the
     * smallest allowed len, max(L, tf * R), and that grows with tf: the
     * bound is T / norm(max(L, T * R)), whatever the parameters.  Scores
     * use coded lengths; coding is monotone, so the smallest allowed
     * integer length, coded, bounds them. */
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
        tfn += t * hq_field_factor(p->w[f], p->b[f], avg_len[f], hq_length_code((uint32_t)len));
    }
    return tfn;
}

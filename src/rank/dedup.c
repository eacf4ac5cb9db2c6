/*
 * dedup.c — near-duplicate detection: fingerprints of section texts,
 * clustering of a whole corpus, and grouping of a query's hits.  Callers:
 * the engine's `dups` (src/engine/dups.c) and hit collapsing for the
 * answer layer and the re-ranker.
 *
 * Why MinHash and not SimHash.  A 64-bit SimHash compared by Hamming
 * distance (Manku, Jain & Das Sarma 2007: k <= 3 for web pages) estimates
 * the cosine of the shingle vectors: an expected distance of 3 bits is a
 * cosine of about 0.99.  Our sections are short (MedQuAD answers: a few
 * dozen to a few hundred words): three changed words in a 100-word answer
 * already put the expected distance near 6, with a binomial spread of
 * +-2.4 bits, so no one k separates "a few words changed" from "shares a
 * boilerplate paragraph".  MinHash (Broder 1997) estimates the Jaccard
 * similarity J of the shingle sets directly, with a known error
 * (sd = sqrt(J(1-J)/128) = 0.04 at J = 0.7), which makes the threshold a
 * statement about text ("70% of the 3-word phrases are shared") and
 * testable on both sides.  It costs 260 bytes per section instead of 8,
 * which is fine for 48k sections (12 MB) and 50 hits per query.
 *
 * Fingerprint.  The text is analysed as the index does it (folded,
 * stemmed, stop words dropped), one term per position (for a compound the
 * last alternative: "covid-19" shingles as "covid 19" does), and every
 * run of HQ_FP_SHINGLE = 3 terms is a shingle, hashed from the terms'
 * persisted FNV hashes (hq_hash64) and a fixed mixer, so stored
 * fingerprints stay valid across runs.  HQ_FP_HASHES = 128 hash functions
 * h_k(x) = (a_k x + b_k) >> 32 (multiply-add-shift, a_k odd, a_k and b_k
 * from a fixed splitmix64 sequence) give 128 minima; each slot keeps the
 * low 16 bits of its minimum (b-bit MinHash, Li & Koenig 2010): two
 * different minima agree by chance with probability 2^-16, so the
 * estimate stays matches/128.
 *
 * Thresholds.  Duplicates: >= HQ_FP_MIN_MATCHES = 90 of 128 equal slots,
 * J >= 0.70.  One changed word changes up to 3 shingles: a 100-word
 * answer with 3 words changed keeps J ~ 0.83 (a duplicate), with 8
 * changed J ~ 0.6 (not).  Two texts that share a boilerplate making a
 * share f of each and differ otherwise have J = f/(2-f): J >= 0.7 needs
 * f >= 0.82, so templated answers with their own content (GARD's symptom
 * tables, GHR's gene lists) stay apart.  Reordered paragraphs change
 * only the shingles across each boundary.  Texts with fewer than
 * HQ_FP_MIN_SHINGLES = 10 shingles (under 12 content words: "See the
 * links below.") are never duplicates by fingerprint: equal short texts
 * say too little to be "the same article" (the text-dedup tools make the
 * same call with their min_length).
 *
 * Clustering.  Banded LSH: 32 bands of 4 slots; two texts share a bucket
 * in some band with probability 1 - (1 - J^4)^32: 0.9998 at J = 0.7,
 * 0.87 at 0.5, 0.23 at 0.3, 0.003 at 0.1.  Each band's (key, index) pairs
 * are sorted; within a bucket members are compared with at most
 * LEADERS_MAX "leaders" (earlier members that matched no leader) outside
 * its own cluster, and linked to each that matches; a member already in
 * every leader's cluster costs no comparison at all, so a
 * bucket of 500 copies of one template costs 500 steps, not 125,000
 * comparisons.  Linking is single linkage by union-find (roots are the
 * smallest index).  What this may miss: a pair whose every shared bucket
 * had neither of them as a leader (both matched earlier members, or the
 * bucket already had LEADERS_MAX leaders); the exhaustive mode compares
 * all pairs, and the tests and docs/CLI.md give the measured difference.
 */
#include "rank.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define FP_SEED 0x6871667030303031ULL /* fixed: the hash functions of version 1 */
#define LEADERS_MAX 32
#define CHUNK 16 /* slots compared between early-exit checks */

_Static_assert(HQ_FP_BANDS * HQ_FP_ROWS == HQ_FP_HASHES, "bands must cover the signature");
_Static_assert(HQ_FP_ROWS * 16 == 64, "a band's key is 64 bits");
_Static_assert(HQ_FP_HASHES % CHUNK == 0, "whole chunks");

/* ---- hashing ------------------------------------------------------------ */

/* splitmix64's finalizer: a bijection that spreads every input bit. */
static inline uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ULL;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

static uint64_t param_a[HQ_FP_HASHES], param_b[HQ_FP_HASHES];
static pthread_once_t params_once = PTHREAD_ONCE_INIT;

static void params_init(void)
{
    uint64_t s = FP_SEED;
    for (size_t k = 0; k < HQ_FP_HASHES; k++) {
        s += 0x9E3779B97F4A7C15ULL;
        param_a[k] = mix64(s) | 1;
        s += 0x9E3779B97F4A7C15ULL;
        param_b[k] = mix64(s);
    }
}

/* Lowers mins[k] to h_k(x) where that is smaller. */
static inline void minhash_add(uint32_t *mins, uint64_t x)
{
    for (size_t k = 0; k < HQ_FP_HASHES; k++) {
        uint32_t v = (uint32_t)((param_a[k] * x + param_b[k]) >> 32);
        mins[k] = v < mins[k] ? v : mins[k];
    }
}

/* ---- fingerprints --------------------------------------------------------- */

void hq_fingerprint_text(hq_analyzer *a, const char *text, size_t len, hq_tokens *tokens,
                         hq_fingerprint *out)
{
    pthread_once(&params_once, params_init);
    memset(out, 0, sizeof *out);
    hq_analyze(a, text, len, 0, tokens);
    uint32_t mins[HQ_FP_HASHES];
    memset(mins, 0xFF, sizeof mins);
    uint64_t prev[HQ_FP_SHINGLE - 1] = {0};
    size_t seen = 0;
    uint32_t n = 0;
    for (size_t i = 0; i < tokens->n; i++) {
        const hq_token *t = &tokens->items[i];
        if (i + 1 < tokens->n && tokens->items[i + 1].pos == t->pos)
            continue; /* an alternative at this position: keep the last */
        uint64_t h = hq_hash64(t->term, t->len, HQ_HASH_SEED);
        if (seen >= HQ_FP_SHINGLE - 1) {
            uint64_t x = FP_SEED;
            for (size_t j = 0; j < HQ_FP_SHINGLE - 1; j++)
                x = mix64(x ^ prev[j]);
            minhash_add(mins, mix64(x ^ h));
            n++;
        }
        memmove(prev, prev + 1, sizeof prev - sizeof *prev);
        prev[HQ_FP_SHINGLE - 2] = h;
        seen++;
    }
    out->n_shingles = n;
    if (n < HQ_FP_MIN_SHINGLES)
        return;
    for (size_t k = 0; k < HQ_FP_HASHES; k++)
        out->min[k] = (uint16_t)mins[k];
}

bool hq_fingerprint_usable(const hq_fingerprint *fp)
{
    return fp != NULL && fp->n_shingles >= HQ_FP_MIN_SHINGLES;
}

static unsigned count_equal(const uint16_t *a, const uint16_t *b, size_t n)
{
    unsigned m = 0;
    for (size_t i = 0; i < n; i++)
        m += a[i] == b[i];
    return m;
}

unsigned hq_fingerprint_matches(const hq_fingerprint *a, const hq_fingerprint *b)
{
    if (!hq_fingerprint_usable(a) || !hq_fingerprint_usable(b))
        return 0;
    return count_equal(a->min, b->min, HQ_FP_HASHES);
}

double hq_fingerprint_similarity(const hq_fingerprint *a, const hq_fingerprint *b)
{
    return (double)hq_fingerprint_matches(a, b) / HQ_FP_HASHES;
}

bool hq_fingerprint_is_dup(const hq_fingerprint *a, const hq_fingerprint *b)
{
    if (!hq_fingerprint_usable(a) || !hq_fingerprint_usable(b))
        return false;
    unsigned m = 0;
    for (size_t at = 0; at < HQ_FP_HASHES; at += CHUNK) {
        m += count_equal(a->min + at, b->min + at, CHUNK);
        if (at + CHUNK - m > HQ_FP_HASHES - HQ_FP_MIN_MATCHES)
            return false; /* too many slots differ already */
        if (m >= HQ_FP_MIN_MATCHES)
            return true;
    }
    return false;
}

void hq_fingerprint_encode(const hq_fingerprint *fp, uint8_t out[HQ_FP_BYTES])
{
    for (int i = 0; i < 4; i++)
        out[i] = (uint8_t)(fp->n_shingles >> (8 * i));
    for (size_t k = 0; k < HQ_FP_HASHES; k++) {
        out[4 + 2 * k] = (uint8_t)fp->min[k];
        out[5 + 2 * k] = (uint8_t)(fp->min[k] >> 8);
    }
}

hq_status hq_fingerprint_decode(const void *data, size_t len, hq_fingerprint *out)
{
    memset(out, 0, sizeof *out);
    if (data == NULL || len != HQ_FP_BYTES)
        return HQ_ECORRUPT;
    const uint8_t *p = data;
    uint32_t n = 0;
    for (int i = 0; i < 4; i++)
        n |= (uint32_t)p[i] << (8 * i);
    bool any = false;
    for (size_t k = 0; k < HQ_FP_HASHES; k++) {
        out->min[k] = (uint16_t)(p[4 + 2 * k] | (p[5 + 2 * k] << 8));
        any |= out->min[k] != 0;
    }
    out->n_shingles = n;
    if (n < HQ_FP_MIN_SHINGLES && any) {
        memset(out, 0, sizeof *out);
        return HQ_ECORRUPT;
    }
    return HQ_OK;
}

/* ---- union-find ------------------------------------------------------------ */
/* The root of a set is its smallest index (unite keeps the smaller);
 * path halving keeps finds short. */

static uint32_t find(uint32_t *parent, uint32_t i)
{
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

static bool unite(uint32_t *parent, uint32_t i, uint32_t j)
{
    i = find(parent, i);
    j = find(parent, j);
    if (i == j)
        return false;
    if (i < j)
        parent[j] = i;
    else
        parent[i] = j;
    return true;
}

/* ---- clustering a corpus ---------------------------------------------------- */

typedef struct band_entry {
    uint64_t key;
    uint32_t idx;
} band_entry;

static int compare_entries(const void *pa, const void *pb)
{
    const band_entry *a = pa, *b = pb;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static uint64_t band_key(const hq_fingerprint *fp, size_t band)
{
    uint64_t key = 0;
    for (size_t r = 0; r < HQ_FP_ROWS; r++)
        key = key << 16 | fp->min[band * HQ_FP_ROWS + r];
    return key;
}

/* One bucket e[0..n) (n >= 2) of one band: see "Clustering" above. */
static void link_bucket(const hq_fingerprint *fps, const band_entry *e, size_t n,
                        uint32_t *parent, hq_dedup_stats *st)
{
    uint32_t leaders[LEADERS_MAX];
    size_t n_leaders = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t x = e[i].idx;
        bool placed = false;
        st->candidates++;
        for (size_t l = 0; l < n_leaders; l++) {
            if (find(parent, leaders[l]) == find(parent, x)) {
                placed = true; /* linked already: no comparison */
                continue;
            }
            st->compared++;
            if (hq_fingerprint_is_dup(&fps[x], &fps[leaders[l]])) {
                st->linked += unite(parent, x, leaders[l]);
                placed = true;
            }
        }
        if (!placed && n_leaders < LEADERS_MAX)
            leaders[n_leaders++] = x;
    }
}

static void cluster_banded(const hq_fingerprint *fps, size_t n, uint32_t *parent,
                           hq_dedup_stats *st)
{
    band_entry *e = hq_xmalloc((n ? n : 1) * sizeof *e);
    for (size_t band = 0; band < HQ_FP_BANDS; band++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (hq_fingerprint_usable(&fps[i]))
                e[m++] = (band_entry){band_key(&fps[i], band), (uint32_t)i};
        qsort(e, m, sizeof *e, compare_entries);
        for (size_t s = 0, t; s < m; s = t) {
            for (t = s + 1; t < m && e[t].key == e[s].key; t++)
                ;
            if (t - s >= 2)
                link_bucket(fps, e + s, t - s, parent, st);
        }
    }
    free(e);
}

static void cluster_exhaustive(const hq_fingerprint *fps, size_t n, uint32_t *parent,
                               hq_dedup_stats *st)
{
    for (size_t i = 0; i < n; i++) {
        if (!hq_fingerprint_usable(&fps[i]))
            continue;
        for (size_t j = i + 1; j < n; j++) {
            if (!hq_fingerprint_usable(&fps[j]))
                continue;
            st->candidates++;
            if (find(parent, (uint32_t)i) == find(parent, (uint32_t)j))
                continue;
            st->compared++;
            if (hq_fingerprint_is_dup(&fps[i], &fps[j]))
                st->linked += unite(parent, (uint32_t)i, (uint32_t)j);
        }
    }
}

void hq_dedup_cluster(const hq_fingerprint *fps, size_t n, bool exhaustive, uint32_t *root,
                      hq_dedup_stats *stats)
{
    pthread_once(&params_once, params_init);
    hq_dedup_stats st = {0};
    for (size_t i = 0; i < n; i++)
        root[i] = (uint32_t)i;
    if (exhaustive)
        cluster_exhaustive(fps, n, root, &st);
    else
        cluster_banded(fps, n, root, &st);
    for (size_t i = 0; i < n; i++)
        root[i] = find(root, (uint32_t)i);
    if (stats)
        *stats = st;
}

/* ---- grouping hits ------------------------------------------------------------ */

void hq_dedup_group(const hq_fingerprint *const *fps, size_t k, uint32_t *group)
{
    for (size_t i = 0; i < k; i++)
        group[i] = (uint32_t)i;
    size_t m = k < HQ_DEDUP_GROUP_MAX ? k : HQ_DEDUP_GROUP_MAX; /* the rest stay alone */
    for (size_t i = 0; i < m; i++)
        for (size_t j = i + 1; j < m; j++)
            if (find(group, (uint32_t)i) != find(group, (uint32_t)j) &&
                hq_fingerprint_is_dup(fps[i], fps[j]))
                unite(group, (uint32_t)i, (uint32_t)j);
    for (size_t i = 0; i < k; i++)
        group[i] = find(group, (uint32_t)i);
}

/*
 * rank.h — scoring and top-k retrieval over an index snapshot.
 *
 * The query layer turns a parsed query into an hq_plan (terms with
 * weights, required and excluded phrases, filters); hq_topk() returns the
 * k best documents by BM25F.  One block per file.
 */
#ifndef HQ_RANK_H
#define HQ_RANK_H

#include "../index/index.h"
#include "../query/query.h"
#include "../text/text.h"

/* ---- Interface to code in bm25f.c ------------------------------------- */

/* BM25F (Robertson & Zaragoza): per field f a weight w_f and a length
 * normalisation b_f; one saturation k1.  For a term t and document d:
 *   tfn   = sum_f w_f * tf_f / (1 - b_f + b_f * len_f / avglen_f)
 *   score = idf(t) * tfn * (k1 + 1) / (k1 + tfn)
 *   idf   = ln(1 + (N - df + 0.5) / (df + 0.5))
 * and a query scores sum_t weight_t * score(t, d). */
typedef struct hq_bm25f {
    double k1;
    double w[HQ_NFIELDS];
    double b[HQ_NFIELDS];
} hq_bm25f;

void hq_bm25f_defaults(hq_bm25f *p);
/* Reads "key = value" lines (k1, title.weight, title.b, focus.weight,
 * focus.b, body.weight, body.b; '#' comments) over the defaults.  Unknown
 * keys and bad values fail with HQ_EFORMAT naming the line. */
hq_status hq_bm25f_load(const char *path, hq_bm25f *p, hq_error *err);
/* The default location: $HEALTHQA_RANKING, else data/ranking.conf. */
const char *hq_bm25f_default_path(void);

double hq_bm25f_idf(uint64_t n_docs, uint64_t df);
/* A document's normalised frequency from its frequencies and coded field
 * lengths (hq_field_factor). */
double hq_bm25f_tfn(const hq_bm25f *p, const double *avg_len, const uint32_t *tf,
                    const uint8_t *len_code);
/* An upper bound of tfn over the documents of a block (see postings.c). */
double hq_bm25f_tfn_bound(const hq_bm25f *p, const double *avg_len, const hq_skip *sk);

static inline double hq_bm25f_saturate(double k1, double tfn)
{
    return tfn * (k1 + 1.0) / (k1 + tfn);
}

/* ---- Interface to code in topk.c -------------------------------------- */

typedef struct hq_plan_term {
    const char *term;
    uint32_t len;
    double weight; /* query weight (1 per occurrence, or a feature's weight) */
} hq_plan_term;

/* A phrase: its terms with positions relative to the first. */
typedef struct hq_plan_phrase {
    const hq_plan_term *terms;
    const uint32_t *rel_pos;
    uint32_t n;
} hq_plan_phrase;

typedef enum hq_plan_filter_kind { HQ_PF_SOURCE, HQ_PF_TYPE, HQ_PF_TRUST } hq_plan_filter_kind;

typedef struct hq_plan_filter {
    hq_plan_filter_kind kind;
    const char *value; /* source name / question type (case-insensitive) / trust level */
    bool excluded;
} hq_plan_filter;

typedef struct hq_plan {
    const hq_snapshot *snap;
    const hq_bm25f *params;
    const hq_plan_term *terms; /* scored, OR-ed */
    size_t n_terms;
    const hq_plan_phrase *required; /* every one must match */
    size_t n_required;
    const hq_plan_phrase *excluded; /* none may match (single words: phrases of one) */
    size_t n_excluded;
    const hq_plan_filter *filters;
    size_t n_filters;
    uint64_t count_exact; /* count matches exactly up to this many before
                             pruning starts (Lucene's total hits threshold) */
} hq_plan;

typedef struct hq_hit {
    uint32_t seg, doc;
    double score;
} hq_hit;

typedef struct hq_topk_stats {
    uint64_t matched;  /* documents found matching (all of them when exact:
                          exhaustive, or fewer than plan->count_exact) */
    bool exact;        /* matched counts every matching document */
    uint64_t scored;   /* documents fully scored */
} hq_topk_stats;

/* The k best documents of plan, best first (score descending, then
 * segment and document ascending), into hits[0..*n_hits).  With
 * exhaustive set, every matching document is scored (the reference that
 * dynamic pruning must equal); otherwise MaxScore with block-max bounds.
 * HQ_ECORRUPT when a postings list does not decode. */
hq_status hq_topk(const hq_plan *plan, size_t k, bool exhaustive, hq_hit *hits, size_t *n_hits,
                  hq_topk_stats *stats, hq_error *err);

/* The BM25F contribution of each plan term to document (seg, doc), for
 * explanations: contrib[i] for plan->terms[i] (0 when absent). */
hq_status hq_explain_doc(const hq_plan *plan, uint32_t seg, uint32_t doc, double *contrib,
                         hq_error *err);

/* ---- Interface to code in rerank.c ------------------------------------ */
/* The second stage (see rerank.c): features of each first-stage hit,
 * weighted and summed, the hits re-sorted by the sum. */

typedef struct hq_rerank_params {
    hq_question_weights query; /* query-side weights of question analysis */
    double depth;              /* first-stage hits re-ranked (at least the hits asked for) */
    double focus;              /* weight of the focus feature */
    double secondary, branch;  /* focus feature of a secondary concept, of a MeSH sibling */
    double type;               /* weight of the question-type feature */
    double trust;              /* weight of the trust feature */
} hq_rerank_params;

void hq_rerank_defaults(hq_rerank_params *p);
/* Reads "key = value" lines (query.focus, query.concept, query.context,
 * query.other, query.synonym, query.synonyms, rerank.depth,
 * rerank.focus, rerank.secondary, rerank.branch, rerank.type,
 * rerank.trust) over the defaults; HQ_EFORMAT names a bad line. */
hq_status hq_rerank_load(const char *path, hq_rerank_params *p, hq_error *err);
/* $HEALTHQA_RERANK, else data/rerank.conf. */
const char *hq_rerank_default_path(void);

typedef struct hq_rerank_features {
    double bm25, focus, type, trust; /* each feature's value (before weights) */
    double total;                    /* the re-ranked score */
} hq_rerank_features;

/* The features of hit h; top_score is the best first-stage score. */
void hq_rerank_features_of(const hq_rerank_params *p, const hq_snapshot *snap,
                           const hq_vocab *v, const hq_question *q, const hq_hit *h,
                           double top_score, hq_rerank_features *f);
/* Re-sorts hits[0..n) (first-stage order, best first) by their total,
 * ties kept in first-stage order; each hit's score becomes its total. */
void hq_rerank(const hq_rerank_params *p, const hq_snapshot *snap, const hq_vocab *v,
               const hq_question *q, hq_hit *hits, size_t n);
/* ---- Interface to code in dedup.c ------------------------------------- */
/* Near-duplicate detection: MinHash signatures of a text's word
 * 3-shingles, banded LSH over a corpus, union-find into clusters.  Why
 * MinHash and these numbers: the top of dedup.c.  Pure functions; the
 * analyzer passed in is the only state (one per thread). */

#define HQ_FP_VERSION 1        /* bump when any constant or the hashing changes: stored
                                  fingerprints of another version are recomputed */
#define HQ_FP_SHINGLE 3        /* words per shingle (analysed terms: folded, stemmed,
                                  stop words dropped) */
#define HQ_FP_HASHES 128       /* hash functions (signature slots) */
#define HQ_FP_MIN_SHINGLES 10  /* shorter texts (< 12 content words) are never duplicates
                                  by fingerprint */
#define HQ_FP_MIN_MATCHES 90   /* duplicates: at least 90 of 128 slots equal, an estimated
                                  Jaccard similarity of the shingle sets >= 0.70 */
#define HQ_FP_BANDS 32         /* LSH: 32 bands of 4 slots */
#define HQ_FP_ROWS 4
#define HQ_FP_BYTES (4 + 2 * HQ_FP_HASHES) /* the encoded size */
#define HQ_DEDUP_GROUP_MAX 1000 /* hits hq_dedup_group() accepts */

typedef struct hq_fingerprint {
    uint32_t n_shingles;        /* shingles of the text, repeats included; below
                                   HQ_FP_MIN_SHINGLES the signature is all zero and unused */
    uint16_t min[HQ_FP_HASHES]; /* low 16 bits of each hash function's minimum */
} hq_fingerprint;

/* The fingerprint of text[0..len) (any bytes; text may be NULL when len
 * is 0) into *out, analysed with a into tokens (scratch, reused; free
 * with hq_tokens_free).  Never fails. */
void hq_fingerprint_text(hq_analyzer *a, const char *text, size_t len, hq_tokens *tokens,
                         hq_fingerprint *out);

/* True when fp has enough shingles to be compared. */
bool hq_fingerprint_usable(const hq_fingerprint *fp);

/* The number of equal slots (0..HQ_FP_HASHES); 0 when either is not usable. */
unsigned hq_fingerprint_matches(const hq_fingerprint *a, const hq_fingerprint *b);

/* matches / HQ_FP_HASHES: the estimated Jaccard similarity, 0..1. */
double hq_fingerprint_similarity(const hq_fingerprint *a, const hq_fingerprint *b);

/* True when a and b are near-duplicates (both usable, matches >=
 * HQ_FP_MIN_MATCHES).  Stops counting as soon as the answer is known. */
bool hq_fingerprint_is_dup(const hq_fingerprint *a, const hq_fingerprint *b);

/* The stored form: n_shingles then the slots, little-endian. */
void hq_fingerprint_encode(const hq_fingerprint *fp, uint8_t out[HQ_FP_BYTES]);
/* HQ_ECORRUPT when len is not HQ_FP_BYTES or a short text has slots set. */
hq_status hq_fingerprint_decode(const void *data, size_t len, hq_fingerprint *out);

typedef struct hq_dedup_stats {
    uint64_t candidates; /* bucket memberships examined (pairs, when exhaustive) */
    uint64_t compared;   /* signature comparisons made */
    uint64_t linked;     /* comparisons that found duplicates in different clusters */
} hq_dedup_stats;

/* Clusters fps[0..n) (n < 2^32) by single linkage over the near-duplicate
 * relation: on return root[i] is the smallest index of i's cluster (i
 * when it has no duplicate).  Candidates come from LSH buckets (see
 * dedup.c for what that may miss); exhaustive compares every pair, the
 * reference.  stats may be NULL. */
void hq_dedup_cluster(const hq_fingerprint *fps, size_t n, bool exhaustive, uint32_t *root,
                      hq_dedup_stats *stats);

/* Query time: groups k <= HQ_DEDUP_GROUP_MAX ranked hits (fps[i] of hit
 * i; NULL for a hit without text) by single linkage, comparing every
 * pair: group[i] is the smallest (best-ranked) index of i's group.
 * O(k^2) comparisons. */
void hq_dedup_group(const hq_fingerprint *const *fps, size_t k, uint32_t *group);

#endif
